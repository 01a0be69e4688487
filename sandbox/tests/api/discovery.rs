use axum::http::Method;
use serde_json::json;

use crate::support::{Harness, DEMO};

#[tokio::test]
async fn the_discovery_document_names_the_sandbox_issuer() {
    let h = Harness::new();
    let a = h
        .send(
            Method::GET,
            &format!("/id/{DEMO}/.well-known/openid-configuration"),
            None,
            None,
            None,
        )
        .await;
    let issuer = format!("http://127.0.0.1:8080/id/{DEMO}");
    assert_eq!(
        a.body,
        json!({"issuer": issuer, "jwks_uri": format!("{issuer}/openid/v1/jwks"),
               "response_types_supported": ["id_token"],
               "subject_types_supported": ["public"],
               "id_token_signing_alg_values_supported": ["RS256"]})
    );
}

#[tokio::test]
async fn the_jwks_holds_one_deterministic_rsa_key() {
    let h = Harness::new();
    let path = format!("/id/{DEMO}/openid/v1/jwks");
    let a = h.send(Method::GET, &path, None, None, None).await;
    let key = &a.body["keys"][0];
    assert_eq!(a.body["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            key["kty"].clone(),
            key["alg"].clone(),
            key["use"].clone(),
            key["e"].clone()
        ),
        (json!("RSA"), json!("RS256"), json!("sig"), json!("AQAB"))
    );
    let again = h.send(Method::GET, &path, None, None, None).await;
    assert_eq!(again.body, a.body);
}

#[tokio::test]
async fn discovery_for_an_unknown_cluster_is_not_found() {
    let h = Harness::new();
    let a = h
        .send(
            Method::GET,
            "/id/ghost/.well-known/openid-configuration",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(a.status, 404);
}
