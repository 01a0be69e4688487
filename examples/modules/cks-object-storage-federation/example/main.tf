# Federates the sandbox's `demo` cluster: `make demo` applies this against coreweave-sandbox.
terraform {
  required_providers {
    coreweave = {
      source = "cwfed/coreweave"
    }
  }
}

provider "coreweave" {} # COREWEAVE_API_ENDPOINT and COREWEAVE_API_TOKEN from the environment

variable "api_endpoint" {
  type        = string
  default     = "https://api.coreweave.com"
  description = "Where pods exchange their tokens; `make demo` sets the sandbox's URL."
}

variable "s3_endpoint" {
  type        = string
  default     = "https://cwobject.com"
  description = "The S3 endpoint pods use; `make demo` sets the sandbox's."
}

variable "token_file" {
  type        = string
  default     = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"
  description = "Where a pod's service-account token is; `make demo` sets a file of its own."
}

module "federation" {
  source = "../"

  cluster_name = "demo"
  api_endpoint = var.api_endpoint
  s3_endpoint  = var.s3_endpoint
  token_file   = var.token_file
  policy_name  = "demo-workload-federation"
  grants = [
    {
      namespace       = "default"
      service_account = "my-object-storage-sa"
      buckets         = ["training-data"]
      list_buckets    = true
    },
    {
      namespace       = "inference"
      service_account = "model-server"
      buckets         = ["model-weights"]
      actions         = ["s3:GetObject", "s3:ListBucket"]
    },
  ]

  # The buckets the grants name, made here (leave `buckets` out for buckets that exist).
  # force_destroy lets `make demo` destroy them with the objects it put in.
  buckets = {
    "training-data" = { zone = "US-EAST-04A", tags = { team = "ml" }, force_destroy = true }
    "model-weights" = { zone = "US-EAST-04A", tags = { team = "inference" }, force_destroy = true }
  }

  # Nobody reads training-data/private/, whatever the organization's policies allow; the module
  # adds AllowOwnOrganization, so the rest of the bucket is as the organization's policies say.
  bucket_policies = {
    "training-data" = {
      statements = [{
        sid      = "DenyPrivate"
        effect   = "Deny"
        action   = ["s3:GetObject"]
        resource = ["arn:aws:s3:::training-data/private/*"]
      }]
    }
  }
}

output "issuer_url" {
  value = module.federation.issuer_url
}

output "wif_config_id" {
  value = module.federation.wif_config_id
}

output "principals" {
  value = module.federation.principals
}

output "statement_names" {
  value = module.federation.statement_names
}

output "service_account_annotations" {
  value = module.federation.service_account_annotations
}

output "organization_id" {
  value = module.federation.organization_id
}

output "pod_environment" {
  value = module.federation.pod_environment
}

output "exchange_allowed" {
  value = module.federation.exchange_allowed
}

output "buckets" {
  value = module.federation.buckets
}

output "bucket_policies" {
  value = module.federation.bucket_policies
}
