#!/usr/bin/env bash
# Prints the path of a gpg (GnuPG 2) for signing and checking releases: `$GPG` when set, else
# the gpg on PATH, else installs the distribution's package (Debian/Ubuntu: gnupg, with apt-get
# as root or through sudo) or says how. Messages go to stderr. Safe when several test processes
# call it at once (flock on .tools/gnupg.lock).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${GPG:-}" ]; then
  command -v "$GPG" || { echo "install-gnupg: \$GPG=$GPG is not a command" >&2; exit 1; }
  exit 0
fi
found() { command -v gpg >/dev/null 2>&1 && command -v gpg; }
found && exit 0
mkdir -p "$root/.tools"
exec 9>"$root/.tools/gnupg.lock"
flock 9
found && exit 0
if command -v apt-get >/dev/null 2>&1; then
  as_root=""
  [ "$(id -u)" = 0 ] || as_root=sudo
  if [ -z "$as_root" ] || command -v sudo >/dev/null 2>&1; then
    echo "install-gnupg: gpg not found: installing the package gnupg with ${as_root:+sudo }apt-get" >&2
    ($as_root apt-get install -y -qq gnupg >/dev/null 2>&1 ||
      { $as_root apt-get update -qq >/dev/null && $as_root apt-get install -y -qq gnupg >/dev/null; }) &&
      found && exit 0
  fi
fi
cat >&2 <<'MSG'
install-gnupg: gpg (GnuPG) is required to sign and check releases.
  Debian/Ubuntu:  sudo apt-get install -y gnupg
  macOS:          brew install gnupg
  or set GPG=/path/to/gpg
MSG
exit 1
