//! Each cluster's managed and unmanaged Kubernetes API endpoints (HTTPS, the sandbox CA). One
//! listener serves every cluster's managed endpoint and another every unmanaged one; the TLS
//! server name (`<apiServerEndpoint>` or `api.<apiServerEndpoint>`) says which cluster. Every
//! request is recorded in the request log with its server name, and a refusal with its reason.

pub mod authn;
pub mod resources;

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};

use crate::https::TlsServerName;
use crate::login::{cluster_by_host, EndpointKind};
use crate::model::cluster::Cluster;
use crate::state::SharedState;
use authn::Authenticated;
use resources::Resource;

/// Which endpoint a listener is (added to every request by the listener).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener(pub EndpointKind);

/// The routes of a Kubernetes endpoint listener.
pub fn routes() -> Router<SharedState> {
    Router::new().fallback(serve)
}

/// An answer and, when it refuses, why.
struct Outcome {
    response: Response,
    reason: Option<String>,
}

impl Outcome {
    fn ok(response: Response) -> Self {
        Self {
            response,
            reason: None,
        }
    }

    fn refused(response: Response, reason: String) -> Self {
        Self {
            response,
            reason: Some(reason),
        }
    }
}

async fn serve(
    State(state): State<SharedState>,
    Extension(Listener(kind)): Extension<Listener>,
    Extension(TlsServerName(server)): Extension<TlsServerName>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let server = server.unwrap_or_default();
    let outcome = answer(&state, kind, &server, &method, &uri, &headers).await;
    let status = outcome.response.status().as_u16();
    if let Some(reason) = &outcome.reason {
        tracing::info!(
            "{method} https://{server}{} -> {status}: {reason}",
            uri.path()
        );
    }
    state
        .log
        .record_kubernetes(method.as_str(), uri.path(), &server, status, outcome.reason);
    outcome.response
}

/// True when the client asked for a server-side Table (`kubectl get`).
fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("as=Table"))
}

async fn answer(
    state: &SharedState,
    kind: EndpointKind,
    server: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Outcome {
    let cluster: Option<Cluster> = {
        let store = state.store();
        cluster_by_host(&store.clusters, server).map(|(c, _)| c.clone())
    };
    let Some(cluster) = cluster else {
        return Outcome::refused(
            resources::not_found(),
            format!(
                "no cluster has the endpoint name {server:?} (the listeners tell clusters apart by \
                 TLS server name: pass --tls-server-name <apiServerEndpoint>)"
            ),
        );
    };
    let who = match kind {
        EndpointKind::Managed => authn::managed(state, headers, &cluster.api_server_endpoint),
        EndpointKind::Unmanaged => {
            authn::unmanaged(
                &state.issuer_keys,
                cluster.oidc.as_ref(),
                headers,
                state.clock.now_unix(),
            )
            .await
        }
    };
    let who: Authenticated = match who {
        Ok(who) => who,
        Err(reason) => return Outcome::refused(resources::unauthorized(), reason),
    };
    let Some(resource) = Resource::parse(method.as_str(), uri.path()) else {
        return Outcome::refused(
            resources::not_found(),
            format!("{method} {} is not emulated", uri.path()),
        );
    };
    if let Some((verb, kind)) = resource.admin_only() {
        if !who.admin {
            let name = match &resource {
                Resource::Node(name) => Some(name.as_str()),
                _ => None,
            };
            let binding = cluster
                .oidc
                .as_ref()
                .map(|o| o.admin_group_binding.as_str())
                .unwrap_or_default();
            return Outcome::refused(
                resources::forbidden(&who.user.username, verb, kind, name),
                format!(
                    "RBAC: {:?} (groups {:?}) is not bound to cluster-admin (adminGroupBinding {binding:?})",
                    who.user.username, who.user.groups
                ),
            );
        }
    }
    let body = match resource {
        Resource::Version => resources::version(&cluster),
        Resource::Discovery(path) => resources::discovery(path, server),
        Resource::SelfSubjectReview => {
            let review = resources::self_subject_review(&who.user);
            return Outcome::ok((axum::http::StatusCode::CREATED, Json(review)).into_response());
        }
        Resource::Nodes => resources::list_nodes(&cluster, wants_table(headers)),
        Resource::Node(name) => match resources::get_node(&cluster, &name) {
            Some(node) => node,
            None => {
                return Outcome::refused(
                    resources::status(
                        axum::http::StatusCode::NOT_FOUND,
                        "NotFound",
                        &format!("nodes {name:?} not found"),
                        Some(serde_json::json!({"name": name, "kind": "nodes"})),
                    ),
                    format!("no node {name:?}"),
                )
            }
        },
    };
    Outcome::ok(Json(body).into_response())
}
