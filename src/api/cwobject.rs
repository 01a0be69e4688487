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
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::super::test_server::{Reply, TestServer, TOKEN};
    use super::*;

    fn statement() -> PolicyStatement {
        PolicyStatement {
            name: "allow-everything".into(),
            effect: "Allow".into(),
            actions: vec!["*".into()],
            resources: vec!["*".into()],
            principals: vec!["*".into()],
        }
    }

    fn policies_reply(names: &[&str]) -> Reply {
        let policies: Vec<_> = names
            .iter()
            .map(|name| json!({"version": "v1alpha1", "name": name, "statements": []}))
            .collect();
        Reply::json(200, json!({"policies": policies}))
    }

    #[tokio::test]
    async fn list_reads_policies_and_treats_a_missing_key_as_empty() {
        let server = TestServer::start().await;
        server.push(Reply::json(
            200,
            json!({"policies": [{"version": "v1alpha1", "name": "p", "statements": [
                {"name": "allow-everything", "effect": "Allow", "actions": ["*"],
                 "resources": ["*"], "principals": ["*"], "extra": 1}]}]}),
        ));
        let client = server.client(0);
        let policies = client.list_access_policies().await.unwrap();
        let request = &server.requests()[0];
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/v1/cwobject/access-policy");
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(
            *policies,
            vec![AccessPolicy {
                version: "v1alpha1".into(),
                name: "p".into(),
                statements: vec![statement()],
            }]
        );

        let empty = TestServer::start().await;
        empty.push(Reply::json(200, json!({})));
        assert!(empty
            .client(0)
            .list_access_policies()
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn ensure_posts_the_wrapped_policy_with_version_v1alpha1() {
        let server = TestServer::start().await;
        server.push(Reply::json(200, json!({})));
        let policy = AccessPolicy {
            version: String::new(),
            name: "test-policy".into(),
            statements: vec![statement()],
        };
        server
            .client(0)
            .ensure_access_policy(&policy)
            .await
            .unwrap();
        let request = &server.requests()[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v1/cwobject/access-policy");
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.json(),
            json!({"policy": {"version": "v1alpha1", "name": "test-policy", "statements": [
                {"name": "allow-everything", "effect": "Allow", "actions": ["*"],
                 "resources": ["*"], "principals": ["*"]}]}})
        );
    }

    #[tokio::test]
    async fn delete_reports_whether_the_policy_existed() {
        let server = TestServer::start().await;
        server.push(Reply::text(200, ""));
        server.push(Reply::json(
            404,
            json!({"code": 5, "message": "policy not found"}),
        ));
        server.push(Reply::json(403, json!({"code": 7, "message": "denied"})));
        let client = server.client(0);
        assert!(client.delete_access_policy("my policy/x").await.unwrap());
        assert!(!client.delete_access_policy("gone").await.unwrap());
        assert_eq!(
            client
                .delete_access_policy("p")
                .await
                .unwrap_err()
                .to_string(),
            "permission_denied: denied"
        );
        let requests = server.requests();
        assert_eq!(requests[0].method, "DELETE");
        assert_eq!(
            requests[0].path,
            "/v1/cwobject/access-policy/my%20policy%2Fx"
        );
        assert!(requests[0].body.is_empty());
        assert!(matches!(
            client.delete_access_policy("").await,
            Err(ApiError::InvalidRequest(_))
        ));
    }

    #[tokio::test]
    async fn concurrent_lists_share_one_request_and_later_lists_reuse_it() {
        let server = TestServer::start().await;
        server.push(policies_reply(&["a", "b"]).after(Duration::from_millis(100)));
        let client = server.client(0);
        let calls: Vec<_> = (0..10)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.list_access_policies().await })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap().len(), 2);
        }
        assert_eq!(client.request_count(), 1);
        assert_eq!(client.list_access_policies().await.unwrap().len(), 2);
        assert_eq!(server.requests().len(), 1);
    }

    fn named(name: &str) -> AccessPolicy {
        AccessPolicy {
            version: ACCESS_POLICY_VERSION.into(),
            name: name.into(),
            statements: vec![statement()],
        }
    }

    async fn names(client: &ApiClient) -> Vec<String> {
        let policies = client.list_access_policies().await.unwrap();
        policies.iter().map(|p| p.name.clone()).collect()
    }

    #[tokio::test]
    async fn writes_update_the_shared_list_without_listing_again() {
        let server = TestServer::start().await;
        server.push(policies_reply(&["a"]));
        server.push(Reply::json(200, json!({})));
        server.push(Reply::text(200, ""));
        server.push(Reply::json(404, json!({"code": 5, "message": "gone"})));
        let client = server.client(0);
        assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
        client.ensure_access_policy(&named("b")).await.unwrap();
        assert_eq!(names(&client).await, ["a", "b"]);
        assert!(client.delete_access_policy("a").await.unwrap());
        assert!(!client.delete_access_policy("a").await.unwrap());
        assert_eq!(*client.list_access_policies().await.unwrap(), [named("b")]);
        assert_eq!(client.request_count(), 4);
        assert_eq!(server.requests()[0].method, "GET");
    }

    #[tokio::test]
    async fn a_failed_write_drops_the_shared_list_and_relist_bypasses_it() {
        let server = TestServer::start().await;
        server.push(policies_reply(&["a"]));
        server.push(Reply::json(400, json!({"code": 3, "message": "bad"})));
        server.push(policies_reply(&["a", "b"]));
        server.push(policies_reply(&["b"]));
        let client = server.client(0);
        client.list_access_policies().await.unwrap();
        assert!(client.ensure_access_policy(&named("b")).await.is_err());
        assert_eq!(client.list_access_policies().await.unwrap().len(), 2);
        assert_eq!(client.relist_access_policies().await.unwrap().len(), 1);
        assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
        assert_eq!(client.request_count(), 4);
    }

    #[tokio::test]
    async fn a_failed_list_is_shared_but_not_cached() {
        let server = TestServer::start().await;
        server.push(
            Reply::json(500, json!({"code": 13, "message": "boom"}))
                .after(Duration::from_millis(50)),
        );
        server.push(policies_reply(&["a"]));
        let client = server.client(0);
        let (first, second) =
            tokio::join!(client.list_access_policies(), client.list_access_policies());
        assert_eq!(first.unwrap_err().to_string(), "internal: boom");
        assert_eq!(second.unwrap_err().to_string(), "internal: boom");
        assert_eq!(client.request_count(), 1);
        assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
        assert_eq!(client.request_count(), 2);
    }
}
