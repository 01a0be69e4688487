terraform {
  required_providers {
    coreweave = {
      source = "cwfed/coreweave"
    }
  }
}

# Credentials from the environment: COREWEAVE_API_TOKEN (and optionally COREWEAVE_API_ENDPOINT).
provider "coreweave" {}

# Or explicitly, e.g. against the local sandbox:
# provider "coreweave" {
#   endpoint = "http://127.0.0.1:8089"
#   token    = var.coreweave_token
# }

# Or in CI, without a long-lived token: the CI's OIDC token (TFC_WORKLOAD_IDENTITY_TOKEN) is
# exchanged for short-lived credentials of a service account that trusts the CI's issuer.
# provider "coreweave" {
#   authentication = {
#     workload_identity = { service_account_uid = var.coreweave_service_account_uid }
#   }
# }
