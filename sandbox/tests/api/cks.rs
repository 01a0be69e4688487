use axum::http::Method;
use serde_json::{json, Value};

use crate::support::{rest_violations, Harness, DEMO, WITH_OIDC};

const ISSUER: &str = "https://idp.example.com";

fn cluster_path(id: &str) -> String {
    format!("/v1beta1/cks/clusters/{id}")
}

fn set_oidc(body: Value) -> Value {
    let mut req = json!({"id": DEMO, "version": "1.32",
                         "updateMask": "oidc.issuerUrl,oidc.clientId"});
    req["oidc"] = body;
    req
}

#[tokio::test]
async fn list_wraps_clusters_in_items() {
    let h = Harness::new();
    let a = h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    assert_eq!(a.status, 200);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0],
        json!({"id": DEMO, "name": "demo", "zone": "US-EAST-04A", "version": "1.32",
               "public": true, "status": "STATUS_RUNNING",
               "apiServerEndpoint": "c0ffee00-0001.k8s.us-east-04a.coreweave.com",
               "createdAt": "2025-01-15T10:00:00Z", "updatedAt": "2025-01-15T10:00:00Z"})
    );
}

#[tokio::test]
async fn get_wraps_the_cluster_with_its_oidc_block() {
    let h = Harness::new();
    let a = h.rest(Method::GET, &cluster_path(WITH_OIDC), None).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body["cluster"]["oidc"],
        json!({"issuerUrl": "https://accounts.example.com", "clientId": "kubernetes",
               "usernameClaim": "email"})
    );
}

#[tokio::test]
async fn get_of_an_unknown_cluster_is_not_found_with_resource_info() {
    let h = Harness::new();
    let a = h.rest(Method::GET, &cluster_path("nope"), None).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["code"], 5);
    let detail = &a.body["details"][0];
    assert_eq!(
        detail["@type"],
        "type.googleapis.com/google.rpc.ResourceInfo"
    );
    assert_eq!(detail["resourceName"], "nope");
}

#[tokio::test]
async fn delete_returns_the_cluster_and_removes_it() {
    let h = Harness::new();
    let a = h.rest(Method::DELETE, &cluster_path(DEMO), None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["cluster"]["id"], DEMO);
    assert_eq!(
        h.rest(Method::GET, &cluster_path(DEMO), None).await.status,
        404
    );
}

#[tokio::test]
async fn create_cluster_is_unimplemented() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::POST,
            "/v1beta1/cks/clusters",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!((a.status, a.body["code"].clone()), (501, json!(12)));
}

#[tokio::test]
async fn unknown_rest_paths_are_not_found() {
    let h = Harness::new();
    let a = h.rest(Method::GET, "/v1beta1/cks/nodepools", None).await;
    assert_eq!((a.status, a.body["code"].clone()), (404, json!(5)));
}

#[tokio::test]
async fn patch_sets_oidc_and_answers_updating() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k"}))),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["cluster"]["status"], "STATUS_UPDATING");
    assert_eq!(
        a.body["cluster"]["oidc"],
        json!({"issuerUrl": ISSUER, "clientId": "k"})
    );
}

#[tokio::test]
async fn patch_bumps_updated_at() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k"}))),
        )
        .await;
    assert_ne!(a.body["cluster"]["updatedAt"], "2025-01-15T10:00:00Z");
    assert_eq!(a.body["cluster"]["createdAt"], "2025-01-15T10:00:00Z");
}

#[tokio::test]
async fn a_patched_cluster_reads_running_after_the_update_duration() {
    let h = Harness::with(|c| c.update_duration_ms = 300);
    let body = set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k"}));
    h.rest(Method::PATCH, &cluster_path(DEMO), Some(body)).await;
    let during = h.rest(Method::GET, &cluster_path(DEMO), None).await;
    assert_eq!(during.body["cluster"]["status"], "STATUS_UPDATING");
    h.admin(
        Method::POST,
        "/clock",
        Some(json!({"advance_seconds": 0.3})),
    )
    .await;
    let after = h.rest(Method::GET, &cluster_path(DEMO), None).await;
    assert_eq!(after.body["cluster"]["status"], "STATUS_RUNNING");
}

#[tokio::test]
async fn patch_while_updating_fails_the_state_precondition() {
    let h = Harness::new();
    let body = set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k"}));
    h.rest(Method::PATCH, &cluster_path(DEMO), Some(body.clone()))
        .await;
    let a = h.rest(Method::PATCH, &cluster_path(DEMO), Some(body)).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["code"], 9);
    assert_eq!(
        a.body["details"][0],
        json!({"@type": "type.googleapis.com/google.rpc.PreconditionFailure",
               "violations": [{"type": "STATE", "subject": format!("clusters/{DEMO}"),
                               "description": "cluster is STATUS_UPDATING"}]})
    );
}

#[tokio::test]
async fn patch_requires_id_and_version() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(json!({"updateMask": "public"})),
        )
        .await;
    assert_eq!((a.status, a.body["code"].clone()), (400, json!(3)));
    assert_eq!(rest_violations(&a.body), ["id", "version"]);
}

#[tokio::test]
async fn patch_with_another_version_is_rejected() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(json!({"id": DEMO, "version": "1.33", "updateMask": "public", "public": true})),
        )
        .await;
    assert_eq!(rest_violations(&a.body), ["version"]);
}

#[tokio::test]
async fn patch_rejects_unknown_top_level_fields() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(json!({"id": DEMO, "version": "1.32", "network": {}})),
        )
        .await;
    assert_eq!((a.status, a.body["code"].clone()), (400, json!(3)));
    assert!(a.body["message"].as_str().unwrap().contains("network"));
}

#[tokio::test]
async fn patch_rejects_unknown_oidc_fields() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(set_oidc(
                json!({"issuerUrl": ISSUER, "clientId": "k", "caCert": "x"}),
            )),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.body["message"].as_str().unwrap().contains("caCert"));
}

#[tokio::test]
async fn patch_rejects_a_bare_rs256_signing_algorithm() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k",
                                 "signingAlgorithms": ["RS256"]}))),
        )
        .await;
    assert_eq!(rest_violations(&a.body), ["oidc.signingAlgorithms[0]"]);
}

#[tokio::test]
async fn patch_accepts_the_signing_algorithm_enum_name() {
    let h = Harness::new();
    let mut body = set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k",
                                   "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}));
    body["updateMask"] = json!("oidc");
    let a = h.rest(Method::PATCH, &cluster_path(DEMO), Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["cluster"]["oidc"]["signingAlgorithms"],
        json!(["SIGNING_ALGORITHM_RS256"])
    );
}

#[tokio::test]
async fn patch_names_an_invalid_ca_in_the_field_violation() {
    let h = Harness::new();
    let mut body =
        set_oidc(json!({"issuerUrl": ISSUER, "clientId": "k", "ca": "bm90IGEgY2VydA=="}));
    body["updateMask"] = json!("oidc");
    let a = h.rest(Method::PATCH, &cluster_path(DEMO), Some(body)).await;
    assert_eq!(rest_violations(&a.body), ["oidc.ca"]);
}

#[tokio::test]
async fn patch_mask_path_without_value_clears_the_field() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(WITH_OIDC),
            Some(json!({"id": WITH_OIDC, "version": "1.32", "updateMask": "oidc.username_claim"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["cluster"]["oidc"],
        json!({"issuerUrl": "https://accounts.example.com", "clientId": "kubernetes"})
    );
}

#[tokio::test]
async fn patch_mask_oidc_without_value_removes_the_block() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(WITH_OIDC),
            Some(json!({"id": WITH_OIDC, "version": "1.32", "updateMask": "oidc"})),
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(a.body["cluster"].get("oidc").is_none(), "{}", a.body);
}

#[tokio::test]
async fn patch_with_an_unsupported_mask_path_names_update_mask() {
    let h = Harness::new();
    let a = h
        .rest(
            Method::PATCH,
            &cluster_path(DEMO),
            Some(json!({"id": DEMO, "version": "1.32", "updateMask": "kubelet"})),
        )
        .await;
    assert_eq!(rest_violations(&a.body), ["updateMask"]);
}

#[tokio::test]
async fn malformed_json_is_invalid_argument() {
    let h = Harness::new();
    let a = h
        .rest_raw(Method::PATCH, &cluster_path(DEMO), "{\"id\": ")
        .await;
    assert_eq!((a.status, a.body["code"].clone()), (400, json!(3)));
}

#[tokio::test]
async fn a_failed_patch_leaves_the_cluster_running_and_unchanged() {
    let h = Harness::new();
    let body = set_oidc(json!({"issuerUrl": "http://insecure.example.com", "clientId": "k"}));
    let a = h.rest(Method::PATCH, &cluster_path(DEMO), Some(body)).await;
    assert_eq!(rest_violations(&a.body), ["oidc.issuerUrl"]);
    let after = h.rest(Method::GET, &cluster_path(DEMO), None).await;
    assert_eq!(after.body["cluster"]["status"], "STATUS_RUNNING");
    assert!(after.body["cluster"].get("oidc").is_none());
}
