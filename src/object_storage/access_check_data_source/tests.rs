use super::*;
use crate::api::cwobject::PolicyStatement;

fn strings(items: &[&str]) -> ValueSet<Value<String>> {
    Value::Value(items.iter().map(|s| Value::Value(s.to_string())).collect())
}

const SA: &str = "role/https://oidc.cks.coreweave.com/id/c1:system:serviceaccount:default:app";

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
    let out = decide(state, &live());
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
    let out = decide(state, &live());
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
