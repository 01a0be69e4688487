//! The request path: one [`ApiClient`] (cheap to clone) shared by every resource. All calls go
//! through [`ApiClient::send`], which adds the bearer token, retries by [`RetryPolicy`], decodes
//! error bodies into [`ApiError`] and logs each attempt (target `coreweave::api`) without ever
//! logging the token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::shared_list::SharedLists;

pub(super) use call::Call;

use super::answer;
use super::breaker::Breaker;
use super::credentials::{bearer_header, redact, ApiToken};
use super::endpoint::{
    check_endpoint, endpoint_label, is_loopback_host, same_origin_redirects, without_credentials,
    EndpointError,
};
use super::error::{ApiError, Phase, Service};
use super::retry::{Idempotency, Outcome, RetryPolicy, Verdict};

/// Largest error body read from the server; the rest is discarded.
const MAX_ERROR_BODY_BYTES: usize = 1024 * 1024;
/// Largest successful body read from the server; a larger one is an error. The list of access
/// policies has no paging and grows with the organization, so this is far above any real list
/// (a policy takes about 1 KiB: some 250 000 of them) and only bounds the memory a broken or
/// hostile server can make the provider use; the request timeout bounds the time.
pub(super) const MAX_SUCCESS_BODY_BYTES: usize = 256 * 1024 * 1024;

/// The `User-Agent` this provider sends: `terraform-provider-coreweave/<version>`.
pub fn default_user_agent() -> String {
    format!("terraform-provider-coreweave/{}", env!("CARGO_PKG_VERSION"))
}

/// Settings of an [`ApiClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://api.coreweave.com` (a path prefix is kept).
    pub endpoint: Url,
    /// API token; calls fail with [`ApiError::MissingToken`] without one (or a bearer source).
    pub token: Option<ApiToken>,
    /// Short-lived bearer tokens instead of `token` (workload identity: a CI OIDC token exchanged).
    pub bearer_source: Option<Arc<dyn BearerSource>>,
    /// Timeout of each HTTP request (each retry gets a fresh one).
    pub request_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// `User-Agent` header value.
    pub user_agent: String,
    /// Cancelled when Terraform asks the provider to stop: requests in flight are abandoned and
    /// every retry pause and wait ends at once ([`ApiError::Interrupted`]); a write abandoned in
    /// flight has an unknown outcome.
    pub stop: CancellationToken,
}

/// The CoreWeave API client. Cloning is cheap and clones share connections, the request
/// counter and the shared lists of access policies and OIDC configurations.
#[derive(Clone)]
pub struct ApiClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    /// `scheme://host:port[/prefix]`, for messages.
    endpoint_label: String,
    token: Option<ApiToken>,
    authorization: Option<HeaderValue>,
    bearer_source: Option<Arc<dyn BearerSource>>,
    policy: RetryPolicy,
    request_timeout: Duration,
    requests: AtomicU64,
    stop: CancellationToken,
    breaker: Breaker,
    /// Largest successful body read ([`MAX_SUCCESS_BODY_BYTES`]; smaller in tests).
    max_answer_bytes: usize,
    /// Which endpoint this client calls, for messages.
    service: Service,
    /// The shared list of each list endpoint (access policies, OIDC configurations).
    pub(super) lists: SharedLists,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("token", &self.inner.token)
            .field("bearer_source", &self.inner.bearer_source)
            .field("policy", &self.inner.policy)
            .finish()
    }
}

/// A boxed future, as [`BearerSource`] returns (its calls go back through the client).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where each call's bearer token comes from when it is not a static API token: short-lived
/// bearers, cached and renewed by the source (workload identity, `crate::workload_identity`).
/// The client asks it on every call and names none of its types.
pub trait BearerSource: Send + Sync + fmt::Debug {
    /// The `Authorization` header to send: the cached bearer, or a fresh one obtained through
    /// `client` ([`ApiClient::call_anonymously`], which does not ask the source again).
    fn authorization<'a>(
        &'a self,
        client: &'a ApiClient,
    ) -> BoxFuture<'a, Result<HeaderValue, ApiError>>;
    /// Forgets `refused` if it is still the bearer handed out (the server refused it as
    /// unauthenticated), so that the next call gets a new one.
    fn forget<'a>(&'a self, refused: &'a HeaderValue) -> BoxFuture<'a, ()>;
    /// When `authorization`, if it is still the bearer handed out, expires.
    fn expires_at<'a>(
        &'a self,
        authorization: &'a HeaderValue,
    ) -> BoxFuture<'a, Option<SystemTime>>;
    /// Which credential to fix, and how, when the server refuses the bearer.
    fn refused_advice(&self) -> String;
    /// Every secret the source has handled, to be redacted from server text.
    fn secrets(&self) -> Vec<String>;
}

/// A credential handed to another client (kubectl, the kubernetes provider). Never log it.
pub struct HandedCredential {
    /// The bearer token.
    pub token: String,
    /// When it expires; `None` for the static API token (a short-lived bearer always expires).
    pub expires_at: Option<SystemTime>,
}

/// Which wire protocol an endpoint speaks (decides how error bodies are read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    Rest,
    Connect,
    /// The S3 API: XML bodies and XML error documents.
    S3,
}

/// A call that failed after the retry loop; `outcome_unknown` means a non-idempotent call may
/// have taken effect and must be reconciled by the caller.
pub(super) struct Failure {
    pub(super) error: ApiError,
    pub(super) outcome_unknown: bool,
    pub(super) retry_after: Option<Duration>,
}

impl Failure {
    /// This failure as the end of a call whose attempt `lost` may have taken effect: its
    /// outcome is unknown ([`ApiError::AfterLostAnswer`]) unless the failure says so already or
    /// is an interruption.
    fn after(self, lost: Option<ApiError>) -> Failure {
        match lost {
            Some(lost)
                if !self.error.outcome_unknown()
                    && !matches!(self.error, ApiError::Interrupted { .. }) =>
            {
                Failure {
                    error: ApiError::AfterLostAnswer {
                        lost: Box::new(lost),
                        last: Box::new(self.error),
                    },
                    outcome_unknown: true,
                    retry_after: self.retry_after,
                }
            }
            _ => self,
        }
    }
}

/// A successful answer: its status, `Content-Type` and body.
pub(super) struct Answer {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    /// The body as received.
    pub(super) fn body(&self) -> &[u8] {
        &self.body
    }
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

    pub(crate) fn with_policy(
        config: ClientConfig,
        policy: RetryPolicy,
    ) -> Result<ApiClient, ApiError> {
        let mut endpoint = config.endpoint;
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        match check_endpoint(&endpoint) {
            // Refused per request instead ([`ApiError::InsecureEndpoint`]), before any token is sent.
            Ok(()) | Err(EndpointError::PlainHttp) => {}
            Err(e) => {
                return Err(ApiError::InvalidRequest(format!(
                    "the endpoint {} {e}",
                    without_credentials(endpoint.as_str())
                )))
            }
        }

        let token = config.token.filter(|token| !token.expose().is_empty());
        let authorization = match &token {
            Some(token) => Some(bearer_header(token.expose()).ok_or_else(|| {
                ApiError::InvalidRequest(
                    "the API token contains characters that cannot be sent in an HTTP header"
                        .to_string(),
                )
            })?),
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
                endpoint_label: endpoint_label(&endpoint),
                endpoint,
                token,
                authorization,
                bearer_source: config.bearer_source,
                policy,
                request_timeout: config.request_timeout,
                requests: AtomicU64::new(0),
                stop: config.stop,
                breaker: Breaker::default(),
                max_answer_bytes: MAX_SUCCESS_BODY_BYTES,
                service: Service::Api,
                lists: SharedLists::default(),
            }),
        })
    }

    /// A client of the S3 endpoint `config.endpoint` (no API token: every call is signed by its
    /// caller): its own breaker, request count and messages naming `s3_endpoint`.
    pub(super) fn for_s3(config: ClientConfig, policy: RetryPolicy) -> Result<ApiClient, ApiError> {
        let mut client = Self::with_policy(
            ClientConfig {
                token: None,
                bearer_source: None,
                ..config
            },
            policy,
        )?;
        if let Some(inner) = Arc::get_mut(&mut client.inner) {
            inner.service = Service::S3;
        }
        Ok(client)
    }

    /// [`ApiClient::with_policy`] reading successful bodies of at most `limit` bytes.
    #[cfg(test)]
    pub(super) fn with_answer_limit(
        config: ClientConfig,
        policy: RetryPolicy,
        limit: usize,
    ) -> Result<ApiClient, ApiError> {
        let mut client = Self::with_policy(config, policy)?;
        if let Some(inner) = Arc::get_mut(&mut client.inner) {
            inner.max_answer_bytes = limit;
        }
        Ok(client)
    }

    /// Total HTTP requests attempted by this client and its clones, retries included.
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// The endpoint as `scheme://host:port[/prefix]`, for messages.
    fn endpoint(&self) -> String {
        self.inner.endpoint_label.clone()
    }

    /// A REST call to `segments` under the endpoint (each segment percent-encoded).
    pub(super) fn rest_call(&self, method: Method, segments: &[&str]) -> Call {
        self.call(method, Protocol::Rest, segments)
    }

    /// A Connect unary call of `procedure` on `service` with a JSON body.
    pub(super) fn connect_call(
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
        Self::call_to(method, protocol, url)
    }

    /// A call to `url` exactly (an S3 call: its host may name the bucket).
    pub(super) fn call_to(method: Method, protocol: Protocol, url: Url) -> Call {
        Call {
            method,
            url,
            body: None,
            protocol,
            idempotency: Idempotency::Idempotent,
            anonymous: false,
            headers: Vec::new(),
        }
    }

    /// Sends a Connect unary call of `procedure` on `service` without credentials (a token
    /// exchange, whose body carries its own secret) and decodes its answer; an answer that is
    /// not a `T` is [`ApiError::Malformed`].
    pub async fn call_anonymously<T: DeserializeOwned>(
        &self,
        service: &str,
        procedure: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiError> {
        let call = self.connect_call(service, procedure, body)?.anonymous();
        self.execute(&call).await
    }

    /// Sends an idempotent call with retries and decodes its JSON answer.
    pub(super) async fn execute<T: DeserializeOwned>(&self, call: &Call) -> Result<T, ApiError> {
        let mut retries = 0;
        let answer = self
            .send(call, &mut retries)
            .await
            .map_err(|failure| failure.error)?;
        decode(call, &answer)
    }

    /// Sends `call` until it succeeds, fails for good, or (non-idempotent calls only) ends with
    /// an unknown outcome. `retries` counts the retries made so far and is shared with a
    /// caller's reconcile loop so that the budget covers both.
    ///
    /// An attempt that may have taken effect makes the call's outcome unknown however later
    /// attempts end: a failure after it is [`ApiError::AfterLostAnswer`] (an interruption
    /// aside, which stops everything and says that a change may have reached the API).
    pub(super) async fn send(&self, call: &Call, retries: &mut u32) -> Result<Answer, Failure> {
        let mut lost = None;
        let result = self.send_attempts(call, retries, &mut lost).await;
        result.map_err(|failure| failure.after(lost))
    }

    /// The retry loop of [`ApiClient::send`]; `lost` receives the failure of the first attempt
    /// that may have taken effect.
    async fn send_attempts(
        &self,
        call: &Call,
        retries: &mut u32,
        lost: &mut Option<ApiError>,
    ) -> Result<Answer, Failure> {
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
            if lost.is_none() && failed.outcome.may_have_taken_effect() {
                *lost = Some(failed.error.clone());
            }
            // A workload identity bearer refused as unauthenticated (it expired in flight, or
            // the clocks disagree) is replaced once, and the call repeated.
            if let (Some(source), Some(sent), Outcome::Status(401), false) = (
                &self.inner.bearer_source,
                &authorization,
                failed.outcome,
                reauthenticated,
            ) {
                source.forget(sent).await;
                authorization = self.authorization(call).await.map_err(refused)?;
                reauthenticated = true;
                continue;
            }
            if let ApiError::Interrupted { .. } | ApiError::Unreachable { tripped: true, .. } =
                failed.error
            {
                // Abandoned: a write in flight may have been applied.
                return Err(Failure {
                    outcome_unknown: failed.error.outcome_unknown()
                        && call.idempotency == Idempotency::NonIdempotent,
                    error: failed.error,
                    retry_after: None,
                });
            }
            match self.inner.policy.verdict(failed.outcome, call.idempotency) {
                Verdict::Fail => {
                    return Err(Failure {
                        error: self.refused_credentials(call, failed),
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

    /// A final failure, naming where to fix the credentials when the API refused them.
    fn refused_credentials(&self, call: &Call, failed: AttemptFailure) -> ApiError {
        if call.anonymous || failed.outcome != Outcome::Status(401) {
            return failed.error;
        }
        let credential = match &self.inner.bearer_source {
            Some(source) => source.refused_advice(),
            None => "the API token: check `token` in the provider block or the \
                     COREWEAVE_API_TOKEN environment variable"
                .to_string(),
        };
        ApiError::CredentialsRefused {
            credential,
            answer: Box::new(failed.error),
        }
    }

    /// Waits before the next retry, or gives up when the budget is spent: with
    /// [`ApiError::Unreachable`] after a connection failure or timeout, otherwise with
    /// [`ApiError::RetriesExhausted`].
    pub(super) async fn back_off(
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
            if is_dead_endpoint(&last) {
                return Err(self.unreachable(last, false));
            }
            return Err(ApiError::RetriesExhausted {
                endpoint: self.endpoint(),
                attempts,
                last: Box::new(last),
            });
        }
        let delay = self.inner.policy.delay(*retries, retry_after);
        *retries += 1;
        tokio::select! {
            resumed = self.pause(delay) => if resumed {
                Ok(())
            } else {
                Err(ApiError::Interrupted {
                    phase: Phase::WaitingToRetry,
                    request: describe(call),
                    last: Some(Box::new(last)),
                })
            },
            () = self.inner.breaker.tripped() => Err(self.tripped()),
        }
    }

    /// The error of a call to an endpoint that refused connections or timed out.
    fn unreachable(&self, last: ApiError, tripped: bool) -> ApiError {
        ApiError::Unreachable {
            service: self.inner.service,
            endpoint: self.endpoint(),
            last: Box::new(last),
            tripped,
        }
    }

    /// The error of every call once the breaker has tripped.
    fn tripped(&self) -> ApiError {
        let cause = self.inner.breaker.cause().cloned().unwrap_or_else(|| {
            ApiError::InvalidRequest("the endpoint stopped answering".to_string())
        });
        self.unreachable(cause, true)
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

    /// The credential this client authenticates with, for handing to another client such as
    /// kubectl: the workload identity bearer (cached, or exchanged now) with its expiry, or the
    /// static API token (which does not expire). Never log it.
    pub async fn handed_credential(&self) -> Result<HandedCredential, ApiError> {
        let (authorization, expires_at) = match &self.inner.bearer_source {
            Some(source) => {
                let authorization = source.authorization(self).await?;
                let expires_at = source.expires_at(&authorization).await;
                (authorization, expires_at)
            }
            None => (
                self.inner
                    .authorization
                    .clone()
                    .ok_or(ApiError::MissingToken)?,
                None,
            ),
        };
        let token = authorization
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(String::from)
            .ok_or_else(|| {
                ApiError::InvalidRequest("the credential is not a bearer token".into())
            })?;
        Ok(HandedCredential { token, expires_at })
    }

    /// The `Authorization` header for `call` (none for an anonymous one), after the pre-flight
    /// checks: credentials exist, and they (or the anonymous call's secret body) would go over
    /// https or to a loopback host only.
    async fn authorization(&self, call: &Call) -> Result<Option<HeaderValue>, ApiError> {
        let bearer_source = self.inner.bearer_source.as_ref();
        if !call.anonymous && bearer_source.is_none() && self.inner.authorization.is_none() {
            return Err(ApiError::MissingToken);
        }
        let url = &call.url;
        if url.scheme() != "https" && !is_loopback_host(url.host()) {
            return Err(ApiError::InsecureEndpoint {
                host: url.host_str().unwrap_or_default().to_string(),
            });
        }
        match bearer_source {
            _ if call.anonymous => Ok(None),
            // Boxed by the trait: the exchange is itself a (credential-free) call through `send`.
            Some(source) => source.authorization(self).await.map(Some),
            None => Ok(self.inner.authorization.clone()),
        }
    }
}

/// Decodes a successful answer, which must be the documented shape ([`answer::decode`]).
pub(super) fn decode<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T, ApiError> {
    answer::decode(answer.content_type.as_deref(), &answer.body).map_err(|problem| {
        ApiError::Malformed {
            method: call.method.to_string(),
            path: call.path().to_string(),
            http_status: answer.status,
            problem,
        }
    })
}

/// `METHOD /path` of a call, for messages.
fn describe(call: &Call) -> String {
    format!("{} {}", call.method, call.path())
}

/// Whether `error` says the endpoint is down: the connection failed, or no answer came in time.
fn is_dead_endpoint(error: &ApiError) -> bool {
    match error {
        ApiError::Transport {
            timed_out, source, ..
        } => *timed_out || source.is_connect(),
        _ => false,
    }
}

/// Checks that a required request value is not empty.
pub(super) fn required<'a>(what: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value.is_empty() {
        return Err(ApiError::InvalidRequest(format!(
            "{what} must not be empty"
        )));
    }
    Ok(value)
}

/// Checks a value that becomes one URL path segment (it is percent-encoded when used).
pub(super) fn path_param<'a>(what: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value == "." || value == ".." {
        return Err(ApiError::InvalidRequest(format!(
            "{what} {value:?} cannot be used in a URL path"
        )));
    }
    required(what, value)
}

mod call;
mod exchange;
#[cfg(test)]
mod tests;
