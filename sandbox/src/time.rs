//! The sandbox's one time source, [`Clock`]: the system clock moved forward by what tests added
//! (`POST /_sandbox/clock`), so that token and credential expiry and cluster update cycles
//! happen when a test says instead of after it sleeps. Also RFC 3339 UTC timestamps as protojson
//! writes and reads them.

use std::num::NonZeroU8;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ::time::format_description::well_known::iso8601::{Config, EncodedConfig, TimePrecision};
use ::time::format_description::well_known::{Iso8601, Rfc3339};
use ::time::OffsetDateTime;

/// The sandbox's clock; clones share it. Every time the sandbox's behaviour depends on is read
/// here (how long a request took, for its log line, is real time).
///
/// ```
/// use std::time::Duration;
/// use coreweave_sandbox::time::Clock;
///
/// let clock = Clock::default();
/// let before = clock.now_unix();
/// clock.clone().advance(Duration::from_secs(3600));
/// assert!(clock.now_unix() >= before + 3600);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Milliseconds added to the system clock.
    advanced_ms: Arc<AtomicU64>,
}

impl Clock {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.advanced_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// How far the clock was moved forward in all.
    pub fn advanced(&self) -> Duration {
        Duration::from_millis(self.advanced_ms.load(Ordering::SeqCst))
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + self.advanced()
    }

    /// The current instant, for durations measured within the sandbox (update cycles).
    pub fn instant(&self) -> Instant {
        Instant::now() + self.advanced()
    }

    /// Seconds since the Unix epoch.
    pub fn now_unix(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    }

    /// The current time as an RFC 3339 UTC timestamp, e.g. `2025-01-15T10:00:00.250Z`.
    pub fn now_rfc3339(&self) -> String {
        format_rfc3339(self.now())
    }
}

/// `2025-01-15T10:00:00Z`.
const WHOLE_SECONDS: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: None,
    })
    .encode();

/// `2025-01-15T10:00:00.250Z`.
const MILLISECONDS: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: NonZeroU8::new(3),
    })
    .encode();

/// Formats a time as protojson does: whole seconds, plus milliseconds when non-zero, and `Z`.
pub fn format_rfc3339(time: SystemTime) -> String {
    let time = OffsetDateTime::from(time);
    let formatted = if time.millisecond() == 0 {
        time.format(&Iso8601::<WHOLE_SECONDS>)
    } else {
        time.format(&Iso8601::<MILLISECONDS>)
    };
    formatted.expect("a SystemTime in years 1..=9999 formats")
}

/// True when `s` is a Timestamp that protojson accepts: RFC 3339 with `T` between date and
/// time and a fraction of at most 9 digits (the RFC itself allows other separators and
/// longer fractions).
pub fn is_rfc3339(s: &str) -> bool {
    let t_separator = matches!(s.as_bytes().get(10), Some(b'T' | b't'));
    let fraction_digits = s.split_once('.').map_or(0, |(_, rest)| {
        rest.bytes().take_while(u8::is_ascii_digit).count()
    });
    t_separator && fraction_digits <= 9 && OffsetDateTime::parse(s, &Rfc3339).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_the_epoch() {
        assert_eq!(format_rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn formats_a_leap_day_with_milliseconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_709_210_096_250);
        assert_eq!(format_rfc3339(t), "2024-02-29T12:34:56.250Z");
    }

    #[test]
    fn formats_the_end_of_a_year() {
        let t = UNIX_EPOCH + Duration::from_secs(1_767_225_599);
        assert_eq!(format_rfc3339(t), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn now_is_well_formed() {
        assert!(is_rfc3339(&Clock::default().now_rfc3339()));
    }

    #[test]
    fn an_advanced_clock_is_that_much_ahead_and_clones_share_it() {
        let clock = Clock::default();
        let shared = clock.clone();
        clock.advance(Duration::from_secs(3600));
        let ahead = shared.now_unix() - Clock::default().now_unix();
        assert!((3599..=3601).contains(&ahead), "{ahead}");
        assert_eq!(shared.advanced(), Duration::from_secs(3600));
    }

    #[test]
    fn accepts_protojson_timestamps() {
        for ok in [
            "2023-11-07T05:31:56Z",
            "2023-11-07T05:31:56.123456789Z",
            "2023-11-07T05:31:56+02:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "",
            "2023-11-07",
            "2023-13-07T05:31:56Z",
            "2023-11-07 05:31:56Z",
            "2023-11-07T05:31:56",
            "2023-11-07T05:31:56.Z",
            "2023-11-07T05:31:56+0200",
            "2023-11-07T05:31:56Zjunk",
            "2023-02-29T05:31:56Z",
            "2023-11-07T05:31:56.1234567891Z",
            "2023-11-07T05:31:56+24:00",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
