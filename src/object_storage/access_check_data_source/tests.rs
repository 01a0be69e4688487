use std::collections::BTreeMap;

use super::*;
use crate::api::cwobject::PolicyStatement;

fn strings(items: &[&str]) -> ValueSet<Value<String>> {
    Value::Value(items.iter().map(|s| Value::Value(s.to_string())).collect())
}

const SA: &str = "role/https://oidc.cks.coreweave.com/id/c1:system:serviceaccount:default:app";
const ORG: &str = "org-1";

fn live() -> Vec<AccessPolicy> {
    vec![AccessPolicy {
        version: ACCESS_POLICY_VERSION.into(),
        name: "wif".into(),
        statements: vec![PolicyStatement {
            name: "exchange".into(),
            effect: "Allow".into(),
            actions: vec!["cwobject:CreateAccessKeyOIDC".into()],
            resources: vec!["*".into()],
            principals: vec![SA.into()],
        }],
    }]
}

#[test]
fn every_pair_gets_a_result_and_allowed_needs_all_of_them() {
    let state = AccessCheckState {
        principal: Value::Value(SA.into()),
        actions: strings(&["cwobject:CreateAccessKeyOIDC", "s3:GetObject"]),
        ..Default::default()
    };
    let out = decide(state, &live(), &BTreeMap::new(), ORG);
    assert_eq!(out.allowed, Value::Value(false));
    assert_eq!(out.resources, strings(&["*"]));
    let results = out.results.as_ref_option().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].decision, Value::Value("allowed".into()));
    assert_eq!(
        results[0].matched_statements,
        Value::Value(vec![Value::Value("wif/exchange".into())])
    );
    assert_eq!(results[1].decision, Value::Value("implicit_deny".into()));
}

#[test]
fn a_what_if_policy_replaces_the_live_one() {
    let deny = Statement {
        name: Value::Value("no".into()),
        effect: Value::Value("Deny".into()),
        actions: strings(&["cwobject:*"]),
        resources: strings(&["*"]),
        principals: strings(&["*"]),
    };
    let state = AccessCheckState {
        principal: Value::Value(SA.into()),
        actions: strings(&["cwobject:CreateAccessKeyOIDC"]),
        policies: Value::Value(vec![WhatIfPolicy {
            name: Value::Value("wif".into()),
            statements: Value::Value([deny].into()),
        }]),
        ..Default::default()
    };
    let out = decide(state, &live(), &BTreeMap::new(), ORG);
    let results = out.results.as_ref_option().unwrap();
    assert_eq!(results[0].decision, Value::Value("explicit_deny".into()));
    assert_eq!(out.allowed, Value::Value(false));
}

#[test]
fn inputs_must_be_concrete() {
    assert!(check_principal(SA).is_ok());
    assert!(check_principal("role/https://oidc.cks.coreweave.com/id/c1*").is_err());
    assert!(check_principal("arn:aws:iam::1:role/x").is_err());
    assert!(check_action("s3:GetObject").is_ok());
    assert!(check_action("s3:*").is_err());
    assert!(check_action("GetObject").is_err());
}

/// An organization policy allowing `SA` everything.
fn allow_all() -> Vec<AccessPolicy> {
    vec![AccessPolicy {
        version: ACCESS_POLICY_VERSION.into(),
        name: "base".into(),
        statements: vec![PolicyStatement {
            name: "all".into(),
            effect: "Allow".into(),
            actions: vec!["*".into()],
            resources: vec!["*".into()],
            principals: vec![SA.into()],
        }],
    }]
}

/// The policy of bucket `models`: everyone of `ORG` may read, no one may read `private/`.
const MODELS_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Sid":"OwnOrgReads","Effect":"Allow","Principal":{"CW":"*"},"Action":["s3:GetObject","s3:ListBucket"],
     "Resource":["arn:aws:s3:::models","arn:aws:s3:::models/*"],"Condition":{"StringEquals":{"cw:PrincipalOrgID":"org-1"}}},
    {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::models/private/*"}]}"#;

fn models_policy() -> BTreeMap<String, Document> {
    BTreeMap::from([(
        "models".to_string(),
        Document::parse(MODELS_POLICY).unwrap(),
    )])
}

/// `(action, resource, decision, decided_by, matched)` of each result.
fn outcomes(state: &AccessCheckState) -> Vec<(String, String, String, String, Vec<String>)> {
    let text = |v: &Value<String>| v.as_ref_option().cloned().unwrap_or_default();
    state
        .results
        .iter()
        .flatten()
        .map(|r| {
            let matched = r.matched_statements.iter().flatten().map(text).collect();
            (
                text(&r.action),
                text(&r.resource),
                text(&r.decision),
                text(&r.decided_by),
                matched,
            )
        })
        .collect()
}

fn outcome(
    action: &str,
    resource: &str,
    decision: &str,
    by: &str,
    matched: &[&str],
) -> (String, String, String, String, Vec<String>) {
    let matched = matched.iter().map(|m| m.to_string()).collect();
    (
        action.into(),
        resource.into(),
        decision.into(),
        by.into(),
        matched,
    )
}

#[test]
fn the_bucket_policy_decides_after_an_organization_allow() {
    let state = AccessCheckState {
        principal: Value::Value(SA.into()),
        actions: strings(&["s3:GetObject", "s3:PutObject", "s3:PutBucketPolicy"]),
        resources: strings(&["models", "models/private/a.bin", "other/a.bin"]),
        ..Default::default()
    };
    let out = decide(state, &allow_all(), &models_policy(), ORG);
    assert_eq!(out.allowed, Value::Value(false));
    assert_eq!(
        outcomes(&out),
        [
            outcome(
                "s3:GetObject",
                "models",
                "allowed",
                "bucket_policy",
                &["bucket_policy:models/OwnOrgReads"]
            ),
            outcome(
                "s3:GetObject",
                "models/private/a.bin",
                "explicit_deny",
                "bucket_policy",
                &["bucket_policy:models/[1]"]
            ),
            outcome(
                "s3:GetObject",
                "other/a.bin",
                "allowed",
                "org_policy",
                &["base/all"]
            ),
            outcome(
                "s3:PutBucketPolicy",
                "models",
                "allowed",
                "org_policy",
                &["base/all"]
            ),
            outcome(
                "s3:PutBucketPolicy",
                "models/private/a.bin",
                "allowed",
                "org_policy",
                &["base/all"]
            ),
            outcome(
                "s3:PutBucketPolicy",
                "other/a.bin",
                "allowed",
                "org_policy",
                &["base/all"]
            ),
            outcome(
                "s3:PutObject",
                "models",
                "implicit_deny",
                "bucket_policy",
                &[]
            ),
            outcome(
                "s3:PutObject",
                "models/private/a.bin",
                "implicit_deny",
                "bucket_policy",
                &[]
            ),
            outcome(
                "s3:PutObject",
                "other/a.bin",
                "allowed",
                "org_policy",
                &["base/all"]
            ),
        ]
    );
}

#[test]
fn the_callers_organization_is_the_principals_organization() {
    let state = || AccessCheckState {
        principal: Value::Value(SA.into()),
        actions: strings(&["s3:GetObject"]),
        resources: strings(&["models/a.bin"]),
        ..Default::default()
    };
    let ours = decide(state(), &allow_all(), &models_policy(), ORG);
    assert_eq!(ours.allowed, Value::Value(true));
    let theirs = decide(state(), &allow_all(), &models_policy(), "org-2");
    assert_eq!(
        outcomes(&theirs),
        [outcome(
            "s3:GetObject",
            "models/a.bin",
            "implicit_deny",
            "bucket_policy",
            &[]
        )]
    );
}

#[test]
fn what_if_bucket_policies_are_checked_as_the_policy_of_their_bucket() {
    let other_bucket =
        MODELS_POLICY.replace("arn:aws:s3:::models/private/*", "arn:aws:s3:::other/*");
    let state = AccessCheckState {
        principal: Value::Value(SA.into()),
        actions: strings(&["s3:GetObject"]),
        bucket_policies: Value::Value(BTreeMap::from([
            ("models".to_string(), Value::Value(other_bucket)),
            ("later".to_string(), Value::Unknown),
        ])),
        ..Default::default()
    };
    let mut diags = Diagnostics::default();
    assert!(!check(&mut diags, &state, Warnings::Report));
    assert_eq!(diags.errors.len(), 1, "{:?}", diags.errors);
    let error = &diags.errors[0];
    assert_eq!(
        error.attribute,
        AttributePath::new("bucket_policies").key("models")
    );
    assert_eq!(
        error.detail,
        "The policy of bucket \"models\", at Statement[1].Resource: is an ARN for another bucket \
         (\"other\"); the policy of bucket \"models\" can only name that bucket and its objects: \
         write \"arn:aws:s3:::models/*\""
    );
}

#[test]
fn a_what_if_replaces_the_live_policy_and_a_live_policy_that_cannot_be_read_is_an_error() {
    let live = BTreeMap::from([
        ("models".to_string(), "{not json".to_string()),
        ("data".to_string(), MODELS_POLICY.replace("models", "data")),
    ]);
    let what_ifs = BTreeMap::from([("models".to_string(), MODELS_POLICY.to_string())]);
    let weighed_ = weighed(live.clone(), &what_ifs).unwrap();
    assert_eq!(weighed_.keys().collect::<Vec<_>>(), ["data", "models"]);
    assert_eq!(weighed_["models"], Document::parse(MODELS_POLICY).unwrap());
    let err = weighed(live, &BTreeMap::new()).unwrap_err();
    assert!(
        matches!(&err, BucketPolicyError::Unreadable { bucket, .. } if bucket == "models"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("give the bucket's policy in `bucket_policies`"),
        "{err}"
    );
}

#[test]
fn only_the_buckets_whose_policy_can_change_a_result_are_weighed() {
    let state = AccessCheckState {
        principal: Value::Value(SA.into()),
        actions: strings(&[
            "s3:GetObject",
            "s3:PutBucketPolicy",
            "cwobject:GetBucketInfo",
        ]),
        resources: strings(&["*", "models", "models/a/b.bin", "data/x"]),
        ..Default::default()
    };
    let weighed_buckets = |live: &[AccessPolicy]| {
        buckets_to_weigh(&state, live)
            .into_iter()
            .collect::<Vec<_>>()
    };
    assert_eq!(weighed_buckets(&allow_all()), ["data", "models"]);
    // No organization Allow: nothing a bucket policy says can allow, so none is read.
    assert_eq!(weighed_buckets(&[]), Vec::<String>::new());
    let org_only = AccessCheckState {
        actions: strings(&["s3:PutBucketPolicy", "s3:ListAllMyBuckets"]),
        ..state
    };
    assert!(buckets_to_weigh(&org_only, &allow_all()).is_empty());
}
