# Sourced by scripts/demo.sh and scripts/demo-login.sh: the checkout as the working directory,
# a scratch directory $work removed at exit with the sandbox ($sandbox_pid) and a background
# build ($build_pid) stopped, step headings, and Terraform's CLI configuration.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

work=$(mktemp -d)
sandbox_pid=""
build_pid=""
cleanup() {
  # A background job ignores Ctrl-C in a script, so the build is stopped here too.
  [ -n "$build_pid" ] && kill "$build_pid" 2>/dev/null || true
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export CHECKPOINT_DISABLE=1

# Writes $work/cli.tfrc: dev_overrides load the provider from target/release (see README, "Try
# it by hand: the sandbox and your own configuration", step 3).
write_cli_config() {
  cat >"$work/cli.tfrc" <<CLI
provider_installation {
  dev_overrides {
    "cwfed/coreweave" = "$root/target/release"
  }
  direct {}
}
CLI
}
