//! OIDC token exchange for AI Object Storage credentials (reference §3.5): the anonymous
//! `POST /v1/cwobject/temporary-credentials/oidc` and the container-credentials
//! `GET /v1/cwobject/temporary-credentials/oidc/{orgId}` (raw JWT in `Authorization`).
//!
//! Checks, in order, each with its own message: the JWT's shape; its signature against the
//! issuer's JWKS (only issuers this sandbox signs for); `exp`/`iat`; an active WIF config with the
//! token's issuer and audience; the organization; then the organization's access policies for
//! `cwobject:CreateAccessKeyOIDC` (or the older `cwobject:CreateAccessKeyFromOIDC`) on `*`.
//! Issued keys are registered for the S3 endpoint. Neither tokens nor secret keys are logged.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::credentials::{IssuedKey, KeyRequest};
use crate::model::issuer::{cluster_of_issuer, CKS_ISSUER_BASE_URL};
use crate::model::policy_eval::{evaluate, Decision};
use crate::model::service_account::Audience;
use crate::paths::{CONTAINER_CREDENTIALS, OIDC_EXCHANGE};
use crate::state::{AppState, SharedState};
use crate::time;
use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, Code, FieldViolation, RestError};

/// The action an exchange is authorized as, and its older name.
pub const EXCHANGE_ACTIONS: [&str; 2] = [
    "cwobject:CreateAccessKeyOIDC",
    "cwobject:CreateAccessKeyFromOIDC",
];
/// Lifetime of credentials when `durationSeconds` is 0.
pub const DEFAULT_DURATION_SECONDS: u64 = 900;
/// The longest `durationSeconds` accepted.
pub const MAX_DURATION_SECONDS: u64 = 43_200;
/// How far in the future `iat` may be (clock skew).
const IAT_SKEW_SECONDS: u64 = 60;

/// The exchange routes (anonymous: the token is the credential).
pub fn routes() -> Router<SharedState> {
    Router::new()
        .route(OIDC_EXCHANGE, post(exchange))
        .route(CONTAINER_CREDENTIALS, get(container_credentials))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ExchangeRequest {
    #[serde(alias = "duration_seconds")]
    duration_seconds: Option<u64>,
    #[serde(alias = "org_id")]
    org_id: Option<String>,
    #[serde(alias = "oidc_token")]
    oidc_token: Option<String>,
    attributes: Option<BTreeMap<String, String>>,
}

/// Claims read before the signature is checked (only to find the issuer and report shape).
#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: u64,
    iat: u64,
}

fn unauthenticated(message: String) -> ApiError {
    ApiError::new(Code::Unauthenticated, message)
}

fn denied(message: String) -> ApiError {
    ApiError::new(Code::PermissionDenied, message)
}

/// Step 1: three base64url segments, an RS256 header and the claims an exchange needs.
fn check_shape(token: &str) -> Result<Claims, ApiError> {
    let invalid = |why: String| {
        ApiError::new(
            Code::InvalidArgument,
            format!("the OIDC token is not a valid JWT: {why}"),
        )
    };
    if let Some(fix) = crate::signing::bearer_prefix(token) {
        return Err(invalid(fix.into()));
    }
    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() != 3 || segments.iter().any(|s| s.is_empty()) {
        return Err(invalid(format!(
            "expected three non-empty dot-separated parts, got {}",
            segments.len()
        )));
    }
    let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(format!("header: {e}")))?;
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return Err(invalid(format!(
            "signing algorithm {:?} is not RS256",
            header.alg
        )));
    }
    let payload = URL_SAFE_NO_PAD
        .decode(segments[1])
        .map_err(|e| invalid(format!("payload is not base64url: {e}")))?;
    serde_json::from_slice(&payload).map_err(|e| {
        invalid(format!(
            "payload must be JSON with iss, sub, aud, exp and iat: {e}"
        ))
    })
}

/// Step 2: the issuer must be one this sandbox signs for, and the signature its key's.
fn check_signature(state: &AppState, token: &str, iss: &str) -> Result<(), ApiError> {
    let cluster = cluster_of_issuer(&state.base_url, iss)
        .filter(|id| state.store().cluster_mut(id).is_some())
        .ok_or_else(|| {
            unauthenticated(format!(
                "token issuer {iss:?} is not an issuer this sandbox signs for \
                 (it signs for {CKS_ISSUER_BASE_URL}/id/<cluster id> of its clusters)"
            ))
        })?;
    let issuer = state.cluster_issuer(cluster)?;
    issuer
        .verify::<Value>(token)
        .map(drop)
        .map_err(|e| unauthenticated(e.to_string()))
}

fn rfc3339(unix: u64) -> String {
    time::format_rfc3339(UNIX_EPOCH + Duration::from_secs(unix))
}

/// Step 3: not expired, not issued in the future.
fn check_times(claims: &Claims, now: u64) -> Result<(), ApiError> {
    if claims.exp <= now {
        return Err(unauthenticated(format!(
            "the token expired at {} (now {})",
            rfc3339(claims.exp),
            rfc3339(now)
        )));
    }
    if claims.iat > now + IAT_SKEW_SECONDS {
        return Err(unauthenticated(format!(
            "the token is issued in the future ({})",
            rfc3339(claims.iat)
        )));
    }
    Ok(())
}

/// Steps 4 and 5: an active WIF config for the issuer and audience, in organization `org_id`.
fn check_trust(state: &AppState, claims: &Claims, org_id: &str) -> Result<(), ApiError> {
    let store = state.store();
    let for_issuer: Vec<_> = store
        .oidc_configs
        .iter()
        .filter(|c| c.issuer_url == claims.iss)
        .collect();
    if for_issuer.is_empty() {
        return Err(denied(format!(
            "no workload identity federation config trusts issuer {:?}",
            claims.iss
        )));
    }
    let audiences = claims.aud.values();
    let matching: Vec<_> = for_issuer
        .iter()
        .filter(|c| audiences.contains(&c.audience.as_str()))
        .collect();
    let Some(config) = matching
        .iter()
        .find(|c| c.deactivated_at.is_none())
        .or(matching.first())
    else {
        let expected: Vec<&str> = for_issuer.iter().map(|c| c.audience.as_str()).collect();
        return Err(denied(format!(
            "the token's audience {audiences:?} does not match the workload identity federation \
             config for issuer {:?} (audience {expected:?})",
            claims.iss
        )));
    };
    if let Some(at) = &config.deactivated_at {
        return Err(denied(format!(
            "the workload identity federation config {:?} ({}) for issuer {:?} is not active \
             (deactivated at {at})",
            config.name, config.uid, claims.iss
        )));
    }
    if config.org_uid != org_id {
        return Err(denied(format!(
            "the workload identity federation config for issuer {:?} belongs to another \
             organization than {org_id:?}",
            claims.iss
        )));
    }
    Ok(())
}

/// Step 6: the organization's policies must allow the exchange action for the principal.
fn check_policies(state: &AppState, principal: &str) -> Result<(), ApiError> {
    let store = state.store();
    let evaluations: Vec<_> = EXCHANGE_ACTIONS
        .iter()
        .map(|action| (action, evaluate(&store.policies, principal, action, "*")))
        .collect();
    if let Some((action, e)) = evaluations
        .iter()
        .find(|(_, e)| e.decision == Decision::ExplicitDeny)
    {
        return Err(denied(format!(
            "{principal:?} is denied {action} by {} (explicit Deny)",
            e.matched.join(", ")
        )));
    }
    if evaluations
        .iter()
        .any(|(_, e)| e.decision == Decision::Allowed)
    {
        return Ok(());
    }
    Err(denied(format!(
        "no organization access policy allows {principal:?} the action {} on \"*\" \
         (implicit deny)",
        EXCHANGE_ACTIONS[0]
    )))
}

/// Runs every check and issues a key for `duration` seconds (0 = the default), registered for
/// the S3 endpoint; `with_session_token` for the container-credentials shape, whose `Token` the
/// SDK then sends as `x-amz-security-token`.
pub fn exchange_token(
    state: &AppState,
    token: &str,
    org_id: &str,
    duration: u64,
    with_session_token: bool,
) -> Result<IssuedKey, ApiError> {
    let claims = check_shape(token)?;
    check_signature(state, token, &claims.iss)?;
    let now = state.clock.now_unix();
    check_times(&claims, now)?;
    check_trust(state, &claims, org_id)?;
    let principal = format!("role/{}:{}", claims.iss, claims.sub);
    check_policies(state, &principal)?;
    let duration = if duration == 0 {
        DEFAULT_DURATION_SECONDS
    } else {
        duration
    };
    let request = KeyRequest {
        id_prefix: "CWOIDC",
        principal,
        org_id: org_id.to_string(),
        expires_at: Some(UNIX_EPOCH + Duration::from_secs(now + duration)),
        with_session_token,
    };
    let issued = state
        .credentials
        .issue(request, UNIX_EPOCH + Duration::from_secs(now))?;
    Ok(issued)
}

async fn exchange(State(state): State<SharedState>, body: Bytes) -> Result<Json<Value>, RestError> {
    let req: ExchangeRequest = parse_json(&body)?;
    let mut bad = Vec::new();
    let duration = req.duration_seconds;
    match duration {
        None => bad.push(FieldViolation::required("durationSeconds")),
        Some(d) if d > MAX_DURATION_SECONDS => bad.push(FieldViolation::new(
            "durationSeconds",
            format!("must be 0 to {MAX_DURATION_SECONDS}"),
        )),
        Some(_) => {}
    }
    let org_id = req.org_id.unwrap_or_default();
    if org_id.is_empty() {
        bad.push(FieldViolation::required("orgId"));
    }
    let token = req.oidc_token.unwrap_or_default();
    if token.is_empty() {
        bad.push(FieldViolation::required("oidcToken"));
    }
    if !bad.is_empty() {
        return Err(ApiError::invalid(bad).into());
    }
    let creds = exchange_token(&state, &token, &org_id, duration.unwrap_or_default(), false)?;
    Ok(Json(json!({
        "accessKeyId": creds.access_key_id,
        "secretKey": creds.secret_key,
        "principalName": creds.principal,
        "expiry": creds.expiry_rfc3339(),
        "attributes": req.attributes.unwrap_or_default(),
    })))
}

async fn container_credentials(
    State(state): State<SharedState>,
    Path(org_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, RestError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if token.is_empty() {
        return Err(unauthenticated(
            "the Authorization header must carry the service-account JWT (no Bearer prefix)".into(),
        )
        .into());
    }
    let creds = exchange_token(&state, token, &org_id, 0, true)?;
    Ok(Json(json!({
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_key,
        "Token": creds.session_token,
        "Expiration": creds.expiry_rfc3339(),
    })))
}
