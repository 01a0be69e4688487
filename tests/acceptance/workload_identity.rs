//! Provider authentication from a CI OIDC token (`authentication.workload_identity`): the
//! sandbox signs the CI token and runs the exchange; no API token is set anywhere.

use coreweave_sandbox::paths::EXCHANGE_PATH;
use serde_json::json;

use crate::support::sandbox::{CLUSTER_DEMO, SERVICE_ACCOUNT_CI};
use crate::support::terraform::required_providers;
use crate::support::{Sandbox, Workspace};

const SUBJECT: &str = "repo:example/infrastructure:ref:refs/heads/main";

/// A workspace whose provider authenticates as `ci-deployer` with `ci_token`, plus `body`.
fn workspace(sandbox: &Sandbox, ci_token: &str, body: &str) -> Workspace {
    let mut ws = Workspace::new();
    ws.env("TFC_WORKLOAD_IDENTITY_TOKEN", ci_token);
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint    = \"{}\"\n  max_retries = 3\n  authentication = {{\n    workload_identity = {{ service_account_uid = \"{SERVICE_ACCOUNT_CI}\" }}\n  }}\n}}\n{body}",
        required_providers(),
        sandbox.url
    ));
    ws
}

const WHOAMI: &str = "data \"coreweave_caller_identity\" \"me\" {}\noutput \"principal_id\" { value = data.coreweave_caller_identity.me.principal_id }\n";

fn exchanges(sandbox: &Sandbox) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.path == EXCHANGE_PATH)
        .count()
}

#[test]
fn applies_and_destroys_with_a_ci_token_and_never_shows_the_bearer() {
    let sandbox = Sandbox::start();
    let ci_token = sandbox.ci_token(json!({"subject": SUBJECT}));
    let mut ws = workspace(
        &sandbox,
        &ci_token,
        &format!("{WHOAMI}resource \"coreweave_object_storage_wif_config\" \"ci\" {{\n  name = \"ci\"\n  issuer_url = \"https://token.actions.example.com\"\n  audience = \"a\"\n}}\n"),
    );
    ws.env("TF_LOG", "TRACE");
    let apply = ws.apply();
    assert_eq!(ws.outputs()["principal_id"], SERVICE_ACCOUNT_CI);
    assert_eq!(sandbox.state()["oidcConfigs"].as_array().unwrap().len(), 1);
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "{}", plan.output());
    let destroy = ws.destroy();
    assert_eq!(sandbox.state()["oidcConfigs"], json!([]));

    let bearers = sandbox.bearers();
    assert!(!bearers.is_empty());
    assert!(
        apply.stderr.contains("exchanged the CI token"),
        "provider logs reached TF_LOG: the check is meaningful"
    );
    for run in [&apply, &plan, &destroy] {
        for secret in bearers.iter().chain([&ci_token]) {
            assert!(
                !run.output().contains(secret.as_str()),
                "a secret leaked:\n{}",
                run.output()
            );
        }
    }
    for secret in bearers.iter().chain([&ci_token]) {
        assert!(!ws.raw_state().contains(secret.as_str()));
    }
}

#[test]
fn an_expired_ci_token_is_a_clear_error_before_any_request() {
    let sandbox = Sandbox::start();
    let expired = sandbox.ci_token(json!({"subject": SUBJECT, "expiresInSeconds": -60}));
    let ws = workspace(&sandbox, &expired, WHOAMI);
    let out = ws.plan().failure();
    assert!(
        out.contains(&format!(
            "workload identity authentication as service account \"{SERVICE_ACCOUNT_CI}\" failed"
        )),
        "{out}"
    );
    assert!(
        out.contains("the token in TFC_WORKLOAD_IDENTITY_TOKEN is unusable: it expired at"),
        "{out}"
    );
    assert!(!out.contains(&expired));
    assert_eq!(sandbox.requests(), Vec::new());
}

#[test]
fn a_ci_token_the_service_account_does_not_trust_is_refused() {
    let sandbox = Sandbox::start();
    let foreign =
        sandbox.ci_token(json!({"subject": "repo:someone-else/infra:ref:refs/heads/main"}));
    let out = workspace(&sandbox, &foreign, WHOAMI).plan().failure();
    assert!(
        out.contains("permission_denied: OIDC trust expression did not match"),
        "{out}"
    );
    let missing = Workspace::new();
    missing.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  authentication = {{ workload_identity = {{ service_account_uid = \"{SERVICE_ACCOUNT_CI}\" }} }}\n}}\n{WHOAMI}",
        required_providers(),
        sandbox.url
    ));
    let out = missing.plan().failure();
    assert!(
        out.contains("TFC_WORKLOAD_IDENTITY_TOKEN is not set"),
        "{out}"
    );
}

#[test]
fn a_long_apply_refreshes_the_bearer_after_it_expires() {
    let sandbox = Sandbox::start_with(&["--update-duration-ms", "4000"]);
    sandbox.configure(json!({"bearerLifetimeSeconds": 1}));
    let ci_token = sandbox.ci_token(json!({"subject": SUBJECT}));
    let ws = workspace(
        &sandbox,
        &ci_token,
        &format!("resource \"coreweave_cks_cluster_oidc\" \"this\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n  issuer_url = \"https://idp.example.com\"\n  client_id = \"kubernetes\"\n}}\n"),
    );
    ws.apply();
    assert_eq!(
        sandbox.cluster(CLUSTER_DEMO)["status"],
        "STATUS_RUNNING",
        "the apply waited for the update to finish"
    );
    assert!(
        exchanges(&sandbox) >= 2,
        "bearers living one second were replaced during a four-second wait: {:?}",
        sandbox.requests()
    );
}
