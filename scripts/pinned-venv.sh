# Sourced by the scripts/install-*.sh installers: a fresh venv under .tools/ and pinned pip
# installs into it, each failure saying what the machine lacks. Sets $root (the checkout) and
# $tool (the installer's name, which prefixes its messages on stderr).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tool=$(basename "$0" .sh)

# fresh_venv <dir> <minimum python 3 minor>: replaces <dir> with one holding a venv at <dir>/venv,
# made by $PYTHON (default python3), or exits 1 saying what to install.
fresh_venv() {
  local dir=$1 minor=$2 python=${PYTHON:-python3}
  if ! "$python" -c "import sys; sys.exit(sys.version_info < (3, $minor))" 2>/dev/null; then
    echo "$tool: python3 (>= 3.$minor) is required; on Debian: apt-get install -y python3 python3-venv" >&2
    exit 1
  fi
  rm -rf "$dir"
  if ! "$python" -m venv "$dir/venv" >&2; then
    echo "$tool: cannot create a venv; on Debian: apt-get install -y python3-venv" >&2
    exit 1
  fi
}

# pip_install <dir> <requirement>...: installs the (pinned) requirements into <dir>/venv.
pip_install() {
  local dir=$1
  shift
  "$dir/venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off "$@" >&2
}
