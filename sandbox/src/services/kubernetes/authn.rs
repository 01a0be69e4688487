//! Who a Kubernetes endpoint request comes from. The managed endpoint takes the organization's
//! API access token and workload-identity bearers; the unmanaged endpoint takes tokens of the
//! cluster's external OIDC issuer, judged by [`crate::model::oidc_authn`] with keys fetched
//! from the issuer and cached ([`KeyCache`], keyed by issuer and CA, so that a changed `oidc`
//! block takes effect at once).

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use base64::engine::general_purpose::GeneralPurpose;
use base64::engine::{DecodePaddingMode, GeneralPurposeConfig};
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use serde_json::Value;

use crate::auth::{bearer, caller};
use crate::key_cache::KeyCache;
use crate::login::UNMANAGED_PREFIX;
use crate::model::cluster_oidc::Oidc;
use crate::model::oidc_authn::{
    authenticate, claimed_issuer, Refusal, UserInfo, AUTHENTICATED_GROUP,
};
use crate::state::AppState;

/// How long fetching an issuer's discovery document or JWKS may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// An authenticated caller and whether CKS makes it a cluster admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// Username and groups.
    pub user: UserInfo,
    /// Bound to `cluster-admin`.
    pub admin: bool,
}

/// The managed endpoint: the API token's or a workload-identity bearer's principal, a cluster
/// admin (the Cloud Console's kubeconfig with an API token administers the cluster).
pub fn managed(
    state: &AppState,
    headers: &HeaderMap,
    endpoint: &str,
) -> Result<Authenticated, String> {
    let token = bearer(headers).ok_or("no bearer token")?;
    match caller(state, headers) {
        Some(caller) => Ok(Authenticated {
            user: UserInfo {
                username: caller.principal_uid,
                groups: vec![AUTHENTICATED_GROUP.to_string()],
            },
            admin: true,
        }),
        None if claimed_issuer(token).is_some() => Err(format!(
            "the managed endpoint does not accept OIDC tokens (use the unmanaged endpoint \
             {UNMANAGED_PREFIX}{endpoint})"
        )),
        None => Err("not a valid CoreWeave API access token".into()),
    }
}

/// The unmanaged endpoint: the cluster's current `oidc` block decides at `now` (Unix seconds),
/// with the issuer's keys from `cache`.
pub async fn unmanaged(
    cache: &KeyCache,
    oidc: Option<&Oidc>,
    headers: &HeaderMap,
    now: u64,
) -> Result<Authenticated, String> {
    let token = bearer(headers).ok_or("no bearer token")?;
    let keys = match oidc {
        Some(config) if claimed_issuer(token).as_deref() == Some(config.issuer_url.as_str()) => {
            let kid = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid);
            cache
                .keys(
                    &config.issuer_url,
                    &config.ca,
                    kid.as_deref(),
                    issuer_keys(config),
                )
                .await
                .map_err(|why| Refusal::KeysUnavailable(why).to_string())?
        }
        // Not this issuer's token: the authenticator refuses it before it needs keys.
        _ => Arc::new(JwkSet { keys: Vec::new() }),
    };
    let user = authenticate(oidc, token, &keys, now).map_err(|r| r.to_string())?;
    let admin = oidc.is_some_and(|c| {
        !c.admin_group_binding.is_empty() && user.groups.contains(&c.admin_group_binding)
    });
    Ok(Authenticated { user, admin })
}

/// The `ca` field's PEM text (base64 of PEM, padding optional).
fn ca_pem(ca: &str) -> Result<Vec<u8>, String> {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
    .decode(ca.trim())
    .map_err(|e| format!("oidc.ca is not base64: {e}"))
}

/// An error with its causes, as one line.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn client(config: &Oidc) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder().timeout(FETCH_TIMEOUT).no_proxy();
    if !config.ca.is_empty() {
        let roots = reqwest::Certificate::from_pem_bundle(&ca_pem(&config.ca)?)
            .map_err(|e| format!("oidc.ca holds no PEM certificate: {}", describe(&e)))?;
        // --oidc-ca-file: only this CA is trusted for the issuer.
        builder = builder.tls_built_in_root_certs(false);
        for root in roots {
            builder = builder.add_root_certificate(root);
        }
    }
    builder.build().map_err(|e| describe(&e))
}

async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", describe(&e)))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("GET {url}: {status}"));
    }
    resp.json()
        .await
        .map_err(|e| format!("GET {url}: not JSON: {}", describe(&e)))
}

/// The issuer's JWKS, found through its discovery document, over HTTPS trusting only the
/// configured `ca` (or the built-in roots when none is set).
pub async fn issuer_keys(config: &Oidc) -> Result<JwkSet, String> {
    let client = client(config)?;
    let issuer = &config.issuer_url;
    let discovery = get_json(
        &client,
        &format!("{issuer}/.well-known/openid-configuration"),
    )
    .await?;
    let declared = discovery["issuer"].as_str().unwrap_or_default();
    if declared != issuer {
        return Err(format!(
            "oidc: issuer did not match the issuer returned by provider, expected {issuer:?} got {declared:?}"
        ));
    }
    let jwks_uri = discovery["jwks_uri"]
        .as_str()
        .ok_or("the discovery document has no jwks_uri")?;
    serde_json::from_value(get_json(&client, jwks_uri).await?)
        .map_err(|e| format!("GET {jwks_uri}: not a JWKS: {e}"))
}
