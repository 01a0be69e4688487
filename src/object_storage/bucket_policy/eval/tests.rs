use std::collections::BTreeSet;

use serde::Deserialize;

use super::*;

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    rule: String,
    principal: String,
    #[serde(default = "owner_org")]
    principal_org: String,
    action: String,
    resource: String,
    #[serde(default)]
    context: BTreeMap<String, String>,
    org_policies: Vec<AccessPolicy>,
    bucket_policy: Option<serde_json::Value>,
    decision: String,
    decided_by: String,
    matched_statements: Vec<String>,
}

fn owner_org() -> String {
    "sandbox-org".into()
}

fn table() -> Table {
    serde_json::from_str(include_str!(
        "../../../../tests/data/bucket_policy_evaluation_cases.json"
    ))
    .expect("the shared table reads")
}

#[test]
fn the_provider_decides_every_case_of_the_shared_table_as_it_says() {
    let table = table();
    assert!(table.cases.len() >= 30, "the table lost cases");
    for case in &table.cases {
        let request = Request {
            principal: &case.principal,
            principal_org: &case.principal_org,
            action: &case.action,
            resource: &case.resource,
            context: &case.context,
        };
        let mut bucket_policies = BTreeMap::new();
        if let (Some(policy), Some(bucket)) = (&case.bucket_policy, request.bucket()) {
            let document = Document::parse(&policy.to_string())
                .unwrap_or_else(|e| panic!("case {:?}: {e}", case.name));
            bucket_policies.insert(bucket.to_string(), document);
        }
        let got = decide(&case.org_policies, &bucket_policies, &request);
        assert_eq!(
            (
                got.evaluation.decision.as_str(),
                got.decided_by.as_str(),
                &got.evaluation.matched
            ),
            (
                case.decision.as_str(),
                case.decided_by.as_str(),
                &case.matched_statements
            ),
            "case {:?} ({})",
            case.name,
            case.rule
        );
    }
}

#[test]
fn the_table_covers_every_outcome_of_both_layers() {
    let table = table();
    let outcomes: BTreeSet<(&str, &str)> = table
        .cases
        .iter()
        .map(|c| (c.decision.as_str(), c.decided_by.as_str()))
        .collect();
    for decision in ["allowed", "explicit_deny", "implicit_deny"] {
        for layer in ["org_policy", "bucket_policy"] {
            assert!(
                outcomes.contains(&(decision, layer)),
                "{decision} by {layer}"
            );
        }
    }
}

#[test]
fn organization_only_actions_are_put_bucket_policy_list_all_my_buckets_and_cwobject() {
    for action in [
        "s3:PutBucketPolicy",
        "s3:ListAllMyBuckets",
        "cwobject:CreateAccessKeyOIDC",
        "cwobject:ListAccessPolicy",
    ] {
        assert!(decided_by_org_only(action), "{action}");
    }
    for action in ["s3:GetBucketPolicy", "s3:GetObject", "cwobjects", "*"] {
        assert!(!decided_by_org_only(action), "{action}");
    }
}

#[test]
fn a_request_is_on_the_bucket_its_resource_names() {
    let context = BTreeMap::new();
    let on = |resource| {
        Request {
            principal: "coreweave/u",
            principal_org: "o",
            action: "s3:GetObject",
            resource,
            context: &context,
        }
        .bucket()
        .map(str::to_string)
    };
    assert_eq!(on("*"), None);
    assert_eq!(on("models"), Some("models".into()));
    assert_eq!(on("models/a/b.bin"), Some("models".into()));
}
