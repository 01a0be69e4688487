//! CoreWeave Kubernetes Service: cluster OIDC resource and cluster issuer data source.

pub mod cluster_issuer;
pub mod cluster_oidc;
pub mod wait;
