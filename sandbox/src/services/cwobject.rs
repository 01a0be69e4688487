//! AI Object Storage organization access policies over REST: `/v1/cwobject/access-policy`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::policy::PolicyInput;
use crate::paths::{ACCESS_POLICIES, ACCESS_POLICY};
use crate::state::SharedState;
use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, FieldViolation, RestError};

type RestResult = Result<Json<Value>, RestError>;

/// The strict EnsureAccessPolicyRequest body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsureAccessPolicyRequest {
    policy: Option<PolicyInput>,
}

/// The policy routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(ACCESS_POLICIES, get(list).post(ensure))
        .route(ACCESS_POLICY, delete(remove))
}

async fn list(State(state): State<SharedState>) -> RestResult {
    let policies: Vec<Value> = state
        .store()
        .policies
        .iter()
        .map(|p| p.to_scrambled_json())
        .collect();
    Ok(Json(json!({ "policies": policies })))
}

async fn ensure(State(state): State<SharedState>, body: Bytes) -> RestResult {
    let req: EnsureAccessPolicyRequest = parse_json(&body)?;
    let input = req
        .policy
        .ok_or_else(|| ApiError::invalid(vec![FieldViolation::required("policy")]))?;
    let policy = input.into_policy("policy").map_err(ApiError::invalid)?;
    let mut store = state.store();
    match store.policies.iter_mut().find(|p| p.name == policy.name) {
        Some(existing) => *existing = policy,
        None => store.policies.push(policy),
    }
    Ok(Json(json!({})))
}

async fn remove(State(state): State<SharedState>, Path(name): Path<String>) -> RestResult {
    let mut store = state.store();
    let index = store
        .policies
        .iter()
        .position(|p| p.name == name)
        .ok_or_else(|| {
            ApiError::not_found(
                "AccessPolicy",
                &name,
                format!("access policy {name:?} not found"),
            )
        })?;
    store.policies.remove(index);
    Ok(Json(json!({})))
}
