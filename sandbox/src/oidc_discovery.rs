//! Per-cluster service-account issuer discovery: `/id/{clusterId}/.well-known/openid-configuration`
//! and its JWKS, served without auth as `oidc.cks.coreweave.com` does.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::errors::{ApiError, RestError};
use crate::ids;
use crate::state::{AppState, SharedState};

/// Bytes in the (fake, deterministic) RSA modulus: a 2048-bit key.
const MODULUS_BYTES: usize = 256;

/// The discovery routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/id/:cluster_id/.well-known/openid-configuration",
            get(configuration),
        )
        .route("/id/:cluster_id/openid/v1/jwks", get(jwks))
}

fn known_cluster(state: &AppState, id: &str) -> Result<(), RestError> {
    if state.store().cluster_mut(id).is_some() {
        Ok(())
    } else {
        Err(ApiError::not_found("Cluster", id, format!("cluster {id:?} not found")).into())
    }
}

/// The issuer URL of a cluster as this sandbox serves it.
pub fn issuer_url(base_url: &str, cluster_id: &str) -> String {
    format!("{base_url}/id/{cluster_id}")
}

async fn configuration(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, RestError> {
    known_cluster(&state, &id)?;
    let issuer = issuer_url(&state.base_url, &id);
    Ok(Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/openid/v1/jwks"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })))
}

/// The deterministic key id and base64url modulus for a cluster.
pub fn key_for(cluster_id: &str) -> (String, String) {
    let mut modulus = ids::stream(&format!("jwks-n:{cluster_id}"), MODULUS_BYTES);
    modulus[0] |= 0x80;
    modulus[MODULUS_BYTES - 1] |= 1;
    let kid: String = ids::stream(&format!("jwks-kid:{cluster_id}"), 10)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (kid, URL_SAFE_NO_PAD.encode(modulus))
}

async fn jwks(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, RestError> {
    known_cluster(&state, &id)?;
    let (kid, n) = key_for(&id);
    Ok(Json(json!({
        "keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": n, "e": "AQAB"}],
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_2048_bit_and_distinct_per_cluster() {
        let (kid, n) = key_for("a");
        assert_eq!(key_for("a"), (kid.clone(), n.clone()));
        assert_ne!(key_for("b").1, n);
        assert_eq!(URL_SAFE_NO_PAD.decode(&n).unwrap().len(), 256);
        assert_eq!(kid.len(), 20);
    }
}
