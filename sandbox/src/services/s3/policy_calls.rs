//! PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy (reference §3.7). A document is
//! checked ([`BucketPolicy::parse`], `MalformedPolicy` saying what is wrong) and kept as sent:
//! GetBucketPolicy answers the very text. Who may call them is decided before ([`super::access`]).

use std::sync::Arc;

use s3s::dto::*;
use s3s::{s3_error, S3Error, S3Result};

use crate::model::bucket_policy::BucketPolicy;
use crate::model::object_store::ObjectStore;

/// Sets the bucket's policy from the raw document.
pub fn put(objects: &ObjectStore, input: PutBucketPolicyInput) -> S3Result<()> {
    let bucket = input.bucket;
    objects.settings(&bucket).map_err(S3Error::from)?;
    let policy = BucketPolicy::parse(&input.policy, &bucket)
        .map_err(|e| s3_error!(MalformedPolicy, "{e}"))?;
    objects
        .update_settings(&bucket, |s| s.policy = Some(Arc::new(policy)))
        .map_err(S3Error::from)
}

/// The bucket's policy as sent; `NoSuchBucketPolicy` (404) when it has none.
pub fn get(objects: &ObjectStore, bucket: &str) -> S3Result<GetBucketPolicyOutput> {
    let Some(policy) = objects.settings(bucket).map_err(S3Error::from)?.policy else {
        return Err(s3_error!(
            NoSuchBucketPolicy,
            "the bucket {bucket:?} has no policy"
        ));
    };
    Ok(GetBucketPolicyOutput {
        policy: Some(policy.raw().to_string()),
    })
}

/// Removes the bucket's policy (none is fine, as in S3).
pub fn delete(objects: &ObjectStore, bucket: &str) -> S3Result<()> {
    objects
        .update_settings(bucket, |s| s.policy = None)
        .map_err(S3Error::from)
}
