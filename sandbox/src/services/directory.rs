//! The directory's `ServiceAccountOidcAuth` (reference §4b): a CI system's OIDC token that a
//! service account's trust accepts is exchanged for a short-lived bearer token of that service
//! account, which the API then accepts like the static token.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::service_account::{CiClaims, DEFAULT_LIFETIME_SECONDS, MAX_LIFETIME_SECONDS};
use crate::paths::EXCHANGE_PATH;
use crate::state::SharedState;
use crate::time::format_rfc3339;
use crate::wire::connect::unary;
use crate::wire::errors::{ApiError, Code, FieldViolation};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AuthRequest {
    #[serde(alias = "oidc_token")]
    oidc_token: Option<String>,
    #[serde(alias = "service_account_uid")]
    service_account_uid: Option<String>,
    #[serde(alias = "duration_seconds")]
    duration_seconds: Option<Value>,
}

/// The exchange route (anonymous: the CI token is the credential).
pub fn routes() -> Router<SharedState> {
    Router::new().route(EXCHANGE_PATH, post(exchange))
}

async fn exchange(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    unary(&headers, &body, |req: AuthRequest| {
        authenticate(&state, req)
    })
}

/// `durationSeconds`: an int64, as protojson sends it (a string) or as a number.
fn duration_seconds(value: Option<Value>) -> Result<u64, ApiError> {
    let seconds = match &value {
        None | Some(Value::Null) => return Ok(DEFAULT_LIFETIME_SECONDS),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    };
    match seconds {
        Some(s) if s > 0 => Ok(u64::try_from(s).unwrap_or(u64::MAX)),
        _ => Err(ApiError::invalid_field(
            "duration_seconds",
            format!(
                "must be a positive int64, got {}",
                value.unwrap_or(Value::Null)
            ),
        )),
    }
}

fn authenticate(state: &SharedState, req: AuthRequest) -> Result<Value, ApiError> {
    let mut missing = Vec::new();
    let token = req.oidc_token.filter(|t| !t.is_empty());
    let uid = req.service_account_uid.filter(|u| !u.is_empty());
    if token.is_none() {
        missing.push(FieldViolation::required("oidc_token"));
    }
    if uid.is_none() {
        missing.push(FieldViolation::required("service_account_uid"));
    }
    let (Some(token), Some(uid)) = (token, uid) else {
        return Err(ApiError::invalid(missing));
    };
    let requested = duration_seconds(req.duration_seconds)?;
    let account = state
        .store()
        .service_accounts
        .iter()
        .find(|a| a.uid == uid)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(
                "ServiceAccount",
                &uid,
                format!("service account {uid:?} not found"),
            )
        })?;
    let issuer = state
        .keys
        .issuer(&account.trust.issuer)
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
    if let Some(fix) = crate::signing::bearer_prefix(&token) {
        return Err(ApiError::new(
            Code::Unauthenticated,
            format!("invalid OIDC token: {fix}"),
        ));
    }
    let claims: CiClaims = issuer
        .verify(&token)
        .map_err(|e| ApiError::new(Code::Unauthenticated, format!("invalid OIDC token: {e}")))?;
    if claims.exp <= i64::try_from(state.clock.now_unix()).unwrap_or(i64::MAX) {
        return Err(ApiError::new(
            Code::Unauthenticated,
            "invalid OIDC token: the token has expired",
        ));
    }
    if !account.trust.accepts(&claims) {
        return Err(ApiError::new(
            Code::PermissionDenied,
            "OIDC trust expression did not match",
        ));
    }
    let lifetime = requested
        .min(MAX_LIFETIME_SECONDS)
        .min(state.settings.bearer_lifetime_seconds());
    let (bearer, expires) = state.bearers.issue(
        &account.uid,
        state.clock.now() + Duration::from_secs(lifetime),
    );
    Ok(json!({ "bearerToken": bearer, "expireTime": format_rfc3339(expires) }))
}
