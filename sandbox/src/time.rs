//! The clock: Unix seconds, and RFC 3339 UTC timestamps as protojson writes and reads them.

use std::num::NonZeroU8;
use std::time::{SystemTime, UNIX_EPOCH};

use ::time::format_description::well_known::iso8601::{Config, EncodedConfig, TimePrecision};
use ::time::format_description::well_known::{Iso8601, Rfc3339};
use ::time::OffsetDateTime;

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
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

/// The current time as an RFC 3339 UTC timestamp, e.g. `2025-01-15T10:00:00.250Z`.
pub fn now_rfc3339() -> String {
    format_rfc3339(SystemTime::now())
}

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
        assert!(is_rfc3339(&now_rfc3339()));
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
