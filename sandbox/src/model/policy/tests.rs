use super::*;

fn parse(policy: Value) -> Result<Policy, Vec<String>> {
    serde_json::from_value::<PolicyInput>(policy)
        .unwrap()
        .into_policy("policy")
        .map_err(|v| v.into_iter().map(|v| v.field).collect())
}

fn statement(name: &str, actions: &[&str], resources: &[&str]) -> Value {
    json!({"name": name, "effect": "Allow", "actions": actions, "resources": resources,
           "principals": ["*"]})
}

#[test]
fn a_valid_policy_converts() {
    let p = parse(json!({"version": "v1alpha1", "name": "p",
                         "statements": [statement("s", &["s3:GetObject"], &["b/*"])]}))
    .unwrap();
    assert_eq!(p.statements[0].resources, ["b/*"]);
}

#[test]
fn version_must_be_v1alpha1() {
    let err = parse(json!({"version": "v1", "name": "p",
                           "statements": [statement("s", &["s3:GetObject"], &["b"])]}));
    assert_eq!(err.unwrap_err(), ["policy.version"]);
}

#[test]
fn name_is_limited_to_255_characters() {
    let err = parse(json!({"version": "v1alpha1", "name": "x".repeat(256),
                           "statements": [statement("s", &["s3:GetObject"], &["b"])]}));
    assert_eq!(err.unwrap_err(), ["policy.name"]);
}

#[test]
fn at_least_one_statement_is_required() {
    let err = parse(json!({"version": "v1alpha1", "name": "p", "statements": []}));
    assert_eq!(err.unwrap_err(), ["policy.statements"]);
}

#[test]
fn effect_is_case_sensitive() {
    let mut s = statement("s", &["s3:GetObject"], &["b"]);
    s["effect"] = json!("allow");
    let err = parse(json!({"version": "v1alpha1", "name": "p", "statements": [
        statement("a", &["s3:GetObject"], &["b"]), s]}));
    assert_eq!(err.unwrap_err(), ["policy.statements[1].effect"]);
}

#[test]
fn statement_names_are_unique() {
    let err = parse(json!({"version": "v1alpha1", "name": "p", "statements": [
        statement("s", &["s3:GetObject"], &["b"]), statement("s", &["s3:PutObject"], &["b"])]}));
    assert_eq!(err.unwrap_err(), ["policy.statements[1].name"]);
}

#[test]
fn lists_must_not_be_empty() {
    let err = parse(json!({"version": "v1alpha1", "name": "p", "statements": [
        {"name": "s", "effect": "Deny", "actions": [], "resources": ["b"]}]}));
    assert_eq!(
        err.unwrap_err(),
        [
            "policy.statements[0].actions",
            "policy.statements[0].principals"
        ]
    );
}

#[test]
fn cwobject_actions_need_the_wildcard_resource() {
    let err = parse(json!({"version": "v1alpha1", "name": "p", "statements": [
        statement("s", &["s3:GetObject", "cwobject:CreateAccessKeyOIDC"], &["b/*"])]}));
    assert_eq!(err.unwrap_err(), ["policy.statements[0].resources"]);
    assert!(
        parse(json!({"version": "v1alpha1", "name": "p", "statements": [
        statement("s", &["*"], &["*"])]}))
        .is_ok()
    );
}

#[test]
fn the_shared_statement_cases_get_their_verdict() {
    let table: Value = serde_json::from_str(include_str!(
        "../../../../tests/data/org_policy_statements.json"
    ))
    .unwrap();
    for case in table["cases"].as_array().unwrap() {
        let verdict = parse(json!({"version": "v1alpha1", "name": "p",
                                   "statements": case["statements"]}));
        assert_eq!(
            verdict.is_ok(),
            case["valid"],
            "{}: {verdict:?}",
            case["case"]
        );
    }
}

#[test]
fn scrambled_json_sorts_statements_and_lists_descending() {
    let p = parse(json!({"version": "v1alpha1", "name": "p", "statements": [
        statement("a", &["s3:GetObject", "s3:PutObject"], &["b1", "b2"]),
        statement("b", &["s3:ListBucket"], &["b"])]}))
    .unwrap();
    let v = p.to_scrambled_json();
    assert_eq!(v["statements"][0]["name"], "b");
    assert_eq!(
        v["statements"][1]["actions"],
        json!(["s3:PutObject", "s3:GetObject"])
    );
    assert_eq!(v["statements"][1]["resources"], json!(["b2", "b1"]));
    assert_eq!(p.to_json()["statements"][0]["name"], "a");
}
