//! RFC 3339 UTC timestamps as protojson writes them, computed from [`SystemTime`] by hand.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time as an RFC 3339 UTC timestamp, e.g. `2025-01-15T10:00:00.250Z`.
pub fn now_rfc3339() -> String {
    format_rfc3339(SystemTime::now())
}

/// Formats a time as protojson does: whole seconds, plus milliseconds when non-zero, and `Z`.
pub fn format_rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let millis = since.subsec_millis();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    if millis != 0 {
        out.push_str(&format!(".{millis:03}"));
    }
    out.push('Z');
    out
}

/// Converts days since 1970-01-01 into (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// True when `s` has the RFC 3339 shape protojson accepts for a Timestamp:
/// `YYYY-MM-DDTHH:MM:SS`, optional fraction of 1 to 9 digits, then `Z` or `±HH:MM`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|d| d.len() == range.len() && d.iter().all(u8::is_ascii_digit))
    };
    let num = |range: std::ops::Range<usize>| -> u32 { s[range].parse().unwrap_or(u32::MAX) };
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T') | Some(b't'))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19))
    {
        return false;
    }
    if !((1..=12).contains(&num(5..7))
        && (1..=31).contains(&num(8..10))
        && num(11..13) < 24
        && num(14..16) < 60
        && num(17..19) < 61)
    {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start || i - start > 9 {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') | Some(b'z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            b.len() == i + 6
                && digits(i + 1..i + 3)
                && b[i + 3] == b':'
                && digits(i + 4..i + 6)
                && num(i + 1..i + 3) < 24
                && num(i + 4..i + 6) < 60
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
