//! The JSON of the `coreweave_object_storage_bucket_policy_document` data source, byte for byte
//! the official data source's (reference §3.7): compact; `Version`, `Id` (left out when empty),
//! `Statement`; per statement `Sid` (left out when empty), `Principal` (always; `{}` when unset;
//! kinds sorted, values always lists), `Effect`, `Action` and `Resource` (left out when empty;
//! one item as a string, more as a list), `Condition` (left out when empty; operators and keys
//! sorted, each value a one-item list).

use std::collections::BTreeMap;

use serde::Serialize;

/// The version the data source writes unless told otherwise.
pub const DEFAULT_VERSION: &str = "2012-10-17";

/// The inputs of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentInput {
    /// `Version`.
    pub version: String,
    /// `Id` (empty: none).
    pub id: String,
    /// The statements, in order.
    pub statements: Vec<StatementInput>,
}

/// The inputs of one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementInput {
    /// `Sid` (empty: none).
    pub sid: String,
    /// `Effect`.
    pub effect: String,
    /// `Action`.
    pub action: Vec<String>,
    /// `Resource`.
    pub resource: Vec<String>,
    /// `Principal`: kind (`CW`, `AWS`) to principals.
    pub principal: BTreeMap<String, Vec<String>>,
    /// `Condition`: operator to request key to one value.
    pub condition: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct Rendered<'a> {
    #[serde(rename = "Version")]
    version: &'a str,
    #[serde(rename = "Id", skip_serializing_if = "str::is_empty")]
    id: &'a str,
    #[serde(rename = "Statement")]
    statement: Vec<RenderedStatement<'a>>,
}

#[derive(Serialize)]
struct RenderedStatement<'a> {
    #[serde(rename = "Sid", skip_serializing_if = "str::is_empty")]
    sid: &'a str,
    #[serde(rename = "Principal")]
    principal: &'a BTreeMap<String, Vec<String>>,
    #[serde(rename = "Effect")]
    effect: &'a str,
    #[serde(rename = "Action", skip_serializing_if = "OneOrMore::is_empty")]
    action: OneOrMore<'a>,
    #[serde(rename = "Resource", skip_serializing_if = "OneOrMore::is_empty")]
    resource: OneOrMore<'a>,
    #[serde(rename = "Condition", skip_serializing_if = "BTreeMap::is_empty")]
    condition: BTreeMap<&'a str, BTreeMap<&'a str, [&'a str; 1]>>,
}

/// A list written as a string when it has one item.
#[derive(Serialize)]
#[serde(untagged)]
enum OneOrMore<'a> {
    One(&'a str),
    More(&'a [String]),
}

impl<'a> OneOrMore<'a> {
    fn of(items: &'a [String]) -> Self {
        match items {
            [one] => OneOrMore::One(one),
            more => OneOrMore::More(more),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, OneOrMore::More([]))
    }
}

/// The document's JSON text.
pub fn render(input: &DocumentInput) -> String {
    let rendered = Rendered {
        version: &input.version,
        id: &input.id,
        statement: input
            .statements
            .iter()
            .map(|s| RenderedStatement {
                sid: &s.sid,
                principal: &s.principal,
                effect: &s.effect,
                action: OneOrMore::of(&s.action),
                resource: OneOrMore::of(&s.resource),
                condition: s
                    .condition
                    .iter()
                    .map(|(op, keys)| {
                        let keys = keys.iter().map(|(k, v)| (k.as_str(), [v.as_str()]));
                        (op.as_str(), keys.collect())
                    })
                    .collect(),
            })
            .collect(),
    };
    let json = serde_json::to_string(&rendered).expect("a document always serializes");
    escape_like_go(&json)
}

/// Go's `encoding/json`, which the official data source writes with, escapes `<`, `>`, `&`,
/// U+2028 and U+2029 inside strings; serde_json does not. None of them can appear outside a
/// string in JSON text, so replacing them everywhere is exact.
fn escape_like_go(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
