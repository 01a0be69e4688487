//! Serving an axum application over TLS (tokio-rustls + hyper), telling each request which
//! TLS server name its connection asked for.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::accept::next_connection;
use crate::connection::ConnectionLimits;

/// The TLS server name (SNI) of the connection a request came on; `None` for an IP literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsServerName(pub Option<String>);

/// Serves `app` over TLS with `config` on `listener` until `shutdown` completes, dropping
/// connections that keep it waiting beyond the default [`ConnectionLimits`].
pub async fn serve_https(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    app: Router,
    shutdown: impl Future<Output = ()> + Send,
) {
    serve_https_within(listener, config, app, ConnectionLimits::default(), shutdown).await;
}

/// Serves `app` over TLS with `config` on `listener` until `shutdown` completes. A failed
/// handshake ends only that connection, and so does one that keeps it waiting beyond `limits`.
pub async fn serve_https_within(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let acceptor = TlsAcceptor::from(config);
    let http = limits.http1();
    tokio::pin!(shutdown);
    while let Some(tcp) = next_connection(&listener, shutdown.as_mut(), "TLS").await {
        let (acceptor, app, http) = (acceptor.clone(), app.clone(), http.clone());
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(limits.tls_handshake(), acceptor.accept(tcp));
            let tls = match handshake.await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::info!("TLS handshake refused: {e}");
                    return;
                }
                Err(_) => {
                    tracing::info!(
                        "TLS handshake not finished within {:?}: connection dropped",
                        limits.tls_handshake()
                    );
                    return;
                }
            };
            let name = TlsServerName(tls.get_ref().1.server_name().map(String::from));
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(name.clone());
                app.clone().oneshot(req.map(Body::new))
            });
            if let Err(e) = http.serve_connection(TokioIo::new(tls), service).await {
                tracing::debug!("TLS connection ended: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests;
