//! How CoreWeave decides a request with two layers of policy (reference §3.6, §3.7):
//! organization policies first, then the bucket's policy.
//!
//! Any matching organization `Deny` refuses, and no matching organization `Allow` is an implicit
//! refusal. After an organization `Allow`, `s3:PutBucketPolicy`, `s3:ListAllMyBuckets` and every
//! `cwobject:` action, and any request on no bucket (resource `*`), are decided by organization
//! policies alone (so nobody locks themselves out); otherwise the bucket's policy decides: none
//! allows, a matching `Deny` refuses, else a matching `Allow` allows, else (a policy that matches
//! nothing) the request is refused. A bucket `Allow` never overrides an organization `Deny`.
//!
//! A bucket statement matches when its principal, one of its actions and one of its resources
//! match and all its conditions hold. Principals are ARNs: `arn:aws:iam::<ORG>:coreweave/<USER>`
//! is principal `coreweave/<USER>` of organization `<ORG>`; `...:saml/<GROUP>` and
//! `...:role/<REST>` are `role/<GROUP>` and `role/<REST>` (the `role/` form for federated roles
//! is our decision: the reference leaves it open). Actions match as case-insensitive globs,
//! resources and principals as case-sensitive ones (`*` any run, `?` one character).
//!
//! The sandbox decides with its own implementation; both run the shared table
//! `tests/data/bucket_policy_evaluation_cases.json`.

use std::collections::BTreeMap;

use super::canonical::PRINCIPAL_KINDS;
use super::document::{Condition, Document, Effect, Operator, Principal, Statement};
use super::glob::{glob_match, Case};
use crate::api::cwobject::AccessPolicy;
use crate::object_storage::policy::eval::{evaluate, Decision, Evaluation};

/// The request keys conditions can test (compared ignoring case).
pub const CONDITION_KEYS: &[&str] = &["cw:PrincipalOrgID", "s3:prefix"];

/// S3 actions decided by organization policies alone (besides every `cwobject:` action).
pub const ORG_ONLY_S3_ACTIONS: &[&str] = &["s3:PutBucketPolicy", "s3:ListAllMyBuckets"];

/// Whether only organization policies decide `action`.
pub fn decided_by_org_only(action: &str) -> bool {
    let cwobject = action
        .get(..9)
        .is_some_and(|service| service.eq_ignore_ascii_case("cwobject:"));
    cwobject
        || ORG_ONLY_S3_ACTIONS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(action))
}

/// The bucket an organization-form resource (`*`, `<bucket>`, `<bucket>/<key>`) is on, if any.
pub fn bucket_of(resource: &str) -> Option<&str> {
    (resource != "*").then(|| resource.split('/').next().unwrap_or_default())
}

/// One request, as both layers see it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The principal asking, in the organization-policy form (`coreweave/<USER>`, `role/...`).
    pub principal: &'a str,
    /// The principal's organization (`cw:PrincipalOrgID`).
    pub principal_org: &'a str,
    /// The concrete action, e.g. `s3:GetObject`.
    pub action: &'a str,
    /// The resource in the organization-policy form: `*`, `<bucket>` or `<bucket>/<key>`.
    pub resource: &'a str,
    /// Other request keys, such as `s3:prefix` for a `ListBucket` with a prefix.
    pub context: &'a BTreeMap<String, String>,
}

impl Request<'_> {
    /// The bucket the request is on, if any.
    pub fn bucket(&self) -> Option<&str> {
        bucket_of(self.resource)
    }

    /// The value of request key `key`, if the request has it.
    fn context_value(&self, key: &str) -> Option<&str> {
        if key.eq_ignore_ascii_case("cw:PrincipalOrgID") {
            return Some(self.principal_org);
        }
        self.context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The ARNs a bucket policy may name the principal by.
    fn principal_arns(&self) -> Vec<String> {
        let org = self.principal_org;
        if let Some(user) = self.principal.strip_prefix("coreweave/") {
            return vec![format!("arn:aws:iam::{org}:coreweave/{user}")];
        }
        if let Some(role) = self.principal.strip_prefix("role/") {
            return vec![
                format!("arn:aws:iam::{org}:role/{role}"),
                format!("arn:aws:iam::{org}:saml/{role}"),
            ];
        }
        Vec::new()
    }
}

/// Which layer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// The organization's access policies.
    OrgPolicy,
    /// The bucket's policy.
    BucketPolicy,
}

impl DecidedBy {
    /// `org_policy` or `bucket_policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::OrgPolicy => "org_policy",
            DecidedBy::BucketPolicy => "bucket_policy",
        }
    }
}

/// A two-layer decision: the decision, its deciding statements, and the deciding layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayeredEvaluation {
    /// Decision and deciding statements (`<policy>/<statement>` or `bucket_policy:...` names).
    pub evaluation: Evaluation,
    /// The layer that decided.
    pub decided_by: DecidedBy,
}

/// Decides `request` under the organization's policies and the policy of each bucket that has
/// one (`bucket_policies`, by bucket name).
pub fn decide<'a>(
    org_policies: impl IntoIterator<Item = &'a AccessPolicy>,
    bucket_policies: &BTreeMap<String, Document>,
    request: &Request,
) -> LayeredEvaluation {
    let org = evaluate(
        org_policies,
        request.principal,
        request.action,
        request.resource,
    );
    let by_org = |evaluation| LayeredEvaluation {
        evaluation,
        decided_by: DecidedBy::OrgPolicy,
    };
    if org.decision != Decision::Allowed || decided_by_org_only(request.action) {
        return by_org(org);
    }
    let Some((bucket, document)) = request
        .bucket()
        .and_then(|b| bucket_policies.get_key_value(b))
    else {
        return by_org(org);
    };
    LayeredEvaluation {
        evaluation: evaluate_bucket_policy(bucket, document, request),
        decided_by: DecidedBy::BucketPolicy,
    }
}

/// The name of a bucket statement in `matched_statements`: `bucket_policy:<bucket>/<Sid>`, or
/// `bucket_policy:<bucket>/[<index>]` for a statement without a `Sid`.
pub fn statement_name(bucket: &str, statement: &Statement) -> String {
    match &statement.sid {
        Some(sid) => format!("bucket_policy:{bucket}/{sid}"),
        None => format!("bucket_policy:{bucket}/[{}]", statement.index),
    }
}

/// Decides `request` under the policy of `bucket` alone.
pub fn evaluate_bucket_policy(bucket: &str, document: &Document, request: &Request) -> Evaluation {
    let (mut denies, mut allows) = (Vec::new(), Vec::new());
    for statement in document.statements.iter().filter(|s| applies(s, request)) {
        let name = statement_name(bucket, statement);
        match statement.effect {
            Effect::Deny => denies.push(name),
            Effect::Allow => allows.push(name),
        }
    }
    Evaluation::from_matches(denies, allows)
}

fn applies(statement: &Statement, request: &Request) -> bool {
    let resource = format!("arn:aws:s3:::{}", request.resource);
    let any = |patterns: &[String], value: &str, case: Case| {
        patterns.iter().any(|p| glob_match(p, value, case))
    };
    principal_matches(statement.principal.as_ref(), request)
        && any(&statement.action.items, request.action, Case::Insensitive)
        && any(&statement.resource.items, &resource, Case::Sensitive)
        && statement.condition.iter().all(|c| holds(c, request))
}

fn principal_matches(principal: Option<&Principal>, request: &Request) -> bool {
    let kinds = match principal {
        None => return false,
        Some(Principal::Anyone) => return true,
        Some(Principal::Named(kinds)) => kinds,
    };
    let arns = request.principal_arns();
    kinds
        .iter()
        .filter(|(kind, _)| PRINCIPAL_KINDS.contains(&kind.as_str()))
        .flat_map(|(_, values)| &values.items)
        .any(|p| p == "*" || arns.iter().any(|arn| glob_match(p, arn, Case::Sensitive)))
}

fn holds(condition: &Condition, request: &Request) -> bool {
    let values = &condition.values.items;
    let value = request.context_value(&condition.key);
    let equal = |v: &str| values.iter().any(|x| x == v);
    let like = |v: &str| values.iter().any(|x| glob_match(x, v, Case::Sensitive));
    match condition.operator {
        Operator::StringEquals => value.is_some_and(equal),
        Operator::StringNotEquals => !value.is_some_and(equal),
        Operator::StringLike => value.is_some_and(like),
        Operator::StringNotLike => !value.is_some_and(like),
    }
}

#[cfg(test)]
mod tests;
