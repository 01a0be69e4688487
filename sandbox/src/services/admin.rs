//! The test admin API under `/_sandbox` (no auth, not logged): request log, state snapshot,
//! cluster seeding and status forcing, runtime settings, service-account and CI tokens, the
//! token exchange's bearers, the endpoints' URLs, the clock; the S3 routes are in [`super::s3::admin`].

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::cluster::{ClusterInput, ClusterStatus};
use crate::model::oidc_config::OidcConfig;
use crate::model::sa_token::{self, TokenRequest};
use crate::model::service_account::{self, CiTokenRequest};
use crate::paths::ADMIN;
use crate::services::s3;
use crate::state::SharedState;
use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, RestError};

type AdminResult = Result<Json<Value>, RestError>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct StatusRequest {
    status: Value,
    for_ms: Option<u64>,
}

/// `POST /_sandbox/clock`: how far to move the sandbox's clock forward.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    advance_seconds: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ConfigRequest {
    fault_every: Option<u64>,
    latency_ms: Option<u64>,
    update_duration_ms: Option<u64>,
    lose_write_answers: Option<u64>,
    lose_s3_write_answers: Option<u64>,
    bearer_lifetime_seconds: Option<u64>,
    busy_patches: Option<u64>,
}

/// The admin routes.
pub fn routes() -> Router<SharedState> {
    let path = |rest: &str| format!("{ADMIN}{rest}");
    Router::new()
        .route(&path("/requests"), get(requests).delete(clear_requests))
        .route(&path("/state"), get(snapshot))
        .route(&path("/clusters"), post(put_cluster))
        .route(&path("/clusters/:id/status"), put(force_status))
        .route(&path("/config"), get(config).put(set_config))
        .route(&path("/tokens"), post(mint_token))
        .route(&path("/ci-tokens"), post(mint_ci_token))
        .route(&path("/bearers"), get(bearers))
        .route(&path("/clock"), post(advance_clock))
        .merge(super::idp::admin_routes())
        .merge(super::endpoints::routes())
        .merge(s3::admin::routes())
}

async fn mint_token(State(state): State<SharedState>, body: Bytes) -> AdminResult {
    let request: TokenRequest = parse_json(&body)?;
    let token = sa_token::mint(request, state.clock.now_unix(), |id| {
        state.cluster_issuer(id)
    })?;
    Ok(Json(json!({ "token": token })))
}

async fn mint_ci_token(State(state): State<SharedState>, body: Bytes) -> AdminResult {
    let request: CiTokenRequest = parse_json(&body)?;
    let token = service_account::mint_ci_token(&state.keys, request, state.clock.now_unix())?;
    Ok(Json(json!({ "token": token })))
}

async fn bearers(State(state): State<SharedState>) -> AdminResult {
    Ok(Json(json!({ "bearers": state.bearers.all() })))
}

async fn requests(State(state): State<SharedState>) -> AdminResult {
    Ok(Json(
        json!({ "requests": state.log.snapshot(), "dropped": state.log.dropped() }),
    ))
}

async fn clear_requests(State(state): State<SharedState>) -> AdminResult {
    state.log.clear();
    Ok(Json(json!({})))
}

async fn snapshot(State(state): State<SharedState>) -> AdminResult {
    let now = state.clock.instant();
    let store = state.store();
    Ok(Json(json!({
        "clusters": store.clusters.iter().map(|c| c.to_json(now)).collect::<Vec<_>>(),
        "policies": store.policies.iter().map(|p| p.to_json()).collect::<Vec<_>>(),
        "oidcConfigs": store.oidc_configs.iter().map(OidcConfig::to_json).collect::<Vec<_>>(),
        "serviceAccounts": store.service_accounts,
        "issuerKeyFetches": state.issuer_keys.fetches(),
    })))
}

async fn put_cluster(State(state): State<SharedState>, body: Bytes) -> AdminResult {
    let input: ClusterInput = parse_json(&body)?;
    let cluster = input
        .into_cluster(&state.clock.now_rfc3339())
        .map_err(ApiError::invalid)?;
    let shown = cluster.to_json(state.clock.instant());
    state.store().upsert_cluster(cluster);
    Ok(Json(json!({ "cluster": shown })))
}

async fn force_status(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    body: Bytes,
) -> AdminResult {
    let req: StatusRequest = parse_json(&body)?;
    let status = ClusterStatus::from_json(&req.status).ok_or_else(|| {
        ApiError::invalid_field(
            "status",
            format!("invalid value {} for enum Cluster.Status", req.status),
        )
    })?;
    let now = state.clock.instant();
    let mut store = state.store();
    let cluster = store
        .cluster_mut(&id)
        .ok_or_else(|| ApiError::not_found("Cluster", &id, format!("cluster {id:?} not found")))?;
    cluster.status = status;
    cluster.status_until = req.for_ms.map(|ms| now + Duration::from_millis(ms));
    Ok(Json(json!({ "cluster": cluster.to_json(now) })))
}

/// Moves the sandbox's clock forward (token, credential and bearer expiry, cluster update
/// cycles) and answers the time it now reads.
async fn advance_clock(State(state): State<SharedState>, body: Bytes) -> AdminResult {
    let req: ClockRequest = parse_json(&body)?;
    let by = Duration::try_from_secs_f64(req.advance_seconds).map_err(|_| {
        ApiError::invalid_field("advance_seconds", "must be a number of seconds, 0 or more")
    })?;
    state.clock.advance(by);
    Ok(Json(json!({
        "now": state.clock.now_rfc3339(),
        "advanced_seconds": state.clock.advanced().as_secs_f64(),
    })))
}

async fn config(State(state): State<SharedState>) -> AdminResult {
    Ok(Json(state.settings.to_json()))
}

async fn set_config(State(state): State<SharedState>, body: Bytes) -> AdminResult {
    let req: ConfigRequest = parse_json(&body)?;
    if let Some(n) = req.fault_every {
        state.settings.set_fault_every(n);
    }
    if let Some(ms) = req.latency_ms {
        state.settings.set_latency_ms(ms);
    }
    if let Some(ms) = req.update_duration_ms {
        state.settings.set_update_duration_ms(ms);
    }
    if let Some(n) = req.busy_patches {
        state.settings.set_busy_patches(n);
    }
    if let Some(n) = req.lose_write_answers {
        state.settings.set_lose_write_answers(n);
    }
    if let Some(n) = req.lose_s3_write_answers {
        state.settings.set_lose_s3_write_answers(n);
    }
    if let Some(seconds) = req.bearer_lifetime_seconds {
        state.settings.set_bearer_lifetime_seconds(seconds);
    }
    Ok(Json(state.settings.to_json()))
}
