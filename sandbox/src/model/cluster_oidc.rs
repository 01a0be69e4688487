//! The OIDC block of a CKS cluster: stored form, strict input form, field-mask field names,
//! protojson output and validation.

use base64::engine::general_purpose::GeneralPurpose;
use base64::engine::{DecodePaddingMode, GeneralPurposeConfig};
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

use crate::model::protojson::non_empty_strings;
use crate::wire::errors::FieldViolation;

/// The only `SigningAlgorithm` enum value known.
pub const SIGNING_ALGORITHM_RS256: &str = "SIGNING_ALGORITHM_RS256";

/// The OIDC fields of a cluster, in the order the API documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcField {
    /// `issuerUrl`.
    IssuerUrl,
    /// `clientId`.
    ClientId,
    /// `usernameClaim`.
    UsernameClaim,
    /// `usernamePrefix`.
    UsernamePrefix,
    /// `groupsClaim`.
    GroupsClaim,
    /// `groupsPrefix`.
    GroupsPrefix,
    /// `ca`.
    Ca,
    /// `requiredClaim`.
    RequiredClaim,
    /// `signingAlgorithms`.
    SigningAlgorithms,
    /// `adminGroupBinding`.
    AdminGroupBinding,
}

const OIDC_FIELDS: [(OidcField, &str, &str); 10] = [
    (OidcField::IssuerUrl, "issuerUrl", "issuer_url"),
    (OidcField::ClientId, "clientId", "client_id"),
    (OidcField::UsernameClaim, "usernameClaim", "username_claim"),
    (
        OidcField::UsernamePrefix,
        "usernamePrefix",
        "username_prefix",
    ),
    (OidcField::GroupsClaim, "groupsClaim", "groups_claim"),
    (OidcField::GroupsPrefix, "groupsPrefix", "groups_prefix"),
    (OidcField::Ca, "ca", "ca"),
    (OidcField::RequiredClaim, "requiredClaim", "required_claim"),
    (
        OidcField::SigningAlgorithms,
        "signingAlgorithms",
        "signing_algorithms",
    ),
    (
        OidcField::AdminGroupBinding,
        "adminGroupBinding",
        "admin_group_binding",
    ),
];

impl OidcField {
    /// Parses a field name in lowerCamelCase or proto snake_case.
    pub fn parse(name: &str) -> Option<Self> {
        OIDC_FIELDS
            .iter()
            .find(|(_, camel, snake)| *camel == name || *snake == name)
            .map(|(f, _, _)| *f)
    }

    /// The lowerCamelCase JSON name.
    pub fn json_name(self) -> &'static str {
        OIDC_FIELDS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map_or("", |(_, camel, _)| camel)
    }
}

/// A cluster's external OIDC issuer configuration (empty strings mean unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Oidc {
    /// `issuerUrl`.
    pub issuer_url: String,
    /// `clientId`.
    pub client_id: String,
    /// `usernameClaim`.
    pub username_claim: String,
    /// `usernamePrefix`.
    pub username_prefix: String,
    /// `groupsClaim`.
    pub groups_claim: String,
    /// `groupsPrefix`.
    pub groups_prefix: String,
    /// `ca`: base64-encoded PEM.
    pub ca: String,
    /// `requiredClaim`.
    pub required_claim: String,
    /// `signingAlgorithms`: enum names.
    pub signing_algorithms: Vec<String>,
    /// `adminGroupBinding`.
    pub admin_group_binding: String,
}

/// The strict JSON input form of an OIDC block (both JSON and proto field names accepted).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OidcInput {
    #[serde(alias = "issuer_url")]
    issuer_url: Option<String>,
    #[serde(alias = "client_id")]
    client_id: Option<String>,
    #[serde(alias = "username_claim")]
    username_claim: Option<String>,
    #[serde(alias = "username_prefix")]
    username_prefix: Option<String>,
    #[serde(alias = "groups_claim")]
    groups_claim: Option<String>,
    #[serde(alias = "groups_prefix")]
    groups_prefix: Option<String>,
    ca: Option<String>,
    #[serde(alias = "required_claim")]
    required_claim: Option<String>,
    #[serde(alias = "signing_algorithms")]
    signing_algorithms: Option<Vec<String>>,
    #[serde(alias = "admin_group_binding")]
    admin_group_binding: Option<String>,
}

impl OidcInput {
    /// The fields that appear (non-null) in the JSON, in documented order.
    pub fn present_fields(&self) -> Vec<OidcField> {
        OIDC_FIELDS
            .iter()
            .map(|(f, _, _)| *f)
            .filter(|f| self.has(*f))
            .collect()
    }

    fn has(&self, field: OidcField) -> bool {
        match field {
            OidcField::SigningAlgorithms => self.signing_algorithms.is_some(),
            other => self.string(other).is_some(),
        }
    }

    fn string(&self, field: OidcField) -> Option<&String> {
        match field {
            OidcField::IssuerUrl => self.issuer_url.as_ref(),
            OidcField::ClientId => self.client_id.as_ref(),
            OidcField::UsernameClaim => self.username_claim.as_ref(),
            OidcField::UsernamePrefix => self.username_prefix.as_ref(),
            OidcField::GroupsClaim => self.groups_claim.as_ref(),
            OidcField::GroupsPrefix => self.groups_prefix.as_ref(),
            OidcField::Ca => self.ca.as_ref(),
            OidcField::RequiredClaim => self.required_claim.as_ref(),
            OidcField::AdminGroupBinding => self.admin_group_binding.as_ref(),
            OidcField::SigningAlgorithms => None,
        }
    }

    /// Enum check done at decode time by protojson: every `signingAlgorithms` item must be a
    /// known enum name.
    pub fn enum_violations(&self, prefix: &str) -> Vec<FieldViolation> {
        self.signing_algorithms
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, alg)| alg.as_str() != SIGNING_ALGORITHM_RS256)
            .map(|(i, alg)| {
                FieldViolation::new(
                    format!("{prefix}.signingAlgorithms[{i}]"),
                    format!(
                        "invalid value {alg:?} for enum SigningAlgorithm: the only value is \
                         {SIGNING_ALGORITHM_RS256}"
                    ),
                )
            })
            .collect()
    }

    /// The API checks the fields present on the raw request, whatever the update mask says
    /// (reference §1.4): an `oidc` object must carry a non-empty `issuerUrl` and `clientId`.
    pub fn presence_violations(&self, prefix: &str) -> Vec<FieldViolation> {
        [OidcField::IssuerUrl, OidcField::ClientId]
            .into_iter()
            .filter(|field| self.string(*field).is_none_or(String::is_empty))
            .map(|field| {
                FieldViolation::new(
                    format!("{prefix}.{}", field.json_name()),
                    "is required in every oidc object, whatever the update mask names",
                )
            })
            .collect()
    }

    /// The block this input describes (absent fields empty).
    pub fn to_oidc(&self) -> Oidc {
        let mut oidc = Oidc::default();
        for field in self.present_fields() {
            oidc.copy_field(field, Some(self));
        }
        oidc
    }
}

impl Oidc {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Oidc::default()
    }

    fn string_mut(&mut self, field: OidcField) -> Option<&mut String> {
        Some(match field {
            OidcField::IssuerUrl => &mut self.issuer_url,
            OidcField::ClientId => &mut self.client_id,
            OidcField::UsernameClaim => &mut self.username_claim,
            OidcField::UsernamePrefix => &mut self.username_prefix,
            OidcField::GroupsClaim => &mut self.groups_claim,
            OidcField::GroupsPrefix => &mut self.groups_prefix,
            OidcField::Ca => &mut self.ca,
            OidcField::RequiredClaim => &mut self.required_claim,
            OidcField::AdminGroupBinding => &mut self.admin_group_binding,
            OidcField::SigningAlgorithms => return None,
        })
    }

    /// Sets `field` from `source` (absent in the source clears it).
    pub fn copy_field(&mut self, field: OidcField, source: Option<&OidcInput>) {
        if field == OidcField::SigningAlgorithms {
            self.signing_algorithms = source
                .and_then(|s| s.signing_algorithms.clone())
                .unwrap_or_default();
        } else if let Some(target) = self.string_mut(field) {
            *target = source
                .and_then(|s| s.string(field).cloned())
                .unwrap_or_default();
        }
    }

    /// protojson form: only non-empty fields.
    pub fn to_json(&self) -> Value {
        let mut map = non_empty_strings(&[
            ("issuerUrl", &self.issuer_url),
            ("clientId", &self.client_id),
            ("usernameClaim", &self.username_claim),
            ("usernamePrefix", &self.username_prefix),
            ("groupsClaim", &self.groups_claim),
            ("groupsPrefix", &self.groups_prefix),
            ("ca", &self.ca),
            ("requiredClaim", &self.required_claim),
            ("adminGroupBinding", &self.admin_group_binding),
        ]);
        if !self.signing_algorithms.is_empty() {
            map.insert(
                "signingAlgorithms".into(),
                self.signing_algorithms.clone().into(),
            );
        }
        Value::Object(map)
    }

    /// Semantic checks of a non-empty block; field paths start with `prefix` (e.g. `oidc`).
    pub fn violations(&self, prefix: &str) -> Vec<FieldViolation> {
        let mut out = Vec::new();
        let mut bad = |field: &str, description: String| {
            out.push(FieldViolation::new(
                format!("{prefix}.{field}"),
                description,
            ));
        };
        if self.issuer_url.is_empty() {
            bad("issuerUrl", "is required when OIDC is configured".into());
        } else if let Err(why) = check_issuer_url(&self.issuer_url) {
            bad("issuerUrl", why);
        }
        if self.client_id.is_empty() {
            bad("clientId", "is required when OIDC is configured".into());
        }
        for (i, alg) in self.signing_algorithms.iter().enumerate() {
            if alg != SIGNING_ALGORITHM_RS256 {
                bad(
                    &format!("signingAlgorithms[{i}]"),
                    format!("must be {SIGNING_ALGORITHM_RS256}, got {alg:?}"),
                );
            }
        }
        if !self.ca.is_empty() && !is_base64_pem_certificate(&self.ca) {
            bad(
                "ca",
                "must be a base64-encoded PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
            );
        }
        out
    }
}

fn check_issuer_url(url: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Err(format!("must be an https:// URL, got {url:?}"));
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err("must name a host".into());
    }
    if url.contains(char::is_whitespace) {
        return Err("must not contain whitespace".into());
    }
    if url.contains('?') || url.contains('#') {
        return Err("must not have a query or fragment".into());
    }
    if url.ends_with('/') {
        return Err("must not end with a slash".into());
    }
    Ok(())
}

fn is_base64_pem_certificate(value: &str) -> bool {
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    engine
        .decode(value)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .is_some_and(|text| text.contains("-----BEGIN CERTIFICATE-----"))
}

#[cfg(test)]
mod tests;
