//! Log capture for unit tests that other tests running in parallel cannot disturb.
//!
//! `tracing` caches, per log statement, whether any subscriber wants it. While at most one
//! dispatcher is registered, tracing-core 0.1 asks only the default subscriber of whichever
//! thread reaches the statement first (tokio-rs/tracing#3611): a parallel test without a
//! subscriber then switches the statement off for a test that captures it. Two inert
//! dispatchers registered before any other and kept for the life of the test process keep
//! tracing on its locked path, which asks every live subscriber, so a capture sees its lines.
//! Every unit test that installs a subscriber goes through [`set_default`].

use std::sync::OnceLock;

use tracing::dispatcher::{self, DefaultGuard, Dispatch};
use tracing::Subscriber;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;

/// Installs `subscriber` for the current thread until the guard drops.
pub fn set_default<S>(subscriber: S) -> DefaultGuard
where
    S: Subscriber + Send + Sync + 'static,
{
    pinned();
    dispatcher::set_default(&Dispatch::new(subscriber))
}

/// The two inert dispatchers, registered on first use. They enable nothing and hint `OFF`, so
/// registering them lets no log statement through anywhere.
fn pinned() -> &'static [Dispatch; 2] {
    static PINNED: OnceLock<[Dispatch; 2]> = OnceLock::new();
    PINNED.get_or_init(|| [inert(), inert()])
}

fn inert() -> Dispatch {
    Dispatch::new(inert_subscriber())
}

fn inert_subscriber() -> impl Subscriber + Send + Sync {
    tracing_subscriber::registry().with(LevelFilter::OFF)
}

mod tests {
    use super::*;

    #[test]
    fn the_pinned_dispatchers_enable_nothing() {
        assert_eq!(inert_subscriber().max_level_hint(), Some(LevelFilter::OFF));
    }
}
