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
