//! Serving: the listener (with `TCP_NODELAY` on every connection), AutoMTLS when Terraform asks
//! for it, the go-plugin handshake line on stdout, and the gRPC server until Terraform shuts the
//! plugin down.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Context as _, Result};
use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tonic::transport::server::Connected;

use crate::controller::Controller;
use crate::proto::provider_server::ProviderServer;
use crate::provider::Provider;
use crate::server::Server;
use crate::tls::AutoMtls;

/// go-plugin's core protocol version and the plugin protocol version served.
const CORE_PROTOCOL: u32 = 1;
const PLUGIN_PROTOCOL: u32 = 6;
/// A TLS handshake that takes longer than this is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Terraform sends schemas and states of any size; tonic's default limit is 4 MiB.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// One accepted connection, plain or TLS.
enum Connection {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connected for Connection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

macro_rules! delegate {
    ($self:ident, $inner:ident => $call:expr) => {
        match $self.get_mut() {
            Connection::Plain($inner) => {
                let $inner = Pin::new($inner);
                $call
            }
            Connection::Tls($inner) => {
                let $inner = Pin::new($inner.as_mut());
                $call
            }
        }
    };
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        delegate!(self, io => io.poll_read(cx, buf))
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        delegate!(self, io => io.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        delegate!(self, io => io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        delegate!(self, io => io.poll_shutdown(cx))
    }
}

/// The go-plugin handshake line: `1|6|tcp|ADDRESS|grpc|CERT` (CERT: the server certificate's
/// DER in unpadded standard base64, empty without TLS).
pub fn handshake_line(address: &str, certificate: Option<&[u8]>) -> String {
    let certificate = certificate
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL}|{PLUGIN_PROTOCOL}|tcp|{address}|grpc|{certificate}")
}

/// Accepts connections for as long as the server runs, TLS handshakes each on its own task.
fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
) -> mpsc::Receiver<std::io::Result<Connection>> {
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!("accepting a connection from Terraform failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            if let Err(e) = stream.set_nodelay(true) {
                tracing::warn!("TCP_NODELAY not set: {e}");
            }
            let sender = sender.clone();
            match tls.clone() {
                None => {
                    if sender.send(Ok(Connection::Plain(stream))).await.is_err() {
                        return;
                    }
                }
                Some(acceptor) => {
                    tokio::spawn(async move {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(tls)) => {
                                let _ = sender.send(Ok(Connection::Tls(Box::new(tls)))).await;
                            }
                            Ok(Err(e)) => {
                                tracing::warn!("TLS handshake with Terraform failed: {e}")
                            }
                            Err(_) => tracing::warn!("TLS handshake with Terraform timed out"),
                        }
                    });
                }
            }
        }
    });
    receiver
}

/// Serves `provider` as Terraform's plugin `name` until Terraform shuts it down: prints the
/// handshake line on stdout, then answers gRPC calls on a loopback port.
pub async fn serve<P: Provider>(name: &str, provider: P) -> Result<()> {
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.trim().is_empty() => Some(AutoMtls::new(&pem)?),
        _ => None,
    };
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the plugin's loopback port")?;
    let address = listener.local_addr()?.to_string();
    let server = Server::new(name, provider);
    let shutdown = server.shutdown.clone();
    let line = handshake_line(&address, tls.as_ref().map(|t| t.certificate.as_slice()));
    let incoming = tokio_stream::wrappers::ReceiverStream::new(accept_loop(
        listener,
        tls.map(|t| TlsAcceptor::from(t.config)),
    ));
    let provider_service = ProviderServer::from_arc(server)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let router = tonic::transport::Server::builder()
        .add_service(provider_service)
        .add_service(Controller::new(shutdown.clone()));
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}").context("writing the handshake line")?;
        stdout.flush().context("writing the handshake line")?;
    }
    router
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await
        .context("serving gRPC")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_line_is_go_plugins() {
        assert_eq!(
            handshake_line("127.0.0.1:4000", None),
            "1|6|tcp|127.0.0.1:4000|grpc|"
        );
        // Unpadded standard base64 of the DER (go-plugin decodes it with RawStdEncoding).
        assert_eq!(
            handshake_line("127.0.0.1:1", Some(&[0xff, 0xfe])),
            "1|6|tcp|127.0.0.1:1|grpc|//4"
        );
    }
}
