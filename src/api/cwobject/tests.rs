use std::time::Duration;

use serde_json::json;

use super::super::test_server::{Reply, TestServer, TOKEN};
use super::*;

fn statement() -> PolicyStatement {
    PolicyStatement {
        name: "allow-everything".into(),
        effect: "Allow".into(),
        actions: vec!["*".into()],
        resources: vec!["*".into()],
        principals: vec!["*".into()],
    }
}

fn policies_reply(names: &[&str]) -> Reply {
    let policies: Vec<_> = names
        .iter()
        .map(|name| json!({"version": "v1alpha1", "name": name, "statements": []}))
        .collect();
    Reply::json(200, json!({"policies": policies}))
}

#[tokio::test]
async fn list_reads_policies_and_treats_a_missing_key_as_empty() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"policies": [{"version": "v1alpha1", "name": "p", "statements": [
            {"name": "allow-everything", "effect": "Allow", "actions": ["*"],
             "resources": ["*"], "principals": ["*"], "extra": 1}]}]}),
    ));
    let client = server.client(0);
    let policies = client.list_access_policies().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1/cwobject/access-policy");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        *policies,
        vec![AccessPolicy {
            version: "v1alpha1".into(),
            name: "p".into(),
            statements: vec![statement()],
        }]
    );

    let empty = TestServer::start().await;
    empty.push(Reply::json(200, json!({})));
    assert!(empty
        .client(0)
        .list_access_policies()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn ensure_posts_the_wrapped_policy_with_version_v1alpha1() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, json!({})));
    let policy = AccessPolicy {
        version: String::new(),
        name: "test-policy".into(),
        statements: vec![statement()],
    };
    server
        .client(0)
        .ensure_access_policy(&policy)
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/cwobject/access-policy");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"policy": {"version": "v1alpha1", "name": "test-policy", "statements": [
            {"name": "allow-everything", "effect": "Allow", "actions": ["*"],
             "resources": ["*"], "principals": ["*"]}]}})
    );
}

#[tokio::test]
async fn delete_reports_whether_the_policy_existed() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, json!({})));
    server.push(Reply::json(
        404,
        json!({"code": 5, "message": "policy not found"}),
    ));
    server.push(Reply::json(403, json!({"code": 7, "message": "denied"})));
    let client = server.client(0);
    assert!(client.delete_access_policy("my policy/x").await.unwrap());
    assert!(!client.delete_access_policy("gone").await.unwrap());
    assert_eq!(
        client
            .delete_access_policy("p")
            .await
            .unwrap_err()
            .to_string(),
        "permission_denied: denied"
    );
    let requests = server.requests();
    assert_eq!(requests[0].method, "DELETE");
    assert_eq!(
        requests[0].path,
        "/v1/cwobject/access-policy/my%20policy%2Fx"
    );
    assert!(requests[0].body.is_empty());
    assert!(matches!(
        client.delete_access_policy("").await,
        Err(ApiError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn concurrent_lists_share_one_request_and_later_lists_reuse_it() {
    let server = TestServer::start().await;
    server.push(policies_reply(&["a", "b"]).after(Duration::from_millis(100)));
    let client = server.client(0);
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_access_policies().await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().len(), 2);
    }
    assert_eq!(client.request_count(), 1);
    assert_eq!(client.list_access_policies().await.unwrap().len(), 2);
    assert_eq!(server.requests().len(), 1);
}

fn named(name: &str) -> AccessPolicy {
    AccessPolicy {
        version: ACCESS_POLICY_VERSION.into(),
        name: name.into(),
        statements: vec![statement()],
    }
}

async fn names(client: &ApiClient) -> Vec<String> {
    let policies = client.list_access_policies().await.unwrap();
    policies.iter().map(|p| p.name.clone()).collect()
}

#[tokio::test]
async fn writes_update_the_shared_list_without_listing_again() {
    let server = TestServer::start().await;
    server.push(policies_reply(&["a"]));
    server.push(Reply::json(200, json!({})));
    server.push(Reply::json(200, json!({"policy": {"name": "a"}})));
    server.push(Reply::json(404, json!({"code": 5, "message": "gone"})));
    let client = server.client(0);
    assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
    client.ensure_access_policy(&named("b")).await.unwrap();
    assert_eq!(names(&client).await, ["a", "b"]);
    assert!(client.delete_access_policy("a").await.unwrap());
    assert!(!client.delete_access_policy("a").await.unwrap());
    assert_eq!(*client.list_access_policies().await.unwrap(), [named("b")]);
    assert_eq!(client.request_count(), 4);
    assert_eq!(server.requests()[0].method, "GET");
}

#[tokio::test]
async fn a_failed_write_drops_the_shared_list_and_relist_bypasses_it() {
    let server = TestServer::start().await;
    server.push(policies_reply(&["a"]));
    server.push(Reply::json(400, json!({"code": 3, "message": "bad"})));
    server.push(policies_reply(&["a", "b"]));
    server.push(policies_reply(&["b"]));
    let client = server.client(0);
    client.list_access_policies().await.unwrap();
    assert!(client.ensure_access_policy(&named("b")).await.is_err());
    assert_eq!(client.list_access_policies().await.unwrap().len(), 2);
    assert_eq!(client.relist_access_policies().await.unwrap().len(), 1);
    assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
    assert_eq!(client.request_count(), 4);
}

fn statements_reply(name: &str, statement_name: &str) -> Reply {
    let mut theirs = statement();
    theirs.name = statement_name.into();
    Reply::json(
        200,
        json!({"policies": [{"version": "v1alpha1", "name": name, "statements": [theirs]}]}),
    )
}

#[tokio::test]
async fn create_checks_a_fresh_list_writes_and_reads_back() {
    let server = TestServer::start().await;
    server.push(policies_reply(&["other"]));
    server.push(Reply::json(200, json!({})));
    server.push(statements_reply("p", "allow-everything"));
    let client = server.client(0);
    client.create_access_policy(&named("p")).await.unwrap();
    let calls: Vec<_> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        calls,
        [
            "GET /v1/cwobject/access-policy",
            "POST /v1/cwobject/access-policy",
            "GET /v1/cwobject/access-policy",
        ]
    );
    assert_eq!(
        names(&client).await,
        ["p"],
        "the read-back is the held list"
    );
}

#[tokio::test]
async fn create_keeps_a_write_whose_answer_was_lost_before_its_retries_were_refused() {
    let server = TestServer::start().await;
    server.push(policies_reply(&[]));
    server.push(Reply::json(429, json!({"code": 8, "message": "slow down"})));
    server.push(Reply::json(
        502,
        json!({"code": 14, "message": "bad gateway"}),
    ));
    server.push(Reply::json(
        503,
        json!({"code": 14, "message": "unavailable"}),
    ));
    server.push(statements_reply("p", "allow-everything"));
    server.push(statements_reply("p", "allow-everything"));
    let client = server.client(2);
    client.create_access_policy(&named("p")).await.unwrap();
    let calls: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(calls, ["GET", "POST", "POST", "POST", "GET", "GET"]);
    assert_eq!(names(&client).await, ["p"]);
}

#[tokio::test]
async fn create_refuses_a_name_the_fresh_list_holds_without_writing() {
    let server = TestServer::start().await;
    server.push(policies_reply(&["p"]));
    let client = server.client(0);
    let refused = client.create_access_policy(&named("p")).await;
    assert!(matches!(refused, Err(CreatePolicyError::Exists(p)) if p.name == "p"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn create_reports_statements_that_replaced_its_own_right_after_the_write() {
    let server = TestServer::start().await;
    server.push(policies_reply(&[]));
    server.push(Reply::json(200, json!({})));
    server.push(statements_reply("p", "theirs"));
    let client = server.client(0);
    let replaced = client.create_access_policy(&named("p")).await;
    assert!(
        matches!(&replaced, Err(CreatePolicyError::Replaced(p)) if p.statements[0].name == "theirs"),
        "{replaced:?}"
    );
}

#[tokio::test]
async fn a_second_create_of_one_name_is_refused_at_once() {
    let server = TestServer::start().await;
    server.push(policies_reply(&[]));
    server.push(Reply::json(200, json!({})));
    server.push(statements_reply("p", "allow-everything"));
    let client = server.client(0);
    let policy = named("p");
    let (first, second) = tokio::join!(
        client.create_access_policy(&policy),
        client.create_access_policy(&policy)
    );
    first.unwrap();
    assert!(matches!(second, Err(CreatePolicyError::CreatingInThisRun)));
    assert_eq!(server.requests().len(), 3, "one create only");
    server.push(policies_reply(&["p"]));
    let again = client.create_access_policy(&named("p")).await;
    assert!(
        matches!(again, Err(CreatePolicyError::Exists(_))),
        "the name is free again once the first create ended: {again:?}"
    );
}

#[tokio::test]
async fn a_failed_list_is_shared_but_not_cached() {
    let server = TestServer::start().await;
    server.push(
        Reply::json(500, json!({"code": 13, "message": "boom"})).after(Duration::from_millis(50)),
    );
    server.push(policies_reply(&["a"]));
    let client = server.client(0);
    let (first, second) =
        tokio::join!(client.list_access_policies(), client.list_access_policies());
    assert_eq!(first.unwrap_err().to_string(), "internal: boom");
    assert_eq!(second.unwrap_err().to_string(), "internal: boom");
    assert_eq!(client.request_count(), 1);
    assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
    assert_eq!(client.request_count(), 2);
}
