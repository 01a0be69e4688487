//! Why an S3 call failed, with the S3 error code callers branch on.

use crate::api::{ApiError, S3Status};

/// The S3 error codes the provider acts on; any other code is kept as [`S3Code::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Code {
    /// The bucket does not exist (also a `HEAD` answered 404).
    NoSuchBucket,
    /// The bucket has no policy.
    NoSuchBucketPolicy,
    /// The bucket has no tags.
    NoSuchTagSet,
    /// The bucket still holds objects.
    BucketNotEmpty,
    /// The key may not do this (also a `HEAD` answered 403).
    AccessDenied,
    /// The server does not know the access key (a key just issued may not have reached it).
    InvalidAccessKeyId,
    /// The access key expired.
    ExpiredToken,
    /// The bucket exists in another organization.
    BucketAlreadyExists,
    /// The bucket exists and is the caller's.
    BucketAlreadyOwnedByYou,
    /// The request's region does not match the bucket's (right after a create: not yet).
    InvalidRegion,
    /// The bucket policy document is not valid.
    MalformedPolicy,
    /// The object does not exist.
    NoSuchKey,
    /// Any other code, as the server sent it.
    Other(String),
}

impl S3Code {
    /// The code of an S3 answer; the bare statuses of a `HEAD` answer become the codes a
    /// bucket call means by them.
    pub fn parse(code: &str) -> S3Code {
        match code {
            "NoSuchBucket" | "NotFound" => S3Code::NoSuchBucket,
            "NoSuchBucketPolicy" => S3Code::NoSuchBucketPolicy,
            "NoSuchTagSet" | "NoSuchTagSetError" => S3Code::NoSuchTagSet,
            "BucketNotEmpty" => S3Code::BucketNotEmpty,
            "AccessDenied" | "Forbidden" => S3Code::AccessDenied,
            "InvalidAccessKeyId" => S3Code::InvalidAccessKeyId,
            "ExpiredToken" | "TokenRefreshRequired" => S3Code::ExpiredToken,
            "BucketAlreadyExists" => S3Code::BucketAlreadyExists,
            "BucketAlreadyOwnedByYou" => S3Code::BucketAlreadyOwnedByYou,
            "InvalidRegion" | "AuthorizationHeaderMalformed" => S3Code::InvalidRegion,
            "MalformedPolicy" => S3Code::MalformedPolicy,
            "NoSuchKey" => S3Code::NoSuchKey,
            other => S3Code::Other(other.to_string()),
        }
    }
}

/// Why an S3 call failed. No variant carries the secret key or a signature.
#[derive(Debug, Clone, thiserror::Error)]
pub enum S3Error {
    /// The S3 endpoint answered with an error ([`S3Error::code`] tells which).
    #[error("{operation} {target}: {status}")]
    Refused {
        /// The S3 operation, e.g. `CreateBucket`.
        operation: &'static str,
        /// The bucket (and key) it was about, or `the service`.
        target: String,
        /// The code to branch on.
        code: S3Code,
        /// The answer.
        status: S3Status,
    },
    /// No S3 key could be had from the CoreWeave API.
    #[error("could not get a short-lived S3 key from the CoreWeave API (POST /v1/cwobject/access-key): {0}")]
    Key(Box<ApiError>),
    /// The call failed without an S3 error answer (unreachable endpoint, exhausted retries,
    /// an interruption, an unexpected answer), or after a lost answer.
    #[error("{operation} {target}: {source}")]
    Call {
        /// The S3 operation.
        operation: &'static str,
        /// The bucket (and key) it was about.
        target: String,
        /// What happened.
        source: Box<ApiError>,
    },
    /// A successful answer that is not the documented XML (or JSON policy).
    #[error("the answer to {operation} {target} is not the documented shape: {problem}")]
    Malformed {
        /// The S3 operation.
        operation: &'static str,
        /// The bucket it was about.
        target: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl S3Error {
    /// The S3 error code of the answer, also when it ended exhausted retries or came after a
    /// lost answer.
    pub fn code(&self) -> Option<S3Code> {
        match self {
            S3Error::Refused { code, .. } => Some(code.clone()),
            S3Error::Call { source, .. } => source.s3_status().map(|s| S3Code::parse(&s.code)),
            S3Error::Key(_) | S3Error::Malformed { .. } => None,
        }
    }

    /// Whether the answer was `code`.
    pub fn is(&self, code: &S3Code) -> bool {
        self.code().as_ref() == Some(code)
    }

    /// True when the call may have taken effect although it failed (its answer was lost):
    /// read back before concluding anything.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            S3Error::Call { source, .. } => source.outcome_unknown(),
            S3Error::Refused { .. } | S3Error::Key(_) | S3Error::Malformed { .. } => false,
        }
    }

    /// The interruption, when Terraform asked the provider to stop.
    pub fn interruption(&self) -> Option<&ApiError> {
        match self {
            S3Error::Call { source, .. } | S3Error::Key(source)
                if matches!(**source, ApiError::Interrupted { .. }) =>
            {
                Some(source)
            }
            _ => None,
        }
    }
}
