//! Prompt, state-preserving interruption (Ctrl-C).
//!
//! Terraform answers Ctrl-C by calling `StopProvider` and then waiting for the operations in
//! flight. The plugin server hands `StopProvider` to the provider, which cancels [`global`]: long
//! operations return early (with what they changed recorded in state) while the server keeps
//! serving their answers.
//!
//! The terminal's Ctrl-C also reaches the provider (it runs in Terraform's process group). It
//! never kills the provider (Terraform still talks to it), but it stops long operations like
//! `StopProvider` does: Terraform does not call `StopProvider` in every phase (not while
//! `terraform apply` plans), and a request hung in that phase would otherwise hold the run for
//! a whole request timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

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
