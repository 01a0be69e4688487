//! Listings of keys that XML 1.0 cannot carry (issue 27), with the real boto3: it asks for
//! `encoding-type=url` on every listing and decodes the answer.

use serde_json::json;

use crate::support::aws::Pod;
use crate::support::Sandbox;

const LIST: &str = r#"
import sys, boto3
s3 = boto3.client("s3", aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2])
for page in (s3.list_objects_v2(Bucket="logs", Prefix="ctl/", Delimiter="/"),
             s3.list_objects(Bucket="logs", Prefix="ctl/")):
    print([o["Key"] for o in page.get("Contents", [])], page.get("EncodingType"))
"#;

#[test]
fn boto3_lists_keys_holding_control_characters() {
    let sandbox = Sandbox::start();
    sandbox.seed_bucket(
        "logs",
        json!({"ctl/\u{1}start.txt": "a", "ctl/tab\there.txt": "b", "ctl/plain.txt": "c"}),
    );
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(
            json!({"policy": {"version": "v1alpha1", "name": "list", "statements": [{
            "name": "list", "effect": "Allow", "actions": ["s3:ListBucket"],
            "resources": ["logs"], "principals": ["coreweave/alice"]}]}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let key = sandbox.access_key("coreweave/alice", json!({}));
    let out = Pod::bare(&sandbox.s3_url())
        .python(
            LIST,
            &[
                key["accessKeyId"].as_str().unwrap(),
                key["secretKey"].as_str().unwrap(),
            ],
        )
        .success();
    let expected = "['ctl/\\x01start.txt', 'ctl/plain.txt', 'ctl/tab\\there.txt'] url";
    assert_eq!(out.lines().collect::<Vec<_>>(), [expected, expected]);
}
