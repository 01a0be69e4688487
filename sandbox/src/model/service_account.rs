//! Service accounts and the CI tokens their trust accepts (reference §4b), the `aud` claim of
//! the tokens the sandbox reads, and the CI tokens it mints for tests.
//!
//! The CI issuers are ones the sandbox signs for (`POST /_sandbox/ci-tokens` mints their tokens),
//! so the whole flow runs offline.

use serde::{Deserialize, Serialize};

use crate::signing::Keyring;
use crate::wire::errors::{ApiError, Code, FieldViolation};

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
    /// True when the token's claims match all three parts of the trust.
    pub fn accepts(&self, claims: &CiClaims) -> bool {
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
    /// True when `audience` is one of the values.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(all) => all.iter().any(|a| a == audience),
        }
    }

    /// Every value, in order.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Audience::One(a) => vec![a.as_str()],
            Audience::Many(many) => many.iter().map(String::as_str).collect(),
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
pub fn mint_ci_token(
    keys: &Keyring,
    request: CiTokenRequest,
    now: u64,
) -> Result<String, ApiError> {
    let subject = request
        .subject
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid(vec![FieldViolation::required("subject")]))?;
    let issuer_url = request.issuer.unwrap_or_else(|| DEFAULT_CI_ISSUER.into());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let claims = CiClaims {
        iss: issuer_url.clone(),
        sub: subject,
        aud: Audience::One(
            request
                .audience
                .unwrap_or_else(|| DEFAULT_CI_AUDIENCE.into()),
        ),
        exp: now.saturating_add(request.expires_in_seconds.unwrap_or(600)),
        iat: now,
    };
    keys.issuer(&issuer_url)
        .and_then(|issuer| issuer.mint(&claims))
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
}
