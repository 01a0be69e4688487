use super::*;
use crate::model::credentials::after_seconds;
use s3s::S3ErrorCode;

fn object(bucket: &str, key: &str) -> S3Path {
    S3Path::Object {
        bucket: bucket.into(),
        key: key.into(),
    }
}

fn bucket(name: &str) -> S3Path {
    S3Path::Bucket {
        bucket: name.into(),
    }
}

fn perm(action: &str, resource: &str) -> Permission {
    Permission {
        action: action.into(),
        resource: resource.into(),
    }
}

#[test]
fn operations_map_to_the_iam_actions_and_org_policy_resources() {
    assert_eq!(
        permission("ListBuckets", &S3Path::Root),
        perm("s3:ListAllMyBuckets", "*")
    );
    for op in ["ListObjects", "ListObjectsV2", "HeadBucket"] {
        assert_eq!(permission(op, &bucket("m")), perm("s3:ListBucket", "m"));
    }
    for op in ["GetObject", "HeadObject"] {
        assert_eq!(
            permission(op, &object("m", "a/b")),
            perm("s3:GetObject", "m/a/b")
        );
    }
    for op in [
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
    ] {
        assert_eq!(
            permission(op, &object("m", "k")),
            perm("s3:PutObject", "m/k")
        );
    }
    assert_eq!(
        permission("DeleteObject", &object("m", "k")),
        perm("s3:DeleteObject", "m/k")
    );
    assert_eq!(
        permission("AbortMultipartUpload", &object("m", "k")),
        perm("s3:AbortMultipartUpload", "m/k")
    );
    assert_eq!(
        permission("ListParts", &object("m", "k")),
        perm("s3:ListMultipartUploadParts", "m/k")
    );
    for op in [
        "CreateBucket",
        "DeleteBucket",
        "GetBucketLocation",
        "PutBucketTagging",
        "GetBucketTagging",
        "PutBucketPolicy",
        "GetBucketPolicy",
        "DeleteBucketPolicy",
    ] {
        assert_eq!(permission(op, &bucket("m")), perm(&format!("s3:{op}"), "m"));
    }
    assert_eq!(
        permission("DeleteBucketTagging", &bucket("m")),
        perm("s3:PutBucketTagging", "m")
    );
}

#[test]
fn listings_carry_their_prefix_as_s3_prefix_and_nothing_else_does() {
    let prefix = |op: &str, query: Option<&str>| request_context(op, query).remove("s3:prefix");
    assert_eq!(
        prefix("ListObjectsV2", Some("list-type=2&prefix=data%2F2024%2F")),
        Some("data/2024/".into())
    );
    assert_eq!(prefix("ListObjects", Some("prefix=")), Some(String::new()));
    assert_eq!(prefix("ListObjects", Some("delimiter=%2F")), None);
    assert_eq!(prefix("GetObject", Some("prefix=data")), None);
    assert_eq!(request_context("ListObjects", None).len(), 0);
}

fn key(session_token: Option<&str>, expires_in: Option<i64>) -> IssuedKey {
    IssuedKey {
        access_key_id: "CWTEST".into(),
        secret_key: "secret".into(),
        session_token: session_token.map(Into::into),
        expires_at: expires_in.map(|s| after_seconds(SystemTime::now(), s)),
        principal: "coreweave/user-1".into(),
        org_id: "sandbox-org".into(),
    }
}

fn code(result: S3Result<()>) -> Option<S3ErrorCode> {
    result.err().map(|e| e.code().clone())
}

#[test]
fn session_tokens_must_match_what_was_issued() {
    let now = SystemTime::now();
    assert_eq!(code(check_key(&key(None, None), None, now)), None);
    assert_eq!(
        code(check_key(&key(None, None), Some("t"), now)),
        Some(S3ErrorCode::InvalidToken)
    );
    assert_eq!(code(check_key(&key(Some("t"), None), Some("t"), now)), None);
    assert_eq!(
        code(check_key(&key(Some("t"), None), Some("u"), now)),
        Some(S3ErrorCode::InvalidToken)
    );
    assert_eq!(
        code(check_key(&key(Some("t"), None), None, now)),
        Some(S3ErrorCode::InvalidAccessKeyId)
    );
}

#[test]
fn expired_keys_are_refused_once_their_token_checks_out() {
    let now = SystemTime::now();
    assert_eq!(
        code(check_key(&key(None, Some(-1)), None, now)),
        Some(S3ErrorCode::ExpiredToken)
    );
    assert_eq!(
        code(check_key(&key(Some("t"), Some(-1)), Some("u"), now)),
        Some(S3ErrorCode::InvalidToken)
    );
    assert_eq!(code(check_key(&key(None, Some(60)), None, now)), None);
}
