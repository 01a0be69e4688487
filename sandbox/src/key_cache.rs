//! The signing keys of external OIDC issuers, cached as kube-apiserver caches them: its
//! authenticator fetches an issuer's discovery document and JWKS once and fetches the JWKS
//! again only when a token names a key it does not hold (go-oidc's remote key set). Here an
//! issuer's keys (found with its `ca`) are used for [`FRESH_FOR`]; a token whose key id they do
//! not hold makes them fetched again, and a failed fetch is remembered, both at most once per
//! [`REFETCH_AFTER`]; one fetch at a time, so that a burst of tokens (200 forged ones naming
//! the issuer) makes one outbound request, not 200. At most [`MAX_ISSUERS`] issuers are kept
//! (the oldest fetch goes first: it is only a cache). kube-apiserver's own timings are not
//! documented; these are the sandbox's choice.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long fetched keys are used without asking the issuer again.
pub const FRESH_FOR: Duration = Duration::from_secs(5 * 60);
/// The least time between two fetches from one issuer (after a failure, or for an unknown key).
pub const REFETCH_AFTER: Duration = Duration::from_secs(10);
/// How many issuers' keys are kept.
pub const MAX_ISSUERS: usize = 64;

/// Fetched keys, or why none could be fetched.
pub type Fetched = Result<Arc<JwkSet>, String>;

struct Entry {
    fetched_at: Instant,
    keys: Fetched,
}

impl Entry {
    /// Whether this entry answers a token with key id `kid` at `now`.
    fn answers(&self, kid: Option<&str>, now: Instant) -> bool {
        let age = now.saturating_duration_since(self.fetched_at);
        match &self.keys {
            Ok(keys) if age < FRESH_FOR => {
                age < REFETCH_AFTER || kid.is_none_or(|kid| keys.find(kid).is_some())
            }
            Ok(_) => false,
            Err(_) => age < REFETCH_AFTER,
        }
    }
}

/// The cache; one per sandbox.
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<(String, String), Entry>>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}

impl KeyCache {
    /// The keys of `issuer` (trusted through `ca`) for a token naming key id `kid`: cached,
    /// or fetched now with `fetch`.
    pub async fn keys<F>(&self, issuer: &str, ca: &str, kid: Option<&str>, fetch: F) -> Fetched
    where
        F: Future<Output = Result<JwkSet, String>>,
    {
        let id = (issuer.to_string(), ca.to_string());
        // Held across the fetch: concurrent tokens wait for it and then find its result.
        let mut entries = self.entries.lock().await;
        if let Some(entry) = entries.get(&id).filter(|e| e.answers(kid, Instant::now())) {
            return entry.keys.clone();
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let keys = fetch.await.map(Arc::new);
        if entries.len() >= MAX_ISSUERS && !entries.contains_key(&id) {
            let oldest = entries
                .iter()
                .min_by_key(|(_, entry)| entry.fetched_at)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        let entry = Entry {
            fetched_at: Instant::now(),
            keys: keys.clone(),
        };
        entries.insert(id, entry);
        keys
    }

    /// How many fetches were made.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests;
