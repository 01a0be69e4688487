use std::time::Duration;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use serde_json::json;

use super::super::test_server::{test_config, Reply, TestServer, TOKEN, USER_AGENT};
use super::super::ErrorDetail;
use super::*;

fn path(method: &str) -> String {
    format!("/{SERVICE}/{method}")
}

fn config_json(uid: &str, name: &str) -> serde_json::Value {
    json!({"uid": uid, "orgUid": "org1", "name": name,
           "issuerUrl": "https://oidc.cks.coreweave.com/id/abc",
           "audience": "https://coreweave.com/iam",
           "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-02T00:00:00Z"})
}

/// A 200 answer holding the config `uid` named `name`.
fn config_reply(uid: &str, name: &str) -> Reply {
    Reply::json(200, json!({"config": config_json(uid, name)}))
}

/// A 200 answer listing the configs given as (uid, name).
fn list_reply(configs: &[(&str, &str)]) -> Reply {
    let configs: Vec<_> = configs
        .iter()
        .map(|(uid, name)| config_json(uid, name))
        .collect();
    Reply::json(200, json!({ "configs": configs }))
}

/// A Connect error answer.
fn error_reply(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"code": code, "message": message}))
}

/// The paths of the requests the server received, in order.
fn sent_paths(server: &TestServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.path).collect()
}

/// `client` creating [`create_request`].
async fn create(client: &ApiClient) -> Result<OidcConfig, ApiError> {
    client.create_oidc_config(&create_request()).await
}

fn create_request() -> CreateOidcConfig {
    CreateOidcConfig {
        name: "cks-abc".into(),
        issuer_url: "https://oidc.cks.coreweave.com/id/abc".into(),
        audience: "https://coreweave.com/iam".into(),
        description: None,
        active: true,
    }
}

#[test]
fn an_update_masks_and_carries_only_changed_fields() {
    let old = create_request();
    let new = CreateOidcConfig {
        audience: "https://coreweave.com/iam2".into(),
        active: false,
        ..create_request()
    };
    let update = UpdateOidcConfig::between("u1", &old, &new).unwrap();
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"uid": "u1", "updateMask": "audience,active",
               "audience": "https://coreweave.com/iam2", "active": false})
    );
    assert_eq!(UpdateOidcConfig::between("u1", &old, &old), None);
}

#[test]
fn removing_the_description_clears_it_and_empty_equals_none() {
    let described = CreateOidcConfig {
        description: Some("d".into()),
        ..create_request()
    };
    let update = UpdateOidcConfig::between("u1", &described, &create_request()).unwrap();
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"uid": "u1", "updateMask": "description"})
    );
    let empty = CreateOidcConfig {
        description: Some(String::new()),
        ..create_request()
    };
    assert_eq!(
        UpdateOidcConfig::between("u1", &create_request(), &empty),
        None
    );
}

#[tokio::test]
async fn get_posts_connect_json_and_reads_the_config() {
    let server = TestServer::start().await;
    let mut body = config_json("u1", "cks-abc");
    body["description"] = json!("");
    body["deactivatedAt"] = json!("2025-02-01T00:00:00Z");
    server.push(Reply::json(200, json!({"config": body})));
    let config = server
        .client(0)
        .get_oidc_config("u1")
        .await
        .unwrap()
        .unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, path("GetOIDCConfig"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("connect-protocol-version"), Some("1"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("user-agent"), Some(USER_AGENT));
    assert_eq!(request.json(), json!({"uid": "u1"}));
    assert_eq!(
        config,
        OidcConfig {
            uid: "u1".into(),
            org_uid: "org1".into(),
            name: "cks-abc".into(),
            description: None,
            issuer_url: "https://oidc.cks.coreweave.com/id/abc".into(),
            audience: "https://coreweave.com/iam".into(),
            created_at: "2025-01-01T00:00:00Z".into(),
            updated_at: "2025-01-02T00:00:00Z".into(),
            deactivated_at: Some("2025-02-01T00:00:00Z".into()),
        }
    );
    assert!(!config.active());
}

#[tokio::test]
async fn get_is_none_on_connect_not_found_with_binary_details() {
    let server = TestServer::start().await;
    // google.rpc.ResourceInfo{resource_type: "oidc_config", resource_name: "u9"}
    let mut info = vec![0x0a, 11];
    info.extend_from_slice(b"oidc_config");
    info.extend_from_slice(&[0x12, 2]);
    info.extend_from_slice(b"u9");
    let not_found = Reply::json(
        404,
        json!({"code": "not_found", "message": "config not found",
               "details": [{"type": "google.rpc.ResourceInfo", "value": STANDARD_NO_PAD.encode(&info)}]}),
    );
    server.push(not_found.clone());
    server.push(not_found);
    let client = server.client(0);
    assert_eq!(client.get_oidc_config("u9").await.unwrap(), None);
    // The same answer to an update is an error that names the resource.
    let update = UpdateOidcConfig {
        uid: "u9".into(),
        update_mask: vec!["name".into()],
        name: Some("x".into()),
        ..UpdateOidcConfig::default()
    };
    let error = client.update_oidc_config(&update).await.unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(
        error.status().unwrap().details,
        vec![ErrorDetail::ResourceInfo {
            resource_type: "oidc_config".into(),
            resource_name: "u9".into(),
            owner: String::new(),
            description: String::new(),
        }]
    );
    assert_eq!(
        error.to_string(),
        "not_found: config not found (oidc_config \"u9\")"
    );
}

#[tokio::test]
async fn a_plain_404_from_a_connect_route_is_unimplemented_not_gone() {
    let server = TestServer::start().await;
    server.push(Reply::text(404, "404 page not found"));
    let error = server.client(0).get_oidc_config("u1").await.unwrap_err();
    assert_eq!(error.code(), Some(Code::Unimplemented));
    assert_eq!(
        error.to_string(),
        "unimplemented: HTTP 404: 404 page not found"
    );
}

#[tokio::test]
async fn list_reads_configs_and_defaults_to_empty() {
    let server = TestServer::start().await;
    server.push(list_reply(&[("u1", "a"), ("u2", "b")]));
    server.push(Reply::json(200, json!({})));
    let client = server.client(0);
    let configs = client.list_oidc_configs().await.unwrap();
    assert_eq!(
        configs.iter().map(|c| c.uid.as_str()).collect::<Vec<_>>(),
        ["u1", "u2"]
    );
    assert!(configs[0].active());
    let request = &server.requests()[0];
    assert_eq!(request.path, path("ListOIDCConfigs"));
    assert_eq!(request.json(), json!({}));
    assert!(server
        .client(0)
        .list_oidc_configs()
        .await
        .unwrap()
        .is_empty());
}

fn uids(configs: &[OidcConfig]) -> Vec<&str> {
    configs.iter().map(|c| c.uid.as_str()).collect()
}

#[tokio::test]
async fn writes_update_the_shared_list_without_listing_again() {
    let server = TestServer::start().await;
    server.push(list_reply(&[("u1", "a"), ("u2", "b")]));
    server.push(config_reply("u3", "c"));
    server.push(config_reply("u1", "renamed"));
    server.push(Reply::json(200, json!({})));
    server.push(error_reply(404, "not_found", "gone"));
    let client = server.client(0);
    client.list_oidc_configs().await.unwrap();
    create(&client).await.unwrap();
    let rename = UpdateOidcConfig {
        uid: "u1".into(),
        update_mask: vec!["name".into()],
        name: Some("renamed".into()),
        ..UpdateOidcConfig::default()
    };
    client.update_oidc_config(&rename).await.unwrap();
    assert!(client.delete_oidc_config("u2").await.unwrap());
    assert!(client
        .update_oidc_config(&UpdateOidcConfig {
            uid: "u3".into(),
            ..rename
        })
        .await
        .is_err());
    let configs = client.list_oidc_configs().await.unwrap();
    assert_eq!(uids(&configs), ["u1"]);
    assert_eq!(configs[0].name, "renamed");
    assert_eq!(client.request_count(), 5);
}

#[tokio::test]
async fn a_failed_write_drops_the_shared_list() {
    let server = TestServer::start().await;
    server.push(list_reply(&[("u1", "a")]));
    server.push(error_reply(403, "permission_denied", "no"));
    server.push(list_reply(&[]));
    let client = server.client(0);
    client.list_oidc_configs().await.unwrap();
    assert!(client.delete_oidc_config("u1").await.is_err());
    assert!(client.list_oidc_configs().await.unwrap().is_empty());
    assert_eq!(client.request_count(), 3);
}

#[tokio::test]
async fn create_sends_the_request_and_returns_the_config() {
    let server = TestServer::start().await;
    server.push(config_reply("u1", "cks-abc"));
    let mut request = create_request();
    request.description = Some("for CKS".into());
    request.active = false;
    let config = server.client(3).create_oidc_config(&request).await.unwrap();
    assert_eq!(config.uid, "u1");
    let sent = &server.requests()[0];
    assert_eq!(sent.path, path("CreateOIDCConfig"));
    assert_eq!(
        sent.json(),
        json!({"name": "cks-abc", "issuerUrl": "https://oidc.cks.coreweave.com/id/abc",
               "audience": "https://coreweave.com/iam", "description": "for CKS", "active": false})
    );
    let mut without_description = create_request();
    without_description.description = None;
    assert_eq!(
        serde_json::to_value(&without_description).unwrap(),
        json!({"name": "cks-abc", "issuerUrl": "https://oidc.cks.coreweave.com/id/abc",
               "audience": "https://coreweave.com/iam", "active": true})
    );
}

#[tokio::test]
async fn create_after_502_is_not_resent_when_a_fresh_list_shows_it() {
    let server = TestServer::start().await;
    server.push(list_reply(&[]));
    server.push(Reply::text(502, "bad gateway"));
    server.push(list_reply(&[("other", "unrelated"), ("u1", "cks-abc")]));
    let client = server.client(3);
    // The list held from before the create is not trusted to reconcile it.
    assert!(client.list_oidc_configs().await.unwrap().is_empty());
    let config = create(&client).await.unwrap();
    assert_eq!(config.uid, "u1");
    assert_eq!(
        sent_paths(&server),
        [
            path("ListOIDCConfigs"),
            path("CreateOIDCConfig"),
            path("ListOIDCConfigs")
        ]
    );
    assert_eq!(
        uids(&client.list_oidc_configs().await.unwrap()),
        ["other", "u1"]
    );
}

#[tokio::test]
async fn create_after_a_timeout_is_resent_only_when_the_list_lacks_it() {
    let server = TestServer::start().await;
    server.push(config_reply("u1", "cks-abc").after(Duration::from_millis(250)));
    server.push(list_reply(&[]));
    server.push(config_reply("u2", "cks-abc"));
    let mut config = test_config(&server.url);
    config.request_timeout = Duration::from_millis(100);
    let client = ApiClient::with_policy(config, super::super::test_server::fast_policy(3)).unwrap();
    let created = create(&client).await.unwrap();
    assert_eq!(created.uid, "u2");
    assert_eq!(
        sent_paths(&server),
        [
            path("CreateOIDCConfig"),
            path("ListOIDCConfigs"),
            path("CreateOIDCConfig")
        ]
    );
}

#[tokio::test]
async fn create_is_retried_directly_after_429_and_503() {
    let server = TestServer::start().await;
    server.push(error_reply(429, "resource_exhausted", "slow down"));
    server.push(error_reply(503, "unavailable", "busy"));
    server.push(config_reply("u1", "cks-abc"));
    let client = server.client(3);
    assert_eq!(create(&client).await.unwrap().uid, "u1");
    assert!(server
        .requests()
        .iter()
        .all(|r| r.path == path("CreateOIDCConfig")));
    assert_eq!(client.request_count(), 3);
}

#[tokio::test]
async fn create_conflict_after_an_unknown_outcome_is_resolved_by_listing() {
    let server = TestServer::start().await;
    server.push(Reply::text(504, "gateway timeout"));
    server.push(list_reply(&[]));
    server.push(error_reply(409, "already_exists", "duplicate issuer"));
    server.push(list_reply(&[("u1", "cks-abc")]));
    let client = server.client(3);
    assert_eq!(create(&client).await.unwrap().uid, "u1");
    assert_eq!(client.request_count(), 4);
}

#[tokio::test]
async fn create_conflict_without_an_earlier_attempt_is_an_error() {
    let server = TestServer::start().await;
    server.push(error_reply(409, "already_exists", "duplicate issuer"));
    let client = server.client(3);
    let error = create(&client).await.unwrap_err();
    assert_eq!(error.code(), Some(Code::AlreadyExists));
    assert_eq!(client.request_count(), 1);
}

#[tokio::test]
async fn create_gives_up_after_the_retry_budget_counting_every_attempt() {
    let server = TestServer::start().await;
    server.push(Reply::text(502, "bad gateway"));
    server.push(list_reply(&[]));
    server.push(Reply::text(502, "bad gateway"));
    server.push(list_reply(&[]));
    let client = server.client(1);
    let error = create(&client).await.unwrap_err();
    assert!(
        matches!(&error, ApiError::RetriesExhausted { attempts: 2, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "http://127.0.0.1:{}: giving up after 2 attempts; last answer unavailable: HTTP 502: bad gateway",
            server.url.port().unwrap()
        )
    );
    assert_eq!(client.request_count(), 4);
}

#[tokio::test]
async fn update_sends_the_mask_as_a_string_and_omits_cleared_values() {
    let server = TestServer::start().await;
    server.push(config_reply("u1", "renamed"));
    let request = UpdateOidcConfig {
        uid: "u1".into(),
        update_mask: vec!["name".into(), "description".into(), "active".into()],
        name: Some("renamed".into()),
        description: None,
        active: Some(false),
        ..UpdateOidcConfig::default()
    };
    let config = server.client(0).update_oidc_config(&request).await.unwrap();
    assert_eq!(config.name, "renamed");
    let sent = &server.requests()[0];
    assert_eq!(sent.path, path("UpdateOIDCConfig"));
    assert_eq!(
        sent.json(),
        json!({"uid": "u1", "updateMask": "name,description,active", "name": "renamed", "active": false})
    );
}

#[tokio::test]
async fn delete_reports_whether_the_config_existed() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, json!({})));
    server.push(error_reply(404, "not_found", "gone"));
    let client = server.client(0);
    assert!(client.delete_oidc_config("u1").await.unwrap());
    assert!(!client.delete_oidc_config("u1").await.unwrap());
    let requests = server.requests();
    assert_eq!(requests[0].path, path("DeleteOIDCConfig"));
    assert_eq!(requests[0].json(), json!({"uid": "u1"}));
    assert!(matches!(
        client.delete_oidc_config("").await,
        Err(ApiError::InvalidRequest(_))
    ));
}
