//! AI Object Storage over REST: organization access policies (`/v1/cwobject/access-policy`)
//! and CreateAccessKeyFromJWT (`POST /v1/cwobject/access-key`: an S3 key for the caller).

use axum::body::Bytes;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::bearers::Caller;
use crate::model::credentials::KeyRequest;
use crate::model::policy::PolicyInput;
use crate::paths::{ACCESS_KEY, ACCESS_POLICIES, ACCESS_POLICY};
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

/// The strict CreateAccessKeyFromJWT body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateAccessKeyRequest {
    #[serde(alias = "duration_seconds")]
    duration_seconds: Option<u32>,
}

/// The policy and access-key routes.
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(ACCESS_POLICIES, get(list).post(ensure))
        .route(ACCESS_POLICY, delete(remove))
        .route(ACCESS_KEY, post(create_access_key))
}

/// A key for the caller's principal `coreweave/<uid>`; `durationSeconds` 0 (or absent) is a
/// permanent key. Its S3 calls are decided by the org policies for that principal.
async fn create_access_key(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> RestResult {
    let req: CreateAccessKeyRequest = parse_json(&body)?;
    let duration = u64::from(req.duration_seconds.unwrap_or(0));
    let now = state.clock.now();
    let request = KeyRequest {
        id_prefix: "CWKEY",
        principal: format!("coreweave/{}", caller.principal_uid),
        org_id: state.org_id.clone(),
        expires_at: (duration > 0).then(|| now + Duration::from_secs(duration)),
        with_session_token: false,
    };
    let key = state
        .credentials
        .issue(request, now)
        .map_err(ApiError::from)?;
    Ok(Json(json!({
        "accessKeyId": key.access_key_id,
        "secretKey": key.secret_key,
        "principalName": key.principal,
        "expiry": key.expiry_rfc3339(),
    })))
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
