//! The lists that guarded creates check against: one right before a create's write (it must not
//! hold the key) and one right after (it must hold what was written). Concurrent creates share
//! them, so that N creates cost N writes plus about N/10 lists at Terraform's default
//! parallelism of 10, instead of N lists before and N after.
//!
//! - **Rounds.** A check list starts when every create in progress through this list (every
//!   live [`Reservation`]) waits for one, and either [`ROUND`] of them do (Terraform runs 10
//!   operations at a time unless told otherwise) or no create has started for a quiet time (no
//!   more are coming): three times the usual gap between two creates' starts, within
//!   [`MIN_QUIET`] and [`MAX_QUIET`]. Terraform's own work per resource sets that gap (about
//!   25 ms per create in an apply of 100 on a busy 2-core machine, over 100 ms in one of
//!   2000), so a fixed time would end rounds early in large applies. One list then serves every
//!   create: the checks after the writes that ended and the checks before the writes of the
//!   creates that arrived meanwhile. A create that is still writing holds the others back for
//!   at most [`GATHER_LIMIT`]. Check lists run one at a time.
//! - **After a write** only a list that started after the caller asked will do: it was taken
//!   after the write was answered.
//! - **Before a write** a check list that started at most [`REUSE_WINDOW`] before the caller
//!   asked will do too (also one still under way): the creates Terraform starts as others end
//!   arrive right after the list that ended those, and use it. This widens the window in which
//!   someone else's same-named write goes unseen by at most that long; a create that finds no
//!   such list (the first of a run, or after a pause) lists itself, as before.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::{locked, Flight, ListResult, Reservation, SharedList};
use crate::shared_list::Keyed;

/// How long before a create asked a check list may have started and still serve as its check
/// before the write.
pub const REUSE_WINDOW: Duration = Duration::from_millis(500);

/// How many waiting creates make a round: Terraform's default `-parallelism`.
pub const ROUND: usize = 10;

/// The shortest time no create must have started before a smaller round goes ahead.
pub const MIN_QUIET: Duration = Duration::from_millis(100);

/// The longest time no create must have started before a smaller round goes ahead.
pub const MAX_QUIET: Duration = Duration::from_secs(1);

/// The longest a check waits for the other creates in progress to reach theirs.
pub const GATHER_LIMIT: Duration = Duration::from_secs(1);

/// A check list: started as number `number`, at `started`.
struct CheckList<T, E> {
    number: u64,
    started: Instant,
    flight: Arc<Flight<T, E>>,
    /// Set when it answered: whether the answer was a list.
    answered: Option<bool>,
}

/// The creates in progress and the check lists they share.
pub(super) struct Checks<T, E> {
    state: std::sync::Mutex<State<T, E>>,
    changed: Notify,
}

struct State<T, E> {
    /// Live reservations: creates between their reservation and their end.
    active: usize,
    /// When the last create started.
    last_start: Option<Instant>,
    /// The usual gap between two creates' starts (a moving average).
    gap: Duration,
    /// Creates waiting for a check list to start.
    waiting: usize,
    /// How many check lists have started.
    started: u64,
    /// The last check list started.
    current: Option<CheckList<T, E>>,
}

impl<T, E> Default for Checks<T, E> {
    fn default() -> Self {
        Self {
            state: std::sync::Mutex::new(State {
                active: 0,
                last_start: None,
                gap: Duration::ZERO,
                waiting: 0,
                started: 0,
                current: None,
            }),
            changed: Notify::new(),
        }
    }
}

impl<T, E> State<T, E> {
    /// How long no create must have started before a smaller round goes ahead.
    fn quiet(&self) -> Duration {
        (self.gap * 3).clamp(MIN_QUIET, MAX_QUIET)
    }
}

impl<T, E> Checks<T, E> {
    pub(super) fn create_started(&self) {
        let mut state = locked(&self.state);
        let now = Instant::now();
        if let Some(last) = state.last_start {
            // The wait for a round to end is no gap between Terraform's creates: capped.
            let sample = (now - last).min(MAX_QUIET);
            state.gap = (state.gap * 3 + sample) / 4;
        }
        state.active += 1;
        state.last_start = Some(now);
    }

    pub(super) fn create_ended(&self) {
        locked(&self.state).active -= 1;
        self.changed.notify_waiters();
    }
}

/// Which check a create asks for.
#[derive(Clone, Copy)]
enum Check {
    BeforeWrite,
    AfterWrite,
}

/// Counts its holder among the creates waiting for a check list to start, until dropped.
struct Waiting<'a, T, E>(&'a Checks<T, E>);

impl<T, E> Drop for Waiting<'_, T, E> {
    fn drop(&mut self) {
        locked(&self.0.state).waiting -= 1;
    }
}

impl<T: Keyed, E: Clone> SharedList<T, E> {
    /// The list to check right before the write of the create holding `reservation` (see the
    /// module documentation).
    pub async fn before_write<F, Fut>(
        &self,
        reservation: &Reservation<'_, T, E>,
        fetch: F,
    ) -> ListResult<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        debug_assert!(std::ptr::eq(reservation.list, self));
        self.check(Check::BeforeWrite, fetch).await
    }

    /// A list that started after this call, to check right after the write of the create
    /// holding `reservation` (see the module documentation). It replaces the held list.
    pub async fn after_write<F, Fut>(
        &self,
        reservation: &Reservation<'_, T, E>,
        fetch: F,
    ) -> ListResult<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        debug_assert!(std::ptr::eq(reservation.list, self));
        self.check(Check::AfterWrite, fetch).await
    }

    async fn check<F, Fut>(&self, check: Check, fetch: F) -> ListResult<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        let checks = &self.checks;
        let asked_at = Instant::now();
        let deadline = asked_at + GATHER_LIMIT;
        let asked = {
            let mut state = locked(&checks.state);
            state.waiting += 1;
            state.started
        };
        let waiting = Waiting(checks);
        let (number, flight) = loop {
            let changed = checks.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let until = match self.check_list(check, asked, asked_at, deadline) {
                Next::Use(number, flight) => break (number, flight),
                Next::WaitUntil(until) => until,
            };
            tokio::select! {
                () = changed => {}
                () = tokio::time::sleep_until(until) => {}
            }
        };
        drop(waiting);
        let result = self.await_flight(&flight, fetch).await;
        let mut state = locked(&checks.state);
        if let Some(list) = state.current.as_mut().filter(|l| l.number == number) {
            if list.answered.is_none() {
                list.answered = Some(result.is_ok());
                checks.changed.notify_waiters();
            }
        }
        result
    }

    /// The check list that serves a `check` asked for at `asked_at`, when `asked` check lists
    /// had started: one under way or answered that will do, or a new one when a round is
    /// complete (see the module documentation; past `deadline`, creates still writing and a list
    /// still under way no longer hold it back); otherwise when to look again (unless something
    /// changes first).
    fn check_list(
        &self,
        check: Check,
        asked: u64,
        asked_at: Instant,
        deadline: Instant,
    ) -> Next<T, E> {
        let mut state = locked(&self.checks.state);
        let now = Instant::now();
        if let Some(list) = &state.current {
            let reusable = matches!(check, Check::BeforeWrite)
                && list.answered != Some(false)
                && list.started + REUSE_WINDOW >= asked_at;
            if list.number > asked || reusable {
                return Next::Use(list.number, list.flight.clone());
            }
            if list.answered.is_none() && now < deadline {
                return Next::WaitUntil(deadline);
            }
        }
        if state.waiting < state.active && now < deadline {
            return Next::WaitUntil(deadline);
        }
        let quiet_from = state.last_start.map_or(now, |start| start + state.quiet());
        if state.waiting < ROUND && now < quiet_from {
            return Next::WaitUntil(quiet_from);
        }
        state.started += 1;
        let number = state.started;
        let flight = self.new_flight();
        state.current = Some(CheckList {
            number,
            started: now,
            flight: flight.clone(),
            answered: None,
        });
        self.checks.changed.notify_waiters();
        Next::Use(number, flight)
    }
}

/// What a waiting check does next.
enum Next<T, E> {
    /// Use check list `number`.
    Use(u64, Arc<Flight<T, E>>),
    /// Look again at this time, or when something changes.
    WaitUntil(Instant),
}

#[cfg(test)]
mod tests;
