//! CoreWeave Kubernetes Service: the cluster OIDC resource and its list resource, the cluster
//! issuer and kubeconfig data sources, the kubeconfig ephemeral resource, and their helpers
//! (finding a cluster, building a kubeconfig, waiting for a cluster).

pub mod cluster_issuer_data_source;
pub mod cluster_lookup;
pub mod cluster_oidc_list_resource;
pub mod cluster_oidc_resource;
pub mod kubeconfig;
pub mod kubeconfig_data_source;
pub mod kubeconfig_ephemeral_resource;
pub mod wait;
