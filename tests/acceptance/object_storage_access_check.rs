//! Data source `coreweave_object_storage_access_check`: decisions from the live policies, the
//! what-if `policies` input at plan time, and `check` blocks and postconditions.

use crate::support::sandbox::CLUSTER_DEMO;
use crate::support::{Sandbox, Workspace};

fn principal(sa: &str) -> String {
    format!(
        "role/https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}:system:serviceaccount:default:{sa}"
    )
}

fn check(extra: &str) -> String {
    format!(
        r#"
data "coreweave_object_storage_access_check" "app" {{
  principal = "{}"
  actions   = ["cwobject:CreateAccessKeyOIDC", "s3:GetObject"]
  resources = ["*"]
  {extra}
}}
output "allowed" {{ value = data.coreweave_object_storage_access_check.app.allowed }}
output "results" {{ value = data.coreweave_object_storage_access_check.app.results }}
"#,
        principal("app")
    )
}

fn what_if() -> String {
    format!(
        r#"policies = [{{
    name = "wif"
    statements = [{{ name = "app", effect = "Allow", actions = ["cwobject:CreateAccessKeyOIDC", "s3:GetObject"],
                     resources = ["*"], principals = ["{}"] }}]
  }}]"#,
        principal("app")
    )
}

#[test]
fn a_what_if_policy_shows_allowed_in_the_plan_before_apply() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &check(""));
    let plan = ws.plan();
    assert!(plan.stdout.contains("allowed = false"), "{}", plan.output());
    ws.write(&sandbox, &check(&what_if()));
    let plan = ws.plan();
    assert!(plan.stdout.contains("allowed = true"), "{}", plan.output());
    assert!(plan.stdout.contains("\"wif/app\""), "{}", plan.output());
    assert!(sandbox.writes().is_empty(), "a what-if is never written");
    assert_eq!(sandbox.state()["policies"], serde_json::json!([]));
}

#[test]
fn live_policies_decide_and_name_the_deciding_statements() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            r#"
resource "coreweave_object_storage_org_policy" "p" {{
  name = "wif"
  statements = [
    {{ name = "exchange", effect = "Allow", actions = ["cwobject:*"], resources = ["*"], principals = ["{p}"] }},
    {{ name = "no-reads", effect = "Deny", actions = ["s3:Get*"], resources = ["*"], principals = ["*"] }},
  ]
}}
{check}"#,
            p = principal("app"),
            check = check("depends_on = [coreweave_object_storage_org_policy.p]")
        ),
    );
    ws.apply();
    let out = ws.outputs();
    assert_eq!(out["allowed"], false);
    let results = out["results"].as_array().unwrap();
    assert_eq!(results[0]["action"], "cwobject:CreateAccessKeyOIDC");
    assert_eq!(results[0]["decision"], "allowed");
    assert_eq!(
        results[0]["matched_statements"],
        serde_json::json!(["wif/exchange"])
    );
    assert_eq!(results[1]["decision"], "explicit_deny");
    assert_eq!(
        results[1]["matched_statements"],
        serde_json::json!(["wif/no-reads"])
    );
}
