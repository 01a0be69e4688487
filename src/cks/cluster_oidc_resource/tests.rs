use super::*;

fn set(v: &str) -> Value<String> {
    Value::Value(v.to_string())
}

fn state() -> ClusterOidcState {
    ClusterOidcState {
        cluster_id: set("c1"),
        issuer_url: set("https://accounts.example.com"),
        client_id: set("kubernetes"),
        ..Default::default()
    }
}

#[test]
fn state_converts_to_the_typed_block_and_back() {
    let mut s = state();
    s.signing_algs = Value::Value(BTreeSet::from(["RS256".to_string()]));
    s.username_prefix = set("");
    let oidc = s.to_api().unwrap();
    assert_eq!(
        oidc,
        ClusterOidc {
            issuer_url: Some("https://accounts.example.com".into()),
            client_id: Some("kubernetes".into()),
            signing_algorithms: vec!["SIGNING_ALGORITHM_RS256".into()],
            ..ClusterOidc::default()
        }
    );
    let mut back = ClusterOidcState {
        username_prefix: set(""),
        ..Default::default()
    };
    back.set_from_api(&oidc);
    assert_eq!(back.issuer_url, s.issuer_url);
    assert_eq!(
        back.username_prefix,
        set(""),
        "an empty prior value is kept"
    );
    assert_eq!(back.groups_claim, Value::Null);
    assert_eq!(back.signing_algs, s.signing_algs);
}

/// A state that cannot be converted fails the conversion: it never becomes a block that
/// lacks the field, which would ask the API to clear it.
#[test]
fn a_conversion_failure_never_becomes_a_clearing_patch() {
    let prior = state().to_api().unwrap();
    let cases = [
        ClusterOidcState {
            client_id: Value::Unknown,
            ..state()
        },
        ClusterOidcState {
            signing_algs: Value::Unknown,
            ..state()
        },
        ClusterOidcState {
            signing_algs: Value::Value(BTreeSet::from(["HS256".to_string()])),
            ..state()
        },
    ];
    for planned in cases {
        let mut diags = Diagnostics::default();
        assert_eq!(sendable(&mut diags, planned.to_api()), None, "{planned:?}");
        assert_eq!(diags.errors.len(), 1);
    }
    // What does convert is sent whole.
    let mut planned = state();
    planned.groups_claim = set("groups");
    let new = planned.to_api().unwrap();
    assert!(OidcUpdate::between(Some(&prior), Some(&new)).is_some());
}

#[test]
fn validation_names_each_bad_attribute() {
    let mut s = state();
    s.issuer_url = set("https://accounts.example.com/");
    s.client_id = set(" ");
    s.ca = set("bm90IGEgY2VydA==");
    s.signing_algs = Value::Value(BTreeSet::from(["HS256".to_string()]));
    let mut diags = Diagnostics::default();
    assert!(!check(&mut diags, &s));
    let details: Vec<_> = diags.errors.iter().map(|d| d.detail.to_string()).collect();
    assert_eq!(diags.errors.len(), 4, "{details:?}");
    assert!(details
        .iter()
        .any(|d| d.starts_with("`signing_algs` contains \"HS256\"")));
}

#[test]
fn unknown_values_are_not_validated_yet() {
    let s = ClusterOidcState {
        issuer_url: Value::Unknown,
        cluster_id: Value::Unknown,
        ..state()
    };
    let mut diags = Diagnostics::default();
    assert!(check(&mut diags, &s));
}

#[test]
fn jwa_names_map_both_ways() {
    assert_eq!(jwa_name("SIGNING_ALGORITHM_RS256"), "RS256");
    assert_eq!(jwa_name("SIGNING_ALGORITHM_ES256"), "ES256");
    let algs = Value::Value(BTreeSet::from(["RS256".to_string()]));
    assert_eq!(
        api_signing_algs(&algs).unwrap(),
        ["SIGNING_ALGORITHM_RS256"]
    );
}

fn cluster(oidc: serde_json::Value) -> Cluster {
    serde_json::from_value(serde_json::json!({
        "id": "c1", "name": "prod-a", "zone": "US-EAST-04A", "version": "v1.32",
        "status": "STATUS_RUNNING", "oidc": oidc
    }))
    .expect("a cluster")
}

#[test]
fn a_cluster_without_an_issuer_has_no_oidc_state() {
    assert_eq!(
        ClusterOidcState::from_cluster(
            &cluster(serde_json::Value::Null),
            ClusterOidcState::fresh()
        ),
        None
    );
}

#[test]
fn a_cluster_with_an_issuer_is_a_fresh_state_named_by_the_cluster() {
    let oidc =
        serde_json::json!({"issuerUrl": "https://idp.example.com", "clientId": "kubernetes"});
    let state =
        ClusterOidcState::from_cluster(&cluster(oidc), ClusterOidcState::fresh()).expect("a state");
    assert_eq!(state.id, set("c1"));
    assert_eq!(state.cluster_id, set("c1"));
    assert_eq!(state.issuer_url, set("https://idp.example.com"));
    assert_eq!(state.client_id, set("kubernetes"));
    assert_eq!(state.timeouts, Value::Value(Vec::new()));
    assert_eq!(state.username_claim, Value::Null);
}
