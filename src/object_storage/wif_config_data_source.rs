//! Data source `coreweave_object_storage_wif_config`: one workload identity federation config,
//! looked up by `id` (`GetOIDCConfig`) or by `issuer_url` + `audience` (the client's shared
//! list of configs and an exact match).

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::Value;
use tf_plugin_server::{AttributePath, DataSource, Diagnostics};

use crate::api::workload_federation::OidcConfig;
use crate::diag;
use crate::provider::ProviderData;
use crate::schema::{block, schema, Attr, Kind};

/// Summary of every selector error (the official provider's wording).
const INVALID_SELECTOR: &str = "Invalid OIDC Configuration Selector";
/// Summary of a lookup that matched nothing.
const NOT_FOUND: &str = "OIDC Configuration Not Found";

/// State of the data source.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WifConfigLookupState {
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub issuer_url: Value<String>,
    #[serde(default)]
    pub audience: Value<String>,
    #[serde(default)]
    pub org_id: Value<String>,
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub description: Value<String>,
    #[serde(default)]
    pub active: Value<bool>,
    #[serde(default)]
    pub deactivated_at: Value<String>,
    #[serde(default)]
    pub created_at: Value<String>,
    #[serde(default)]
    pub updated_at: Value<String>,
}

impl From<OidcConfig> for WifConfigLookupState {
    fn from(config: OidcConfig) -> Self {
        Self {
            active: Value::Value(config.active()),
            id: Value::Value(config.uid),
            issuer_url: Value::Value(config.issuer_url),
            audience: Value::Value(config.audience),
            org_id: Value::Value(config.org_uid),
            name: Value::Value(config.name),
            description: config.description.into(),
            deactivated_at: config.deactivated_at.into(),
            created_at: Value::Value(config.created_at),
            updated_at: Value::Value(config.updated_at),
        }
    }
}

/// How the configuration identifies the config.
#[derive(Debug, PartialEq, Eq)]
pub enum Selector {
    /// By uid.
    Id(String),
    /// By the (unique) issuer URL and audience pair.
    Pair {
        issuer_url: String,
        audience: String,
    },
}

/// A selector error: the attribute it belongs to and what is wrong.
pub type SelectorError = (&'static str, &'static str);

/// Picks the selector: `id` alone, or `issuer_url` and `audience` together. `Ok(None)` while a
/// value is unknown (it is checked again once known).
pub fn selector(
    id: &Value<String>,
    issuer_url: &Value<String>,
    audience: &Value<String>,
) -> Result<Option<Selector>, SelectorError> {
    if [id, issuer_url, audience].iter().any(|v| v.is_unknown()) {
        return Ok(None);
    }
    let set = |v: &Value<String>| v.as_ref_option().cloned();
    match (set(id), set(issuer_url), set(audience)) {
        (None, None, None) => Err((
            "id",
            "set `id`, or `issuer_url` and `audience` together; none is set",
        )),
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err((
            "id",
            "set either `id` or `issuer_url` and `audience`, not both",
        )),
        (Some(id), None, None) if id.is_empty() => Err(("id", "`id` must not be empty")),
        (Some(id), None, None) => Ok(Some(Selector::Id(id))),
        (None, Some(_), None) => Err((
            "audience",
            "`audience` is required with `issuer_url`: a config is identified by both",
        )),
        (None, None, Some(_)) => Err((
            "issuer_url",
            "`issuer_url` is required with `audience`: a config is identified by both",
        )),
        (None, Some(i), Some(_)) if i.is_empty() => {
            Err(("issuer_url", "`issuer_url` must not be empty"))
        }
        (None, Some(_), Some(a)) if a.is_empty() => {
            Err(("audience", "`audience` must not be empty"))
        }
        (None, Some(issuer_url), Some(audience)) => Ok(Some(Selector::Pair {
            issuer_url,
            audience,
        })),
    }
}

/// The single config with this issuer URL and audience, or a message saying why not.
pub fn by_pair(
    configs: &[OidcConfig],
    issuer_url: &str,
    audience: &str,
) -> Result<OidcConfig, String> {
    let matching: Vec<&OidcConfig> = configs
        .iter()
        .filter(|c| c.issuer_url == issuer_url && c.audience == audience)
        .collect();
    match matching.as_slice() {
        [config] => Ok((*config).clone()),
        [] => {
            let mut audiences: Vec<&str> = configs
                .iter()
                .filter(|c| c.issuer_url == issuer_url)
                .map(|c| c.audience.as_str())
                .collect();
            audiences.sort_unstable();
            let hint = if audiences.is_empty() {
                "no config has this issuer URL".to_string()
            } else {
                format!("configs with this issuer URL have the audiences {audiences:?}")
            };
            Err(format!(
                "No workload identity federation config has the issuer URL {issuer_url:?} and the audience \
                 {audience:?}; {hint}."
            ))
        }
        many => {
            let uids: Vec<&str> = many.iter().map(|c| c.uid.as_str()).collect();
            Err(format!(
                "{} workload identity federation configs have the issuer URL {issuer_url:?} and the audience \
                 {audience:?}: {}; look one up by `id` instead.",
                many.len(),
                uids.join(", ")
            ))
        }
    }
}

fn invalid_selector(diags: &mut Diagnostics, (attribute, message): SelectorError) {
    diags.error(INVALID_SELECTOR, message, AttributePath::new(attribute));
}

/// The data source.
pub struct WifConfigLookupDataSource {
    data: Arc<ProviderData>,
}

impl WifConfigLookupDataSource {
    /// Type name without the provider prefix (the same as the resource's).
    pub const NAME: &'static str = super::WIF_CONFIG;

    /// A data source sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The data source schema.
    pub fn data_source_schema() -> Schema {
        schema(block(
            "Looks up one workload identity federation config (the trust AI Object Storage places in an OIDC \
             issuer's tokens) by `id`, or by `issuer_url` and `audience` together, which are unique in the \
             organization.",
            [
                Attr::string("id", Kind::OptionalComputed, "The config's `uid`. Set either `id`, or `issuer_url` and `audience`."),
                Attr::string("issuer_url", Kind::OptionalComputed, "Issuer URL, matched exactly. Set together with `audience`, instead of `id`."),
                Attr::string("audience", Kind::OptionalComputed, "Audience, matched exactly. Set together with `issuer_url`, instead of `id`."),
                Attr::string("org_id", Kind::Computed, "Organization the config belongs to."),
                Attr::string("name", Kind::Computed, "Name of the config."),
                Attr::string("description", Kind::Computed, "Description, or null when none."),
                Attr::new("active", AttributeType::Bool, Kind::Computed, "Whether tokens of this issuer are accepted."),
                Attr::string("deactivated_at", Kind::Computed, "When the config was deactivated (RFC 3339), or null while it is active."),
                Attr::string("created_at", Kind::Computed, "Creation time (RFC 3339)."),
                Attr::string("updated_at", Kind::Computed, "Time of the last change (RFC 3339)."),
            ],
            [],
        ))
    }

    async fn find(&self, diags: &mut Diagnostics, selector: &Selector) -> Option<OidcConfig> {
        let configured = self.data.get(diags)?;
        let client = &configured.client;
        match selector {
            Selector::Id(uid) => match client.get_oidc_config(uid).await {
                Ok(Some(config)) => Some(config),
                Ok(None) => {
                    diags.error(
                        NOT_FOUND,
                        format!("No workload identity federation config has the id {uid:?}."),
                        AttributePath::new("id"),
                    );
                    None
                }
                Err(e) => {
                    diag::api_error(
                        diags,
                        format_args!("reading workload identity federation config {uid}"),
                        &e,
                    );
                    None
                }
            },
            Selector::Pair {
                issuer_url,
                audience,
            } => match client.list_oidc_configs().await {
                Ok(configs) => match by_pair(&configs, issuer_url, audience) {
                    Ok(config) => Some(config),
                    Err(message) => {
                        diags.error(NOT_FOUND, message, AttributePath::new("issuer_url"));
                        None
                    }
                },
                Err(e) => {
                    diag::api_error(diags, "listing workload identity federation configs", &e);
                    None
                }
            },
        }
    }
}

#[async_trait]
impl DataSource for WifConfigLookupDataSource {
    type State = WifConfigLookupState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::data_source_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        match selector(&config.id, &config.issuer_url, &config.audience) {
            Ok(_) => Some(()),
            Err(error) => {
                invalid_selector(diags, error);
                None
            }
        }
    }

    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State> {
        let selector = match selector(&config.id, &config.issuer_url, &config.audience) {
            Ok(Some(selector)) => selector,
            Ok(None) => {
                diags.root_error_short(
                    "The config's id, issuer URL or audience is unknown at read time",
                );
                return None;
            }
            Err(error) => {
                invalid_selector(diags, error);
                return None;
            }
        };
        self.find(diags, &selector).await.map(Into::into)
    }
}

#[cfg(test)]
mod tests;
