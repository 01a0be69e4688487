use axum::http::Method;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

use crate::support::{rest_violations, Harness, DEMO, WITH_OIDC};

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
async fn the_jwks_holds_the_clusters_one_rsa_key() {
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

async fn mint(h: &Harness, body: Value) -> crate::support::Answer {
    h.admin(Method::POST, "/tokens", Some(body)).await
}

#[tokio::test]
async fn a_minted_token_verifies_against_the_jwks_named_by_discovery() {
    let h = Harness::new();
    let a = mint(
        &h,
        json!({"clusterId": DEMO, "serviceAccount": "default/my-sa", "audience": "aud",
               "ttlSeconds": 600}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let token = a.body["token"].as_str().unwrap();
    let discovery = h
        .send(
            Method::GET,
            &format!("/id/{DEMO}/.well-known/openid-configuration"),
            None,
            None,
            None,
        )
        .await;
    let jwks_path = discovery.body["jwks_uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://127.0.0.1:8080")
        .to_string();
    let jwks = h.send(Method::GET, &jwks_path, None, None, None).await.body;
    let key = &jwks["keys"][0];
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["aud"]);
    let claims: Value = jsonwebtoken::decode(token, &decoding, &validation)
        .unwrap()
        .claims;
    assert_eq!(
        claims["iss"],
        format!("https://oidc.cks.coreweave.com/id/{DEMO}")
    );
    assert_eq!(claims["sub"], "system:serviceaccount:default:my-sa");
    assert_eq!(claims["aud"], json!(["aud"]));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        600
    );
    assert_eq!(claims["kubernetes.io"]["namespace"], "default");
    assert_eq!(claims["kubernetes.io"]["serviceaccount"]["name"], "my-sa");
}

#[tokio::test]
async fn each_cluster_signs_with_its_own_key() {
    let h = Harness::new();
    let kid = |jwks: &Value| jwks["keys"][0]["kid"].clone();
    let jwks = |id: &'static str| {
        let h = &h;
        async move {
            h.send(
                Method::GET,
                &format!("/id/{id}/openid/v1/jwks"),
                None,
                None,
                None,
            )
            .await
            .body
        }
    };
    assert_ne!(kid(&jwks(DEMO).await), kid(&jwks(WITH_OIDC).await));
}

#[tokio::test]
async fn token_requests_are_checked() {
    let h = Harness::new();
    let a = mint(
        &h,
        json!({"clusterId": "ghost", "serviceAccount": "ns/sa", "audience": "a"}),
    )
    .await;
    assert_eq!(a.status, 404, "{}", a.body);
    let a = mint(
        &h,
        json!({"clusterId": DEMO, "serviceAccount": "sa", "audience": "a"}),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(rest_violations(&a.body), ["serviceAccount"]);
    let a = mint(
        &h,
        json!({"clusterId": DEMO, "serviceAccount": "ns/sa", "audience": "a", "extra": 1}),
    )
    .await;
    assert_eq!(a.status, 400);
}
