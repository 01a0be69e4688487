use axum::http::Method;
use serde_json::{json, Value};

use crate::support::{rest_violations, Harness};

const POLICIES: &str = "/v1/cwobject/access-policy";

fn statement(name: &str, actions: &[&str], resources: &[&str]) -> Value {
    json!({"name": name, "effect": "Allow", "actions": actions, "resources": resources,
           "principals": ["*"]})
}

fn policy(name: &str, statements: Vec<Value>) -> Value {
    json!({"policy": {"version": "v1alpha1", "name": name, "statements": statements}})
}

#[tokio::test]
async fn ensure_answers_an_empty_object_and_list_wraps_policies() {
    let h = Harness::new();
    let body = policy("p", vec![statement("s", &["s3:GetObject"], &["b/*"])]);
    let a = h.rest(Method::POST, POLICIES, Some(body)).await;
    assert_eq!((a.status, a.body.clone()), (200, json!({})));
    let list = h.rest(Method::GET, POLICIES, None).await;
    assert_eq!(
        list.body,
        json!({"policies": [{"version": "v1alpha1", "name": "p", "statements": [
            {"name": "s", "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["b/*"],
             "principals": ["*"]}]}]})
    );
}

#[tokio::test]
async fn ensure_replaces_a_policy_of_the_same_name() {
    let h = Harness::new();
    for action in ["s3:GetObject", "s3:PutObject"] {
        let body = policy("p", vec![statement("s", &[action], &["b"])]);
        assert_eq!(h.rest(Method::POST, POLICIES, Some(body)).await.status, 200);
    }
    let list = h.rest(Method::GET, POLICIES, None).await;
    let policies = list.body["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(
        policies[0]["statements"][0]["actions"],
        json!(["s3:PutObject"])
    );
}

#[tokio::test]
async fn list_returns_statements_and_lists_in_descending_order() {
    let h = Harness::new();
    let body = policy(
        "p",
        vec![
            statement("alpha", &["s3:GetObject", "s3:ListBucket"], &["a", "b"]),
            statement("beta", &["s3:PutObject"], &["c"]),
        ],
    );
    h.rest(Method::POST, POLICIES, Some(body)).await;
    let list = h.rest(Method::GET, POLICIES, None).await;
    let statements = &list.body["policies"][0]["statements"];
    assert_eq!(statements[0]["name"], "beta");
    assert_eq!(
        statements[1]["actions"],
        json!(["s3:ListBucket", "s3:GetObject"])
    );
    assert_eq!(statements[1]["resources"], json!(["b", "a"]));
}

#[tokio::test]
async fn delete_removes_the_named_policy() {
    let h = Harness::new();
    let body = policy("p", vec![statement("s", &["s3:GetObject"], &["b"])]);
    h.rest(Method::POST, POLICIES, Some(body)).await;
    let a = h.rest(Method::DELETE, &format!("{POLICIES}/p"), None).await;
    assert_eq!((a.status, a.body), (200, json!({})));
    let list = h.rest(Method::GET, POLICIES, None).await;
    assert_eq!(list.body, json!({"policies": []}));
}

#[tokio::test]
async fn delete_of_an_unknown_policy_is_not_found() {
    let h = Harness::new();
    let a = h
        .rest(Method::DELETE, &format!("{POLICIES}/ghost"), None)
        .await;
    assert_eq!((a.status, a.body["code"].clone()), (404, json!(5)));
    assert_eq!(
        a.body["details"][0]["@type"],
        "type.googleapis.com/google.rpc.ResourceInfo"
    );
}

#[tokio::test]
async fn unknown_top_level_fields_are_rejected() {
    let h = Harness::new();
    let mut body = policy("p", vec![statement("s", &["s3:GetObject"], &["b"])]);
    body["dryRun"] = json!(true);
    let a = h.rest(Method::POST, POLICIES, Some(body)).await;
    assert_eq!((a.status, a.body["code"].clone()), (400, json!(3)));
}

#[tokio::test]
async fn unknown_policy_fields_are_rejected() {
    let h = Harness::new();
    let mut body = policy("p", vec![statement("s", &["s3:GetObject"], &["b"])]);
    body["policy"]["id"] = json!("p");
    let a = h.rest(Method::POST, POLICIES, Some(body)).await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"].as_str().unwrap().contains("`id`"));
}

#[tokio::test]
async fn unknown_statement_fields_are_rejected() {
    let h = Harness::new();
    let mut s = statement("s", &["s3:GetObject"], &["b"]);
    s["condition"] = json!({});
    let a = h
        .rest(Method::POST, POLICIES, Some(policy("p", vec![s])))
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"].as_str().unwrap().contains("condition"));
}

#[tokio::test]
async fn an_invalid_effect_is_named_by_its_path() {
    let h = Harness::new();
    let mut bad = statement("b", &["s3:GetObject"], &["b"]);
    bad["effect"] = json!("ALLOW");
    let body = policy("p", vec![statement("a", &["s3:GetObject"], &["b"]), bad]);
    let a = h.rest(Method::POST, POLICIES, Some(body)).await;
    assert_eq!(rest_violations(&a.body), ["policy.statements[1].effect"]);
}

#[tokio::test]
async fn a_cwobject_action_requires_the_wildcard_resource() {
    let h = Harness::new();
    let body = policy(
        "p",
        vec![statement(
            "s",
            &["cwobject:CreateAccessKeyOIDC"],
            &["bucket"],
        )],
    );
    let a = h.rest(Method::POST, POLICIES, Some(body)).await;
    assert_eq!(rest_violations(&a.body), ["policy.statements[0].resources"]);
}

#[tokio::test]
async fn a_missing_policy_is_invalid() {
    let h = Harness::new();
    let a = h.rest(Method::POST, POLICIES, Some(json!({}))).await;
    assert_eq!(rest_violations(&a.body), ["policy"]);
}

#[tokio::test]
async fn the_version_must_be_v1alpha1() {
    let h = Harness::new();
    let mut body = policy("p", vec![statement("s", &["s3:GetObject"], &["b"])]);
    body["policy"]["version"] = json!("v1");
    let a = h.rest(Method::POST, POLICIES, Some(body)).await;
    assert_eq!(rest_violations(&a.body), ["policy.version"]);
}
