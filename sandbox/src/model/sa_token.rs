//! Kubernetes-style service-account tokens minted by a cluster's issuer, as the admin call
//! `POST /_sandbox/tokens` and the `coreweave-sandbox token` command hand them out. Their `iss`
//! is the cluster's issuer URL as the provider computes it by default
//! (`https://oidc.cks.coreweave.com/id/<cluster id>`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids;
use crate::model::issuer::{issuer_url, CKS_ISSUER_BASE_URL};
use crate::signing::Issuer;
use crate::wire::errors::{ApiError, Code, FieldViolation};

/// The longest lifetime a minted token may have (one year).
pub const MAX_TTL_SECONDS: u64 = 365 * 24 * 3600;
/// The lifetime of a minted token when the request does not say.
pub const DEFAULT_TTL_SECONDS: u64 = 3600;

/// The body of `POST /_sandbox/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenRequest {
    /// The cluster whose issuer signs the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// `<namespace>/<name>`.
    pub service_account: Option<String>,
    /// The `aud` claim.
    pub audience: Option<String>,
    /// Lifetime in seconds (default [`DEFAULT_TTL_SECONDS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
    /// `iat` as Unix seconds (default now); a past value makes an already expired token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<u64>,
}

/// The `kubernetes.io` claim of a service-account token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubernetesClaim {
    /// The service account's namespace.
    pub namespace: String,
    /// The service account.
    pub serviceaccount: ObjectRef,
}

/// A named object with a uid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// Object name.
    pub name: String,
    /// Object uid.
    pub uid: String,
}

/// The claims of a projected service-account token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountClaims {
    /// Issuer URL of the cluster.
    pub iss: String,
    /// `system:serviceaccount:<namespace>:<name>`.
    pub sub: String,
    /// Audiences (Kubernetes always writes a list).
    pub aud: Vec<String>,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Not before, Unix seconds.
    pub nbf: u64,
    /// Expiry, Unix seconds.
    pub exp: u64,
    /// Token id.
    pub jti: String,
    /// Namespace and service account.
    #[serde(rename = "kubernetes.io")]
    pub kubernetes: KubernetesClaim,
}

/// True for a Kubernetes DNS-1123 label (namespaces).
fn is_label(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// True for a Kubernetes DNS-1123 subdomain (service account names).
fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

/// Splits `<namespace>/<name>`, checking both parts as Kubernetes does.
pub fn parse_service_account(value: &str) -> Result<(String, String), String> {
    let (ns, name) = value
        .split_once('/')
        .ok_or_else(|| format!("must be <namespace>/<name>, got {value:?}"))?;
    if !is_label(ns) {
        return Err(format!(
            "namespace {ns:?} is not a valid Kubernetes name (lowercase letters, digits, '-')"
        ));
    }
    if !is_subdomain(name) {
        return Err(format!(
            "service account name {name:?} is not a valid Kubernetes name"
        ));
    }
    Ok((ns.to_string(), name.to_string()))
}

/// A validated [`TokenRequest`].
#[derive(Debug)]
struct Checked {
    cluster_id: String,
    namespace: String,
    name: String,
    audience: String,
    iat: u64,
    ttl: u64,
}

impl TokenRequest {
    fn checked(self, now: u64) -> Result<Checked, ApiError> {
        let mut bad = Vec::new();
        let mut required = |field: &str, value: Option<String>| {
            let value = value.unwrap_or_default();
            if value.is_empty() {
                bad.push(FieldViolation::required(field));
            }
            value
        };
        let cluster_id = required("clusterId", self.cluster_id);
        let service_account = required("serviceAccount", self.service_account);
        let audience = required("audience", self.audience);
        let ttl = self.ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS);
        if !(1..=MAX_TTL_SECONDS).contains(&ttl) {
            bad.push(FieldViolation::new(
                "ttlSeconds",
                format!("must be 1 to {MAX_TTL_SECONDS}"),
            ));
        }
        let (ns, name) = match parse_service_account(&service_account) {
            Ok(parts) => parts,
            Err(why) => {
                if !service_account.is_empty() {
                    bad.push(FieldViolation::new("serviceAccount", why));
                }
                Default::default()
            }
        };
        if !bad.is_empty() {
            return Err(ApiError::invalid(bad));
        }
        Ok(Checked {
            cluster_id,
            namespace: ns,
            name,
            audience,
            iat: self.issued_at.unwrap_or(now),
            ttl,
        })
    }
}

/// A UUID-shaped id that stays the same for the same `seed` (a service account's uid).
fn stable_uid(seed: &str) -> String {
    let hex: String = ids::stream(seed, 16)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Mints the token `request` asks for, signed by its cluster's issuer (`cluster_issuer` finds
/// the issuer of a cluster id) at `now` (Unix seconds) unless it says when.
pub fn mint(
    request: TokenRequest,
    now: u64,
    cluster_issuer: impl FnOnce(&str) -> Result<Arc<Issuer>, ApiError>,
) -> Result<String, ApiError> {
    let Checked {
        cluster_id,
        namespace,
        name,
        audience,
        iat,
        ttl,
    } = request.checked(now)?;
    let issuer = cluster_issuer(&cluster_id)?;
    let claims = ServiceAccountClaims {
        iss: issuer_url(CKS_ISSUER_BASE_URL, &cluster_id),
        sub: format!("system:serviceaccount:{namespace}:{name}"),
        aud: vec![audience],
        iat,
        nbf: iat,
        exp: iat + ttl,
        jti: ids::new_uuid(),
        kubernetes: KubernetesClaim {
            namespace: namespace.clone(),
            serviceaccount: ObjectRef {
                name: name.clone(),
                uid: stable_uid(&format!("{cluster_id}:{namespace}/{name}")),
            },
        },
    };
    issuer
        .mint(&claims)
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
}

#[cfg(test)]
mod tests;
