//! How organization access policies decide a request (reference §3.6): a statement matches when
//! one of its principals, actions and resources match; any matching `Deny` wins, else any
//! matching `Allow` allows, else the request is implicitly denied. A pattern is `*` (anything),
//! `prefix*` (a prefix match) or an exact, case-sensitive string.
//!
//! The provider has its own implementation; both run the shared table
//! `tests/data/policy_evaluation_cases.json` so that they cannot drift apart.

use crate::model::policy::{Policy, Statement};

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

/// A decision and the `<policy>/<statement>` names that made it, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// The deciding statements (the `Deny`s for a deny, the `Allow`s for an allow).
    pub matched: Vec<String>,
}

impl Evaluation {
    /// The decision of the matching statements' names: any `Deny` wins, else any `Allow`
    /// allows, else the request is implicitly denied.
    pub fn from_matches(denies: Vec<String>, allows: Vec<String>) -> Self {
        let (decision, mut matched) = if !denies.is_empty() {
            (Decision::ExplicitDeny, denies)
        } else if !allows.is_empty() {
            (Decision::Allowed, allows)
        } else {
            (Decision::ImplicitDeny, Vec::new())
        };
        matched.sort();
        Evaluation { decision, matched }
    }
}

/// True when `pattern` (`*`, `prefix*` or exact) matches `value`.
pub fn pattern_matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

fn any_matches(patterns: &[String], value: &str) -> bool {
    patterns.iter().any(|p| pattern_matches(p, value))
}

fn statement_matches(s: &Statement, principal: &str, action: &str, resource: &str) -> bool {
    any_matches(&s.principals, principal)
        && any_matches(&s.actions, action)
        && any_matches(&s.resources, resource)
}

/// Decides `action` on `resource` for `principal` under `policies`.
pub fn evaluate(policies: &[Policy], principal: &str, action: &str, resource: &str) -> Evaluation {
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    for policy in policies {
        for s in &policy.statements {
            if statement_matches(s, principal, action, resource) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_exact_prefix_or_anything() {
        assert!(pattern_matches("*", "s3:GetObject"));
        assert!(pattern_matches("s3:*", "s3:GetObject"));
        assert!(!pattern_matches("s3:*", "cwobject:CreateAccessKeyOIDC"));
        assert!(pattern_matches("s3:GetObject", "s3:GetObject"));
        assert!(!pattern_matches("s3:getobject", "s3:GetObject"));
        assert!(!pattern_matches(
            "role/https://i/*",
            "role/https://i:system:serviceaccount:a:b"
        ));
    }
}
