//! The shared policy-evaluation table (tests/data/policy_evaluation_cases.json) against the S3
//! endpoint: each case with an `s3_operation` makes that call with a key issued for the case's
//! principal; `allowed` must succeed and anything else must be refused with AccessDenied.

use coreweave_sandbox::services::s3::access::permission;
use reqwest::Method;
use s3s::path::S3Path;
use serde_json::Value;

use coreweave_sandbox::services::s3::REGION;

use crate::s3_support::{error_code, location_body, S3Sandbox};

/// One S3 call: method, path, query, body, and the s3s path it addresses.
struct Call {
    method: Method,
    path: String,
    query: Vec<(&'static str, &'static str)>,
    body: Option<String>,
    s3_path: S3Path,
}

/// The call an operation is on `resource` (`*`, `<bucket>` or `<bucket>/<key>`).
fn request(operation: &str, resource: &str) -> Call {
    let (bucket, key) = match resource.split_once('/') {
        Some((bucket, key)) => (bucket, Some(key)),
        None => (resource, None),
    };
    let object = || S3Path::Object {
        bucket: bucket.into(),
        key: key.unwrap().into(),
    };
    let bucket_path = || S3Path::Bucket {
        bucket: bucket.into(),
    };
    let call = |method, path: String, query, body, s3_path| Call {
        method,
        path,
        query,
        body,
        s3_path,
    };
    let object_url = format!("/{resource}");
    let bucket_url = format!("/{bucket}");
    match operation {
        "ListBuckets" => call(Method::GET, "/".into(), vec![], None, S3Path::Root),
        "ListObjectsV2" => call(
            Method::GET,
            bucket_url,
            vec![("list-type", "2")],
            None,
            bucket_path(),
        ),
        "HeadBucket" => call(Method::HEAD, bucket_url, vec![], None, bucket_path()),
        "CreateBucket" => call(
            Method::PUT,
            bucket_url,
            vec![],
            Some(location_body(REGION)),
            bucket_path(),
        ),
        "DeleteBucket" => call(Method::DELETE, bucket_url, vec![], None, bucket_path()),
        "GetObject" => call(Method::GET, object_url, vec![], None, object()),
        "HeadObject" => call(Method::HEAD, object_url, vec![], None, object()),
        "PutObject" => call(
            Method::PUT,
            object_url,
            vec![],
            Some("new bytes".into()),
            object(),
        ),
        "DeleteObject" => call(Method::DELETE, object_url, vec![], None, object()),
        "CreateMultipartUpload" => call(
            Method::POST,
            object_url,
            vec![("uploads", "")],
            None,
            object(),
        ),
        other => panic!("no request for operation {other}"),
    }
}

#[tokio::test]
async fn the_s3_endpoint_decides_every_s3_case_of_the_shared_table_as_the_evaluator_does() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/policy_evaluation_cases.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases: Vec<&Value> = table["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["s3_operation"].is_string())
        .collect();
    assert!(cases.len() >= 15, "the table lost S3 cases");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let operation = case["s3_operation"].as_str().unwrap();
        let resource = case["resource"].as_str().unwrap();
        let Call {
            method,
            path: url_path,
            query,
            body,
            s3_path,
        } = request(operation, resource);
        // The case's action and resource are the ones the endpoint decides this call as.
        let decided = permission(operation, &s3_path);
        assert_eq!(
            (decided.action.as_str(), decided.resource.as_str()),
            (case["action"].as_str().unwrap(), resource),
            "case {name}: {operation} is decided as another action or resource"
        );
        let sandbox = S3Sandbox::start().await;
        sandbox.set_policies(case);
        match s3_path {
            S3Path::Object {
                ref bucket,
                ref key,
            } => sandbox.seed(bucket, &[(key, "stored bytes")]),
            S3Path::Bucket { ref bucket } if operation != "CreateBucket" => {
                sandbox.seed(bucket, &[])
            }
            _ => sandbox.seed("models", &[]),
        }
        let key = sandbox.key(case["principal"].as_str().unwrap(), Some(900), true);
        let url = sandbox.presign(
            &method,
            &url_path,
            &query,
            &key,
            key.session_token.as_deref(),
        );
        let (status, text) = sandbox.send(method, url, body.as_deref()).await;
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
            // HEAD answers carry no body: the status is the whole refusal.
            if method_has_body(operation) {
                assert_eq!(
                    error_code(&text),
                    Some("AccessDenied"),
                    "case {name}: {text}"
                );
            }
        }
    }
}

fn method_has_body(operation: &str) -> bool {
    !matches!(operation, "HeadObject" | "HeadBucket")
}
