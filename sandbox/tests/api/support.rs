//! A harness around `app()`: builds requests, runs them in-process, decodes JSON answers.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use axum::Router;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use coreweave_sandbox::{app, seed, AppState, Config, SharedState};
use serde_json::Value;
use tonic_types::pb;
use tower::ServiceExt;

pub const TOKEN: &str = "sandbox-token";
pub const DEMO: &str = "c0ffee00-0000-4000-8000-000000000001";
pub const WITH_OIDC: &str = "c0ffee00-0000-4000-8000-000000000003";
pub const WIF: &str = "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService";

/// An answer: status, headers and the body parsed as JSON (Null when empty or not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

pub struct Harness {
    app: Router,
    pub state: SharedState,
}

impl Harness {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with(configure: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::for_tests();
        configure(&mut config);
        let state = AppState::new(config, seed::default_store());
        Self {
            app: app(state.clone()),
            state,
        }
    }

    /// A request with full control over the token, content type and raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let req = req
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        self.request(req).await
    }

    /// Runs a fully built request.
    pub async fn request(&self, req: Request<Body>) -> Answer {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// An authenticated REST call with a raw JSON text body.
    pub async fn rest_raw(&self, method: Method, path: &str, body: &str) -> Answer {
        self.send(
            method,
            path,
            Some(TOKEN),
            Some("application/json"),
            Some(body.to_string()),
        )
        .await
    }

    /// An authenticated REST call.
    pub async fn rest(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let ct = body.as_ref().map(|_| "application/json");
        self.send(method, path, Some(TOKEN), ct, body.map(|b| b.to_string()))
            .await
    }

    /// An authenticated Connect call to a WFControlPlaneService procedure, raw JSON text.
    pub async fn connect_raw(&self, procedure: &str, body: &str) -> Answer {
        self.send(
            Method::POST,
            &format!("{WIF}/{procedure}"),
            Some(TOKEN),
            Some("application/json"),
            Some(body.to_string()),
        )
        .await
    }

    /// An authenticated Connect call to a WFControlPlaneService procedure.
    pub async fn connect(&self, procedure: &str, body: Value) -> Answer {
        self.connect_raw(procedure, &body.to_string()).await
    }

    /// An admin call (no token).
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let ct = body.as_ref().map(|_| "application/json");
        self.send(
            method,
            &format!("/_sandbox{path}"),
            None,
            ct,
            body.map(|b| b.to_string()),
        )
        .await
    }

    /// The log as `METHOD path status` strings.
    pub async fn log(&self) -> Vec<String> {
        let a = self.admin(Method::GET, "/requests", None).await;
        a.body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap(),
                    r["status"]
                )
            })
            .collect()
    }
}

/// The `field` names of the REST BadRequest detail.
pub fn rest_violations(body: &Value) -> Vec<String> {
    body["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["@type"] == "type.googleapis.com/google.rpc.BadRequest")
        .flat_map(|d| d["fieldViolations"].as_array().cloned().unwrap_or_default())
        .map(|v| v["field"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Decodes the base64 protobuf `value` of a Connect error detail as message `M`.
pub fn connect_detail<M: prost::Message + Default>(detail: &Value) -> M {
    let bytes = STANDARD_NO_PAD
        .decode(detail["value"].as_str().expect("value"))
        .expect("unpadded standard base64");
    M::decode(bytes.as_slice()).expect("protobuf")
}

/// Decodes a Connect `google.rpc.BadRequest` detail into its violations' field names.
pub fn connect_bad_request_fields(detail: &Value) -> Vec<String> {
    assert_eq!(detail["type"], "google.rpc.BadRequest");
    connect_detail::<pb::BadRequest>(detail)
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

/// The org policies of a shared-table case (its `policies` or `org_policies`: policies without
/// their `version`), as the sandbox stores them.
pub fn table_policies(policies: &Value) -> Vec<coreweave_sandbox::model::policy::Policy> {
    policies
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p["version"] = "v1alpha1".into();
            serde_json::from_value::<coreweave_sandbox::model::policy::PolicyInput>(p)
                .unwrap()
                .into_policy("policy")
                .unwrap_or_else(|v| panic!("invalid policy {v:?} in {policies}"))
        })
        .collect()
}
