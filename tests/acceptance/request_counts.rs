//! API requests per Terraform phase, from the sandbox's request log: a no-change plan costs at
//! most 2 requests per resource type whatever N, an apply or a destroy of N at most N + 2, except
//! that creating N policies costs at most 2N + 1 lists beside the N writes: each create checks a
//! list right before and right after its write (the API's only write is an upsert). Concurrent
//! creates share those lists in rounds, so `make bench` shows at most N + 2·⌈N/10⌉ requests; how
//! full a round gets depends on how fast Terraform starts the creates, so that bound is the
//! bench's, and this test asserts the one that holds however the creates are spread in time.
//! Counts only; times are for `make bench`.

use serde_json::json;

use crate::support::sandbox::RecordedRequest;
use crate::support::{Sandbox, Workspace};

const N: usize = 15;
const WIF: &str = "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService/";
const POLICIES: &str = "/v1/cwobject/access-policy";

fn many(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "resource \"coreweave_object_storage_wif_config\" \"w{i}\" {{\n  name = \"acc-{i}\"\n  \
                 issuer_url = \"https://issuer-{i}.example.com\"\n  audience = \"aud\"\n}}\n\
                 resource \"coreweave_object_storage_org_policy\" \"p{i}\" {{\n  name = \"acc-{i}\"\n  \
                 statements = [{{ name = \"s\", effect = \"Allow\", actions = [\"s3:GetObject\"], \
                 resources = [\"bucket-{i}/*\"], principals = [\"*\"] }}]\n}}\n"
            )
        })
        .collect()
}

/// Requests of one phase, per resource type.
#[derive(Debug)]
struct Counts {
    policies: Vec<RecordedRequest>,
    wif: Vec<RecordedRequest>,
}

impl Counts {
    /// The requests logged since the last call, split by type; nothing else may be requested.
    fn take(sandbox: &Sandbox) -> Self {
        let log = sandbox.requests();
        sandbox.clear_requests();
        let (policies, rest): (Vec<_>, Vec<_>) =
            log.into_iter().partition(|r| r.path.starts_with(POLICIES));
        let (wif, other): (Vec<_>, Vec<_>) =
            rest.into_iter().partition(|r| r.path.starts_with(WIF));
        assert!(other.is_empty(), "unexpected requests: {other:?}");
        Self { policies, wif }
    }

    fn assert_at_most(&self, phase: &str, limit: usize) {
        for (kind, requests) in [("policy", &self.policies), ("WIF", &self.wif)] {
            assert!(
                requests.len() <= limit,
                "{phase} made {} {kind} requests (limit {limit}): {requests:?}",
                requests.len()
            );
        }
    }
}

#[test]
fn requests_per_phase_stay_within_their_bounds_and_a_no_change_plan_within_2() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &many(N));
    sandbox.clear_requests();

    ws.apply();
    let apply = Counts::take(&sandbox);
    assert!(apply.wif.len() <= N + 2, "{:?}", apply.wif);
    assert!(
        apply.policies.len() <= 3 * N + 1,
        "creating {N} policies made {} requests: {:?}",
        apply.policies.len(),
        apply.policies
    );
    eprintln!(
        "creating {N} policies made {} requests ({N} writes)",
        apply.policies.len()
    );
    assert_eq!(apply.wif.iter().filter(|r| r.write).count(), N);
    assert_eq!(apply.policies.iter().filter(|r| r.write).count(), N);

    ws.assert_no_changes();
    Counts::take(&sandbox).assert_at_most("no-change plan", 2);

    let run = ws.run(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
    assert_eq!(run.code, 0, "{}", run.output());
    Counts::take(&sandbox).assert_at_most("plan -refresh=false", 0);

    // An update of every policy and every config: N writes each, and still at most 2 lists.
    ws.write(
        &sandbox,
        &many(N)
            .replace("\"aud\"", "\"aud-2\"")
            .replace("s3:GetObject", "s3:PutObject"),
    );
    ws.apply();
    Counts::take(&sandbox).assert_at_most("update", N + 2);

    ws.destroy();
    let destroy = Counts::take(&sandbox);
    destroy.assert_at_most("destroy", N + 2);
    assert_eq!(sandbox.state()["policies"], json!([]));
    assert_eq!(sandbox.state()["oidcConfigs"], json!([]));
}

#[test]
fn a_policy_created_out_of_band_between_plan_and_apply_is_still_refused() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &many(3));
    ws.run(&["plan", "-out=tfplan", "-input=false", "-no-color"])
        .success();
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        POLICIES,
        Some(json!({"policy": {"version": "v1alpha1", "name": "acc-1", "statements": [
            {"name": "theirs", "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["their-bucket/*"], "principals": ["*"]}
        ]}})),
    );
    assert_eq!(status, 200, "{body}");
    sandbox.clear_requests();
    let out = ws
        .run(&["apply", "-input=false", "-no-color", "tfplan"])
        .failure();
    assert!(
        out.contains("An organization access policy named \"acc-1\" already exists"),
        "{out}"
    );
    let policy_writes: Vec<_> = sandbox
        .writes()
        .into_iter()
        .filter(|w| w.path.starts_with(POLICIES))
        .collect();
    assert_eq!(policy_writes.len(), 2, "{policy_writes:?}");
    let theirs = sandbox.state()["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "acc-1").cloned())
        .unwrap();
    assert_eq!(theirs["statements"][0]["name"], "theirs");
}

#[test]
fn a_wif_config_deleted_out_of_band_is_found_missing_from_the_one_list() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &many(3));
    ws.apply();
    let uid = ws.state_of("coreweave_object_storage_wif_config.w1")["id"].clone();
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        &format!("{WIF}DeleteOIDCConfig"),
        Some(json!({ "uid": uid })),
    );
    assert_eq!(status, 200, "{body}");
    sandbox.clear_requests();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(
        plan.stdout
            .contains("coreweave_object_storage_wif_config.w1 will be created"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let counts = Counts::take(&sandbox);
    assert_eq!(counts.wif.len(), 1, "{:?}", counts.wif);
    assert!(counts.wif[0].path.ends_with("/ListOIDCConfigs"));
}
