//! AI Object Storage: workload identity federation configs (resource and lookup) and
//! organization access policies.

pub mod org_policy;
pub mod policy_rules;
pub mod wif_config;
pub mod wif_config_lookup;
