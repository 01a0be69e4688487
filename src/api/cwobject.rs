//! AI Object Storage organization access policies (`/v1/cwobject/access-policy`).
//!
//! The API has no get-by-name: every read is a list. The client holds one shared copy of the
//! list ([`crate::shared_list`]): refreshing N policies costs one list call, and the client's
//! own ensures and deletes update that copy instead of discarding it.
//!
//! The API has no create-only call either: ensure is an upsert. [`ApiClient::create_access_policy`]
//! narrows the window in which it could replace someone else's policy as far as that allows: the
//! name is reserved within this client, a list taken right before the write must not hold it,
//! and a list taken right after must hold exactly these statements. Concurrent creates share
//! those lists ([`crate::shared_list::SharedList::before_write`]), so N creates cost N writes
//! and about N/10 lists at Terraform's default parallelism.

use std::sync::Arc;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::answer::{List, ListItem};
use super::client::{path_param, Call};
use super::{ApiClient, ApiError};
use crate::shared_list::{Keyed, SharedList};

/// The only policy version the API accepts.
pub const ACCESS_POLICY_VERSION: &str = "v1alpha1";

const ACCESS_POLICY: [&str; 3] = ["v1", "cwobject", "access-policy"];

/// An organization access policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicy {
    /// Policy version; [`ApiClient::ensure_access_policy`] always sends [`ACCESS_POLICY_VERSION`].
    #[serde(default)]
    pub version: String,
    /// Policy name (unique in the organization).
    #[serde(default)]
    pub name: String,
    /// The statements, in the server's order.
    #[serde(default)]
    pub statements: Vec<PolicyStatement>,
}

/// One statement of an access policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyStatement {
    /// Statement name.
    #[serde(default)]
    pub name: String,
    /// `Allow` or `Deny`.
    #[serde(default)]
    pub effect: String,
    /// Actions, e.g. `s3:*`, `cwobject:CreateAccessKeyOIDC`.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Resources: `*`, `<bucket>`, `<bucket>/*`.
    #[serde(default)]
    pub resources: Vec<String>,
    /// Principals: `*`, `coreweave/<user uid>`, `role/<...>`.
    #[serde(default)]
    pub principals: Vec<String>,
}

/// Why [`ApiClient::create_access_policy`] did not create the policy.
#[derive(Debug, thiserror::Error)]
pub enum CreatePolicyError {
    /// Another create of this name through this client is under way; nothing was written.
    #[error("another create of this policy name is under way")]
    CreatingInThisRun,
    /// A list taken right before the write holds this policy; nothing was written.
    #[error("a policy of this name already exists")]
    Exists(AccessPolicy),
    /// The policy was written, and a list taken right after holds other statements: someone
    /// else wrote the same name at the same moment, and theirs replaced these.
    #[error("the policy was replaced by other statements right after it was written")]
    Replaced(AccessPolicy),
    /// The API failed.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// `{"policies": [...]}`, read as [`List`] reads every list answer.
impl ListItem for AccessPolicy {
    const FIELD: &'static str = "policies";
}

/// The answer to an ensure or a delete: `{}`, or `{"policy": {...}}` (the API does not document
/// it; a `policy` that is not a policy object is refused).
#[derive(Deserialize)]
struct WriteAnswer {
    #[serde(default, rename = "policy")]
    _policy: Option<AccessPolicy>,
}

#[derive(Serialize)]
struct EnsureBody<'a> {
    policy: PolicyBody<'a>,
}

#[derive(Serialize)]
struct PolicyBody<'a> {
    version: &'a str,
    name: &'a str,
    statements: &'a [PolicyStatement],
}

impl Keyed for AccessPolicy {
    fn key(&self) -> &str {
        &self.name
    }
}

/// Statements with every list sorted and deduplicated, ordered by name (names are unique in a
/// policy): order never matters to the API.
fn normalized(statements: &[PolicyStatement]) -> Vec<PolicyStatement> {
    let sorted = |items: &[String]| {
        let mut items = items.to_vec();
        items.sort();
        items.dedup();
        items
    };
    let mut out: Vec<_> = statements
        .iter()
        .map(|s| PolicyStatement {
            name: s.name.clone(),
            effect: s.effect.clone(),
            actions: sorted(&s.actions),
            resources: sorted(&s.resources),
            principals: sorted(&s.principals),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

impl ApiClient {
    /// This client's shared list of access policies.
    fn access_policies(&self) -> Arc<SharedList<AccessPolicy, ApiError>> {
        self.inner.lists.of()
    }

    /// `GET /v1/cwobject/access-policy`: every organization access policy, shared (not copied)
    /// between callers: one list per client, kept current by this client's writes
    /// (see [`crate::shared_list`]).
    pub async fn list_access_policies(&self) -> Result<Arc<Vec<AccessPolicy>>, ApiError> {
        self.access_policies()
            .get(|| self.fetch_access_policies())
            .await
    }

    /// Lists the policies again now, bypassing the shared copy (and replacing it), for when a
    /// write's outcome is unknown.
    pub async fn relist_access_policies(&self) -> Result<Arc<Vec<AccessPolicy>>, ApiError> {
        self.access_policies()
            .refetch(|| self.fetch_access_policies())
            .await
    }

    async fn fetch_access_policies(&self) -> Result<Vec<AccessPolicy>, ApiError> {
        let call = self.rest_call(Method::GET, &ACCESS_POLICY);
        Ok(self.execute::<List<AccessPolicy>>(&call).await?.0)
    }

    /// `POST /v1/cwobject/access-policy`: creates or replaces the policy named `policy.name`
    /// (sent with version [`ACCESS_POLICY_VERSION`]).
    pub async fn ensure_access_policy(&self, policy: &AccessPolicy) -> Result<(), ApiError> {
        let body = EnsureBody {
            policy: PolicyBody {
                version: ACCESS_POLICY_VERSION,
                name: &policy.name,
                statements: &policy.statements,
            },
        };
        let call = self.rest_call(Method::POST, &ACCESS_POLICY).json(&body)?;
        if let Err(error) = self.write(&call).await {
            // A lost answer: the policy may have been written. A fresh list tells.
            if !error.outcome_unknown() || !self.holds(policy).await {
                return Err(error);
            }
            tracing::debug!(
                target: "coreweave::api",
                name = %policy.name,
                %error,
                "the access policy was written although its answer was lost"
            );
        }
        self.access_policies().upsert(AccessPolicy {
            version: ACCESS_POLICY_VERSION.into(),
            name: policy.name.clone(),
            statements: policy.statements.clone(),
        });
        Ok(())
    }

    /// Creates `policy` unless a policy of its name exists (see the module documentation): the
    /// name is reserved in the shared list, a list taken right before the write (at most
    /// [`crate::shared_list::REUSE_WINDOW`] before this create asked, shared with concurrent
    /// creates) must not hold it, and one that starts after the write must hold these
    /// statements. A same-named write by someone else between the first list and this write is
    /// not seen (the API offers nothing that could); one after this write is
    /// ([`CreatePolicyError::Replaced`]).
    pub async fn create_access_policy(
        &self,
        policy: &AccessPolicy,
    ) -> Result<(), CreatePolicyError> {
        let policies = self.access_policies();
        let reserved = policies
            .reserve(&policy.name)
            .ok_or(CreatePolicyError::CreatingInThisRun)?;
        let fetch = || self.fetch_access_policies();
        let before = policies.before_write(&reserved, fetch).await?;
        if let Some(existing) = before.iter().find(|p| p.name == policy.name) {
            return Err(CreatePolicyError::Exists(existing.clone()));
        }
        self.ensure_access_policy(policy).await?;
        let after = match policies.after_write(&reserved, fetch).await {
            Ok(after) => after,
            Err(error) => {
                // The write succeeded; a failed read-back is no evidence against it.
                tracing::warn!(name = %policy.name, %error, "could not read the created policy back");
                return Ok(());
            }
        };
        let wanted = normalized(&policy.statements);
        match after.iter().find(|p| p.name == policy.name) {
            Some(found) if normalized(&found.statements) != wanted => {
                Err(CreatePolicyError::Replaced(found.clone()))
            }
            Some(_) => Ok(()),
            None => {
                // Deleted right after, or a list that lags behind the write: the next refresh
                // tells, and only it removes the policy from state.
                tracing::warn!(name = %policy.name, "the created policy is not in the list read right after");
                Ok(())
            }
        }
    }

    /// Whether a fresh list holds `policy` as given (statement and list order aside).
    async fn holds(&self, policy: &AccessPolicy) -> bool {
        let Ok(policies) = self.relist_access_policies().await else {
            return false;
        };
        let wanted = normalized(&policy.statements);
        policies
            .iter()
            .any(|p| p.name == policy.name && normalized(&p.statements) == wanted)
    }

    /// `DELETE /v1/cwobject/access-policy/{name}`; `false` when the policy was already gone.
    pub async fn delete_access_policy(&self, name: &str) -> Result<bool, ApiError> {
        let [v1, cwobject, access_policy] = ACCESS_POLICY;
        let segments = [
            v1,
            cwobject,
            access_policy,
            path_param("policy name", name)?,
        ];
        let call = self.rest_call(Method::DELETE, &segments);
        let existed = match self.write(&call).await {
            Ok(()) => true,
            Err(error) if error.is_not_found() => false,
            Err(error) => return Err(error),
        };
        self.access_policies().remove(name);
        Ok(existed)
    }

    /// Sends a write. When it fails other than with not-found, the shared list is dropped:
    /// the write may have taken effect.
    async fn write(&self, call: &Call) -> Result<(), ApiError> {
        let result = self.execute::<WriteAnswer>(call).await.map(|_| ());
        if result.as_ref().is_err_and(|error| !error.is_not_found()) {
            self.access_policies().invalidate();
        }
        result
    }
}

#[cfg(test)]
mod tests;
