//! Every example under examples/ is validated, and applied against the sandbox where it can be.

use std::path::{Path, PathBuf};

use crate::support::buckets::{allow_s3, OutOfBand};
use crate::support::login::{idp, ClusterLogin, UNAUTHORIZED};
use crate::support::sandbox::{CLUSTER_DEMO, CLUSTER_WITH_OIDC, TOKEN};
use crate::support::terraform::{
    copy_dir, ephemeral_supported, functions_supported, query_supported, required_providers,
};
use crate::support::{Sandbox, Workspace};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A workspace holding one example directory, wired to the sandbox through the environment.
fn workspace_for(sandbox: &Sandbox, example: &str) -> Workspace {
    let mut ws = Workspace::new();
    copy_dir(&examples().join(example), ws.path());
    let declares_provider = std::fs::read_dir(ws.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .any(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .contains("required_providers")
        });
    if !declares_provider {
        std::fs::write(ws.path().join("versions.tf"), required_providers()).unwrap();
    }
    ws.env("COREWEAVE_API_ENDPOINT", &sandbox.url)
        .env("COREWEAVE_S3_ENDPOINT", &sandbox.s3_url())
        .env("COREWEAVE_API_TOKEN", TOKEN);
    ws
}

#[test]
fn every_example_directory_is_covered_by_this_test() {
    let mut found = Vec::new();
    for group in [
        "resources",
        "data-sources",
        "ephemeral-resources",
        "list-resources",
        "functions",
        "guides",
    ] {
        for entry in std::fs::read_dir(examples().join(group)).unwrap() {
            found.push(format!(
                "{group}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    found.sort();
    assert_eq!(
        found,
        [
            "data-sources/coreweave_caller_identity",
            "data-sources/coreweave_cks_cluster_issuer",
            "data-sources/coreweave_cks_kubeconfig",
            "data-sources/coreweave_object_storage_access_check",
            "data-sources/coreweave_object_storage_bucket_policy_document",
            "data-sources/coreweave_object_storage_wif_config",
            "ephemeral-resources/coreweave_cks_kubeconfig",
            "functions/service_account_principal",
            "guides/external-oidc-login",
            "list-resources/coreweave_cks_cluster_oidc",
            "list-resources/coreweave_object_storage_bucket",
            "list-resources/coreweave_object_storage_org_policy",
            "list-resources/coreweave_object_storage_wif_config",
            "resources/coreweave_cks_cluster_oidc",
            "resources/coreweave_object_storage_bucket",
            "resources/coreweave_object_storage_bucket_policy",
            "resources/coreweave_object_storage_org_policy",
            "resources/coreweave_object_storage_wif_config",
        ],
        "a new example needs a test below"
    );
}

#[test]
fn provider_example_validates() {
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "provider");
    ws.validate().success();
}

#[test]
fn data_source_example_applies() {
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "data-sources/coreweave_cks_cluster_issuer");
    ws.validate().success();
    ws.apply();
    assert_eq!(
        ws.outputs()["issuer_url"],
        format!("https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}")
    );
}

#[test]
fn kubeconfig_example_gives_kubectl_the_demo_cluster() {
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "data-sources/coreweave_cks_kubeconfig");
    ws.validate().success();
    ws.apply();
    let outputs = ws.outputs();
    assert_eq!(
        outputs["host"],
        "https://c0ffee00-0001.k8s.us-east-04a.coreweave.com"
    );
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    let nodes = login
        .with_kubeconfig(
            outputs["kubeconfig"].as_str().unwrap(),
            &["get", "nodes"],
            &[("COREWEAVE_API_TOKEN", TOKEN)],
        )
        .success();
    assert!(nodes.contains("demo-node-1"), "{nodes}");
}

#[test]
fn ephemeral_kubeconfig_example_plans_against_the_demo_cluster() {
    if !ephemeral_supported("ephemeral_kubeconfig_example_plans_against_the_demo_cluster") {
        return;
    }
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "ephemeral-resources/coreweave_cks_kubeconfig");
    ws.validate().success();
    let plan = ws
        .run(&["plan", "-input=false", "-no-color"])
        .success()
        .output();
    assert!(
        plan.contains("ephemeral.coreweave_cks_kubeconfig.demo: Opening")
            || plan.contains("terraform_data.nodes will be created"),
        "{plan}"
    );
    assert!(
        sandbox
            .requests()
            .iter()
            .any(|r| r.path.contains("/clusters")),
        "the plan opened the ephemeral resource: it looked the cluster up"
    );
}

/// Each list example runs with `terraform query` and finds what the sandbox holds.
#[test]
fn list_resource_examples_query_the_sandbox() {
    if !query_supported("list_resource_examples_query_the_sandbox") {
        return;
    }
    let sandbox = Sandbox::start();
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(serde_json::json!({"policy": {"version": "v1alpha1", "name": "team-data", "statements": [
            {"name": "read", "effect": "Allow", "actions": ["s3:GetObject"],
             "resources": ["data/*"], "principals": ["*"]}
        ]}})),
    );
    assert_eq!(status, 200, "{body}");
    allow_s3(&sandbox);
    sandbox.seed_bucket("training-runs", serde_json::json!({}));
    for (example, finds) in [
        ("coreweave_object_storage_bucket", "training-runs"),
        ("coreweave_object_storage_org_policy", "team-data"),
        ("coreweave_cks_cluster_oidc", CLUSTER_WITH_OIDC),
        ("coreweave_object_storage_wif_config", ""),
    ] {
        let ws = workspace_for(&sandbox, &format!("list-resources/{example}"));
        let out = ws.run(&["query", "-no-color"]).success().output();
        assert!(out.contains(finds), "{example}: {out}");
    }
}

/// The guide's example (seed 004 as code) against the sandbox's identity provider: the admin
/// group lists nodes on the unmanaged endpoint, and the kubeconfig runs kubelogin.
#[test]
fn external_oidc_login_guide_example_admits_the_admin_group() {
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "guides/external-oidc-login");
    let (issuer, ca) = idp(&sandbox);
    let vars = [
        format!("-var=issuer_url={issuer}"),
        "-var=client_id=kubernetes".to_string(),
        format!("-var=issuer_ca={ca}"),
    ];
    let vars: Vec<&str> = vars.iter().map(String::as_str).collect();
    ws.validate().success();
    ws.apply_args(&vars).success();
    let outputs = ws.outputs();
    assert_eq!(
        outputs["unmanaged_host"],
        "https://api.c0ffee00-0001.k8s.us-east-04a.coreweave.com"
    );
    let kubeconfig = outputs["kubeconfig"].as_str().unwrap();
    assert!(
        kubeconfig.contains(&format!("\"--oidc-issuer-url={issuer}\"")),
        "{kubeconfig}"
    );

    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    let admin = sandbox.idp_token(serde_json::json!({
        "aud": "kubernetes", "sub": "u-alice", "email": "alice@example.com",
        "email_verified": true, "groups": ["platform-admins"],
    }));
    assert!(login.get_nodes(&admin).success().contains("demo-node-1"));
    let mut plan = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
    plan.extend(&vars);
    assert_eq!(ws.run(&plan).code, 0, "plan after apply is empty");
    let mut destroy = vec!["destroy", "-auto-approve", "-input=false", "-no-color"];
    destroy.extend(&vars);
    ws.run(&destroy).success();
    assert!(login.whoami(&admin).failure().contains(UNAUTHORIZED));
}

#[test]
fn caller_identity_example_applies() {
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "data-sources/coreweave_caller_identity");
    ws.apply();
    assert_eq!(ws.outputs()["organization_id"], "sandbox-org");
}

#[test]
fn bucket_policy_document_example_writes_the_official_bytes_and_checks_at_plan_time() {
    let sandbox = Sandbox::start();
    let ws = workspace_for(
        &sandbox,
        "data-sources/coreweave_object_storage_bucket_policy_document",
    );
    ws.apply();
    assert_eq!(
        ws.outputs()["json"],
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadOwnOrg","Principal":{"CW":["*"]},"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::models","arn:aws:s3:::models/*"],"Condition":{"StringEquals":{"cw:PrincipalOrgID":["sandbox-org"]}}},{"Sid":"NoPrivate","Principal":{"CW":["*"]},"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::models/private/*"}]}"#
    );
    let example = ws.path().join("data-source.tf");
    let text = std::fs::read_to_string(&example).unwrap();
    std::fs::write(
        &example,
        text.replace("\"arn:aws:s3:::models/private/*\"", "\"models/private/*\""),
    )
    .unwrap();
    let out = ws.plan().failure();
    assert!(out.contains("Invalid bucket policy"), "{out}");
    assert!(
        out.contains("statement[1].resource[0]: bucket policies name resources by ARN; write \"arn:aws:s3:::models/private/*\""),
        "{out}"
    );
}

#[test]
fn wif_config_data_source_example_finds_the_registered_pair() {
    let sandbox = Sandbox::start();
    let (status, created) = sandbox.api(
        reqwest::Method::POST,
        "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService/CreateOIDCConfig",
        Some(serde_json::json!({"name": "terraform-cloud", "issuerUrl": "https://app.terraform.io",
                                "audience": "https://coreweave.com/iam"})),
    );
    assert_eq!(status, 200, "{created}");
    let ws = workspace_for(&sandbox, "data-sources/coreweave_object_storage_wif_config");
    ws.apply();
    assert_eq!(ws.outputs()["wif_config_id"], created["config"]["uid"]);
    assert_eq!(ws.outputs()["wif_config_active"], true);
}

#[test]
fn function_example_applies() {
    if !functions_supported("function_example_applies") {
        return;
    }
    let sandbox = Sandbox::start();
    let ws = workspace_for(&sandbox, "functions/service_account_principal");
    ws.apply();
    assert_eq!(
        ws.outputs()["principal"],
        "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-object-storage-sa"
    );
}

/// Validates, applies, re-plans (empty) and destroys `example` with `vars` (`name=value`).
fn apply_replan_empty_and_destroy(sandbox: &Sandbox, example: &str, vars: &[String]) {
    let ws = workspace_for(sandbox, example);
    ws.validate().success();
    let var_args: Vec<String> = vars.iter().map(|v| format!("-var={v}")).collect();
    let var_refs: Vec<&str> = var_args.iter().map(String::as_str).collect();
    ws.apply_args(&var_refs).success();
    let mut plan = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
    plan.extend(&var_refs);
    assert_eq!(
        ws.run(&plan).code,
        0,
        "{example}: plan after apply is empty"
    );
    let mut destroy = vec!["destroy", "-auto-approve", "-input=false", "-no-color"];
    destroy.extend(&var_refs);
    ws.run(&destroy).success();
}

#[test]
fn resource_examples_apply_replan_empty_and_destroy() {
    let sandbox = Sandbox::start();
    for example in [
        "resources/coreweave_cks_cluster_oidc",
        "resources/coreweave_object_storage_wif_config",
    ] {
        apply_replan_empty_and_destroy(&sandbox, example, &[format!("cluster_id={CLUSTER_DEMO}")]);
    }
    assert_eq!(sandbox.state()["oidcConfigs"], serde_json::json!([]));
}

/// The bucket examples, against the sandbox's S3 endpoint as the provider's own user.
#[test]
fn bucket_examples_apply_replan_empty_and_destroy() {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    for example in [
        "resources/coreweave_object_storage_bucket",
        "resources/coreweave_object_storage_bucket_policy",
    ] {
        apply_replan_empty_and_destroy(&sandbox, example, &[]);
    }
}

/// The policy example builds its principals with the provider's function.
#[test]
fn org_policy_example_applies_replans_empty_and_destroys() {
    if !functions_supported("org_policy_example_applies_replans_empty_and_destroys") {
        return;
    }
    let sandbox = Sandbox::start();
    apply_replan_empty_and_destroy(
        &sandbox,
        "resources/coreweave_object_storage_org_policy",
        &[],
    );
    assert_eq!(sandbox.state()["policies"], serde_json::json!([]));
}

#[test]
fn module_example_federates_the_demo_cluster() {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    let ws = workspace_for(&sandbox, "modules/cks-object-storage-federation");
    let example = ws.path().join("example");
    let in_example = |args: &[&str]| {
        let mut all = vec!["-chdir=example"];
        all.extend_from_slice(args);
        ws.run(&all)
    };
    assert!(example.is_dir());
    if !functions_supported("module_example_federates_the_demo_cluster") {
        let out = in_example(&["get", "-no-color"]).failure();
        assert!(out.contains("Unsupported Terraform Core version"), "{out}");
        assert!(out.contains("required_version = \">= 1.8\""), "{out}");
        return;
    }
    in_example(&["get", "-no-color"]).success();
    in_example(&["validate", "-no-color"]).success();
    in_example(&["apply", "-auto-approve", "-input=false", "-no-color"]).success();
    let outputs: serde_json::Value = serde_json::from_str(
        &in_example(&["output", "-json", "-no-color"])
            .success()
            .stdout,
    )
    .unwrap();
    let issuer = format!("https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}");
    assert_eq!(outputs["issuer_url"]["value"], issuer.as_str());
    assert_eq!(
        outputs["principals"]["value"]["inference/model-server"],
        format!("role/{issuer}:system:serviceaccount:inference:model-server")
    );
    assert_eq!(
        outputs["service_account_annotations"]["value"]["caios.coreweave.com/inject"],
        "true"
    );
    assert_eq!(outputs["organization_id"]["value"], "sandbox-org");
    let state = sandbox.state();
    assert_eq!(
        state["oidcConfigs"][0]["audience"],
        issuer.as_str(),
        "audience defaults to the issuer URL"
    );
    let policy = state["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "demo-workload-federation")
        .expect("the module's policy");
    let statements = policy["statements"].as_array().unwrap();
    assert_eq!(
        statements.len(),
        4,
        "token exchange + one statement per grant + listing all buckets"
    );
    assert_eq!(
        outputs["statement_names"]["value"],
        serde_json::json!([
            "token-exchange",
            "default-my-object-storage-sa",
            "inference-model-server",
            "list-all-buckets"
        ]),
        "statement names in the order written"
    );
    assert_eq!(
        outputs["buckets"]["value"]["training-data"],
        serde_json::json!({"zone": "US-EAST-04A", "tags": {"team": "ml"}})
    );
    let policy: serde_json::Value = serde_json::from_str(
        outputs["bucket_policies"]["value"]["training-data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        policy["Statement"][0]["Sid"], "DenyPrivate",
        "the example's statement, then the module's AllowOwnOrganization: {policy}"
    );
    assert_eq!(policy["Statement"][1]["Sid"], "AllowOwnOrganization");
    assert_eq!(
        in_example(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]).code,
        0
    );
    assert_eq!(bucket_names(&sandbox), ["model-weights", "training-data"]);
    in_example(&["destroy", "-auto-approve", "-input=false", "-no-color"]).success();
    assert_eq!(bucket_names(&sandbox), Vec::<String>::new(), "destroyed");
}

#[test]
fn module_upgrade_keeps_the_example_plan_empty() {
    if !functions_supported("module_upgrade_keeps_the_example_plan_empty") {
        return;
    }
    let sandbox = Sandbox::start();
    let module = |dir: &Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect::<Vec<_>>()
    };
    // Today's callers: the example as it was, calling the module as it was.
    let mut ws = Workspace::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/federation-module-before-buckets"),
        ws.path(),
    );
    ws.env("COREWEAVE_API_ENDPOINT", &sandbox.url)
        .env("COREWEAVE_API_TOKEN", TOKEN);
    let in_example = |args: &[&str]| ws.run(&[&["-chdir=example"], args].concat());
    in_example(&["get", "-no-color"]).success();
    in_example(&["apply", "-auto-approve", "-input=false", "-no-color"]).success();
    // The module upgraded under them, the example untouched.
    for old in module(ws.path()) {
        std::fs::remove_file(old).unwrap();
    }
    for new in module(&examples().join("modules/cks-object-storage-federation")) {
        std::fs::copy(&new, ws.path().join(new.file_name().unwrap())).unwrap();
    }
    sandbox.clear_requests();
    let plan = in_example(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.output());
    assert!(sandbox.writes().is_empty(), "{:?}", sandbox.writes());
    assert!(
        sandbox
            .requests()
            .iter()
            .all(|r| r.service.as_deref() != Some("s3")),
        "no bucket input, no S3 request: {:?}",
        sandbox.requests()
    );
}

#[test]
fn access_check_example_fails_the_plan_readably_when_access_is_missing() {
    // The example builds its principal with the provider's function.
    if !functions_supported("access_check_example_fails_the_plan_readably_when_access_is_missing") {
        return;
    }
    let sandbox = Sandbox::start();
    let mut ws = workspace_for(
        &sandbox,
        "data-sources/coreweave_object_storage_access_check",
    );
    ws.env("TF_VAR_cluster_id", CLUSTER_DEMO);
    ws.validate().success();
    let out = ws.plan().failure();
    assert!(
        out.contains("default/my-object-storage-sa may not exchange its token for AI Object Storage credentials: cwobject:CreateAccessKeyOIDC on * is implicit_deny."),
        "{out}"
    );
    assert!(
        out.contains("default/my-object-storage-sa cannot read training-data"),
        "the check block warns too: {out}"
    );
}

#[test]
fn module_native_tests_pass_against_the_sandbox() {
    if !functions_supported("module_native_tests_pass_against_the_sandbox") {
        return;
    }
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    let ws = workspace_for(&sandbox, "modules/cks-object-storage-federation");
    let run = ws.run(&["test", "-no-color"]).success();
    assert!(
        run.stdout.contains("Success! 4 passed, 0 failed."),
        "{}",
        run.output()
    );
    let policies: Vec<String> = sandbox.state()["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(policies, ["s3-admin"], "terraform test cleans up");
    assert_eq!(
        bucket_names(&sandbox),
        Vec::<String>::new(),
        "terraform test deletes its bucket"
    );
}

/// The organization's buckets, as the AWS CLI lists them with a key of the provider's user.
fn bucket_names(sandbox: &Sandbox) -> Vec<String> {
    OutOfBand::new(sandbox).s3api(&["list-buckets"]).json()["Buckets"]
        .as_array()
        .expect("Buckets")
        .iter()
        .map(|b| b["Name"].as_str().expect("Name").to_string())
        .collect()
}
