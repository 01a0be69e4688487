#!/usr/bin/env bash
# `make readme-walk`: follows README.md's "Try it by hand" section literally, as a new user
# would: on a fresh clone of the committed HEAD, with a home directory of its own, it runs the
# section's sh blocks (between the `readme-walk: begin` and `readme-walk: end` markers) in order,
# in one bash with -e, so that any failing command fails the walk.
#
# A fresh clone has no target/: the walk copies this checkout's target/release into it first
# when there is one, so that `make build` compiles only what changed (cargo checks every copied
# artifact as usual). README_WALK_COLD=1 skips the copy: the build starts from nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone -q "$root" "$work/clone"
echo "readme-walk: fresh clone of $(git -C "$root" rev-parse --short HEAD) in $work/clone"
if [ -d "$root/target/release" ] && [ -z "${README_WALK_COLD:-}" ]; then
  echo "readme-walk: copying target/release from $root (README_WALK_COLD=1 to build from nothing)"
  mkdir -p "$work/clone/target"
  cp -a "$root/target/release" "$work/clone/target/"
fi

# The section's sh blocks, each shown before it runs. A sandbox left running by a failed step
# is stopped when the walk ends.
readme="$work/clone/README.md"
{
  echo 'trap '"'"'[ -z "${COREWEAVE_SANDBOX_PID:-}" ] || kill "$COREWEAVE_SANDBOX_PID" 2>/dev/null || true'"'"' EXIT'
  awk '
    /<!-- readme-walk: begin/ { inside = 1; next }
    /<!-- readme-walk: end/ { inside = 0 }
    inside && /^```sh$/ { n++; text = ""; in_block = 1; next }
    in_block && /^```$/ {
      in_block = 0
      printf "printf %s\n", "'"'"'\\n==> README.md walk, block " n ":\\n'"'"'"
      printf "cat <<'"'"'README_BLOCK_END'"'"'\n%sREADME_BLOCK_END\n", text
      printf "%s", text
      next
    }
    in_block { text = text $0 "\n" }
  ' "$readme"
} >"$work/walk.sh"
blocks=$(grep -c '^cat <<.README_BLOCK_END' "$work/walk.sh" || true)
[ "$blocks" -gt 0 ] || { echo "readme-walk: no sh blocks between the markers in README.md" >&2; exit 1; }

# A home of its own (the section writes under ~); the toolchain stays where it is.
mkdir "$work/home"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$work/home" CHECKPOINT_DISABLE=1
unset COREWEAVE_API_ENDPOINT COREWEAVE_API_TOKEN TF_CLI_CONFIG_FILE TFC_WORKLOAD_IDENTITY_TOKEN
# As in a new shell, not inside `make readme-walk`.
unset MAKELEVEL MAKEFLAGS MFLAGS

cd "$work/clone"
bash -euo pipefail "$work/walk.sh"
echo
echo "readme-walk: all $blocks blocks of README.md's walk ran"
