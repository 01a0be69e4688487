//! `GET /v1beta1/auth/whoami` → `{"principal":{"uid","orgUid"}}`: the principal behind the
//! request's bearer token.

use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::bearers::Caller;
use crate::paths::WHOAMI;
use crate::state::SharedState;

/// The whoami route.
pub fn routes() -> Router<SharedState> {
    Router::new().route(WHOAMI, get(whoami))
}

async fn whoami(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    Json(json!({
        "principal": { "uid": caller.principal_uid, "orgUid": state.org_id }
    }))
}
