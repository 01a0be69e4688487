//! CKS ClusterService over REST: `/v1beta1/cks/clusters[/{id}]`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::model::cluster::ClusterStatus;
use crate::model::cluster_update::UpdateClusterRequest;
use crate::paths::{CLUSTER, CLUSTERS};
use crate::state::SharedState;
use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, Code, Detail, RestError};

type RestResult = Result<Json<Value>, RestError>;

/// The CKS routes.
pub fn routes() -> axum::Router<SharedState> {
    Router::new()
        .route(CLUSTERS, get(list).post(create))
        .route(CLUSTER, get(get_one).patch(update).delete(delete))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("Cluster", id, format!("cluster {id:?} not found"))
}

async fn list(State(state): State<SharedState>) -> RestResult {
    let now = state.clock.instant();
    let items: Vec<Value> = state
        .store()
        .clusters
        .iter()
        .map(|c| c.to_json(now))
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn create() -> RestResult {
    Err(ApiError::new(
        Code::Unimplemented,
        "CreateCluster is not supported by coreweave-sandbox: seed clusters with --seed or \
         POST /_sandbox/clusters",
    )
    .into())
}

async fn get_one(State(state): State<SharedState>, Path(id): Path<String>) -> RestResult {
    let mut store = state.store();
    let cluster = store.cluster_mut(&id).ok_or_else(|| not_found(&id))?;
    Ok(Json(
        json!({ "cluster": cluster.to_json(state.clock.instant()) }),
    ))
}

async fn delete(State(state): State<SharedState>, Path(id): Path<String>) -> RestResult {
    let mut store = state.store();
    let index = store
        .clusters
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| not_found(&id))?;
    let mut cluster = store.clusters.remove(index);
    cluster.status = ClusterStatus::Deleting;
    cluster.status_until = None;
    Ok(Json(
        json!({ "cluster": cluster.to_json(state.clock.instant()) }),
    ))
}

async fn update(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    body: Bytes,
) -> RestResult {
    let req: UpdateClusterRequest = parse_json(&body)?;
    let paths = req.plan(&id)?;
    let now = state.clock.instant();
    let mut store = state.store();
    let cluster = store.cluster_mut(&id).ok_or_else(|| not_found(&id))?;
    req.check_version(cluster)?;
    let status = match cluster.status_at(now) {
        ClusterStatus::Running if state.settings.take_busy_patch() => ClusterStatus::Updating,
        status => status,
    };
    if status != ClusterStatus::Running {
        return Err(ApiError::new(
            Code::FailedPrecondition,
            format!(
                "cluster {id:?} is {}; it can be updated only when STATUS_RUNNING",
                status.name()
            ),
        )
        .with(Detail::PreconditionFailure {
            kind: "STATE".into(),
            subject: format!("clusters/{id}"),
            description: format!("cluster is {}", status.name()),
        })
        .into());
    }
    let mut updated = req.apply(cluster, &paths)?;
    updated.status = ClusterStatus::Updating;
    updated.status_until = Some(now + state.settings.update_duration());
    updated.updated_at = state.clock.now_rfc3339();
    *cluster = updated;
    let mut shown = cluster.to_json(now);
    shown["status"] = ClusterStatus::Updating.name().into();
    Ok(Json(json!({ "cluster": shown })))
}
