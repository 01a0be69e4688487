//! The middleware in front of every route: classifies the path, and for API routes records
//! the request, adds latency, injects faults and loses the answers of writes when told to.
//! Authentication is not its job: the routes that need a token sit behind
//! [`crate::auth::require_caller`].

use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::paths::{classify, is_anonymous, is_write, RouteKind};
use crate::state::SharedState;
use crate::wire::errors::{ApiError, Code, Family};

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
    // How long the request really took, for the log line (not the sandbox's `Clock`).
    let started = Instant::now();
    let method = req.method().to_string();
    let (req, body) = patch_body(req).await;
    let ticket = state.log.begin(&method, &path, body);
    let latency = state.settings.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = state.faults.next(state.settings.fault_every());
    let write = is_write(&method, &path);
    let resp = if let Some(fault) = fault {
        fault.response(family)
    } else {
        let resp = next.run(req).await;
        if write
            && !is_anonymous(&path)
            && resp.status().is_success()
            && state.settings.take_lost_write_answer()
        {
            lost_answer(family)
        } else {
            resp
        }
    };
    let bytes = resp.body().size_hint().exact();
    state
        .log
        .finish_sized(ticket, resp.status().as_u16(), bytes);
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
