use std::time::{Duration, Instant};

use axum::http::Method;
use serde_json::json;

use crate::support::{Harness, DEMO};

#[tokio::test]
async fn every_nth_request_is_refused_alternately_with_429_and_503() {
    let h = Harness::with(|c| c.fault_every = 2);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            h.rest(Method::GET, "/v1beta1/cks/clusters", None)
                .await
                .status,
        );
    }
    assert_eq!(statuses, [200, 429, 200, 503, 200, 429]);
}

#[tokio::test]
async fn a_rate_limited_answer_says_retry_after_zero_with_resource_exhausted() {
    let h = Harness::with(|c| c.fault_every = 1);
    let a = h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.headers["retry-after"], "0");
    assert_eq!(a.body["code"], 8);
    let b = h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    assert_eq!((b.status, b.body["code"].clone()), (503, json!(14)));
}

#[tokio::test]
async fn faults_on_connect_routes_use_connect_codes() {
    let h = Harness::with(|c| c.fault_every = 1);
    let a = h.connect("ListOIDCConfigs", json!({})).await;
    assert_eq!(
        (a.status, a.body["code"].clone()),
        (429, json!("resource_exhausted"))
    );
    let b = h.connect("ListOIDCConfigs", json!({})).await;
    assert_eq!(
        (b.status, b.body["code"].clone()),
        (503, json!("unavailable"))
    );
}

#[tokio::test]
async fn a_faulted_request_is_not_processed() {
    let h = Harness::with(|c| c.fault_every = 1);
    let a = h
        .rest(
            Method::DELETE,
            &format!("/v1beta1/cks/clusters/{DEMO}"),
            None,
        )
        .await;
    assert_eq!(a.status, 429);
    assert_eq!(h.state.store().clusters.len(), 3);
}

#[tokio::test]
async fn admin_and_discovery_requests_are_not_counted() {
    let h = Harness::with(|c| c.fault_every = 2);
    h.admin(Method::GET, "/state", None).await;
    h.send(
        Method::GET,
        &format!("/id/{DEMO}/openid/v1/jwks"),
        None,
        None,
        None,
    )
    .await;
    let first = h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    assert_eq!(first.status, 200);
}

#[tokio::test]
async fn latency_delays_every_api_response() {
    let h = Harness::with(|c| c.latency_ms = 120);
    let started = Instant::now();
    h.rest(Method::GET, "/v1beta1/cks/clusters", None).await;
    assert!(started.elapsed() >= Duration::from_millis(120));
}

#[tokio::test]
async fn fault_settings_change_at_runtime() {
    let h = Harness::new();
    let a = h
        .admin(Method::PUT, "/config", Some(json!({"faultEvery": 1})))
        .await;
    assert_eq!(a.body["faultEvery"], 1);
    assert_eq!(
        h.rest(Method::GET, "/v1beta1/cks/clusters", None)
            .await
            .status,
        429
    );
    h.admin(Method::PUT, "/config", Some(json!({"faultEvery": 0})))
        .await;
    assert_eq!(
        h.rest(Method::GET, "/v1beta1/cks/clusters", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_lost_write_answer_is_a_502_after_the_write_took_effect() {
    let h = Harness::new();
    h.admin(Method::PUT, "/config", Some(json!({"loseWriteAnswers": 1})))
        .await;
    let body = json!({"name": "lost", "issuerUrl": "https://oidc.example.com", "audience": "a"});
    let lost = h.connect("CreateOIDCConfig", body.clone()).await;
    assert_eq!(lost.status, 502);
    let list = h.connect("ListOIDCConfigs", json!({})).await;
    assert_eq!(
        list.body["configs"][0]["name"], "lost",
        "the create took effect"
    );
    let again = h.connect("CreateOIDCConfig", body).await;
    assert_eq!(
        again.status, 409,
        "only one answer is lost, and reads never are"
    );
}
