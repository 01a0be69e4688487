//! Who is calling: the principal behind a request's bearer token, and the middleware that the
//! routes needing a token sit behind (`route_layer`): it answers `UNAUTHENTICATED` without one,
//! else hands the handler the [`Caller`]. The admin API needs the static token only when the
//! sandbox listens beyond loopback ([`require_admin_token`]).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;

use crate::bearers::Caller;
use crate::paths::family_of;
use crate::state::{AppState, SharedState};
use crate::wire::errors::ApiError;

/// Principal uid of the sandbox's static API token.
pub const TOKEN_PRINCIPAL_UID: &str = "sandbox-user";

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, presented) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(presented)
}

/// True when the headers carry `Authorization: Bearer <token>`.
pub fn authorized(headers: &HeaderMap, token: &str) -> bool {
    bearer(headers)
        .is_some_and(|presented| constant_time_eq(presented.as_bytes(), token.as_bytes()))
}

/// The principal whose bearer token `headers` carry: the static token's, or the service
/// account of an unexpired bearer from the token exchange.
pub fn caller(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    if authorized(headers, &state.token) {
        return Some(Caller {
            principal_uid: TOKEN_PRINCIPAL_UID.to_string(),
        });
    }
    bearer(headers).and_then(|token| state.bearers.caller(token, state.clock.now()))
}

/// The `route_layer` of the routes that need a bearer token.
pub async fn require_caller(
    State(state): State<SharedState>,
    mut req: Request,
    next: Next,
) -> Response {
    match caller(&state, req.headers()) {
        Some(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        None => ApiError::unauthenticated().into_family_response(family_of(req.uri().path())),
    }
}

/// The `route_layer` of the admin API: open on loopback; beyond it (`--allow-remote`), only
/// with the static API token.
pub async fn require_admin_token(
    State(state): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    if state.admin_requires_token && !authorized(req.headers(), &state.token) {
        return ApiError::unauthenticated().into_family_response(family_of(req.uri().path()));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_token_must_match_exactly() {
        let mut h = HeaderMap::new();
        assert!(!authorized(&h, "t"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        assert!(authorized(&h, "t"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer tt"));
        assert!(!authorized(&h, "t"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic t"));
        assert!(!authorized(&h, "t"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("t"));
        assert!(!authorized(&h, "t"));
    }
}
