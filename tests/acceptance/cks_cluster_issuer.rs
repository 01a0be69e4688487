//! Data source `coreweave_cks_cluster_issuer`.

use serde_json::json;

use crate::support::sandbox::{CLUSTER_DEMO, CLUSTER_WITH_OIDC};
use crate::support::{Sandbox, Workspace};

fn lookup(by: &str) -> String {
    format!(
        "data \"coreweave_cks_cluster_issuer\" \"this\" {{\n  {by}\n}}\noutput \"issuer\" {{ value = data.coreweave_cks_cluster_issuer.this }}\n"
    )
}

#[test]
fn lookup_by_id_returns_every_identity_endpoint() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &lookup(&format!("cluster_id = \"{CLUSTER_DEMO}\"")),
    );
    ws.apply();
    let issuer = &ws.outputs()["issuer"];
    assert_eq!(issuer["cluster_id"], CLUSTER_DEMO);
    assert_eq!(issuer["name"], "demo");
    assert_eq!(issuer["zone"], "US-EAST-04A");
    assert_eq!(issuer["status"], "STATUS_RUNNING");
    assert_eq!(
        issuer["issuer_url"],
        format!("https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}")
    );
    assert_eq!(
        issuer["api_server_endpoint"],
        "c0ffee00-0001.k8s.us-east-04a.coreweave.com"
    );
    assert_eq!(
        issuer["unmanaged_api_server_endpoint"],
        "api.c0ffee00-0001.k8s.us-east-04a.coreweave.com"
    );
    assert_eq!(issuer["oidc_issuer_url"], serde_json::Value::Null);
    ws.assert_no_changes();
}

#[test]
fn lookup_by_name_shows_the_configured_external_issuer() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &lookup("name = \"with-oidc\""));
    ws.apply();
    let issuer = &ws.outputs()["issuer"];
    assert_eq!(issuer["cluster_id"], CLUSTER_WITH_OIDC);
    assert_eq!(issuer["oidc_issuer_url"], "https://accounts.example.com");
}

#[test]
fn issuer_base_url_setting_points_the_issuer_at_the_sandbox_discovery_document() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{url}\"\n  token = \"{}\"\n  oidc_issuer_base_url = \"{url}/\"\n}}\n{}",
        crate::support::terraform::required_providers(),
        crate::support::sandbox::TOKEN,
        lookup(&format!("cluster_id = \"{CLUSTER_DEMO}\"")),
        url = sandbox.url,
    ));
    ws.apply();
    let issuer_url = ws.outputs()["issuer"]["issuer_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(issuer_url, format!("{}/id/{CLUSTER_DEMO}", sandbox.url));
    let discovery: serde_json::Value =
        reqwest::blocking::get(format!("{issuer_url}/.well-known/openid-configuration"))
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(discovery["issuer"], issuer_url.as_str());
}

#[test]
fn neither_or_both_lookups_fail_at_validate_without_requests() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &lookup(""));
    let out = ws.validate().failure();
    assert!(
        out.contains("set exactly one of `cluster_id` or `name`; neither is set"),
        "{out}"
    );
    ws.write(
        &sandbox,
        &lookup(&format!(
            "cluster_id = \"{CLUSTER_DEMO}\"\n  name = \"demo\""
        )),
    );
    let out = ws.validate().failure();
    assert!(out.contains("not both"), "{out}");
    assert!(sandbox.requests().is_empty());
}

#[test]
fn unknown_name_lists_the_clusters_that_exist() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &lookup("name = \"prod\""));
    let out = ws.plan().failure();
    assert!(out.contains("no cluster is named \"prod\""), "{out}");
    assert!(out.contains("demo, staging, with-oidc"), "{out}");
}

#[test]
fn ambiguous_name_lists_the_matching_ids() {
    let sandbox = Sandbox::start();
    sandbox.add_cluster(json!({
        "id": "dup00000-0000-4000-8000-000000000009", "name": "demo", "zone": "US-WEST-01A",
        "version": "1.32", "status": "STATUS_RUNNING", "apiServerEndpoint": "dup.k8s.coreweave.com"
    }));
    let ws = Workspace::new();
    ws.write(&sandbox, &lookup("name = \"demo\""));
    let out = ws.plan().failure();
    assert!(out.contains("2 clusters are named \"demo\""), "{out}");
    assert!(
        out.contains("dup00000-0000-4000-8000-000000000009 (US-WEST-01A)"),
        "{out}"
    );
}

#[test]
fn unknown_cluster_id_is_reported_on_cluster_id() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &lookup("cluster_id = \"does-not-exist\""));
    let out = ws.plan().failure();
    assert!(
        out.contains("No CKS cluster has the id \"does-not-exist\""),
        "{out}"
    );
}

#[test]
fn data_source_sees_the_issuer_the_resource_configured() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            r#"
resource "coreweave_cks_cluster_oidc" "this" {{
  cluster_id = "{CLUSTER_DEMO}"
  issuer_url = "https://login.example.net/tenant/v2.0"
  client_id  = "kubernetes"
}}

data "coreweave_cks_cluster_issuer" "this" {{
  cluster_id = coreweave_cks_cluster_oidc.this.cluster_id
  depends_on = [coreweave_cks_cluster_oidc.this]
}}

output "oidc_issuer_url" {{ value = data.coreweave_cks_cluster_issuer.this.oidc_issuer_url }}
"#
        ),
    );
    ws.apply();
    assert_eq!(
        ws.outputs()["oidc_issuer_url"],
        "https://login.example.net/tenant/v2.0"
    );
    ws.assert_no_changes();
}
