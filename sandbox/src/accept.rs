//! Accepting TCP connections until shutdown, for every listener of the sandbox (the API, the
//! TLS endpoints and the proxy).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// How long a failed accept waits before the next.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// The next connection on `listener`, or `None` once `shutdown` completes. A failed accept (out
/// of file descriptors and the like) is logged, naming the listener `what`, and retried after a
/// pause instead of spinning.
pub async fn next_connection<F: Future<Output = ()>>(
    listener: &TcpListener,
    mut shutdown: Pin<&mut F>,
    what: &str,
) -> Option<TcpStream> {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => return Some(stream),
                Err(e) => {
                    tracing::warn!("{what}: accepting a connection failed: {e}");
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
            },
            () = &mut shutdown => return None,
        }
    }
}
