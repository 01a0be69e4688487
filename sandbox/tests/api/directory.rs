//! `ServiceAccountOidcAuth`: CI tokens exchanged for bearer tokens of a service account.

use axum::http::Method;
use coreweave_sandbox::model::service_account::DEFAULT_SERVICE_ACCOUNT_UID;
use coreweave_sandbox::paths::EXCHANGE_PATH;
use serde_json::{json, Value};

use crate::support::{Answer, Harness};

const SUBJECT: &str = "repo:example/infrastructure:ref:refs/heads/main";

async fn ci_token(h: &Harness, body: Value) -> String {
    let a = h.admin(Method::POST, "/ci-tokens", Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["token"].as_str().unwrap().to_string()
}

async fn exchange(h: &Harness, body: Value) -> Answer {
    h.send(
        Method::POST,
        EXCHANGE_PATH,
        None,
        Some("application/json"),
        Some(body.to_string()),
    )
    .await
}

fn request(token: &str) -> Value {
    json!({"oidcToken": token, "serviceAccountUid": DEFAULT_SERVICE_ACCOUNT_UID, "durationSeconds": "3600"})
}

#[tokio::test]
async fn a_trusted_ci_token_becomes_a_bearer_of_the_service_account() {
    let h = Harness::with(|c| c.org_id = "org-1".into());
    let token = ci_token(&h, json!({"subject": SUBJECT})).await;
    let a = exchange(&h, request(&token)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let bearer = a.body["bearerToken"].as_str().unwrap();
    assert!(a.body["expireTime"].as_str().unwrap().ends_with('Z'));
    let me = h
        .send(
            Method::GET,
            "/v1beta1/auth/whoami",
            Some(bearer),
            None,
            None,
        )
        .await;
    assert_eq!(
        me.body,
        json!({"principal": {"uid": DEFAULT_SERVICE_ACCOUNT_UID, "orgUid": "org-1"}})
    );
    let listed = h.admin(Method::GET, "/bearers", None).await;
    assert_eq!(listed.body["bearers"], json!([bearer]));
}

#[tokio::test]
async fn tokens_the_trust_does_not_accept_are_refused() {
    let h = Harness::new();
    let cases = [
        (
            json!({"subject": "repo:someone-else/infra:ref:refs/heads/main"}),
            403,
            "OIDC trust expression did not match",
        ),
        (
            json!({"subject": SUBJECT, "audience": "other"}),
            403,
            "OIDC trust expression did not match",
        ),
        (
            json!({"subject": SUBJECT, "expiresInSeconds": -5}),
            401,
            "the token has expired",
        ),
        (
            json!({"subject": SUBJECT, "issuer": "https://elsewhere.example"}),
            401,
            "invalid OIDC token",
        ),
    ];
    for (claims, status, message) in cases {
        let token = ci_token(&h, claims.clone()).await;
        let a = exchange(&h, request(&token)).await;
        assert_eq!(a.status, status, "{claims}: {}", a.body);
        assert!(
            a.body["message"].as_str().unwrap().contains(message),
            "{claims}: {}",
            a.body
        );
    }
    assert_eq!(
        h.admin(Method::GET, "/bearers", None).await.body["bearers"],
        json!([])
    );
}

#[tokio::test]
async fn malformed_requests_are_invalid_arguments() {
    let h = Harness::new();
    let token = ci_token(&h, json!({"subject": SUBJECT})).await;
    for body in [
        json!({"serviceAccountUid": DEFAULT_SERVICE_ACCOUNT_UID}),
        json!({"oidcToken": token}),
        json!({"oidcToken": token, "serviceAccountUid": DEFAULT_SERVICE_ACCOUNT_UID, "durationSeconds": "-1"}),
        json!({"oidcToken": token, "serviceAccountUid": DEFAULT_SERVICE_ACCOUNT_UID, "scopes": []}),
    ] {
        let a = exchange(&h, body.clone()).await;
        assert_eq!(a.status, 400, "{body}: {}", a.body);
        assert_eq!(a.body["code"], "invalid_argument");
    }
    let a = exchange(
        &h,
        json!({"oidcToken": token, "serviceAccountUid": "nobody"}),
    )
    .await;
    assert_eq!(a.body["code"], "not_found");
}

#[tokio::test]
async fn bearers_live_at_most_the_configured_lifetime_and_are_refused_after_it() {
    let h = Harness::new();
    h.admin(
        Method::PUT,
        "/config",
        Some(json!({"bearerLifetimeSeconds": 1})),
    )
    .await;
    let token = ci_token(&h, json!({"subject": SUBJECT})).await;
    let a = exchange(&h, request(&token)).await;
    let bearer = a.body["bearerToken"].as_str().unwrap().to_string();
    let ok = h
        .send(
            Method::GET,
            "/v1beta1/cks/clusters",
            Some(&bearer),
            None,
            None,
        )
        .await;
    assert_eq!(ok.status, 200);
    h.admin(Method::POST, "/clock", Some(json!({"advance_seconds": 1})))
        .await;
    let expired = h
        .send(
            Method::GET,
            "/v1beta1/cks/clusters",
            Some(&bearer),
            None,
            None,
        )
        .await;
    assert_eq!(expired.status, 401);
}

#[tokio::test]
async fn a_ci_token_lifetime_at_the_ends_of_i64_saturates_instead_of_overflowing() {
    let h = Harness::new();
    for seconds in [i64::MAX, i64::MIN] {
        let token = ci_token(&h, json!({"subject": SUBJECT, "expiresInSeconds": seconds})).await;
        let payload = token.split('.').nth(1).expect("a JWT payload");
        let claims: Value = serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .unwrap(),
        )
        .unwrap();
        let exp = claims["exp"].as_i64().expect("a numeric exp");
        if seconds == i64::MAX {
            assert_eq!(exp, i64::MAX, "saturated");
        } else {
            assert!(exp < 0, "long expired: {exp}");
        }
    }
}
