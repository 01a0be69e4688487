//! The middleware in front of every route: classifies the path, and for API routes records
//! the request, adds latency, injects faults and checks the bearer token (except on the
//! anonymous token-exchange routes).

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;

use crate::directory::EXCHANGE_PATH;
use crate::errors::{ApiError, Code, Family};
use crate::state::SharedState;
use crate::token_exchange::is_anonymous;

/// What a request path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `/_sandbox/*`: test admin API, no auth, not logged.
    Admin,
    /// `/id/*`: OIDC discovery, no auth, not logged.
    Discovery,
    /// An API route of the given wire format.
    Api(Family),
}

/// Classifies a request path.
pub fn classify(path: &str) -> RouteKind {
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        RouteKind::Admin
    } else if path.starts_with("/id/") {
        RouteKind::Discovery
    } else if path.starts_with("/coreweave.") {
        RouteKind::Api(Family::Connect)
    } else {
        RouteKind::Api(Family::Rest)
    }
}

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

/// True for requests that change state (every non-GET REST call and the Connect writes).
fn is_write(method: &str, path: &str) -> bool {
    let connect_read = path.ends_with("/GetOIDCConfig")
        || path.ends_with("/ListOIDCConfigs")
        || path == EXCHANGE_PATH;
    method != "GET" && !connect_read
}

/// What a gateway says when it lost the backend's answer: the write already took effect.
fn lost_answer(family: Family) -> Response {
    let mut resp = ApiError::new(
        Code::Unavailable,
        "bad gateway (answer lost by coreweave-sandbox)",
    )
    .into_family_response(family);
    *resp.status_mut() = axum::http::StatusCode::BAD_GATEWAY;
    resp
}

/// Largest `PATCH` body kept in the request log.
const MAX_LOGGED_BODY: usize = 1024 * 1024;

/// The JSON body of a `PATCH`, for the request log, and the request to pass on. Other methods
/// are passed on untouched: their bodies may hold tokens, which are never logged.
async fn patch_body(req: Request) -> (Request, Option<serde_json::Value>) {
    if req.method() != axum::http::Method::PATCH {
        return (req, None);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_LOGGED_BODY)
        .await
        .unwrap_or_default();
    let logged = serde_json::from_slice(&bytes).ok();
    (Request::from_parts(parts, Body::from(bytes)), logged)
}

/// The middleware function (see the module docs).
pub async fn gate(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let RouteKind::Api(family) = classify(&path) else {
        return next.run(req).await;
    };
    let started = Instant::now();
    let method = req.method().to_string();
    let (mut req, body) = patch_body(req).await;
    let ticket = state.log.begin(&method, &path, body);
    let latency = state.settings.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = state.faults.next(state.settings.fault_every());
    let write = is_write(&method, &path);
    // The token exchanges are the API calls made without a bearer token.
    let anonymous = is_anonymous(&path) || path == EXCHANGE_PATH;
    let caller = state.caller(req.headers());
    let resp = if let Some(fault) = fault {
        fault.response(family)
    } else if caller.is_none() && !anonymous {
        ApiError::unauthenticated().into_family_response(family)
    } else {
        if let Some(caller) = caller {
            req.extensions_mut().insert(caller);
        }
        let resp = next.run(req).await;
        if write
            && !anonymous
            && resp.status().is_success()
            && state.settings.take_lost_write_answer()
        {
            lost_answer(family)
        } else {
            resp
        }
    };
    state.log.finish(ticket, resp.status().as_u16());
    tracing::info!(
        "{method} {path} -> {}{} ({} ms)",
        resp.status().as_u16(),
        if fault.is_some() {
            " (injected fault)"
        } else {
            ""
        },
        started.elapsed().as_millis()
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn classifies_paths_by_family() {
        assert_eq!(classify("/_sandbox/state"), RouteKind::Admin);
        assert_eq!(classify("/id/x/openid/v1/jwks"), RouteKind::Discovery);
        assert_eq!(
            classify("/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService/GetOIDCConfig"),
            RouteKind::Api(Family::Connect)
        );
        assert_eq!(
            classify("/v1beta1/cks/clusters"),
            RouteKind::Api(Family::Rest)
        );
    }

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
