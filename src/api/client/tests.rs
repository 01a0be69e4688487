use super::*;
use crate::api::test_server::{self, test_config, Reply, TestServer, TOKEN};
use crate::api::{Code, TRIP_AFTER};
use serde_json::json;

#[test]
fn token_never_shows_in_debug_or_display() {
    let mut config = test_config(&Url::parse("https://api.coreweave.com").unwrap());
    config.token = Some(ApiToken::new(" s3cr3t-token\n"));
    let client = ApiClient::new(config.clone()).unwrap();
    for text in [
        format!("{config:?}"),
        format!("{:?}", config.token),
        format!("{}", config.token.as_ref().unwrap()),
        format!("{client:?}"),
    ] {
        assert!(!text.contains("s3cr3t"), "{text}");
    }
    assert_eq!(config.token.as_ref().unwrap().expose(), "s3cr3t-token");
    assert!(default_user_agent().starts_with("terraform-provider-coreweave/"));
}

#[test]
fn new_rejects_unusable_endpoints_and_tokens() {
    let with_endpoint = |endpoint: &str| test_config(&Url::parse(endpoint).unwrap());
    for endpoint in [
        "ftp://api.coreweave.com",
        "mailto:x@y",
        "https://u:p@api.coreweave.com",
    ] {
        assert!(
            matches!(
                ApiClient::new(with_endpoint(endpoint)),
                Err(ApiError::InvalidRequest(_))
            ),
            "{endpoint}"
        );
    }
    let mut config = with_endpoint("https://api.coreweave.com");
    config.token = Some(ApiToken::new("bad\u{7}token"));
    let error = ApiClient::new(config).unwrap_err();
    assert!(matches!(error, ApiError::InvalidRequest(_)));
    assert!(!error.to_string().contains("bad"));
}

#[tokio::test]
async fn calls_without_a_token_fail_before_sending() {
    let server = TestServer::start().await;
    let mut config = test_config(&server.url);
    config.token = None;
    let client = ApiClient::new(config).unwrap();
    let error = client.list_clusters().await.unwrap_err();
    assert!(matches!(error, ApiError::MissingToken));
    assert!(error.to_string().contains("`token`"));
    assert_eq!(client.request_count(), 0);
    assert!(server.requests().is_empty());

    let mut config = test_config(&server.url);
    config.token = Some(ApiToken::new("   "));
    let client = ApiClient::new(config).unwrap();
    assert!(matches!(
        client.list_access_policies().await,
        Err(ApiError::MissingToken)
    ));
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_without_sending() {
    let config = test_config(&Url::parse("http://api.coreweave.com").unwrap());
    let client = ApiClient::new(config).unwrap();
    let error = client.get_cluster("abc").await.unwrap_err();
    assert!(matches!(&error, ApiError::InsecureEndpoint { host } if host == "api.coreweave.com"));
    assert!(!error.to_string().contains(TOKEN));
    assert_eq!(client.request_count(), 0);
}

#[tokio::test]
async fn endpoint_path_prefix_is_kept_and_segments_are_encoded() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, serde_json::json!({"items": []})));
    let mut config = test_config(&server.url);
    config.endpoint = server.url.join("/prefix/?q=1#f").unwrap();
    let client = ApiClient::new(config).unwrap();
    client.list_clusters().await.unwrap();
    assert_eq!(server.requests()[0].path, "/prefix/v1beta1/cks/clusters");
    assert_eq!(server.requests()[0].query, None);
}

#[tokio::test]
async fn retries_429_and_503_then_succeeds_counting_attempts() {
    let server = TestServer::start().await;
    server.push(Reply::text(429, "slow down"));
    server.push(Reply::json(
        503,
        serde_json::json!({"code": 14, "message": "busy"}),
    ));
    server.push(Reply::json(
        200,
        serde_json::json!({"items": [{"id": "c1"}]}),
    ));
    let client = server.client(3);
    let clusters = client.list_clusters().await.unwrap();
    assert_eq!(clusters.len(), 1);
    assert_eq!(client.request_count(), 3);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn retry_after_replaces_the_backoff() {
    let server = TestServer::start().await;
    server.push(Reply::text(429, "").header("retry-after", "0"));
    server.push(Reply::json(200, serde_json::json!({"items": []})));
    let policy = RetryPolicy {
        max_retries: 2,
        base: Duration::from_secs(30),
        max_delay: Duration::from_secs(30),
    };
    let client = ApiClient::with_policy(test_config(&server.url), policy).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(2), client.list_clusters()).await;
    assert!(
        matches!(result, Ok(Ok(_))),
        "Retry-After: 0 was not honoured"
    );
    assert_eq!(client.request_count(), 2);
}

#[tokio::test]
async fn gives_up_after_max_retries_naming_host_status_and_attempts() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(Reply::json(
            503,
            serde_json::json!({"code": 14, "message": "overloaded"}),
        ));
    }
    let client = server.client(2);
    let error = client.list_clusters().await.unwrap_err();
    assert!(matches!(
        &error,
        ApiError::RetriesExhausted { attempts: 3, .. }
    ));
    assert_eq!(error.code(), Some(Code::Unavailable));
    assert_eq!(
        error.to_string(),
        format!(
            "http://127.0.0.1:{}: giving up after 3 attempts; last answer HTTP 503: unavailable: overloaded",
            server.url.port().unwrap()
        )
    );
    assert_eq!(client.request_count(), 3);
}

#[tokio::test]
async fn non_retryable_errors_are_returned_at_once() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        500,
        serde_json::json!({"code": 13, "message": "boom"}),
    ));
    let client = server.client(3);
    let error = client.list_clusters().await.unwrap_err();
    assert_eq!(error.to_string(), "internal: boom");
    assert_eq!(client.request_count(), 1);
}

#[tokio::test]
async fn refused_connections_trip_the_breaker_naming_the_endpoint_and_the_variable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    let client = ApiClient::with_policy(test_config(&url), test_server::fast_policy(5)).unwrap();
    let error = client.list_clusters().await.unwrap_err();
    let ApiError::Unreachable { last, tripped, .. } = &error else {
        panic!("unexpected {error:?}");
    };
    assert!(*tripped);
    assert!(matches!(
        last.as_ref(),
        ApiError::Transport { timed_out: false, method, url_path, .. }
            if method == "GET" && url_path == "/v1beta1/cks/clusters"
    ));
    let text = error.to_string();
    let endpoint = format!("http://127.0.0.1:{}", url.port().unwrap());
    assert!(
        text.starts_with(&format!("cannot connect to the CoreWeave API at {endpoint} (GET /v1beta1/cks/clusters: connection failed:")),
        "{text}"
    );
    assert!(
        text.contains(
            "after 2 such failures in a row the provider makes no more calls to it in this run"
        ),
        "{text}"
    );
    assert!(text.ends_with("Check `endpoint` in the provider block or the COREWEAVE_API_ENDPOINT environment variable."), "{text}");
    assert!(!text.contains(TOKEN));
    assert_eq!(
        client.request_count(),
        TRIP_AFTER as u64,
        "tripped before the budget of 6"
    );

    // Every later call of this client (and its clones) fails at once, sending nothing.
    let error = client.clone().get_cluster("c1").await.unwrap_err();
    assert!(
        matches!(error, ApiError::Unreachable { tripped: true, .. }),
        "{error:?}"
    );
    assert_eq!(client.request_count(), TRIP_AFTER as u64);
}

#[tokio::test]
async fn an_answer_between_failures_keeps_the_breaker_closed() {
    let server = TestServer::start().await;
    let mut config = test_config(&server.url);
    config.request_timeout = Duration::from_millis(80);
    let client = ApiClient::with_policy(config, test_server::fast_policy(0)).unwrap();
    let slow =
        || Reply::json(200, serde_json::json!({"items": []})).after(Duration::from_millis(400));
    server.push(slow());
    server.push(Reply::json(
        503,
        serde_json::json!({"code": 14, "message": "busy"}),
    ));
    server.push(slow());
    server.push(Reply::json(200, serde_json::json!({"items": []})));
    for _ in 0..3 {
        assert!(client.list_clusters().await.is_err());
    }
    client.list_clusters().await.unwrap();
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn timeouts_say_the_endpoint_did_not_answer_in_time() {
    let server = TestServer::start().await;
    server
        .push(Reply::json(200, serde_json::json!({"items": []})).after(Duration::from_millis(250)));
    let mut config = test_config(&server.url);
    config.request_timeout = Duration::from_millis(80);
    let client = ApiClient::with_policy(config, test_server::fast_policy(0)).unwrap();
    let error = client.list_clusters().await.unwrap_err();
    let ApiError::Unreachable {
        last,
        tripped: false,
        ..
    } = &error
    else {
        panic!("unexpected {error:?}");
    };
    assert!(matches!(
        last.as_ref(),
        ApiError::Transport {
            timed_out: true,
            ..
        }
    ));
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "the CoreWeave API at http://127.0.0.1:{} did not answer within 80ms (GET /v1beta1/cks/clusters).",
            server.url.port().unwrap()
        )),
        "{text}"
    );
    assert!(
        text.ends_with("or raise `request_timeout_seconds`."),
        "{text}"
    );
}

#[tokio::test]
async fn a_stop_aborts_the_request_in_flight_and_sends_nothing_after() {
    let server = TestServer::start().await;
    server
        .push(Reply::json(200, serde_json::json!({"items": []})).after(Duration::from_secs(3600)));
    let stop = tokio_util::sync::CancellationToken::new();
    let client = server.client_with_stop(3, &stop);
    let stopper = async {
        while server.requests().is_empty() {
            tokio::task::yield_now().await;
        }
        stop.cancel();
    };
    let (result, ()) = tokio::join!(client.list_clusters(), stopper);
    let error = result.unwrap_err();
    assert!(
        matches!(&error, ApiError::Interrupted { phase: Phase::InFlight, request, last: None } if request == "GET /v1beta1/cks/clusters"),
        "{error:?}"
    );
    assert!(
        error.outcome_unknown(),
        "a write abandoned in flight may have been applied"
    );
    let error = client.list_clusters().await.unwrap_err();
    assert!(
        matches!(
            &error,
            ApiError::Interrupted {
                phase: Phase::BeforeSending,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.outcome_unknown());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_token_names_where_to_fix_it() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        401,
        serde_json::json!({"code": 16, "message": "bad token"}),
    ));
    let error = server.client(3).list_clusters().await.unwrap_err();
    assert!(
        matches!(error, ApiError::CredentialsRefused { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(Code::Unauthenticated));
    assert_eq!(
        error.to_string(),
        "unauthenticated: bad token: the CoreWeave API refused the API token: check `token` in the \
         provider block or the COREWEAVE_API_TOKEN environment variable"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn cross_host_redirects_are_not_followed() {
    let server = TestServer::start().await;
    let elsewhere = TestServer::start().await;
    let target = format!(
        "http://localhost:{}/v1beta1/cks/clusters",
        elsewhere.url.port().unwrap()
    );
    server.push(Reply::text(307, "").header("location", &target));
    let client = server.client(3);
    let error = client.list_clusters().await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Unexpected { http_status: 307, path, .. } if path == "/v1beta1/cks/clusters"),
        "{error:?}"
    );
    assert!(elsewhere.requests().is_empty());
    assert_eq!(client.request_count(), 1);
}

#[tokio::test]
async fn same_origin_redirects_are_followed_at_most_five_times() {
    let server = TestServer::start().await;
    server.push(Reply::text(308, "").header("location", "/v1beta1/cks/clusters2"));
    server.push(Reply::json(200, serde_json::json!({"items": []})));
    let client = server.client(0);
    client.list_clusters().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests[1].path, "/v1beta1/cks/clusters2");
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    let looping = TestServer::start().await;
    for _ in 0..7 {
        looping.push(Reply::text(302, "").header("location", "/again"));
    }
    let error = looping.client(0).list_clusters().await.unwrap_err();
    assert!(
        matches!(
            error,
            ApiError::Unexpected {
                http_status: 302,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(looping.requests().len(), 6);
}

#[tokio::test]
async fn a_token_echoed_by_the_server_is_redacted() {
    let server = TestServer::start().await;
    server.push(Reply::text(
        502,
        &format!("<html>bad header Authorization: Bearer {TOKEN}</html>"),
    ));
    let error = server.client(0).list_clusters().await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("Bearer ***"), "{text}");
}

#[tokio::test]
async fn debug_logs_name_each_attempt_but_never_the_token() {
    #[derive(Clone, Default)]
    struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = crate::test_log::set_default(subscriber);

    let server = TestServer::start().await;
    server.push(Reply::text(503, &format!("token {TOKEN} rejected")));
    server.push(Reply::text(503, &format!("token {TOKEN} rejected")));
    let error = server.client(1).list_clusters().await.unwrap_err();
    assert!(!error.to_string().contains(TOKEN));

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains(TOKEN), "{logs}");
    assert!(
        !logs.to_ascii_lowercase().contains("authorization"),
        "{logs}"
    );
    assert_eq!(logs.matches("DEBUG coreweave::api").count(), 2, "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("status=503"), "{logs}");
    assert!(
        logs.contains("WARN") && logs.contains("giving up"),
        "{logs}"
    );
}

#[tokio::test]
async fn oversized_and_malformed_success_bodies_are_errors() {
    let server = TestServer::start().await;
    server.push(
        Reply::json(200, serde_json::json!({"items": []})).header("content-type", "text/html"),
    );
    server.push(Reply::text(200, "not json").header("content-type", "application/json"));
    server.push(Reply::json(
        200,
        serde_json::json!({"items": [], "x": " ".repeat(3 << 20)}),
    ));
    let client = ApiClient::with_answer_limit(
        test_config(&server.url),
        test_server::fast_policy(0),
        2 << 20,
    )
    .unwrap();
    for problem in ["the content type is", "the body is not JSON"] {
        let error = client.list_clusters().await.unwrap_err();
        assert!(
            matches!(&error, ApiError::Malformed { path, http_status: 200, .. } if path == "/v1beta1/cks/clusters"),
            "{error:?}"
        );
        assert!(error.to_string().contains(problem), "{error}");
        assert!(!error.outcome_unknown());
    }
    let error = client.list_clusters().await.unwrap_err();
    assert!(
        matches!(&error, ApiError::Unexpected { http_status: 200, body, .. } if body.contains("2 MiB")),
        "{error:?}"
    );
    assert_eq!(MAX_SUCCESS_BODY_BYTES, 256 << 20);
}

#[tokio::test]
async fn a_list_of_policies_larger_than_16_mib_is_read_whole() {
    let server = TestServer::start().await;
    let statement = serde_json::json!({"name": "s", "effect": "Allow", "actions": ["s3:GetObject"],
        "resources": ["bkt/*"], "principals": ["x".repeat(4096)]});
    let policies: Vec<_> = (0..4500)
        .map(|i| serde_json::json!({"version": "v1alpha1", "name": format!("p{i}"), "statements": [statement]}))
        .collect();
    let body = serde_json::json!({ "policies": policies });
    assert!(body.to_string().len() > 17 << 20);
    server.push(Reply::json(200, body));
    let policies = server.client(0).list_access_policies().await.unwrap();
    assert_eq!(policies.len(), 4500);
    assert_eq!(policies[4499].name, "p4499");
}

#[tokio::test]
async fn huge_error_bodies_are_read_only_up_to_a_mebibyte() {
    let server = TestServer::start().await;
    server.push(Reply::text(500, &"e".repeat(3 * MAX_ERROR_BODY_BYTES)));
    let error = server.client(0).list_clusters().await.unwrap_err();
    let ApiError::Unexpected { body, .. } = &error else {
        panic!("unexpected {error:?}");
    };
    assert_eq!(body.chars().count(), crate::api::status::SNIPPET_CHARS);
}

#[tokio::test]
async fn a_failure_after_an_attempt_that_may_have_taken_effect_leaves_the_outcome_unknown() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        502,
        json!({"code": 14, "message": "bad gateway"}),
    ));
    server.push(Reply::json(
        503,
        json!({"code": 14, "message": "unavailable"}),
    ));
    server.push(Reply::json(400, json!({"code": 9, "message": "busy"})));
    let client = server.client(2);
    let error = client.list_clusters().await.unwrap_err();
    assert!(
        matches!(&error, ApiError::AfterLostAnswer { lost, .. } if lost.http_status() == Some(502)),
        "{error:?}"
    );
    assert!(error.outcome_unknown());
    assert_eq!(
        error.code(),
        Some(Code::FailedPrecondition),
        "the last answer's code"
    );
    assert_eq!(error.http_status(), Some(400));
    let text = error.to_string();
    assert!(
        text.contains("busy")
            && text.contains("may have taken effect")
            && text.contains("bad gateway"),
        "{text}"
    );
}

#[tokio::test]
async fn refusals_alone_leave_the_outcome_known() {
    let server = TestServer::start().await;
    server.push(Reply::json(429, json!({"code": 8, "message": "slow down"})));
    server.push(Reply::json(
        503,
        json!({"code": 14, "message": "unavailable"}),
    ));
    let error = server.client(1).list_clusters().await.unwrap_err();
    assert!(
        matches!(error, ApiError::RetriesExhausted { .. }),
        "{error:?}"
    );
    assert!(!error.outcome_unknown());
}
