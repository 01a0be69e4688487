#!/usr/bin/env bash
# The plugin protocol's bindings (magma-protocol) are generated with protoc at build time: the one
# on PATH (or $PROTOC), else the copy magma-protocol vendors. Installs the distribution's where
# possible, so that the build uses a maintained protoc; without one the vendored copy is used.
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
echo "protoc not found: the build uses the copy magma-protocol vendors (or set PROTOC=/path/to/protoc)" >&2
