//! Seed 001 as one configuration: cluster issuer -> WIF config -> org policy for a service account.

use crate::support::sandbox::CLUSTER_DEMO;
use crate::support::terraform::functions_supported;
use crate::support::{Sandbox, Workspace};

#[test]
fn seed_walkthrough_applies_replans_empty_and_destroys_cleanly() {
    if !functions_supported("seed_walkthrough_applies_replans_empty_and_destroys_cleanly") {
        return;
    }
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            r#"
data "coreweave_cks_cluster_issuer" "this" {{
  cluster_id = "{CLUSTER_DEMO}"
}}

resource "coreweave_object_storage_wif_config" "cks" {{
  name       = "cks-demo-federation"
  issuer_url = data.coreweave_cks_cluster_issuer.this.issuer_url
  audience   = data.coreweave_cks_cluster_issuer.this.issuer_url
}}

locals {{
  principal = provider::coreweave::service_account_principal(
    coreweave_object_storage_wif_config.cks.issuer_url, "default", "my-object-storage-sa")
}}

resource "coreweave_object_storage_org_policy" "wif" {{
  name = "wif-service-account-access"
  statements = [
    {{
      name       = "allow-s3-access-for-cks-workload"
      effect     = "Allow"
      actions    = ["s3:*", "cwobject:CreateAccessKeyOIDC"]
      resources  = ["*"]
      principals = [local.principal]
    }},
  ]
}}

output "principal" {{ value = local.principal }}
"#
        ),
    );
    ws.apply();
    let expected = format!("role/https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}:system:serviceaccount:default:my-object-storage-sa");
    assert_eq!(ws.outputs()["principal"], expected.as_str());
    let state = sandbox.state();
    assert_eq!(
        state["oidcConfigs"][0]["issuerUrl"],
        format!("https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}")
    );
    assert_eq!(
        state["policies"][0]["statements"][0]["principals"][0],
        expected.as_str()
    );
    ws.assert_no_changes();
    ws.destroy();
    let state = sandbox.state();
    assert_eq!(state["oidcConfigs"], serde_json::json!([]));
    assert_eq!(state["policies"], serde_json::json!([]));
}
