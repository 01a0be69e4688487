//! The token never shows up in output, logs or state, even at TF_LOG=TRACE.

use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::{Sandbox, Workspace};

fn config() -> String {
    format!(
        "data \"coreweave_cks_cluster_issuer\" \"demo\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n}}\nresource \"coreweave_object_storage_org_policy\" \"p\" {{\n  name = \"p\"\n  statements = [{{ name = \"s\", effect = \"Allow\", actions = [\"s3:GetObject\"], resources = [\"bkt/*\"], principals = [\"*\"] }}]\n}}\n"
    )
}

#[test]
fn trace_logs_output_and_state_never_contain_the_token() {
    let sandbox = Sandbox::start();
    let mut ws = Workspace::new();
    ws.env("TF_LOG", "TRACE");
    ws.write(&sandbox, &config());
    let apply = ws.apply();
    let plan = ws.plan();
    let destroy = ws.destroy();
    for run in [&apply, &plan, &destroy] {
        assert!(
            !run.output().contains(TOKEN),
            "token leaked in:\n{}",
            run.output()
        );
    }
    assert!(
        apply.stderr.contains("coreweave.api"),
        "provider logs reached TF_LOG: the check is meaningful"
    );
    assert!(!ws.raw_state().contains(TOKEN));
}

#[test]
fn the_token_attribute_is_sensitive_in_the_schema() {
    let ws = Workspace::new();
    ws.write_raw(&crate::support::terraform::required_providers());
    let run = ws.run(&["providers", "schema", "-json"]).success();
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let provider = &schema["provider_schemas"]["registry.terraform.io/cwfed/coreweave"]["provider"]
        ["block"]["attributes"];
    assert_eq!(provider["token"]["sensitive"], true);
}
