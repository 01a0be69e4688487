#!/usr/bin/env bash
# Installs the real AWS clients the S3 tests and the demo drive: the AWS CLI v1 (`awscli`) and
# `boto3`, pinned, from PyPI, into a venv under .tools/ (not Debian's awscli 2.9, which lacks
# AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE). Idempotent; two processes calling it at once wait on
# one lock. Prints the venv's bin directory (holding `aws` and `python`) on stdout.
#
#   scripts/install-aws-clients.sh
set -euo pipefail

. "$(dirname "$0")/pinned-venv.sh"
# All exact, so every machine signs requests the same way: awscli 1.46.2 (it carries its own
# botocore, 1.43.62), boto3 1.44.2 with botocore 1.44.8 (boto3 accepts >=1.44.2,<1.45).
awscli_version=1.46.2
boto3_version=1.44.2
botocore_version=1.44.8
dir="$root/.tools/aws-clients-$awscli_version"
bin="$dir/venv/bin"

installed() {
  [ -f "$dir/.complete" ] && "$bin/aws" --version >/dev/null 2>&1 &&
    "$bin/python" -c 'import boto3' 2>/dev/null
}

mkdir -p "$root/.tools"
exec 9>"$root/.tools/aws-clients.lock"
flock 9
if installed; then
  echo "install-aws-clients: using the AWS clients installed earlier: $bin" >&2
  echo "$bin"
  exit 0
fi

fresh_venv "$dir" 9
echo "install-aws-clients: installing awscli==$awscli_version and boto3==$boto3_version from PyPI into $dir" >&2
pip_install "$dir" "awscli==$awscli_version" "boto3==$boto3_version" "botocore==$botocore_version"
touch "$dir/.complete"
echo "install-aws-clients: AWS clients just installed: $bin" >&2
echo "$bin"
