//! Issued S3 keys: every access key the token exchanges, `POST /v1/cwobject/access-key` and the
//! admin API hand out, with its secret, optional session token, expiry and principal, so the S3
//! endpoint can verify signatures and decide calls for the right principal.
//!
//! Expired keys are kept (a client presenting one is told `ExpiredToken`, not
//! `InvalidAccessKeyId`) until the store is full: then the longest-expired go. A key that still
//! works is never dropped to make room: a store full of them refuses to issue more
//! ([`StoreFull`]), as a rate limit would, rather than revoke someone else's credentials.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::wire::errors::{ApiError, Code};
use crate::{ids, time};

/// Why no key was issued: every key held still works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the sandbox holds {MAX_KEYS} S3 access keys that have not expired, its limit: no more are \
     issued until some expire (a burst of exchanges, as a rate limit would refuse it)"
)]
pub struct StoreFull;

/// `RESOURCE_EXHAUSTED` (HTTP 429), as the API answers a caller it rate-limits.
impl From<StoreFull> for ApiError {
    fn from(full: StoreFull) -> ApiError {
        ApiError::new(Code::ResourceExhausted, full.to_string())
    }
}

/// How many keys the store holds before it forgets expired ones (botocore fetches fresh
/// 15-minute container credentials on nearly every call).
pub const MAX_KEYS: usize = 10_000;

const KEY_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One issued access key.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// The access key id (`AccessKeyId`).
    pub access_key_id: String,
    /// The secret the client signs with.
    pub secret_key: String,
    /// The session token the client must present (`x-amz-security-token`), if one was issued.
    pub session_token: Option<String>,
    /// When the key stops working; `None` = permanent.
    pub expires_at: Option<SystemTime>,
    /// The principal S3 calls made with the key are decided for.
    pub principal: String,
    /// The principal's organization (`cw:PrincipalOrgID` of bucket-policy conditions).
    pub org_id: String,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("principal", &self.principal)
            .field("org_id", &self.org_id)
            .finish()
    }
}

impl IssuedKey {
    /// RFC 3339 expiry, or `None` for a permanent key.
    pub fn expiry_rfc3339(&self) -> Option<String> {
        self.expires_at.map(time::format_rfc3339)
    }

    /// True once the expiry has passed.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// What a new key is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRequest {
    /// `AccessKeyId` prefix, e.g. `CWOIDC`.
    pub id_prefix: &'static str,
    /// The principal calls with the key are decided for.
    pub principal: String,
    /// The principal's organization.
    pub org_id: String,
    /// Lifetime; `None` = permanent. May lie in the past (tests of expired keys).
    pub expires_at: Option<SystemTime>,
    /// Issue a session token with the key.
    pub with_session_token: bool,
}

/// A random string over `alphabet`.
fn random_string(alphabet: &[u8], len: usize) -> String {
    ids::stream(&ids::new_uuid(), len)
        .into_iter()
        .map(|b| char::from(alphabet[usize::from(b) % alphabet.len()]))
        .collect()
}

/// `now + seconds` (`seconds` may be negative).
pub fn after_seconds(now: SystemTime, seconds: i64) -> SystemTime {
    let span = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        now + span
    } else {
        now.checked_sub(span).unwrap_or(UNIX_EPOCH)
    }
}

/// Every issued key, by access key id.
#[derive(Debug, Default)]
pub struct KeyStore {
    keys: Mutex<HashMap<String, IssuedKey>>,
}

impl KeyStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, IssuedKey>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issues and remembers a new key; when the store is full, expired keys make room, and
    /// without any the key is refused.
    pub fn issue(&self, request: KeyRequest, now: SystemTime) -> Result<IssuedKey, StoreFull> {
        let key = IssuedKey {
            access_key_id: format!(
                "{}{}",
                request.id_prefix,
                random_string(KEY_ID_ALPHABET, 20 - request.id_prefix.len().min(16))
            ),
            secret_key: random_string(SECRET_ALPHABET, 40),
            session_token: request
                .with_session_token
                .then(|| random_string(SECRET_ALPHABET, 64)),
            expires_at: request.expires_at,
            principal: request.principal,
            org_id: request.org_id,
        };
        let mut keys = self.lock();
        if keys.len() >= MAX_KEYS {
            forget_expired(&mut keys, now);
        }
        if keys.len() >= MAX_KEYS {
            return Err(StoreFull);
        }
        keys.insert(key.access_key_id.clone(), key.clone());
        Ok(key)
    }

    /// The key with `access_key_id`, expired or not.
    pub fn get(&self, access_key_id: &str) -> Option<IssuedKey> {
        self.lock().get(access_key_id).cloned()
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no key was issued.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// Makes room: drops expired keys, the longest-expired first, until a quarter of [`MAX_KEYS`]
/// is free or none is left; keys that still work (and permanent keys) stay.
fn forget_expired(keys: &mut HashMap<String, IssuedKey>, now: SystemTime) {
    let mut by_expiry: Vec<(SystemTime, String)> = keys
        .values()
        .filter(|k| k.is_expired(now))
        .filter_map(|k| k.expires_at.map(|at| (at, k.access_key_id.clone())))
        .collect();
    by_expiry.sort();
    let excess = keys.len().saturating_sub(MAX_KEYS * 3 / 4);
    for (_, id) in by_expiry.into_iter().take(excess) {
        keys.remove(&id);
    }
}

#[cfg(test)]
mod tests;
