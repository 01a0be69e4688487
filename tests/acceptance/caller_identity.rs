//! Data source `coreweave_caller_identity`.

use crate::support::{Sandbox, Workspace};

const CONFIG: &str = "data \"coreweave_caller_identity\" \"me\" {}\noutput \"me\" { value = data.coreweave_caller_identity.me }\n";

#[test]
fn names_the_organization_and_principal_of_the_token() {
    let sandbox = Sandbox::start_with(&["--org-id", "0rg-acc-test"]);
    let ws = Workspace::new();
    ws.write(&sandbox, CONFIG);
    ws.apply();
    assert_eq!(
        ws.outputs()["me"],
        serde_json::json!({"organization_id": "0rg-acc-test", "principal_id": "sandbox-user"})
    );
    ws.assert_no_changes();
    assert!(sandbox
        .requests()
        .iter()
        .all(|r| r.method == "GET" && r.path == "/v1beta1/auth/whoami"));
}

#[test]
fn a_rejected_token_is_a_clear_error() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  token = \"wrong-token\"\n  max_retries = 0\n}}\n{CONFIG}",
        crate::support::terraform::required_providers(),
        sandbox.url
    ));
    let out = ws.plan().failure();
    assert!(out.contains("Error reading the caller identity"), "{out}");
    assert!(out.contains("unauthenticated"), "{out}");
}
