variable "cluster_id" {
  type        = string
  description = "Id of the CKS cluster that should trust the identity provider."
}

# Let users of Google Workspace sign in to the cluster's unmanaged endpoint with kubelogin.
resource "coreweave_cks_cluster_oidc" "google" {
  cluster_id     = var.cluster_id
  issuer_url     = "https://accounts.google.com"
  client_id      = "1234567890-abc.apps.googleusercontent.com"
  username_claim = "email"
  groups_claim   = "groups"
  groups_prefix  = "oidc:"
  signing_algs   = ["RS256"]

  timeouts {
    create = "30m"
  }
}
