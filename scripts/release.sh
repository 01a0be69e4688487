#!/usr/bin/env bash
# Builds the provider's Terraform registry release artifacts:
#
#   terraform-provider-coreweave_<version>_<os>_<arch>.zip   the binary, named terraform-provider-coreweave_v<version>
#   terraform-provider-coreweave_<version>_manifest.json     a copy of terraform-registry-manifest.json
#   terraform-provider-coreweave_<version>_SHA256SUMS        sha256sum lines for the zip and the manifest
#
# The version comes from Cargo.toml, the platform from this machine.
#
#   scripts/release.sh                          # cargo build --release, artifacts into dist/
#   scripts/release.sh --binary PATH --out DIR  # package an already-built binary into DIR
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
name=terraform-provider-coreweave
binary=""
out="$root/dist"

die() {
  echo "release: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) [ $# -ge 2 ] || die "--binary needs a path"; binary=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

# The version of the [package] section of Cargo.toml.
version=$(awk '/^\[/ { in_package = ($0 == "[package]") }
  in_package && /^version *=/ { gsub(/^version *= *"|".*$/, ""); print; exit }' "$root/Cargo.toml")
[ -n "$version" ] || die "no [package] version in Cargo.toml"

os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

if [ -z "$binary" ]; then
  (cd "$root" && "${CARGO:-cargo}" build --release --bin "$name")
  binary="${CARGO_TARGET_DIR:-$root/target}/release/$name"
fi
[ -f "$binary" ] && [ -x "$binary" ] || die "$binary is not an executable file"

zip_name="${name}_${version}_${os}_${arch}.zip"
manifest="${name}_${version}_manifest.json"
sums="${name}_${version}_SHA256SUMS"
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/${name}_v${version}"
chmod 0755 "$stage/${name}_v${version}"

rm -f "$out/$zip_name"
if command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -q -X "$out/$zip_name" "${name}_v${version}")
else
  python3 - "$stage/${name}_v${version}" "$out/$zip_name" <<'PY'
import os
import sys
import zipfile

source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
    archive.write(source, arcname=os.path.basename(source))
PY
fi

cp "$root/terraform-registry-manifest.json" "$out/$manifest"
(cd "$out" && sha256sum "$zip_name" "$manifest" >"$sums")

printf '%s\n' "$out/$zip_name" "$out/$manifest" "$out/$sums"
