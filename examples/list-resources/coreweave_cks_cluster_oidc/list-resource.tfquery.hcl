# The OIDC settings of every CKS cluster that trusts an external issuer; clusters without one are
# left out.
list "coreweave_cks_cluster_oidc" "all" {
  provider         = coreweave
  include_resource = true

  config {
    # cluster_name_prefix = "prod-"
  }
}
