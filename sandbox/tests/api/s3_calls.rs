//! The S3 call each shared-table `s3_operation` makes on a case's resource, the objects it needs
//! seeded, and the outcome a decision means at the endpoint (policy_table's and
//! bucket_policy_table's S3 runners share them).

use coreweave_sandbox::model::credentials::IssuedKey;
use coreweave_sandbox::services::s3::access::permission;
use coreweave_sandbox::services::s3::REGION;
use reqwest::Method;
use s3s::path::S3Path;
use serde_json::Value;

use crate::s3_support::{error_code, location_body, S3Sandbox};

/// One S3 call: method, path, query, body, and the s3s path it addresses.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<String>,
    pub s3_path: S3Path,
}

/// The call `operation` is on `resource` (`*`, `<bucket>` or `<bucket>/<key>`); a
/// PutBucketPolicy sends `policy`.
pub fn request(operation: &str, resource: &str, policy: &str) -> Call {
    let (bucket, key) = match resource.split_once('/') {
        Some((bucket, key)) => (bucket, Some(key)),
        None => (resource, None),
    };
    let s3_path = match (operation, key) {
        ("ListBuckets", _) => S3Path::Root,
        (_, Some(key)) => S3Path::Object {
            bucket: bucket.into(),
            key: key.into(),
        },
        (_, None) => S3Path::Bucket {
            bucket: bucket.into(),
        },
    };
    let flag = |name: &'static str| vec![(name, String::new())];
    let (method, query, body) = match operation {
        "ListBuckets" | "GetObject" => (Method::GET, vec![], None),
        "ListObjectsV2" => (Method::GET, vec![("list-type", "2".to_string())], None),
        "HeadBucket" | "HeadObject" => (Method::HEAD, vec![], None),
        "CreateBucket" => (Method::PUT, vec![], Some(location_body(REGION))),
        "DeleteBucket" | "DeleteObject" => (Method::DELETE, vec![], None),
        "PutObject" => (Method::PUT, vec![], Some("new bytes".to_string())),
        "CreateMultipartUpload" => (Method::POST, flag("uploads"), None),
        "GetBucketPolicy" => (Method::GET, flag("policy"), None),
        "PutBucketPolicy" => (Method::PUT, flag("policy"), Some(policy.to_string())),
        other => panic!("no request for operation {other}"),
    };
    let path = match &s3_path {
        S3Path::Root => "/".to_string(),
        _ => format!("/{resource}"),
    };
    Call {
        method,
        path,
        query,
        body,
        s3_path,
    }
}

/// Checks that `operation` is decided as the case's `action` on its `resource`.
pub fn assert_decided_as(case: &Value, call: &Call) {
    let operation = case["s3_operation"].as_str().unwrap();
    let decided = permission(operation, &call.s3_path);
    assert_eq!(
        (decided.action.as_str(), decided.resource.as_str()),
        (
            case["action"].as_str().unwrap(),
            case["resource"].as_str().unwrap()
        ),
        "case {}: {operation} is decided as another action or resource",
        case["name"]
    );
}

/// Seeds what the call needs: its object, its bucket (not for CreateBucket), or some bucket.
pub fn seed_for(sandbox: &S3Sandbox, operation: &str, call: &Call) {
    match &call.s3_path {
        S3Path::Object { bucket, key } => sandbox.seed(bucket, &[(key, "stored bytes")]),
        S3Path::Bucket { bucket } if operation != "CreateBucket" => sandbox.seed(bucket, &[]),
        _ => sandbox.seed("models", &[]),
    }
}

/// Makes the call with `key` and checks the outcome the case's `decision` means: success when
/// `allowed`, else 403 AccessDenied (HEAD answers carry no body: the status is all).
pub async fn assert_outcome(sandbox: &S3Sandbox, case: &Value, call: Call, key: &IssuedKey) {
    let name = case["name"].as_str().unwrap();
    let operation = case["s3_operation"].as_str().unwrap();
    let query: Vec<(&str, &str)> = call.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, text) = sandbox
        .call(call.method, &call.path, &query, key, call.body.as_deref())
        .await;
    if case["decision"] == "allowed" {
        assert!(
            (200..300).contains(&status),
            "case {name}: {operation} answered {status}: {text}"
        );
    } else {
        assert_eq!(
            status, 403,
            "case {name}: {operation} answered {status}: {text}"
        );
        if !operation.starts_with("Head") {
            assert_eq!(
                error_code(&text),
                Some("AccessDenied"),
                "case {name}: {text}"
            );
        }
    }
}
