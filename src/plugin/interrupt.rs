//! Prompt, state-preserving interruption (Ctrl-C).
//!
//! Terraform answers Ctrl-C by calling `StopProvider` and then waiting for the operations in
//! flight. `tf-provider` reacts to `StopProvider` only by shutting its server down, so a long
//! wait would run on until its timeout. This module notices the `StopProvider` call from the
//! gRPC request span that `tf-provider`'s tracing layer opens for every call, and lets long
//! operations return early (with what they changed recorded in state).
//!
//! The terminal's Ctrl-C also reaches the provider (it runs in Terraform's process group). It
//! never kills the provider (Terraform still talks to it), but it stops long operations like
//! `StopProvider` does: Terraform does not call `StopProvider` in every phase (not while
//! `terraform apply` plans), and a request hung in that phase would otherwise hold the run for
//! a whole request timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

/// The gRPC method Terraform calls on Ctrl-C.
const STOP_METHOD: &str = "/tfplugin6.Provider/StopProvider";

/// The process-wide token that long operations watch; cancelled when Terraform asks the
/// provider to stop.
pub fn global() -> &'static CancellationToken {
    static STOP: OnceLock<CancellationToken> = OnceLock::new();
    STOP.get_or_init(CancellationToken::new)
}

/// True for the first caller only: the first interrupted operation explains the interruption
/// in full, the others (one per operation in flight) say so in one line.
pub fn first_report() -> bool {
    static REPORTED: AtomicBool = AtomicBool::new(false);
    !REPORTED.swap(true, Ordering::SeqCst)
}

/// Ignores SIGINT so that a terminal Ctrl-C does not kill the provider under Terraform's feet
/// (until [`stop_on_sigint`] takes it over).
pub fn ignore_sigint() {
    // SAFETY: installing SIG_IGN for SIGINT has no preconditions.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
}

/// From now on, a SIGINT cancels [`global`] instead of being ignored. Needs the runtime.
pub fn stop_on_sigint() {
    let mut interrupts =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
            Ok(interrupts) => interrupts,
            Err(e) => {
                tracing::warn!("Ctrl-C reaches the provider only through Terraform: {e}");
                return;
            }
        };
    tokio::spawn(async move {
        while interrupts.recv().await.is_some() {
            tracing::info!("Ctrl-C; interrupting long operations");
            global().cancel();
        }
    });
}

/// A tracing layer that cancels a token when a `StopProvider` request span opens.
pub struct StopWatcher {
    stop: CancellationToken,
}

impl StopWatcher {
    /// A watcher cancelling `stop`.
    pub fn new(stop: CancellationToken) -> Self {
        Self { stop }
    }
}

#[derive(Default)]
struct UriVisitor {
    is_stop: bool,
}

impl Visit for UriVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "uri" && format!("{value:?}").ends_with(STOP_METHOD) {
            self.is_stop = true;
        }
    }
}

impl<S: Subscriber> Layer<S> for StopWatcher {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut visitor = UriVisitor::default();
        attrs.record(&mut visitor);
        if visitor.is_stop {
            tracing::info!("Terraform asked the provider to stop; interrupting long operations");
            self.stop.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[tokio::test]
    async fn a_stop_provider_request_span_requests_a_stop() {
        let signal = CancellationToken::new();
        let subscriber = tracing_subscriber::registry().with(StopWatcher::new(signal.clone()));
        {
            let _guard = crate::test_log::set_default(subscriber);
            let _other = tracing::debug_span!("request", uri = %"/tfplugin6.Provider/ReadResource")
                .entered();
            assert!(!signal.is_cancelled());
            let _stop =
                tracing::debug_span!("request", uri = %"http://127.0.0.1:1/tfplugin6.Provider/StopProvider").entered();
        }
        assert!(signal.is_cancelled());
        tokio::time::timeout(std::time::Duration::from_secs(1), signal.cancelled())
            .await
            .expect("cancelled() resolves");
    }
}
