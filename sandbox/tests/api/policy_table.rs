//! The shared policy-evaluation table (tests/data/policy_evaluation_cases.json), run against the
//! sandbox's evaluator; the provider runs the same file against its own.

use coreweave_sandbox::model::policy_eval::evaluate;
use serde_json::Value;

use crate::support::table_policies;

#[test]
fn the_sandbox_evaluator_agrees_with_every_case_of_the_shared_table() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/policy_evaluation_cases.json"
    );
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "the table lost cases");
    for case in cases {
        let policies = table_policies(&case["policies"]);
        let got = evaluate(
            &policies,
            case["principal"].as_str().unwrap(),
            case["action"].as_str().unwrap(),
            case["resource"].as_str().unwrap(),
        );
        assert_eq!(
            (
                got.decision.as_str(),
                serde_json::to_value(&got.matched).unwrap()
            ),
            (
                case["decision"].as_str().unwrap(),
                case["matched_statements"].clone()
            ),
            "case {} ({})",
            case["name"],
            case["rule"]
        );
    }
}
