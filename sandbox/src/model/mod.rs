//! What the emulated API stores and decides, free of HTTP: clusters and their OIDC settings
//! and updates, workload federation OIDC configs, access policies and their evaluator, service
//! accounts and their tokens, cluster issuer URLs, the unmanaged endpoint's OIDC
//! authenticator, issued S3 keys and the buckets' objects.

pub mod cluster;
pub mod cluster_oidc;
pub mod cluster_update;
pub mod credentials;
pub mod issuer;
pub mod object_store;
pub mod oidc_authn;
pub mod oidc_config;
pub mod policy;
pub mod policy_eval;
pub mod protojson;
pub mod sa_token;
pub mod service_account;
