//! Authentication from a CI system's OIDC token, a [`BearerSource`] of the API client (reference §4b): the token (re-read on every
//! refresh) is exchanged with Connect JSON
//! `POST {endpoint}/coreweave.directory.v1alpha.InternalDirectoryService/ServiceAccountOidcAuth`
//! for a short-lived bearer token of a CoreWeave service account.
//!
//! The bearer is cached and refreshed at `expireTime - min(1 min, lifetime / 4)`. One refresh
//! runs at a time: concurrent calls wait for it and use its result. Neither the CI token nor
//! the bearer is ever logged, and both go only to the configured endpoint.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::api::{bearer_header, ApiClient, ApiError, BearerSource, BoxFuture};

const SERVICE: &str = "coreweave.directory.v1alpha.InternalDirectoryService";
/// Lifetime asked for each bearer token; the server may grant less.
const REQUESTED_LIFETIME_SECONDS: u64 = 3600;
/// Refresh at most this long before the bearer expires.
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Reads the CI's current OIDC token (in the provider: `TFC_WORKLOAD_IDENTITY_TOKEN`).
pub type CiTokenSource = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// The time a [`BearerCache`] goes by: the system clock, or a test's.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Workload identity settings of an [`ApiClient`].
#[derive(Clone)]
pub struct WorkloadIdentity {
    /// The CoreWeave service account whose trust accepts the CI's tokens.
    pub service_account_uid: String,
    /// Where the CI token comes from; read again on every refresh.
    pub ci_token: CiTokenSource,
    /// Name of the token's source for messages, e.g. `TFC_WORKLOAD_IDENTITY_TOKEN`.
    pub ci_token_name: String,
}

impl fmt::Debug for WorkloadIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkloadIdentity")
            .field("service_account_uid", &self.service_account_uid)
            .field("ci_token", &self.ci_token_name)
            .finish()
    }
}

/// A bearer token, when to replace it and when it expires.
struct Bearer {
    authorization: HeaderValue,
    refresh_at: SystemTime,
    expires: SystemTime,
}

/// The cached bearer of a client, and every secret it has handled (for redaction).
pub struct BearerCache {
    config: WorkloadIdentity,
    clock: Clock,
    current: tokio::sync::Mutex<Option<Bearer>>,
    secrets: Mutex<Vec<String>>,
}

impl fmt::Debug for BearerCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerCache")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl BearerCache {
    /// A cache that exchanges the CI token of `config` on first use.
    pub fn new(config: WorkloadIdentity) -> Self {
        Self::with_clock(config, Arc::new(SystemTime::now))
    }

    /// A cache that goes by `clock` (tests move it instead of sleeping).
    fn with_clock(config: WorkloadIdentity, clock: Clock) -> Self {
        Self {
            config,
            clock,
            current: tokio::sync::Mutex::new(None),
            secrets: Mutex::new(Vec::new()),
        }
    }

    fn remember(&self, secret: &str) {
        let mut secrets = self.secrets.lock().unwrap_or_else(PoisonError::into_inner);
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_string());
        }
    }

    fn failure(&self, why: impl fmt::Display) -> ApiError {
        ApiError::WorkloadIdentity {
            service_account_uid: self.config.service_account_uid.clone(),
            detail: why.to_string(),
        }
    }
}

/// `ServiceAccountOidcAuth` request; `durationSeconds` is an int64, so a JSON string.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExchangeRequest<'a> {
    oidc_token: &'a str,
    service_account_uid: &'a str,
    duration_seconds: String,
}

/// `ServiceAccountOidcAuth` answer (camelCase, or snake_case as some servers send).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExchangeAnswer {
    #[serde(default, alias = "bearer_token")]
    bearer_token: String,
    #[serde(default, alias = "expire_time")]
    expire_time: String,
}

/// Seconds since the Unix epoch.
fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Unix seconds as RFC 3339, for messages.
fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{unix} (Unix time)"))
}

/// Checks that `token` looks like a JWT that has not expired; `Err` says what is wrong, without
/// the token.
pub fn check_ci_token(token: &str, now: SystemTime) -> Result<(), String> {
    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() != 3 || segments.iter().any(|s| s.is_empty()) {
        return Err("it is not a JWT (three dot-separated base64url segments)".into());
    }
    let claims: serde_json::Value = URL_SAFE_NO_PAD
        .decode(segments[1].trim_end_matches('='))
        .ok()
        .and_then(|payload| serde_json::from_slice(&payload).ok())
        .ok_or("its payload is not base64url-encoded JSON")?;
    match claims.get("exp").and_then(serde_json::Value::as_i64) {
        Some(exp) if exp <= unix_seconds(now) => Err(format!(
            "it expired at {} (claim `exp`); the CI issues a fresh token for each run",
            rfc3339(exp)
        )),
        _ => Ok(()),
    }
}

/// When to refresh a bearer that expires at `expires` and was issued at `now`.
pub fn refresh_time(now: SystemTime, expires: SystemTime) -> SystemTime {
    let lifetime = expires.duration_since(now).unwrap_or_default();
    expires - MAX_REFRESH_MARGIN.min(lifetime / 4)
}

impl BearerCache {
    /// The cached bearer, or a fresh one exchanged through `client`.
    async fn current_or_exchanged(&self, client: &ApiClient) -> Result<HeaderValue, ApiError> {
        let mut current = self.current.lock().await;
        if let Some(bearer) = current.as_ref() {
            if (self.clock)() < bearer.refresh_at {
                return Ok(bearer.authorization.clone());
            }
        }
        let bearer = self.exchange_ci_token(client).await?;
        let authorization = bearer.authorization.clone();
        *current = Some(bearer);
        Ok(authorization)
    }

    async fn exchange_ci_token(&self, client: &ApiClient) -> Result<Bearer, ApiError> {
        let name = &self.config.ci_token_name;
        let ci_token = (self.config.ci_token)()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                self.failure(format!(
                    "{name} is not set: the CI system puts its OIDC token there for each run"
                ))
            })?;
        self.remember(&ci_token);
        check_ci_token(&ci_token, (self.clock)())
            .map_err(|why| self.failure(format!("the token in {name} is unusable: {why}")))?;
        let request = ExchangeRequest {
            oidc_token: &ci_token,
            service_account_uid: &self.config.service_account_uid,
            duration_seconds: REQUESTED_LIFETIME_SECONDS.to_string(),
        };
        let answer: ExchangeAnswer = client
            .call_anonymously(SERVICE, "ServiceAccountOidcAuth", &request)
            .await
            .map_err(|error| match error {
                ApiError::Malformed { .. } => error,
                error => self.failure(format!("exchanging the token in {name}: {error}")),
            })?;
        if answer.bearer_token.is_empty() {
            return Err(self.failure("the token exchange answered no bearer token"));
        }
        self.remember(&answer.bearer_token);
        let now = (self.clock)();
        let expires = OffsetDateTime::parse(&answer.expire_time, &Rfc3339)
            .ok()
            .map(SystemTime::from)
            .ok_or_else(|| {
                self.failure(format!(
                    "the token exchange answered an unreadable expireTime {:?}",
                    answer.expire_time
                ))
            })?;
        if expires <= now {
            return Err(self.failure(format!(
                "the token exchange answered a bearer token that already expired at {}",
                answer.expire_time
            )));
        }
        let authorization = bearer_header(&answer.bearer_token)
            .ok_or_else(|| self.failure("the bearer token cannot be sent in an HTTP header"))?;
        tracing::debug!(
            target: "coreweave::api",
            service_account_uid = %self.config.service_account_uid,
            expire_time = %answer.expire_time,
            "exchanged the CI token for a CoreWeave bearer token"
        );
        Ok(Bearer {
            authorization,
            refresh_at: refresh_time(now, expires),
            expires,
        })
    }
}

impl BearerSource for BearerCache {
    fn authorization<'a>(
        &'a self,
        client: &'a ApiClient,
    ) -> BoxFuture<'a, Result<HeaderValue, ApiError>> {
        Box::pin(self.current_or_exchanged(client))
    }

    fn forget<'a>(&'a self, refused: &'a HeaderValue) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let mut current = self.current.lock().await;
            if current
                .as_ref()
                .is_some_and(|bearer| bearer.authorization == *refused)
            {
                *current = None;
            }
        })
    }

    fn expires_at<'a>(
        &'a self,
        authorization: &'a HeaderValue,
    ) -> BoxFuture<'a, Option<SystemTime>> {
        Box::pin(async move {
            let current = self.current.lock().await;
            current
                .as_ref()
                .filter(|bearer| bearer.authorization == *authorization)
                .map(|bearer| bearer.expires)
        })
    }

    fn refused_advice(&self) -> String {
        format!(
            "the bearer token of service account {:?} (authentication.workload_identity): \
             check that the service account exists and trusts the CI token",
            self.config.service_account_uid
        )
    }

    fn secrets(&self) -> Vec<String> {
        self.secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests;
