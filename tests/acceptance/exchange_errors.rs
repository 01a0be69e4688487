//! The sandbox's token exchange endpoints answer a token sent with a `Bearer ` prefix (a
//! common slip when calling them by hand) with the fix, not with a decoding error.

use serde_json::{json, Value};

use coreweave_sandbox::paths::EXCHANGE_PATH;

use crate::support::sandbox::{CLUSTER_DEMO, SERVICE_ACCOUNT_CI};
use crate::support::Sandbox;

const FIX: &str = "send the token without \"Bearer \"";

fn message(answer: reqwest::blocking::Response) -> (u16, String) {
    let status = answer.status().as_u16();
    let body: Value = answer.json().unwrap_or(Value::Null);
    (
        status,
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_bearer_prefixed_token_is_answered_with_the_fix() {
    let sandbox = Sandbox::start();
    let issuer = format!("https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}");
    let sa_token = sandbox.token(json!({"clusterId": CLUSTER_DEMO,
        "serviceAccount": "default/reader", "audience": issuer}));
    let ci_token =
        sandbox.ci_token(json!({"subject": "repo:example/infrastructure:ref:refs/heads/main"}));
    let http = reqwest::blocking::Client::new();
    let credentials = format!("{}/v1/cwobject/temporary-credentials/oidc", sandbox.url);

    let answers = [
        // A pod's SDK: the raw JWT in Authorization.
        http.get(format!("{credentials}/sandbox-org"))
            .header("authorization", format!("Bearer {sa_token}")),
        // The webhook's client: the JWT in the body.
        http.post(&credentials)
            .json(&json!({"durationSeconds": 900, "orgId": "sandbox-org",
            "oidcToken": format!("Bearer {sa_token}")})),
        // The CI exchange of authentication.workload_identity.
        http.post(format!("{}{EXCHANGE_PATH}", sandbox.url))
            .header("connect-protocol-version", "1")
            .json(&json!({"oidcToken": format!("Bearer {ci_token}"),
                          "serviceAccountUid": SERVICE_ACCOUNT_CI})),
    ]
    .map(|request| message(request.send().expect("exchange request")));

    // Each endpoint keeps the status it gives any malformed token: INVALID_ARGUMENT from the
    // REST exchanges, unauthenticated from the Connect one.
    for ((status, text), expected) in answers.iter().zip([400, 400, 401]) {
        assert_eq!(*status, expected, "{text}");
        assert!(text.contains(FIX), "{text}");
        assert!(!text.contains("Base64"), "{text}");
    }
}
