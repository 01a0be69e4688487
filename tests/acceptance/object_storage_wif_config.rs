//! Resource `coreweave_object_storage_wif_config`.

use serde_json::json;

use crate::support::terraform::resource_block;
use crate::support::{Sandbox, Workspace};

const WIF: &str = "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService";
const ISSUER: &str = "https://oidc.cks.coreweave.com/id/c0ffee00-0000-4000-8000-000000000001";

fn wif(extra: &str) -> String {
    format!("resource \"coreweave_object_storage_wif_config\" \"this\" {{\n  name = \"cks-demo\"\n  issuer_url = \"{ISSUER}\"\n  audience = \"{ISSUER}\"\n{extra}\n}}\n")
}

fn configs(sandbox: &Sandbox) -> Vec<serde_json::Value> {
    sandbox.state()["oidcConfigs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn create_sets_computed_attributes_and_replan_is_empty() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    ws.apply();
    let state = ws.state_of("coreweave_object_storage_wif_config.this");
    let remote = &configs(&sandbox)[0];
    assert_eq!(state["id"], remote["uid"]);
    assert_eq!(state["org_id"], remote["orgUid"]);
    assert_eq!(state["created_at"], remote["createdAt"]);
    assert_eq!(state["updated_at"], remote["updatedAt"]);
    assert_eq!(state["active"], true);
    assert_eq!(state["description"], serde_json::Value::Null);
    assert!(remote.get("deactivatedAt").is_none());
    ws.assert_no_changes();
}

#[test]
fn update_in_place_keeps_id_and_created_at() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    ws.apply();
    let before = ws.state_of("coreweave_object_storage_wif_config.this");
    ws.write(
        &sandbox,
        &wif("  description = \"CKS demo cluster\"\n  active = false"),
    );
    let plan = ws.plan();
    assert!(
        plan.stdout.contains("will be updated in-place"),
        "{}",
        plan.stdout
    );
    ws.apply();
    let after = ws.state_of("coreweave_object_storage_wif_config.this");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["created_at"], before["created_at"]);
    let remote = &configs(&sandbox)[0];
    assert_eq!(remote["description"], "CKS demo cluster");
    assert!(
        remote["deactivatedAt"].is_string(),
        "active = false sets deactivatedAt"
    );
    ws.assert_no_changes();
    ws.write(&sandbox, &wif(""));
    ws.apply();
    let remote = &configs(&sandbox)[0];
    assert!(
        remote.get("description").is_none(),
        "removing the description clears it"
    );
    assert!(
        remote.get("deactivatedAt").is_none(),
        "removing `active` returns to the default, true"
    );
    ws.assert_no_changes();
}

#[test]
fn import_then_plan_is_empty() {
    let sandbox = Sandbox::start();
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}/CreateOIDCConfig"),
        Some(json!({"name": "cks-demo", "issuerUrl": ISSUER, "audience": ISSUER})),
    );
    assert_eq!(status, 200, "{body}");
    let uid = body["config"]["uid"].as_str().unwrap().to_string();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    ws.import("coreweave_object_storage_wif_config.this", &uid)
        .success();
    ws.assert_no_changes();
}

#[test]
fn a_taken_issuer_and_audience_pair_names_the_existing_config() {
    let sandbox = Sandbox::start();
    let (_, body) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}/CreateOIDCConfig"),
        Some(json!({"name": "someone-elses", "issuerUrl": ISSUER, "audience": ISSUER})),
    );
    let uid = body["config"]["uid"].as_str().unwrap().to_string();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    let out = ws.apply_args(&[]).failure();
    assert!(
        out.contains(&format!(
            "terraform import coreweave_object_storage_wif_config.<name> {uid}"
        )),
        "{out}"
    );
    assert!(out.contains("someone-elses"), "{out}");
    assert_eq!(configs(&sandbox).len(), 1);
}

#[test]
fn deleted_out_of_band_is_planned_for_creation() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    ws.apply();
    let uid = configs(&sandbox)[0]["uid"].clone();
    let (status, _) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}/DeleteOIDCConfig"),
        Some(json!({"uid": uid})),
    );
    assert_eq!(status, 200);
    let plan = ws.plan();
    assert_eq!(plan.code, 2);
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
}

#[test]
fn changed_out_of_band_plans_the_way_back() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    ws.apply();
    let uid = configs(&sandbox)[0]["uid"].clone();
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}/UpdateOIDCConfig"),
        Some(
            json!({"uid": uid, "updateMask": "audience", "audience": "https://coreweave.com/iam"}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let plan = ws.plan();
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout.contains("\"https://coreweave.com/iam\" ->"),
        "{}",
        plan.stdout
    );
    ws.apply();
    assert_eq!(configs(&sandbox)[0]["audience"], ISSUER);
}

#[test]
fn destroy_deletes_the_config_remotely() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &wif(""));
    ws.apply();
    ws.destroy();
    assert!(configs(&sandbox).is_empty());
}

#[test]
fn invalid_configurations_fail_at_plan_without_requests() {
    let long = "a".repeat(1025);
    let cases = [
        (
            "name = \"has space\"",
            "`name` may contain only letters, digits",
        ),
        ("name = \"\"", "`name` must not be empty"),
        (
            &format!("name = \"{}\"", "n".repeat(256)) as &str,
            "`name` must have at most 255 characters",
        ),
        (
            "issuer_url = \"http://oidc.example.com\"",
            "`issuer_url` must use https://",
        ),
        (
            "issuer_url = \"https://oidc.example.com/\"",
            "`issuer_url` must not end with a slash",
        ),
        ("audience = \"\"", "`audience` must not be empty"),
        (
            &format!("audience = \"{long}\"") as &str,
            "`audience` must have at most 1024 characters",
        ),
        (
            &format!("description = \"{long}\"") as &str,
            "`description` must have at most 1024 characters",
        ),
    ];
    let sandbox = Sandbox::start();
    let defaults = [
        "name = \"cks-demo\"".to_string(),
        format!("issuer_url = \"{ISSUER}\""),
        format!("audience = \"{ISSUER}\""),
    ];
    for (line, expected) in cases {
        let ws = Workspace::new();
        ws.write(
            &sandbox,
            &resource_block("coreweave_object_storage_wif_config", &defaults, line),
        );
        let out = ws.plan().failure();
        assert!(out.contains(expected), "{line}: {out}");
    }
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn import_block_with_generated_config_round_trips() {
    let sandbox = Sandbox::start();
    let (_, body) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}/CreateOIDCConfig"),
        Some(json!({"name": "existing", "issuerUrl": ISSUER, "audience": ISSUER, "description": "made by hand"})),
    );
    let uid = body["config"]["uid"].as_str().unwrap().to_string();
    let ws = Workspace::new();
    ws.write(&sandbox, &format!("import {{\n  to = coreweave_object_storage_wif_config.existing\n  id = \"{uid}\"\n}}\n"));
    ws.run(&[
        "plan",
        "-generate-config-out=generated.tf",
        "-input=false",
        "-no-color",
    ])
    .success();
    ws.apply();
    ws.assert_no_changes();
    assert_eq!(configs(&sandbox).len(), 1);
}
