//! Typed client for the CoreWeave APIs this provider uses: CKS clusters and AI Object Storage
//! organization access policies (REST JSON), and workload identity federation OIDC
//! configurations (Connect JSON).
//!
//! One [`ApiClient`] (cheap to clone) is shared by every resource. All calls go through one
//! request path that adds the bearer token, retries by [`RetryPolicy`], decodes error bodies into
//! [`ApiError`] and logs each attempt (target `coreweave::api`) without ever logging the token.

pub mod cks;
pub mod cwobject;
pub mod error;
pub mod identity;
pub mod retry;
mod shared_list;
#[cfg(test)]
pub(crate) mod test_server;
pub mod workload_federation;
pub mod workload_identity;

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio_util::sync::CancellationToken;
use url::{Host, Url};

pub use cks::{Cluster, ClusterOidc, ClusterStatus, OidcUpdate, UpdateClusterRequest};
pub use cwobject::{AccessPolicy, PolicyStatement, ACCESS_POLICY_VERSION};
pub use error::{ApiError, ApiStatus, Code, ErrorDetail};
pub use identity::Principal;
pub use retry::RetryPolicy;
pub use workload_federation::{CreateOidcConfig, OidcConfig, UpdateOidcConfig};
pub use workload_identity::WorkloadIdentity;

use retry::{Idempotency, Outcome, Verdict};

/// Largest error body read from the server; the rest is discarded.
const MAX_ERROR_BODY_BYTES: usize = 1024 * 1024;
/// Largest successful body read from the server; a larger one is an error.
const MAX_SUCCESS_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Most redirects followed (and only within the endpoint's scheme, host and port).
const MAX_REDIRECTS: usize = 5;

/// The `User-Agent` this provider sends: `terraform-provider-coreweave/<version>`.
pub fn default_user_agent() -> String {
    format!("terraform-provider-coreweave/{}", env!("CARGO_PKG_VERSION"))
}

/// A CoreWeave API access token. `Debug` and `Display` print `***`, never the token.
#[derive(Clone)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token; surrounding whitespace (a trailing newline from a file) is removed.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        ApiToken(token.trim().to_string())
    }

    /// The secret itself, only for building the `Authorization` header and redacting.
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Settings of an [`ApiClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://api.coreweave.com` (a path prefix is kept).
    pub endpoint: Url,
    /// API token; calls fail with [`ApiError::MissingToken`] without one (or workload identity).
    pub token: Option<ApiToken>,
    /// Authentication from a CI OIDC token instead of `token`.
    pub workload_identity: Option<WorkloadIdentity>,
    /// Timeout of each HTTP request (each retry gets a fresh one).
    pub request_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// `User-Agent` header value.
    pub user_agent: String,
    /// Cancelled when Terraform asks the provider to stop: every retry pause and wait ends at
    /// once (a request in flight is never abandoned, so its outcome is always known).
    pub stop: CancellationToken,
}

/// The CoreWeave API client. Cloning is cheap and clones share connections, the request
/// counter and the shared lists of access policies and OIDC configurations.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    token: Option<ApiToken>,
    authorization: Option<HeaderValue>,
    workload_identity: Option<workload_identity::BearerCache>,
    policy: RetryPolicy,
    request_timeout: Duration,
    requests: AtomicU64,
    stop: CancellationToken,
    access_policies: shared_list::SharedList<AccessPolicy>,
    oidc_configs: shared_list::SharedList<OidcConfig>,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("token", &self.inner.token)
            .field("workload_identity", &self.inner.workload_identity.is_some())
            .field("policy", &self.inner.policy)
            .finish()
    }
}

/// Which wire protocol an endpoint speaks (decides how error bodies are read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Rest,
    Connect,
}

/// One API call, ready to be sent (and re-sent).
struct Call {
    method: Method,
    url: Url,
    body: Option<Vec<u8>>,
    protocol: Protocol,
    idempotency: Idempotency,
    /// Sent without credentials (the token exchange itself).
    anonymous: bool,
}

impl Call {
    /// Attaches a JSON body.
    fn json(mut self, body: &impl Serialize) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ApiError::InvalidRequest(format!("could not encode the request body: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Marks the call as not safe to repeat blindly.
    fn non_idempotent(mut self) -> Self {
        self.idempotency = Idempotency::NonIdempotent;
        self
    }

    /// Marks the call as sent without an `Authorization` header.
    fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }

    fn path(&self) -> &str {
        self.url.path()
    }
}

/// A call that failed after the retry loop; `outcome_unknown` means a non-idempotent call may
/// have taken effect and must be reconciled by the caller.
struct Failure {
    error: ApiError,
    outcome_unknown: bool,
    retry_after: Option<Duration>,
}

/// One failed HTTP attempt.
struct AttemptFailure {
    error: ApiError,
    outcome: Outcome,
    retry_after: Option<Duration>,
}

impl ApiClient {
    /// Builds a client. Fails for an endpoint that is not an absolute `http(s)://` URL or that
    /// carries credentials, and for a token that cannot be sent in an HTTP header.
    /// A missing token is not an error here: calls report it.
    pub fn new(config: ClientConfig) -> Result<ApiClient, ApiError> {
        let policy = RetryPolicy::new(config.max_retries);
        Self::with_policy(config, policy)
    }

    fn with_policy(config: ClientConfig, policy: RetryPolicy) -> Result<ApiClient, ApiError> {
        let mut endpoint = config.endpoint;
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        match check_endpoint(&endpoint) {
            // Refused per request instead ([`ApiError::InsecureEndpoint`]), before any token is sent.
            Ok(()) | Err(EndpointError::PlainHttp) => {}
            Err(e) => {
                return Err(ApiError::InvalidRequest(format!(
                    "the endpoint {endpoint} {e}"
                )))
            }
        }

        let token = config.token.filter(|token| !token.expose().is_empty());
        let authorization = match &token {
            Some(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| {
                        ApiError::InvalidRequest(
                            "the API token contains characters that cannot be sent in an HTTP header"
                                .to_string(),
                        )
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };

        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(config.user_agent)
            .timeout(config.request_timeout)
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| {
                ApiError::InvalidRequest(format!("could not build the HTTP client: {e}"))
            })?;

        Ok(ApiClient {
            inner: Arc::new(Inner {
                http,
                endpoint,
                token,
                authorization,
                workload_identity: config
                    .workload_identity
                    .map(workload_identity::BearerCache::new),
                policy,
                request_timeout: config.request_timeout,
                requests: AtomicU64::new(0),
                stop: config.stop,
                access_policies: shared_list::SharedList::default(),
                oidc_configs: shared_list::SharedList::default(),
            }),
        })
    }

    /// Total HTTP requests attempted by this client and its clones, retries included.
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// The endpoint's host, for messages.
    fn host(&self) -> String {
        self.inner
            .endpoint
            .host_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A REST call to `segments` under the endpoint (each segment percent-encoded).
    fn rest_call(&self, method: Method, segments: &[&str]) -> Call {
        self.call(method, Protocol::Rest, segments)
    }

    /// A Connect unary call of `procedure` on `service` with a JSON body.
    fn connect_call(
        &self,
        service: &str,
        procedure: &str,
        body: &impl Serialize,
    ) -> Result<Call, ApiError> {
        self.call(Method::POST, Protocol::Connect, &[service, procedure])
            .json(body)
    }

    fn call(&self, method: Method, protocol: Protocol, segments: &[&str]) -> Call {
        let mut url = self.inner.endpoint.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        Call {
            method,
            url,
            body: None,
            protocol,
            idempotency: Idempotency::Idempotent,
            anonymous: false,
        }
    }

    /// Sends an idempotent call with retries and decodes its JSON answer.
    async fn execute<T: DeserializeOwned>(&self, call: &Call) -> Result<T, ApiError> {
        let mut retries = 0;
        let body = self
            .send(call, &mut retries)
            .await
            .map_err(|failure| failure.error)?;
        decode(call, &body)
    }

    /// Sends `call` until it succeeds, fails for good, or (non-idempotent calls only) ends with
    /// an unknown outcome. `retries` counts the retries made so far and is shared with a
    /// caller's reconcile loop so that the budget covers both.
    async fn send(&self, call: &Call, retries: &mut u32) -> Result<Vec<u8>, Failure> {
        let refused = |error| Failure {
            error,
            outcome_unknown: false,
            retry_after: None,
        };
        let mut authorization = self.authorization(call).await.map_err(refused)?;
        let mut reauthenticated = false;
        loop {
            let failed = match self.attempt(call, authorization.as_ref(), *retries).await {
                Ok(body) => return Ok(body),
                Err(failed) => failed,
            };
            // A workload identity bearer refused as unauthenticated (it expired in flight, or
            // the clocks disagree) is replaced once, and the call repeated.
            if let (Some(cache), Some(sent), Outcome::Status(401), false) = (
                &self.inner.workload_identity,
                &authorization,
                failed.outcome,
                reauthenticated,
            ) {
                cache.forget(sent).await;
                authorization = self.authorization(call).await.map_err(refused)?;
                reauthenticated = true;
                continue;
            }
            match self.inner.policy.verdict(failed.outcome, call.idempotency) {
                Verdict::Fail => {
                    return Err(Failure {
                        error: failed.error,
                        outcome_unknown: false,
                        retry_after: None,
                    })
                }
                Verdict::Reconcile => {
                    return Err(Failure {
                        error: failed.error,
                        outcome_unknown: true,
                        retry_after: failed.retry_after,
                    })
                }
                Verdict::Retry => self
                    .back_off(call, retries, failed.error, failed.retry_after)
                    .await
                    .map_err(|error| Failure {
                        error,
                        outcome_unknown: false,
                        retry_after: None,
                    })?,
            }
        }
    }

    /// Waits before the next retry, or gives up with [`ApiError::RetriesExhausted`] when the
    /// budget is spent.
    async fn back_off(
        &self,
        call: &Call,
        retries: &mut u32,
        last: ApiError,
        retry_after: Option<Duration>,
    ) -> Result<(), ApiError> {
        if *retries >= self.inner.policy.max_retries {
            let attempts = *retries + 1;
            tracing::warn!(
                target: "coreweave::api",
                method = %call.method,
                path = call.path(),
                attempts,
                error = %last,
                "giving up on CoreWeave API request"
            );
            return Err(ApiError::RetriesExhausted {
                host: self.host(),
                attempts,
                last: Box::new(last),
            });
        }
        let delay = self.inner.policy.delay(*retries, retry_after);
        *retries += 1;
        if self.pause(delay).await {
            Ok(())
        } else {
            Err(ApiError::Interrupted {
                last: Box::new(last),
            })
        }
    }

    /// Sleeps for `delay`; `false` (at once) when Terraform asks the provider to stop first.
    pub async fn pause(&self, delay: Duration) -> bool {
        let stop = &self.inner.stop;
        if stop.is_cancelled() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => true,
            () = stop.cancelled() => false,
        }
    }

    /// The `Authorization` header for `call` (none for an anonymous one), after the pre-flight
    /// checks: credentials exist, and they (or the anonymous call's secret body) would go over
    /// https or to a loopback host only.
    async fn authorization(&self, call: &Call) -> Result<Option<HeaderValue>, ApiError> {
        let workload_identity = self.inner.workload_identity.as_ref();
        if !call.anonymous && workload_identity.is_none() && self.inner.authorization.is_none() {
            return Err(ApiError::MissingToken);
        }
        let url = &call.url;
        if url.scheme() != "https" && !is_loopback_host(url.host()) {
            return Err(ApiError::InsecureEndpoint {
                host: url.host_str().unwrap_or_default().to_string(),
            });
        }
        match workload_identity {
            _ if call.anonymous => Ok(None),
            // Boxed: the exchange is itself a (credential-free) call through `send`.
            Some(cache) => Box::pin(self.workload_identity_authorization(cache))
                .await
                .map(Some),
            None => Ok(self.inner.authorization.clone()),
        }
    }

    /// One HTTP exchange, logged.
    async fn attempt(
        &self,
        call: &Call,
        authorization: Option<&HeaderValue>,
        retry: u32,
    ) -> Result<Vec<u8>, AttemptFailure> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header(ACCEPT, "application/json");
        if let Some(authorization) = authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        if call.protocol == Protocol::Connect {
            request = request.header("connect-protocol-version", "1");
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let started = Instant::now();
        let result = self.exchange(call, request).await;
        let status = match &result {
            Ok((status, _)) => status.to_string(),
            Err(failed) => match failed.outcome {
                Outcome::Status(status) => status.to_string(),
                Outcome::ConnectFailed => "connect-error".to_string(),
                Outcome::Interrupted => match &failed.error {
                    ApiError::Transport {
                        timed_out: true, ..
                    } => "timeout".to_string(),
                    _ => "transport-error".to_string(),
                },
            },
        };
        tracing::debug!(
            target: "coreweave::api",
            method = %call.method,
            path = call.path(),
            status = %status,
            duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempt = retry + 1,
            "CoreWeave API request"
        );
        result.map(|(_, body)| body)
    }

    async fn exchange(
        &self,
        call: &Call,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), AttemptFailure> {
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(call, e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| retry::parse_retry_after(value, SystemTime::now()));
        let success = (200..300).contains(&status);
        let limit = if success {
            MAX_SUCCESS_BODY_BYTES
        } else {
            MAX_ERROR_BODY_BYTES
        };
        let (body, truncated) = read_limited(response, limit)
            .await
            .map_err(|e| self.transport_failure(call, e))?;
        if success && !truncated {
            return Ok((status, body));
        }
        let error = if success {
            ApiError::Unexpected {
                http_status: status,
                body: format!(
                    "the answer is larger than {} MiB",
                    MAX_SUCCESS_BODY_BYTES / (1024 * 1024)
                ),
                path: call.path().to_string(),
            }
        } else {
            let text = self.redact(String::from_utf8_lossy(&body));
            match call.protocol {
                Protocol::Rest => error::rest_error(status, &text, call.path()),
                Protocol::Connect => error::connect_error(status, &text, call.path()),
            }
        };
        Err(AttemptFailure {
            error,
            outcome: Outcome::Status(status),
            retry_after,
        })
    }

    fn transport_failure(&self, call: &Call, error: reqwest::Error) -> AttemptFailure {
        let timed_out = error.is_timeout();
        let outcome = if error.is_connect() {
            Outcome::ConnectFailed
        } else {
            Outcome::Interrupted
        };
        let detail = if timed_out {
            format!("timed out after {:?}", self.inner.request_timeout)
        } else {
            let mut innermost: &dyn std::error::Error = &error;
            while let Some(source) = innermost.source() {
                innermost = source;
            }
            let what = if outcome == Outcome::ConnectFailed {
                "connection failed"
            } else {
                "request failed"
            };
            format!("{what}: {}", self.redact(Cow::Owned(innermost.to_string())))
        };
        AttemptFailure {
            error: ApiError::Transport {
                method: call.method.to_string(),
                url_path: call.path().to_string(),
                detail,
                timed_out,
                source: Arc::new(error),
            },
            outcome,
            retry_after: None,
        }
    }

    /// Replaces any occurrence of a secret (the token, CI tokens, bearers) in server text.
    fn redact(&self, text: Cow<'_, str>) -> String {
        let mut secrets: Vec<String> = self
            .inner
            .token
            .iter()
            .map(|t| t.expose().to_string())
            .collect();
        if let Some(cache) = &self.inner.workload_identity {
            secrets.extend(cache.secrets());
        }
        let mut text = text.into_owned();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "***");
            }
        }
        text
    }
}

/// Decodes a successful JSON answer; an empty body counts as `{}`.
fn decode<T: DeserializeOwned>(call: &Call, body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|source| ApiError::Decode {
        path: call.path().to_string(),
        source: Arc::new(source),
    })
}

/// Reads at most `limit` bytes of the body; the flag tells whether more was left unread.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Follows at most [`MAX_REDIRECTS`] redirects, and only to the same scheme, host and port;
/// otherwise the 3xx answer itself is returned (and reported as unexpected).
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// True when `host` is a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`): the one place
/// that decides where plain `http://` may carry the token.
pub fn is_loopback_host(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why a URL cannot be the API endpoint (or another base URL the token may be sent to).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Neither `https` nor `http`.
    #[error("must use https://, not {0}://")]
    Scheme(String),
    /// Plain `http` to a host that is not loopback.
    #[error("must use https://; plain http:// is allowed only for a loopback host (localhost, 127.0.0.1, [::1]) so that the API token never crosses a network in clear text")]
    PlainHttp,
    /// No host.
    #[error("has no host")]
    NoHost,
    /// A user name or password in the URL.
    #[error("must not carry credentials; use `token`")]
    Credentials,
    /// A query or fragment.
    #[error("must not have a query or fragment")]
    QueryOrFragment,
}

/// The one endpoint check: `https://` (or `http://` to a loopback host), a host, no
/// credentials, no query or fragment.
pub fn check_endpoint(url: &Url) -> Result<(), EndpointError> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(url.host()) => {}
        "http" => return Err(EndpointError::PlainHttp),
        other => return Err(EndpointError::Scheme(other.to_string())),
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(EndpointError::NoHost);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::Credentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointError::QueryOrFragment);
    }
    Ok(())
}

/// Checks that a required request value is not empty.
fn required<'a>(what: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value.is_empty() {
        return Err(ApiError::InvalidRequest(format!(
            "{what} must not be empty"
        )));
    }
    Ok(value)
}

/// Checks a value that becomes one URL path segment (it is percent-encoded when used).
fn path_param<'a>(what: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value == "." || value == ".." {
        return Err(ApiError::InvalidRequest(format!(
            "{what} {value:?} cannot be used in a URL path"
        )));
    }
    required(what, value)
}

/// Deserializes an optional string where `""` and `null` both mean absent.
fn empty_as_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.filter(|value| !value.is_empty()))
}

/// Serializes a field mask as protojson does: one comma-joined string of paths.
fn comma_joined<S: Serializer>(paths: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&paths.join(","))
}

#[cfg(test)]
mod tests {
    use super::test_server::{test_config, Reply, TestServer, TOKEN};
    use super::*;

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

    #[test]
    fn loopback_hosts_are_recognised() {
        for (url, loopback) in [
            ("http://localhost:8080", true),
            ("http://LOCALHOST", true),
            ("http://127.0.0.1", true),
            ("http://127.8.9.10:1", true),
            ("http://[::1]:99", true),
            ("http://10.0.0.1", false),
            ("http://localhost.example.com", false),
            ("http://api.coreweave.com", false),
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(is_loopback_host(url.host()), loopback, "{url}");
        }
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
        assert!(
            matches!(&error, ApiError::InsecureEndpoint { host } if host == "api.coreweave.com")
        );
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
            "127.0.0.1: giving up after 3 attempts; last answer HTTP 503: unavailable: overloaded"
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
    async fn connection_refused_is_retried_then_reported_as_transport() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        drop(listener);
        let client =
            ApiClient::with_policy(test_config(&url), test_server::fast_policy(1)).unwrap();
        let error = client.list_clusters().await.unwrap_err();
        let ApiError::RetriesExhausted { attempts, last, .. } = &error else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(*attempts, 2);
        assert!(matches!(
            last.as_ref(),
            ApiError::Transport { timed_out: false, method, url_path, .. }
                if method == "GET" && url_path == "/v1beta1/cks/clusters"
        ));
        assert!(error.to_string().contains("connection failed"), "{error}");
        assert!(!error.to_string().contains(TOKEN));
        assert_eq!(client.request_count(), 2);
    }

    #[tokio::test]
    async fn timeouts_say_timed_out() {
        let server = TestServer::start().await;
        server.push(
            Reply::json(200, serde_json::json!({"items": []})).after(Duration::from_millis(250)),
        );
        let mut config = test_config(&server.url);
        config.request_timeout = Duration::from_millis(80);
        let client = ApiClient::with_policy(config, test_server::fast_policy(0)).unwrap();
        let error = client.list_clusters().await.unwrap_err();
        let ApiError::RetriesExhausted { last, .. } = &error else {
            panic!("unexpected {error:?}");
        };
        assert!(matches!(
            last.as_ref(),
            ApiError::Transport {
                timed_out: true,
                ..
            }
        ));
        assert!(
            error.to_string().contains("timed out after 80ms"),
            "{error}"
        );
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
        server.push(Reply::text(200, "not json"));
        server.push(Reply::text(200, &" ".repeat(MAX_SUCCESS_BODY_BYTES + 1)));
        let client = server.client(0);
        let error = client.list_clusters().await.unwrap_err();
        assert!(
            matches!(&error, ApiError::Decode { path, .. } if path == "/v1beta1/cks/clusters"),
            "{error:?}"
        );
        let error = client.list_clusters().await.unwrap_err();
        assert!(
            matches!(&error, ApiError::Unexpected { http_status: 200, body, .. } if body.contains("16 MiB")),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn huge_error_bodies_are_read_only_up_to_a_mebibyte() {
        let server = TestServer::start().await;
        server.push(Reply::text(500, &"e".repeat(3 * MAX_ERROR_BODY_BYTES)));
        let error = server.client(0).list_clusters().await.unwrap_err();
        let ApiError::Unexpected { body, .. } = &error else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(body.chars().count(), error::SNIPPET_CHARS);
    }
}
