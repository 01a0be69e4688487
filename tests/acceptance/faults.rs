//! Faults: rate limits, outages, busy clusters and interruption, with real Terraform.

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::sandbox::CLUSTER_DEMO;
use crate::support::terraform::{org_policy_block, Statement};
use crate::support::{Sandbox, Workspace};

fn everything() -> String {
    format!(
        r#"
data "coreweave_cks_cluster_issuer" "demo" {{
  cluster_id = "{CLUSTER_DEMO}"
}}

resource "coreweave_cks_cluster_oidc" "demo" {{
  cluster_id = data.coreweave_cks_cluster_issuer.demo.cluster_id
  issuer_url = "https://accounts.example.org"
  client_id  = "kubernetes"
}}

resource "coreweave_object_storage_wif_config" "demo" {{
  name       = "demo"
  issuer_url = data.coreweave_cks_cluster_issuer.demo.issuer_url
  audience   = data.coreweave_cks_cluster_issuer.demo.issuer_url
}}
{policy}"#,
        policy = org_policy_block(
            "demo",
            "demo",
            Statement {
                name: "exchange",
                effect: "Allow",
                action: "cwobject:CreateAccessKeyOIDC",
                resource: "*",
                principal: "role/${coreweave_object_storage_wif_config.demo.issuer_url}:system:serviceaccount:default:sa",
            },
        )
    )
}

#[test]
fn every_resource_applies_and_destroys_through_rate_limits_and_latency() {
    let sandbox = Sandbox::start_with(&[
        "--update-duration-ms",
        "300",
        "--fault-every",
        "3",
        "--latency-ms",
        "200",
    ]);
    let ws = Workspace::new();
    ws.write(&sandbox, &everything());
    ws.apply();
    ws.assert_no_changes();
    ws.destroy();
    let state = sandbox.state();
    assert_eq!(state["policies"], json!([]));
    assert_eq!(state["oidcConfigs"], json!([]));
    assert!(sandbox.cluster(CLUSTER_DEMO).get("oidc").is_none());
    let log = sandbox.requests();
    assert!(
        log.iter().any(|r| r.status == 429) && log.iter().any(|r| r.status == 503),
        "faults were injected"
    );
}

fn set_faults_command(sandbox: &Sandbox, every: u32) -> String {
    format!(
        "python3 -c \"import urllib.request as u; u.urlopen(u.Request('{}/_sandbox/config', data=b'{{\\\"faultEvery\\\": {every}}}', method='PUT', headers={{'Content-Type': 'application/json'}}))\"",
        sandbox.url
    )
}

#[test]
fn an_outage_mid_apply_keeps_what_was_created_and_the_next_apply_converges() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let body = format!(
        r#"
resource "coreweave_object_storage_wif_config" "first" {{
  name       = "first"
  issuer_url = "https://issuer.example.com"
  audience   = "aud"
}}

resource "terraform_data" "outage" {{
  depends_on = [coreweave_object_storage_wif_config.first]
  provisioner "local-exec" {{
    command = <<CMD
{}
CMD
  }}
}}

resource "coreweave_object_storage_org_policy" "second" {{
  depends_on = [terraform_data.outage]
  name       = "second"
  statements = [{{ name = "s", effect = "Allow", actions = ["s3:GetObject"], resources = ["bkt/*"], principals = ["*"] }}]
}}
"#,
        set_faults_command(&sandbox, 1)
    );
    ws.write(&sandbox, &body);
    let out = ws.apply_args(&[]).failure();
    let host = sandbox.url.trim_start_matches("http://");
    assert!(out.contains(host), "the error names the endpoint: {out}");
    assert!(
        out.contains("503") || out.contains("429") || out.contains("unavailable"),
        "and the last status: {out}"
    );
    assert_eq!(
        ws.state_of("coreweave_object_storage_wif_config.first")["name"],
        "first",
        "created before the outage: kept"
    );
    sandbox.configure(json!({"faultEvery": 0}));
    ws.apply();
    let state = sandbox.state();
    assert_eq!(
        state["oidcConfigs"].as_array().unwrap().len(),
        1,
        "no duplicate"
    );
    assert_eq!(state["policies"][0]["name"], "second");
    ws.assert_no_changes();
}

fn oidc_config(client_id: &str) -> String {
    format!(
        "resource \"coreweave_cks_cluster_oidc\" \"this\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n  issuer_url = \"https://accounts.example.org\"\n  client_id = \"{client_id}\"\n}}\n"
    )
}

/// Runs `terraform apply` until `ready` holds for the sandbox, then presses Ctrl-C; asserts
/// that Terraform ends promptly with an "interrupted" error and returns its output.
fn apply_and_interrupt(
    sandbox: &Sandbox,
    ws: &Workspace,
    ready: impl Fn(&Sandbox) -> bool,
) -> String {
    let mut child = ws.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let started = Instant::now();
    while !ready(sandbox) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never ready to interrupt: {:?}",
            sandbox.requests()
        );
        // Polls the request log: the sandbox has no way to notify the test.
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let interrupted = Instant::now();
    let status = child.wait().expect("terraform exits");
    let mut output = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut output)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut output)
        .unwrap();
    assert!(
        interrupted.elapsed() < Duration::from_secs(20),
        "returned promptly after Ctrl-C: {output}"
    );
    assert!(!status.success());
    assert!(output.contains("interrupted"), "{output}");
    output
}

#[test]
fn ctrl_c_during_a_long_wait_returns_promptly_with_the_resource_in_state() {
    let sandbox = Sandbox::start_with(&["--update-duration-ms", "60000"]);
    let ws = Workspace::new();
    ws.write(&sandbox, &oidc_config("k"));
    // Ready once the provider polls the cluster after its PATCH: it is in its wait.
    let output = apply_and_interrupt(&sandbox, &ws, |s| {
        let requests = s.requests();
        let patched = requests.iter().position(|r| r.method == "PATCH");
        patched.is_some_and(|at| requests[at..].iter().any(|r| r.method == "GET"))
    });
    assert_eq!(
        ws.state_of("coreweave_cks_cluster_oidc.this")["id"],
        CLUSTER_DEMO,
        "saved in state: {output}"
    );
}

#[test]
fn ctrl_c_while_retrying_a_busy_cluster_ends_the_apply_at_once_with_state_kept() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &oidc_config("k"));
    ws.apply();
    // Every PATCH from now on meets a cluster another change just made busy.
    sandbox.configure(json!({"busyPatches": 1000}));
    ws.write(&sandbox, &oidc_config("k2"));
    sandbox.clear_requests();
    // Ready once a PATCH met the busy cluster twice: the provider is in its retries.
    let output = apply_and_interrupt(&sandbox, &ws, |s| {
        let requests = s.requests();
        let busy = requests
            .iter()
            .filter(|r| r.method == "PATCH" && r.status == 400);
        busy.count() >= 2
    });
    assert_eq!(
        ws.state_of("coreweave_cks_cluster_oidc.this")["client_id"],
        "k",
        "the prior state is kept: {output}"
    );
    assert_eq!(sandbox.cluster(CLUSTER_DEMO)["oidc"]["clientId"], "k");
}

#[test]
fn writes_whose_answers_are_lost_are_still_tracked_and_never_duplicated() {
    let sandbox = Sandbox::start();
    sandbox.configure(json!({"loseWriteAnswers": 3}));
    let ws = Workspace::new();
    write_with_retries(&ws, &sandbox, 0, &everything());
    ws.apply();
    let log = sandbox.requests();
    assert_eq!(
        log.iter().filter(|r| r.status == 502).count(),
        3,
        "three answers were lost: {log:?}"
    );
    let state = sandbox.state();
    assert_eq!(
        state["oidcConfigs"].as_array().unwrap().len(),
        1,
        "no duplicate WIF config"
    );
    assert_eq!(state["policies"].as_array().unwrap().len(), 1);
    for address in [
        "coreweave_cks_cluster_oidc.demo",
        "coreweave_object_storage_wif_config.demo",
        "coreweave_object_storage_org_policy.demo",
    ] {
        assert!(!ws.state_of(address).is_null(), "{address} is in state");
    }
    ws.assert_no_changes();
}

/// Writes `main.tf` with a provider block for `sandbox` allowing `max_retries` retries.
fn write_with_retries(ws: &Workspace, sandbox: &Sandbox, max_retries: u32, body: &str) {
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  token = \"{}\"\n  max_retries = {max_retries}\n}}\n{body}",
        crate::support::terraform::required_providers(),
        sandbox.url,
        crate::support::sandbox::TOKEN,
    ));
}

/// Statuses of the API requests `method path` in the sandbox's log, in order.
fn statuses(sandbox: &Sandbox, method: &str, path: &str) -> Vec<u16> {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.status)
        .collect()
}

/// A sandbox and a workspace holding a saved plan (`tfplan`) that creates the one-statement
/// policy `name`, with `max_retries` retries.
fn planned_policy(name: &str, max_retries: u32) -> (Sandbox, Workspace) {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let policy = org_policy_block(
        name,
        name,
        Statement {
            name: "read",
            effect: "Allow",
            action: "s3:GetObject",
            resource: "bkt/*",
            principal: "*",
        },
    );
    write_with_retries(&ws, &sandbox, max_retries, &policy);
    ws.run(&["plan", "-out=tfplan", "-input=false", "-no-color"])
        .success();
    (sandbox, ws)
}

#[test]
fn a_lost_answer_followed_by_refusals_still_records_the_write() {
    let (sandbox, ws) = planned_policy("lost", 2);
    // From now on the sandbox refuses every second API request (429 and 503 in turn) and loses
    // the answer of the next write that takes effect. The apply reads the policies twice, then
    // writes: refused, written with its answer lost (502), refused; its retries are spent.
    sandbox.configure(json!({"faultEvery": 2, "loseWriteAnswers": 1}));
    let out = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    let posts = statuses(&sandbox, "POST", "/v1/cwobject/access-policy");
    assert!(
        matches!(posts[..], [429 | 503, 502, 429 | 503]),
        "the fault sequence: {posts:?}\n{}",
        out.output()
    );
    out.success();
    assert_eq!(
        ws.state_of("coreweave_object_storage_org_policy.lost")["name"],
        "lost",
        "the write that took effect is in state"
    );
    sandbox.configure(json!({"faultEvery": 0}));
    ws.assert_no_changes();
}

#[test]
fn a_write_whose_answer_and_read_back_are_both_lost_stays_in_state_and_converges() {
    let (sandbox, ws) = planned_policy("unknown", 0);
    // The apply reads the policies twice, then writes (the write takes effect, its answer is
    // lost), then reads back: that fourth request of the apply is refused (the sandbox counts
    // every API request since it started), and no retry is allowed.
    let read_back = sandbox.requests().len() + 4;
    sandbox.configure(json!({"faultEvery": read_back, "loseWriteAnswers": 1}));
    let out = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    let posts = statuses(&sandbox, "POST", "/v1/cwobject/access-policy");
    assert_eq!(posts, [502], "the write took effect, its answer was lost");
    let failure = out.failure();
    assert!(failure.contains("it is kept in state"), "{failure}");
    let state = ws.raw_state();
    assert!(
        state.contains("\"tainted\"") && state.contains("\"unknown\""),
        "the policy is in state, tainted: {state}"
    );
    sandbox.configure(json!({"faultEvery": 0}));
    ws.apply();
    assert_eq!(
        ws.state_of("coreweave_object_storage_org_policy.unknown")["name"],
        "unknown"
    );
    let remote: Vec<_> = sandbox.state()["policies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        remote.iter().filter(|p| p["name"] == "unknown").count(),
        1,
        "one policy, the provider's own: {remote:?}"
    );
    ws.assert_no_changes();
}
