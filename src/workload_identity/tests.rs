use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde_json::json;

use super::*;
use crate::api::test_server::{fast_policy, test_config, Reply, TestServer};

const EXCHANGE: &str =
    "/coreweave.directory.v1alpha.InternalDirectoryService/ServiceAccountOidcAuth";

/// An unsigned JWT with the given `exp` (the client never verifies signatures).
fn jwt(exp: i64) -> String {
    let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        part(json!({"alg": "RS256", "typ": "JWT"})),
        part(json!({"iss": "https://ci.example", "sub": "repo:x", "exp": exp}))
    )
}

fn in_an_hour() -> i64 {
    unix_seconds(SystemTime::now()) + 3600
}

fn expire_time(from_now: i64) -> String {
    rfc3339(unix_seconds(SystemTime::now()) + from_now)
}

/// A client using workload identity whose CI token source counts its reads.
fn client(server: &TestServer, ci_token: Option<String>) -> (ApiClient, Arc<AtomicUsize>) {
    let (client, reads, _) = client_with_clock(server, ci_token);
    (client, reads)
}

/// [`client`], and how far its cache's clock runs ahead of the system's (tests move it).
fn client_with_clock(
    server: &TestServer,
    ci_token: Option<String>,
) -> (ApiClient, Arc<AtomicUsize>, Arc<AtomicU64>) {
    let ahead_ms = Arc::new(AtomicU64::new(0));
    let ahead = ahead_ms.clone();
    let clock: Clock =
        Arc::new(move || SystemTime::now() + Duration::from_millis(ahead.load(Ordering::SeqCst)));
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let mut config = test_config(&server.url);
    config.token = None;
    config.bearer_source = Some(Arc::new(BearerCache::with_clock(
        WorkloadIdentity {
            service_account_uid: "sa-1".into(),
            ci_token: Arc::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                ci_token.clone()
            }),
            ci_token_name: "TFC_WORKLOAD_IDENTITY_TOKEN".into(),
        },
        clock,
    )));
    let client = ApiClient::with_policy(config, fast_policy(0)).expect("client");
    (client, reads, ahead_ms)
}

#[tokio::test]
async fn the_ci_token_is_exchanged_once_and_the_bearer_reused() {
    let server = TestServer::start().await;
    let ci = jwt(in_an_hour());
    server.push(Reply::json(
        200,
        json!({"bearerToken": "bearer-1", "expireTime": expire_time(3600)}),
    ));
    server.push(Reply::json(200, json!({"items": []})));
    server.push(Reply::json(200, json!({"items": []})));
    let (client, reads) = client(&server, Some(ci.clone()));
    client.list_clusters().await.unwrap();
    client.list_clusters().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].path, EXCHANGE);
    assert_eq!(requests[0].header("authorization"), None);
    assert_eq!(requests[0].header("connect-protocol-version"), Some("1"));
    assert_eq!(
        requests[0].json(),
        json!({"oidcToken": ci, "serviceAccountUid": "sa-1", "durationSeconds": "3600"})
    );
    for request in &requests[1..] {
        assert_eq!(request.header("authorization"), Some("Bearer bearer-1"));
    }
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn concurrent_calls_share_one_exchange() {
    let server = TestServer::start().await;
    server.push(
        Reply::json(
            200,
            json!({"bearer_token": "bearer-1", "expire_time": expire_time(3600)}),
        )
        .after(Duration::from_millis(100)),
    );
    for _ in 0..4 {
        server.push(Reply::json(200, json!({"items": []})));
    }
    let (client, reads) = client(&server, Some(jwt(in_an_hour())));
    let (a, b, c, d) = tokio::join!(
        client.list_clusters(),
        client.list_clusters(),
        client.list_clusters(),
        client.list_clusters()
    );
    for result in [a, b, c, d] {
        result.unwrap();
    }
    let exchanges = server
        .requests()
        .iter()
        .filter(|r| r.path == EXCHANGE)
        .count();
    assert_eq!(exchanges, 1);
    assert_eq!(reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_bearer_near_expiry_is_replaced_reading_the_ci_token_again() {
    let server = TestServer::start().await;
    // A bearer that expires in two to three seconds (`expire_time` counts whole seconds);
    // moving the cache's clock past that makes the next call refresh.
    server.push(Reply::json(
        200,
        json!({"bearerToken": "bearer-1", "expireTime": expire_time(3)}),
    ));
    server.push(Reply::json(200, json!({"items": []})));
    server.push(Reply::json(
        200,
        json!({"bearerToken": "bearer-2", "expireTime": expire_time(3600)}),
    ));
    server.push(Reply::json(200, json!({"items": []})));
    let (client, reads, ahead_ms) = client_with_clock(&server, Some(jwt(in_an_hour())));
    client.list_clusters().await.unwrap();
    ahead_ms.store(3100, Ordering::SeqCst);
    client.list_clusters().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[2].path, EXCHANGE);
    assert_eq!(requests[3].header("authorization"), Some("Bearer bearer-2"));
    assert_eq!(reads.load(Ordering::SeqCst), 2);
}
#[test]
fn refresh_comes_a_minute_or_a_quarter_of_the_lifetime_before_expiry() {
    let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
    let at = |lifetime: u64| {
        let expires = now + Duration::from_secs(lifetime);
        expires.duration_since(refresh_time(now, expires)).unwrap()
    };
    assert_eq!(at(3600), Duration::from_secs(60));
    assert_eq!(at(40), Duration::from_secs(10));
    assert_eq!(at(0), Duration::ZERO);
}

#[test]
fn ci_tokens_must_be_unexpired_jwts() {
    let now = SystemTime::now();
    assert_eq!(check_ci_token(&jwt(in_an_hour()), now), Ok(()));
    let expired = check_ci_token(&jwt(1_700_000_000), now).unwrap_err();
    assert!(
        expired.contains("expired at 2023-11-14T22:13:20"),
        "{expired}"
    );
    for bad in ["abc", "a.b", "a..c", "a.!!!.c", "a.e30.c.d"] {
        assert!(check_ci_token(bad, now).is_err(), "{bad}");
    }
    // No `exp`: the server decides.
    assert_eq!(check_ci_token("e30.e30.c2ln", now), Ok(()));
}

#[tokio::test]
async fn unusable_ci_tokens_fail_before_any_request() {
    let server = TestServer::start().await;
    for (token, expected) in [
        (None, "TFC_WORKLOAD_IDENTITY_TOKEN is not set"),
        (
            Some("  ".to_string()),
            "TFC_WORKLOAD_IDENTITY_TOKEN is not set",
        ),
        (Some(jwt(1_700_000_000)), "it expired at"),
        (Some("not-a-jwt".to_string()), "it is not a JWT"),
    ] {
        let (client, _) = client(&server, token.clone());
        let error = client.list_clusters().await.unwrap_err();
        assert!(
            matches!(&error, ApiError::WorkloadIdentity { service_account_uid, .. } if service_account_uid == "sa-1"),
            "{error:?}"
        );
        assert!(error.to_string().contains(expected), "{error}");
        if let Some(token) = token.filter(|t| t.len() > 8) {
            assert!(!error.to_string().contains(&token), "{error}");
        }
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_refused_exchange_is_a_clear_error_without_the_ci_token() {
    let server = TestServer::start().await;
    let ci = jwt(in_an_hour());
    server.push(Reply::json(
        403,
        json!({"code": "permission_denied", "message": format!("OIDC trust expression did not match for {ci}")}),
    ));
    let (client, _) = client(&server, Some(ci.clone()));
    let error = client.list_clusters().await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("exchanging the token in TFC_WORKLOAD_IDENTITY_TOKEN: permission_denied: OIDC trust expression did not match"),
        "{text}"
    );
    assert!(!text.contains(&ci), "{text}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn answers_without_a_usable_bearer_are_errors() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"bearerToken": "", "expireTime": expire_time(3600)}),
    ));
    server.push(Reply::json(
        200,
        json!({"bearerToken": "b", "expireTime": expire_time(-10)}),
    ));
    server.push(Reply::json(
        200,
        json!({"bearerToken": "b", "expireTime": "tomorrow"}),
    ));
    let (client, _) = client(&server, Some(jwt(in_an_hour())));
    for expected in [
        "no bearer token",
        "already expired",
        "unreadable expireTime",
    ] {
        let error = client.list_clusters().await.unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[tokio::test]
async fn the_ci_token_never_goes_over_plain_http_to_a_remote_host() {
    let mut config = test_config(&url::Url::parse("http://api.coreweave.com").unwrap());
    config.token = None;
    config.bearer_source = Some(Arc::new(BearerCache::new(WorkloadIdentity {
        service_account_uid: "sa-1".into(),
        ci_token: Arc::new(|| panic!("the CI token must not even be read")),
        ci_token_name: "TFC_WORKLOAD_IDENTITY_TOKEN".into(),
    })));
    let client = ApiClient::new(config).unwrap();
    let error = client.list_clusters().await.unwrap_err();
    assert!(
        matches!(error, ApiError::InsecureEndpoint { .. }),
        "{error:?}"
    );
    assert_eq!(client.request_count(), 0);
}

#[tokio::test]
async fn a_bearer_echoed_by_the_server_is_redacted() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"bearerToken": "s3cret-bearer", "expireTime": expire_time(3600)}),
    ));
    server.push(Reply::text(
        500,
        "rejected Authorization: Bearer s3cret-bearer",
    ));
    let (client, _) = client(&server, Some(jwt(in_an_hour())));
    let error = client.list_clusters().await.unwrap_err();
    let text = format!("{error} {error:?} {client:?}");
    assert!(!text.contains("s3cret-bearer"), "{text}");
    assert!(text.contains("Bearer ***"), "{text}");
}

#[tokio::test]
async fn a_bearer_refused_as_unauthenticated_is_replaced_once() {
    let server = TestServer::start().await;
    let unauthenticated = || {
        Reply::json(
            401,
            json!({"code": 16, "message": "request had invalid authentication credentials"}),
        )
    };
    server.push(Reply::json(
        200,
        json!({"bearerToken": "bearer-1", "expireTime": expire_time(3600)}),
    ));
    server.push(unauthenticated());
    server.push(Reply::json(
        200,
        json!({"bearerToken": "bearer-2", "expireTime": expire_time(3600)}),
    ));
    server.push(Reply::json(200, json!({"items": []})));
    server.push(unauthenticated());
    server.push(Reply::json(
        200,
        json!({"bearerToken": "bearer-3", "expireTime": expire_time(3600)}),
    ));
    server.push(unauthenticated());
    let (client, reads) = client(&server, Some(jwt(in_an_hour())));
    client.list_clusters().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[3].header("authorization"), Some("Bearer bearer-2"));
    assert_eq!(reads.load(Ordering::SeqCst), 2);
    // Refused again after a fresh exchange: the error is returned, not retried forever.
    let error = client.list_clusters().await.unwrap_err();
    assert_eq!(error.http_status(), Some(401));
    assert_eq!(server.requests().len(), 7);
}
