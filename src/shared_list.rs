//! One shared, write-through copy of a list endpoint's answer (the API client keeps one for the
//! access policies and one for the OIDC configurations, in [`SharedLists`]), so that refreshing
//! N resources costs one list call and applying N costs N writes plus at most one list. Nothing
//! here knows HTTP or the item types: the caller passes the list request and the error type.
//!
//! - **Single flight.** Concurrent readers of an empty cache share one list request, and share
//!   its failure too; a failed list is not kept, so the next reader asks again.
//! - **Kept for the client's lifetime.** Terraform starts the provider afresh for every
//!   operation (validate, plan, apply), so a list is taken at most once per operation and every
//!   reader in it sees the same snapshot. Nothing expires by time.
//! - **Write-through.** After a write through this client succeeds, the caller records what it
//!   changed ([`SharedList::upsert`], [`SharedList::remove`]) and the copy is updated in place;
//!   a write that ends while a list is under way is applied to that list when it arrives
//!   (upserts and removals by key are idempotent, so it does not matter whether the server saw
//!   the write first). A write whose outcome is unknown or that failed calls
//!   [`SharedList::invalidate`], so the next reader lists again.
//! - **Window.** Objects created or deleted by someone else after the list was taken are not
//!   seen until the next operation, except by the checks of a create
//!   ([`SharedList::before_write`], [`SharedList::after_write`]), which take lists that
//!   concurrent creates share (see `src/shared_list/checks.rs`).
//! - **Reservations.** A create reserves its key first ([`SharedList::reserve`]), so that a
//!   second create of one key through this client is refused at once instead of racing it.
//!
//! Hand-written rather than a cache crate: this is one entry that must be patched in place, also
//! while it is still loading. `moka`'s future cache coalesces loads, but holds immutable values
//! (a patch would be a read-modify-write racing other writes, and a write during a load would be
//! lost) and brings 15 crates the provider does not otherwise build (crossbeam, parking_lot,
//! event-listener, uuid, ...) for a single key. The coalescing itself is
//! `tokio::sync::OnceCell`, already a dependency; what is written here is the state around it.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::OnceCell;

/// An item of a shared list, identified by a key (a policy's name, a configuration's uid).
pub trait Keyed: Clone {
    /// The identity used to replace or remove the item.
    fn key(&self) -> &str;
}

type ListResult<T, E> = Result<Arc<Vec<T>>, E>;

/// A write recorded while a list was under way, applied when it arrives.
enum Change<T> {
    Upsert(T),
    Remove(String),
}

/// One list request that concurrent readers share.
struct Flight<T, E> {
    result: OnceCell<ListResult<T, E>>,
}

enum State<T, E> {
    Empty,
    Loading {
        flight: Arc<Flight<T, E>>,
        changes: Vec<Change<T>>,
    },
    Ready(Arc<Vec<T>>),
}

/// The shared copy of one list.
pub struct SharedList<T, E> {
    state: Mutex<State<T, E>>,
    checks: checks::Checks<T, E>,
    reserved: Mutex<HashSet<String>>,
}

impl<T, E> Default for SharedList<T, E> {
    fn default() -> Self {
        Self {
            state: Mutex::new(State::Empty),
            checks: checks::Checks::default(),
            reserved: Mutex::new(HashSet::new()),
        }
    }
}

/// A key reserved for a create through this client ([`SharedList::reserve`]); free again when
/// dropped. While it lives, the create counts among those whose checks share lists.
pub struct Reservation<'a, T, E> {
    list: &'a SharedList<T, E>,
    key: String,
}

impl<T, E> Drop for Reservation<'_, T, E> {
    fn drop(&mut self) {
        locked(&self.list.reserved).remove(&self.key);
        self.list.checks.create_ended();
    }
}

fn locked<V>(mutex: &Mutex<V>) -> MutexGuard<'_, V> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn apply<T: Keyed>(list: &mut Vec<T>, change: Change<T>) {
    match change {
        Change::Upsert(item) => match list.iter_mut().find(|x| x.key() == item.key()) {
            Some(slot) => *slot = item,
            None => list.push(item),
        },
        Change::Remove(key) => list.retain(|x| x.key() != key),
    }
}

/// Puts a new list under way in `state`, in place of what it held.
fn start_flight<T, E>(state: &mut State<T, E>) -> Arc<Flight<T, E>> {
    let flight = Arc::new(Flight {
        result: OnceCell::new(),
    });
    *state = State::Loading {
        flight: flight.clone(),
        changes: Vec::new(),
    };
    flight
}

impl<T: Keyed, E: Clone> SharedList<T, E> {
    fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        locked(&self.state)
    }

    /// The shared list, calling `fetch` only when no list is held and none is under way.
    pub async fn get<F, Fut>(&self, fetch: F) -> ListResult<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        let flight = {
            let mut state = self.lock();
            match &*state {
                State::Ready(list) => return Ok(list.clone()),
                State::Loading { flight, .. } => flight.clone(),
                State::Empty => start_flight(&mut state),
            }
        };
        self.await_flight(&flight, fetch).await
    }

    /// Starts a list that replaces what is held (and detaches any list under way); its readers
    /// call [`Self::await_flight`].
    fn new_flight(&self) -> Arc<Flight<T, E>> {
        start_flight(&mut self.lock())
    }

    /// The answer of `flight`, calling `fetch` when no reader of it has yet.
    async fn await_flight<F, Fut>(&self, flight: &Arc<Flight<T, E>>, fetch: F) -> ListResult<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        let result = flight
            .result
            .get_or_init(|| async { fetch().await.map(Arc::new) })
            .await
            .clone();
        self.settle(flight, result)
    }

    /// Lists again now, whatever is held (to reconcile a write whose outcome is unknown).
    pub async fn refetch<F, Fut>(&self, fetch: F) -> ListResult<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, E>>,
    {
        self.invalidate();
        self.get(fetch).await
    }

    /// Reserves `key` for a create through this client until the reservation is dropped;
    /// `None` when another create holds it.
    pub fn reserve(&self, key: &str) -> Option<Reservation<'_, T, E>> {
        let free = locked(&self.reserved).insert(key.to_string());
        free.then(|| {
            self.checks.create_started();
            Reservation {
                list: self,
                key: key.to_string(),
            }
        })
    }

    /// Keeps the answer of `flight` with the writes made meanwhile, and returns what is held.
    fn settle(&self, flight: &Arc<Flight<T, E>>, result: ListResult<T, E>) -> ListResult<T, E> {
        let mut state = self.lock();
        match &mut *state {
            State::Loading {
                flight: current,
                changes,
            } if Arc::ptr_eq(current, flight) => {
                let changes = mem::take(changes);
                let Ok(list) = result else {
                    *state = State::Empty;
                    return result;
                };
                let mut list = Arc::unwrap_or_clone(list);
                for change in changes {
                    apply(&mut list, change);
                }
                let list = Arc::new(list);
                *state = State::Ready(list.clone());
                Ok(list)
            }
            // Another reader of the same flight settled it first: what it kept is newer.
            State::Ready(list) if result.is_ok() => Ok(list.clone()),
            // Invalidated while under way: the answer still serves the readers that asked.
            _ => result,
        }
    }

    fn change(&self, change: Change<T>) {
        let mut state = self.lock();
        match &mut *state {
            State::Empty => {}
            State::Loading { changes, .. } => changes.push(change),
            State::Ready(list) => apply(Arc::make_mut(list), change),
        }
    }

    /// Records that `item` was created or replaced through this client.
    pub fn upsert(&self, item: T) {
        self.change(Change::Upsert(item));
    }

    /// Records that the item with `key` was deleted through this client.
    pub fn remove(&self, key: &str) {
        self.change(Change::Remove(key.to_string()));
    }

    /// Forgets the held list and detaches any list under way.
    pub fn invalidate(&self) {
        *self.lock() = State::Empty;
    }
}

mod checks;
#[cfg(test)]
mod tests;

pub use checks::{GATHER_LIMIT, MAX_QUIET, MIN_QUIET, REUSE_WINDOW, ROUND};

/// One [`SharedList`] per item type, made on first use, so that their holder (the API client)
/// need not name the item types, which are defined by the API modules built on it.
#[derive(Default)]
pub struct SharedLists {
    lists: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl SharedLists {
    /// The shared list of `T` items (failing with `E`).
    pub fn of<T, E>(&self) -> Arc<SharedList<T, E>>
    where
        T: Keyed + Send + Sync + 'static,
        E: Send + Sync + 'static,
    {
        let list = Arc::clone(
            locked(&self.lists)
                .entry(TypeId::of::<SharedList<T, E>>())
                .or_insert_with(|| Arc::new(SharedList::<T, E>::default())),
        );
        list.downcast()
            .unwrap_or_else(|_| unreachable!("each entry is keyed by its own type"))
    }
}
