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

/// The TLS server name (SNI) of the connection a request came on; `None` for an IP literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsServerName(pub Option<String>);

/// Serves `app` over TLS with `config` on `listener` until `shutdown` completes. A failed
/// handshake ends only that connection.
pub async fn serve_https(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    app: Router,
    shutdown: impl Future<Output = ()> + Send,
) {
    let acceptor = TlsAcceptor::from(config);
    tokio::pin!(shutdown);
    while let Some(tcp) = next_connection(&listener, shutdown.as_mut(), "TLS").await {
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(e) => {
                    tracing::info!("TLS handshake refused: {e}");
                    return;
                }
            };
            let name = TlsServerName(tls.get_ref().1.server_name().map(String::from));
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(name.clone());
                app.clone().oneshot(req.map(Body::new))
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                tracing::debug!("TLS connection ended: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests;
