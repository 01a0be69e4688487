#!/usr/bin/env bash
# tf-provider's build script needs protoc. Installs it where possible, else says how.
set -euo pipefail
if [ -n "${PROTOC:-}" ] && [ -x "$PROTOC" ]; then exit 0; fi
if command -v protoc >/dev/null 2>&1; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "protoc not found: installing protobuf-compiler with apt-get" >&2
    (apt-get install -y -qq protobuf-compiler >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq protobuf-compiler >/dev/null; }) && exit 0
  elif command -v sudo >/dev/null 2>&1; then
    echo "protoc not found: installing protobuf-compiler with sudo apt-get" >&2
    sudo apt-get install -y -qq protobuf-compiler >/dev/null && exit 0
  fi
fi
cat >&2 <<'MSG'
error: `protoc` (the Protocol Buffers compiler) is required to build tf-provider.
  Debian/Ubuntu:  sudo apt-get install -y protobuf-compiler
  macOS:          brew install protobuf
  or set PROTOC=/path/to/protoc
MSG
exit 1
