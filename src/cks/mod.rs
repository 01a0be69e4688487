//! CoreWeave Kubernetes Service: cluster OIDC resource, cluster issuer and kubeconfig data sources.

pub mod cluster_issuer;
pub mod cluster_oidc;
pub mod kubeconfig;
pub mod wait;
