//! Plan-time rules for a new bucket's `name` and `zone`, as messages that say what to write.
//! They are checked where a bucket would be created (a create, or a replacement to a new name
//! or zone), never against a bucket that exists: one the API accepted is always importable and
//! plannable, whatever these rules say.

use tf_plugin_server::{AttributePath, Diagnostics};

use crate::diag;
use crate::validate;

/// Checks a new bucket's name: CoreWeave's bucket naming rules ([`validate::bucket_name`]:
/// 3 to 63 lowercase letters, digits and `-`, no dots, so never an IP address).
pub fn check_name(name: &str) -> Result<(), String> {
    validate::bucket_name(name).map_err(|why| {
        let suggestion = suggested_name(name);
        if suggestion != name && validate::bucket_name(&suggestion).is_ok() {
            format!("{why}; for example {suggestion:?}")
        } else {
            why
        }
    })
}

/// `name` lowercased, with dots and underscores as `-`: what a user most likely meant.
fn suggested_name(name: &str) -> String {
    name.to_ascii_lowercase().replace(['.', '_'], "-")
}

/// Checks a zone: `<COUNTRY>-<AREA>-<NN><LETTER>` in upper case, e.g. `US-EAST-04A`.
pub fn check_zone(zone: &str) -> Result<(), String> {
    let parts: Vec<&str> = zone.split('-').collect();
    let well_formed = match parts.as_slice() {
        [country, area, site] => {
            country.len() == 2
                && country.bytes().all(|b| b.is_ascii_uppercase())
                && !area.is_empty()
                && area.bytes().all(|b| b.is_ascii_uppercase())
                && site.len() == 3
                && site.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                && site.as_bytes()[2].is_ascii_uppercase()
        }
        _ => false,
    };
    if well_formed {
        return Ok(());
    }
    let upper = zone.to_ascii_uppercase();
    if upper != zone && check_zone(&upper).is_ok() {
        return Err(format!("must be upper case: write {upper:?}"));
    }
    Err(format!(
        "must be an AI Object Storage zone such as \"US-EAST-04A\" (country, area, two digits and a letter, in \
         upper case); got {zone:?}"
    ))
}

/// Most tags a bucket may have (S3's limit).
pub const MAX_TAGS: usize = 50;

/// Checks bucket tags against S3's tagging rules: at most [`MAX_TAGS`], keys of 1 to 128
/// characters not starting with `aws:`, values of at most 256.
pub fn check_tags<'a>(
    tags: impl ExactSizeIterator<Item = (&'a String, &'a String)>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if tags.len() > MAX_TAGS {
        problems.push(format!(
            "has {} tags; a bucket may have at most {MAX_TAGS}",
            tags.len()
        ));
    }
    for (key, value) in tags {
        if !(1..=128).contains(&key.chars().count()) {
            problems.push(format!(
                "has the key {key:?}; keys have 1 to 128 characters"
            ));
        } else if key.starts_with("aws:") {
            problems.push(format!(
                "has the key {key:?}; keys starting with \"aws:\" are reserved"
            ));
        }
        if value.chars().count() > 256 {
            problems.push(format!(
                "has a value of {} characters for {key:?}; values have at most 256",
                value.chars().count()
            ));
        }
    }
    problems
}

/// Reports the rules a new bucket `name` in `zone` breaks (either may be unknown); `false` on
/// any error.
pub fn check_new_bucket(diags: &mut Diagnostics, name: Option<&str>, zone: Option<&str>) -> bool {
    let before = diags.errors.len();
    if let Some(Err(why)) = name.map(check_name) {
        diag::invalid(diags, AttributePath::new("name"), "name", why);
    }
    if let Some(Err(why)) = zone.map(check_zone) {
        diag::invalid(diags, AttributePath::new("zone"), "zone", why);
    }
    diags.errors.len() == before
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn names_follow_coreweave_rules_and_suggest_a_fix() {
        for ok in ["abc", "training-data-2026", "a1b", &"a".repeat(63)] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for (bad, says) in [
            ("ab", "3 to 63"),
            ("My.Bucket", "\"my-bucket\""),
            ("192.168.1.1", "dots"),
            ("data_set", "\"data-set\""),
            ("-abc", "start and end"),
            ("cw-data", "reserved"),
        ] {
            let why = check_name(bad).unwrap_err();
            assert!(why.contains(says), "{bad}: {why}");
        }
    }

    #[test]
    fn tags_follow_s3_limits() {
        let ok: BTreeMap<String, String> =
            [("env".into(), "prod".into()), ("e".into(), String::new())].into();
        assert!(check_tags(ok.iter()).is_empty());
        let bad: BTreeMap<String, String> = [
            (String::new(), "x".into()),
            ("aws:x".into(), "y".into()),
            ("k".into(), "v".repeat(257)),
        ]
        .into();
        let problems = check_tags(bad.iter());
        assert_eq!(problems.len(), 3, "{problems:?}");
        let many: BTreeMap<String, String> =
            (0..51).map(|i| (i.to_string(), String::new())).collect();
        assert!(check_tags(many.iter())[0].contains("at most 50"));
    }

    #[test]
    fn zones_are_upper_case_country_area_site() {
        for ok in ["US-EAST-04A", "US-CENTRAL-05A", "CA-EAST-01A"] {
            assert_eq!(check_zone(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check_zone("us-east-04a").unwrap_err(),
            "must be upper case: write \"US-EAST-04A\""
        );
        for bad in [
            "",
            "US-EAST",
            "USA-EAST-04A",
            "US-EAST-4A",
            "US-EAST-04",
            "US-EAST-04A-X",
        ] {
            assert!(
                check_zone(bad)
                    .unwrap_err()
                    .contains("such as \"US-EAST-04A\""),
                "{bad}"
            );
        }
    }
}
