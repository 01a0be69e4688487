use super::*;
use crate::api::cwobject::PolicyStatement;
use crate::object_storage::policy::statement::string_set;

fn api_policy(statements: Vec<PolicyStatement>) -> AccessPolicy {
    AccessPolicy {
        version: ACCESS_POLICY_VERSION.into(),
        name: "p".into(),
        statements,
    }
}

fn api_statement(name: &str, actions: &[&str]) -> PolicyStatement {
    PolicyStatement {
        name: name.into(),
        effect: "Allow".into(),
        actions: actions.iter().map(|s| s.to_string()).collect(),
        resources: vec!["*".into()],
        principals: vec!["*".into()],
    }
}

#[test]
fn order_from_the_api_does_not_change_the_state() {
    let a = api_policy(vec![
        api_statement("x", &["s3:GetObject", "s3:PutObject"]),
        api_statement("y", &["*"]),
    ]);
    let b = api_policy(vec![
        api_statement("y", &["*"]),
        api_statement("x", &["s3:PutObject", "s3:GetObject"]),
    ]);
    assert_eq!(OrgPolicyState::from_api(&a), OrgPolicyState::from_api(&b));
}

#[test]
fn state_round_trips_through_the_api_shape() {
    let policy = api_policy(vec![api_statement("x", &["s3:GetObject"])]);
    let state = OrgPolicyState::from_api(&policy);
    assert_eq!(state.to_api(), policy);
    assert_eq!(state.id, Value::Value("p".to_string()));
}

#[test]
fn invalid_statements_are_errors_on_the_statements_attribute() {
    let mut state = OrgPolicyState::from_api(&api_policy(vec![api_statement(
        "x",
        &["cwobject:CreateAccessKeyOIDC"],
    )]));
    if let Value::Value(set) = &mut state.statements {
        let mut s = set.pop_first().unwrap();
        s.resources = string_set(&["bucket".to_string()]);
        set.insert(s);
    }
    let mut diags = Diagnostics::default();
    assert!(!check(&mut diags, &state, Warnings::Report));
    assert_eq!(diags.errors.len(), 1);
    assert!(diags.errors[0]
        .detail
        .starts_with("statement \"x\": action \"cwobject:CreateAccessKeyOIDC\" is global"));
}
