//! Ephemeral resource `coreweave_cks_kubeconfig` (Terraform >= 1.10): a `terraform_data`'s
//! `local-exec` provisioner gets `host` and `token` through `environment` and runs the real
//! `kubectl get nodes` against the sandbox cluster's managed endpoint, while the credential is in
//! no saved plan, state file or trace log.

use std::path::Path;

use serde_json::json;

use crate::support::kubectl::kubectl_binary;
use crate::support::login::{ClusterLogin, UNAUTHORIZED};
use crate::support::sandbox::{CLUSTER_DEMO, SERVICE_ACCOUNT_CI, TOKEN};
use crate::support::terraform::{ephemeral_supported, required_providers};
use crate::support::{Sandbox, Workspace};

/// A configuration whose `terraform_data` runs `kubectl get nodes` (and `auth whoami`) with the
/// ephemeral resource's host and token, writing what kubectl printed to `nodes.txt` and
/// `whoami.json`; `provider` is the provider block, `run` a value that makes each apply run it
/// again.
fn kubectl_config(provider: &str, login: &ClusterLogin, run: u32) -> String {
    format!(
        r#"{required}
{provider}
ephemeral "coreweave_cks_kubeconfig" "demo" {{
  cluster_id = "{CLUSTER_DEMO}"
}}

resource "terraform_data" "nodes" {{
  input = {run}
  provisioner "local-exec" {{
    command = "\"$KUBECTL\" --server \"$HOST\" --token \"$TOKEN\" get nodes > nodes.txt && \"$KUBECTL\" --server \"$HOST\" --token \"$TOKEN\" auth whoami -o json > whoami.json"
    environment = {{
      HOST          = ephemeral.coreweave_cks_kubeconfig.demo.host
      TOKEN         = ephemeral.coreweave_cks_kubeconfig.demo.token
      KUBECTL       = "{kubectl}"
      KUBECONFIG    = "/dev/null"
      HTTPS_PROXY   = "{proxy}"
      SSL_CERT_FILE = "{ca}"
    }}
  }}
}}
"#,
        required = required_providers(),
        kubectl = kubectl_binary().display(),
        proxy = login.proxy,
        ca = login.ca_file.display(),
    )
}

/// Every file under `dir` (a saved plan unpacked, the state, a log) as text.
fn texts_under(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("listing") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(texts_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    found
}

/// Unpacks the saved plan `plan` (a zip) into `into`, with Python's standard zipfile module.
fn unpack(plan: &Path, into: &Path) {
    let status = std::process::Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(plan)
        .arg(into)
        .status()
        .expect("python3");
    assert!(status.success(), "unpacking the saved plan");
}

#[test]
fn kubectl_in_a_provisioner_reaches_the_cluster_and_the_token_is_in_no_plan_state_or_log() {
    if !ephemeral_supported("kubectl_in_a_provisioner_reaches_the_cluster") {
        return;
    }
    let sandbox = Sandbox::start();
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    let mut ws = Workspace::new();
    let log = ws.path().join("trace.log");
    ws.env("COREWEAVE_API_TOKEN", TOKEN)
        .env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &log.display().to_string());
    let provider = format!(
        "provider \"coreweave\" {{\n  endpoint = \"{}\"\n}}\n",
        sandbox.url
    );
    ws.write_raw(&kubectl_config(&provider, &login, 1));

    ws.run(&["plan", "-input=false", "-no-color", "-out=saved.tfplan"])
        .success();
    ws.run(&["apply", "-input=false", "-no-color", "saved.tfplan"])
        .success();
    let nodes = std::fs::read_to_string(ws.path().join("nodes.txt")).expect("kubectl ran");
    assert!(nodes.contains("demo-node-1"), "{nodes}");
    let whoami = std::fs::read_to_string(ws.path().join("whoami.json")).expect("kubectl ran");
    assert!(whoami.contains("sandbox-user"), "{whoami}");
    assert!(
        sandbox
            .kubernetes_requests()
            .iter()
            .all(|r| r.server.as_deref() == Some("c0ffee00-0001.k8s.us-east-04a.coreweave.com")),
        "kubectl reached the managed endpoint by its real name"
    );

    let unpacked = ws.path().join("plan-unpacked");
    unpack(&ws.path().join("saved.tfplan"), &unpacked);
    let mut places = texts_under(&unpacked);
    places.push(("terraform.tfstate".into(), ws.raw_state()));
    let trace = std::fs::read_to_string(&log).expect("the trace log");
    assert!(
        trace.contains("OpenEphemeralResource") || trace.contains("ephemeral"),
        "the log is Terraform's trace log"
    );
    places.push(("TF_LOG=trace".into(), trace));
    for (place, text) in &places {
        assert!(!text.contains(TOKEN), "the token is in {place}");
    }
    ws.assert_no_changes();
}

#[test]
fn with_workload_identity_a_later_apply_after_the_bearer_expired_gets_a_fresh_one() {
    if !ephemeral_supported("with_workload_identity_a_later_apply") {
        return;
    }
    let sandbox = Sandbox::start();
    sandbox.configure(json!({"bearerLifetimeSeconds": 600}));
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    let ci_token =
        sandbox.ci_token(json!({"subject": "repo:example/infrastructure:ref:refs/heads/main"}));
    let mut ws = Workspace::new();
    ws.env("TFC_WORKLOAD_IDENTITY_TOKEN", &ci_token);
    let provider = format!(
        "provider \"coreweave\" {{\n  endpoint = \"{}\"\n  authentication = {{\n    workload_identity = {{ service_account_uid = \"{SERVICE_ACCOUNT_CI}\" }}\n  }}\n}}\n",
        sandbox.url
    );

    ws.write_raw(&kubectl_config(&provider, &login, 1));
    ws.apply();
    let whoami = std::fs::read_to_string(ws.path().join("whoami.json")).expect("kubectl ran");
    assert!(whoami.contains(SERVICE_ACCOUNT_CI), "{whoami}");
    // Every bearer the first apply exchanged (its plan and its apply each start the provider).
    let first: Vec<String> = sandbox.bearers();
    assert!(!first.is_empty(), "the apply exchanged the CI token");

    // The sandbox's clock moves past the bearers' lifetime: it refuses each of them now.
    sandbox.advance_clock(601.0);
    for expired in &first {
        let run = login.run(false, expired, &["auth", "whoami"]);
        assert!(
            run.code != 0 && run.stderr.contains(UNAUTHORIZED),
            "an expired bearer was refused: {}",
            run.stderr
        );
    }

    // A later CI job brings a CI token of its own (the first one expired with the clock too).
    let later_ci_token =
        sandbox.ci_token(json!({"subject": "repo:example/infrastructure:ref:refs/heads/main"}));
    ws.env("TFC_WORKLOAD_IDENTITY_TOKEN", &later_ci_token);
    ws.write_raw(&kubectl_config(&provider, &login, 2));
    ws.apply();
    let nodes = std::fs::read_to_string(ws.path().join("nodes.txt")).expect("kubectl ran");
    assert!(nodes.contains("demo-node-1"), "{nodes}");
    let fresh: Vec<String> = sandbox
        .bearers()
        .into_iter()
        .filter(|b| !first.contains(b))
        .collect();
    assert!(
        !fresh.is_empty(),
        "the second apply opened the ephemeral resource with a new bearer"
    );
}
