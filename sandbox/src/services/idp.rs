//! The external identity provider a cluster's `oidc` block can point at: an HTTPS issuer with
//! its own CA, serving its discovery document and JWKS, and the admin call
//! `POST /_sandbox/idp/tokens` that mints tokens with any claims (so tests can make bad ones).

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::login::LoginEndpoints;
use crate::paths::{IDP_DISCOVERY, IDP_JWKS, IDP_TOKENS};
use crate::state::SharedState;
use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, Code, RestError};

/// Lifetime of a minted token when the request does not say.
pub const DEFAULT_TTL_SECONDS: u64 = 3600;

/// The body of `POST /_sandbox/idp/tokens`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IdpTokenRequest {
    /// The token's claims; `iss`, `iat` and `exp` are filled in unless given, and a claim
    /// given as `null` is left out (e.g. `"exp": null` makes a token without expiry).
    pub claims: Map<String, Value>,
    /// Lifetime in seconds when `exp` is not given (default [`DEFAULT_TTL_SECONDS`]).
    pub ttl_seconds: Option<u64>,
}

/// The identity provider's own routes (served on its HTTPS listener, no auth).
pub fn issuer_routes() -> Router<SharedState> {
    Router::new()
        .route(IDP_DISCOVERY, get(discovery))
        .route(IDP_JWKS, get(jwks))
}

/// The admin route minting tokens (on the API listener, under `/_sandbox`).
pub fn admin_routes() -> Router<SharedState> {
    Router::new().route(IDP_TOKENS, post(mint))
}

fn login(state: &SharedState) -> Result<&LoginEndpoints, ApiError> {
    state.login.get().ok_or_else(|| {
        ApiError::new(
            Code::FailedPrecondition,
            "this sandbox runs without its identity provider",
        )
    })
}

async fn discovery(State(state): State<SharedState>) -> Result<Json<Value>, RestError> {
    let issuer = &login(&state)?.idp_issuer_url;
    Ok(Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}{IDP_JWKS}"),
        "authorization_endpoint": format!("{issuer}/authorize"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "email", "email_verified", "groups"],
    })))
}

async fn jwks(State(state): State<SharedState>) -> Result<Json<Value>, RestError> {
    let issuer = &login(&state)?.idp_issuer_url;
    let signer = state
        .keys
        .issuer(issuer)
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
    Ok(Json(signer.jwks()))
}

/// The claims of a minted token: the request's, with `iss`, `iat` and `exp` filled in.
pub fn complete_claims(request: IdpTokenRequest, issuer: &str, now: u64) -> Map<String, Value> {
    let mut claims = request.claims;
    let ttl = request.ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS);
    let iat = claims.get("iat").and_then(Value::as_u64).unwrap_or(now);
    for (name, value) in [
        ("iss", json!(issuer)),
        ("iat", json!(iat)),
        ("exp", json!(iat + ttl)),
    ] {
        claims.entry(name).or_insert(value);
    }
    claims.retain(|_, v| !v.is_null());
    claims
}

async fn mint(State(state): State<SharedState>, body: Bytes) -> Result<Json<Value>, RestError> {
    let request: IdpTokenRequest = parse_json(&body)?;
    let issuer = &login(&state)?.idp_issuer_url;
    let claims = complete_claims(request, issuer, state.clock.now_unix());
    let token = state
        .keys
        .issuer(issuer)
        .and_then(|signer| signer.mint(&claims))
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
    Ok(Json(json!({ "token": token })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(claims: Value, ttl_seconds: Option<u64>) -> IdpTokenRequest {
        IdpTokenRequest {
            claims: claims.as_object().cloned().unwrap(),
            ttl_seconds,
        }
    }

    #[test]
    fn iss_iat_and_exp_are_filled_in_unless_given() {
        let filled = complete_claims(request(json!({"sub": "a"}), Some(60)), "https://i", 100);
        assert_eq!(
            Value::Object(filled),
            json!({"sub": "a", "iss": "https://i", "iat": 100, "exp": 160})
        );
        let kept = complete_claims(
            request(json!({"iss": "https://other", "iat": 5, "exp": 7}), None),
            "https://i",
            100,
        );
        assert_eq!(
            Value::Object(kept),
            json!({"iss": "https://other", "iat": 5, "exp": 7})
        );
    }

    #[test]
    fn a_null_claim_is_left_out() {
        let claims = complete_claims(request(json!({"exp": null}), None), "https://i", 100);
        assert!(!claims.contains_key("exp"));
        assert_eq!(claims["iat"], 100);
    }
}
