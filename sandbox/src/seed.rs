//! Initial data: the built-in demo clusters, or a `--seed` JSON file
//! `{"clusters":[…],"policies":[…],"oidcConfigs":[…],"serviceAccounts":[…]}` in the API's JSON
//! shapes (service accounts: `{"uid","name","trust":{"issuer","audience","subject"}}`).

use crate::time::Clock;
use std::collections::HashSet;

use serde::Deserialize;

use crate::model::cluster::{Cluster, ClusterInput, ClusterStatus};
use crate::model::cluster_oidc::Oidc;
use crate::model::oidc_config::OidcConfigInput;
use crate::model::policy::PolicyInput;
use crate::model::service_account::{default_service_account, ServiceAccount};
use crate::state::Store;
use crate::wire::errors::FieldViolation;

/// Fixed `createdAt`/`updatedAt` of the built-in clusters.
pub const DEFAULT_TIMESTAMP: &str = "2025-01-15T10:00:00Z";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SeedFile {
    clusters: Option<Vec<ClusterInput>>,
    policies: Option<Vec<PolicyInput>>,
    #[serde(alias = "oidc_configs")]
    oidc_configs: Option<Vec<OidcConfigInput>>,
    #[serde(alias = "service_accounts")]
    service_accounts: Option<Vec<ServiceAccount>>,
}

fn demo_cluster(n: u32, name: &str, oidc: Option<Oidc>) -> Cluster {
    Cluster {
        id: format!("c0ffee00-0000-4000-8000-00000000000{n}"),
        name: name.into(),
        zone: "US-EAST-04A".into(),
        vpc_id: String::new(),
        version: "1.32".into(),
        public: true,
        oidc,
        audit_policy: String::new(),
        api_server_endpoint: format!("c0ffee00-000{n}.k8s.us-east-04a.coreweave.com"),
        created_at: DEFAULT_TIMESTAMP.into(),
        updated_at: DEFAULT_TIMESTAMP.into(),
        status: ClusterStatus::Running,
        status_until: None,
    }
}

/// The built-in clusters `demo`, `staging` and `with-oidc`, no policies, no OIDC configs.
pub fn default_store() -> Store {
    let oidc = Oidc {
        issuer_url: "https://accounts.example.com".into(),
        client_id: "kubernetes".into(),
        username_claim: "email".into(),
        ..Oidc::default()
    };
    Store {
        clusters: vec![
            demo_cluster(1, "demo", None),
            demo_cluster(2, "staging", None),
            demo_cluster(3, "with-oidc", Some(oidc)),
        ],
        policies: Vec::new(),
        oidc_configs: Vec::new(),
        service_accounts: vec![default_service_account()],
    }
}

fn describe(prefix: &str, violations: Vec<FieldViolation>) -> String {
    violations
        .into_iter()
        .map(|v| format!("{prefix}.{}: {}", v.field, v.description))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses and validates a seed file; `org` is the default `orgUid` of OIDC configs.
pub fn load_seed(bytes: &[u8], org: &str) -> Result<Store, String> {
    let file: SeedFile = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut store = Store::default();
    // Before the sandbox starts, its clock is the system's.
    let now = Clock::default().now_rfc3339();
    let mut errors = Vec::new();
    let mut ids = HashSet::new();
    for (i, input) in file.clusters.unwrap_or_default().into_iter().enumerate() {
        match input.into_cluster(&now) {
            Ok(c) if !ids.insert(c.id.clone()) => {
                errors.push(format!("clusters[{i}].id: duplicate id {:?}", c.id));
            }
            Ok(c) => store.clusters.push(c),
            Err(v) => errors.push(describe(&format!("clusters[{i}]"), v)),
        }
    }
    let mut names = HashSet::new();
    for (i, input) in file.policies.unwrap_or_default().into_iter().enumerate() {
        match input.into_policy(&format!("policies[{i}]")) {
            Ok(p) if !names.insert(p.name.clone()) => {
                errors.push(format!("policies[{i}].name: duplicate name {:?}", p.name));
            }
            Ok(p) => store.policies.push(p),
            Err(v) => errors.extend(
                v.into_iter()
                    .map(|v| format!("{}: {}", v.field, v.description)),
            ),
        }
    }
    let mut uids = HashSet::new();
    let mut pairs = HashSet::new();
    for (i, input) in file
        .oidc_configs
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        match input.into_config(org, &now) {
            Ok(c) if !uids.insert(c.uid.clone()) => {
                errors.push(format!("oidcConfigs[{i}].uid: duplicate uid {:?}", c.uid));
            }
            Ok(c) if !pairs.insert((c.issuer_url.clone(), c.audience.clone())) => {
                errors.push(format!(
                    "oidcConfigs[{i}]: another config already uses this issuer URL and audience"
                ));
            }
            Ok(c) => store.oidc_configs.push(c),
            Err(v) => errors.push(describe(&format!("oidcConfigs[{i}]"), v)),
        }
    }
    let mut account_uids = HashSet::new();
    for (i, account) in file
        .service_accounts
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let violations = account.check();
        if !violations.is_empty() {
            errors.push(describe(&format!("serviceAccounts[{i}]"), violations));
        } else if !account_uids.insert(account.uid.clone()) {
            errors.push(format!(
                "serviceAccounts[{i}].uid: duplicate uid {:?}",
                account.uid
            ));
        } else {
            store.service_accounts.push(account);
        }
    }
    if errors.is_empty() {
        Ok(store)
    } else {
        Err(errors.join("; "))
    }
}

#[cfg(test)]
mod tests;
