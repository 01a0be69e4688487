//! How long a connection may keep a listener of the sandbox waiting, the same for every
//! listener (the API, S3, the TLS endpoints and the proxy): a client that opens a connection and
//! sends nothing, half a request's headers, or nothing more after a request, is dropped after
//! `header_read`, and so is one that does not finish its TLS handshake in that time, or whose
//! body stops arriving for that long (hyper has no body timeout: the S3 endpoint, the one that
//! takes large bodies, wraps them, see `services::s3::inflight`).

use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;

/// How long a connection may keep a listener waiting unless `--header-read-timeout-ms` says.
pub const DEFAULT_HEADER_READ: Duration = Duration::from_secs(10);

/// The waiting limits of every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    header_read: Duration,
}

impl Default for ConnectionLimits {
    /// [`DEFAULT_HEADER_READ`].
    fn default() -> Self {
        Self::new(DEFAULT_HEADER_READ)
    }
}

impl ConnectionLimits {
    /// Limits dropping a connection after `header_read` without a complete request head (or a
    /// finished TLS handshake).
    pub fn new(header_read: Duration) -> Self {
        Self { header_read }
    }

    /// An HTTP/1.1 server builder with the header timeout. hyper starts that timer whenever it
    /// waits for a request head, so it is also the idle timeout of a kept-alive connection.
    pub fn http1(&self) -> http1::Builder {
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read);
        builder
    }

    /// How long a request body may send nothing before it is dropped.
    pub fn body_idle(&self) -> Duration {
        self.header_read
    }

    /// How long a TLS handshake may take.
    pub fn tls_handshake(&self) -> Duration {
        self.header_read
    }
}
