//! Initial data: the built-in demo clusters, or a `--seed` JSON file
//! `{"clusters":[…],"policies":[…],"oidcConfigs":[…],"serviceAccounts":[…]}` in the API's JSON
//! shapes (service accounts: `{"uid","name","trust":{"issuer","audience","subject"}}`).

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
    let mut errors = Vec::new();
    let mut ids = HashSet::new();
    for (i, input) in file.clusters.unwrap_or_default().into_iter().enumerate() {
        match input.into_cluster() {
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
        match input.into_config(org) {
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
mod tests {
    use super::*;

    #[test]
    fn the_default_seed_has_three_running_clusters() {
        let store = default_store();
        let names: Vec<_> = store.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["demo", "staging", "with-oidc"]);
        assert_eq!(store.clusters[0].id, "c0ffee00-0000-4000-8000-000000000001");
        assert_eq!(
            store.clusters[2].api_server_endpoint,
            "c0ffee00-0003.k8s.us-east-04a.coreweave.com"
        );
        assert!(store.clusters[2].oidc.is_some() && store.clusters[0].oidc.is_none());
    }

    #[test]
    fn a_seed_file_replaces_the_defaults() {
        let store = load_seed(
            br#"{"clusters":[{"id":"x","name":"one","version":"1.31"}],
                 "policies":[{"version":"v1alpha1","name":"p","statements":[
                   {"name":"s","effect":"Allow","actions":["*"],"resources":["*"],"principals":["*"]}]}],
                 "oidcConfigs":[{"name":"c","issuerUrl":"https://x.io","audience":"a"}]}"#,
            "org",
        )
        .unwrap();
        assert_eq!(store.clusters.len(), 1);
        assert_eq!(store.policies[0].name, "p");
        assert_eq!(store.oidc_configs[0].org_uid, "org");
    }

    #[test]
    fn an_empty_seed_file_means_no_data() {
        let store = load_seed(b"{}", "org").unwrap();
        assert!(store.clusters.is_empty() && store.policies.is_empty());
    }

    #[test]
    fn seed_errors_name_the_offending_entry() {
        let err = load_seed(
            br#"{"clusters":[{"id":"x"},{"id":"x"}],"oidcConfigs":[{"name":"bad name","issuerUrl":"https://x.io","audience":"a"}]}"#,
            "org",
        )
        .unwrap_err();
        assert!(err.contains("clusters[1].id: duplicate"), "{err}");
        assert!(err.contains("oidcConfigs[0].name"), "{err}");
    }

    #[test]
    fn seeded_service_accounts_are_checked() {
        let store = load_seed(
            br#"{"serviceAccounts":[{"uid":"sa-1","name":"ci","trust":{"issuer":"https://ci.example","audience":"a","subject":"repo:x:*"}}]}"#,
            "org",
        )
        .unwrap();
        assert_eq!(store.service_accounts[0].trust.subject, "repo:x:*");
        let err = load_seed(
            br#"{"serviceAccounts":[{"uid":"sa-1","name":"","trust":{"issuer":"i","audience":"a","subject":"s"}},
                                    {"uid":"sa-2","name":"n","trust":{"issuer":"i","audience":"a","subject":"s","extra":1}}]}"#,
            "org",
        )
        .unwrap_err();
        assert!(err.contains("unknown field `extra`"), "{err}");
        let err = load_seed(
            br#"{"serviceAccounts":[{"uid":"sa-1","name":"","trust":{"issuer":"i","audience":"a","subject":"s"}}]}"#,
            "org",
        )
        .unwrap_err();
        assert!(
            err.contains("serviceAccounts[0].name: must not be empty"),
            "{err}"
        );
        assert_eq!(default_store().service_accounts[0].name, "ci-deployer");
    }

    #[test]
    fn seed_files_reject_unknown_keys() {
        assert!(load_seed(br#"{"buckets":[]}"#, "org").is_err());
    }
}
