//! Acceptance tests: a real Terraform drives the freshly built provider against the sandbox.

mod support;

mod adopt;
mod bad_input;
mod caller_identity;
mod cks_cluster_issuer;
mod cks_cluster_oidc;
mod cks_kubeconfig;
mod cks_kubeconfig_ephemeral;
mod endpoint_errors;
mod examples;
mod exchange_errors;
mod faults;
mod federation_exchange;
mod federation_walkthrough;
mod function_principal;
mod hung_endpoint;
mod import_table;
mod kube_login;
mod malformed_answers;
mod name_conflicts;
mod object_storage_access_check;
mod object_storage_org_policy;
mod object_storage_wif_config;
mod official_provider;
mod provider_config;
mod real_org;
mod release_artifacts;
mod release_install;
mod request_counts;
mod s3_outcome;
mod security;
mod state_compatibility;
mod wif_config_data_source;
mod workload_identity;
