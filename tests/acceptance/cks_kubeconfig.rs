//! Data source `coreweave_cks_kubeconfig`: the real kubectl uses its kubeconfig as it is,
//! reaching the sandbox cluster by its real name (the sandbox's proxy) and trusting the sandbox
//! CA through `SSL_CERT_FILE`; no long-lived secret lands in state.

use serde_json::json;

use crate::support::login::{idp, user_of, ClusterLogin};
use crate::support::sandbox::{CLUSTER_DEMO, SERVICE_ACCOUNT_CI, TOKEN};
use crate::support::terraform::required_providers;
use crate::support::{Sandbox, Workspace};

const DEMO_HOST: &str = "c0ffee00-0001.k8s.us-east-04a.coreweave.com";

fn outputs_of(data: &str) -> String {
    format!(
        "output \"host\" {{ value = data.coreweave_cks_kubeconfig.{data}.host }}\n\
         output \"token\" {{\n  value = data.coreweave_cks_kubeconfig.{data}.token\n  sensitive = true\n}}\n\
         output \"kubeconfig\" {{\n  value = data.coreweave_cks_kubeconfig.{data}.kubeconfig\n  sensitive = true\n}}\n"
    )
}

#[test]
fn managed_kubeconfig_takes_the_api_token_from_the_environment_at_use_time() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            "data \"coreweave_cks_kubeconfig\" \"demo\" {{\n  name = \"demo\"\n}}\n{}",
            outputs_of("demo")
        ),
    );
    ws.apply();
    let outputs = ws.outputs();
    assert_eq!(outputs["host"], format!("https://{DEMO_HOST}"));
    assert_eq!(outputs["token"], serde_json::Value::Null);
    assert!(
        !ws.raw_state().contains(TOKEN),
        "the API token must not land in state"
    );
    let kubeconfig = outputs["kubeconfig"].as_str().unwrap();
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);

    let review = login
        .with_kubeconfig(
            kubeconfig,
            &["auth", "whoami", "-o", "json"],
            &[("COREWEAVE_API_TOKEN", TOKEN)],
        )
        .json();
    assert_eq!(user_of(&review).0, "sandbox-user");
    let nodes = login
        .with_kubeconfig(
            kubeconfig,
            &["get", "nodes"],
            &[("COREWEAVE_API_TOKEN", TOKEN)],
        )
        .success();
    assert!(nodes.contains("demo-node-1"), "{nodes}");
    let requests = sandbox.kubernetes_requests();
    assert!(
        requests
            .iter()
            .all(|r| r.server.as_deref() == Some(DEMO_HOST)),
        "kubectl reached the managed endpoint by its real name: {requests:?}"
    );

    let without = login
        .with_kubeconfig(kubeconfig, &["auth", "whoami"], &[])
        .failure();
    assert!(
        without.contains("COREWEAVE_API_TOKEN is not set"),
        "{without}"
    );
    ws.assert_no_changes();
}

#[test]
fn workload_identity_puts_the_short_lived_bearer_in_token() {
    let sandbox = Sandbox::start();
    let ci_token =
        sandbox.ci_token(json!({"subject": "repo:example/infrastructure:ref:refs/heads/main"}));
    let mut ws = Workspace::new();
    ws.env("TFC_WORKLOAD_IDENTITY_TOKEN", &ci_token);
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  authentication = {{\n    workload_identity = {{ service_account_uid = \"{SERVICE_ACCOUNT_CI}\" }}\n  }}\n}}\n\
         data \"coreweave_cks_kubeconfig\" \"demo\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n}}\n{}",
        required_providers(),
        sandbox.url,
        outputs_of("demo"),
    ));
    ws.apply();
    let outputs = ws.outputs();
    let bearer = outputs["token"]
        .as_str()
        .expect("a bearer token")
        .to_string();
    assert!(sandbox.bearers().contains(&bearer), "the exchange's bearer");
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    let review = login
        .with_kubeconfig(
            outputs["kubeconfig"].as_str().unwrap(),
            &["auth", "whoami", "-o", "json"],
            &[],
        )
        .json();
    assert_eq!(user_of(&review).0, SERVICE_ACCOUNT_CI);
}

#[test]
fn unmanaged_kubeconfig_runs_the_credential_plugin_against_the_api_endpoint() {
    let sandbox = Sandbox::start();
    let (issuer, ca) = idp(&sandbox);
    let token = sandbox.idp_token(json!({
        "aud": "kubernetes", "sub": "u-alice", "email": "alice@example.com",
        "groups": ["platform-admins"],
    }));
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    let token_file = login.kubectl.file("id-token", &token);
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            "resource \"coreweave_cks_cluster_oidc\" \"idp\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n  issuer_url = \"{issuer}\"\n  client_id = \"kubernetes\"\n  username_claim = \"email\"\n  groups_claim = \"groups\"\n  admin_group_binding = \"platform-admins\"\n  ca = \"{ca}\"\n}}\n\
             data \"coreweave_cks_kubeconfig\" \"kubelogin\" {{\n  cluster_id = coreweave_cks_cluster_oidc.idp.cluster_id\n  endpoint = \"unmanaged\"\n}}\n\
             data \"coreweave_cks_kubeconfig\" \"file\" {{\n  cluster_id = coreweave_cks_cluster_oidc.idp.cluster_id\n  endpoint = \"unmanaged\"\n  exec = {{\n    command = \"sh\"\n    args = [\"-c\", \"printf '{{\\\"apiVersion\\\":\\\"client.authentication.k8s.io/v1\\\",\\\"kind\\\":\\\"ExecCredential\\\",\\\"status\\\":{{\\\"token\\\":\\\"%s\\\"}}}}' \\\"$(cat \\\"$ID_TOKEN_FILE\\\")\\\"\"]\n    env = {{ ID_TOKEN_FILE = \"{}\" }}\n  }}\n}}\n\
             output \"default\" {{\n  value = data.coreweave_cks_kubeconfig.kubelogin.kubeconfig\n  sensitive = true\n}}\n{}",
            token_file.display(),
            outputs_of("file"),
        ),
    );
    ws.apply();
    let outputs = ws.outputs();
    assert_eq!(outputs["host"], format!("https://api.{DEMO_HOST}"));
    assert_eq!(outputs["token"], serde_json::Value::Null);
    let default = outputs["default"].as_str().unwrap();
    for arg in [
        "\"oidc-login\"".to_string(),
        format!("\"--oidc-issuer-url={issuer}\""),
        "\"--oidc-client-id=kubernetes\"".to_string(),
        "\"--oidc-extra-scope=email\"".to_string(),
    ] {
        assert!(default.contains(&arg), "kubelogin's {arg} in {default}");
    }

    let kubeconfig = outputs["kubeconfig"].as_str().unwrap();
    let review = login
        .with_kubeconfig(kubeconfig, &["auth", "whoami", "-o", "json"], &[])
        .json();
    assert_eq!(
        user_of(&review),
        (
            "alice@example.com".to_string(),
            vec![
                "platform-admins".to_string(),
                "system:authenticated".to_string()
            ]
        )
    );
    assert!(login
        .with_kubeconfig(kubeconfig, &["get", "nodes"], &[])
        .success()
        .contains("demo-node-1"));
    assert!(sandbox
        .kubernetes_requests()
        .iter()
        .all(|r| r.server.as_deref() == Some(format!("api.{DEMO_HOST}").as_str())));
}

#[test]
fn invalid_inputs_fail_at_plan_time_on_the_attribute() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        "data \"coreweave_cks_kubeconfig\" \"x\" {\n  name = \"demo\"\n  endpoint = \"public\"\n}\n",
    );
    let out = ws.validate().failure();
    assert!(
        out.contains("`endpoint` must be \"managed\" or \"unmanaged\""),
        "{out}"
    );
    ws.write(
        &sandbox,
        "data \"coreweave_cks_kubeconfig\" \"x\" {\n  name = \"demo\"\n  exec = {\n    command = \"kubelogin\"\n    args = []\n    env = {}\n  }\n}\n",
    );
    let out = ws.validate().failure();
    assert!(
        out.contains("`exec` is for the unmanaged endpoint"),
        "{out}"
    );
    assert!(
        sandbox.requests().is_empty(),
        "no API call before the inputs are valid"
    );
}
