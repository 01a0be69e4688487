# The configuration the state beside it was applied with, by the release before the plugin
# server swap (tf-provider 0.2.2, commit 43f1dfd); tests/acceptance/state_compatibility.rs plans
# it with today's provider. Applied with Terraform 1.6.6. The provider block comes from the test.
resource "coreweave_object_storage_org_policy" "compat" {
  name = "compat-policy"
  statements = [{
    name       = "read-models"
    effect     = "Allow"
    actions    = ["s3:GetObject", "s3:ListBucket"]
    resources  = ["models", "models/*"]
    principals = ["role/https://oidc.cks.coreweave.com/id/c0ffee00-0000-4000-8000-000000000001:system:serviceaccount:default:reader"]
  }]
}

resource "coreweave_object_storage_wif_config" "compat" {
  name        = "compat"
  issuer_url  = "https://oidc.cks.coreweave.com/id/c0ffee00-0000-4000-8000-000000000001"
  audience    = "https://coreweave.com/iam"
  description = "written by 0.1.0"
}

resource "coreweave_cks_cluster_oidc" "compat" {
  cluster_id      = "c0ffee00-0000-4000-8000-000000000001"
  issuer_url      = "https://idp.example.com"
  client_id       = "kubernetes"
  username_claim  = "email"
  groups_claim    = "groups"
  signing_algs    = ["RS256"]
  timeouts {
    update = "10m"
  }
}
