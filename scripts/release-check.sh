#!/usr/bin/env bash
# `make release-check`: `make release` as a maintainer runs it, on a fresh clone of the
# committed HEAD, signing with a throwaway key made for the run; then checks the files as a user
# would: `gpg --verify` with only the public key imported, and `sha256sum -c`.
#
# A fresh clone has no target/: the check copies this checkout's target/release into it first
# when there is one, so that the release build compiles only what changed (cargo checks every
# copied artifact as usual). RELEASE_CHECK_COLD=1 skips the copy: the build starts from nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gpg=$("$root/scripts/install-gnupg.sh")

work=$(mktemp -d)
cleanup() {
  for home in "$work/maintainer" "$work/user"; do
    [ ! -d "$home" ] || "$(dirname "$gpg")/gpgconf" --homedir "$home" --kill all 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$root" "$work/clone"
echo "release-check: fresh clone of $(git -C "$root" rev-parse --short HEAD) in $work/clone"
if [ -d "$root/target/release" ] && [ -z "${RELEASE_CHECK_COLD:-}" ]; then
  echo "release-check: copying target/release from $root (RELEASE_CHECK_COLD=1 to build from nothing)"
  mkdir -p "$work/clone/target"
  cp -a "$root/target/release" "$work/clone/target/"
fi

# The maintainer's throwaway signing key, in a keyring of its own.
mkdir -m 700 "$work/maintainer" "$work/user"
"$gpg" --homedir "$work/maintainer" --batch --pinentry-mode loopback --passphrase '' \
  --quick-generate-key "release-check throwaway key <release-check@example.invalid>" rsa2048 sign never 2>/dev/null
fingerprint=$("$gpg" --homedir "$work/maintainer" --batch --with-colons --list-secret-keys |
  awk -F: '$1 == "fpr" { print $10; exit }')
"$gpg" --homedir "$work/maintainer" --batch --armor --export "$fingerprint" >"$work/public-key.asc"

(
  cd "$work/clone"
  unset MAKELEVEL MAKEFLAGS MFLAGS GPG_PASSPHRASE
  GNUPGHOME="$work/maintainer" GPG_FINGERPRINT="$fingerprint" GPG="$gpg" make release
)

# A user's view: the public key imported, nothing else.
cd "$work/clone/dist"
"$gpg" --homedir "$work/user" --batch --import "$work/public-key.asc" 2>/dev/null
sums=$(ls ./*_SHA256SUMS)
"$gpg" --homedir "$work/user" --batch --verify "$sums.sig" "$sums"
sha256sum -c "$sums"
echo "release-check: gpg --verify and sha256sum -c accept the release of a fresh clone:"
ls -l "$work/clone/dist"
