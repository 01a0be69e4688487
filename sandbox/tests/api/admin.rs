use std::time::Duration;

use axum::http::Method;
use serde_json::json;

use crate::support::{Harness, DEMO, WIF};

#[tokio::test]
async fn the_request_log_lists_api_requests_in_order_with_their_status() {
    let h = Harness::with(|c| c.fault_every = 3);
    h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    h.send(Method::GET, "/v1beta1/cks/clusters", None, None, None)
        .await;
    h.rest(Method::GET, "/v1beta1/cks/clusters/x", None).await;
    h.connect("ListOIDCConfigs", json!({})).await;
    h.admin(Method::GET, "/state", None).await;
    h.send(
        Method::GET,
        &format!("/id/{DEMO}/openid/v1/jwks"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(
        h.log().await,
        [
            "GET /v1beta1/cks/clusters 200".to_string(),
            "GET /v1beta1/cks/clusters 401".to_string(),
            "GET /v1beta1/cks/clusters/x 429".to_string(),
            format!("POST {WIF}/ListOIDCConfigs 200"),
        ]
    );
}

#[tokio::test]
async fn deleting_the_request_log_clears_it() {
    let h = Harness::new();
    h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    let a = h.admin(Method::DELETE, "/requests", None).await;
    assert_eq!(a.status, 200);
    assert!(h.log().await.is_empty());
}

#[tokio::test]
async fn the_state_snapshot_holds_every_resource_kind() {
    let h = Harness::new();
    h.connect(
        "CreateOIDCConfig",
        json!({"name": "n", "issuerUrl": "https://x.example.com", "audience": "a"}),
    )
    .await;
    let a = h.admin(Method::GET, "/state", None).await;
    assert_eq!(a.body["clusters"].as_array().unwrap().len(), 3);
    assert_eq!(a.body["policies"], json!([]));
    assert_eq!(a.body["oidcConfigs"][0]["name"], "n");
}

#[tokio::test]
async fn posting_a_cluster_inserts_it_running_by_default() {
    let h = Harness::new();
    let a = h
        .admin(
            Method::POST,
            "/clusters",
            Some(json!({"id": "new", "name": "demo", "zone": "US-WEST-01A", "version": "1.32"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let got = h.rest(Method::GET, "/v1beta1/cks/clusters/new", None).await;
    assert_eq!(got.body["cluster"]["status"], "STATUS_RUNNING");
    assert_eq!(got.body["cluster"]["zone"], "US-WEST-01A");
}

#[tokio::test]
async fn posting_a_cluster_with_an_existing_id_replaces_it() {
    let h = Harness::new();
    h.admin(
        Method::POST,
        "/clusters",
        Some(json!({"id": DEMO, "name": "renamed", "version": "1.31", "status": "STATUS_FAILED"})),
    )
    .await;
    let got = h
        .rest(Method::GET, &format!("/v1beta1/cks/clusters/{DEMO}"), None)
        .await;
    assert_eq!(got.body["cluster"]["name"], "renamed");
    assert_eq!(got.body["cluster"]["status"], "STATUS_FAILED");
    assert_eq!(h.state.store().clusters.len(), 3);
}

#[tokio::test]
async fn posting_a_cluster_with_unknown_fields_is_rejected() {
    let h = Harness::new();
    let a = h
        .admin(
            Method::POST,
            "/clusters",
            Some(json!({"id": "x", "colour": "red"})),
        )
        .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn a_forced_status_with_for_ms_reverts_to_running() {
    let h = Harness::new();
    let a = h
        .admin(
            Method::PUT,
            &format!("/clusters/{DEMO}/status"),
            Some(json!({"status": "STATUS_UPDATING", "forMs": 80})),
        )
        .await;
    assert_eq!(a.body["cluster"]["status"], "STATUS_UPDATING");
    h.admin(
        Method::POST,
        "/clock",
        Some(json!({"advance_seconds": 0.08})),
    )
    .await;
    let got = h
        .rest(Method::GET, &format!("/v1beta1/cks/clusters/{DEMO}"), None)
        .await;
    assert_eq!(got.body["cluster"]["status"], "STATUS_RUNNING");
}

#[tokio::test]
async fn a_forced_status_without_for_ms_stays() {
    let h = Harness::new();
    h.admin(
        Method::PUT,
        &format!("/clusters/{DEMO}/status"),
        Some(json!({"status": "STATUS_FAILED"})),
    )
    .await;
    let patch = h
        .rest(
            Method::PATCH,
            &format!("/v1beta1/cks/clusters/{DEMO}"),
            Some(json!({"id": DEMO, "version": "1.32", "updateMask": "public"})),
        )
        .await;
    assert_eq!(patch.body["code"], 9);
    assert_eq!(
        patch.body["details"][0]["violations"][0]["description"],
        "cluster is STATUS_FAILED"
    );
}

#[tokio::test]
async fn forcing_the_status_of_an_unknown_cluster_is_not_found() {
    let h = Harness::new();
    let a = h
        .admin(
            Method::PUT,
            "/clusters/ghost/status",
            Some(json!({"status": "STATUS_FAILED"})),
        )
        .await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn the_update_duration_changes_at_runtime() {
    let h = Harness::new();
    h.admin(Method::PUT, "/config", Some(json!({"updateDurationMs": 0})))
        .await;
    h.rest(
        Method::PATCH,
        &format!("/v1beta1/cks/clusters/{DEMO}"),
        Some(json!({"id": DEMO, "version": "1.32", "updateMask": "public"})),
    )
    .await;
    let got = h
        .rest(Method::GET, &format!("/v1beta1/cks/clusters/{DEMO}"), None)
        .await;
    assert_eq!(got.body["cluster"]["status"], "STATUS_RUNNING");
}

#[tokio::test]
async fn get_config_reports_the_current_settings() {
    let h = Harness::with(|c| c.latency_ms = 7);
    let a = h.admin(Method::GET, "/config", None).await;
    assert_eq!(
        a.body,
        json!({"faultEvery": 0, "latencyMs": 7, "updateDurationMs": 2000, "loseWriteAnswers": 0, "loseS3WriteAnswers": 0, "bearerLifetimeSeconds": 28800, "busyPatches": 0})
    );
}

#[tokio::test]
async fn the_request_log_keeps_the_newest_requests_and_counts_those_it_dropped() {
    let h = Harness::with(|c| c.request_log_capacity = 3);
    for id in ["a", "b", "c", "d", "e"] {
        h.rest(Method::GET, &format!("/v1beta1/cks/clusters/{id}"), None)
            .await;
    }
    let paths: Vec<String> = h.log().await;
    assert_eq!(
        paths,
        ["c", "d", "e"].map(|id| format!("GET /v1beta1/cks/clusters/{id} 404"))
    );
    let a = h.admin(Method::GET, "/requests", None).await;
    assert_eq!(a.body["dropped"], 2, "{}", a.body);
    h.admin(Method::DELETE, "/requests", None).await;
    let a = h.admin(Method::GET, "/requests", None).await;
    assert_eq!(a.body, json!({"requests": [], "dropped": 0}));
}

/// An admin request as a web page's browser would send it.
async fn from_a_page(
    h: &Harness,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> u16 {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(format!("/_sandbox{path}"));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let req = req.body(axum::body::Body::from(body.to_string())).unwrap();
    h.request(req).await.status
}

#[tokio::test]
async fn a_web_page_can_neither_write_through_nor_read_the_admin_api() {
    let h = Harness::new();
    let bucket = r#"{"name": "planted", "objects": {"x": "from a web page"}}"#;
    // A `text/plain` POST needs no CORS preflight: the browser sends it as it is.
    let simple = from_a_page(
        &h,
        Method::POST,
        "/buckets",
        &[
            ("host", "127.0.0.1:8089"),
            ("origin", "https://evil.example"),
            ("content-type", "text/plain"),
        ],
        bucket,
    )
    .await;
    assert_eq!(simple, 403);
    let plain_text = from_a_page(
        &h,
        Method::POST,
        "/buckets",
        &[("host", "127.0.0.1:8089"), ("content-type", "text/plain")],
        bucket,
    )
    .await;
    assert_eq!(plain_text, 415);
    // DNS rebinding: the page's own name resolves to the sandbox, and the page reads.
    let rebound = from_a_page(
        &h,
        Method::GET,
        "/bearers",
        &[("host", "evil.example:8089")],
        "",
    )
    .await;
    assert_eq!(rebound, 403);
    let planted = h
        .admin(Method::GET, "/buckets/planted/objects/x", None)
        .await;
    assert_eq!(planted.status, 404, "nothing was written: {}", planted.body);
    let by_script = from_a_page(
        &h,
        Method::POST,
        "/buckets",
        &[
            ("host", "localhost:8089"),
            ("content-type", "application/json"),
        ],
        bucket,
    )
    .await;
    assert_eq!(
        by_script, 200,
        "a script on this machine still seeds buckets"
    );
}

#[tokio::test]
async fn the_clock_moves_forward_when_told_and_says_the_time_it_reads() {
    let h = Harness::new();
    let a = h
        .admin(
            Method::POST,
            "/clock",
            Some(json!({"advance_seconds": 7200})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["advanced_seconds"], 7200.0);
    let now = a.body["now"].as_str().unwrap();
    let an_hour_ahead = coreweave_sandbox::time::format_rfc3339(
        std::time::SystemTime::now() + Duration::from_secs(3600),
    );
    assert!(now > an_hour_ahead.as_str(), "{now} vs {an_hour_ahead}");
    let refused = h
        .admin(Method::POST, "/clock", Some(json!({"advance_seconds": -1})))
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
}
