//! The workload-federation `OIDCConfig` model, its protojson form and field validation.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::wire::errors::{FieldViolation, REQUIRED};
use crate::{ids, time};

const MAX_NAME: usize = 255;
const MAX_LONG: usize = 1024;

/// A workload identity federation OIDC configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// `uid`.
    pub uid: String,
    /// `orgUid`.
    pub org_uid: String,
    /// `name`.
    pub name: String,
    /// `description` (a field with presence).
    pub description: Option<String>,
    /// `issuerUrl`.
    pub issuer_url: String,
    /// `audience`.
    pub audience: String,
    /// `createdAt`.
    pub created_at: String,
    /// `updatedAt`.
    pub updated_at: String,
    /// `deactivatedAt`; `None` means active.
    pub deactivated_at: Option<String>,
}

impl OidcConfig {
    /// protojson form.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("uid".into(), self.uid.clone().into());
        map.insert("orgUid".into(), self.org_uid.clone().into());
        map.insert("name".into(), self.name.clone().into());
        if let Some(d) = &self.description {
            map.insert("description".into(), d.clone().into());
        }
        map.insert("issuerUrl".into(), self.issuer_url.clone().into());
        map.insert("audience".into(), self.audience.clone().into());
        map.insert("createdAt".into(), self.created_at.clone().into());
        map.insert("updatedAt".into(), self.updated_at.clone().into());
        if let Some(d) = &self.deactivated_at {
            map.insert("deactivatedAt".into(), d.clone().into());
        }
        Value::Object(map)
    }

    /// Checks the editable fields; violations use proto snake_case names.
    pub fn violations(&self) -> Vec<FieldViolation> {
        let mut bad = Vec::new();
        let name_ok = self
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if self.name.is_empty() || self.name.len() > MAX_NAME || !name_ok {
            bad.push(FieldViolation::new(
                "name",
                format!("must match ^[a-zA-Z0-9_-]+$ and be 1 to {MAX_NAME} characters"),
            ));
        }
        if let Some(d) = &self.description {
            if d.chars().count() > MAX_LONG {
                bad.push(FieldViolation::new(
                    "description",
                    format!("must be at most {MAX_LONG} characters"),
                ));
            }
        }
        if let Err(why) = check_issuer_url(&self.issuer_url) {
            bad.push(FieldViolation::new("issuer_url", why));
        }
        let audience_len = self.audience.chars().count();
        if audience_len == 0 || audience_len > MAX_LONG {
            bad.push(FieldViolation::new(
                "audience",
                format!("must be 1 to {MAX_LONG} characters"),
            ));
        }
        bad
    }
}

fn check_issuer_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err(REQUIRED.into());
    }
    if url.chars().count() > MAX_LONG {
        return Err(format!("must be at most {MAX_LONG} characters"));
    }
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return Err(format!("must be an https:// URL, got {url:?}")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() || url.contains(char::is_whitespace) {
        return Err(format!("is not a valid URL: {url:?}"));
    }
    if !https && !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        return Err("must use https:// (http:// only for localhost or loopback)".into());
    }
    if url.ends_with('/') {
        return Err("must not end with a slash".into());
    }
    Ok(())
}

/// Strict JSON input form of a whole config, for seed files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OidcConfigInput {
    uid: Option<String>,
    #[serde(alias = "org_uid")]
    org_uid: Option<String>,
    name: Option<String>,
    description: Option<String>,
    #[serde(alias = "issuer_url")]
    issuer_url: Option<String>,
    audience: Option<String>,
    #[serde(alias = "created_at")]
    created_at: Option<String>,
    #[serde(alias = "updated_at")]
    updated_at: Option<String>,
    #[serde(alias = "deactivated_at")]
    deactivated_at: Option<String>,
}

impl OidcConfigInput {
    /// Validates and converts; `uid` defaults to a fresh one, `orgUid` to `org`, times to `now`.
    pub fn into_config(self, org: &str, now: &str) -> Result<OidcConfig, Vec<FieldViolation>> {
        let now = now.to_string();
        let mut bad = Vec::new();
        let mut stamp = |field: &str, value: Option<String>| {
            if let Some(t) = &value {
                if !time::is_rfc3339(t) {
                    bad.push(FieldViolation::new(field, "must be an RFC 3339 timestamp"));
                }
            }
            value
        };
        let created_at = stamp("created_at", self.created_at).unwrap_or_else(|| now.clone());
        let updated_at = stamp("updated_at", self.updated_at).unwrap_or_else(|| now.clone());
        let deactivated_at = stamp("deactivated_at", self.deactivated_at);
        let config = OidcConfig {
            uid: self
                .uid
                .filter(|u| !u.is_empty())
                .unwrap_or_else(ids::new_uuid),
            org_uid: self
                .org_uid
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| org.to_string()),
            name: self.name.unwrap_or_default(),
            description: self.description,
            issuer_url: self.issuer_url.unwrap_or_default(),
            audience: self.audience.unwrap_or_default(),
            created_at,
            updated_at,
            deactivated_at,
        };
        bad.extend(config.violations());
        if bad.is_empty() {
            Ok(config)
        } else {
            Err(bad)
        }
    }
}

#[cfg(test)]
mod tests;
