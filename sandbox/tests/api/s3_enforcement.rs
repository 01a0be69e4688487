//! Both layers of policy at the S3 endpoint (reference §3.6-3.7): the order of the checks, the
//! refusals naming their layer and statements, the owner-only PutBucketPolicy that no bucket
//! policy can lock out, `s3:prefix` from listings, keys of another organization (admin API) and
//! keys from CreateAccessKeyFromJWT, and seeding objects into a bucket that already exists.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use reqwest::Method;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::s3_support::{error_code, location_body, xml_text, S3Sandbox};

const ALICE: &str = "coreweave/alice";
const POLICY: &[(&str, &str)] = &[("policy", "")];
const OBJECT: &str = "/models/data/private/a.bin";

/// A sandbox where org policies allow everything but GetObject on `models/secret*`, with
/// `models` holding `data/private/a.bin` and `secret.bin`.
async fn sandbox() -> S3Sandbox {
    let s = S3Sandbox::start().await;
    s.set_policies(&json!([{"name": "org", "statements": [
        {"name": "all", "effect": "Allow", "actions": ["*"], "resources": ["*"],
         "principals": ["*"]},
        {"name": "no-secrets", "effect": "Deny", "actions": ["s3:GetObject"],
         "resources": ["models/secret*"], "principals": ["*"]}]}]));
    s.seed(
        "models",
        &[("data/private/a.bin", "a"), ("secret.bin", "s")],
    );
    s
}

/// Sets `models`' policy to `statements` (with `key`, through PutBucketPolicy).
async fn set_bucket_policy(
    s: &S3Sandbox,
    key: &coreweave_sandbox::model::credentials::IssuedKey,
    statements: Value,
) {
    let document = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let (status, text) = s
        .call(Method::PUT, "/models", POLICY, key, Some(&document))
        .await;
    assert!((200..300).contains(&status), "{text}");
}

/// The `<Message>` of a refusal, which must be AccessDenied.
fn denied(text: &str) -> String {
    assert_eq!(error_code(text), Some("AccessDenied"), "{text}");
    xml_text(text, "Message").unwrap_or_default().to_string()
}

#[tokio::test]
async fn refusals_name_the_layer_and_the_statements_that_refused() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    set_bucket_policy(
        &s,
        &key,
        json!([
            {"Sid": "allow-all", "Effect": "Allow", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]},
            {"Sid": "deny-private", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::models/data/private/*"}
        ]),
    )
    .await;
    let (status, text) = s
        .call(Method::GET, "/models/secret.bin", &[], &key, None)
        .await;
    assert_eq!(status, 403);
    let org = denied(&text);
    assert!(org.contains("org/no-secrets (explicit Deny)"), "{org}");
    let (status, text) = s.call(Method::GET, OBJECT, &[], &key, None).await;
    assert_eq!(status, 403);
    let bucket = denied(&text);
    assert!(
        bucket.contains("by the bucket policy of models: bucket_policy:models/deny-private"),
        "{bucket}"
    );
    set_bucket_policy(
        &s,
        &key,
        json!({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
               "Resource": "arn:aws:s3:::models"}),
    )
    .await;
    let (status, text) = s.call(Method::PUT, OBJECT, &[], &key, Some("x")).await;
    assert_eq!(status, 403);
    let silent = denied(&text);
    assert!(
        silent.contains("the bucket policy of models allows coreweave/alice no s3:PutObject"),
        "{silent}"
    );
}

#[tokio::test]
async fn key_checks_come_before_either_layer() {
    let s = sandbox().await;
    let expired = s.key(ALICE, Some(-5), false);
    let (status, text) = s
        .call(Method::GET, "/models/secret.bin", &[], &expired, None)
        .await;
    assert_eq!((status, error_code(&text)), (400, Some("ExpiredToken")));
}

#[tokio::test]
async fn no_bucket_policy_locks_the_owner_out_of_put_bucket_policy() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    set_bucket_policy(
        &s,
        &key,
        json!({"Sid": "deny-everything", "Effect": "Deny", "Principal": "*", "Action": "*",
               "Resource": ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]}),
    )
    .await;
    for (method, query) in [
        (Method::GET, POLICY),
        (Method::DELETE, POLICY),
        (Method::GET, &[][..]),
    ] {
        let (status, text) = s.call(method.clone(), "/models", query, &key, None).await;
        assert_eq!(status, 403, "{method} {query:?}: {text}");
    }
    let (status, _) = s.call(Method::GET, "/", &[], &key, None).await;
    assert_eq!(status, 200, "ListBuckets is decided by org policies only");
    set_bucket_policy(
        &s,
        &key,
        json!({"Effect": "Allow", "Principal": "*", "Action": "*",
               "Resource": ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]}),
    )
    .await;
    assert_eq!(s.call(Method::GET, OBJECT, &[], &key, None).await.0, 200);
}

#[tokio::test]
async fn only_principals_of_the_owning_organization_set_a_bucket_policy() {
    let s = sandbox().await;
    let theirs = s.key_in_org("coreweave/mallory", "other-org");
    let document = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*",
        "Resource": "arn:aws:s3:::models/*"}})
    .to_string();
    let (status, text) = s
        .call(Method::PUT, "/models", POLICY, &theirs, Some(&document))
        .await;
    assert_eq!(status, 403);
    let message = denied(&text);
    assert!(
        message.contains("only principals of its owner, organization sandbox-org, may"),
        "{message}"
    );
    let ours = s.key(ALICE, None, false);
    let (status, text) = s
        .call(Method::PUT, "/models", POLICY, &ours, Some(&document))
        .await;
    assert!((200..300).contains(&status), "{text}");
}

#[tokio::test]
async fn listings_bring_their_prefix_as_s3_prefix() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    set_bucket_policy(
        &s,
        &key,
        json!({"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
               "Resource": "arn:aws:s3:::models",
               "Condition": {"StringLike": {"s3:prefix": "data/*"}}}),
    )
    .await;
    for list_type in [None, Some(("list-type", "2"))] {
        let with = |prefix: Option<&'static str>| {
            list_type
                .into_iter()
                .chain(prefix.map(|p| ("prefix", p)))
                .collect::<Vec<_>>()
        };
        let (status, text) = s
            .call(
                Method::GET,
                "/models",
                &with(Some("data/private/")),
                &key,
                None,
            )
            .await;
        assert_eq!(status, 200, "{list_type:?}: {text}");
        assert!(text.contains("<Key>data/private/a.bin</Key>"), "{text}");
        for refused in [with(Some("other/")), with(None)] {
            let (status, text) = s.call(Method::GET, "/models", &refused, &key, None).await;
            assert_eq!(status, 403, "{refused:?}: {text}");
        }
    }
}

/// `POST path` with a JSON body on the sandbox's API (admin routes need no token).
async fn post(s: &S3Sandbox, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = Request::post(path).header("content-type", "application/json");
    if let Some(token) = token {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let req = req.body(Body::from(body.to_string())).unwrap();
    let resp = coreweave_sandbox::app(s.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The issued key an access-key answer names.
fn issued(s: &S3Sandbox, answer: &Value) -> coreweave_sandbox::model::credentials::IssuedKey {
    let id = answer["accessKeyId"].as_str().unwrap();
    s.state.credentials.get(id).unwrap()
}

#[tokio::test]
async fn the_admin_api_issues_keys_of_another_organization_that_cw_principal_org_id_refuses() {
    let s = sandbox().await;
    let owner = s.key(ALICE, None, false);
    set_bucket_policy(
        &s,
        &owner,
        json!({"Sid": "same-org", "Effect": "Allow", "Principal": {"CW": "*"},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::models/*",
               "Condition": {"StringEquals": {"cw:PrincipalOrgID": "sandbox-org"}}}),
    )
    .await;
    let (status, answer) = post(
        &s,
        "/_sandbox/access-keys",
        None,
        json!({"principal": "coreweave/bob", "orgId": "other-org"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["orgId"], "other-org");
    let theirs = issued(&s, &answer);
    let (status, text) = s.call(Method::GET, OBJECT, &[], &theirs, None).await;
    assert_eq!(status, 403, "{text}");
    let (_, answer) = post(
        &s,
        "/_sandbox/access-keys",
        None,
        json!({"principal": "coreweave/bob"}),
    )
    .await;
    assert_eq!(answer["orgId"], "sandbox-org");
    let ours = issued(&s, &answer);
    assert_eq!(s.call(Method::GET, OBJECT, &[], &ours, None).await.0, 200);
}

#[tokio::test]
async fn create_access_key_keys_spend_as_the_caller_until_they_expire() {
    let s = sandbox().await;
    let owner = s.key(ALICE, None, false);
    set_bucket_policy(
        &s,
        &owner,
        json!({"Sid": "provider", "Effect": "Allow",
               "Principal": {"CW": "arn:aws:iam::sandbox-org:coreweave/sandbox-user"},
               "Action": "s3:*", "Resource": "arn:aws:s3:::models/*"}),
    )
    .await;
    let (status, answer) = post(
        &s,
        "/v1/cwobject/access-key",
        Some("sandbox-token"),
        json!({"durationSeconds": 60}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["principalName"], "coreweave/sandbox-user");
    let key = issued(&s, &answer);
    assert_eq!(s.call(Method::GET, OBJECT, &[], &key, None).await.0, 200);
    let (status, text) = s
        .call(Method::GET, "/models/secret.bin", &[], &key, None)
        .await;
    assert_eq!(status, 403, "the org Deny still holds: {text}");
    s.state.clock.advance(Duration::from_secs(61));
    let (status, text) = s.call(Method::GET, OBJECT, &[], &key, None).await;
    assert_eq!((status, error_code(&text)), (400, Some("ExpiredToken")));
}

#[tokio::test]
async fn seeding_objects_into_an_existing_bucket_keeps_its_zone_tags_and_policy() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    let zone = location_body("US-CENTRAL-05A");
    assert_eq!(
        s.call(Method::PUT, "/made", &[], &key, Some(&zone)).await.0,
        200
    );
    let tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>ml</Value></Tag></TagSet></Tagging>";
    let tags = [("tagging", "")];
    assert_eq!(
        s.call(Method::PUT, "/made", &tags, &key, Some(tagging))
            .await
            .0,
        200
    );
    let document = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::made", "arn:aws:s3:::made/*"]}})
    .to_string();
    assert_eq!(
        s.call(Method::PUT, "/made", POLICY, &key, Some(&document))
            .await
            .0,
        204
    );
    let (status, answer) = post(
        &s,
        "/_sandbox/buckets",
        None,
        json!({"name": "made", "objects": {"seeded.txt": "hi"}}),
    )
    .await;
    assert_eq!(
        (status, answer["keys"].clone()),
        (200, json!(["seeded.txt"]))
    );
    let (_, text) = s
        .call(Method::GET, "/made", &[("location", "")], &key, None)
        .await;
    assert!(
        text.contains(">US-CENTRAL-05A</LocationConstraint>"),
        "{text}"
    );
    let (_, text) = s.call(Method::GET, "/made", &tags, &key, None).await;
    assert!(text.contains("<Key>team</Key>"), "{text}");
    assert_eq!(
        s.call(Method::GET, "/made", POLICY, &key, None).await,
        (200, document)
    );
    assert_eq!(
        s.call(Method::GET, "/made/seeded.txt", &[], &key, None)
            .await,
        (200, "hi".to_string())
    );
    let (status, answer) = post(
        &s,
        "/_sandbox/buckets",
        None,
        json!({"name": "fresh", "zone": "US-CENTRAL-07A"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (_, text) = s
        .call(Method::GET, "/fresh", &[("location", "")], &key, None)
        .await;
    assert!(
        text.contains(">US-CENTRAL-07A</LocationConstraint>"),
        "{text}"
    );
    let (status, _) = post(
        &s,
        "/_sandbox/buckets",
        None,
        json!({"name": "elsewhere", "zone": "mars-1"}),
    )
    .await;
    assert_eq!(status, 400);
}
