//! Plan-time checks of a bucket-policy document: the grammar errors the API refuses, the rules
//! that tie a policy to its bucket, and warnings about what parses but would not do what was
//! meant. Each problem has a path inside the document and a message that says what to write.

use std::collections::BTreeMap;

use super::canonical::PRINCIPAL_KINDS;
use super::document::{
    read, Document, Principal, Statement, Values, DOCUMENT_KEYS, STATEMENT_KEYS,
};
use super::eval::{decided_by_org_only, CONDITION_KEYS};
use super::glob::{glob_match, Case};
use super::problem::{DocPath, Problem, Step};
use crate::object_storage::policy::actions::{closest_action, KNOWN_S3_ACTIONS};
use crate::validate;

/// The resource ARN prefix of S3 buckets and objects.
const S3_ARN: &str = "arn:aws:s3:::";

/// Every problem of the document `text`, as the policy of `bucket` when given (resources must
/// then name that bucket), in document order.
pub fn check_document(text: &str, bucket: Option<&str>) -> Vec<Problem> {
    let (document, mut problems) = match read(text) {
        Ok(read) => read,
        Err(e) => return vec![e.into_problem()],
    };
    problems.extend(check_parsed(&document, bucket));
    problems.sort_by_cached_key(|p| document_order(&p.path));
    problems
}

/// A sort key that puts paths in the order of a document written the usual way.
fn document_order(path: &DocPath) -> Vec<(usize, usize, String)> {
    path.0
        .iter()
        .map(|step| match step {
            Step::Key(k) => {
                // The document's keys, then a statement's, in the order they are usually written.
                let mut usual = DOCUMENT_KEYS.iter().chain(STATEMENT_KEYS);
                let rank = usual.position(|known| known == k);
                (
                    rank.unwrap_or(DOCUMENT_KEYS.len() + STATEMENT_KEYS.len()),
                    0,
                    k.clone(),
                )
            }
            Step::Index(i) => (0, *i, String::new()),
        })
        .collect()
}

fn check_parsed(document: &Document, bucket: Option<&str>) -> Vec<Problem> {
    let mut problems = Vec::new();
    if document.version.is_none() {
        problems.push(Problem::warning(
            DocPath::root().key("Version"),
            "is missing; write \"Version\": \"2012-10-17\" (without it, the API takes the policy \
             as the older 2008-10-17 language)",
        ));
    }
    let mut sids: BTreeMap<&str, &DocPath> = BTreeMap::new();
    for statement in &document.statements {
        if let Some(sid) = &statement.sid {
            let at = statement.path.key("Sid");
            if let Some(first) = sids.insert(sid, &statement.path) {
                problems.push(Problem::error(
                    at.clone(),
                    format!(
                        "{sid:?} is also the Sid of {first}; each Sid must be unique in the policy"
                    ),
                ));
            }
            if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                problems.push(Problem::warning(
                    at,
                    format!(
                        "CoreWeave's documentation allows only letters and digits in a Sid; the \
                         API has accepted others, but to be safe write {:?}",
                        alphanumeric_sid(sid)
                    ),
                ));
            }
        }
        check_statement(&mut problems, statement, bucket);
    }
    problems
}

/// `allow-all` as `AllowAll`: the letters and digits, each word capitalised.
fn alphanumeric_sid(sid: &str) -> String {
    sid.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

fn check_statement(problems: &mut Vec<Problem>, s: &Statement, bucket: Option<&str>) {
    let at = &s.path;
    check_principal(problems, s.principal.as_ref(), &at.key("Principal"));
    let mut each =
        |values: &Values, key: &str, none: &str, check: &dyn Fn(&str) -> Option<Problem>| {
            let key_at = at.key(key);
            if values.items.is_empty() {
                problems.push(Problem::warning(key_at.clone(), none.to_string()));
            }
            for (i, item) in values.items.iter().enumerate() {
                if let Some(mut problem) = check(item) {
                    problem.path = values.item_path(&key_at, i);
                    problems.push(problem);
                }
            }
        };
    each(
        &s.action,
        "Action",
        "names no action, so the statement matches no request; write e.g. \"Action\": [\"s3:GetObject\"]",
        &|a| action_problem(a).map(|m| Problem::warning(DocPath::root(), m)),
    );
    each(
        &s.resource,
        "Resource",
        "names no resource, so the statement matches no request; write e.g. \"Resource\": \"arn:aws:s3:::<bucket>/*\"",
        &|r| resource_problem(r, bucket),
    );
    for c in &s.condition {
        let key_at = at.key("Condition").key(c.operator.name()).key(&c.key);
        if !CONDITION_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&c.key))
        {
            problems.push(Problem::warning(
                key_at.clone(),
                format!(
                    "{:?} is not a condition key CoreWeave documents ({}): no request carries it, so \
                     StringEquals and StringLike on it never hold, and StringNotEquals and \
                     StringNotLike always do",
                    c.key,
                    CONDITION_KEYS.join(", ")
                ),
            ));
        }
        if c.values.items.is_empty() {
            problems.push(Problem::warning(
                key_at,
                "lists no value; write at least one, e.g. [\"<ORG-ID>\"]",
            ));
        }
    }
}

fn check_principal(problems: &mut Vec<Problem>, principal: Option<&Principal>, at: &DocPath) {
    let kinds = match principal {
        Some(Principal::Anyone) => return,
        Some(Principal::Named(kinds)) => kinds,
        None => {
            problems.push(Problem::warning(
                at.clone(),
                "is missing, so the statement matches no one; write \"Principal\": {\"CW\": \"*\"} \
                 for everyone, or name principals such as \
                 {\"CW\": [\"arn:aws:iam::<ORG-ID>:coreweave/<USER-ID>\"]}",
            ));
            return;
        }
    };
    if kinds.values().all(|v| v.items.is_empty()) {
        problems.push(Problem::warning(
            at.clone(),
            "names no principal, so the statement matches no one; write {\"CW\": \"*\"} for \
             everyone, or list principals under \"CW\"",
        ));
    }
    for (kind, values) in kinds {
        let kind_at = at.key(kind);
        if !PRINCIPAL_KINDS.contains(&kind.as_str()) {
            problems.push(Problem::warning(
                kind_at,
                format!("principal kind {kind:?} names no CoreWeave principal, so it matches no one; write \"CW\" (or \"AWS\", which means the same)"),
            ));
            continue;
        }
        for (i, p) in values.items.iter().enumerate() {
            if let Some(why) = principal_problem(p) {
                problems.push(Problem::warning(values.item_path(&kind_at, i), why));
            }
        }
    }
}

/// What is wrong with a principal of kind `CW` or `AWS`, if anything.
fn principal_problem(principal: &str) -> Option<String> {
    const FORMS: &str = "arn:aws:iam::<ORG-ID>:coreweave/<USER-ID>, \
                         arn:aws:iam::<ORG-ID>:saml/<GROUP> or arn:aws:iam::<ORG-ID>:role/<ROLE>";
    if principal == "*" {
        return None;
    }
    if principal.starts_with("coreweave/") || principal.starts_with("role/") {
        return Some(format!(
            "is the short form organization policies use, and matches no one here; in a bucket \
             policy write \"arn:aws:iam::<ORG-ID>:{principal}\""
        ));
    }
    let Some(rest) = principal.strip_prefix("arn:aws:iam::") else {
        return Some(format!("matches no one: write \"*\" or one of {FORMS}"));
    };
    let (org, name) = rest.split_once(':').unwrap_or((rest, ""));
    if org.is_empty() {
        return Some(format!(
            "has no organization ID between \"arn:aws:iam::\" and the next ':', so it matches no one; write {FORMS}"
        ));
    }
    match name.split_once('/') {
        Some(("coreweave" | "saml" | "role", id)) if !id.is_empty() => None,
        _ => Some(format!(
            "names no CoreWeave user, SAML group or role, so it matches no one; write {FORMS}"
        )),
    }
}

/// What is wrong with an action of a bucket policy, if anything (always a warning).
fn action_problem(action: &str) -> Option<String> {
    if action == "*" {
        return None;
    }
    let Some((service, name)) = action.split_once(':') else {
        return Some(format!(
            "matches no action: write \"*\" or \"s3:<Action>\", e.g. \"s3:{action}\""
        ));
    };
    if service.eq_ignore_ascii_case("cwobject") || decided_by_org_only(action) {
        return Some(format!(
            "{action:?} is decided by organization policies only (so that nobody locks themselves \
             out): a bucket policy statement about it has no effect; grant or deny it in a \
             coreweave_object_storage_org_policy"
        ));
    }
    if !service.eq_ignore_ascii_case("s3") {
        return Some(format!(
            "has service {service:?}, which matches no action: bucket policies grant \"s3:\" actions"
        ));
    }
    let is_pattern = name.contains(['*', '?']);
    let known = |n: &&str| {
        if is_pattern {
            glob_match(name, n, Case::Insensitive)
        } else {
            n.eq_ignore_ascii_case(name)
        }
    };
    if KNOWN_S3_ACTIONS.iter().any(known) {
        return None;
    }
    Some(match closest_action(&format!("s3:{name}")) {
        Some(closest) if !is_pattern => {
            format!("{action:?} is not an S3 action this provider knows; did you mean {closest:?}?")
        }
        _ => format!("{action:?} matches no S3 action this provider knows; check its spelling"),
    })
}

/// What is wrong with a resource of the policy of `bucket` (of any bucket when `None`).
fn resource_problem(resource: &str, bucket: Option<&str>) -> Option<Problem> {
    let at = DocPath::root();
    let example = bucket.unwrap_or("<bucket>");
    let Some(rest) = resource.strip_prefix(S3_ARN) else {
        let message = if resource.starts_with("arn:") {
            format!("is not an S3 ARN; write \"{S3_ARN}{example}\" for the bucket or \"{S3_ARN}{example}/*\" for its objects")
        } else {
            format!(
                "bucket policies name resources by ARN; write \"{S3_ARN}{}\"",
                resource.trim_start_matches("s3://")
            )
        };
        return Some(Problem::error(at, message));
    };
    let (named, key) = match rest.split_once('/') {
        Some((named, key)) => (named, Some(key)),
        None => (rest, None),
    };
    let with_key = |b: &str| match key {
        Some(key) => format!("{S3_ARN}{b}/{key}"),
        None => format!("{S3_ARN}{b}"),
    };
    if named.is_empty() {
        return Some(Problem::error(
            at,
            format!("names no bucket; write \"{S3_ARN}{example}\" for the bucket or \"{S3_ARN}{example}/*\" for its objects"),
        ));
    }
    if let Some(bucket) = bucket {
        if !glob_match(named, bucket, Case::Sensitive) {
            return Some(Problem::error(
                at,
                format!(
                    "is an ARN for another bucket ({named:?}); the policy of bucket {bucket:?} can \
                     only name that bucket and its objects: write {:?}",
                    with_key(bucket)
                ),
            ));
        }
    }
    if named.contains(['*', '?']) {
        return None;
    }
    validate::bucket_name(named).err().map(|e| {
        Problem::warning(
            at,
            format!("has bucket name {named:?}, which {e}, so it matches no bucket"),
        )
    })
}

#[cfg(test)]
mod tests;
