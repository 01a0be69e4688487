//! Service accounts and the directory's `ServiceAccountOidcAuth` (reference §4b): a CI system's
//! OIDC token that a service account's trust accepts is exchanged for a short-lived bearer token
//! of that service account, which the API then accepts like the static token.
//!
//! The CI issuers are ones the sandbox signs for (`POST /_sandbox/ci-tokens` mints their tokens),
//! so the whole flow runs offline.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::{ApiError, Code, FieldViolation};
use crate::identity::Caller;
use crate::sa_token::now_unix;
use crate::state::SharedState;
use crate::timefmt::format_rfc3339;
use crate::workload_federation::unary;

/// Path of the exchange procedure (Connect; no `Authorization` header needed).
pub const EXCHANGE_PATH: &str =
    "/coreweave.directory.v1alpha.InternalDirectoryService/ServiceAccountOidcAuth";
/// Longest bearer lifetime the exchange grants.
pub const MAX_LIFETIME_SECONDS: u64 = 28_800;
/// Lifetime granted when the request names none.
pub const DEFAULT_LIFETIME_SECONDS: u64 = 3600;

/// A service account and the CI tokens it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceAccount {
    /// Id, what `serviceAccountUid` names and whoami returns.
    pub uid: String,
    /// Display name.
    pub name: String,
    /// The OIDC trust expression.
    pub trust: Trust,
}

/// Which tokens a service account trusts: all three claims must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Trust {
    /// The tokens' `iss`.
    pub issuer: String,
    /// A value of the tokens' `aud`.
    pub audience: String,
    /// The tokens' `sub`; a trailing `*` matches any rest.
    pub subject: String,
}

impl Trust {
    fn accepts(&self, claims: &CiClaims) -> bool {
        let subject = match self.subject.strip_suffix('*') {
            Some(prefix) => claims.sub.starts_with(prefix),
            None => claims.sub == self.subject,
        };
        claims.iss == self.issuer && claims.aud.contains(&self.audience) && subject
    }
}

impl ServiceAccount {
    /// Checks a seeded service account; problems are named by field.
    pub fn check(&self) -> Vec<FieldViolation> {
        let mut violations = Vec::new();
        for (field, value) in [
            ("uid", &self.uid),
            ("name", &self.name),
            ("trust.issuer", &self.trust.issuer),
            ("trust.audience", &self.trust.audience),
            ("trust.subject", &self.trust.subject),
        ] {
            if value.trim().is_empty() {
                violations.push(FieldViolation::new(field, "must not be empty"));
            }
        }
        violations
    }
}

/// The built-in service account that trusts the sandbox's CI issuer.
pub fn default_service_account() -> ServiceAccount {
    ServiceAccount {
        uid: DEFAULT_SERVICE_ACCOUNT_UID.into(),
        name: "ci-deployer".into(),
        trust: Trust {
            issuer: DEFAULT_CI_ISSUER.into(),
            audience: DEFAULT_CI_AUDIENCE.into(),
            subject: "repo:example/infrastructure:*".into(),
        },
    }
}

/// Uid of the built-in service account `ci-deployer`.
pub const DEFAULT_SERVICE_ACCOUNT_UID: &str = "5e4a1ce0-0000-4000-8000-00000000c1c1";
/// Issuer of the built-in CI trust.
pub const DEFAULT_CI_ISSUER: &str = "https://ci.sandbox.example";
/// Audience of the built-in CI trust.
pub const DEFAULT_CI_AUDIENCE: &str = "https://api.coreweave.com";

/// `aud` as a string or a list of strings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

/// The claims the exchange reads from a CI token.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CiClaims {
    /// Issuer.
    pub iss: String,
    /// Subject.
    pub sub: String,
    /// Audience.
    pub aud: Audience,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issue time.
    #[serde(default)]
    pub iat: i64,
}

/// Bearer tokens the exchange issued, with their principal and expiry.
#[derive(Debug, Default)]
pub struct Bearers {
    issued: Mutex<HashMap<String, (String, SystemTime)>>,
}

impl Bearers {
    /// A new random bearer for `principal_uid`, valid for `lifetime`.
    pub fn issue(&self, principal_uid: &str, lifetime: Duration) -> (String, SystemTime) {
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let token = format!("cwsb_{token}");
        let expires = SystemTime::now() + lifetime;
        self.lock()
            .insert(token.clone(), (principal_uid.to_string(), expires));
        (token, expires)
    }

    /// The caller a presented bearer stands for, if it was issued and has not expired.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        let issued = self.lock();
        let (principal_uid, expires) = issued.get(token)?;
        (SystemTime::now() < *expires).then(|| Caller {
            principal_uid: principal_uid.clone(),
        })
    }

    /// Every bearer issued so far (for tests that check it never leaks).
    pub fn all(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, SystemTime)>> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The body of `POST /_sandbox/ci-tokens`: a CI token the sandbox signs as `issuer`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CiTokenRequest {
    /// `iss` (default [`DEFAULT_CI_ISSUER`]).
    pub issuer: Option<String>,
    /// `sub`, e.g. `repo:example/infrastructure:ref:refs/heads/main`.
    pub subject: Option<String>,
    /// `aud` (default [`DEFAULT_CI_AUDIENCE`]).
    pub audience: Option<String>,
    /// Seconds until `exp` (default 600); zero or less makes an expired token.
    pub expires_in_seconds: Option<i64>,
}

/// Mints a CI token as the CI system would, signed with the issuer's sandbox key.
pub fn mint_ci_token(state: &SharedState, request: CiTokenRequest) -> Result<String, ApiError> {
    let subject = request
        .subject
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_field("subject", "is required"))?;
    let issuer_url = request.issuer.unwrap_or_else(|| DEFAULT_CI_ISSUER.into());
    let now = i64::try_from(now_unix()).unwrap_or(i64::MAX);
    let claims = CiClaims {
        iss: issuer_url.clone(),
        sub: subject,
        aud: Audience::One(
            request
                .audience
                .unwrap_or_else(|| DEFAULT_CI_AUDIENCE.into()),
        ),
        exp: now + request.expires_in_seconds.unwrap_or(600),
        iat: now,
    };
    state
        .keys
        .issuer(&issuer_url)
        .and_then(|issuer| issuer.mint(&claims))
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AuthRequest {
    #[serde(alias = "oidc_token")]
    oidc_token: Option<String>,
    #[serde(alias = "service_account_uid")]
    service_account_uid: Option<String>,
    #[serde(alias = "duration_seconds")]
    duration_seconds: Option<Value>,
}

/// The exchange route.
pub fn routes() -> Router<SharedState> {
    Router::new().route(EXCHANGE_PATH, post(exchange))
}

async fn exchange(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    unary(&headers, &body, |req: AuthRequest| {
        authenticate(&state, req)
    })
}

/// `durationSeconds`: an int64, as protojson sends it (a string) or as a number.
fn duration_seconds(value: Option<Value>) -> Result<u64, ApiError> {
    let seconds = match &value {
        None | Some(Value::Null) => return Ok(DEFAULT_LIFETIME_SECONDS),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    };
    match seconds {
        Some(s) if s > 0 => Ok(u64::try_from(s).unwrap_or(u64::MAX)),
        _ => Err(ApiError::invalid_field(
            "duration_seconds",
            format!(
                "must be a positive int64, got {}",
                value.unwrap_or(Value::Null)
            ),
        )),
    }
}

fn authenticate(state: &SharedState, req: AuthRequest) -> Result<Value, ApiError> {
    let mut missing = Vec::new();
    let token = req.oidc_token.filter(|t| !t.is_empty());
    let uid = req.service_account_uid.filter(|u| !u.is_empty());
    if token.is_none() {
        missing.push(FieldViolation::new("oidc_token", "is required"));
    }
    if uid.is_none() {
        missing.push(FieldViolation::new("service_account_uid", "is required"));
    }
    let (Some(token), Some(uid)) = (token, uid) else {
        return Err(ApiError::invalid(missing));
    };
    let requested = duration_seconds(req.duration_seconds)?;
    let account = state
        .store()
        .service_accounts
        .iter()
        .find(|a| a.uid == uid)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(
                "ServiceAccount",
                &uid,
                format!("service account {uid:?} not found"),
            )
        })?;
    let issuer = state
        .keys
        .issuer(&account.trust.issuer)
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
    let claims: CiClaims = issuer
        .verify(&token)
        .map_err(|e| ApiError::new(Code::Unauthenticated, format!("invalid OIDC token: {e}")))?;
    if claims.exp <= i64::try_from(now_unix()).unwrap_or(i64::MAX) {
        return Err(ApiError::new(
            Code::Unauthenticated,
            "invalid OIDC token: the token has expired",
        ));
    }
    if !account.trust.accepts(&claims) {
        return Err(ApiError::new(
            Code::PermissionDenied,
            "OIDC trust expression did not match",
        ));
    }
    let lifetime = requested
        .min(MAX_LIFETIME_SECONDS)
        .min(state.settings.bearer_lifetime_seconds());
    let (bearer, expires) = state
        .bearers
        .issue(&account.uid, Duration::from_secs(lifetime));
    Ok(json!({ "bearerToken": bearer, "expireTime": format_rfc3339(expires) }))
}
