//! `coreweave-sandbox`: a local, strict emulator of the CoreWeave API endpoints that
//! terraform-provider-coreweave uses (CKS clusters over REST, AI Object Storage access
//! policies over REST, workload federation OIDC configs over Connect), plus per-cluster OIDC
//! discovery with real signing keys, the OIDC token exchange, fault injection and a test admin
//! API.

#![warn(missing_docs)]

pub mod admin;
pub mod body;
pub mod cks;
pub mod cks_update;
pub mod cli;
pub mod cluster;
pub mod cluster_oidc;
pub mod cwobject;
pub mod directory;
pub mod errors;
pub mod faults;
pub mod gate;
pub mod identity;
pub mod ids;
pub mod oidc_config;
pub mod oidc_discovery;
pub mod policy;
pub mod policy_eval;
pub mod request_log;
pub mod sa_token;
pub mod seed;
pub mod signing;
pub mod state;
pub mod timefmt;
pub mod token_exchange;
pub mod workload_federation;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;

use errors::{ApiError, Code, Family};
use gate::{classify, RouteKind};
pub use state::{AppState, Config, SharedState, Store};

/// The whole HTTP application for `state`.
pub fn app(state: SharedState) -> Router {
    Router::new()
        .merge(cks::routes())
        .merge(cwobject::routes())
        .merge(token_exchange::routes())
        .merge(workload_federation::routes())
        .merge(identity::routes())
        .merge(directory::routes())
        .merge(oidc_discovery::routes())
        .merge(admin::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::gate,
        ))
        .with_state(state)
}

fn family_of(uri: &Uri) -> Family {
    match classify(uri.path()) {
        RouteKind::Api(family) => family,
        RouteKind::Admin | RouteKind::Discovery => Family::Rest,
    }
}

async fn not_found(uri: Uri) -> Response {
    match family_of(&uri) {
        Family::Connect => ApiError::new(
            Code::Unimplemented,
            format!("procedure {} is not implemented", uri.path()),
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
    ApiError::new(Code::Unimplemented, "Method Not Allowed").into_family_response(family_of(&uri))
}

/// The URL clients use for a bound address (an unspecified address becomes loopback).
pub fn base_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Serves [`app`] on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: SharedState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
