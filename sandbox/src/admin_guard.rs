//! The admin API answers scripts and tests on this machine, never a web page the user visits.
//!
//! A page can make the browser send a "simple" cross-origin request (a `text/plain` or form
//! POST) without asking first, and DNS rebinding gives a page's own host name the sandbox's
//! address, so that the browser reads the answers too. So on every admin route: a `Host` that
//! names another host than loopback (`localhost`, `127.0.0.0/8`, `[::1]`) is refused while the
//! admin API is open (beyond loopback, with `--allow-remote`, the API token guards it instead);
//! an `Origin` other than the sandbox's own (`http://<Host>`) is refused; a request with a body
//! (any `POST`, `PUT` or `PATCH`, or any request that declares a content type) must declare
//! `application/json`, which a page cannot send without a CORS preflight the sandbox never
//! grants.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::paths::family_of;
use crate::state::SharedState;
use crate::wire::errors::{ApiError, Code};

/// Why an admin request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The `Host` names another machine (DNS rebinding, or a proxy).
    #[error("the admin API answers only requests to a loopback host, not {0:?}")]
    ForeignHost(String),
    /// A web page of another origin sent the request.
    #[error("the admin API refuses requests from web pages (Origin {0:?})")]
    ForeignOrigin(String),
    /// A body that is not declared JSON (a page's `text/plain` or form POST).
    #[error("the admin API takes application/json bodies only, not {0:?}")]
    NotJson(String),
}

impl Refusal {
    /// The answer: 403 `PERMISSION_DENIED` for a foreign host or origin, 415
    /// `INVALID_ARGUMENT` for a body that is not JSON, in the route family's format.
    fn response(&self, path: &str) -> Response {
        let (code, status) = match self {
            Refusal::ForeignHost(_) | Refusal::ForeignOrigin(_) => {
                (Code::PermissionDenied, StatusCode::FORBIDDEN)
            }
            Refusal::NotJson(_) => (Code::InvalidArgument, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        };
        let mut resp = ApiError::new(code, self.to_string()).into_family_response(family_of(path));
        *resp.status_mut() = status;
        resp
    }
}

/// The host part of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Whether `host` (a `Host` value) names this machine by a loopback name or address.
fn is_loopback_host(host: &str) -> bool {
    let name = host_name(host);
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// Whether `content_type` is JSON: `application/json` or `application/<x>+json`.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

/// Checks one admin request (see the module documentation); `open` when the admin API needs
/// no token (the sandbox listens on loopback only).
pub fn check(method: &Method, headers: &HeaderMap, open: bool) -> Result<(), Refusal> {
    let host = header_text(headers, header::HOST);
    if let Some(host) = host
        .as_deref()
        .filter(|host| open && !is_loopback_host(host))
    {
        return Err(Refusal::ForeignHost(host.to_string()));
    }
    if let Some(origin) = header_text(headers, header::ORIGIN) {
        let own = host.map(|host| format!("http://{host}"));
        if own.as_deref() != Some(origin.as_str()) {
            return Err(Refusal::ForeignOrigin(origin));
        }
    }
    let content_type = header_text(headers, header::CONTENT_TYPE);
    let has_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    match content_type {
        Some(declared) if !is_json(&declared) => Err(Refusal::NotJson(declared)),
        None if has_body => Err(Refusal::NotJson("no content type".to_string())),
        _ => Ok(()),
    }
}

/// The `route_layer` of the admin API that applies [`check`] (before any body is read).
pub async fn refuse_web_pages(
    State(state): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    if let Err(refusal) = check(req.method(), req.headers(), !state.admin_requires_token) {
        tracing::warn!(
            "admin API: refused {} {}: {refusal}",
            req.method(),
            req.uri().path()
        );
        return refusal.response(req.uri().path());
    }
    next.run(req).await
}

#[cfg(test)]
mod tests;
