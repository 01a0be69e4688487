//! The S3 endpoint's refusals (each with the S3 error code a client expects), both addressing
//! styles, keys from CreateAccessKeyFromJWT, and a request log without secrets.

use axum::body::Body;
use axum::http::Request;
use reqwest::Method;
use serde_json::json;
use tower::ServiceExt;

use crate::s3_support::{error_code, S3Sandbox};

const ALICE: &str = "coreweave/alice";

async fn sandbox_where_alice_reads_models() -> S3Sandbox {
    let sandbox = S3Sandbox::start().await;
    sandbox.set_policies(&json!([{"name": "p", "statements": [{
        "name": "read", "effect": "Allow", "actions": ["s3:GetObject", "s3:ListAllMyBuckets"],
        "resources": ["*"], "principals": [ALICE, "coreweave/sandbox-user"]}]}]));
    sandbox.seed("models", &[("weights.bin", "hello")]);
    sandbox
}

#[tokio::test]
async fn a_signed_get_reads_the_object() {
    let sandbox = sandbox_where_alice_reads_models().await;
    let key = sandbox.key(ALICE, None, false);
    let url = sandbox.presign(&Method::GET, "/models/weights.bin", &[], &key, None);
    assert_eq!(
        sandbox.send(Method::GET, url, None).await,
        (200, "hello".into())
    );
}

#[tokio::test]
async fn unknown_keys_and_bad_signatures_are_refused_with_their_codes() {
    let sandbox = sandbox_where_alice_reads_models().await;
    let mut key = sandbox.key(ALICE, None, false);
    let good = sandbox.presign(&Method::GET, "/models/weights.bin", &[], &key, None);
    let tampered = good.as_str().replace("weights.bin", "weights.bin2");
    let (status, text) = sandbox
        .send(Method::GET, tampered.parse().unwrap(), None)
        .await;
    assert_eq!(
        (status, error_code(&text)),
        (403, Some("SignatureDoesNotMatch"))
    );
    key.access_key_id = "CWTESTUNKNOWNKEY0000".into();
    let unknown = sandbox.presign(&Method::GET, "/models/weights.bin", &[], &key, None);
    let (status, text) = sandbox.send(Method::GET, unknown, None).await;
    assert_eq!(
        (status, error_code(&text)),
        (403, Some("InvalidAccessKeyId"))
    );
    let (status, text) = sandbox
        .send(
            Method::GET,
            format!("{}/models/weights.bin", sandbox.url)
                .parse()
                .unwrap(),
            None,
        )
        .await;
    assert_eq!((status, error_code(&text)), (403, Some("AccessDenied")));
}

#[tokio::test]
async fn session_tokens_and_expiry_are_checked_after_the_signature() {
    let sandbox = sandbox_where_alice_reads_models().await;
    let get = |key, token| sandbox.presign(&Method::GET, "/models/weights.bin", &[], key, token);
    let with_token = sandbox.key(ALICE, Some(900), true);
    let issued = with_token.session_token.clone();
    let cases = [
        (get(&with_token, issued.as_deref()), 200, None),
        (get(&with_token, Some("wrong")), 400, Some("InvalidToken")),
        (get(&with_token, None), 403, Some("InvalidAccessKeyId")),
    ];
    let without_token = sandbox.key(ALICE, Some(900), false);
    let expired = sandbox.key(ALICE, Some(-5), false);
    let more = [
        (get(&without_token, Some("any")), 400, Some("InvalidToken")),
        (get(&expired, None), 400, Some("ExpiredToken")),
    ];
    for (url, status, code) in cases.into_iter().chain(more) {
        let (got, text) = sandbox.send(Method::GET, url.clone(), None).await;
        assert_eq!(got, status, "{url}: {text}");
        if code.is_some() {
            assert_eq!(error_code(&text), code, "{url}");
        }
    }
}

#[tokio::test]
async fn virtual_hosted_names_reach_the_bucket_through_a_proxy_setting() {
    let sandbox = sandbox_where_alice_reads_models().await;
    let key = sandbox.key(ALICE, None, false);
    let port = sandbox.url.rsplit(':').next().unwrap().to_string();
    let virtual_url = format!("http://models.s3.sandbox.test:{port}/weights.bin");
    let signed = rusty_s3::signing::sign(
        &time::OffsetDateTime::now_utc(),
        rusty_s3::Method::Get,
        virtual_url.parse().unwrap(),
        &key.access_key_id,
        &key.secret_key,
        None,
        "US-EAST-04A",
        300,
        std::iter::empty(),
        std::iter::empty(),
    );
    let client = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(&sandbox.url).unwrap())
        .build()
        .unwrap();
    let resp = client.get(signed).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "hello");
    let logged = sandbox.state.log.snapshot();
    assert_eq!(
        logged.last().map(|r| r.path.as_str()),
        Some("/models/weights.bin")
    );
}

#[tokio::test]
async fn keys_from_create_access_key_from_jwt_act_as_the_token_holder() {
    let sandbox = sandbox_where_alice_reads_models().await;
    let app = coreweave_sandbox::app(sandbox.state.clone());
    let req = Request::post("/v1/cwobject/access-key")
        .header("authorization", "Bearer sandbox-token")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"durationSeconds": 0}"#))
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer["principalName"], "coreweave/sandbox-user");
    assert_eq!(answer["expiry"], serde_json::Value::Null);
    let key = sandbox
        .state
        .credentials
        .get(answer["accessKeyId"].as_str().unwrap())
        .unwrap();
    assert_eq!(key.secret_key, answer["secretKey"]);
    let url = sandbox.presign(&Method::GET, "/models/weights.bin", &[], &key, None);
    assert_eq!(sandbox.send(Method::GET, url, None).await.0, 200);
}

#[tokio::test]
async fn the_request_log_names_bucket_and_key_but_never_a_signature_secret_or_token() {
    let sandbox = sandbox_where_alice_reads_models().await;
    let key = sandbox.key(ALICE, Some(900), true);
    let url = sandbox.presign(
        &Method::GET,
        "/models/weights.bin",
        &[],
        &key,
        key.session_token.as_deref(),
    );
    let signature = url
        .query_pairs()
        .find(|(k, _)| k == "X-Amz-Signature")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert_eq!(sandbox.send(Method::GET, url, None).await.0, 200);
    let logged = serde_json::to_string(&sandbox.state.log.snapshot()).unwrap();
    assert!(
        logged.contains(r#""path":"/models/weights.bin""#),
        "{logged}"
    );
    assert!(logged.contains(r#""service":"s3""#), "{logged}");
    for secret in [
        key.secret_key.as_str(),
        key.session_token.as_deref().unwrap(),
        signature.as_str(),
    ] {
        assert!(!logged.contains(secret), "the log holds a secret: {logged}");
    }
}
