//! AI Object Storage organization access policies (`/v1/cwobject/access-policy`).
//!
//! The API has no get-by-name: every read is a list. The client holds one shared copy of the
//! list ([`super::shared_list`]): refreshing N policies costs one list call, and the client's
//! own ensures and deletes update that copy instead of discarding it.

use std::sync::Arc;

use reqwest::Method;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::client::{path_param, Call};
use super::shared_list::Keyed;
use super::{ApiClient, ApiError};

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

#[derive(Deserialize)]
struct PolicyList {
    #[serde(default)]
    policies: Vec<AccessPolicy>,
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
    /// `GET /v1/cwobject/access-policy`: every organization access policy, shared (not copied)
    /// between callers: one list per client, kept current by this client's writes
    /// (see [`super::shared_list`]).
    pub async fn list_access_policies(&self) -> Result<Arc<Vec<AccessPolicy>>, ApiError> {
        self.inner
            .access_policies
            .get(|| self.fetch_access_policies())
            .await
    }

    /// Lists the policies again now, bypassing the shared copy (and replacing it), for when a
    /// write's outcome is unknown.
    pub async fn relist_access_policies(&self) -> Result<Arc<Vec<AccessPolicy>>, ApiError> {
        self.inner
            .access_policies
            .refetch(|| self.fetch_access_policies())
            .await
    }

    async fn fetch_access_policies(&self) -> Result<Vec<AccessPolicy>, ApiError> {
        let call = self.rest_call(Method::GET, &ACCESS_POLICY);
        Ok(self.execute::<PolicyList>(&call).await?.policies)
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
        self.inner.access_policies.upsert(AccessPolicy {
            version: ACCESS_POLICY_VERSION.into(),
            name: policy.name.clone(),
            statements: policy.statements.clone(),
        });
        Ok(())
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
        self.inner.access_policies.remove(name);
        Ok(existed)
    }

    /// Sends a write. When it fails other than with not-found, the shared list is dropped:
    /// the write may have taken effect.
    async fn write(&self, call: &Call) -> Result<(), ApiError> {
        let result = self.execute::<IgnoredAny>(call).await.map(|_| ());
        if result.as_ref().is_err_and(|error| !error.is_not_found()) {
            self.inner.access_policies.invalidate();
        }
        result
    }
}

#[cfg(test)]
mod tests;
