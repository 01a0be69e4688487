//! The bucket policies an access check weighs: the live policy of each bucket that can change a
//! result, read in parallel once per bucket, with a what-if document in place of the live one.

use std::collections::{BTreeMap, BTreeSet};

use tokio::task::JoinSet;

use crate::api::s3::{S3Client, S3Code, S3Error};
use crate::object_storage::bucket_policy::{Document, DocumentError};

/// Policies read at the same time at most.
const PARALLEL_READS: usize = 8;

/// Why a bucket's policy could not be weighed.
#[derive(Debug, thiserror::Error)]
pub enum BucketPolicyError {
    /// Reading it failed.
    #[error("reading the policy of bucket {bucket:?} (to weigh it; the provider's credentials need s3:GetBucketPolicy on it, or give the policy in `bucket_policies`)")]
    Read {
        /// The bucket.
        bucket: String,
        /// The S3 error (boxed: it is large, and rare).
        #[source]
        source: Box<S3Error>,
    },
    /// It is not a document this provider can evaluate.
    #[error("the live policy of bucket {bucket:?} cannot be evaluated ({source}); the check does not guess: give the bucket's policy in `bucket_policies` to weigh it as it should be")]
    Unreadable {
        /// The bucket.
        bucket: String,
        /// Why.
        #[source]
        source: DocumentError,
    },
    /// A what-if document is malformed (the plan-time check reports where).
    #[error("the policy given for bucket {bucket:?} in `bucket_policies` is malformed ({source})")]
    WhatIf {
        /// The bucket.
        bucket: String,
        /// Why.
        #[source]
        source: DocumentError,
    },
}

/// The live policy text of each of `buckets` that has one. A bucket that does not exist has
/// none (one this configuration creates, say).
pub async fn read_live(
    s3: &S3Client,
    buckets: &BTreeSet<String>,
) -> Result<BTreeMap<String, String>, BucketPolicyError> {
    let mut reads = JoinSet::new();
    let mut read = Vec::with_capacity(buckets.len());
    for bucket in buckets {
        if reads.len() >= PARALLEL_READS {
            if let Some(joined) = reads.join_next().await {
                // A read that panicked panics here: a missing policy would be a wrong answer.
                read.push(joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())));
            }
        }
        let (s3, bucket) = (s3.clone(), bucket.clone());
        reads.spawn(async move {
            let policy = s3.get_bucket_policy(&bucket).await;
            (bucket, policy)
        });
    }
    read.extend(reads.join_all().await);
    let mut live = BTreeMap::new();
    for (bucket, policy) in read {
        match policy {
            Ok(Some(text)) => {
                live.insert(bucket, text);
            }
            Ok(None) => {}
            Err(e) if e.is(&S3Code::NoSuchBucket) => {}
            Err(e) => {
                let source = Box::new(e);
                return Err(BucketPolicyError::Read { bucket, source });
            }
        }
    }
    Ok(live)
}

/// The documents to weigh: each live one, with the what-if of its bucket in its place. A
/// document that does not parse is an error, never left out.
pub fn weighed(
    live: BTreeMap<String, String>,
    what_ifs: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Document>, BucketPolicyError> {
    let mut documents = BTreeMap::new();
    for (bucket, text) in live.into_iter().filter(|(b, _)| !what_ifs.contains_key(b)) {
        match Document::parse(&text) {
            Ok(document) => documents.insert(bucket, document),
            Err(source) => return Err(BucketPolicyError::Unreadable { bucket, source }),
        };
    }
    for (bucket, text) in what_ifs {
        let document = Document::parse(text).map_err(|source| BucketPolicyError::WhatIf {
            bucket: bucket.clone(),
            source,
        })?;
        documents.insert(bucket.clone(), document);
    }
    Ok(documents)
}
