# Federates a CKS cluster's service accounts with AI Object Storage: registers the cluster's
# OIDC issuer as a workload identity federation config, and grants each service account the
# token exchange plus its bucket actions in one organization access policy.

data "coreweave_cks_cluster_issuer" "this" {
  cluster_id = var.cluster_id
  name       = var.cluster_name
}

# The organization id the Pod Identity Webhook needs (`config.orgID`): pods exchange their
# tokens at `.../v1/cwobject/temporary-credentials/oidc/<organization id>`.
data "coreweave_caller_identity" "this" {}

locals {
  issuer_url = data.coreweave_cks_cluster_issuer.this.issuer_url
  principals = {
    for g in var.grants : "${g.namespace}/${g.service_account}" =>
    provider::coreweave::service_account_principal(local.issuer_url, g.namespace, g.service_account)
  }
  bucket_listers = [
    for g in var.grants : local.principals["${g.namespace}/${g.service_account}"] if g.list_buckets
  ]
  statements = concat(
    [{
      name       = "token-exchange"
      effect     = "Allow"
      actions    = ["cwobject:CreateAccessKeyOIDC"]
      resources  = ["*"]
      principals = values(local.principals)
    }],
    [for g in var.grants : {
      name       = "${g.namespace}-${g.service_account}"
      effect     = "Allow"
      actions    = g.actions
      resources  = flatten([for b in g.buckets : [b, "${b}/*"]])
      principals = [local.principals["${g.namespace}/${g.service_account}"]]
    }],
    # s3:ListAllMyBuckets is global: only resources = ["*"] is valid for it.
    length(local.bucket_listers) == 0 ? [] : [{
      name       = "list-all-buckets"
      effect     = "Allow"
      actions    = ["s3:ListAllMyBuckets"]
      resources  = ["*"]
      principals = local.bucket_listers
    }],
  )
}

resource "coreweave_object_storage_wif_config" "this" {
  name        = coalesce(var.wif_config_name, "cks-${data.coreweave_cks_cluster_issuer.this.name}")
  issuer_url  = local.issuer_url
  audience    = coalesce(var.audience, local.issuer_url)
  description = "Service accounts of CKS cluster ${data.coreweave_cks_cluster_issuer.this.name}"
  active      = var.active
}

resource "coreweave_object_storage_org_policy" "this" {
  name       = var.policy_name
  statements = local.statements

  # The policy must not exist before the issuer is trusted.
  depends_on = [coreweave_object_storage_wif_config.this]
}

# What the organization's policies now allow: each granted service account's token exchange.
data "coreweave_object_storage_access_check" "exchange" {
  for_each  = local.principals
  principal = each.value
  actions   = ["cwobject:CreateAccessKeyOIDC"]

  depends_on = [coreweave_object_storage_org_policy.this]
}
