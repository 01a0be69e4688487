//! Data source `coreweave_cks_cluster_issuer`: a cluster's identity endpoints, looked up by id or name.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{AttributePath, DataSource, Diagnostics};

use crate::api::cks::Cluster;
use crate::api::ApiClient;
use crate::diag;
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

/// The cluster's own issuer: `<base>/id/<cluster id>`.
pub fn cluster_issuer_url(base: &str, cluster_id: &str) -> String {
    format!("{}/id/{cluster_id}", base.trim_end_matches('/'))
}

/// The unmanaged authentication endpoint: `api.` in front of the API server host (seed 004).
pub fn unmanaged_endpoint(api_server_endpoint: &str) -> String {
    match api_server_endpoint.split_once("://") {
        Some((scheme, host)) => format!("{scheme}://api.{host}"),
        None => format!("api.{api_server_endpoint}"),
    }
}

/// How the configuration identifies the cluster.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Id(String),
    Name(String),
}

/// Picks the lookup from the two inputs: exactly one must be set.
pub fn lookup(
    cluster_id: &Value<String>,
    name: &Value<String>,
) -> Result<Option<Lookup>, (&'static str, String)> {
    match (cluster_id, name) {
        (Value::Null, Value::Null) => Err((
            "cluster_id",
            "set exactly one of `cluster_id` or `name`; neither is set".into(),
        )),
        // A variable may still turn out null: decide once both are known.
        (Value::Unknown, _) | (_, Value::Unknown) => Ok(None),
        (Value::Null, Value::Value(n)) if n.is_empty() => {
            Err(("name", "`name` must not be empty".into()))
        }
        (Value::Value(id), Value::Null) if id.is_empty() => {
            Err(("cluster_id", "`cluster_id` must not be empty".into()))
        }
        (Value::Null, Value::Value(n)) => Ok(Some(Lookup::Name(n.clone()))),
        (Value::Value(id), Value::Null) => Ok(Some(Lookup::Id(id.clone()))),
        _ => Err((
            "name",
            "set exactly one of `cluster_id` or `name`, not both".into(),
        )),
    }
}

/// Selects the single cluster called `name`.
pub fn by_name(clusters: Vec<Cluster>, name: &str) -> Result<Cluster, String> {
    let (mut matching, others): (Vec<_>, Vec<_>) =
        clusters.into_iter().partition(|c| c.name == name);
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => {
            let mut names: Vec<_> = others.iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            Err(format!(
                "no cluster is named {name:?}; clusters in this organization: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ))
        }
        n => {
            let ids: Vec<_> = matching
                .iter()
                .map(|c| format!("{} ({})", c.id, c.zone))
                .collect();
            Err(format!(
                "{n} clusters are named {name:?}: {}; use `cluster_id` instead",
                ids.join(", ")
            ))
        }
    }
}

/// The cluster `lookup` selects, or an error diagnostic on the attribute that selected it.
pub async fn find_cluster(
    client: &ApiClient,
    lookup: &Lookup,
    diags: &mut Diagnostics,
) -> Option<Cluster> {
    match lookup {
        Lookup::Id(id) => match client.get_cluster(id).await {
            Ok(Some(c)) => Some(c),
            Ok(None) => {
                diags.error(
                    "Cluster not found",
                    format!("No CKS cluster has the id {id:?} in this organization."),
                    AttributePath::new("cluster_id"),
                );
                None
            }
            Err(e) => {
                diag::api_error(diags, format_args!("reading CKS cluster {id}"), &e);
                None
            }
        },
        Lookup::Name(name) => match client.list_clusters().await {
            Ok(clusters) => match by_name(clusters, name) {
                Ok(c) => Some(c),
                Err(message) => {
                    diags.error("Cluster not found", message, AttributePath::new("name"));
                    None
                }
            },
            Err(e) => {
                diag::api_error(diags, "listing CKS clusters", &e);
                None
            }
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_and_unmanaged_endpoint_are_derived_from_the_cluster() {
        assert_eq!(
            cluster_issuer_url("https://oidc.cks.coreweave.com/", "abc"),
            "https://oidc.cks.coreweave.com/id/abc"
        );
        assert_eq!(
            unmanaged_endpoint("abc-1.k8s.us-east-04a.coreweave.com"),
            "api.abc-1.k8s.us-east-04a.coreweave.com"
        );
        assert_eq!(
            unmanaged_endpoint("https://abc-1.k8s.coreweave.com"),
            "https://api.abc-1.k8s.coreweave.com"
        );
    }

    #[test]
    fn exactly_one_of_id_or_name_is_required() {
        let s = |v: &str| Value::Value(v.to_string());
        assert_eq!(
            lookup(&s("x"), &Value::Null),
            Ok(Some(Lookup::Id("x".into())))
        );
        assert_eq!(
            lookup(&Value::Null, &s("demo")),
            Ok(Some(Lookup::Name("demo".into())))
        );
        assert_eq!(lookup(&Value::Unknown, &Value::Null), Ok(None));
        assert_eq!(
            lookup(&Value::Null, &Value::Null).unwrap_err().0,
            "cluster_id"
        );
        assert_eq!(lookup(&s("x"), &s("demo")).unwrap_err().0, "name");
        assert_eq!(lookup(&Value::Unknown, &s("demo")), Ok(None));
        assert_eq!(lookup(&Value::Null, &s("")).unwrap_err().0, "name");
    }
}
