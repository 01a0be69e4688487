//! The client's circuit breaker: once the endpoint has failed to connect or timed out
//! [`TRIP_AFTER`] times in a row (no HTTP answer in between), every pending and later call of
//! the client fails at once with one error naming the endpoint, instead of each waiting out its
//! own timeouts and retries.
//!
//! Terraform starts the provider afresh for every operation (validate, plan, apply), so a
//! tripped breaker lasts one operation and the next one tries the endpoint again. Any answer,
//! even an error status, proves the endpoint alive and resets the count.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

use super::ApiError;

/// Connection failures or timeouts in a row after which the endpoint counts as down: a
/// second failure of a call's retry, or two parallel calls failing together. One failure
/// alone (a blip) is retried as before.
pub const TRIP_AFTER: u32 = 2;

/// The breaker of one client and its clones.
#[derive(Default)]
pub(super) struct Breaker {
    in_a_row: AtomicU32,
    /// The failure that tripped the breaker; set before `tripped` is cancelled.
    cause: OnceLock<ApiError>,
    tripped: CancellationToken,
}

impl Breaker {
    /// Records an HTTP answer (of any status): the endpoint is alive.
    pub(super) fn answered(&self) {
        self.in_a_row.store(0, Ordering::SeqCst);
    }

    /// Records a connection failure or timeout; trips the breaker at the [`TRIP_AFTER`]th in
    /// a row.
    pub(super) fn failed(&self, error: &ApiError) {
        if self.in_a_row.fetch_add(1, Ordering::SeqCst) + 1 >= TRIP_AFTER {
            let _ = self.cause.set(error.clone());
            self.tripped.cancel();
        }
    }

    /// The failure that tripped the breaker, if it has.
    pub(super) fn cause(&self) -> Option<&ApiError> {
        if self.tripped.is_cancelled() {
            self.cause.get()
        } else {
            None
        }
    }

    /// Resolves when the breaker trips (at once if it has).
    pub(super) async fn tripped(&self) {
        self.tripped.cancelled().await;
    }
}
