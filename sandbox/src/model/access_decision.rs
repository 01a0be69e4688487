//! The two-layer decision of an S3 call (reference §3.6-3.7): organization policies first (any
//! matching Deny refuses, no matching Allow refuses); after an org Allow, `s3:PutBucketPolicy`,
//! `s3:ListAllMyBuckets`, every `cwobject:` action and any request without a bucket are decided
//! by the org policies alone, and so is a bucket without a policy; otherwise the bucket's policy
//! decides ([`evaluate_bucket_policy`]). A bucket Allow never overrides an org Deny.
//!
//! The provider has its own implementation; both run the shared table
//! `tests/data/bucket_policy_evaluation_cases.json`.

use crate::model::bucket_policy::BucketPolicy;
use crate::model::bucket_policy_eval::{evaluate_bucket_policy, AccessRequest};
use crate::model::policy::Policy;
use crate::model::policy_eval::{evaluate, Decision, Evaluation};

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

/// A decision, the layer that made it and the statements that did, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayeredEvaluation {
    /// The decision.
    pub decision: Decision,
    /// The deciding layer.
    pub decided_by: DecidedBy,
    /// The deciding layer's statements (org ones as `<policy>/<statement>`, bucket ones as
    /// `bucket_policy:<bucket>/<Sid or [index]>`); empty for an implicit deny.
    pub matched: Vec<String>,
}

/// Whether `action` is decided by organization policies only (nobody locks themselves out).
pub fn is_org_only(action: &str) -> bool {
    action == "s3:PutBucketPolicy"
        || action == "s3:ListAllMyBuckets"
        || action.starts_with("cwobject:")
}

/// Decides `request` under the organization's `org_policies` and the policy of the request's
/// bucket (`None` when it has none).
pub fn decide(
    org_policies: &[Policy],
    bucket_policy: Option<&BucketPolicy>,
    request: &AccessRequest<'_>,
) -> LayeredEvaluation {
    let org = evaluate(
        org_policies,
        request.principal,
        request.action,
        request.resource,
    );
    let by_org = |evaluation: Evaluation| LayeredEvaluation {
        decision: evaluation.decision,
        decided_by: DecidedBy::OrgPolicy,
        matched: evaluation.matched,
    };
    let bucket_policy = bucket_policy.filter(|_| {
        org.decision == Decision::Allowed
            && !is_org_only(request.action)
            && request.bucket().is_some()
    });
    match bucket_policy {
        None => by_org(org),
        Some(policy) => {
            let bucket = evaluate_bucket_policy(policy, request);
            LayeredEvaluation {
                decision: bucket.decision,
                decided_by: DecidedBy::BucketPolicy,
                matched: bucket.matched,
            }
        }
    }
}
