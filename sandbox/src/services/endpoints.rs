//! `GET /_sandbox/endpoints` (admin API, no auth): every URL a test or a user needs, and what to
//! trust for each.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::base_url;
use crate::login::{LoginEndpoints, UNMANAGED_PREFIX};
use crate::model::cluster::Cluster;
use crate::paths::ENDPOINTS;
use crate::services::s3;
use crate::state::SharedState;

/// The route.
pub fn routes() -> Router<SharedState> {
    Router::new().route(ENDPOINTS, get(endpoints))
}

/// A cluster's `kubernetes` entry; `null` for a cluster without an `apiServerEndpoint`.
fn kubernetes(cluster: &Cluster, login: &LoginEndpoints) -> Value {
    let name = &cluster.api_server_endpoint;
    if name.is_empty() {
        return Value::Null;
    }
    json!({
        "managed": LoginEndpoints::https_url(login.managed),
        "unmanaged": LoginEndpoints::https_url(login.unmanaged),
        "tls_server_name": name,
        "unmanaged_tls_server_name": format!("{UNMANAGED_PREFIX}{name}"),
        "managed_host": format!("https://{name}"),
        "unmanaged_host": format!("https://{UNMANAGED_PREFIX}{name}"),
        "ca_pem": login.kubernetes_ca_pem,
    })
}

/// The whole listing (the login keys only once the login listeners run).
pub fn listing(state: &SharedState) -> Value {
    let mut out = json!({
        "api": state.base_url,
        "org_id": state.org_id,
        "s3": {
            "url": state.s3_url,
            "virtual_host_base": s3::virtual_host_base(&state.s3_url),
            "region": s3::REGION,
        },
    });
    let Some(login) = state.login.get() else {
        return out;
    };
    out["idp"] = json!({ "issuer_url": login.idp_issuer_url, "ca_pem": login.idp_ca_pem });
    out["proxy"] = json!({
        "url": base_url(login.proxy),
        "note": "HTTPS_PROXY for clients that reach the clusters' endpoints by their real names \
                 (managed_host, unmanaged_host); trust kubernetes.ca_pem",
    });
    let store = state.store();
    out["clusters"] = store
        .clusters
        .iter()
        .map(|c| json!({ "id": c.id, "name": c.name, "kubernetes": kubernetes(c, login) }))
        .collect();
    out
}

async fn endpoints(State(state): State<SharedState>) -> Json<Value> {
    Json(listing(&state))
}
