//! How a bucket policy decides a request (reference §3.6-3.7, the AWS grammar; where the
//! reference is `[U]`, the sandbox's documented decision). A statement matches when one of its
//! principals, one of its actions and one of its resources match and all its conditions hold;
//! any matching `Deny` refuses, else any matching `Allow` allows, else (a policy that says
//! nothing about the request) the request is refused.
//!
//! Principals: the request's `<kind>/<id>` of organization ORG is the ARN
//! `arn:aws:iam::ORG:<kind>/<id>`, and a `role/<group>` is also `arn:aws:iam::ORG:saml/<group>`;
//! principal ARNs and resources match as case-sensitive globs, actions as case-insensitive ones
//! ([`glob_matches`]). Condition keys compare case-insensitively; `cw:PrincipalOrgID` is always
//! present, other keys only when the request carries them.

use std::collections::BTreeMap;

use crate::model::bucket_policy::{BucketPolicy, BucketStatement, Condition, Effect, Operator};
use crate::model::glob::glob_matches;
use crate::model::policy_eval::Evaluation;

/// The condition key every request carries: the principal's organization.
pub const PRINCIPAL_ORG_ID: &str = "cw:PrincipalOrgID";
/// The condition key of a ListBucket request's `prefix`.
pub const S3_PREFIX: &str = "s3:prefix";

/// What is asked, by whom.
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    /// The principal, e.g. `coreweave/<uid>` or `role/<issuer>:<sub>`.
    pub principal: &'a str,
    /// The principal's organization.
    pub principal_org: &'a str,
    /// The action, e.g. `s3:GetObject`.
    pub action: &'a str,
    /// In org-policy form: `*`, `<bucket>` or `<bucket>/<key>`.
    pub resource: &'a str,
    /// Request-context keys besides `cw:PrincipalOrgID` (e.g. `s3:prefix`).
    pub context: &'a BTreeMap<String, String>,
}

impl AccessRequest<'_> {
    /// The bucket the resource is in (`None` for `*`).
    pub fn bucket(&self) -> Option<&str> {
        (self.resource != "*").then(|| {
            self.resource
                .split_once('/')
                .map_or(self.resource, |(bucket, _)| bucket)
        })
    }

    fn context_value(&self, key: &str) -> Option<&str> {
        if key.eq_ignore_ascii_case(PRINCIPAL_ORG_ID) {
            return Some(self.principal_org);
        }
        self.context
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.as_str())
    }

    /// The ARNs the principal answers to.
    fn principal_arns(&self) -> Vec<String> {
        let org = self.principal_org;
        let mut arns = vec![format!("arn:aws:iam::{org}:{}", self.principal)];
        if let Some(group) = self.principal.strip_prefix("role/") {
            arns.push(format!("arn:aws:iam::{org}:saml/{group}"));
        }
        arns
    }
}

fn condition_holds(condition: &Condition, request: &AccessRequest<'_>) -> bool {
    let value = request.context_value(&condition.key);
    let equal = |v: &str| condition.values.iter().any(|c| c == v);
    let like = |v: &str| condition.values.iter().any(|c| glob_matches(c, v, false));
    match condition.operator {
        Operator::StringEquals => value.is_some_and(equal),
        Operator::StringNotEquals => !value.is_some_and(equal),
        Operator::StringLike => value.is_some_and(like),
        Operator::StringNotLike => !value.is_some_and(like),
    }
}

fn statement_matches(statement: &BucketStatement, request: &AccessRequest<'_>) -> bool {
    let arns = request.principal_arns();
    let resource = format!("arn:aws:s3:::{}", request.resource);
    statement
        .principals
        .iter()
        .any(|p| arns.iter().any(|arn| glob_matches(p, arn, false)))
        && statement
            .actions
            .iter()
            .any(|a| glob_matches(a, request.action, true))
        && statement
            .resources
            .iter()
            .any(|r| glob_matches(r, &resource, false))
        && statement
            .conditions
            .iter()
            .all(|c| condition_holds(c, request))
}

/// Decides `request` with `policy` alone; statements are named
/// `bucket_policy:<bucket>/<Sid or [index]>`, sorted.
pub fn evaluate_bucket_policy(policy: &BucketPolicy, request: &AccessRequest<'_>) -> Evaluation {
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    for statement in policy.statements() {
        if statement_matches(statement, request) {
            let name = format!("bucket_policy:{}/{}", policy.bucket(), statement.name);
            match statement.effect {
                Effect::Deny => denies.push(name),
                Effect::Allow => allows.push(name),
            }
        }
    }
    Evaluation::from_matches(denies, allows)
}
