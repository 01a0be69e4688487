variable "cluster_issuer_url" {
  type        = string
  description = "The cluster's OIDC issuer, e.g. data.coreweave_cks_cluster_issuer.this.issuer_url."
  default     = "https://oidc.cks.coreweave.com/id/3f2a0c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
}

resource "coreweave_object_storage_org_policy" "wif" {
  name = "wif-service-account-access"
  statements = [
    {
      # Exchanging the token for credentials is a global action: resources must be ["*"].
      name       = "token-exchange"
      effect     = "Allow"
      actions    = ["cwobject:CreateAccessKeyOIDC"]
      resources  = ["*"]
      principals = [provider::coreweave::service_account_principal(var.cluster_issuer_url, "default", "my-object-storage-sa")]
    },
    {
      name       = "read-write-training-data"
      effect     = "Allow"
      actions    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
      resources  = ["training-data", "training-data/*"]
      principals = [provider::coreweave::service_account_principal(var.cluster_issuer_url, "default", "my-object-storage-sa")]
    },
  ]
}
