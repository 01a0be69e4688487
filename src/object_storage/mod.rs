//! AI Object Storage: workload identity federation configs and organization access policies.

pub mod org_policy;
pub mod policy_rules;
pub mod wif_config;
