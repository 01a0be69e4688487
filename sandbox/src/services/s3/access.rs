//! Who may make a (signature-verified) S3 call. s3s checks the signature but not its time, scope
//! and lifetime ([`signature_terms`]), the session token or the expiry, so this does, in this
//! order: the signature's terms, the session token (`InvalidToken` when one
//! is presented with a key issued without one, or a wrong one; `InvalidAccessKeyId`, as AWS says
//! for temporary keys, when the key's token is missing), the expiry (`ExpiredToken`), then the
//! operation's action and resource with both layers of policy (reference §3.6-3.7,
//! [`decide`]): the organization's access policies, then the bucket's policy; a refusal by
//! either is `AccessDenied`, naming the layer and the statements. ListObjects(V2) carry their
//! `prefix` as the condition key `s3:prefix`. Only principals of the organization that owns a
//! bucket may set its policy.

use std::collections::BTreeMap;
use std::time::SystemTime;

use s3s::access::{S3Access, S3AccessContext};
use s3s::path::S3Path;
use s3s::{s3_error, S3Result};

use super::signature_terms;
use crate::model::access_decision::{decide, DecidedBy, LayeredEvaluation};
use crate::model::bucket_policy_eval::{AccessRequest, S3_PREFIX};
use crate::model::credentials::IssuedKey;
use crate::model::policy_eval::Decision;
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
        "DeleteBucketTagging" => "s3:PutBucketTagging".to_string(),
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
    signature_terms::query_param(cx.uri().query(), SESSION_TOKEN_QUERY)
}

/// The condition keys an operation brings besides `cw:PrincipalOrgID`: a listing's `prefix`
/// as `s3:prefix`.
pub fn request_context(operation: &str, query: Option<&str>) -> BTreeMap<String, String> {
    let listing = matches!(operation, "ListObjects" | "ListObjectsV2");
    listing
        .then(|| signature_terms::query_param(query, "prefix"))
        .flatten()
        .map(|prefix| (S3_PREFIX.to_string(), prefix))
        .into_iter()
        .collect()
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

/// Decides `permission` for `key`'s principal with the organization's access policies and the
/// policy of the bucket it is on, `context` giving further condition keys; only the owning
/// organization's principals may set a bucket's policy.
pub fn check_policies(
    state: &SharedState,
    key: &IssuedKey,
    permission: &Permission,
    context: &BTreeMap<String, String>,
) -> S3Result<()> {
    let request = AccessRequest {
        principal: &key.principal,
        principal_org: &key.org_id,
        action: &permission.action,
        resource: &permission.resource,
        context,
    };
    let bucket = request
        .bucket()
        .and_then(|b| state.objects.settings(b).ok());
    let policy = bucket.as_ref().and_then(|b| b.policy.clone());
    let evaluation = decide(&state.store().policies, policy.as_deref(), &request);
    if evaluation.decision != Decision::Allowed {
        return Err(refusal(&evaluation, &request));
    }
    match bucket {
        Some(bucket)
            if permission.action == "s3:PutBucketPolicy" && bucket.owner_org != key.org_id =>
        {
            Err(s3_error!(
                AccessDenied,
                "{} of organization {} may not set the policy of {}: only principals of its \
                 owner, organization {}, may",
                key.principal,
                key.org_id,
                permission.resource,
                bucket.owner_org
            ))
        }
        _ => Ok(()),
    }
}

/// The `AccessDenied` of a refusal, naming the layer and the statements that refused.
fn refusal(evaluation: &LayeredEvaluation, request: &AccessRequest<'_>) -> s3s::S3Error {
    let AccessRequest {
        principal,
        action,
        resource,
        ..
    } = request;
    let bucket = request.bucket().unwrap_or_default();
    let statements = evaluation.matched.join(", ");
    match (evaluation.decided_by, evaluation.decision) {
        (DecidedBy::OrgPolicy, Decision::ExplicitDeny) => s3_error!(
            AccessDenied,
            "{principal} is denied {action} on {resource} by {statements} (explicit Deny)"
        ),
        (DecidedBy::BucketPolicy, Decision::ExplicitDeny) => s3_error!(
            AccessDenied,
            "{principal} is denied {action} on {resource} by the bucket policy of {bucket}: \
             {statements} (explicit Deny)"
        ),
        (DecidedBy::BucketPolicy, _) => s3_error!(
            AccessDenied,
            "the bucket policy of {bucket} allows {principal} no {action} on {resource} (no \
             statement matches; organization policies allowed it)"
        ),
        (DecidedBy::OrgPolicy, _) => s3_error!(
            AccessDenied,
            "no organization access policy allows {principal} {action} on {resource}"
        ),
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
        let operation = cx.s3_op().name();
        let mut permission = permission(operation, cx.s3_path());
        if let (S3Path::Bucket { bucket }, Some(UploadKey(object))) = (cx.s3_path(), upload) {
            permission.resource = format!("{bucket}/{object}");
        }
        let context = request_context(operation, cx.uri().query());
        check_policies(&self.state, &key, &permission, &context)
    }
}

#[cfg(test)]
mod tests;
