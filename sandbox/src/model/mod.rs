//! What the emulated API stores and decides, free of HTTP: clusters and their OIDC settings
//! and updates, workload federation OIDC configs, access policies and their evaluator, service
//! accounts and their tokens, cluster issuer URLs, the unmanaged endpoint's OIDC
//! authenticator, issued S3 keys, the buckets (their objects, settings and policies) and the
//! two-layer decision of S3 calls.

pub mod access_decision;
pub mod bucket;
pub mod bucket_policy;
pub mod bucket_policy_eval;
pub mod cluster;
pub mod cluster_oidc;
pub mod cluster_update;
pub mod credentials;
pub mod glob;
pub mod issuer;
pub mod object_store;
pub mod oidc_authn;
pub mod oidc_config;
pub mod policy;
pub mod policy_eval;
pub mod protojson;
pub mod sa_token;
pub mod service_account;
