# Every workload identity federation config (both filters are optional).
list "coreweave_object_storage_wif_config" "all" {
  provider         = coreweave
  include_resource = true

  config {
    # issuer_url  = "https://oidc.cks.coreweave.com/id/<cluster id>"
    # name_prefix = "ci-"
  }
}
