//! List resource `coreweave_cks_cluster_oidc` (Terraform >= 1.14, `terraform query`): the CKS
//! clusters that trust an external OIDC issuer, from one list of clusters whatever their number.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{Diagnostics, ListResource, Listed};

use crate::cks::cluster_oidc_resource::{ClusterOidcResource, ClusterOidcState};
use crate::diag;
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};

/// The `config` block.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ClusterOidcListConfig {
    #[serde(default)]
    pub cluster_name_prefix: Value<String>,
}

/// The list resource.
pub struct ClusterOidcListResource {
    data: Arc<ProviderData>,
}

impl ClusterOidcListResource {
    /// Type name without the provider prefix (the resource's).
    pub const NAME: &'static str = ClusterOidcResource::NAME;

    /// A list resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The `config` block's schema.
    pub fn list_schema() -> Schema {
        schema(block(
            "The OIDC settings of every CKS cluster that has an external OIDC issuer, each with \
             its identity (`cluster_id`) and, with `include_resource = true`, the whole settings. \
             Clusters without an issuer are left out.",
            [Attr::string(
                "cluster_name_prefix",
                Kind::Optional,
                "Only the clusters whose name starts with this.",
            )],
            [],
        ))
    }
}

#[async_trait]
impl ListResource for ClusterOidcListResource {
    type Config = Option<ClusterOidcListConfig>;
    type State = ClusterOidcState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::list_schema())
    }

    async fn list(
        &self,
        diags: &mut Diagnostics,
        config: Self::Config,
    ) -> Option<Vec<Listed<ClusterOidcState>>> {
        let config = config.unwrap_or_default();
        let configured = self.data.get(diags)?;
        let clusters = match configured.client.list_clusters().await {
            Ok(clusters) => clusters,
            Err(e) => {
                diag::api_error(diags, "listing CKS clusters", &e);
                return None;
            }
        };
        let selected = clusters
            .iter()
            .filter(|c| resource_identity::starts_with(&c.name, &config.cluster_name_prefix));
        let listed = selected.filter_map(|cluster| {
            let state = ClusterOidcState::from_cluster(cluster, ClusterOidcState::fresh())?;
            Some(Listed {
                identity: resource_identity::of("cluster_id", &state.cluster_id)?,
                display_name: cluster.name.clone(),
                state,
            })
        });
        Some(listed.collect())
    }
}
