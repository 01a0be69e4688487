//! A tiny in-process HTTP server for the client's tests: it records every request (method,
//! path, query, headers, body) and answers with scripted replies, in order; it also stands in
//! for the S3 endpoint (S3 clients whose keys it issues, XML and S3 error replies).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Router;
use url::Url;

use super::{ApiClient, ApiToken, ClientConfig, RetryPolicy, S3Client, S3Config};

/// The token every test client sends.
pub(crate) const TOKEN: &str = "test-token-5ecret";
/// The S3 secret key of [`Reply::s3_key`].
pub(crate) const S3_SECRET: &str = "s3-secret-d0-not-print";
/// The user agent every test client sends.
pub(crate) const USER_AGENT: &str = "terraform-provider-coreweave/test";

/// A request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    /// Path exactly as sent (still percent-encoded).
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    /// A header value as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body parsed as JSON (`null` when empty).
    pub(crate) fn json(&self) -> serde_json::Value {
        if self.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&self.body).expect("request body is JSON")
        }
    }
}

/// A scripted reply.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    /// A JSON reply.
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// A plain-text reply.
    pub(crate) fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// An XML reply (an S3 answer).
    pub(crate) fn xml(status: u16, body: &str) -> Self {
        Reply::text(status, body).header("content-type", "application/xml")
    }

    /// An S3 error document with `code`.
    pub(crate) fn s3_error(status: u16, code: &str) -> Self {
        Reply::xml(
            status,
            &format!(
                "<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>m</Message></Error>"
            ),
        )
    }

    /// The API's answer to `POST /v1/cwobject/access-key`: key `id` with [`S3_SECRET`].
    pub(crate) fn s3_key(id: &str) -> Self {
        Reply::json(
            200,
            serde_json::json!({"accessKeyId": id, "secretKey": S3_SECRET,
                               "principalName": "coreweave/u1", "expiry": "2099-01-01T00:00:00Z"}),
        )
    }

    /// Sets a header (replacing one of the same name).
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering.
    pub(crate) fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Script {
    requests: Vec<Recorded>,
    replies: VecDeque<Reply>,
}

type Shared = Arc<Mutex<Script>>;

/// The running server.
pub(crate) struct TestServer {
    /// Base URL, `http://127.0.0.1:<port>/`.
    pub(crate) url: Url,
    script: Shared,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with an ephemeral port.
    pub(crate) async fn start() -> Self {
        let script = Shared::default();
        let app = Router::new().fallback(handle).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        TestServer {
            url: Url::parse(&format!("http://{address}/")).expect("server URL"),
            script,
        }
    }

    /// Queues a reply for the next unanswered request.
    pub(crate) fn push(&self, reply: Reply) {
        lock(&self.script).replies.push_back(reply);
    }

    /// Every request received so far.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        lock(&self.script).requests.clone()
    }

    /// A client for this server with near-zero backoff and `max_retries` retries.
    pub(crate) fn client(&self, max_retries: u32) -> ApiClient {
        ApiClient::with_policy(test_config(&self.url), fast_policy(max_retries))
            .expect("test client")
    }

    /// [`TestServer::client`] whose retries and waits end when `stop` is cancelled.
    pub(crate) fn client_with_stop(
        &self,
        max_retries: u32,
        stop: &tokio_util::sync::CancellationToken,
    ) -> ApiClient {
        let config = ClientConfig {
            stop: stop.clone(),
            ..test_config(&self.url)
        };
        ApiClient::with_policy(config, fast_policy(max_retries)).expect("test client")
    }
}

impl TestServer {
    /// An S3 client of this server (the API and the S3 endpoint both), near-zero backoff and
    /// two retries; a fresh key's refusal is tried again for `grace`.
    pub(crate) fn s3_client(&self, grace: Duration) -> S3Client {
        let stop = tokio_util::sync::CancellationToken::new();
        self.s3_client_with(S3Config::for_tests(&self.url, &stop), grace, 2)
    }

    /// An S3 client of `config`, whose keys this server issues.
    pub(crate) fn s3_client_with(
        &self,
        config: S3Config,
        grace: Duration,
        retries: u32,
    ) -> S3Client {
        S3Client::with_timing(
            self.client_with_stop(retries, &config.stop),
            config,
            fast_policy(retries),
            grace,
            Duration::from_millis(1),
        )
        .expect("s3 client")
    }
}

impl S3Config {
    /// Settings for tests: `endpoint`, 2 s timeout, two retries.
    pub(crate) fn for_tests(endpoint: &Url, stop: &tokio_util::sync::CancellationToken) -> Self {
        S3Config {
            endpoint: endpoint.clone(),
            request_timeout: Duration::from_secs(2),
            max_retries: 2,
            user_agent: USER_AGENT.to_string(),
            stop: stop.clone(),
        }
    }
}

/// Client settings for tests: test token and user agent, 2 s timeout.
pub(crate) fn test_config(endpoint: &Url) -> ClientConfig {
    ClientConfig {
        endpoint: endpoint.clone(),
        token: Some(ApiToken::new(TOKEN)),
        bearer_source: None,
        request_timeout: Duration::from_secs(2),
        max_retries: 3,
        user_agent: USER_AGENT.to_string(),
        stop: tokio_util::sync::CancellationToken::new(),
    }
}

/// A retry policy with millisecond delays.
pub(crate) fn fast_policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

fn lock(script: &Shared) -> std::sync::MutexGuard<'_, Script> {
    script.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn handle(State(script): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map(|bytes| bytes.to_vec())
        .unwrap_or_default();
    let reply = {
        let mut script = lock(&script);
        script.requests.push(Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers,
            body,
        });
        script.replies.pop_front()
    }
    .unwrap_or_else(|| Reply::text(500, "test server: no scripted reply left"));
    if !reply.delay.is_zero() {
        // A late answer is what the script asked for (the client's timeouts and sharing are
        // under test): real time passing is the point.
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response
        .body(Body::from(reply.body))
        .expect("scripted reply is a valid response")
}
