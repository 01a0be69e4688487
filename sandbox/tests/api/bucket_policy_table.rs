//! The shared two-layer table (tests/data/bucket_policy_evaluation_cases.json): every case
//! against the sandbox's decision function, and every case with an `s3_operation` against the S3
//! endpoint with a signed request by a key of the case's principal and organization (the bucket
//! carrying the case's policy). The provider runs the same file against its own evaluator.

use std::collections::BTreeMap;
use std::sync::Arc;

use coreweave_sandbox::model::access_decision::decide;
use coreweave_sandbox::model::bucket_policy::BucketPolicy;
use coreweave_sandbox::model::bucket_policy_eval::{AccessRequest, S3_PREFIX};
use serde_json::Value;

use crate::s3_calls::{assert_decided_as, assert_outcome, request, seed_for};
use crate::s3_support::S3Sandbox;
use crate::support::table_policies;

const OWNER_ORG: &str = "sandbox-org";

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/bucket_policy_evaluation_cases.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap().clone();
    assert!(cases.len() >= 30, "the table lost cases");
    cases
}

fn bucket_of(case: &Value) -> &str {
    let resource = case["resource"].as_str().unwrap();
    resource
        .split_once('/')
        .map_or(resource, |(bucket, _)| bucket)
}

/// The case's bucket policy, read as the bucket of its resource.
fn bucket_policy(case: &Value) -> Option<BucketPolicy> {
    (!case["bucket_policy"].is_null()).then(|| {
        let text = case["bucket_policy"].to_string();
        BucketPolicy::parse(&text, bucket_of(case))
            .unwrap_or_else(|e| panic!("case {}: {e}", case["name"]))
    })
}

fn principal_org(case: &Value) -> &str {
    case["principal_org"].as_str().unwrap_or(OWNER_ORG)
}

fn context(case: &Value) -> BTreeMap<String, String> {
    case["context"]
        .as_object()
        .map(|keys| {
            keys.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_sandbox_decides_every_case_of_the_two_layer_table() {
    for case in cases() {
        let context = context(&case);
        let request = AccessRequest {
            principal: case["principal"].as_str().unwrap(),
            principal_org: principal_org(&case),
            action: case["action"].as_str().unwrap(),
            resource: case["resource"].as_str().unwrap(),
            context: &context,
        };
        let policy = bucket_policy(&case);
        let got = decide(
            &table_policies(&case["org_policies"]),
            policy.as_ref(),
            &request,
        );
        assert_eq!(
            (
                got.decision.as_str(),
                got.decided_by.as_str(),
                serde_json::to_value(&got.matched).unwrap()
            ),
            (
                case["decision"].as_str().unwrap(),
                case["decided_by"].as_str().unwrap(),
                case["matched_statements"].clone()
            ),
            "case {} ({})",
            case["name"],
            case["rule"]
        );
    }
}

#[tokio::test]
async fn the_s3_endpoint_decides_every_s3_case_of_the_two_layer_table() {
    let cases: Vec<Value> = cases()
        .into_iter()
        .filter(|c| c["s3_operation"].is_string())
        .collect();
    assert!(cases.len() >= 30, "the table lost S3 cases");
    for case in cases {
        let operation = case["s3_operation"].as_str().unwrap();
        let policy = bucket_policy(&case);
        let document = policy.as_ref().map_or("{}", |p| p.raw()).to_string();
        let mut call = request(operation, case["resource"].as_str().unwrap(), &document);
        let context = context(&case);
        for key in context.keys() {
            assert_eq!(
                key, S3_PREFIX,
                "case {}: no request carries {key}",
                case["name"]
            );
        }
        if let Some(prefix) = context.get(S3_PREFIX) {
            call.query.push(("prefix", prefix.clone()));
        }
        assert_decided_as(&case, &call);
        let sandbox = S3Sandbox::start().await;
        sandbox.set_policies(&case["org_policies"]);
        seed_for(&sandbox, operation, &call);
        if let Some(policy) = policy {
            let set = |s: &mut coreweave_sandbox::model::bucket::BucketSettings| {
                s.policy = Some(Arc::new(policy))
            };
            sandbox
                .state
                .objects
                .update_settings(bucket_of(&case), set)
                .unwrap();
        }
        let key = sandbox.key_in_org(case["principal"].as_str().unwrap(), principal_org(&case));
        assert_outcome(&sandbox, &case, call, &key).await;
    }
}
