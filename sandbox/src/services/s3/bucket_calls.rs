//! The bucket calls on a bucket's settings: CreateBucket (in a zone), GetBucketLocation and
//! bucket tagging (reference §3.7). Bucket names are checked by s3s before any of these runs
//! (S3's rules: `InvalidBucketName`).

use s3s::dto::*;
use s3s::{s3_error, S3Error, S3Result};

use crate::model::bucket::{check_tags, is_known_zone, BucketSettings, KNOWN_ZONES};
use crate::model::object_store::ObjectStore;

/// Creates `input.bucket` for `owner_org` in the zone its `LocationConstraint` names; a missing
/// or unknown zone is `InvalidLocationConstraint`.
pub fn create(
    objects: &ObjectStore,
    owner_org: &str,
    input: CreateBucketInput,
) -> S3Result<CreateBucketOutput> {
    let zone = input
        .create_bucket_configuration
        .and_then(|c| c.location_constraint)
        .map(|zone| zone.as_str().to_string());
    let Some(zone) = zone else {
        return Err(s3_error!(
            InvalidLocationConstraint,
            "CreateBucketConfiguration.LocationConstraint is required: the bucket's zone, one \
             of {}",
            KNOWN_ZONES.join(", ")
        ));
    };
    if !is_known_zone(&zone) {
        return Err(s3_error!(
            InvalidLocationConstraint,
            "unknown zone {zone:?}: the LocationConstraint must be one of {}",
            KNOWN_ZONES.join(", ")
        ));
    }
    let bucket = input.bucket;
    objects
        .create_bucket(&bucket, BucketSettings::new(&zone, owner_org))
        .map_err(S3Error::from)?;
    Ok(CreateBucketOutput {
        location: Some(format!("/{bucket}")),
    })
}

/// The bucket's zone.
pub fn location(objects: &ObjectStore, bucket: &str) -> S3Result<GetBucketLocationOutput> {
    let zone = objects.settings(bucket).map_err(S3Error::from)?.zone;
    Ok(GetBucketLocationOutput {
        location_constraint: Some(BucketLocationConstraint::from(zone)),
    })
}

/// Replaces the bucket's tags (S3's limits: `InvalidTag`); an empty set leaves it untagged.
pub fn put_tagging(objects: &ObjectStore, input: PutBucketTaggingInput) -> S3Result<()> {
    let tags: Vec<(String, String)> = input
        .tagging
        .tag_set
        .into_iter()
        .map(|tag| (tag.key.unwrap_or_default(), tag.value.unwrap_or_default()))
        .collect();
    check_tags(&tags).map_err(|e| s3_error!(InvalidTag, "{e}"))?;
    objects
        .update_settings(&input.bucket, |s| {
            s.tags = (!tags.is_empty()).then_some(tags)
        })
        .map_err(S3Error::from)
}

/// The bucket's tags; `NoSuchTagSet` (404) when it has none.
pub fn get_tagging(objects: &ObjectStore, bucket: &str) -> S3Result<GetBucketTaggingOutput> {
    let Some(tags) = objects.settings(bucket).map_err(S3Error::from)?.tags else {
        return Err(s3_error!(NoSuchTagSet, "the bucket {bucket:?} has no tags"));
    };
    let tag_set = tags
        .into_iter()
        .map(|(key, value)| Tag {
            key: Some(key),
            value: Some(value),
        })
        .collect();
    Ok(GetBucketTaggingOutput { tag_set })
}

/// Removes the bucket's tags (none is fine).
pub fn delete_tagging(objects: &ObjectStore, bucket: &str) -> S3Result<()> {
    objects
        .update_settings(bucket, |s| s.tags = None)
        .map_err(S3Error::from)
}
