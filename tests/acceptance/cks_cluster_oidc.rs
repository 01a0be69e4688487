//! Resource `coreweave_cks_cluster_oidc`.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::json;

use crate::support::sandbox::{CLUSTER_DEMO, CLUSTER_STAGING, CLUSTER_WITH_OIDC};
use crate::support::terraform::resource_block;
use crate::support::{Sandbox, Workspace};

const ISSUER: &str = "https://accounts.example.org";

fn oidc(cluster_id_expr: &str, extra: &str) -> String {
    format!(
        "resource \"coreweave_cks_cluster_oidc\" \"this\" {{\n  cluster_id = {cluster_id_expr}\n  issuer_url = \"{ISSUER}\"\n  client_id  = \"kubernetes\"\n{extra}\n}}\n"
    )
}

fn demo(extra: &str) -> String {
    oidc(&format!("\"{CLUSTER_DEMO}\""), extra)
}

fn cluster_oidc(sandbox: &Sandbox, id: &str) -> serde_json::Value {
    sandbox.cluster(id)["oidc"].clone()
}

fn patches(sandbox: &Sandbox) -> usize {
    sandbox
        .writes()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count()
}

#[test]
fn create_waits_for_running_and_replan_is_empty() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &demo("  username_claim = \"email\"\n  signing_algs = [\"RS256\"]"),
    );
    ws.apply();
    let cluster = sandbox.cluster(CLUSTER_DEMO);
    assert_eq!(
        cluster["status"], "STATUS_RUNNING",
        "apply waited for the update to finish"
    );
    assert_eq!(cluster["oidc"]["issuerUrl"], ISSUER);
    assert_eq!(cluster["oidc"]["clientId"], "kubernetes");
    assert_eq!(cluster["oidc"]["usernameClaim"], "email");
    assert_eq!(
        cluster["oidc"]["signingAlgorithms"],
        json!(["SIGNING_ALGORITHM_RS256"])
    );
    let state = ws.state_of("coreweave_cks_cluster_oidc.this");
    assert_eq!(state["id"], CLUSTER_DEMO);
    assert_eq!(state["username_prefix"], serde_json::Value::Null);
    ws.assert_no_changes();
}

#[test]
fn update_changes_fields_in_place_and_clears_removed_ones() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo("  username_claim = \"email\""));
    ws.apply();
    ws.write(
        &sandbox,
        &demo("  groups_claim = \"groups\"\n  groups_prefix = \"oidc:\""),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(
        plan.stdout.contains("will be updated in-place"),
        "{}",
        plan.stdout
    );
    ws.apply();
    let oidc = cluster_oidc(&sandbox, CLUSTER_DEMO);
    assert_eq!(oidc["groupsClaim"], "groups");
    assert_eq!(oidc["groupsPrefix"], "oidc:");
    assert_eq!(
        oidc.get("usernameClaim"),
        None,
        "removed from the configuration, cleared remotely"
    );
    assert_eq!(oidc["issuerUrl"], ISSUER);
    ws.assert_no_changes();
}

#[test]
fn changing_only_timeouts_makes_no_api_write() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    ws.apply();
    let before = patches(&sandbox);
    ws.write(&sandbox, &demo("  timeouts {\n    update = \"5m\"\n  }"));
    ws.apply();
    assert_eq!(patches(&sandbox), before);
    ws.assert_no_changes();
}

#[test]
fn changing_cluster_id_replaces_the_resource() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    ws.apply();
    ws.write(&sandbox, &oidc(&format!("\"{CLUSTER_STAGING}\""), ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 2);
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("# forces replacement"),
        "{}",
        plan.stdout
    );
    ws.apply();
    assert!(
        cluster_oidc(&sandbox, CLUSTER_DEMO).is_null(),
        "the old cluster's OIDC was cleared"
    );
    assert_eq!(cluster_oidc(&sandbox, CLUSTER_STAGING)["issuerUrl"], ISSUER);
    ws.assert_no_changes();
}

#[test]
fn import_then_plan_is_empty() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            "resource \"coreweave_cks_cluster_oidc\" \"this\" {{\n  cluster_id = \"{CLUSTER_WITH_OIDC}\"\n  issuer_url = \"https://accounts.example.com\"\n  client_id = \"kubernetes\"\n  username_claim = \"email\"\n}}\n"
        ),
    );
    ws.import("coreweave_cks_cluster_oidc.this", CLUSTER_WITH_OIDC)
        .success();
    assert!(sandbox.writes().is_empty(), "import writes nothing");
    ws.assert_no_changes();
}

#[test]
fn import_of_a_cluster_without_oidc_fails_clearly() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    let out = ws
        .import("coreweave_cks_cluster_oidc.this", CLUSTER_DEMO)
        .failure();
    assert!(out.contains("has no OIDC issuer configured"), "{out}");
}

#[test]
fn create_refuses_to_overwrite_an_existing_issuer() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &oidc(&format!("\"{CLUSTER_WITH_OIDC}\""), ""));
    let out = ws.apply_args(&[]).failure();
    assert!(
        out.contains("already trusts the OIDC issuer https://accounts.example.com"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "terraform import coreweave_cks_cluster_oidc.<name> {CLUSTER_WITH_OIDC}"
        )),
        "{out}"
    );
    assert!(
        sandbox.writes().is_empty(),
        "nothing changed remotely: {:?}",
        sandbox.writes()
    );
    assert_eq!(
        cluster_oidc(&sandbox, CLUSTER_WITH_OIDC)["issuerUrl"],
        "https://accounts.example.com"
    );
}

#[test]
fn oidc_removed_out_of_band_is_planned_for_creation() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    ws.apply();
    // Past the update cycle (300 ms) the last PATCH started.
    sandbox.advance_clock(1.0);
    let version = sandbox.cluster(CLUSTER_DEMO)["version"].clone();
    let (status, body) = sandbox.api(
        reqwest::Method::PATCH,
        &format!("/v1beta1/cks/clusters/{CLUSTER_DEMO}"),
        Some(json!({"id": CLUSTER_DEMO, "version": version, "updateMask": "oidc"})),
    );
    assert_eq!(status, 200, "{body}");
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    // Past the update cycle (300 ms) the last PATCH started.
    sandbox.advance_clock(1.0);
    ws.apply();
    assert_eq!(cluster_oidc(&sandbox, CLUSTER_DEMO)["issuerUrl"], ISSUER);
}

#[test]
fn cluster_deleted_out_of_band_leaves_state() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    ws.apply();
    let (status, _) = sandbox.api(
        reqwest::Method::DELETE,
        &format!("/v1beta1/cks/clusters/{CLUSTER_DEMO}"),
        None,
    );
    assert_eq!(status, 200);
    ws.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"])
        .success();
    assert!(
        ws.state_of("coreweave_cks_cluster_oidc.this").is_null(),
        "refresh dropped it from state"
    );
}

#[test]
fn changed_out_of_band_plans_the_way_back() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    ws.apply();
    // Past the update cycle (300 ms) the last PATCH started.
    sandbox.advance_clock(1.0);
    let version = sandbox.cluster(CLUSTER_DEMO)["version"].clone();
    let (status, body) = sandbox.api(
        reqwest::Method::PATCH,
        &format!("/v1beta1/cks/clusters/{CLUSTER_DEMO}"),
        Some(json!({"id": CLUSTER_DEMO, "version": version, "updateMask": "oidc.issuerUrl,oidc.clientId", "oidc": {"issuerUrl": ISSUER, "clientId": "someone-else"}})),
    );
    assert_eq!(status, 200, "{body}");
    let plan = ws.plan();
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout.contains("\"someone-else\" -> \"kubernetes\""),
        "{}",
        plan.stdout
    );
    // Past the update cycle (300 ms) the last PATCH started.
    sandbox.advance_clock(1.0);
    ws.apply();
    assert_eq!(
        cluster_oidc(&sandbox, CLUSTER_DEMO)["clientId"],
        "kubernetes"
    );
}

/// The body of the last PATCH the sandbox answered (after clearing the log before an apply).
fn last_patch(sandbox: &Sandbox) -> serde_json::Value {
    let log = sandbox.requests();
    let patch = log
        .iter()
        .rev()
        .find(|r| r.method == "PATCH")
        .unwrap_or_else(|| panic!("a PATCH: {log:?}"));
    assert_eq!(patch.status, 200, "{log:?}");
    patch.body.clone().expect("the PATCH body is logged")
}

/// The ten `oidc.*` paths, as the official provider lists them whenever any OIDC field changes.
const ALL_OIDC_PATHS: &str = "oidc.issuerUrl,oidc.clientId,oidc.usernameClaim,oidc.usernamePrefix,\
oidc.groupsClaim,oidc.groupsPrefix,oidc.ca,oidc.requiredClaim,oidc.adminGroupBinding,oidc.signingAlgorithms";

#[test]
fn every_oidc_change_sends_the_complete_object_and_all_ten_paths() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let config = |client_id: &str, extra: &str| {
        format!(
            "resource \"coreweave_cks_cluster_oidc\" \"this\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n  issuer_url = \"{ISSUER}\"\n  client_id  = \"{client_id}\"\n  username_claim = \"email\"\n{extra}\n}}\n"
        )
    };
    let version = || sandbox.cluster(CLUSTER_DEMO)["version"].clone();

    // Create.
    ws.write(
        &sandbox,
        &config("kubernetes", "  groups_claim = \"groups\""),
    );
    sandbox.clear_requests();
    ws.apply();
    assert_eq!(
        last_patch(&sandbox),
        json!({"id": CLUSTER_DEMO, "version": version(), "updateMask": ALL_OIDC_PATHS,
               "oidc": {"issuerUrl": ISSUER, "clientId": "kubernetes", "usernameClaim": "email",
                        "groupsClaim": "groups"}})
    );

    // client_id alone.
    ws.write(&sandbox, &config("other", "  groups_claim = \"groups\""));
    sandbox.clear_requests();
    ws.apply();
    assert_eq!(
        last_patch(&sandbox),
        json!({"id": CLUSTER_DEMO, "version": version(), "updateMask": ALL_OIDC_PATHS,
               "oidc": {"issuerUrl": ISSUER, "clientId": "other", "usernameClaim": "email",
                        "groupsClaim": "groups"}})
    );
    ws.assert_no_changes();

    // groups_claim removed alone: every path named, the field left out of the complete object.
    ws.write(&sandbox, &config("other", ""));
    sandbox.clear_requests();
    ws.apply();
    assert_eq!(
        last_patch(&sandbox),
        json!({"id": CLUSTER_DEMO, "version": version(), "updateMask": ALL_OIDC_PATHS,
               "oidc": {"issuerUrl": ISSUER, "clientId": "other", "usernameClaim": "email"}})
    );
    assert_eq!(
        cluster_oidc(&sandbox, CLUSTER_DEMO),
        json!({"issuerUrl": ISSUER, "clientId": "other", "usernameClaim": "email"})
    );
    ws.assert_no_changes();

    // Destroy clears as the official provider does: no `oidc`, all ten paths.
    sandbox.clear_requests();
    ws.destroy();
    assert_eq!(
        last_patch(&sandbox),
        json!({"id": CLUSTER_DEMO, "version": version(), "updateMask": ALL_OIDC_PATHS})
    );
    assert!(cluster_oidc(&sandbox, CLUSTER_DEMO).is_null());
}

#[test]
fn the_sandbox_refuses_an_oidc_field_the_mask_does_not_name_and_an_empty_mask() {
    let sandbox = Sandbox::start();
    let version = sandbox.cluster(CLUSTER_DEMO)["version"].clone();
    let path = format!("/v1beta1/cks/clusters/{CLUSTER_DEMO}");
    let patch = |body: serde_json::Value| sandbox.api(reqwest::Method::PATCH, &path, Some(body));
    let (status, body) = patch(json!({"id": CLUSTER_DEMO, "version": version,
        "updateMask": "oidc.issuerUrl",
        "oidc": {"issuerUrl": ISSUER, "clientId": "kubernetes"}}));
    assert_eq!(status, 400, "{body}");
    assert!(
        body.to_string().contains("oidc.clientId"),
        "names the unmasked field: {body}"
    );
    for mask in [json!(""), serde_json::Value::Null] {
        let mut request = json!({"id": CLUSTER_DEMO, "version": version,
            "oidc": {"issuerUrl": ISSUER, "clientId": "kubernetes"}});
        if !mask.is_null() {
            request["updateMask"] = mask;
        }
        let (status, body) = patch(request);
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("updateMask"), "{body}");
    }
    assert!(cluster_oidc(&sandbox, CLUSTER_DEMO).is_null());
}

#[test]
fn an_update_while_someone_elses_change_is_running_waits_and_succeeds() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    ws.apply();
    sandbox.set_cluster_status(CLUSTER_DEMO, "STATUS_UPDATING", Some(1500));
    ws.write(&sandbox, &demo("  groups_claim = \"groups\""));
    sandbox.clear_requests();
    ws.apply();
    assert_eq!(
        cluster_oidc(&sandbox, CLUSTER_DEMO)["groupsClaim"],
        "groups"
    );
    let log = sandbox.requests();
    assert!(
        log.iter().all(|r| r.status == 200),
        "never patched while busy: {log:?}"
    );
    ws.assert_no_changes();
}

#[test]
fn destroy_clears_the_oidc_block() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &demo("  username_claim = \"email\""));
    ws.apply();
    ws.destroy();
    assert!(
        cluster_oidc(&sandbox, CLUSTER_DEMO).is_null(),
        "{}",
        sandbox.cluster(CLUSTER_DEMO)
    );
    assert_eq!(sandbox.cluster(CLUSTER_DEMO)["status"], "STATUS_RUNNING");
}

#[test]
fn a_cluster_already_updating_is_waited_for_before_patching() {
    let sandbox = Sandbox::start();
    sandbox.set_cluster_status(CLUSTER_DEMO, "STATUS_UPDATING", Some(1500));
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    let started = Instant::now();
    ws.apply();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(cluster_oidc(&sandbox, CLUSTER_DEMO)["issuerUrl"], ISSUER);
    let log = sandbox.requests();
    let patch = log
        .iter()
        .position(|r| r.method == "PATCH")
        .expect("a PATCH");
    assert!(
        log[..patch].iter().filter(|r| r.method == "GET").count() >= 2,
        "polled before patching: {log:?}"
    );
    assert!(
        log.iter().all(|r| r.status == 200),
        "never patched while busy: {log:?}"
    );
}

#[test]
fn a_failed_cluster_stops_the_wait_with_a_clear_error() {
    let sandbox = Sandbox::start();
    sandbox.set_cluster_status(CLUSTER_DEMO, "STATUS_FAILED", None);
    let ws = Workspace::new();
    ws.write(&sandbox, &demo(""));
    let out = ws.apply_args(&[]).failure();
    assert!(out.contains("reported STATUS_FAILED"), "{out}");
    assert_eq!(patches(&sandbox), 0);
}

#[test]
fn a_wait_that_times_out_after_the_patch_keeps_the_resource_in_state() {
    let sandbox = Sandbox::start_with(&["--update-duration-ms", "4000"]);
    let ws = Workspace::new();
    ws.write(&sandbox, &demo("  timeouts {\n    create = \"1s\"\n  }"));
    let out = ws.apply_args(&[]).failure();
    assert!(out.contains("timed out"), "{out}");
    assert!(out.contains("recorded in the Terraform state"), "{out}");
    assert_eq!(
        ws.state_of("coreweave_cks_cluster_oidc.this")["id"],
        CLUSTER_DEMO,
        "state kept the resource"
    );
    assert_eq!(cluster_oidc(&sandbox, CLUSTER_DEMO)["issuerUrl"], ISSUER);
    sandbox.configure(json!({"updateDurationMs": 300}));
    // Past the 4 s update the timed-out create left under way.
    sandbox.advance_clock(4.0);
    ws.write(&sandbox, &demo(""));
    ws.apply();
    ws.assert_no_changes();
}

#[test]
fn unknown_values_from_other_resources_plan_and_apply_cleanly() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            "resource \"terraform_data\" \"cluster\" {{\n  input = \"{CLUSTER_DEMO}\"\n}}\n{}",
            oidc("terraform_data.cluster.output", "")
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    ws.apply();
    assert_eq!(
        ws.state_of("coreweave_cks_cluster_oidc.this")["id"],
        CLUSTER_DEMO
    );
    ws.assert_no_changes();
}

#[test]
fn a_value_unknown_at_plan_that_turns_out_invalid_fails_before_any_write() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            "resource \"terraform_data\" \"issuer\" {{\n  input = \"http://insecure.example.com\"\n}}\nresource \"coreweave_cks_cluster_oidc\" \"this\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n  issuer_url = terraform_data.issuer.output\n  client_id = \"k\"\n}}\n"
        ),
    );
    let out = ws.apply_args(&[]).failure();
    assert!(out.contains("`issuer_url` must use https://"), "{out}");
    assert!(sandbox.writes().is_empty(), "{:?}", sandbox.writes());
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn invalid_configurations_fail_at_plan_on_their_attribute_without_requests() {
    let pem_junk = b64("not a certificate");
    let cases = [
        (
            "issuer_url = \"http://accounts.example.org\"",
            "`issuer_url` must use https://",
        ),
        (
            "issuer_url = \"https://accounts.example.org/\"",
            "`issuer_url` must not end with a slash",
        ),
        (
            "issuer_url = \"https://accounts.example.org/?a=b\"",
            "`issuer_url` must not have a query string",
        ),
        (
            "issuer_url = \"https://accounts.example.org#x\"",
            "`issuer_url` must not have a fragment",
        ),
        ("client_id = \"\"", "`client_id` must not be empty"),
        ("ca = \"%%%\"", "`ca` must be base64-encoded PEM"),
        (
            &format!("ca = \"{pem_junk}\""),
            "`ca` must contain at least one PEM certificate",
        ),
        (
            "signing_algs = [\"HS256\"]",
            "`signing_algs` contains \"HS256\"; supported algorithms: RS256",
        ),
        ("cluster_id = \"\"", "`cluster_id` must not be empty"),
        (
            "timeouts {\n create = \"soon\"\n }",
            "`timeouts.create` must be a duration",
        ),
    ];
    let sandbox = Sandbox::start();
    let defaults = [
        format!("cluster_id = \"{CLUSTER_DEMO}\""),
        "issuer_url = \"https://accounts.example.org\"".to_string(),
        "client_id = \"kubernetes\"".to_string(),
    ];
    for (line, expected) in cases {
        let ws = Workspace::new();
        ws.write(
            &sandbox,
            &resource_block("coreweave_cks_cluster_oidc", &defaults, line),
        );
        let out = ws.plan().failure();
        assert!(out.contains(expected), "{line}: {out}");
        assert!(
            out.contains("resource \"coreweave_cks_cluster_oidc\" \"this\""),
            "{line}: {out}"
        );
    }
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn import_block_with_generated_config_round_trips() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!("import {{\n  to = coreweave_cks_cluster_oidc.existing\n  id = \"{CLUSTER_WITH_OIDC}\"\n}}\n"),
    );
    ws.run(&[
        "plan",
        "-generate-config-out=generated.tf",
        "-input=false",
        "-no-color",
    ])
    .success();
    ws.apply();
    assert_eq!(patches(&sandbox), 0, "importing changed nothing");
    ws.assert_no_changes();
}
