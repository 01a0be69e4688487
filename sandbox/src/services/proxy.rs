//! An HTTP CONNECT proxy that gives the clusters' Kubernetes endpoints their real names: with
//! `HTTPS_PROXY` pointing here, `https://<apiServerEndpoint>` reaches the managed listener and
//! `https://api.<apiServerEndpoint>` the unmanaged one, and the client's TLS server name is that
//! real name. Any other destination is refused: nothing leaves the machine.

use std::convert::Infallible;
use std::future::Future;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

use crate::accept::next_connection;
use crate::connection::ConnectionLimits;
use crate::login::cluster_by_host;
use crate::state::SharedState;

fn answer(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status;
    resp
}

/// Where a CONNECT to `host` goes: the listener of the endpoint that host names.
fn destination(state: &SharedState, host: &str) -> Option<std::net::SocketAddr> {
    let login = state.login.get()?;
    let store = state.store();
    cluster_by_host(&store.clusters, host).map(|(_, kind)| login.listener(kind))
}

async fn tunnel(state: SharedState, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    if req.method() != Method::CONNECT {
        return Ok(answer(StatusCode::METHOD_NOT_ALLOWED));
    }
    let host = req.uri().host().unwrap_or_default().to_string();
    let Some(target) = destination(&state, &host) else {
        tracing::info!("proxy: refused CONNECT {host}: no sandbox cluster has that endpoint");
        return Ok(answer(StatusCode::FORBIDDEN));
    };
    tokio::spawn(async move {
        let upgraded = match hyper::upgrade::on(req).await {
            Ok(upgraded) => upgraded,
            Err(e) => return tracing::info!("proxy: CONNECT {host}: {e}"),
        };
        let mut client = TokioIo::new(upgraded);
        match TcpStream::connect(target).await {
            Ok(mut server) => {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            }
            Err(e) => tracing::warn!("proxy: CONNECT {host} -> {target}: {e}"),
        }
    });
    Ok(answer(StatusCode::OK))
}

/// Serves the proxy on `listener` until `shutdown` completes; a connection that keeps it
/// waiting for its CONNECT beyond `limits` is dropped (a tunnel lives as long as the endpoint
/// behind it keeps its connection, under the same limits).
pub async fn serve_proxy(
    listener: TcpListener,
    state: SharedState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let http = limits.http1();
    tokio::pin!(shutdown);
    while let Some(tcp) = next_connection(&listener, shutdown.as_mut(), "proxy").await {
        let (state, http) = (state.clone(), http.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| tunnel(state.clone(), req));
            if let Err(e) = http
                .serve_connection(TokioIo::new(tcp), service)
                .with_upgrades()
                .await
            {
                tracing::debug!("proxy connection ended: {e}");
            }
        });
    }
}
