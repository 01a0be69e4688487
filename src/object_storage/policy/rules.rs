//! Plan-time rules for organization access policy statements (reference §3.2–3.4).
//!
//! Pure functions over plain data, so that every rule is unit-tested without Terraform. A rule
//! the API enforces is an error; a rule stricter than the API (what is only suspicious, or can
//! never match) is a warning that says what the statement matches, so that a policy the API
//! accepted can always be imported and planned.

use std::collections::BTreeSet;

use super::actions::{classify_action, ActionKind, GLOBAL_S3_ACTIONS};
use crate::validate::{self, Scheme};

/// A statement as written in configuration; `None` marks a value unknown at plan time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementInput {
    pub name: Option<String>,
    pub effect: Option<String>,
    pub actions: Option<BTreeSet<String>>,
    pub resources: Option<BTreeSet<String>>,
    pub principals: Option<BTreeSet<String>>,
}

/// One finding about one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Whether it blocks the plan: only what the API refuses does.
    pub error: bool,
    /// The diagnostic's summary.
    pub summary: &'static str,
    /// Message naming the statement and the rule.
    pub message: String,
}

/// Summary of an error: the API refuses the statement.
const REFUSED: &str = "Invalid policy statement";
/// Summary of a warning about a part the API accepts but that matches nothing, or may not.
const MATCHES_NOTHING: &str = "Policy statement may match nothing";
/// Summary of a warning about a well-formed action the provider does not know.
const UNKNOWN_ACTION: &str = "Unrecognised policy action";

fn label(index: usize, stmt: &StatementInput) -> String {
    match &stmt.name {
        Some(n) if !n.is_empty() => format!("statement {n:?}"),
        _ => format!("statement #{}", index + 1),
    }
}

/// Checks the statements of one policy. `statements` is `None` when unknown at plan time.
pub fn check_statements(statements: &[StatementInput]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if statements.is_empty() {
        findings.push(Finding {
            error: true,
            summary: REFUSED,
            message: "a policy needs at least one statement".into(),
        });
        return findings;
    }
    let mut seen = BTreeSet::new();
    for (i, stmt) in statements.iter().enumerate() {
        let who = label(i, stmt);
        let mut errors = Vec::new();
        let mut warnings: Vec<(&'static str, String)> = Vec::new();
        let mut error = |message: String| errors.push(message);
        match stmt.name.as_deref() {
            Some("") => error("`name` must not be empty".into()),
            Some(n) if !seen.insert(n.to_string()) => {
                error("`name` is used by another statement of this policy; statement names must be unique".into())
            }
            Some(n) if n.trim().is_empty() => warnings.push((
                MATCHES_NOTHING,
                format!("`name` is only whitespace ({n:?}); the API accepts it, but no one can tell the statement apart by it"),
            )),
            _ => {}
        }
        if let Some(effect) = &stmt.effect {
            if effect != "Allow" && effect != "Deny" {
                error(format!("`effect` must be exactly \"Allow\" or \"Deny\" (case-sensitive); got {effect:?}"));
            }
        }
        for (attr, set) in [
            ("actions", &stmt.actions),
            ("resources", &stmt.resources),
            ("principals", &stmt.principals),
        ] {
            if let Some(set) = set {
                if set.is_empty() {
                    error(format!("`{attr}` must not be empty"));
                }
                if set.contains("") {
                    error(format!("`{attr}` has an empty entry"));
                }
                if let Some(spaced) = set
                    .iter()
                    .find(|v| !v.is_empty() && v.chars().any(char::is_whitespace))
                {
                    warnings.push((
                        MATCHES_NOTHING,
                        format!("`{attr}` has an entry with whitespace: {spaced:?}; the API accepts it, but no name of an action, bucket or principal has whitespace, so it matches nothing"),
                    ));
                }
            }
        }
        if let Some(actions) = &stmt.actions {
            for action in actions {
                match classify_action(action) {
                    _ if action.chars().any(char::is_whitespace) => {}
                    ActionKind::Invalid(why) => warnings.push((
                        MATCHES_NOTHING,
                        format!("action {action:?} {why} (the API accepts it, but it matches no action)"),
                    )),
                    ActionKind::Unknown(Some(closest)) => warnings.push((UNKNOWN_ACTION, format!(
                        "action {action:?} is not an action this provider knows; did you mean {closest:?}?"
                    ))),
                    ActionKind::Unknown(None) => warnings.push((UNKNOWN_ACTION, format!(
                        "action {action:?} is not an action this provider knows; check its spelling"
                    ))),
                    ActionKind::Known => {}
                }
            }
            let global: Vec<&String> = actions
                .iter()
                .filter(|a| {
                    *a == "*"
                        || a.starts_with("cwobject:")
                        || GLOBAL_S3_ACTIONS.contains(&a.as_str())
                })
                .collect();
            if let (Some(first), Some(resources)) = (global.first(), &stmt.resources) {
                if resources.len() != 1 || !resources.contains("*") {
                    error(format!(
                        "action {first:?} is global, so `resources` must be exactly [\"*\"]; \
                         move bucket-scoped actions into a separate statement"
                    ));
                }
            }
        }
        if let Some(resources) = &stmt.resources {
            for r in resources.iter().filter(|r| !has_space(r)) {
                if let Err(why) = check_resource(r) {
                    warnings.push((MATCHES_NOTHING, format!("resource {r:?} {why}")));
                }
            }
        }
        if let Some(principals) = &stmt.principals {
            for p in principals.iter().filter(|p| !has_space(p)) {
                if let Err(why) = check_principal(p) {
                    warnings.push((
                        MATCHES_NOTHING,
                        format!("principal {p:?} {why} (the API accepts it, but it is unlikely to match any caller)"),
                    ));
                }
            }
        }
        let tagged = |error: bool, summary: &'static str, message: String| Finding {
            error,
            summary,
            message: format!("{who}: {message}"),
        };
        findings.extend(errors.into_iter().map(|m| tagged(true, REFUSED, m)));
        findings.extend(
            warnings
                .into_iter()
                .map(|(summary, m)| tagged(false, summary, m)),
        );
    }
    findings
}

/// Whether an entry is empty or holds whitespace (reported once, by the set check).
fn has_space(entry: &str) -> bool {
    entry.is_empty() || entry.chars().any(char::is_whitespace)
}

/// What a resource the API accepts but no bucket can have matches.
const NO_MATCH: &str = "(the API accepts it, but it matches no bucket or object)";

/// Checks an organization-policy resource: `*`, `<bucket>`, `<bucket>/*` or
/// `<bucket>/<key prefix>*` (reference §3.4, §3.6: a trailing `*` is a prefix match). The
/// message says what was probably meant.
pub fn check_resource(resource: &str) -> Result<(), String> {
    if resource == "*" {
        return Ok(());
    }
    if resource.starts_with("arn:") {
        let bucket = resource.rsplit(':').next().unwrap_or_default();
        let bucket = bucket.split('/').next().unwrap_or_default();
        return Err(format!(
            "is an ARN; ARNs belong in bucket policies (set through the S3 API). Organization \
             policies name buckets directly: \"{bucket}\" for the bucket, \"{bucket}/*\" for its objects \
             {NO_MATCH}"
        ));
    }
    if let Some((scheme, rest)) = resource.split_once("://") {
        let bucket = rest.split('/').next().unwrap_or_default();
        return Err(format!(
            "has a URL scheme ({scheme}://); write the bucket name alone: \"{bucket}\" for the \
             bucket, \"{bucket}/*\" for its objects {NO_MATCH}"
        ));
    }
    let (bucket, key) = match resource.split_once('/') {
        Some((bucket, key)) => (bucket, Some(key)),
        None => (resource, None),
    };
    if bucket.contains('*') {
        return Err(
            "has a wildcard in the bucket name; `*` is documented only alone or at the end of an \
             object key prefix: \"*\", \"<bucket>\", \"<bucket>/*\" or \"<bucket>/<key prefix>*\" \
             (the API accepts it, but whether it matches buckets by prefix is not documented)"
                .into(),
        );
    }
    validate::bucket_name(bucket)
        .map_err(|e| format!("has bucket name {bucket:?}, which {e} {NO_MATCH}"))?;
    match key {
        None => Ok(()),
        Some("") => Err(format!(
            "ends with '/'; write \"{bucket}\" for the bucket or \"{bucket}/*\" for its objects {NO_MATCH}"
        )),
        Some(key) => match key.find('*') {
            Some(at) if at == key.len() - 1 => Ok(()),
            Some(at) => Err(format!(
                "has `*` inside the object key; `*` is a wildcard only at the end, e.g. \"{bucket}/{}*\" \
                 (the API accepts it, but that `*` matches only a `*` in a key)",
                &key[..at]
            )),
            None => Err(format!(
                "names a single object key; organization policies grant on \"{bucket}/*\" or a key \
                 prefix ending in `*`, e.g. \"{bucket}/{key}*\" (the API accepts it, and it matches \
                 only that one object)"
            )),
        },
    }
}

/// Checks a principal: `*`, `coreweave/<user id>`, `role/<https issuer>:<subject>`,
/// `role/<https issuer prefix>*`, or `role/<SAML user or group>`.
pub fn check_principal(principal: &str) -> Result<(), String> {
    if principal == "*" {
        return Ok(());
    }
    if let Some(id) = principal.strip_prefix("coreweave/") {
        return if id.is_empty() || id.contains('/') {
            Err("must be \"coreweave/<user id>\"".into())
        } else {
            Ok(())
        };
    }
    let Some(role) = principal.strip_prefix("role/") else {
        return Err("must be \"*\", \"coreweave/<user id>\" or \"role/<issuer>:<subject>\" (short form, not an ARN)".into());
    };
    if role.is_empty() {
        return Err("names no role after \"role/\"".into());
    }
    if role.starts_with("http://") {
        return Err("must use an https:// issuer".into());
    }
    if !role.starts_with("https://") {
        // SAML users and groups, e.g. role/Admin.
        return Ok(());
    }
    if let Some(prefix) = role.strip_suffix('*') {
        return if prefix.len() > "https://".len() {
            Ok(())
        } else {
            Err("has a wildcard without an issuer before it".into())
        };
    }
    let Some((issuer, subject)) = split_issuer_subject(role) else {
        return Err(
            "must be \"role/<issuer>:<subject>\", e.g. role/https://oidc.cks.coreweave.com/id/<cluster>:system:serviceaccount:<namespace>:<name>; \
             use provider::coreweave::service_account_principal to build it"
                .into(),
        );
    };
    validate::issuer_url(issuer, Scheme::HttpsOnly)
        .map_err(|e| format!("has an issuer that {e}"))?;
    if subject.is_empty() {
        return Err("has an empty subject after the issuer".into());
    }
    Ok(())
}

/// Splits `https://host[:port]/path:subject` at the colon that ends the issuer.
fn split_issuer_subject(role: &str) -> Option<(&str, &str)> {
    let after_scheme = "https://".len();
    let rest = &role[after_scheme..];
    let mut offset = 0;
    while let Some(pos) = rest[offset..].find(':') {
        let colon = offset + pos;
        let tail = &rest[colon + 1..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let is_port =
            digits > 0 && !rest[..colon].contains('/') && tail[digits..].starts_with(['/', ':']);
        if !is_port {
            return Some((&role[..after_scheme + colon], &rest[colon + 1..]));
        }
        offset = colon + 1;
    }
    None
}

#[cfg(test)]
mod tests;
