//! The canonical form of a document, so that two documents that mean the same compare equal:
//! key order, statement order, a single value as a string or a one-element list, duplicate
//! items, whitespace, and `"*"` against `{"CW": "*"}` or `{"AWS": ["*"]}` never make a diff.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value as Json};

use super::document::{Document, Principal, Statement};

/// The principal kinds that name CoreWeave principals; both mean the same.
pub const PRINCIPAL_KINDS: &[&str] = &["CW", "AWS"];

/// Whether two policy texts mean the same. Texts that do not parse as a document the API would
/// accept compare as text.
pub fn same_meaning(a: &str, b: &str) -> bool {
    match (Document::parse(a), Document::parse(b)) {
        (Ok(a), Ok(b)) => canonical(&a) == canonical(&b),
        (Err(_), Err(_)) => a == b,
        _ => false,
    }
}

/// The canonical JSON of a document: statements sorted with duplicates dropped, values as sorted
/// sets, `CW` and `AWS` principals merged, and a principal `*` standing for all of them.
pub fn canonical(document: &Document) -> Json {
    let mut statements: Vec<Json> = document
        .statements
        .iter()
        .map(canonical_statement)
        .collect();
    statements.sort_by_cached_key(Json::to_string);
    statements.dedup();
    json!({
        "Version": document.version,
        "Id": document.id.as_deref().filter(|id| !id.is_empty()),
        "Statement": statements,
    })
}

fn canonical_statement(s: &Statement) -> Json {
    let set = |items: &[String]| items.iter().cloned().collect::<BTreeSet<String>>();
    let mut conditions: BTreeMap<&str, BTreeMap<&str, BTreeSet<String>>> = BTreeMap::new();
    for c in &s.condition {
        conditions
            .entry(c.operator.name())
            .or_default()
            .entry(&c.key)
            .or_default()
            .extend(c.values.items.iter().cloned());
    }
    json!({
        "Sid": s.sid,
        "Effect": s.effect.as_str(),
        "Principal": canonical_principal(s.principal.as_ref()),
        "Action": set(&s.action.items),
        "Resource": set(&s.resource.items),
        "Condition": conditions,
    })
}

/// `"*"` when the principal matches everyone, else the principals by kind (`CW` for `AWS` too);
/// no principal and an empty map both match no one.
fn canonical_principal(principal: Option<&Principal>) -> Json {
    let Some(Principal::Named(kinds)) = principal else {
        return match principal {
            Some(Principal::Anyone) => json!("*"),
            _ => json!({}),
        };
    };
    let mut merged: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (kind, values) in kinds {
        let kind = if PRINCIPAL_KINDS.contains(&kind.as_str()) {
            "CW"
        } else {
            kind.as_str()
        };
        let items = values.items.iter().map(String::as_str);
        merged.entry(kind).or_default().extend(items);
    }
    if merged.get("CW").is_some_and(|cw| cw.contains("*")) {
        return json!("*");
    }
    merged.retain(|_, values| !values.is_empty());
    json!(merged)
}

#[cfg(test)]
mod tests;
