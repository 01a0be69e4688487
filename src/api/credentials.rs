//! Credentials: the API token as its own type (never printed), the `Authorization` header made
//! from a secret, and the redaction of secrets from server text.

use std::borrow::Cow;
use std::fmt;

use reqwest::header::HeaderValue;

/// A CoreWeave API access token. `Debug` and `Display` print `***`, never the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token; surrounding whitespace (a trailing newline from a file) is removed.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        ApiToken(token.trim().to_string())
    }

    /// The secret itself, only for validating, building the `Authorization` header and redacting.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

/// A token exactly as configured (not trimmed), so that validation sees stray whitespace.
impl From<String> for ApiToken {
    fn from(token: String) -> Self {
        ApiToken(token)
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

/// The sensitive `Authorization: Bearer <secret>` header; `None` when the secret cannot be sent
/// in an HTTP header.
pub fn bearer_header(secret: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {secret}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Replaces every occurrence of each (non-empty) secret in `text` by `***`.
pub(super) fn redact(text: Cow<'_, str>, secrets: &[String]) -> String {
    let mut text = text.into_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "***");
        }
    }
    text
}
