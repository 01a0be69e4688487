//! Who is calling: the principal behind a request's bearer token, and
//! `GET /v1beta1/auth/whoami` → `{"principal":{"uid","orgUid"}}`.

use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::state::SharedState;

/// Principal uid of the sandbox's static API token.
pub const TOKEN_PRINCIPAL_UID: &str = "sandbox-user";

/// The authenticated principal of an API request (the gate adds it to the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Uid of the user or service account.
    pub principal_uid: String,
}

/// The whoami route.
pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1beta1/auth/whoami", get(whoami))
}

async fn whoami(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    Json(json!({
        "principal": { "uid": caller.principal_uid, "orgUid": state.org_id }
    }))
}
