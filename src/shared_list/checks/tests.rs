use std::time::Duration;

use tokio::time::Instant;

use super::super::tests::{Boom, Fetcher, Item};
use super::*;

fn items() -> Vec<Item> {
    vec![Item("a", 1)]
}

#[tokio::test(start_paused = true)]
async fn ten_concurrent_creates_share_one_list_before_and_one_after_their_writes() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let keys = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"];
    let reservations: Vec<_> = keys.iter().map(|k| list.reserve(k).unwrap()).collect();
    let fetch = || fetcher.answer(items());
    let start = Instant::now();
    let before = futures_join(reservations.iter().map(|r| list.before_write(r, fetch))).await;
    assert!(before.iter().all(Result::is_ok));
    assert_eq!(fetcher.calls(), 1, "one list before the ten writes");
    assert_eq!(start.elapsed(), Duration::ZERO, "a full round goes at once");
    let after = futures_join(reservations.iter().map(|r| list.after_write(r, fetch))).await;
    assert!(after.iter().all(Result::is_ok));
    assert_eq!(fetcher.calls(), 2, "one list after the ten writes");
}

/// Runs `futures` concurrently in one task, in order, and collects their outputs.
async fn futures_join<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, future) in done.iter_mut().zip(pending.iter_mut()) {
            if slot.is_none() {
                if let std::task::Poll::Ready(out) = future.as_mut().poll(cx) {
                    *slot = Some(out);
                }
            }
        }
        if done.iter().all(Option::is_some) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    done.into_iter().map(Option::unwrap).collect()
}

#[tokio::test(start_paused = true)]
async fn a_check_after_a_write_never_uses_a_list_that_started_before_it() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(items());
    let reservation = list.reserve("k").unwrap();
    list.before_write(&reservation, fetch).await.unwrap();
    list.after_write(&reservation, fetch).await.unwrap();
    assert_eq!(fetcher.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_check_before_a_write_uses_a_list_started_within_the_window_and_no_older_one() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(items());
    let first = list.reserve("first").unwrap();
    list.before_write(&first, fetch).await.unwrap();
    list.after_write(&first, fetch).await.unwrap();
    drop(first);
    assert_eq!(fetcher.calls(), 2);

    // The first create's checks waited MIN_QUIET for company: the second asks exactly
    // REUSE_WINDOW after the check list after the first write started.
    tokio::time::advance(REUSE_WINDOW - MIN_QUIET).await;
    let second = list.reserve("second").unwrap();
    list.before_write(&second, fetch).await.unwrap();
    assert_eq!(
        fetcher.calls(),
        2,
        "the first create's check after its write, started {REUSE_WINDOW:?} ago, serves"
    );
    drop(second);

    tokio::time::advance(REUSE_WINDOW + Duration::from_millis(1)).await;
    let third = list.reserve("third").unwrap();
    list.before_write(&third, fetch).await.unwrap();
    assert_eq!(fetcher.calls(), 3, "a list older than the window does not");
}

#[tokio::test(start_paused = true)]
async fn the_quiet_time_follows_the_gap_between_creates() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(items());
    // Creates that start 200 ms apart: a round waits three such gaps for the next one (the
    // moving average nears 200 ms over a dozen starts).
    let gap = Duration::from_millis(200);
    for i in 0..12 {
        drop(list.reserve(&format!("k{i}")).unwrap());
        tokio::time::advance(gap).await;
    }
    let last = list.reserve("last").unwrap();
    let start = Instant::now();
    list.before_write(&last, fetch).await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited > gap * 2 && waited <= gap * 3,
        "waited {waited:?} for another create"
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_still_writing_holds_a_check_back_for_at_most_the_gather_limit() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(items());
    let _writing = list.reserve("writing").unwrap();
    let checking = list.reserve("checking").unwrap();
    let start = Instant::now();
    list.before_write(&checking, fetch).await.unwrap();
    assert_eq!(start.elapsed(), GATHER_LIMIT);
    assert_eq!(fetcher.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_smaller_round_goes_ahead_once_no_create_has_started_for_the_quiet_time() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let fetch = || fetcher.answer(items());
    let refused = list.reserve("refused").unwrap();
    let checking = list.reserve("checking").unwrap();
    let start = Instant::now();
    let end = async {
        // Paused time: this only orders the end before the quiet time is up.
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(refused);
    };
    let (checked, ()) = tokio::join!(list.before_write(&checking, fetch), end);
    checked.unwrap();
    assert_eq!(
        start.elapsed(),
        MIN_QUIET,
        "the other create ended after 10 ms"
    );
    assert_eq!(fetcher.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_check_list_is_shared_but_not_reused() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    let first = list.reserve("first").unwrap();
    let second = list.reserve("second").unwrap();
    let (a, b) = tokio::join!(
        list.before_write(&first, || fetcher.fail()),
        list.before_write(&second, || fetcher.fail())
    );
    assert_eq!((a.unwrap_err(), b.unwrap_err()), (Boom, Boom));
    assert_eq!(fetcher.calls(), 1);
    list.before_write(&first, || fetcher.answer(items()))
        .await
        .unwrap();
    assert_eq!(fetcher.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_check_list_replaces_the_held_list() {
    let list = SharedList::<Item, Boom>::default();
    let fetcher = Fetcher::new(None);
    list.get(|| fetcher.answer(vec![Item("old", 1)]))
        .await
        .unwrap();
    let reservation = list.reserve("k").unwrap();
    let seen = list
        .after_write(&reservation, || fetcher.answer(vec![Item("new", 1)]))
        .await
        .unwrap();
    assert_eq!(*seen, [Item("new", 1)]);
    assert_eq!(
        *list.get(|| fetcher.fail()).await.unwrap(),
        [Item("new", 1)]
    );
}
