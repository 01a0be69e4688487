//! The Kubernetes objects the endpoints answer with: enough of the API for `kubectl version`,
//! `kubectl auth whoami` and `kubectl get nodes` (legacy discovery, SelfSubjectReview, nodes as
//! a server-side Table or a NodeList) and the `Status` objects of refusals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::model::cluster::Cluster;
use crate::model::oidc_authn::UserInfo;

/// How many nodes every sandbox cluster reports.
pub const NODES_PER_CLUSTER: usize = 2;

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `GET /version`.
    Version,
    /// `GET /api`, `/apis`, `/api/v1`, `/apis/authentication.k8s.io/v1`.
    Discovery(&'static str),
    /// `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`.
    SelfSubjectReview,
    /// `GET /api/v1/nodes`.
    Nodes,
    /// `GET /api/v1/nodes/{name}`.
    Node(String),
}

impl Resource {
    /// Parses a method and path; `None` for anything else.
    pub fn parse(method: &str, path: &str) -> Option<Self> {
        let path = path.trim_end_matches('/');
        match (method, path) {
            ("GET", "/version") => Some(Self::Version),
            ("GET", "/api" | "/apis" | "/api/v1" | "/apis/authentication.k8s.io/v1") => {
                DISCOVERY_PATHS
                    .iter()
                    .find(|p| **p == path)
                    .map(|p| Self::Discovery(p))
            }
            ("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews") => {
                Some(Self::SelfSubjectReview)
            }
            ("GET", "/api/v1/nodes") => Some(Self::Nodes),
            ("GET", _) => path
                .strip_prefix("/api/v1/nodes/")
                .filter(|n| !n.is_empty() && !n.contains('/'))
                .map(|n| Self::Node(n.to_string())),
            _ => None,
        }
    }

    /// The RBAC verb and resource, for resources only a cluster admin may use.
    pub fn admin_only(&self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::Nodes => Some(("list", "nodes")),
            Self::Node(_) => Some(("get", "nodes")),
            _ => None,
        }
    }
}

const DISCOVERY_PATHS: [&str; 4] = ["/api", "/apis", "/api/v1", "/apis/authentication.k8s.io/v1"];

/// A `Status` object answer (`kind: Status`, `status: Failure`).
pub fn status(code: StatusCode, reason: &str, message: &str, details: Option<Value>) -> Response {
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code.as_u16(),
    });
    if let Some(details) = details {
        body["details"] = details;
    }
    (code, Json(body)).into_response()
}

/// 401 as kube-apiserver answers any failed authentication (the reason stays in the log).
pub fn unauthorized() -> Response {
    status(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Unauthorized",
        None,
    )
}

/// 403 for `verb` on cluster-scoped `resource`, in kube-apiserver's words.
pub fn forbidden(username: &str, verb: &str, resource: &str, name: Option<&str>) -> Response {
    let mut message = resource.to_string();
    if let Some(name) = name {
        message.push_str(&format!(" {name:?}"));
    }
    message.push_str(&format!(
        " is forbidden: User {username:?} cannot {verb} resource {resource:?} in API group \"\" at the cluster scope"
    ));
    let mut details = json!({ "kind": resource });
    if let Some(name) = name {
        details["name"] = json!(name);
    }
    status(StatusCode::FORBIDDEN, "Forbidden", &message, Some(details))
}

/// 404 for a path this emulation does not serve.
pub fn not_found() -> Response {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource",
        None,
    )
}

/// `/version` for a cluster of Kubernetes `major.minor`.
pub fn version(cluster: &Cluster) -> Value {
    let (major, minor) = cluster.version.split_once('.').unwrap_or(("1", "32"));
    json!({
        "major": major, "minor": minor, "gitVersion": format!("v{major}.{minor}.0"),
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2025-01-15T10:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// The legacy discovery document at `path` (one of the [`Resource::Discovery`] paths).
pub fn discovery(path: &str, server: &str) -> Value {
    let authentication = json!({"groupVersion": "authentication.k8s.io/v1", "version": "v1"});
    match path {
        "/api" => json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": format!("{server}:443")}],
        }),
        "/apis" => json!({
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": [{"name": "authentication.k8s.io", "versions": [authentication],
                        "preferredVersion": authentication}],
        }),
        "/api/v1" => json!({
            "kind": "APIResourceList", "groupVersion": "v1",
            "resources": [{"name": "nodes", "singularName": "node", "namespaced": false,
                           "kind": "Node", "verbs": ["get", "list"], "shortNames": ["no"]}],
        }),
        _ => json!({
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "authentication.k8s.io/v1",
            "resources": [{"name": "selfsubjectreviews", "singularName": "selfsubjectreview",
                           "namespaced": false, "kind": "SelfSubjectReview", "verbs": ["create"]}],
        }),
    }
}

/// The `SelfSubjectReview` of `user` (what `kubectl auth whoami` prints).
pub fn self_subject_review(user: &UserInfo) -> Value {
    json!({
        "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "status": {"userInfo": {"username": user.username, "groups": user.groups}},
    })
}

fn node_names(cluster: &Cluster) -> Vec<String> {
    (1..=NODES_PER_CLUSTER)
        .map(|i| format!("{}-node-{i}", cluster.name))
        .collect()
}

fn node(cluster: &Cluster, name: &str) -> Value {
    json!({
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": cluster.created_at,
                     "labels": {"kubernetes.io/hostname": name}},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
            "nodeInfo": {"kubeletVersion": version(cluster)["gitVersion"]},
        },
    })
}

/// One node by name, if the cluster has it.
pub fn get_node(cluster: &Cluster, name: &str) -> Option<Value> {
    node_names(cluster)
        .iter()
        .any(|n| n == name)
        .then(|| node(cluster, name))
}

/// Every node: a `meta.k8s.io/v1` Table when the client asks for one (`kubectl get`), else a
/// `NodeList`.
pub fn list_nodes(cluster: &Cluster, table: bool) -> Value {
    let names = node_names(cluster);
    if !table {
        return json!({
            "kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
            "items": names.iter().map(|n| node(cluster, n)).collect::<Vec<_>>(),
        });
    }
    let column = |name: &str, format: &str| json!({"name": name, "type": "string", "format": format, "description": name, "priority": 0});
    let kubelet = version(cluster)["gitVersion"].clone();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "1"},
        "columnDefinitions": [column("Name", "name"), column("Status", ""), column("Roles", ""),
                              column("Age", ""), column("Version", "")],
        "rows": names.iter().map(|n| json!({
            "cells": [n, "Ready", "<none>", "1d", kubelet],
            "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                       "metadata": {"name": n, "creationTimestamp": cluster.created_at}},
        })).collect::<Vec<_>>(),
    })
}
