//! The bounded waits and loops of a bucket's life: until a new bucket is visible, until a
//! deleted one is gone, and emptying or counting its objects. AI Object Storage is eventually
//! consistent: right after a create, `HeadBucket` may answer 404, 400 or `InvalidRegion`
//! ("Region does not match") for a while, which means "not yet", never "gone".

use std::time::{Duration, Instant};

use crate::api::{S3Client, S3Code, S3Error};

/// How long a new bucket may take to become visible.
pub const CREATE_WAIT: Duration = Duration::from_secs(120);
/// How long a deleted bucket may take to disappear.
pub const DELETE_WAIT: Duration = Duration::from_secs(120);
/// For how long after its create a bucket that reads as missing may still be on its way.
pub const CONSISTENCY_WINDOW: Duration = Duration::from_secs(60);
/// Pause between two looks.
const POLL: Duration = Duration::from_secs(1);
/// Pages of 1000 objects counted at most for a message.
const MAX_COUNTED_PAGES: usize = 10;

/// Why a wait ended without what it waited for.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The bound passed.
    #[error("still not so after {0:?}")]
    TimedOut(Duration),
    /// A look failed for a reason that is not "not yet" (or Terraform asked to stop).
    #[error(transparent)]
    S3(#[from] S3Error),
    /// Terraform asked the provider to stop.
    #[error("interrupted (Terraform asked the provider to stop)")]
    Interrupted,
}

/// Whether a HeadBucket failure right after a create means "not visible yet".
fn not_yet(error: &S3Error) -> bool {
    matches!(
        error.code(),
        Some(S3Code::InvalidRegion | S3Code::NoSuchBucket)
    ) || matches!(
        error,
        S3Error::Refused { status, .. } if status.http_status == 400 || status.http_status == 404
    )
}

/// Looks with HeadBucket until `bucket` exists (`true`) or the bound passes.
pub async fn until_found(s3: &S3Client, bucket: &str, bound: Duration) -> Result<(), WaitError> {
    poll(s3, bound, || async {
        match s3.head_bucket(bucket).await {
            Ok(found) => Ok(found),
            Err(e) if not_yet(&e) => Ok(false),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Looks with HeadBucket until `bucket` is gone or the bound passes.
pub async fn until_gone(s3: &S3Client, bucket: &str, bound: Duration) -> Result<(), WaitError> {
    poll(s3, bound, || async {
        s3.head_bucket(bucket).await.map(|found| !found)
    })
    .await
}

/// Calls `look` (then pauses a second) until it answers `true`, fails, or `bound` has passed.
pub async fn poll<F, Fut>(s3: &S3Client, bound: Duration, mut look: F) -> Result<(), WaitError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, S3Error>>,
{
    let started = Instant::now();
    loop {
        if look().await? {
            return Ok(());
        }
        if started.elapsed() >= bound {
            return Err(WaitError::TimedOut(bound));
        }
        if !s3.pause(POLL).await {
            return Err(WaitError::Interrupted);
        }
    }
}

/// Deletes every object of `bucket`, page by page; answers how many.
pub async fn empty(s3: &S3Client, bucket: &str) -> Result<usize, S3Error> {
    let mut deleted = 0;
    let mut token: Option<String> = None;
    loop {
        let (keys, next) = s3.list_object_keys(bucket, token.as_deref()).await?;
        for key in &keys {
            s3.delete_object(bucket, key).await?;
        }
        deleted += keys.len();
        match next {
            Some(next) => token = Some(next),
            None => return Ok(deleted),
        }
    }
}

/// How many objects `bucket` holds, as text: `"3"`, or `"at least 10000"` past
/// [`MAX_COUNTED_PAGES`] pages.
pub async fn count_objects(s3: &S3Client, bucket: &str) -> Result<String, S3Error> {
    let mut count = 0;
    let mut token: Option<String> = None;
    for _ in 0..MAX_COUNTED_PAGES {
        let (keys, next) = s3.list_object_keys(bucket, token.as_deref()).await?;
        count += keys.len();
        match next {
            Some(next) => token = Some(next),
            None => return Ok(count.to_string()),
        }
    }
    Ok(format!("at least {count}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::S3Status;

    fn refused(http_status: u16, code: &str) -> S3Error {
        S3Error::Refused {
            operation: "HeadBucket",
            target: "of bucket \"b\"".into(),
            code: S3Code::parse(code),
            status: S3Status {
                http_status,
                code: code.into(),
                message: String::new(),
            },
        }
    }

    #[test]
    fn right_after_a_create_400_404_and_invalid_region_mean_not_yet() {
        for (status, code) in [
            (400, "BadRequest"),
            (400, "InvalidRegion"),
            (400, "AuthorizationHeaderMalformed"),
            (404, "NotFound"),
            (404, "NoSuchBucket"),
        ] {
            assert!(not_yet(&refused(status, code)), "{status} {code}");
        }
        for (status, code) in [
            (403, "AccessDenied"),
            (409, "BucketAlreadyExists"),
            (500, "InternalError"),
        ] {
            assert!(!not_yet(&refused(status, code)), "{status} {code}");
        }
    }
}
