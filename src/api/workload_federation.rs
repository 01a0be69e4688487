//! Workload identity federation OIDC configurations
//! (`coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService`), spoken as
//! Connect unary JSON: `POST /<service>/<Method>`, `Content-Type: application/json`,
//! `Connect-Protocol-Version: 1`.
//!
//! Reads share one list of the configurations ([`crate::shared_list`]): refreshing N
//! configurations costs one `ListOIDCConfigs`, and the client's own creates, updates and
//! deletes update that list instead of discarding it.
//!
//! Creating is not idempotent (the server assigns the uid). When a create's outcome is unknown
//! (timeout, 502, 504, connection lost after sending), the client lists the configurations again
//! and returns the one matching name, issuer URL and audience if it exists, and only otherwise
//! sends the create again: a configuration is never created twice by one call.

use std::sync::Arc;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::answer::{List, ListItem};
use super::client::{decode, required};
use super::protojson::{comma_joined, empty_as_none};
use super::{ApiClient, ApiError, Code};
use crate::shared_list::{Keyed, SharedList};

const SERVICE: &str = "coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService";

/// An OIDC trust configuration of AI Object Storage workload identity federation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcConfig {
    /// Server-assigned id.
    #[serde(default)]
    pub uid: String,
    /// Organization id.
    #[serde(default)]
    pub org_uid: String,
    /// Name (`^[a-zA-Z0-9_-]{1,255}$`).
    #[serde(default)]
    pub name: String,
    /// Description; `None` when absent or empty.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub description: Option<String>,
    /// Issuer URL tokens must carry in `iss`.
    #[serde(default)]
    pub issuer_url: String,
    /// Audience tokens must carry in `aud`.
    #[serde(default)]
    pub audience: String,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// Last update time (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
    /// Deactivation time; `None` means the configuration is active.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub deactivated_at: Option<String>,
}

impl OidcConfig {
    /// Whether the configuration is active (it has no deactivation time).
    pub fn active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

impl Keyed for OidcConfig {
    fn key(&self) -> &str {
        &self.uid
    }
}

/// `CreateOIDCConfig` request: also the settable fields of a configuration that
/// [`UpdateOidcConfig::between`] compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOidcConfig {
    /// Name.
    pub name: String,
    /// Issuer URL.
    pub issuer_url: String,
    /// Audience.
    pub audience: String,
    /// Description; omitted when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the configuration starts active.
    pub active: bool,
}

/// `UpdateOIDCConfig` request. `update_mask` holds camelCase paths out of `name`,
/// `description`, `issuerUrl`, `audience`, `active` and is sent as one comma-joined string;
/// a path in the mask whose value is `None` is left out of the body, which clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOidcConfig {
    /// Id of the configuration.
    pub uid: String,
    /// Field-mask paths.
    #[serde(serialize_with = "comma_joined")]
    pub update_mask: Vec<String>,
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New issuer URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    /// New audience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// New activation state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// One settable field of a configuration: its update-mask path, whether two specs differ in
/// it, and how an update carries the new value.
struct ConfigField {
    path: &'static str,
    differs: fn(&CreateOidcConfig, &CreateOidcConfig) -> bool,
    set: fn(&mut UpdateOidcConfig, &CreateOidcConfig),
}

/// The one table every configuration update is built from.
const CONFIG_FIELDS: [ConfigField; 5] = [
    ConfigField {
        path: "name",
        differs: |a, b| a.name != b.name,
        set: |u, new| u.name = Some(new.name.clone()),
    },
    ConfigField {
        path: "description",
        differs: |a, b| description(a) != description(b),
        set: |u, new| u.description = description(new).map(str::to_string),
    },
    ConfigField {
        path: "issuerUrl",
        differs: |a, b| a.issuer_url != b.issuer_url,
        set: |u, new| u.issuer_url = Some(new.issuer_url.clone()),
    },
    ConfigField {
        path: "audience",
        differs: |a, b| a.audience != b.audience,
        set: |u, new| u.audience = Some(new.audience.clone()),
    },
    ConfigField {
        path: "active",
        differs: |a, b| a.active != b.active,
        set: |u, new| u.active = Some(new.active),
    },
];

/// A description, `""` counting as none.
fn description(spec: &CreateOidcConfig) -> Option<&str> {
    spec.description.as_deref().filter(|d| !d.is_empty())
}

impl UpdateOidcConfig {
    /// The update of configuration `uid` from `old` to `new`, or `None` when no field changes.
    /// Each changed field is named in the mask and carried in the body; a removed description
    /// is named and left out, which clears it.
    pub fn between(
        uid: &str,
        old: &CreateOidcConfig,
        new: &CreateOidcConfig,
    ) -> Option<UpdateOidcConfig> {
        let mut update = UpdateOidcConfig {
            uid: uid.to_string(),
            ..UpdateOidcConfig::default()
        };
        for field in CONFIG_FIELDS.iter().filter(|f| (f.differs)(old, new)) {
            update.update_mask.push(field.path.to_string());
            (field.set)(&mut update, new);
        }
        (!update.update_mask.is_empty()).then_some(update)
    }
}

#[derive(Deserialize)]
struct ConfigEnvelope {
    config: OidcConfig,
}

/// `{"configs": [...]}`, read as [`List`] reads every list answer.
impl ListItem for OidcConfig {
    const FIELD: &'static str = "configs";
}

impl ApiClient {
    /// This client's shared list of OIDC configurations.
    fn oidc_configs(&self) -> Arc<SharedList<OidcConfig, ApiError>> {
        self.inner.lists.of()
    }

    /// `GetOIDCConfig`; `None` when no configuration has this uid.
    pub async fn get_oidc_config(&self, uid: &str) -> Result<Option<OidcConfig>, ApiError> {
        let uid = required("OIDC configuration uid", uid)?;
        let call = self.connect_call(SERVICE, "GetOIDCConfig", &json!({ "uid": uid }))?;
        match self.execute::<ConfigEnvelope>(&call).await {
            Ok(envelope) => Ok(Some(envelope.config)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `ListOIDCConfigs`: every configuration of the organization, shared (not copied) between
    /// callers: one list per client, kept current by this client's writes
    /// (see [`crate::shared_list`]).
    pub async fn list_oidc_configs(&self) -> Result<Arc<Vec<OidcConfig>>, ApiError> {
        self.oidc_configs().get(|| self.fetch_oidc_configs()).await
    }

    async fn fetch_oidc_configs(&self) -> Result<Vec<OidcConfig>, ApiError> {
        let call = self.connect_call(SERVICE, "ListOIDCConfigs", &json!({}))?;
        Ok(self.execute::<List<OidcConfig>>(&call).await?.0)
    }

    /// Keeps the shared list current after a write of the configuration `uid` (empty for a
    /// create): the configuration the write returned replaces the old one, a delete or a
    /// not-found answer removes it, and any other failure drops the list (the write may have
    /// happened).
    fn written(&self, uid: &str, outcome: Result<Option<&OidcConfig>, &ApiError>) {
        let list = self.oidc_configs();
        match outcome {
            Ok(Some(config)) => list.upsert(config.clone()),
            Ok(None) => list.remove(uid),
            Err(error) if error.is_not_found() => list.remove(uid),
            Err(_) => list.invalidate(),
        }
    }

    /// `CreateOIDCConfig`; reconciles through a fresh `ListOIDCConfigs` when the outcome of an
    /// attempt is unknown, so that the configuration is created at most once.
    pub async fn create_oidc_config(
        &self,
        request: &CreateOidcConfig,
    ) -> Result<OidcConfig, ApiError> {
        let result = self.send_create(request).await;
        self.written("", result.as_ref().map(Some));
        result
    }

    async fn send_create(&self, request: &CreateOidcConfig) -> Result<OidcConfig, ApiError> {
        let call = self
            .connect_call(SERVICE, "CreateOIDCConfig", request)?
            .non_idempotent();
        let mut retries = 0;
        let mut maybe_created = false;
        loop {
            let failure = match self.send(&call, &mut retries).await {
                Ok(answer) => return Ok(decode::<ConfigEnvelope>(&call, &answer)?.config),
                Err(failure) => failure,
            };
            let conflict_after_unknown =
                maybe_created && failure.error.code() == Some(Code::AlreadyExists);
            if !failure.outcome_unknown && !conflict_after_unknown {
                return Err(failure.error);
            }
            match self.find_created(request).await {
                Ok(Some(config)) => {
                    tracing::debug!(
                        target: "coreweave::api",
                        uid = %config.uid,
                        error = %failure.error,
                        "create of OIDC configuration had an unknown outcome; found it by listing"
                    );
                    return Ok(config);
                }
                Ok(None) if failure.outcome_unknown => {}
                Ok(None) | Err(_) => return Err(failure.error),
            }
            maybe_created = true;
            self.back_off(&call, &mut retries, failure.error, failure.retry_after)
                .await?;
        }
    }

    /// The configuration a create of `request` would have made, if it exists.
    async fn find_created(
        &self,
        request: &CreateOidcConfig,
    ) -> Result<Option<OidcConfig>, ApiError> {
        let configs = self
            .oidc_configs()
            .refetch(|| self.fetch_oidc_configs())
            .await?;
        Ok(configs
            .iter()
            .find(|config| {
                config.name == request.name
                    && config.issuer_url == request.issuer_url
                    && config.audience == request.audience
            })
            .cloned())
    }

    /// `UpdateOIDCConfig`; returns the updated configuration.
    pub async fn update_oidc_config(
        &self,
        request: &UpdateOidcConfig,
    ) -> Result<OidcConfig, ApiError> {
        required("OIDC configuration uid", &request.uid)?;
        let call = self.connect_call(SERVICE, "UpdateOIDCConfig", request)?;
        let result = self
            .execute::<ConfigEnvelope>(&call)
            .await
            .map(|envelope| envelope.config);
        self.written(&request.uid, result.as_ref().map(Some));
        result
    }

    /// `DeleteOIDCConfig`; `false` when the configuration was already gone.
    pub async fn delete_oidc_config(&self, uid: &str) -> Result<bool, ApiError> {
        let uid = required("OIDC configuration uid", uid)?;
        let call = self.connect_call(SERVICE, "DeleteOIDCConfig", &json!({ "uid": uid }))?;
        let result = self.execute::<IgnoredAny>(&call).await;
        self.written(uid, result.as_ref().map(|_| None));
        match result {
            Ok(_) => Ok(true),
            Err(error) if error.is_not_found() => Ok(false),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests;
