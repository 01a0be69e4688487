//! Data source `coreweave_cks_cluster_issuer`: a cluster's identity endpoints, looked up by id or name.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{AttributePath, DataSource, Diagnostics};

use crate::api::cks::Cluster;
use crate::cks::cluster_lookup::{cluster_issuer_url, find_cluster, lookup, unmanaged_endpoint};
use crate::provider::ProviderData;
use crate::schema::{block, schema, Attr, Kind};

/// State of the data source.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ClusterIssuerState {
    #[serde(default)]
    pub cluster_id: Value<String>,
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub zone: Value<String>,
    #[serde(default)]
    pub status: Value<String>,
    #[serde(default)]
    pub issuer_url: Value<String>,
    #[serde(default)]
    pub api_server_endpoint: Value<String>,
    #[serde(default)]
    pub unmanaged_api_server_endpoint: Value<String>,
    #[serde(default)]
    pub oidc_issuer_url: Value<String>,
}

fn non_empty(value: &Option<String>) -> Value<String> {
    value.clone().filter(|v| !v.is_empty()).into()
}

/// Fills the outputs from the API's cluster.
pub fn state_from_cluster(cluster: &Cluster, issuer_base: &str) -> ClusterIssuerState {
    let endpoint = cluster
        .api_server_endpoint
        .clone()
        .filter(|e| !e.is_empty());
    ClusterIssuerState {
        cluster_id: Value::Value(cluster.id.clone()),
        name: Value::Value(cluster.name.clone()),
        zone: Value::Value(cluster.zone.clone()),
        status: Value::Value(cluster.status.to_string()),
        issuer_url: Value::Value(cluster_issuer_url(issuer_base, &cluster.id)),
        unmanaged_api_server_endpoint: endpoint.as_deref().map(unmanaged_endpoint).into(),
        api_server_endpoint: endpoint.into(),
        oidc_issuer_url: cluster
            .oidc
            .as_ref()
            .map_or(Value::Null, |o| non_empty(&o.issuer_url)),
    }
}

/// The data source.
pub struct ClusterIssuerDataSource {
    data: Arc<ProviderData>,
}

impl ClusterIssuerDataSource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = "cks_cluster_issuer";

    /// A data source sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The data source schema.
    pub fn data_source_schema() -> Schema {
        schema(block(
            "Looks up a CKS cluster by id or name and returns its identity endpoints: the OIDC issuer its service \
             account tokens carry (for workload identity federation), its API server endpoints, and the external \
             OIDC issuer configured on it, if any.",
            [
                Attr::string("cluster_id", Kind::OptionalComputed, "Id of the cluster. Exactly one of `cluster_id` or `name` must be set."),
                Attr::string("name", Kind::OptionalComputed, "Name of the cluster. Exactly one of `cluster_id` or `name` must be set; the name must match exactly one cluster."),
                Attr::string("zone", Kind::Computed, "Availability zone of the cluster."),
                Attr::string("status", Kind::Computed, "Cluster status, e.g. `STATUS_RUNNING`."),
                Attr::string("issuer_url", Kind::Computed, "OIDC issuer of the cluster's service account tokens: `<oidc_issuer_base_url>/id/<cluster_id>`. Register it as a workload identity federation issuer."),
                Attr::string("api_server_endpoint", Kind::Computed, "Host of the managed Kubernetes API server endpoint."),
                Attr::string("unmanaged_api_server_endpoint", Kind::Computed, "Host of the unmanaged authentication endpoint (`api.` + `api_server_endpoint`), which accepts OIDC and service account tokens."),
                Attr::string("oidc_issuer_url", Kind::Computed, "External OIDC issuer configured on the cluster (see `coreweave_cks_cluster_oidc`), or null when none."),
            ],
            [],
        ))
    }
}

#[async_trait]
impl DataSource for ClusterIssuerDataSource {
    type State = ClusterIssuerState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::data_source_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        match lookup(&config.cluster_id, &config.name) {
            Ok(_) => Some(()),
            Err((attribute, message)) => {
                diags.error(
                    "Invalid cluster lookup",
                    message,
                    AttributePath::new(attribute),
                );
                None
            }
        }
    }

    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State> {
        let lookup = match lookup(&config.cluster_id, &config.name) {
            Ok(Some(lookup)) => lookup,
            Ok(None) => {
                diags.root_error_short("The cluster id or name is unknown at read time");
                return None;
            }
            Err((attribute, message)) => {
                diags.error(
                    "Invalid cluster lookup",
                    message,
                    AttributePath::new(attribute),
                );
                return None;
            }
        };
        let configured = self.data.get(diags)?;
        let cluster = find_cluster(&configured.client, &lookup, diags).await?;
        Some(state_from_cluster(
            &cluster,
            &configured.oidc_issuer_base_url,
        ))
    }
}
