//! `coreweave-sandbox`: a local, strict emulator of the CoreWeave API endpoints that
//! terraform-provider-coreweave uses (CKS clusters over REST, AI Object Storage access
//! policies over REST, workload federation OIDC configs over Connect), plus per-cluster OIDC
//! discovery with real signing keys, the OIDC token exchange, fault injection and a test admin
//! API.
//!
//! Layers, each importing only those below it: [`wire`], [`time`], [`ids`], [`accept`] and [`connection`];
//! [`paths`], [`model`], [`signing`], [`bearers`], [`key_cache`] and [`faults`]; [`request_log`]; [`state`];
//! [`auth`], [`admin_guard`], [`gate`] and [`seed`]; [`services`]; the router here, [`cli`] and the binary.

#![warn(missing_docs)]

pub mod accept;
pub mod admin_guard;
pub mod announce;
pub mod auth;
pub mod bearers;
pub mod cli;
pub mod connection;
pub mod faults;
pub mod gate;
pub mod https;
pub mod ids;
pub mod key_cache;
pub mod login;
pub mod model;
pub mod paths;
pub mod request_log;
pub mod seed;
pub mod services;
pub mod signing;
pub mod state;
pub mod time;
pub mod tls;
pub mod wire;

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;

use connection::ConnectionLimits;
use paths::{classify, family_of, is_anonymous, RouteKind};
use services::{
    admin, cks, cwobject, directory, discovery, token_exchange, whoami, workload_federation,
};
pub use state::{AppState, Config, SharedState, Store};
use wire::errors::{ApiError, Code, Family};

/// The whole HTTP application for `state`.
pub fn app(state: SharedState) -> Router {
    let authenticated = Router::new()
        .merge(cks::routes())
        .merge(cwobject::routes())
        .merge(workload_federation::routes())
        .merge(whoami::routes())
        // Before the layer, so that a wrong method without a token is refused as unauthenticated.
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_caller,
        ));
    Router::new()
        .merge(authenticated)
        .merge(token_exchange::routes())
        .merge(directory::routes())
        .merge(discovery::routes())
        .merge(
            admin::routes()
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    auth::require_admin_token,
                ))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    admin_guard::refuse_web_pages,
                )),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::gate,
        ))
        .with_state(state)
}

/// An unknown path: `UNAUTHENTICATED` first when the API would have wanted a token, as the
/// real gateway authenticates before it routes.
async fn not_found(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    let path = uri.path();
    let wants_token = matches!(classify(path), RouteKind::Api(_)) && !is_anonymous(path);
    if wants_token && auth::caller(&state, &headers).is_none() {
        return ApiError::unauthenticated().into_family_response(family_of(path));
    }
    match family_of(path) {
        Family::Connect => ApiError::new(
            Code::Unimplemented,
            format!("procedure {path} is not implemented"),
        )
        .into_family_response(Family::Connect),
        Family::Rest => {
            let mut resp =
                ApiError::new(Code::NotFound, "Not Found").into_family_response(Family::Rest);
            *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
            resp
        }
    }
}

async fn method_not_allowed(uri: Uri) -> impl IntoResponse {
    ApiError::new(Code::Unimplemented, "Method Not Allowed")
        .into_family_response(family_of(uri.path()))
}

/// The URL clients use for a bound address (an unspecified address becomes loopback).
pub fn base_url(addr: SocketAddr) -> String {
    login::listener_url("http", addr)
}

/// Serves [`app`] over HTTP/1.1 on `listener` until `shutdown` completes, then lets the
/// connections in flight finish. A connection that keeps it waiting beyond `limits` is dropped.
pub async fn serve(
    listener: TcpListener,
    state: SharedState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;

    let app = app(state);
    let http = limits.http1();
    let connections = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    while let Some(stream) = accept::next_connection(&listener, shutdown.as_mut(), "API").await {
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    connections.shutdown().await;
    Ok(())
}
