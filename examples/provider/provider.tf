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
