variable "cluster_id" {
  type        = string
  description = "Id of the CKS cluster whose service accounts should reach AI Object Storage."
}

data "coreweave_cks_cluster_issuer" "this" {
  cluster_id = var.cluster_id
}

# Trust the cluster's service account tokens. The Pod Identity Webhook's default audience is
# the issuer URL itself.
resource "coreweave_object_storage_wif_config" "cluster" {
  name        = "cks-object-storage"
  issuer_url  = data.coreweave_cks_cluster_issuer.this.issuer_url
  audience    = data.coreweave_cks_cluster_issuer.this.issuer_url
  description = "Service accounts of the CKS cluster"
}
