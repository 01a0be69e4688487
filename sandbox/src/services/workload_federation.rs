//! Workload federation OIDC configs over Connect unary JSON:
//! `POST /coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService/<Method>`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids;
use crate::model::oidc_config::OidcConfig;
use crate::paths::WF_SERVICE;
use crate::state::{AppState, SharedState};
use crate::wire::connect::unary;
use crate::wire::errors::{ApiError, Code, Detail, FieldViolation};

/// `GetOIDCConfig` / `DeleteOIDCConfig` request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UidRequest {
    uid: Option<String>,
}

/// `ListOIDCConfigs` request (no fields).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListRequest {}

/// Declares a request struct: its own fields, then the config's writable ones (both requests
/// deny unknown fields, so each needs a struct of its own).
macro_rules! config_request {
    ($(#[$doc:meta])* $request:ident { $($(#[$attr:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct $request {
            $($(#[$attr])* $field: $ty,)*
            name: Option<String>,
            description: Option<String>,
            #[serde(alias = "issuer_url")]
            issuer_url: Option<String>,
            audience: Option<String>,
            active: Option<bool>,
        }
    };
}

config_request! {
    /// `CreateOIDCConfig` request.
    CreateRequest {}
}

config_request! {
    /// `UpdateOIDCConfig` request.
    UpdateRequest {
        uid: Option<String>,
        #[serde(alias = "update_mask")]
        update_mask: Option<String>,
    }
}

/// The Connect procedures.
pub fn routes() -> Router<SharedState> {
    let path = |method: &str| format!("{WF_SERVICE}/{method}");
    Router::new()
        .route(&path("GetOIDCConfig"), post(get_config))
        .route(&path("ListOIDCConfigs"), post(list_configs))
        .route(&path("CreateOIDCConfig"), post(create_config))
        .route(&path("UpdateOIDCConfig"), post(update_config))
        .route(&path("DeleteOIDCConfig"), post(delete_config))
}

async fn get_config(State(s): State<SharedState>, h: HeaderMap, body: Bytes) -> Response {
    unary(&h, &body, |req: UidRequest| {
        let uid = required_uid(req.uid)?;
        let store = s.store();
        let config = store.oidc_configs.iter().find(|c| c.uid == uid);
        let config = config.ok_or_else(|| not_found(&uid))?;
        Ok(json!({ "config": config.to_json() }))
    })
}

async fn list_configs(State(s): State<SharedState>, h: HeaderMap, body: Bytes) -> Response {
    unary(&h, &body, |_: ListRequest| {
        let configs: Vec<Value> = s
            .store()
            .oidc_configs
            .iter()
            .map(OidcConfig::to_json)
            .collect();
        Ok(json!({ "configs": configs }))
    })
}

async fn create_config(State(s): State<SharedState>, h: HeaderMap, body: Bytes) -> Response {
    unary(&h, &body, |req: CreateRequest| create(&s, req))
}

async fn update_config(State(s): State<SharedState>, h: HeaderMap, body: Bytes) -> Response {
    unary(&h, &body, |req: UpdateRequest| update(&s, req))
}

async fn delete_config(State(s): State<SharedState>, h: HeaderMap, body: Bytes) -> Response {
    unary(&h, &body, |req: UidRequest| {
        let uid = required_uid(req.uid)?;
        let mut store = s.store();
        let index = store.oidc_configs.iter().position(|c| c.uid == uid);
        store
            .oidc_configs
            .remove(index.ok_or_else(|| not_found(&uid))?);
        Ok(json!({}))
    })
}

fn required_uid(uid: Option<String>) -> Result<String, ApiError> {
    uid.filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::invalid(vec![FieldViolation::required("uid")]))
}

fn not_found(uid: &str) -> ApiError {
    ApiError::not_found(
        "OIDCConfig",
        uid,
        format!("OIDC configuration {uid:?} not found"),
    )
}

/// Rejects a config whose (issuer URL, audience) pair another config already uses.
fn check_unique(configs: &[OidcConfig], candidate: &OidcConfig) -> Result<(), ApiError> {
    let Some(existing) = configs.iter().find(|c| {
        c.uid != candidate.uid
            && c.issuer_url == candidate.issuer_url
            && c.audience == candidate.audience
    }) else {
        return Ok(());
    };
    Err(ApiError::new(
        Code::AlreadyExists,
        format!(
            "an OIDC configuration with this issuer URL and audience already exists: {} ({})",
            existing.uid, existing.name
        ),
    )
    .with(Detail::ResourceInfo {
        resource_type: "OIDCConfig".into(),
        resource_name: existing.uid.clone(),
        owner: existing.org_uid.clone(),
        description: format!(
            "OIDC configuration {:?} already uses this issuer URL and audience",
            existing.name
        ),
    }))
}

fn validated(config: &OidcConfig) -> Result<(), ApiError> {
    let violations = config.violations();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(violations))
    }
}

fn create(state: &AppState, req: CreateRequest) -> Result<Value, ApiError> {
    let now = state.clock.now_rfc3339();
    let config = OidcConfig {
        uid: ids::new_uuid(),
        org_uid: state.org_id.clone(),
        name: req.name.unwrap_or_default(),
        description: req.description,
        issuer_url: req.issuer_url.unwrap_or_default(),
        audience: req.audience.unwrap_or_default(),
        created_at: now.clone(),
        updated_at: now.clone(),
        deactivated_at: (req.active == Some(false)).then_some(now),
    };
    validated(&config)?;
    let mut store = state.store();
    check_unique(&store.oidc_configs, &config)?;
    let shown = config.to_json();
    store.oidc_configs.push(config);
    Ok(json!({ "config": shown }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpdatePath {
    Name,
    Description,
    IssuerUrl,
    Audience,
    Active,
}

fn parse_mask(mask: Option<&str>) -> Result<Vec<UpdatePath>, ApiError> {
    let mask = mask.unwrap_or_default();
    if mask.is_empty() {
        return Err(ApiError::new(
            Code::InvalidArgument,
            "update mask must contain at least one path",
        )
        .with(Detail::BadRequest(vec![FieldViolation::new(
            "update_mask",
            "must contain at least one path",
        )])));
    }
    let mut paths = Vec::new();
    let mut bad = Vec::new();
    for path in mask.split(',') {
        match path {
            "name" => paths.push(UpdatePath::Name),
            "description" => paths.push(UpdatePath::Description),
            "issuerUrl" | "issuer_url" => paths.push(UpdatePath::IssuerUrl),
            "audience" => paths.push(UpdatePath::Audience),
            "active" => paths.push(UpdatePath::Active),
            other => bad.push(FieldViolation::new(
                "update_mask",
                format!(
                    "unsupported path {other:?}; allowed: name, description, issuer_url, \
                     audience, active"
                ),
            )),
        }
    }
    if bad.is_empty() {
        Ok(paths)
    } else {
        Err(ApiError::invalid(bad))
    }
}

fn update(state: &AppState, req: UpdateRequest) -> Result<Value, ApiError> {
    let uid = required_uid(req.uid.clone())?;
    let paths = parse_mask(req.update_mask.as_deref())?;
    let mut store = state.store();
    let current = store
        .oidc_configs
        .iter()
        .find(|c| c.uid == uid)
        .ok_or_else(|| not_found(&uid))?;
    let now = state.clock.now_rfc3339();
    let mut next = current.clone();
    for path in paths {
        match path {
            UpdatePath::Name => next.name = req.name.clone().unwrap_or_default(),
            UpdatePath::Description => next.description = req.description.clone(),
            UpdatePath::IssuerUrl => next.issuer_url = req.issuer_url.clone().unwrap_or_default(),
            UpdatePath::Audience => next.audience = req.audience.clone().unwrap_or_default(),
            UpdatePath::Active => {
                next.deactivated_at = match req.active {
                    Some(false) => current.deactivated_at.clone().or(Some(now.clone())),
                    _ => None,
                };
            }
        }
    }
    validated(&next)?;
    check_unique(&store.oidc_configs, &next)?;
    next.updated_at = now;
    let shown = next.to_json();
    if let Some(slot) = store.oidc_configs.iter_mut().find(|c| c.uid == uid) {
        *slot = next;
    }
    Ok(json!({ "config": shown }))
}
