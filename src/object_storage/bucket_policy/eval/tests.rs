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

/// `(decision, decided_by, matched)` of `request` on `resource` under an organization policy
/// allowing everything and `policy` as the policy of bucket `models`.
fn under_models_policy(
    policy: &str,
    action: &str,
    resource: &str,
) -> (String, String, Vec<String>) {
    let org: Vec<AccessPolicy> = serde_json::from_value(serde_json::json!([{"name": "base", "statements": [
        {"name": "all", "effect": "Allow", "actions": ["*"], "resources": ["*"], "principals": ["*"]}]}]))
    .unwrap();
    let policies = BTreeMap::from([("models".to_string(), Document::parse(policy).unwrap())]);
    let context = BTreeMap::new();
    let request = Request {
        principal: "coreweave/u1",
        principal_org: "o1",
        action,
        resource,
        context: &context,
    };
    let got = decide(&org, &policies, &request);
    (
        got.evaluation.decision.as_str().into(),
        got.decided_by.as_str().into(),
        got.evaluation.matched,
    )
}

#[test]
fn an_empty_principal_map_as_the_official_data_source_writes_it_matches_no_one() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Principal":{},"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::models/*"},
        {"Sid":"All","Principal":"*","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::models/*"}]}"#;
    assert_eq!(
        under_models_policy(policy, "s3:GetObject", "models/a.bin"),
        (
            "allowed".into(),
            "bucket_policy".into(),
            vec!["bucket_policy:models/All".to_string()]
        )
    );
}

#[test]
fn a_request_on_no_bucket_never_meets_a_bucket_policy() {
    let deny_all = r#"{"Version":"2012-10-17","Statement":{"Sid":"No","Principal":"*","Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::*"}}"#;
    assert_eq!(
        under_models_policy(deny_all, "s3:ListAllMyBuckets", "*"),
        (
            "allowed".into(),
            "org_policy".into(),
            vec!["base/all".to_string()]
        )
    );
    assert_eq!(
        under_models_policy(deny_all, "s3:GetObject", "models/a.bin").0,
        "explicit_deny"
    );
}
