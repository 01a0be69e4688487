//! Resource `coreweave_object_storage_wif_config`: an OIDC workload identity federation
//! configuration, the trust AI Object Storage places in an issuer's tokens (seeds 000, 001).

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::{Value, ValueEmpty};
use tf_plugin_server::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};

use crate::api::workload_federation::{CreateOidcConfig, OidcConfig, UpdateOidcConfig};
use crate::api::{ApiClient, ApiError, Code, ErrorDetail};
use crate::diag;
use crate::object_storage::taken_names::{self, PairChange};
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};
use crate::validate::{self, Scheme};

/// Longest issuer URL, audience and description the API accepts.
pub const MAX_FIELD_LEN: usize = 1024;

/// State of the resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WifConfigState {
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub issuer_url: Value<String>,
    #[serde(default)]
    pub audience: Value<String>,
    #[serde(default)]
    pub description: Value<String>,
    #[serde(default)]
    pub active: Value<bool>,
    #[serde(default)]
    pub org_id: Value<String>,
    #[serde(default)]
    pub created_at: Value<String>,
    #[serde(default)]
    pub updated_at: Value<String>,
}

fn text(value: &Value<String>) -> String {
    value.as_ref_option().cloned().unwrap_or_default()
}

impl WifConfigState {
    /// The state of a remote config. A description the API omits stays `""` when the prior
    /// state spelled it that way, and null otherwise.
    pub fn from_api(config: &OidcConfig, prior_description: &Value<String>) -> Self {
        let description = match (&config.description, prior_description) {
            (Some(d), _) if !d.is_empty() => Value::Value(d.clone()),
            (_, Value::Value(p)) if p.is_empty() => Value::Value(String::new()),
            _ => Value::Null,
        };
        Self {
            id: Value::Value(config.uid.clone()),
            name: Value::Value(config.name.clone()),
            issuer_url: Value::Value(config.issuer_url.clone()),
            audience: Value::Value(config.audience.clone()),
            description,
            active: Value::Value(config.active()),
            org_id: Value::Value(config.org_uid.clone()),
            created_at: Value::Value(config.created_at.clone()),
            updated_at: Value::Value(config.updated_at.clone()),
        }
    }

    /// The settable fields this state asks for, as the client takes them.
    pub fn spec(&self) -> CreateOidcConfig {
        CreateOidcConfig {
            name: text(&self.name),
            issuer_url: text(&self.issuer_url),
            audience: text(&self.audience),
            description: self
                .description
                .as_ref_option()
                .filter(|d| !d.is_empty())
                .cloned(),
            active: self.active.as_ref_option().copied().unwrap_or(true),
        }
    }
}

/// Checks every known value; unknown values are checked when they become known.
pub fn check(diags: &mut Diagnostics, state: &WifConfigState) -> bool {
    let before = diags.errors.len();
    let mut report = |attr: &'static str, result: Result<(), String>| {
        if let Err(e) = result {
            diag::invalid(diags, AttributePath::new(attr), attr, e);
        }
    };
    if let Value::Value(name) = &state.name {
        let pattern_ok = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        report("name", validate::length(name, 1, 255));
        if !pattern_ok {
            report("name", Err(format!("may contain only letters, digits, '_' and '-' (^[a-zA-Z0-9_-]{{1,255}}$); got {name:?}")));
        }
    }
    if let Value::Value(url) = &state.issuer_url {
        report("issuer_url", validate::length(url, 1, MAX_FIELD_LEN));
        report(
            "issuer_url",
            validate::issuer_url(url, Scheme::HttpsOrLoopbackHttp),
        );
    }
    if let Value::Value(audience) = &state.audience {
        report("audience", validate::length(audience, 1, MAX_FIELD_LEN));
    }
    if let Value::Value(description) = &state.description {
        report(
            "description",
            validate::length(description, 0, MAX_FIELD_LEN),
        );
    }
    diags.errors.len() == before
}

/// The attribute each field of a create or update request sets.
const CONFIG_FIELDS: diag::FieldAttributes = &[
    ("name", "name"),
    ("issuerUrl", "issuer_url"),
    ("audience", "audience"),
    ("description", "description"),
    ("active", "active"),
];

/// The resource.
pub struct WifConfigResource {
    data: Arc<ProviderData>,
}

impl WifConfigResource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = super::WIF_CONFIG;

    /// A resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The resource schema.
    pub fn resource_schema() -> Schema {
        schema(block(
            "An OIDC workload identity federation configuration: AI Object Storage trusts tokens whose `iss` is \
             `issuer_url` and whose `aud` is `audience`, and derives the principal `role/<iss>:<sub>` from them. \
             For a CKS cluster, `issuer_url` is the cluster's issuer (`data.coreweave_cks_cluster_issuer`), and the \
             Pod Identity Webhook's default audience is that same URL. Each issuer and audience pair is unique in \
             the organization. All arguments update in place.",
            [
                Attr::string("id", Kind::Computed, "The configuration's `uid`."),
                Attr::string("name", Kind::Required, "Name: 1 to 255 letters, digits, `_` or `-`."),
                Attr::string("issuer_url", Kind::Required, "Issuer URL, exactly as in the tokens' `iss` claim: `https://` (`http://` only for a loopback host), no trailing slash, at most 1024 characters."),
                Attr::string("audience", Kind::Required, "Audience the tokens must carry in `aud`, 1 to 1024 characters. The Pod Identity Webhook's default is the issuer URL itself; `https://coreweave.com/iam` is the documented alternative."),
                Attr::string("description", Kind::Optional, "Description, at most 1024 characters."),
                Attr::new("active", AttributeType::Bool, Kind::OptionalComputed, "Whether tokens of this issuer are accepted. Defaults to `true`; `false` deactivates the configuration without deleting it (the API records `deactivatedAt`)."),
                Attr::string("org_id", Kind::Computed, "Organization the configuration belongs to."),
                Attr::string("created_at", Kind::Computed, "Creation time (RFC 3339)."),
                Attr::string("updated_at", Kind::Computed, "Time of the last change (RFC 3339). It changes whenever `name`, `description`, `issuer_url`, `audience` or `active` changes, so only such plans show it as known after apply."),
            ],
            [],
        ))
    }

    /// Plan-time check that no other config holds `planned`'s issuer and audience pair (when
    /// both are known and the provider is configured; the API refuses a duplicate anyway).
    async fn check_pair_free(
        &self,
        diags: &mut Diagnostics,
        planned: &WifConfigState,
        change: PairChange,
    ) -> Option<()> {
        let (Value::Value(issuer_url), Value::Value(audience)) =
            (&planned.issuer_url, &planned.audience)
        else {
            return Some(());
        };
        let Some(configured) = self.data.configured() else {
            return Some(());
        };
        let configs = match configured.client.list_oidc_configs().await {
            Ok(configs) => configs,
            Err(e) => {
                diag::api_error(diags, "listing workload identity federation configs", &e);
                return None;
            }
        };
        let Some(holder) = pair_holder(&configs, planned) else {
            return Some(());
        };
        taken_names::wif_pair_taken(diags, issuer_url, audience, Some(holder), change, None);
        None
    }

    /// The state after a create or update call, or its error as a diagnostic (a taken issuer and
    /// audience pair names the config that holds it).
    async fn saved_state(
        &self,
        diags: &mut Diagnostics,
        client: &ApiClient,
        change: PairChange,
        result: Result<OidcConfig, ApiError>,
        planned: &WifConfigState,
    ) -> Option<WifConfigState> {
        let doing = match change {
            PairChange::Create => format!(
                "creating workload identity federation config {:?}",
                text(&planned.name)
            ),
            PairChange::Update => format!(
                "updating workload identity federation config {}",
                text(&planned.id)
            ),
        };
        match result {
            Ok(config) => Some(WifConfigState::from_api(&config, &planned.description)),
            Err(e) if e.code() == Some(Code::AlreadyExists) => {
                let holder = holder_of_pair(client, &e, planned).await;
                taken_names::wif_pair_taken(
                    diags,
                    &text(&planned.issuer_url),
                    &text(&planned.audience),
                    holder.as_ref(),
                    change,
                    Some(&e.to_string()),
                );
                None
            }
            Err(e) => {
                diag::api_error_on(diags, doing, &e, CONFIG_FIELDS);
                None
            }
        }
    }
}

/// The config other than `planned` that holds `planned`'s issuer and audience pair, from a
/// fresh list, or else (list failed or lags) the uid the API's `already_exists` answer names.
async fn holder_of_pair(
    client: &ApiClient,
    err: &ApiError,
    planned: &WifConfigState,
) -> Option<OidcConfig> {
    match client.list_oidc_configs().await {
        Ok(configs) => {
            if let Some(found) = pair_holder(&configs, planned) {
                return Some(found.clone());
            }
        }
        Err(e) => tracing::debug!(error = %e, "listing the configs to name the holder failed"),
    }
    err.status()?.details.iter().find_map(|d| match d {
        ErrorDetail::ResourceInfo { resource_name, .. } if !resource_name.is_empty() => {
            Some(OidcConfig {
                uid: resource_name.clone(),
                ..OidcConfig::default()
            })
        }
        _ => None,
    })
}

/// The config among `configs`, other than `planned` itself, with `planned`'s issuer and audience.
fn pair_holder<'a>(configs: &'a [OidcConfig], planned: &WifConfigState) -> Option<&'a OidcConfig> {
    configs.iter().find(|c| {
        Value::Value(c.uid.clone()) != planned.id
            && Value::Value(c.issuer_url.clone()) == planned.issuer_url
            && Value::Value(c.audience.clone()) == planned.audience
    })
}

#[async_trait]
impl Resource for WifConfigResource {
    type State = Option<WifConfigState>;
    type PrivateState = ValueEmpty;

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(resource_identity::schema(
            "id",
            "The configuration uid (the import ID).",
        ))
    }

    fn identity(&self, state: &Self::State) -> Option<Identity> {
        resource_identity::of("id", &state.as_ref()?.id)
    }

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::resource_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        check(diags, &config.unwrap_or_default()).then_some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: Self::State,
        private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let Some(prior) = state else {
            return Some((None, private_state));
        };
        let uid = text(&prior.id);
        let configured = self.data.get(diags)?;
        let found = configured
            .client
            .list_oidc_configs()
            .await
            .map(|configs| configs.iter().find(|c| c.uid == uid).cloned());
        match found {
            Ok(Some(config)) => Some((
                Some(WifConfigState::from_api(&config, &prior.description)),
                private_state,
            )),
            Ok(None) => {
                tracing::warn!(
                    uid,
                    "workload identity federation config no longer exists; removing it from state"
                );
                Some((None, private_state))
            }
            Err(e) => {
                diag::api_error(
                    diags,
                    format_args!("reading workload identity federation config {uid}"),
                    &e,
                );
                None
            }
        }
    }

    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State,
        config_state: Self::State,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        if config_state.unwrap_or_default().active.is_null() {
            planned.active = Value::Value(true);
        }
        planned.id = Value::Unknown;
        self.check_pair_free(diags, &planned, PairChange::Create)
            .await?;
        planned.org_id = Value::Unknown;
        planned.created_at = Value::Unknown;
        planned.updated_at = Value::Unknown;
        Some((Some(planned), Value::Null))
    }

    async fn plan_update(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        proposed_state: Self::State,
        config_state: Self::State,
        prior_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState, Vec<AttributePath>)> {
        let prior = prior_state.unwrap_or_default();
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        if config_state.unwrap_or_default().active.is_null() {
            planned.active = Value::Value(true);
        }
        planned.id = prior.id.clone();
        if planned.issuer_url != prior.issuer_url || planned.audience != prior.audience {
            self.check_pair_free(diags, &planned, PairChange::Update)
                .await?;
        }
        planned.org_id = prior.org_id.clone();
        planned.created_at = prior.created_at.clone();
        planned.updated_at = match UpdateOidcConfig::between("", &prior.spec(), &planned.spec()) {
            None => prior.updated_at.clone(),
            Some(_) => Value::Unknown,
        };
        Some((Some(planned), prior_private_state, Vec::new()))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        let request = planned.spec();
        let configured = self.data.get(diags)?;
        let result = configured.client.create_oidc_config(&request).await;
        let state = self
            .saved_state(
                diags,
                &configured.client,
                PairChange::Create,
                result,
                &planned,
            )
            .await?;
        Some((Some(state), planned_private_state))
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let prior = prior_state.unwrap_or_default();
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        let uid = text(&prior.id);
        let Some(request) = UpdateOidcConfig::between(&uid, &prior.spec(), &planned.spec()) else {
            return Some((Some(planned), planned_private_state));
        };
        let configured = self.data.get(diags)?;
        let result = configured.client.update_oidc_config(&request).await;
        let state = self
            .saved_state(
                diags,
                &configured.client,
                PairChange::Update,
                result,
                &planned,
            )
            .await?;
        Some((Some(state), planned_private_state))
    }

    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        _planned_private_state: Self::PrivateState,
    ) -> Option<()> {
        let uid = text(&prior_state.unwrap_or_default().id);
        let configured = self.data.get(diags)?;
        match configured.client.delete_oidc_config(&uid).await {
            Ok(_) => Some(()),
            Err(e) => {
                diag::api_error(
                    diags,
                    format_args!("deleting workload identity federation config {uid}"),
                    &e,
                );
                None
            }
        }
    }

    async fn import(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let uid = id.trim().to_string();
        let configured = self.data.get(diags)?;
        match configured.client.get_oidc_config(&uid).await {
            Ok(Some(config)) => Some((
                Some(WifConfigState::from_api(&config, &Value::Null)),
                Value::Null,
            )),
            Ok(None) => {
                diags.root_error(
                    "Nothing to import",
                    format!("No workload identity federation config has the uid {uid:?}."),
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
        }
    }
}

#[cfg(test)]
mod tests;
