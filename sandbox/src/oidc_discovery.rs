//! Per-cluster service-account issuer discovery: `/id/{clusterId}/.well-known/openid-configuration`
//! and its JWKS, served without auth as `oidc.cks.coreweave.com` does. Each cluster signs with
//! its own RSA key, generated the first time it is needed.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::errors::{ApiError, Code, RestError};
use crate::signing::Issuer;
use crate::state::{AppState, SharedState};

/// The discovery routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/id/:cluster_id/.well-known/openid-configuration",
            get(configuration),
        )
        .route("/id/:cluster_id/openid/v1/jwks", get(jwks))
}

fn known_cluster(state: &AppState, id: &str) -> Result<(), ApiError> {
    if state.store().cluster_mut(id).is_some() {
        Ok(())
    } else {
        Err(ApiError::not_found(
            "Cluster",
            id,
            format!("cluster {id:?} not found"),
        ))
    }
}

/// Where CKS serves cluster issuers, and what the provider computes issuer URLs from by default.
pub const CKS_ISSUER_BASE_URL: &str = "https://oidc.cks.coreweave.com";

/// The cluster id of a cluster issuer URL `<base>/id/<cluster id>`, where `<base>` is CKS's
/// issuer base (what tokens carry by default) or this sandbox's `base_url` (what its discovery
/// documents declare). Both name the same cluster key.
pub fn cluster_of_issuer<'a>(base_url: &str, issuer: &'a str) -> Option<&'a str> {
    [CKS_ISSUER_BASE_URL, base_url]
        .iter()
        .find_map(|base| issuer.strip_prefix(base)?.strip_prefix("/id/"))
        .filter(|id| !id.is_empty() && !id.contains('/'))
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

async fn jwks(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, RestError> {
    Ok(Json(cluster_issuer(&state, &id)?.jwks()))
}

/// The signing issuer of cluster `id` (its key is generated on first use).
pub fn cluster_issuer(state: &AppState, id: &str) -> Result<Arc<Issuer>, ApiError> {
    known_cluster(state, id)?;
    state
        .keys
        .issuer(&issuer_url(&state.base_url, id))
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_come_back_from_issuer_urls() {
        let base = "http://127.0.0.1:1";
        assert_eq!(cluster_of_issuer(base, &issuer_url(base, "c1")), Some("c1"));
        let cks = issuer_url(CKS_ISSUER_BASE_URL, "c2");
        assert_eq!(cluster_of_issuer(base, &cks), Some("c2"));
        assert_eq!(cluster_of_issuer(base, "http://127.0.0.1:1/id/"), None);
        assert_eq!(cluster_of_issuer(base, "http://127.0.0.1:1/id/c1/x"), None);
        assert_eq!(cluster_of_issuer(base, "https://elsewhere/id/c1"), None);
    }
}
