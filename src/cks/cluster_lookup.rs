//! Finding the CKS cluster a configuration names (by id or by name), and what is derived from
//! it: the issuer URL of its service accounts and its unmanaged endpoint.

use tf_plugin_server::value::Value;
use tf_plugin_server::{AttributePath, Diagnostics};

use crate::api::cks::Cluster;
use crate::api::ApiClient;
use crate::diag;

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
