//! Acceptance tests: a real Terraform drives the freshly built provider against the sandbox.

mod support;

mod cks_cluster_issuer;
mod cks_cluster_oidc;
mod function_principal;
mod provider_config;
