//! One API call, ready to be sent (and re-sent): method, URL, body, headers, and how the
//! retry loop may treat it.

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use serde::Serialize;
use url::Url;

use super::Protocol;
use crate::api::retry::Idempotency;
use crate::api::ApiError;

/// One API call, ready to be sent (and re-sent).
pub(in crate::api) struct Call {
    pub(super) method: Method,
    pub(super) url: Url,
    pub(super) body: Option<Vec<u8>>,
    pub(super) protocol: Protocol,
    pub(super) idempotency: Idempotency,
    /// Sent without the API's bearer: the token exchange itself, or an S3 call, which carries
    /// its own signature in `headers`.
    pub(super) anonymous: bool,
    /// Further headers (an S3 call's signature, marked sensitive).
    pub(super) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Call {
    /// Attaches a JSON body.
    pub(in crate::api) fn json(mut self, body: &impl Serialize) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ApiError::InvalidRequest(format!("could not encode the request body: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Marks the call as not safe to repeat blindly.
    pub(in crate::api) fn non_idempotent(mut self) -> Self {
        self.idempotency = Idempotency::NonIdempotent;
        self
    }

    /// Marks the call as sent without an `Authorization` header.
    pub(in crate::api) fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }

    /// Attaches a raw body (an S3 call's XML or JSON document).
    pub(in crate::api) fn raw_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds a header to every attempt.
    pub(in crate::api) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The method, the URL and the body, for signing.
    pub(in crate::api) fn parts(&self) -> (&Method, &Url, &[u8]) {
        (
            &self.method,
            &self.url,
            self.body.as_deref().unwrap_or_default(),
        )
    }

    /// The URL path, for messages and logs.
    pub(in crate::api) fn path(&self) -> &str {
        self.url.path()
    }
}
