//! CoreWeave Kubernetes Service: cluster OIDC resource, cluster issuer and kubeconfig data sources,
//! and the kubeconfig ephemeral resource.

pub mod cluster_issuer;
pub mod cluster_oidc;
pub mod kubeconfig;
pub mod kubeconfig_ephemeral;
pub mod wait;
