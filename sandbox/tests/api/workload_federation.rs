use axum::http::Method;
use serde_json::{json, Value};
use tonic_types::pb;

use crate::support::{connect_bad_request_fields, connect_detail, Harness, TOKEN, WIF};

const ISSUER: &str = "https://oidc.example.com/id/abc";

async fn create(h: &Harness, name: &str, audience: &str) -> Value {
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": name, "issuerUrl": ISSUER, "audience": audience}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["config"].clone()
}

#[tokio::test]
async fn create_returns_the_config_with_uid_org_and_timestamps() {
    let h = Harness::new();
    let config = create(&h, "cks-demo", "aud").await;
    assert_eq!(config["orgUid"], "sandbox-org");
    assert_eq!(config["uid"].as_str().unwrap().len(), 36);
    assert_eq!(config["issuerUrl"], ISSUER);
    assert_eq!(config["createdAt"], config["updatedAt"]);
    assert!(config.get("description").is_none() && config.get("deactivatedAt").is_none());
}

#[tokio::test]
async fn create_inactive_sets_deactivated_at() {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "n", "issuerUrl": ISSUER, "audience": "a", "active": false}),
        )
        .await;
    assert!(a.body["config"]["deactivatedAt"].is_string(), "{}", a.body);
}

#[tokio::test]
async fn get_list_and_delete_use_their_wrappers() {
    let h = Harness::new();
    let config = create(&h, "n", "a").await;
    let uid = config["uid"].clone();
    let got = h.connect("GetOIDCConfig", json!({"uid": uid})).await;
    assert_eq!(got.body, json!({"config": config}));
    let list = h.connect("ListOIDCConfigs", json!({})).await;
    assert_eq!(list.body, json!({"configs": [config]}));
    let deleted = h.connect("DeleteOIDCConfig", json!({"uid": uid})).await;
    assert_eq!((deleted.status, deleted.body), (200, json!({})));
    let list = h.connect("ListOIDCConfigs", json!({})).await;
    assert_eq!(list.body, json!({"configs": []}));
}

#[tokio::test]
async fn get_of_an_unknown_uid_is_not_found_with_a_decodable_resource_info() {
    let h = Harness::new();
    let a = h.connect("GetOIDCConfig", json!({"uid": "missing"})).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["code"], "not_found");
    let detail = &a.body["details"][0];
    assert_eq!(detail["type"], "google.rpc.ResourceInfo");
    let info: pb::ResourceInfo = connect_detail(detail);
    assert_eq!(info.resource_type, "OIDCConfig");
    assert_eq!(info.resource_name, "missing");
    assert_eq!(detail["debug"]["resourceType"], "OIDCConfig");
}

#[tokio::test]
async fn a_duplicate_issuer_and_audience_is_already_exists_naming_the_existing_config() {
    let h = Harness::new();
    let existing = create(&h, "first", "aud").await;
    let uid = existing["uid"].as_str().unwrap();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "second", "issuerUrl": ISSUER, "audience": "aud"}),
        )
        .await;
    assert_eq!(
        (a.status, a.body["code"].clone()),
        (409, json!("already_exists"))
    );
    assert_eq!(
        a.body["message"],
        format!(
            "an OIDC configuration with this issuer URL and audience already exists: {uid} (first)"
        )
    );
    let info: pb::ResourceInfo = connect_detail(&a.body["details"][0]);
    assert_eq!(info.resource_type, "OIDCConfig");
    assert_eq!(info.resource_name, uid);
    assert!(info.description.contains("first"), "{info:?}");
}

#[tokio::test]
async fn an_update_onto_a_taken_pair_is_already_exists() {
    let h = Harness::new();
    create(&h, "first", "aud-1").await;
    let second = create(&h, "second", "aud-2").await;
    let a = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": second["uid"], "updateMask": "audience", "audience": "aud-1"}),
        )
        .await;
    assert_eq!(a.body["code"], "already_exists");
}

#[tokio::test]
async fn an_update_with_an_empty_mask_is_invalid() {
    let h = Harness::new();
    let config = create(&h, "n", "a").await;
    let a = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": config["uid"], "name": "m"}),
        )
        .await;
    assert_eq!(
        (a.status, a.body["code"].clone()),
        (400, json!("invalid_argument"))
    );
    assert_eq!(
        a.body["message"],
        "update mask must contain at least one path"
    );
}

#[tokio::test]
async fn update_accepts_snake_case_mask_paths_and_field_names() {
    let h = Harness::new();
    let config = create(&h, "n", "a").await;
    let a = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": config["uid"], "update_mask": "issuer_url,name",
                   "issuer_url": "https://other.example.com", "name": "renamed"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["config"]["issuerUrl"], "https://other.example.com");
    assert_eq!(a.body["config"]["name"], "renamed");
}

#[tokio::test]
async fn create_accepts_snake_case_field_names() {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "n", "issuer_url": ISSUER, "audience": "a"}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

#[tokio::test]
async fn a_masked_description_without_value_is_cleared() {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "n", "issuerUrl": ISSUER, "audience": "a", "description": "d"}),
        )
        .await;
    let uid = a.body["config"]["uid"].clone();
    assert_eq!(a.body["config"]["description"], "d");
    let b = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": uid, "updateMask": "description"}),
        )
        .await;
    assert!(b.body["config"].get("description").is_none(), "{}", b.body);
}

#[tokio::test]
async fn a_masked_active_without_value_reactivates() {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "n", "issuerUrl": ISSUER, "audience": "a", "active": false}),
        )
        .await;
    let b = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": a.body["config"]["uid"], "updateMask": "active"}),
        )
        .await;
    assert!(
        b.body["config"].get("deactivatedAt").is_none(),
        "{}",
        b.body
    );
}

#[tokio::test]
async fn update_bumps_updated_at() {
    let h = Harness::new();
    let config = create(&h, "n", "a").await;
    h.admin(Method::POST, "/clock", Some(json!({"advance_seconds": 1})))
        .await;
    let a = h
        .connect(
            "UpdateOIDCConfig",
            json!({"uid": config["uid"], "updateMask": "audience", "audience": "b"}),
        )
        .await;
    assert_ne!(a.body["config"]["updatedAt"], config["updatedAt"]);
    assert_eq!(a.body["config"]["createdAt"], config["createdAt"]);
}

#[tokio::test]
async fn validation_errors_name_fields_in_snake_case_in_a_decodable_bad_request() {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "n", "issuerUrl": "http://example.com/", "audience": "a"}),
        )
        .await;
    assert_eq!(
        (a.status, a.body["code"].clone()),
        (400, json!("invalid_argument"))
    );
    assert_eq!(
        connect_bad_request_fields(&a.body["details"][0]),
        ["issuer_url"]
    );
    assert_eq!(
        a.body["details"][0]["debug"]["fieldViolations"][0]["field"],
        "issuer_url"
    );
}

#[tokio::test]
async fn the_same_field_under_both_names_is_rejected() {
    let h = Harness::new();
    let a = h
        .connect_raw(
            "CreateOIDCConfig",
            &format!(
                r#"{{"name":"n","issuerUrl":"{ISSUER}","issuer_url":"{ISSUER}","audience":"a"}}"#
            ),
        )
        .await;
    assert_eq!(a.body["code"], "invalid_argument");
    assert!(a.body["message"]
        .as_str()
        .unwrap()
        .contains("duplicate field"));
}

#[tokio::test]
async fn unknown_request_fields_are_rejected() {
    let h = Harness::new();
    let a = h
        .connect(
            "CreateOIDCConfig",
            json!({"name": "n", "issuerUrl": ISSUER, "audience": "a", "uid": "x"}),
        )
        .await;
    assert_eq!(
        (a.status, a.body["code"].clone()),
        (400, json!("invalid_argument"))
    );
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let h = Harness::new();
    let a = h
        .send(
            Method::POST,
            &format!("{WIF}/ListOIDCConfigs"),
            Some(TOKEN),
            Some("application/proto"),
            Some(String::new()),
        )
        .await;
    assert_eq!(a.status, 415);
    assert_eq!(a.body["code"], "invalid_argument");
}

#[tokio::test]
async fn an_unknown_procedure_is_unimplemented() {
    let h = Harness::new();
    let a = h.connect("RotateOIDCConfig", json!({})).await;
    assert_eq!(
        (a.status, a.body["code"].clone()),
        (501, json!("unimplemented"))
    );
}
