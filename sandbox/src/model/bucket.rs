//! What a bucket is besides its objects: its zone, owning organization, tags and policy, and the
//! rules for them (the zones the sandbox knows, S3's tag limits).

use std::sync::Arc;

use crate::model::bucket_policy::BucketPolicy;

/// The zones a bucket may be created in: the built-in clusters' zone and the zones the
/// reference names (§5, the pod identity webhook's eligible zones).
pub const KNOWN_ZONES: [&str; 6] = [
    "US-EAST-04A",
    "US-CENTRAL-05A",
    "US-CENTRAL-06A",
    "US-CENTRAL-07A",
    "US-CENTRAL-08A",
    "US-CENTRAL-08B",
];
/// The zone of a bucket seeded without one (the built-in clusters' zone).
pub const DEFAULT_ZONE: &str = "US-EAST-04A";
/// S3's limits on a bucket's tags.
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY_CHARS: usize = 128;
const MAX_TAG_VALUE_CHARS: usize = 256;

/// Whether `zone` is one the sandbox knows (exact, upper-case as CoreWeave writes zones).
pub fn is_known_zone(zone: &str) -> bool {
    KNOWN_ZONES.contains(&zone)
}

/// A bucket's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSettings {
    /// The zone (`LocationConstraint`).
    pub zone: String,
    /// The organization that created it.
    pub owner_org: String,
    /// Its tags, in the order set; `None` = never tagged (or tags deleted).
    pub tags: Option<Vec<(String, String)>>,
    /// Its policy, if one is set.
    pub policy: Option<Arc<BucketPolicy>>,
}

impl BucketSettings {
    /// An untagged bucket without a policy.
    pub fn new(zone: &str, owner_org: &str) -> Self {
        Self {
            zone: zone.into(),
            owner_org: owner_org.into(),
            tags: None,
            policy: None,
        }
    }
}

/// Why a tag set is refused (`InvalidTag`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidTag(pub String);

/// Checks a tag set against S3's rules: at most 50 tags, unique keys of 1-128 characters not
/// starting with `aws:`, values of at most 256 characters.
pub fn check_tags(tags: &[(String, String)]) -> Result<(), InvalidTag> {
    if tags.len() > MAX_TAGS {
        return Err(InvalidTag(format!(
            "a bucket has at most {MAX_TAGS} tags, got {}",
            tags.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for (key, value) in tags {
        let length = key.chars().count();
        if length == 0 || length > MAX_TAG_KEY_CHARS {
            return Err(InvalidTag(format!(
                "tag key {key:?} must be 1 to {MAX_TAG_KEY_CHARS} characters"
            )));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(InvalidTag(format!(
                "tag key {key:?}: the aws: prefix is reserved"
            )));
        }
        if value.chars().count() > MAX_TAG_VALUE_CHARS {
            return Err(InvalidTag(format!(
                "the value of tag {key:?} must be at most {MAX_TAG_VALUE_CHARS} characters"
            )));
        }
        if !seen.insert(key) {
            return Err(InvalidTag(format!("tag key {key:?} is given twice")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tag_sets_keep_to_the_s3_limits() {
        assert_eq!(check_tags(&tags(&[("team", "ml"), ("env", "")])), Ok(()));
        let fifty_one: Vec<_> = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(check_tags(&fifty_one[..50]).is_ok());
        assert!(check_tags(&fifty_one).unwrap_err().0.contains("at most 50"));
        let long_key = "k".repeat(129);
        let long_value = "v".repeat(257);
        for bad in [
            tags(&[("", "x")]),
            tags(&[(&long_key, "x")]),
            tags(&[("k", &long_value)]),
            tags(&[("AWS:created", "x")]),
            tags(&[("a", "1"), ("a", "2")]),
        ] {
            assert!(check_tags(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn zones_are_known_in_upper_case_only() {
        assert!(is_known_zone(DEFAULT_ZONE));
        assert!(is_known_zone("US-CENTRAL-08B"));
        assert!(!is_known_zone("us-east-04a"));
        assert!(!is_known_zone("us-east-1"));
    }
}
