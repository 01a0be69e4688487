# Terraform 1.10 or later. The credential (the provider's API token, or with
# `authentication.workload_identity` a short-lived bearer) is in `token` and in `kubeconfig`,
# and in no plan or state file: Terraform opens the ephemeral resource afresh in every plan and
# every apply.
ephemeral "coreweave_cks_kubeconfig" "demo" {
  name = "demo" # or: cluster_id = "..."
}

# Hand it to the kubernetes or helm provider (provider blocks take ephemeral values):
#
#   provider "kubernetes" {
#     host  = ephemeral.coreweave_cks_kubeconfig.demo.host
#     token = ephemeral.coreweave_cks_kubeconfig.demo.token
#   }

# Or to kubectl in a provisioner, through its environment:
resource "terraform_data" "nodes" {
  provisioner "local-exec" {
    command = "kubectl --server \"$HOST\" --token \"$TOKEN\" get nodes"
    environment = {
      HOST  = ephemeral.coreweave_cks_kubeconfig.demo.host
      TOKEN = ephemeral.coreweave_cks_kubeconfig.demo.token
    }
  }
}
