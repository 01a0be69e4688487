//! Per-cluster service-account issuer discovery: `/id/{clusterId}/.well-known/openid-configuration`
//! and its JWKS, served without auth as `oidc.cks.coreweave.com` does. Each cluster signs with
//! its own RSA key, generated the first time it is needed.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::model::issuer::issuer_url;
use crate::paths::{DISCOVERY_CONFIGURATION, DISCOVERY_JWKS};
use crate::state::SharedState;
use crate::wire::errors::RestError;

/// The discovery routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(DISCOVERY_CONFIGURATION, get(configuration))
        .route(DISCOVERY_JWKS, get(jwks))
}

async fn configuration(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, RestError> {
    state.known_cluster(&id)?;
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
    Ok(Json(state.cluster_issuer(&id)?.jwks()))
}
