//! How organization access policies decide a request (reference §3.6), for the
//! `coreweave_object_storage_access_check` data source.
//!
//! A statement matches when one of its principals, one of its actions and one of its resources
//! match; a pattern is `*` (anything), `prefix*` (a prefix match) or an exact, case-sensitive
//! string. Any matching `Deny` wins; else any matching `Allow` allows; else the request is
//! implicitly denied. This is the first layer; [`crate::object_storage::bucket_policy::eval`]
//! adds the bucket's policy after it.
//!
//! The sandbox has its own implementation; both run the shared table
//! `tests/data/policy_evaluation_cases.json`, so a rule one of them lacks fails the tests.

use crate::api::cwobject::{AccessPolicy, PolicyStatement};

/// The outcome for one (principal, action, resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A matching `Allow` and no matching `Deny`.
    Allowed,
    /// A matching `Deny`.
    ExplicitDeny,
    /// No matching statement.
    ImplicitDeny,
}

impl Decision {
    /// `allowed`, `explicit_deny` or `implicit_deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }
}

/// A decision and the deciding statements as sorted `<policy>/<statement>` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// The matching `Deny`s for an explicit deny, the matching `Allow`s for an allow.
    pub matched: Vec<String>,
}

impl Evaluation {
    /// The decision of the matching statements' names: any `Deny` wins, else any `Allow`
    /// allows, else the request is implicitly denied.
    pub fn from_matches(denies: Vec<String>, allows: Vec<String>) -> Self {
        let (decision, mut matched) = match (denies.is_empty(), allows.is_empty()) {
            (false, _) => (Decision::ExplicitDeny, denies),
            (true, false) => (Decision::Allowed, allows),
            (true, true) => (Decision::ImplicitDeny, Vec::new()),
        };
        matched.sort();
        Evaluation { decision, matched }
    }
}

/// True when `pattern` matches `value`.
fn matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

fn statement_applies(s: &PolicyStatement, principal: &str, action: &str, resource: &str) -> bool {
    let any = |patterns: &[String], value: &str| patterns.iter().any(|p| matches(p, value));
    any(&s.principals, principal) && any(&s.actions, action) && any(&s.resources, resource)
}

/// Decides `action` on `resource` for `principal` under `policies`.
pub fn evaluate<'a>(
    policies: impl IntoIterator<Item = &'a AccessPolicy>,
    principal: &str,
    action: &str,
    resource: &str,
) -> Evaluation {
    let (mut denies, mut allows) = (Vec::new(), Vec::new());
    for policy in policies {
        for s in &policy.statements {
            if statement_applies(s, principal, action, resource) {
                let name = format!("{}/{}", policy.name, s.name);
                if s.effect == "Deny" {
                    denies.push(name);
                } else {
                    allows.push(name);
                }
            }
        }
    }
    Evaluation::from_matches(denies, allows)
}

/// The live policies with each what-if policy in place of the live one of the same name (or
/// added when there is none).
pub fn with_what_ifs<'a>(
    live: &'a [AccessPolicy],
    what_ifs: &'a [AccessPolicy],
) -> Vec<&'a AccessPolicy> {
    live.iter()
        .filter(|p| what_ifs.iter().all(|w| w.name != p.name))
        .chain(what_ifs)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Case {
        name: String,
        rule: String,
        principal: String,
        action: String,
        resource: String,
        policies: Vec<AccessPolicy>,
        decision: String,
        matched_statements: Vec<String>,
    }

    #[test]
    fn the_provider_evaluator_agrees_with_every_case_of_the_shared_table() {
        let cases: Vec<Case> = crate::case_table::cases(
            include_str!("../../../tests/data/policy_evaluation_cases.json"),
            20,
        );
        for case in &cases {
            let got = evaluate(
                &case.policies,
                &case.principal,
                &case.action,
                &case.resource,
            );
            assert_eq!(
                (got.decision.as_str(), &got.matched),
                (case.decision.as_str(), &case.matched_statements),
                "case {:?} ({})",
                case.name,
                case.rule
            );
        }
    }

    fn policy(name: &str, statement: &str) -> AccessPolicy {
        AccessPolicy {
            version: "v1alpha1".into(),
            name: name.into(),
            statements: vec![PolicyStatement {
                name: statement.into(),
                effect: "Allow".into(),
                actions: vec!["*".into()],
                resources: vec!["*".into()],
                principals: vec!["*".into()],
            }],
        }
    }

    #[test]
    fn a_what_if_policy_replaces_the_live_one_of_its_name() {
        let live = [policy("a", "live-a"), policy("b", "live-b")];
        let what_ifs = [policy("b", "new-b"), policy("c", "new-c")];
        let names: Vec<String> = with_what_ifs(&live, &what_ifs)
            .iter()
            .map(|p| format!("{}/{}", p.name, p.statements[0].name))
            .collect();
        assert_eq!(names, ["a/live-a", "b/new-b", "c/new-c"]);
    }
}
