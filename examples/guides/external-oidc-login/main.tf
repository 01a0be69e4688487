# Seed 004 as code: a CKS cluster trusts an external OIDC issuer (Google, Okta, Entra ID, or a
# private one with its own CA), a group of that issuer administers the cluster, and kubectl
# reaches the unmanaged endpoint (api.<apiServerEndpoint>) through kubelogin.

variable "cluster_name" {
  description = "The CKS cluster to configure."
  type        = string
  default     = "demo"
}

variable "issuer_url" {
  description = "The identity provider's issuer, e.g. https://accounts.google.com."
  type        = string
}

variable "client_id" {
  description = "The OIDC application's client id: the audience tokens must carry."
  type        = string
}

variable "issuer_ca" {
  description = "Base64-encoded PEM of a private issuer's CA; null for a publicly trusted issuer."
  type        = string
  default     = null
}

variable "admin_group" {
  description = "The identity provider's group whose members administer the cluster."
  type        = string
  default     = "platform-admins"
}

data "coreweave_cks_cluster_issuer" "this" {
  name = var.cluster_name
}

resource "coreweave_cks_cluster_oidc" "this" {
  cluster_id     = data.coreweave_cks_cluster_issuer.this.cluster_id
  issuer_url     = var.issuer_url
  client_id      = var.client_id
  ca             = var.issuer_ca
  username_claim = "email" # RBAC sees alice@example.com
  groups_claim   = "groups"
  groups_prefix  = "oidc:" # ... and oidc:<group>
  # The group RBAC sees (prefix included) is bound to cluster-admin.
  admin_group_binding = "oidc:${var.admin_group}"
}

# Referencing the resource makes Terraform read the kubeconfig after the issuer is configured.
data "coreweave_cks_kubeconfig" "oidc" {
  cluster_id = coreweave_cks_cluster_oidc.this.cluster_id
  endpoint   = "unmanaged"
}

output "unmanaged_host" {
  value = data.coreweave_cks_kubeconfig.oidc.host
}

# terraform output -raw kubeconfig > oidc.kubeconfig
# KUBECONFIG=oidc.kubeconfig kubectl get nodes   # kubelogin opens the browser once
output "kubeconfig" {
  value     = data.coreweave_cks_kubeconfig.oidc.kubeconfig
  sensitive = true
}
