//! AI Object Storage organization access policies (`/v1/cwobject/access-policy`).
//!
//! The API has no get-by-name: every read is a list. So that refreshing N policies does not
//! cost N list calls, concurrent [`ApiClient::list_access_policies`] calls share one request and
//! a completed list is reused for [`POLICY_LIST_TTL`]; every write through the client
//! (ensure, delete) invalidates it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::{path_param, ApiClient, ApiError};

/// The only policy version the API accepts.
pub const ACCESS_POLICY_VERSION: &str = "v1alpha1";
/// How long a completed policy list is reused.
pub const POLICY_LIST_TTL: Duration = Duration::from_secs(2);

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

type ListResult = Result<Arc<Vec<AccessPolicy>>, ApiError>;

/// One list request that concurrent callers share.
struct Flight {
    generation: u64,
    result: OnceCell<ListResult>,
}

#[derive(Default)]
struct CacheState {
    /// Bumped by every write; results of lists started under an older generation are not kept.
    generation: u64,
    fresh: Option<(Instant, Arc<Vec<AccessPolicy>>)>,
    in_flight: Option<Arc<Flight>>,
}

/// What a list call should do.
enum Lookup {
    Hit(Arc<Vec<AccessPolicy>>),
    Join(Arc<Flight>),
}

/// The shared, short-lived cache of the access-policy list.
#[derive(Default)]
pub(super) struct PolicyCache {
    state: Mutex<CacheState>,
}

impl PolicyCache {
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh list, or the flight to join (started now if none is under way).
    fn lookup(&self, now: Instant) -> Lookup {
        let mut state = self.lock();
        if let Some((fetched_at, policies)) = &state.fresh {
            if now.saturating_duration_since(*fetched_at) < POLICY_LIST_TTL {
                return Lookup::Hit(policies.clone());
            }
        }
        let generation = state.generation;
        let flight = state.in_flight.get_or_insert_with(|| {
            Arc::new(Flight {
                generation,
                result: OnceCell::new(),
            })
        });
        Lookup::Join(flight.clone())
    }

    /// Records the end of `flight`; its result is kept only if no write happened meanwhile.
    fn complete(&self, flight: &Arc<Flight>, result: &ListResult, now: Instant) {
        let mut state = self.lock();
        let current = state
            .in_flight
            .as_ref()
            .is_some_and(|in_flight| Arc::ptr_eq(in_flight, flight));
        if !current {
            return;
        }
        state.in_flight = None;
        if let Ok(policies) = result {
            if state.generation == flight.generation {
                state.fresh = Some((now, policies.clone()));
            }
        }
    }

    /// Forgets the cached list and detaches any list under way.
    fn invalidate(&self) {
        let mut state = self.lock();
        state.generation += 1;
        state.fresh = None;
        state.in_flight = None;
    }
}

impl ApiClient {
    /// `GET /v1/cwobject/access-policy`: every organization access policy, shared (not copied)
    /// between callers.
    ///
    /// Concurrent calls share one request, and a result is reused for [`POLICY_LIST_TTL`]
    /// unless a write through this client happened since.
    pub async fn list_access_policies(&self) -> Result<Arc<Vec<AccessPolicy>>, ApiError> {
        let cache = &self.inner.access_policies;
        let flight = match cache.lookup(Instant::now()) {
            Lookup::Hit(policies) => return Ok(policies),
            Lookup::Join(flight) => flight,
        };
        let result = flight
            .result
            .get_or_init(|| async {
                let call = self.rest_call(Method::GET, &ACCESS_POLICY);
                self.execute::<PolicyList>(&call)
                    .await
                    .map(|list| Arc::new(list.policies))
            })
            .await
            .clone();
        cache.complete(&flight, &result, Instant::now());
        result
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
        self.write(&call).await
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
        match self.write(&call).await {
            Ok(()) => Ok(true),
            Err(error) if error.is_not_found() => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Sends a write, invalidating the list cache before and after it.
    async fn write(&self, call: &super::Call) -> Result<(), ApiError> {
        self.inner.access_policies.invalidate();
        let result = self.execute::<IgnoredAny>(call).await;
        self.inner.access_policies.invalidate();
        result.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
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
    async fn concurrent_lists_share_one_request_and_reuse_it_briefly() {
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
        // Within the TTL a later call is served from the completed list.
        assert_eq!(client.list_access_policies().await.unwrap().len(), 2);
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn writes_invalidate_the_cached_list() {
        let server = TestServer::start().await;
        server.push(policies_reply(&["a"]));
        server.push(Reply::json(200, json!({})));
        server.push(policies_reply(&["a", "b"]));
        server.push(Reply::text(200, ""));
        server.push(policies_reply(&["b"]));
        let client = server.client(0);
        assert_eq!(client.list_access_policies().await.unwrap().len(), 1);
        let policy = AccessPolicy {
            version: ACCESS_POLICY_VERSION.into(),
            name: "b".into(),
            statements: vec![statement()],
        };
        client.ensure_access_policy(&policy).await.unwrap();
        assert_eq!(client.list_access_policies().await.unwrap().len(), 2);
        assert!(client.delete_access_policy("a").await.unwrap());
        let after_delete = client.list_access_policies().await.unwrap();
        assert_eq!(after_delete[0].name, "b");
        assert_eq!(client.request_count(), 5);
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

    #[test]
    fn cached_list_expires_after_the_ttl() {
        let cache = PolicyCache::default();
        let start = Instant::now();
        let Lookup::Join(flight) = cache.lookup(start) else {
            panic!("empty cache must start a flight");
        };
        cache.complete(&flight, &Ok(Arc::new(Vec::new())), start);
        assert!(matches!(
            cache.lookup(start + Duration::from_millis(1999)),
            Lookup::Hit(_)
        ));
        assert!(matches!(
            cache.lookup(start + POLICY_LIST_TTL),
            Lookup::Join(_)
        ));
    }

    #[test]
    fn a_list_that_overlaps_a_write_is_not_cached() {
        let cache = PolicyCache::default();
        let now = Instant::now();
        let Lookup::Join(stale) = cache.lookup(now) else {
            panic!("empty cache must start a flight");
        };
        cache.invalidate();
        // A caller arriving after the write gets a new flight, not the stale one.
        let Lookup::Join(fresh) = cache.lookup(now) else {
            panic!("invalidated cache must start a flight");
        };
        assert!(!Arc::ptr_eq(&stale, &fresh));
        cache.complete(&stale, &Ok(Arc::new(Vec::new())), now);
        assert!(matches!(cache.lookup(now), Lookup::Join(_)));
        cache.complete(&fresh, &Ok(Arc::new(Vec::new())), now);
        assert!(matches!(cache.lookup(now), Lookup::Hit(_)));
    }
}
