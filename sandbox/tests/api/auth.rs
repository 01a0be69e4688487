use axum::http::Method;

use crate::support::{Harness, DEMO, TOKEN, WIF};

#[tokio::test]
async fn rest_routes_without_a_token_are_unauthenticated() {
    let h = Harness::new();
    let a = h
        .send(Method::GET, "/v1beta1/cks/clusters", None, None, None)
        .await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body["code"], 16);
}

#[tokio::test]
async fn a_wrong_token_is_rejected_without_being_echoed() {
    let h = Harness::new();
    let a = h
        .send(
            Method::GET,
            "/v1/cwobject/access-policy",
            Some("not-the-token"),
            None,
            None,
        )
        .await;
    assert_eq!(a.status, 401);
    assert!(!a.body.to_string().contains("not-the-token"));
    assert!(!a.body.to_string().contains(TOKEN));
}

#[tokio::test]
async fn connect_routes_without_a_token_answer_in_connect_format() {
    let h = Harness::new();
    let a = h
        .send(
            Method::POST,
            &format!("{WIF}/ListOIDCConfigs"),
            None,
            Some("application/json"),
            Some("{}".into()),
        )
        .await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body["code"], "unauthenticated");
}

#[tokio::test]
async fn unauthenticated_requests_change_nothing() {
    let h = Harness::new();
    let a = h
        .send(
            Method::DELETE,
            &format!("/v1beta1/cks/clusters/{DEMO}"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(a.status, 401);
    assert_eq!(h.state.store().clusters.len(), 3);
}

#[tokio::test]
async fn admin_and_discovery_routes_need_no_token() {
    let h = Harness::new();
    assert_eq!(h.admin(Method::GET, "/state", None).await.status, 200);
    let a = h
        .send(
            Method::GET,
            &format!("/id/{DEMO}/.well-known/openid-configuration"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn whoami_names_the_token_principal_and_the_organization() {
    let h = Harness::with(|c| c.org_id = "org-from-seed".into());
    let a = h
        .send(Method::GET, "/v1beta1/auth/whoami", Some(TOKEN), None, None)
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body,
        serde_json::json!({"principal": {"uid": "sandbox-user", "orgUid": "org-from-seed"}})
    );
    let a = h
        .send(Method::GET, "/v1beta1/auth/whoami", None, None, None)
        .await;
    assert_eq!(a.status, 401);
}
