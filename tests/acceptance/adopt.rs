//! Adopting objects made out of band (the console, scripts): `import { identity = {...} }`
//! (Terraform >= 1.12), and `terraform query` with `-generate-config-out` (Terraform >= 1.14),
//! one list call per type whatever the number of objects, and no API write to import them.

use serde_json::json;

use crate::support::sandbox::{RecordedRequest, CLUSTER_WITH_OIDC};
use crate::support::terraform::{identity_supported, org_policy_block, query_supported, Statement};
use crate::support::{Sandbox, Workspace};

const POLICIES: &str = "/v1/cwobject/access-policy";
const WIF: &str = "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService";

/// A policy made through the API, as the console would: one statement.
fn seed_policy(sandbox: &Sandbox, name: &str) {
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        POLICIES,
        Some(
            json!({"policy": {"version": "v1alpha1", "name": name, "statements": [
                {"name": "read", "effect": "Allow", "actions": ["s3:GetObject"],
                 "resources": [format!("{name}/*")], "principals": ["*"]}
            ]}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
}

/// A WIF config made through the API.
fn seed_wif_config(sandbox: &Sandbox, i: usize) {
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}/CreateOIDCConfig"),
        Some(json!({"name": format!("console-{i}"),
                    "issuerUrl": format!("https://issuer-{i}.example.com"),
                    "audience": "sts"})),
    );
    assert_eq!(status, 200, "{body}");
}

/// The requests of `log` to `prefix`.
fn to(log: &[RecordedRequest], prefix: &str) -> Vec<RecordedRequest> {
    log.iter()
        .filter(|r| r.path.starts_with(prefix))
        .cloned()
        .collect()
}

/// Writes `adopt.tfquery.hcl`: one `list` block per `(type, config)`, with the whole objects.
fn write_query(ws: &Workspace, lists: &[(&str, &str)]) {
    let blocks: String = lists
        .iter()
        .map(|(kind, config)| {
            format!(
                "list \"coreweave_{kind}\" \"all\" {{\n  provider         = coreweave\n  \
                 include_resource = true\n  limit            = 1000\n  config {{\n{config}\n  }}\n}}\n"
            )
        })
        .collect();
    std::fs::write(ws.path().join("adopt.tfquery.hcl"), blocks).expect("writing the query");
}

#[test]
fn import_by_identity_adopts_a_policy_made_out_of_band_and_replans_empty() {
    if !identity_supported("import_by_identity_adopts_a_policy_made_out_of_band") {
        return;
    }
    let sandbox = Sandbox::start();
    seed_policy(&sandbox, "console-made");
    sandbox.clear_requests();
    let ws = Workspace::new();
    let statement = Statement {
        name: "read",
        effect: "Allow",
        action: "s3:GetObject",
        resource: "console-made/*",
        principal: "*",
    };
    ws.write(
        &sandbox,
        &format!(
            "{}\nimport {{\n  to       = coreweave_object_storage_org_policy.adopted\n  \
             identity = {{ name = \"console-made\" }}\n}}\n",
            org_policy_block("adopted", "console-made", statement)
        ),
    );
    let applied = ws.apply().output();
    assert!(
        applied.contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    assert_eq!(sandbox.writes(), Vec::new(), "an import writes nothing");
    let state: serde_json::Value = serde_json::from_str(&ws.raw_state()).expect("state JSON");
    assert_eq!(
        state["resources"][0]["instances"][0]["identity"],
        json!({"name": "console-made"}),
        "the identity is kept in state"
    );
    ws.assert_no_changes();
}

#[test]
fn an_identity_naming_nothing_fails_the_import() {
    if !identity_supported("an_identity_naming_nothing_fails_the_import") {
        return;
    }
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        "import {\n  to       = coreweave_object_storage_wif_config.gone\n  \
         identity = { id = \"00000000-0000-4000-8000-00000000dead\" }\n}\n\
         resource \"coreweave_object_storage_wif_config\" \"gone\" {\n  name = \"x\"\n  \
         issuer_url = \"https://x.example.com\"\n  audience = \"x\"\n}\n",
    );
    let out = ws.plan().output();
    assert!(out.contains("Nothing to import"), "{out}");
}

#[test]
fn query_finds_45_objects_with_one_list_per_type_and_the_generated_file_adopts_them_with_no_write()
{
    if !query_supported("query_finds_45_objects_with_one_list_per_type") {
        return;
    }
    let sandbox = Sandbox::start();
    for i in 0..40 {
        seed_policy(&sandbox, &format!("console-{i:02}"));
    }
    for i in 0..5 {
        seed_wif_config(&sandbox, i);
    }
    let ws = Workspace::new();
    ws.write(&sandbox, "");
    write_query(
        &ws,
        &[
            (
                "object_storage_org_policy",
                "    name_prefix = \"console-\"",
            ),
            ("object_storage_wif_config", ""),
        ],
    );
    sandbox.clear_requests();
    let listed = ws.run(&["query", "-no-color"]).success().output();
    for i in 0..40 {
        assert!(listed.contains(&format!("console-{i:02}")), "{listed}");
    }
    for i in 0..5 {
        assert!(listed.contains(&format!("console-{i}")), "{listed}");
    }
    let log = sandbox.requests();
    let policies = to(&log, POLICIES);
    let wif = to(&log, WIF);
    assert_eq!(policies.len(), 1, "one policy list: {policies:?}");
    assert_eq!(wif.len(), 1, "one WIF list: {wif:?}");
    assert!(wif[0].path.ends_with("/ListOIDCConfigs"), "{wif:?}");
    assert_eq!(log.len(), 2, "nothing else: {log:?}");

    ws.run(&["query", "-no-color", "-generate-config-out=adopted.tf"])
        .success();
    sandbox.clear_requests();
    let applied = ws.apply().output();
    assert!(
        applied.contains("45 imported, 0 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    assert_eq!(sandbox.writes(), Vec::new(), "importing writes nothing");
    ws.assert_no_changes();
}

#[test]
fn query_finds_the_clusters_with_oidc_and_the_generated_file_adopts_them() {
    if !query_supported("query_finds_the_clusters_with_oidc") {
        return;
    }
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, "");
    write_query(&ws, &[("cks_cluster_oidc", "")]);
    sandbox.clear_requests();
    let listed = ws.run(&["query", "-no-color"]).success().output();
    assert!(listed.contains(CLUSTER_WITH_OIDC), "{listed}");
    let log = sandbox.requests();
    assert_eq!(log.len(), 1, "one cluster list: {log:?}");
    ws.run(&["query", "-no-color", "-generate-config-out=adopted.tf"])
        .success();
    let applied = ws.apply().output();
    assert!(applied.contains("1 imported, 0 added"), "{applied}");
    assert_eq!(sandbox.writes(), Vec::new(), "importing writes nothing");
    ws.assert_no_changes();
}
