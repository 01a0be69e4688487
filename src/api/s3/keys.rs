//! The S3 keys the provider signs with: short-lived keys the API issues for the provider's own
//! token (`POST /v1/cwobject/access-key`, [`KEY_LIFETIME`]), one at a time per provider instance,
//! renewed when less than [`RENEW_WITHIN`] of it remains. The secret never leaves this module
//! but to sign: its `Debug` prints `***`, and nothing stores or logs it.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::api::{ApiClient, ApiError};

/// How long an issued key lasts: the API's `durationSeconds` (never 0, a permanent key).
pub const KEY_LIFETIME: Duration = Duration::from_secs(900);
/// A key with less than this left is replaced before its next use.
pub const RENEW_WITHIN: Duration = Duration::from_secs(300);

const ACCESS_KEY: [&str; 3] = ["v1", "cwobject", "access-key"];

/// One S3 key: its id, its secret (never printed) and when it was issued.
#[derive(Clone)]
pub struct S3Key {
    /// The access key id (not a secret: S3 error messages may echo it).
    pub access_key_id: String,
    secret: String,
    issued: Instant,
    valid_until: Instant,
}

impl S3Key {
    /// The secret access key, only for signing.
    pub(super) fn secret(&self) -> &str {
        &self.secret
    }

    /// How long ago the key was issued.
    pub(super) fn age(&self) -> Duration {
        self.issued.elapsed()
    }

    fn fresh_enough(&self, now: Instant) -> bool {
        self.valid_until.saturating_duration_since(now) >= RENEW_WITHIN
    }
}

impl fmt::Debug for S3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Key")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"***")
            .finish()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueRequest {
    duration_seconds: u64,
}

/// CreateAccessKeyFromJWT's answer (`principalName` is not needed).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssueAnswer {
    access_key_id: String,
    secret_key: String,
    /// RFC 3339; null only for a permanent key, which is never asked for.
    #[serde(default)]
    expiry: Option<String>,
}

/// The key of one provider instance, issued on first use (one issue at a time however many
/// calls wait for it).
#[derive(Default)]
pub struct KeyCache {
    current: Mutex<Option<S3Key>>,
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyCache { .. }")
    }
}

impl KeyCache {
    /// The cached key, or a new one from `api` when there is none or it is about to expire.
    pub async fn get(&self, api: &ApiClient) -> Result<S3Key, ApiError> {
        let mut current = self.current.lock().await;
        if let Some(key) = current.as_ref().filter(|k| k.fresh_enough(Instant::now())) {
            return Ok(key.clone());
        }
        let key = issue(api).await?;
        tracing::debug!(
            target: "coreweave::s3",
            access_key_id = %key.access_key_id,
            "issued a short-lived S3 key"
        );
        *current = Some(key.clone());
        Ok(key)
    }

    /// Forgets `refused` if it is still the cached key, so that the next call gets a new one.
    pub async fn forget(&self, refused: &S3Key) {
        let mut current = self.current.lock().await;
        if current
            .as_ref()
            .is_some_and(|k| k.access_key_id == refused.access_key_id)
        {
            *current = None;
        }
    }
}

/// Asks the API for a key of [`KEY_LIFETIME`]. Repeating the call is harmless (an extra key
/// expires unused), so it is retried like a read.
async fn issue(api: &ApiClient) -> Result<S3Key, ApiError> {
    let requested = Instant::now();
    let call = api
        .rest_call(Method::POST, &ACCESS_KEY)
        .json(&IssueRequest {
            duration_seconds: KEY_LIFETIME.as_secs(),
        })?;
    let answer: IssueAnswer = api.execute(&call).await?;
    if answer.access_key_id.is_empty() || answer.secret_key.is_empty() {
        return Err(ApiError::InvalidRequest(
            "the API issued an S3 key without an id or secret".to_string(),
        ));
    }
    Ok(S3Key {
        access_key_id: answer.access_key_id,
        secret: answer.secret_key,
        issued: requested,
        valid_until: requested + lifetime(answer.expiry.as_deref(), SystemTime::now()),
    })
}

/// How long a key issued now lasts: [`KEY_LIFETIME`], or less when the stated expiry comes
/// sooner by this machine's clock (a stated expiry further away is never trusted further).
fn lifetime(expiry: Option<&str>, now: SystemTime) -> Duration {
    let stated = expiry
        .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
        .map(|at| {
            let left = at - OffsetDateTime::from(now);
            Duration::try_from(left).unwrap_or(Duration::ZERO)
        });
    stated.map_or(KEY_LIFETIME, |left| left.min(KEY_LIFETIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifetime_is_the_shorter_of_the_asked_and_the_stated() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |secs: i64| {
            (OffsetDateTime::from(now) + time::Duration::seconds(secs))
                .format(&Rfc3339)
                .unwrap()
        };
        assert_eq!(lifetime(Some(&at(900)), now), KEY_LIFETIME);
        assert_eq!(lifetime(Some(&at(5000)), now), KEY_LIFETIME);
        assert_eq!(lifetime(Some(&at(400)), now), Duration::from_secs(400));
        assert_eq!(lifetime(Some(&at(-5)), now), Duration::ZERO);
        assert_eq!(lifetime(None, now), KEY_LIFETIME);
        assert_eq!(lifetime(Some("soon"), now), KEY_LIFETIME);
    }

    #[test]
    fn a_key_prints_no_secret() {
        let key = S3Key {
            access_key_id: "CWKEY1".into(),
            secret: "s3cr3t-value".into(),
            issued: Instant::now(),
            valid_until: Instant::now() + KEY_LIFETIME,
        };
        let printed = format!("{key:?}");
        assert!(
            printed.contains("CWKEY1") && !printed.contains("s3cr3t"),
            "{printed}"
        );
    }

    #[test]
    fn a_key_is_renewed_when_less_than_five_minutes_remain() {
        let now = Instant::now();
        let key = |left: u64| S3Key {
            access_key_id: "K".into(),
            secret: "S".into(),
            issued: now,
            valid_until: now + Duration::from_secs(left),
        };
        assert!(key(301).fresh_enough(now));
        assert!(key(300).fresh_enough(now));
        assert!(!key(299).fresh_enough(now));
        assert!(!key(0).fresh_enough(now));
    }
}
