#!/usr/bin/env bash
# Builds the provider's Terraform Registry release (the files a GitHub release of the version
# carries, as goreleaser makes them for Go providers):
#
#   terraform-provider-coreweave_<version>_<os>_<arch>.zip   the binary, named terraform-provider-coreweave_v<version>
#   terraform-provider-coreweave_<version>_manifest.json     a copy of terraform-registry-manifest.json
#   terraform-provider-coreweave_<version>_SHA256SUMS        sha256sum lines for every zip of the version and the manifest
#   terraform-provider-coreweave_<version>_SHA256SUMS.sig    a detached binary GPG signature of _SHA256SUMS
#
# The version comes from Cargo.toml, the platform from the Rust target (this machine's unless
# --target names another). Signing uses the key that GPG_FINGERPRINT names (fingerprint, key id
# or user id) from gpg's keyring (GNUPGHOME); GPG_PASSPHRASE, when set, unlocks it; GPG names
# the gpg to run (default: gpg). The signature and the checksums are verified before it ends.
#
#   scripts/release.sh                          # build for this machine, package, sign: into dist/
#   scripts/release.sh --binary PATH --out DIR  # package and sign an already-built binary
#   scripts/release.sh --target TRIPLE --package-only  # CI, one runner per platform: the zip only
#   scripts/release.sh --sign-only --out DIR    # CI, once every zip is in DIR: manifest, checksums, signature
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
name=terraform-provider-coreweave
binary=""
target=""
out="$root/dist"
package=1
sign=1

die() {
  echo "release: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) [ $# -ge 2 ] || die "--binary needs a path"; binary=$2; shift 2 ;;
    --target) [ $# -ge 2 ] || die "--target needs a Rust target triple"; target=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    --package-only) sign=0; shift ;;
    --sign-only) package=0; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[ $package = 1 ] || [ $sign = 1 ] || die "--package-only and --sign-only exclude each other"

# The version of the [package] section of Cargo.toml.
version=$(awk '/^\[/ { in_package = ($0 == "[package]") }
  in_package && /^version *=/ { gsub(/^version *= *"|".*$/, ""); print; exit }' "$root/Cargo.toml")
[ -n "$version" ] || die "no [package] version in Cargo.toml"

mkdir -p "$out"
out=$(cd "$out" && pwd)
prefix="${name}_${version}"

# Terraform's <os>_<arch> for a Rust target triple of a released platform (dev/releasing.md).
platform_of() {
  local triple=$1 os arch
  case "$triple" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *) die "the target $triple is not a released platform (Linux or macOS)" ;;
  esac
  case "${triple%%-*}" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) die "the target $triple is not a released architecture (x86_64 or aarch64)" ;;
  esac
  echo "${os}_${arch}"
}

# Zips `$binary` (built by cargo unless --binary named it) as <prefix>_<os>_<arch>.zip.
package_zip() {
  local host platform stage zip_name file="${name}_v${version}"
  host=$("${RUSTC:-rustc}" -vV | sed -n 's/^host: //p')
  platform=$(platform_of "${target:-$host}")
  if [ -z "$binary" ]; then
    (cd "$root" && "${CARGO:-cargo}" build --release --bin "$name" ${target:+--target "$target"})
    binary="${CARGO_TARGET_DIR:-$root/target}/${target:+$target/}release/$name"
  fi
  [ -f "$binary" ] && [ -x "$binary" ] || die "$binary is not an executable file"

  zip_name="${prefix}_${platform}.zip"
  stage=$(mktemp -d)
  cp "$binary" "$stage/$file"
  chmod 0755 "$stage/$file"
  rm -f "$out/$zip_name"
  if command -v zip >/dev/null 2>&1; then
    (cd "$stage" && zip -q -X "$out/$zip_name" "$file")
  else
    python3 - "$stage/$file" "$out/$zip_name" <<'PY'
import os
import sys
import zipfile

source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
    archive.write(source, arcname=os.path.basename(source))
PY
  fi
  rm -rf "$stage"
  echo "$out/$zip_name"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# The manifest, the checksums of every zip of the version in $out and of the manifest, their
# signature; then checks both as a user would.
sign_release() {
  local manifest="${prefix}_manifest.json" sums="${prefix}_SHA256SUMS" zips
  zips=$(cd "$out" && ls "${prefix}"_*.zip 2>/dev/null) || die "no ${prefix}_*.zip in $out to sign"

  cp "$root/terraform-registry-manifest.json" "$out/$manifest"
  # shellcheck disable=SC2086 # one zip name per word
  (cd "$out" && sha256 $zips "$manifest" >"$sums")
  rm -f "$out/$sums.sig"
  local unlock=()
  [ -z "${GPG_PASSPHRASE:-}" ] || unlock=(--pinentry-mode loopback --passphrase-fd 0)
  "$gpg" --batch --local-user "$GPG_FINGERPRINT" ${unlock[@]+"${unlock[@]}"} \
    --output "$out/$sums.sig" --detach-sign "$out/$sums" <<<"${GPG_PASSPHRASE:-}"

  "$gpg" --batch --verify "$out/$sums.sig" "$out/$sums" ||
    die "gpg --verify refused the signature just made"
  (cd "$out" && sha256 -c --quiet "$sums") || die "the checksums just written do not match"
  echo "release: signed with $GPG_FINGERPRINT; gpg --verify and sha256sum -c accept $sums" >&2
  printf '%s\n' "$out/$manifest" "$out/$sums" "$out/$sums.sig"
}

gpg=${GPG:-gpg}
if [ $sign = 1 ]; then
  [ -n "${GPG_FINGERPRINT:-}" ] ||
    die "GPG_FINGERPRINT is not set: the fingerprint of the key that signs the release (see dev/releasing.md)"
  command -v "$gpg" >/dev/null 2>&1 || die "no $gpg: install GnuPG (Debian: apt-get install -y gnupg)"
fi
if [ $package = 1 ]; then package_zip; fi
if [ $sign = 1 ]; then sign_release; fi
