data "coreweave_cks_cluster_issuer" "demo" {
  name = "demo" # or: cluster_id = "..."
}

output "issuer_url" {
  value = data.coreweave_cks_cluster_issuer.demo.issuer_url
}

output "unmanaged_api_server_endpoint" {
  value = data.coreweave_cks_cluster_issuer.demo.unmanaged_api_server_endpoint
}
