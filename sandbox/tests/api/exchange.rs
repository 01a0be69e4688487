//! OIDC token exchange: both endpoints, every refusal in check order, nothing secret logged.

use axum::http::Method;
use serde_json::{json, Value};

use crate::support::{Answer, Harness, DEMO, WITH_OIDC};

const EXCHANGE: &str = "/v1/cwobject/temporary-credentials/oidc";
const AUDIENCE: &str = "https://coreweave.com/iam";
const ORG: &str = "sandbox-org";

fn issuer(cluster: &str) -> String {
    format!("https://oidc.cks.coreweave.com/id/{cluster}")
}

fn principal(cluster: &str, sa: &str) -> String {
    format!(
        "role/{}:system:serviceaccount:default:{sa}",
        issuer(cluster)
    )
}

/// A sandbox trusting the demo cluster's issuer, with `default/granted` allowed to exchange.
async fn federated() -> Harness {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "demo", "issuerUrl": issuer(DEMO), "audience": AUDIENCE}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    put_policy(
        &h,
        json!({"name": "allow-exchange", "effect": "Allow",
               "actions": ["cwobject:CreateAccessKeyOIDC", "s3:*"], "resources": ["*"],
               "principals": [principal(DEMO, "granted")]}),
        "wif",
    )
    .await;
    h
}

async fn put_policy(h: &Harness, statement: Value, name: &str) {
    let a = h
        .rest(
            Method::POST,
            "/v1/cwobject/access-policy",
            Some(
                json!({"policy": {"version": "v1alpha1", "name": name, "statements": [statement]}}),
            ),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

async fn token(h: &Harness, cluster: &str, sa: &str, extra: Value) -> String {
    let mut body = json!({"clusterId": cluster, "serviceAccount": format!("default/{sa}"),
                          "audience": AUDIENCE});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let a = h.admin(Method::POST, "/tokens", Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["token"].as_str().unwrap().to_string()
}

async fn post(h: &Harness, token: &str) -> Answer {
    h.send(
        Method::POST,
        EXCHANGE,
        None,
        Some("application/json"),
        Some(json!({"durationSeconds": 300, "orgId": ORG, "oidcToken": token}).to_string()),
    )
    .await
}

async fn container(h: &Harness, token: &str) -> Answer {
    let req = axum::http::Request::builder()
        .uri(format!("{EXCHANGE}/{ORG}"))
        .header("authorization", token)
        .body(axum::body::Body::empty())
        .unwrap();
    h.request(req).await
}

/// Both endpoints refuse `token` with `code` and a message containing `why`.
async fn refused(h: &Harness, token: &str, status: u16, why: &str) {
    for a in [post(h, token).await, container(h, token).await] {
        assert_eq!(a.status, status, "{}", a.body);
        let message = a.body["message"].as_str().unwrap();
        assert!(message.contains(why), "{message:?} lacks {why:?}");
    }
}

#[tokio::test]
async fn a_granted_service_account_gets_credentials_from_both_endpoints() {
    let h = federated().await;
    let t = token(&h, DEMO, "granted", json!({})).await;
    let a = post(&h, &t).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["principalName"], principal(DEMO, "granted").as_str());
    assert_eq!(a.body["secretKey"].as_str().unwrap().len(), 40);
    assert!(a.body["accessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("CWOIDC"));
    assert!(coreweave_sandbox::time::is_rfc3339(
        a.body["expiry"].as_str().unwrap()
    ));
    let c = container(&h, &t).await;
    assert_eq!(c.status, 200, "{}", c.body);
    let keys: Vec<_> = c.body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        ["AccessKeyId", "Expiration", "SecretAccessKey", "Token"]
    );
    let log = h.log().await.join("\n");
    assert!(!log.contains(&t), "{log}");
    assert!(!log.contains(a.body["secretKey"].as_str().unwrap()));
    assert!(log.contains(&format!("GET {EXCHANGE}/{ORG} 200")), "{log}");
}

#[tokio::test]
async fn refusals_come_in_check_order_and_say_why() {
    let h = federated().await;
    refused(&h, "not-a-jwt", 400, "not a valid JWT").await;
    let t = token(&h, DEMO, "granted", json!({})).await;
    let mut chars: Vec<char> = t.chars().collect();
    let i = chars.len() - 20;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    refused(&h, &tampered, 401, "signature does not verify").await;
    let expired = token(
        &h,
        DEMO,
        "granted",
        json!({"issuedAt": 1_000_000_000u64, "ttlSeconds": 600}),
    )
    .await;
    refused(&h, &expired, 401, "the token expired at 2001-09-09T").await;
    let wrong_aud = {
        let a = h
            .admin(
                Method::POST,
                "/tokens",
                Some(json!({"clusterId": DEMO, "serviceAccount": "default/granted", "audience": "other"})),
            )
            .await;
        a.body["token"].as_str().unwrap().to_string()
    };
    refused(&h, &wrong_aud, 403, "audience [\"other\"] does not match").await;
    let unregistered = token(&h, WITH_OIDC, "granted", json!({})).await;
    refused(
        &h,
        &unregistered,
        403,
        "no workload identity federation config trusts issuer",
    )
    .await;
    let not_named = token(&h, DEMO, "someone-else", json!({})).await;
    refused(&h, &not_named, 403, "(implicit deny)").await;
    put_policy(
        &h,
        json!({"name": "deny", "effect": "Deny", "actions": ["cwobject:*"], "resources": ["*"],
               "principals": [principal(DEMO, "granted")]}),
        "guard",
    )
    .await;
    refused(
        &h,
        &t,
        403,
        "denied cwobject:CreateAccessKeyOIDC by guard/deny (explicit Deny)",
    )
    .await;
}

#[tokio::test]
async fn an_inactive_config_or_a_foreign_issuer_is_refused() {
    let h = federated().await;
    let t = token(&h, DEMO, "granted", json!({})).await;
    let list = h.connect("ListOIDCConfigs", json!({})).await;
    let uid = list.body["configs"][0]["uid"].as_str().unwrap().to_string();
    let a = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": uid, "updateMask": "active", "active": false}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    refused(&h, &t, 403, "is not active").await;
    let foreign = coreweave_sandbox::signing::Issuer::generate("https://elsewhere.example")
        .unwrap()
        .mint(
            &json!({"iss": "https://elsewhere.example", "sub": "x", "aud": AUDIENCE,
                      "iat": 1, "exp": 4_000_000_000u64}),
        )
        .unwrap();
    refused(&h, &foreign, 401, "not an issuer this sandbox signs for").await;
}

#[tokio::test]
async fn the_exchange_checks_its_request() {
    let h = federated().await;
    let a = h
        .send(
            Method::POST,
            EXCHANGE,
            None,
            Some("application/json"),
            Some(json!({"durationSeconds": 50000, "oidcToken": "x"}).to_string()),
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        crate::support::rest_violations(&a.body),
        ["durationSeconds", "orgId"]
    );
    let t = token(&h, DEMO, "granted", json!({})).await;
    let a = h
        .send(
            Method::POST,
            EXCHANGE,
            None,
            Some("application/json"),
            Some(
                json!({"durationSeconds": 300, "orgId": "another-org", "oidcToken": t}).to_string(),
            ),
        )
        .await;
    assert_eq!(a.status, 403);
    assert!(a.body["message"]
        .as_str()
        .unwrap()
        .contains("another organization"));
}

#[tokio::test]
async fn a_burst_of_exchanges_is_refused_once_the_store_is_full_and_revokes_no_key() {
    use coreweave_sandbox::model::credentials::{after_seconds, KeyRequest, MAX_KEYS};
    let h = federated().await;
    let jwt = token(&h, DEMO, "granted", json!({})).await;
    let other_pod = post(&h, &jwt).await;
    assert_eq!(other_pod.status, 200, "{}", other_pod.body);
    let now = std::time::SystemTime::now();
    // One pod exchanging its token over and over: 15-minute keys that all still work.
    for _ in 1..MAX_KEYS {
        let burst = KeyRequest {
            id_prefix: "CWOIDC",
            principal: principal(DEMO, "granted"),
            org_id: h.state.org_id.clone(),
            expires_at: Some(after_seconds(now, 900)),
            with_session_token: true,
        };
        h.state.credentials.issue(burst, now).unwrap();
    }
    let refused = post(&h, &jwt).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let message = refused.body["message"].as_str().unwrap_or_default();
    assert!(message.contains("until some expire"), "{}", refused.body);
    let kept = h
        .state
        .credentials
        .get(other_pod.body["accessKeyId"].as_str().unwrap())
        .expect("the other pod's key is kept");
    assert!(!kept.is_expired(now));
}
