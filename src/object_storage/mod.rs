//! AI Object Storage: workload identity federation configs (resource and lookup) and
//! organization access policies, and what those policies allow (the access check).

pub mod access_check;
pub mod org_policy;
pub mod policy;
pub mod taken_names;
pub mod wif_config;
pub mod wif_config_lookup;
