# The managed endpoint, authenticated with the provider's own credentials. With a static API
# token, `token` is null and the kubeconfig reads COREWEAVE_API_TOKEN when kubectl runs, so the
# token never lands in state; with `authentication.workload_identity`, `token` is the
# short-lived bearer.
data "coreweave_cks_kubeconfig" "demo" {
  name = "demo" # or: cluster_id = "..."
}

# Hand it to the kubernetes or helm provider:
#
#   provider "kubernetes" {
#     host  = data.coreweave_cks_kubeconfig.demo.host
#     token = coalesce(data.coreweave_cks_kubeconfig.demo.token, var.coreweave_api_token)
#   }

output "host" {
  value = data.coreweave_cks_kubeconfig.demo.host
}

# terraform output -raw kubeconfig > demo.kubeconfig; kubectl --kubeconfig demo.kubeconfig get nodes
output "kubeconfig" {
  value     = data.coreweave_cks_kubeconfig.demo.kubeconfig
  sensitive = true
}
