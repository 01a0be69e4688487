use serde_json::json;

use super::*;

const ENDPOINT: &str = "abc-1.k8s.us-east-04a.coreweave.com";

#[test]
fn hosts_carry_the_api_prefix_for_the_unmanaged_endpoint() {
    assert_eq!(
        host(ENDPOINT, Endpoint::Managed),
        format!("https://{ENDPOINT}")
    );
    assert_eq!(
        host(ENDPOINT, Endpoint::Unmanaged),
        format!("https://api.{ENDPOINT}")
    );
    assert_eq!(Endpoint::parse("unmanaged"), Some(Endpoint::Unmanaged));
    assert_eq!(Endpoint::parse("Managed"), None);
}

#[test]
fn a_static_token_is_read_from_the_environment_at_use_time() {
    let doc = kubeconfig(
        "demo",
        Endpoint::Managed,
        &host(ENDPOINT, Endpoint::Managed),
        &Credential::Exec(api_token_plugin()),
    );
    let exec = &doc["users"][0]["user"]["exec"];
    assert_eq!(exec["command"], "sh");
    assert_eq!(exec["apiVersion"], EXEC_API_VERSION);
    assert_eq!(exec["interactiveMode"], "Never");
    let script = exec["args"][1].as_str().unwrap();
    assert!(script.contains("\"$COREWEAVE_API_TOKEN\""), "{script}");
    assert!(doc["users"][0]["user"].get("token").is_none());
    assert_eq!(doc["current-context"], "demo");
    assert_eq!(
        doc["clusters"][0]["cluster"]["server"],
        format!("https://{ENDPOINT}")
    );
    assert!(doc["clusters"][0]["cluster"]
        .get("certificate-authority-data")
        .is_none());
}

#[test]
fn a_workload_identity_bearer_is_written_as_the_users_token() {
    let doc = kubeconfig(
        "demo",
        Endpoint::Managed,
        "https://h",
        &Credential::Bearer("cwsb_x".into()),
    );
    assert_eq!(doc["users"][0]["user"], json!({"token": "cwsb_x"}));
}

#[test]
fn the_unmanaged_default_is_kubelogin_with_the_clusters_issuer() {
    let plugin = kubelogin_plugin("https://idp.example", "kubernetes", "email");
    assert_eq!(plugin.command, "kubectl");
    assert_eq!(
        plugin.args,
        [
            "oidc-login",
            "get-token",
            "--oidc-issuer-url=https://idp.example",
            "--oidc-client-id=kubernetes",
            "--oidc-extra-scope=email"
        ]
    );
    assert!(!kubelogin_plugin("https://i", "c", "sub")
        .args
        .iter()
        .any(|a| a.contains("extra-scope")));
    let doc = kubeconfig(
        "demo",
        Endpoint::Unmanaged,
        "https://api.h",
        &Credential::Exec(plugin),
    );
    assert_eq!(doc["current-context"], "demo-unmanaged");
    assert_eq!(
        doc["users"][0]["user"]["exec"]["interactiveMode"],
        "IfAvailable"
    );
}

#[test]
fn plugin_environment_is_a_list_of_name_value_pairs() {
    let plugin = ExecPlugin {
        command: "/bin/token".into(),
        args: Vec::new(),
        env: vec![("A".into(), "1".into())],
        interactive: false,
    };
    let doc = kubeconfig(
        "c",
        Endpoint::Unmanaged,
        "https://api.h",
        &Credential::Exec(plugin),
    );
    assert_eq!(
        doc["users"][0]["user"]["exec"]["env"],
        json!([{"name": "A", "value": "1"}])
    );
    assert_eq!(doc["users"][0]["user"]["exec"]["args"], json!([]));
}

#[test]
fn yaml_is_block_style_with_quoted_strings() {
    let doc = json!({
        "a": "x: y\n\"z\"", "list": [{"k": 1, "m": {"n": true}}, "s"], "empty": {}, "none": [],
    });
    assert_eq!(
        to_yaml(&doc),
        "\"a\": \"x: y\\n\\\"z\\\"\"\n\
         \"empty\": {}\n\
         \"list\":\n\
         \x20 - \"k\": 1\n\
         \x20   \"m\":\n\
         \x20     \"n\": true\n\
         \x20 - \"s\"\n\
         \"none\": []\n"
    );
}
