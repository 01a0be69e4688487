//! Fault injection: every Nth API request is refused, alternately with 429 and 503, without
//! being processed.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;

use crate::wire::errors::{ApiError, Code, Detail, Family};

/// A refusal that replaces processing of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `429 RESOURCE_EXHAUSTED` with `Retry-After: 0`.
    RateLimited,
    /// `503 UNAVAILABLE`.
    Unavailable,
}

impl Fault {
    /// The error answer in the route family's format.
    pub fn response(self, family: Family) -> Response {
        match self {
            Fault::RateLimited => {
                let err = ApiError::new(
                    Code::ResourceExhausted,
                    "rate limit exceeded (injected by coreweave-sandbox)",
                )
                .with(Detail::QuotaFailure {
                    subject: "requests".into(),
                    description: "sandbox fault injection".into(),
                });
                let mut resp = err.into_family_response(family);
                resp.headers_mut().insert(
                    HeaderName::from_static("retry-after"),
                    HeaderValue::from_static("0"),
                );
                resp
            }
            Fault::Unavailable => ApiError::new(
                Code::Unavailable,
                "service unavailable (injected by coreweave-sandbox)",
            )
            .into_family_response(family),
        }
    }
}

/// Counts API requests and decides which ones to refuse.
#[derive(Debug, Default)]
pub struct FaultInjector {
    requests: AtomicU64,
    injected: AtomicU64,
}

impl FaultInjector {
    /// Counts one API request; returns the fault to answer it with, if it is the Nth.
    pub fn next(&self, every: u64) -> Option<Fault> {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if every == 0 || !n.is_multiple_of(every) {
            return None;
        }
        let k = self.injected.fetch_add(1, Ordering::Relaxed);
        Some(if k.is_multiple_of(2) {
            Fault::RateLimited
        } else {
            Fault::Unavailable
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_third_request_alternates_429_and_503() {
        let f = FaultInjector::default();
        let got: Vec<_> = (0..9).map(|_| f.next(3)).collect();
        assert_eq!(
            got,
            [
                None,
                None,
                Some(Fault::RateLimited),
                None,
                None,
                Some(Fault::Unavailable),
                None,
                None,
                Some(Fault::RateLimited)
            ]
        );
    }

    #[test]
    fn zero_disables_faults() {
        let f = FaultInjector::default();
        assert!((0..10).all(|_| f.next(0).is_none()));
    }

    #[test]
    fn rate_limit_answers_carry_retry_after_zero() {
        let resp = Fault::RateLimited.response(Family::Rest);
        assert_eq!(resp.status(), 429);
        assert_eq!(resp.headers()["retry-after"], "0");
    }
}
