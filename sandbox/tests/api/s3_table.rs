//! The shared policy-evaluation table (tests/data/policy_evaluation_cases.json) against the S3
//! endpoint: each case with an `s3_operation` makes that call with a key issued for the case's
//! principal; `allowed` must succeed and anything else must be refused with AccessDenied.

use serde_json::Value;

use crate::s3_calls::{assert_decided_as, assert_outcome, request, seed_for};
use crate::s3_support::S3Sandbox;

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
        let operation = case["s3_operation"].as_str().unwrap();
        let call = request(operation, case["resource"].as_str().unwrap(), "");
        assert_decided_as(case, &call);
        let sandbox = S3Sandbox::start().await;
        sandbox.set_policies(&case["policies"]);
        seed_for(&sandbox, operation, &call);
        let key = sandbox.key(case["principal"].as_str().unwrap(), Some(900), true);
        assert_outcome(&sandbox, case, call, &key).await;
    }
}
