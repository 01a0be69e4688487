//! Who may make a (signature-verified) S3 call. s3s checks the signature but not its time, scope
//! and lifetime ([`signature_terms`]), the session token or the expiry, so this does, in this
//! order: the signature's terms, the session token (`InvalidToken` when one
//! is presented with a key issued without one, or a wrong one; `InvalidAccessKeyId`, as AWS says
//! for temporary keys, when the key's token is missing), the expiry (`ExpiredToken`), then the organization's access policies for
//! the operation's action and resource (reference §3.6, real-clients.md §3): any matching Deny,
//! or no matching Allow, is `AccessDenied`. The sandbox has no bucket policies, so an org-policy
//! Allow is the answer (reference §3.6: no bucket policy = allow).

use std::time::SystemTime;

use s3s::access::{S3Access, S3AccessContext};
use s3s::path::S3Path;
use s3s::{s3_error, S3Result};

use super::signature_terms;
use crate::model::credentials::IssuedKey;
use crate::model::policy_eval::{evaluate, Decision};
use crate::state::SharedState;

/// The header a session token travels in (SigV4 header signing).
const SESSION_TOKEN_HEADER: &str = "x-amz-security-token";
/// The query parameter a session token travels in (presigned URLs).
const SESSION_TOKEN_QUERY: &str = "X-Amz-Security-Token";

/// The object key of a browser POST upload, read from its form before s3s saw the request
/// ([`super::post_upload`]): s3s names only the bucket of such an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadKey(pub String);

/// The IAM action and org-policy resource an S3 operation is decided as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// e.g. `s3:GetObject`.
    pub action: String,
    /// `*`, `<bucket>` or `<bucket>/<key>`.
    pub resource: String,
}

/// Maps an operation (s3s names) on a path to its action and resource (the AWS IAM
/// convention): ListBuckets is `s3:ListAllMyBuckets` on `*`; ListObjects(V2) and HeadBucket
/// `s3:ListBucket` on the bucket; HeadObject `s3:GetObject`; the multipart upload steps
/// `s3:PutObject` (ListParts `s3:ListMultipartUploadParts`); any other operation `s3:<Name>`.
pub fn permission(operation: &str, path: &S3Path) -> Permission {
    let action = match operation {
        "ListBuckets" => "s3:ListAllMyBuckets".to_string(),
        "ListObjects" | "ListObjectsV2" | "HeadBucket" => "s3:ListBucket".to_string(),
        "HeadObject" => "s3:GetObject".to_string(),
        "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" => {
            "s3:PutObject".to_string()
        }
        "ListParts" => "s3:ListMultipartUploadParts".to_string(),
        "DeleteObjects" => "s3:DeleteObject".to_string(),
        other => format!("s3:{other}"),
    };
    let resource = match path {
        S3Path::Root => "*".to_string(),
        S3Path::Bucket { bucket } => bucket.to_string(),
        S3Path::Object { bucket, key } => format!("{bucket}/{key}"),
    };
    Permission { action, resource }
}

/// The session token a request presents, from its header or its presigned query.
pub fn presented_session_token(cx: &S3AccessContext<'_>) -> Option<String> {
    if let Some(value) = cx.headers().get(SESSION_TOKEN_HEADER) {
        return Some(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    cx.uri().query().and_then(|query| {
        query.split('&').find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            (name == SESSION_TOKEN_QUERY)
                .then(|| urlencoding::decode(value).map(|v| v.into_owned()).ok())
                .flatten()
        })
    })
}

/// The session-token and expiry rules for `key`.
pub fn check_key(key: &IssuedKey, presented: Option<&str>, now: SystemTime) -> S3Result<()> {
    match (key.session_token.as_deref(), presented) {
        (None, Some(_)) => {
            return Err(s3_error!(
                InvalidToken,
                "A session token was presented with an access key issued without one."
            ))
        }
        (Some(issued), Some(presented)) if issued != presented => {
            return Err(s3_error!(
                InvalidToken,
                "The provided token is malformed or otherwise invalid."
            ))
        }
        (Some(_), None) => {
            return Err(s3_error!(
                InvalidAccessKeyId,
                "This access key was issued with a session token: send it as x-amz-security-token."
            ))
        }
        _ => {}
    }
    if key.is_expired(now) {
        return Err(s3_error!(ExpiredToken, "The provided token has expired."));
    }
    Ok(())
}

/// Decides `permission` for `principal` with the organization's access policies.
pub fn check_policies(
    state: &SharedState,
    principal: &str,
    permission: &Permission,
) -> S3Result<()> {
    let evaluation = evaluate(
        &state.store().policies,
        principal,
        &permission.action,
        &permission.resource,
    );
    match evaluation.decision {
        Decision::Allowed => Ok(()),
        Decision::ExplicitDeny => Err(s3_error!(
            AccessDenied,
            "{principal} is denied {} on {} by {} (explicit Deny)",
            permission.action,
            permission.resource,
            evaluation.matched.join(", ")
        )),
        Decision::ImplicitDeny => Err(s3_error!(
            AccessDenied,
            "no organization access policy allows {principal} {} on {}",
            permission.action,
            permission.resource
        )),
    }
}

/// The access check s3s runs before every operation.
#[derive(Debug, Clone)]
pub struct PolicyAccess {
    state: SharedState,
}

impl PolicyAccess {
    /// Decides with `state`'s keys and policies.
    pub fn new(state: SharedState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl S3Access for PolicyAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(credentials) = cx.credentials() else {
            return Err(s3_error!(AccessDenied, "Anonymous access is not allowed."));
        };
        let now = self.state.clock.now();
        signature_terms::check(cx.headers(), cx.uri().query(), now)?;
        let key = self
            .state
            .credentials
            .get(&credentials.access_key)
            .ok_or_else(|| s3_error!(InvalidAccessKeyId))?;
        check_key(&key, presented_session_token(cx).as_deref(), now)?;
        let upload = cx.extensions_mut().get::<UploadKey>().cloned();
        let mut permission = permission(cx.s3_op().name(), cx.s3_path());
        if let (S3Path::Bucket { bucket }, Some(UploadKey(object))) = (cx.s3_path(), upload) {
            permission.resource = format!("{bucket}/{object}");
        }
        check_policies(&self.state, &key.principal, &permission)
    }
}

#[cfg(test)]
mod tests;
