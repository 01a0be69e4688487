//! The tables of cases under `tests/data/` (`{"description": …, "cases": [...]}`), read by the
//! unit tests that run them.

use serde::de::DeserializeOwned;
use serde::Deserialize;

#[derive(Deserialize)]
struct Table<C> {
    cases: Vec<C>,
}

/// The cases of a table's text, at least `at_least` of them (a table that lost cases fails).
pub fn cases<C: DeserializeOwned>(text: &str, at_least: usize) -> Vec<C> {
    let table: Table<C> = serde_json::from_str(text).expect("the table reads");
    assert!(table.cases.len() >= at_least, "the table lost cases");
    table.cases
}
