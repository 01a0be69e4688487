//! List resource `coreweave_object_storage_org_policy` (Terraform >= 1.14, `terraform query`):
//! the organization access policies, from one list call whatever their number.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{Diagnostics, ListResource, Listed};

use crate::diag;
use crate::object_storage::org_policy_resource::OrgPolicyState;
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};

/// The `config` block.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OrgPolicyListConfig {
    #[serde(default)]
    pub name_prefix: Value<String>,
}

/// The list resource.
pub struct OrgPolicyListResource {
    data: Arc<ProviderData>,
}

impl OrgPolicyListResource {
    /// Type name without the provider prefix (the resource's).
    pub const NAME: &'static str = super::ORG_POLICY;

    /// A list resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The `config` block's schema.
    pub fn list_schema() -> Schema {
        schema(block(
            "The organization access policies, each with its identity (`name`) and, with \
             `include_resource = true`, the whole policy.",
            [Attr::string(
                "name_prefix",
                Kind::Optional,
                "Only the policies whose name starts with this.",
            )],
            [],
        ))
    }
}

#[async_trait]
impl ListResource for OrgPolicyListResource {
    type Config = Option<OrgPolicyListConfig>;
    type State = OrgPolicyState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::list_schema())
    }

    async fn list(
        &self,
        diags: &mut Diagnostics,
        config: Self::Config,
    ) -> Option<Vec<Listed<OrgPolicyState>>> {
        let config = config.unwrap_or_default();
        let configured = self.data.get(diags)?;
        let policies = match configured.client.list_access_policies().await {
            Ok(policies) => policies,
            Err(e) => {
                diag::api_error(diags, "listing organization access policies", &e);
                return None;
            }
        };
        let listed = policies
            .iter()
            .filter(|p| resource_identity::starts_with(&p.name, &config.name_prefix))
            .filter_map(|policy| {
                let state = OrgPolicyState::from_api(policy);
                Some(Listed {
                    identity: resource_identity::of("name", &state.name)?,
                    display_name: policy.name.clone(),
                    state,
                })
            })
            .collect();
        Some(listed)
    }
}
