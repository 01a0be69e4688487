//! When and how long to retry: a pure policy, unit-tested apart from any HTTP.
//!
//! Retryable outcomes are transport failures and HTTP 429, 502, 503 and 504. Delays grow
//! exponentially from `base` with full jitter, capped at `max_delay`; a `Retry-After` header
//! (seconds or HTTP-date, capped at one minute) replaces the computed delay.
//!
//! Non-idempotent calls are retried only when the request provably was not processed (the
//! connection was never established, or the server refused it with 429 or 503). Any other
//! retryable outcome leaves the result unknown: the caller must reconcile (re-read) before it
//! may try again. An attempt that may have taken effect leaves the whole call's outcome unknown,
//! whatever later attempts answer ([`Outcome::may_have_taken_effect`]).

use std::time::{Duration, SystemTime};

use rand::Rng;

/// Longest wait a `Retry-After` header can impose.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// How one HTTP attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The connection could not be established: the request never reached the server.
    ConnectFailed,
    /// The exchange broke off after the request may have been sent (timeout, reset, ...).
    Interrupted,
    /// The server answered with this HTTP status.
    Status(u16),
}

impl Outcome {
    /// Whether the request may have taken effect although the attempt failed: the exchange
    /// broke off after sending, or the server answered 500, 502 or 504, which can come after
    /// processing. A failed connection, 429, 503 and every other answer mean "not processed".
    pub fn may_have_taken_effect(self) -> bool {
        matches!(
            self,
            Outcome::Interrupted | Outcome::Status(500 | 502 | 504)
        )
    }
}

/// Whether repeating a call can change the result beyond what the first call would have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Repeating the call is harmless (reads, upserts, deletes, PATCH with absolute values).
    Idempotent,
    /// Repeating the call may act twice (creating an object with a server-assigned id).
    NonIdempotent,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Try again after a delay (if retries remain).
    Retry,
    /// The call may or may not have taken effect: re-read before trying again.
    Reconcile,
    /// Do not retry: report the failure.
    Fail,
}

/// The retry policy of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` attempts).
    pub max_retries: u32,
    /// Backoff ceiling of the first retry; doubles with each further retry.
    pub base: Duration,
    /// Largest computed backoff.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The default policy (200 ms base, 10 s cap) with `max_retries` retries.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            base: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }

    /// What to do after an attempt that ended with `outcome`.
    pub fn verdict(&self, outcome: Outcome, idempotency: Idempotency) -> Verdict {
        let retryable = match outcome {
            Outcome::ConnectFailed | Outcome::Interrupted => true,
            Outcome::Status(status) => matches!(status, 429 | 502 | 503 | 504),
        };
        match (retryable, idempotency) {
            (false, _) => Verdict::Fail,
            (true, Idempotency::Idempotent) => Verdict::Retry,
            (true, Idempotency::NonIdempotent) if !outcome.may_have_taken_effect() => {
                Verdict::Retry
            }
            (true, Idempotency::NonIdempotent) => Verdict::Reconcile,
        }
    }

    /// Upper bound of the backoff before retry number `retry` (0 = the first retry):
    /// `min(max_delay, base * 2^retry)`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The delay before retry number `retry` for a uniform `jitter` in `[0, 1]`: the
    /// `Retry-After` value when the server sent one (capped at [`RETRY_AFTER_CAP`]),
    /// otherwise `jitter` times the backoff ceiling ("full jitter").
    pub fn delay_with_jitter(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Duration {
        match retry_after {
            Some(wait) => wait.min(RETRY_AFTER_CAP),
            None => self.backoff_ceiling(retry).mul_f64(jitter.clamp(0.0, 1.0)),
        }
    }

    /// [`RetryPolicy::delay_with_jitter`] with a random jitter.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let jitter = rand::thread_rng().gen_range(0.0..=1.0);
        self.delay_with_jitter(retry, retry_after, jitter)
    }
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP-date (IMF-fixdate, RFC 850 or
/// asctime form, read by `httpdate`) relative to `now` (a date in the past means no wait).
/// `None` when malformed.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    const ALL_OUTCOMES: [Outcome; 10] = [
        Outcome::ConnectFailed,
        Outcome::Interrupted,
        Outcome::Status(400),
        Outcome::Status(404),
        Outcome::Status(429),
        Outcome::Status(500),
        Outcome::Status(501),
        Outcome::Status(502),
        Outcome::Status(503),
        Outcome::Status(504),
    ];

    #[test]
    fn idempotent_calls_retry_transport_errors_and_429_502_503_504_only() {
        let policy = RetryPolicy::new(3);
        for outcome in ALL_OUTCOMES {
            let expected = match outcome {
                Outcome::Status(400 | 404 | 500 | 501) => Verdict::Fail,
                _ => Verdict::Retry,
            };
            assert_eq!(
                policy.verdict(outcome, Idempotency::Idempotent),
                expected,
                "{outcome:?}"
            );
        }
        assert_eq!(
            policy.verdict(Outcome::Status(200), Idempotency::Idempotent),
            Verdict::Fail
        );
        assert_eq!(
            policy.verdict(Outcome::Status(307), Idempotency::Idempotent),
            Verdict::Fail
        );
    }

    #[test]
    fn non_idempotent_calls_retry_only_when_provably_unprocessed() {
        let policy = RetryPolicy::new(3);
        for outcome in ALL_OUTCOMES {
            let expected = match outcome {
                Outcome::ConnectFailed | Outcome::Status(429 | 503) => Verdict::Retry,
                Outcome::Interrupted | Outcome::Status(502 | 504) => Verdict::Reconcile,
                _ => Verdict::Fail,
            };
            assert_eq!(
                policy.verdict(outcome, Idempotency::NonIdempotent),
                expected,
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn only_broken_exchanges_and_500_502_504_may_have_taken_effect() {
        for outcome in ALL_OUTCOMES {
            let expected = matches!(
                outcome,
                Outcome::Interrupted | Outcome::Status(500 | 502 | 504)
            );
            assert_eq!(outcome.may_have_taken_effect(), expected, "{outcome:?}");
        }
    }

    #[test]
    fn backoff_doubles_from_base_and_is_capped() {
        let policy = RetryPolicy::new(10);
        let ceilings: Vec<u128> = (0..8)
            .map(|n| policy.backoff_ceiling(n).as_millis())
            .collect();
        assert_eq!(ceilings, [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
        assert_eq!(policy.backoff_ceiling(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let policy = RetryPolicy::new(10);
        assert_eq!(policy.delay_with_jitter(2, None, 0.0), Duration::ZERO);
        assert_eq!(
            policy.delay_with_jitter(2, None, 1.0),
            Duration::from_millis(800)
        );
        assert_eq!(
            policy.delay_with_jitter(2, None, 0.5),
            Duration::from_millis(400)
        );
        assert_eq!(
            policy.delay_with_jitter(2, None, 7.0),
            Duration::from_millis(800)
        );
        for retry in 0..12 {
            let delay = policy.delay(retry, None);
            assert!(delay <= policy.backoff_ceiling(retry), "{retry}: {delay:?}");
        }
    }

    #[test]
    fn retry_after_overrides_backoff_and_is_capped_at_a_minute() {
        let policy = RetryPolicy::new(10);
        assert_eq!(
            policy.delay_with_jitter(0, Some(Duration::from_secs(30)), 0.1),
            Duration::from_secs(30)
        );
        assert_eq!(policy.delay(0, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(
            policy.delay(5, Some(Duration::from_secs(3600))),
            RETRY_AFTER_CAP
        );
    }

    #[test]
    fn retry_after_parses_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn retry_after_parses_all_three_http_date_forms() {
        // 1994-11-06T08:49:37Z
        let at = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let now = at - Duration::from_secs(90);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                parse_retry_after(form, now),
                Some(Duration::from_secs(90)),
                "{form}"
            );
        }
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at + Duration::from_secs(5)),
            Some(Duration::ZERO)
        );
    }
}
