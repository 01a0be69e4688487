//! List resource `coreweave_object_storage_wif_config` (Terraform >= 1.14, `terraform query`):
//! the workload identity federation configs, from one list call whatever their number.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{Diagnostics, ListResource, Listed};

use crate::diag;
use crate::object_storage::wif_config_resource::WifConfigState;
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};

/// The `config` block.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WifConfigListConfig {
    #[serde(default)]
    pub issuer_url: Value<String>,
    #[serde(default)]
    pub name_prefix: Value<String>,
}

/// The list resource.
pub struct WifConfigListResource {
    data: Arc<ProviderData>,
}

impl WifConfigListResource {
    /// Type name without the provider prefix (the resource's).
    pub const NAME: &'static str = super::WIF_CONFIG;

    /// A list resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The `config` block's schema.
    pub fn list_schema() -> Schema {
        schema(block(
            "The workload identity federation configs, each with its identity (`id`) and, with \
             `include_resource = true`, the whole config.",
            [
                Attr::string(
                    "issuer_url",
                    Kind::Optional,
                    "Only the configs that trust this issuer (exactly this URL).",
                ),
                Attr::string(
                    "name_prefix",
                    Kind::Optional,
                    "Only the configs whose name starts with this.",
                ),
            ],
            [],
        ))
    }
}

#[async_trait]
impl ListResource for WifConfigListResource {
    type Config = Option<WifConfigListConfig>;
    type State = WifConfigState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::list_schema())
    }

    async fn list(
        &self,
        diags: &mut Diagnostics,
        config: Self::Config,
    ) -> Option<Vec<Listed<WifConfigState>>> {
        let config = config.unwrap_or_default();
        let configured = self.data.get(diags)?;
        let configs = match configured.client.list_oidc_configs().await {
            Ok(configs) => configs,
            Err(e) => {
                diag::api_error(diags, "listing workload identity federation configs", &e);
                return None;
            }
        };
        let listed = configs
            .iter()
            .filter(|c| resource_identity::equals(&c.issuer_url, &config.issuer_url))
            .filter(|c| resource_identity::starts_with(&c.name, &config.name_prefix))
            .filter_map(|remote| {
                let state = WifConfigState::from_api(remote, &Value::Null);
                Some(Listed {
                    identity: resource_identity::of("id", &state.id)?,
                    display_name: remote.name.clone(),
                    state,
                })
            })
            .collect();
        Some(listed)
    }
}
