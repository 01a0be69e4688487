use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use super::*;

/// The error of a failed list in these tests.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Boom;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item(pub(super) &'static str, pub(super) u32);

impl Keyed for Item {
    fn key(&self) -> &str {
        self.0
    }
}

/// Counts list calls; each answers `items`, after `gate` is opened when there is one.
pub(super) struct Fetcher<'a> {
    calls: AtomicUsize,
    gate: Option<&'a Notify>,
}

impl<'a> Fetcher<'a> {
    pub(super) fn new(gate: Option<&'a Notify>) -> Self {
        Self {
            calls: AtomicUsize::new(0),
            gate,
        }
    }

    pub(super) fn answer(
        &self,
        items: Vec<Item>,
    ) -> impl Future<Output = Result<Vec<Item>, Boom>> + '_ {
        self.calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if let Some(gate) = self.gate {
                gate.notified().await;
            }
            Ok(items)
        }
    }

    pub(super) fn fail(&self) -> impl Future<Output = Result<Vec<Item>, Boom>> + '_ {
        self.calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if let Some(gate) = self.gate {
                gate.notified().await;
            }
            Err(Boom)
        }
    }

    pub(super) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn concurrent_readers_share_one_fetch_and_later_readers_reuse_it() {
    let list = SharedList::default();
    let gate = Notify::new();
    let fetcher = Fetcher::new(Some(&gate));
    let get = || list.get(|| fetcher.answer(vec![Item("a", 1), Item("b", 1)]));
    let open = async { gate.notify_one() };
    let (x, y, z, ()) = tokio::join!(get(), get(), get(), open);
    assert!(Arc::ptr_eq(&x.unwrap(), &y.unwrap()));
    assert_eq!(z.unwrap().len(), 2);
    assert_eq!(get().await.unwrap().len(), 2);
    assert_eq!(fetcher.calls(), 1);
}

#[tokio::test]
async fn writes_update_the_held_list_in_place() {
    let list = SharedList::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(vec![Item("a", 1), Item("b", 1)]);
    list.get(fetch).await.unwrap();
    list.upsert(Item("b", 2));
    list.upsert(Item("c", 1));
    list.remove("a");
    list.remove("never-there");
    assert_eq!(
        *list.get(fetch).await.unwrap(),
        [Item("b", 2), Item("c", 1)]
    );
    assert_eq!(fetcher.calls(), 1);
}

#[tokio::test]
async fn a_reader_holding_the_old_list_keeps_its_snapshot() {
    let list = SharedList::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(vec![Item("a", 1)]);
    let before = list.get(fetch).await.unwrap();
    list.remove("a");
    assert_eq!(*before, [Item("a", 1)]);
    assert!(list.get(fetch).await.unwrap().is_empty());
}

#[tokio::test]
async fn writes_made_while_a_list_is_under_way_are_applied_to_it() {
    let list = SharedList::default();
    let gate = Notify::new();
    let fetcher = Fetcher::new(Some(&gate));
    let fetch = || fetcher.answer(vec![Item("a", 1), Item("gone", 1)]);
    // join! polls in order: the list starts, then the writes land, then the answer comes.
    let write = async {
        list.upsert(Item("a", 2));
        list.upsert(Item("new", 1));
        list.remove("gone");
        gate.notify_one();
    };
    let (seen, ()) = tokio::join!(list.get(fetch), write);
    let expected = [Item("a", 2), Item("new", 1)];
    assert_eq!(*seen.unwrap(), expected);
    assert_eq!(*list.get(fetch).await.unwrap(), expected);
    assert_eq!(fetcher.calls(), 1);
}

#[tokio::test]
async fn writes_to_an_empty_cache_are_dropped_until_a_list_is_taken() {
    let list = SharedList::default();
    list.upsert(Item("local", 1));
    let fetcher = Fetcher::new(None);
    let fetched = list.get(|| fetcher.answer(vec![Item("remote", 1)])).await;
    assert_eq!(*fetched.unwrap(), [Item("remote", 1)]);
}

#[tokio::test]
async fn a_failed_list_is_shared_but_not_kept() {
    let list = SharedList::default();
    let gate = Notify::new();
    let fetcher = Fetcher::new(Some(&gate));
    let open = async { gate.notify_one() };
    let (x, y, ()) = tokio::join!(
        list.get(|| fetcher.fail()),
        list.get(|| fetcher.fail()),
        open
    );
    assert_eq!(x.unwrap_err(), y.unwrap_err());
    assert_eq!(fetcher.calls(), 1);
    gate.notify_one();
    let again = list.get(|| fetcher.answer(vec![Item("a", 1)])).await;
    assert_eq!(again.unwrap().len(), 1);
    assert_eq!(fetcher.calls(), 2);
}

#[test]
fn a_key_is_reserved_once_until_its_reservation_is_dropped() {
    let list = SharedList::<Item, Boom>::default();
    let first = list.reserve("a").expect("free");
    assert!(list.reserve("a").is_none());
    assert!(list.reserve("b").is_some(), "other keys stay free");
    drop(first);
    assert!(list.reserve("a").is_some());
}

#[tokio::test]
async fn invalidate_and_refetch_list_again() {
    let list = SharedList::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(vec![Item("a", 1)]);
    list.get(fetch).await.unwrap();
    list.invalidate();
    list.get(fetch).await.unwrap();
    list.refetch(fetch).await.unwrap();
    assert_eq!(fetcher.calls(), 3);
}

#[tokio::test]
async fn a_list_detached_by_invalidate_answers_its_readers_but_is_not_kept() {
    let list = SharedList::default();
    let gate = Notify::new();
    let fetcher = Fetcher::new(Some(&gate));
    let invalidate = async {
        list.invalidate();
        gate.notify_one();
    };
    let (seen, ()) = tokio::join!(
        list.get(|| fetcher.answer(vec![Item("old", 1)])),
        invalidate
    );
    assert_eq!(*seen.unwrap(), [Item("old", 1)]);
    gate.notify_one();
    let fresh = list.get(|| fetcher.answer(vec![Item("new", 1)])).await;
    assert_eq!(*fresh.unwrap(), [Item("new", 1)]);
    assert_eq!(fetcher.calls(), 2);
}
