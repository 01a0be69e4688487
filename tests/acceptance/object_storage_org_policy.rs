//! Resource `coreweave_object_storage_org_policy`.

use serde_json::json;

use crate::support::terraform::squash;
use crate::support::{Sandbox, Workspace};

const SA: &str = "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa";

fn policy(name: &str, statements: &str) -> String {
    format!("resource \"coreweave_object_storage_org_policy\" \"this\" {{\n  name = \"{name}\"\n  statements = [\n{statements}\n  ]\n}}\n")
}

fn statement(name: &str, actions: &[&str], resources: &[&str], principals: &[&str]) -> String {
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "    {{\n      name = \"{name}\"\n      effect = \"Allow\"\n      actions = [{}]\n      resources = [{}]\n      principals = [{}]\n    }},",
        list(actions),
        list(resources),
        list(principals)
    )
}

fn remote(sandbox: &Sandbox, name: &str) -> serde_json::Value {
    sandbox.state()["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
        .unwrap_or(serde_json::Value::Null)
}

fn two_statements() -> String {
    [
        statement(
            "allow-s3",
            &["s3:PutObject", "s3:GetObject"],
            &["bucket-b/*", "bucket-a/*"],
            &[SA, "*"],
        ),
        statement(
            "allow-oidc",
            &["cwobject:CreateAccessKeyOIDC"],
            &["*"],
            &[SA],
        ),
    ]
    .join("\n")
}

#[test]
fn create_read_back_in_another_order_is_an_empty_plan() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("acc-policy", &two_statements()));
    ws.apply();
    let p = remote(&sandbox, "acc-policy");
    assert_eq!(p["version"], "v1alpha1");
    assert_eq!(p["statements"].as_array().unwrap().len(), 2);
    let state = ws.state_of("coreweave_object_storage_org_policy.this");
    assert_eq!(state["id"], "acc-policy");
    assert_eq!(state["version"], "v1alpha1");
    ws.assert_no_changes();
}

#[test]
fn reordering_statements_and_their_sets_in_configuration_changes_nothing() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("acc-policy", &two_statements()));
    ws.apply();
    let reordered = [
        statement(
            "allow-oidc",
            &["cwobject:CreateAccessKeyOIDC"],
            &["*"],
            &[SA],
        ),
        statement(
            "allow-s3",
            &["s3:GetObject", "s3:PutObject"],
            &["bucket-a/*", "bucket-b/*"],
            &["*", SA],
        ),
    ]
    .join("\n");
    ws.write(&sandbox, &policy("acc-policy", &reordered));
    ws.assert_no_changes();
}

#[test]
fn update_in_place_replaces_the_statements_remotely() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("acc-policy", &two_statements()));
    ws.apply();
    ws.write(
        &sandbox,
        &policy(
            "acc-policy",
            &statement("read-only", &["s3:GetObject"], &["bucket-a/*"], &[SA]),
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout.contains("will be updated in-place"),
        "{}",
        plan.stdout
    );
    ws.apply();
    let p = remote(&sandbox, "acc-policy");
    assert_eq!(
        p["statements"],
        json!([{"name": "read-only", "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["bucket-a/*"], "principals": [SA]}])
    );
    ws.assert_no_changes();
}

#[test]
fn renaming_replaces_the_policy() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("acc-policy", &two_statements()));
    ws.apply();
    ws.write(&sandbox, &policy("acc-policy-2", &two_statements()));
    let plan = ws.plan();
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply();
    assert!(remote(&sandbox, "acc-policy").is_null());
    assert!(!remote(&sandbox, "acc-policy-2").is_null());
}

fn seed_policy(sandbox: &Sandbox, name: &str) {
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(json!({"policy": {"version": "v1alpha1", "name": name, "statements": [
            {"name": "theirs", "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["their-bucket/*"], "principals": ["*"]}
        ]}})),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn create_refuses_to_overwrite_an_existing_policy() {
    let sandbox = Sandbox::start();
    seed_policy(&sandbox, "taken");
    sandbox.clear_requests();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("taken", &two_statements()));
    let out = ws.apply_args(&[]).failure();
    assert!(
        out.contains("An organization access policy named \"taken\" already exists"),
        "{out}"
    );
    assert!(
        out.contains("terraform import coreweave_object_storage_org_policy.<name> taken"),
        "{out}"
    );
    assert!(sandbox.writes().is_empty(), "{:?}", sandbox.writes());
    assert_eq!(remote(&sandbox, "taken")["statements"][0]["name"], "theirs");
}

#[test]
fn import_then_plan_is_empty() {
    let sandbox = Sandbox::start();
    seed_policy(&sandbox, "taken");
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &policy(
            "taken",
            &statement("theirs", &["s3:GetObject"], &["their-bucket/*"], &["*"]),
        ),
    );
    ws.import("coreweave_object_storage_org_policy.this", "taken")
        .success();
    ws.assert_no_changes();
}

#[test]
fn deleted_out_of_band_is_planned_for_creation() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("acc-policy", &two_statements()));
    ws.apply();
    let (status, _) = sandbox.api(
        reqwest::Method::DELETE,
        "/v1/cwobject/access-policy/acc-policy",
        None,
    );
    assert_eq!(status, 200);
    let plan = ws.plan();
    assert_eq!(plan.code, 2);
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    ws.apply();
    assert!(!remote(&sandbox, "acc-policy").is_null());
}

#[test]
fn changed_out_of_band_plans_the_way_back() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &policy(
            "acc-policy",
            &statement("s", &["s3:GetObject"], &["bkt/*"], &["*"]),
        ),
    );
    ws.apply();
    let (status, _) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(json!({"policy": {"version": "v1alpha1", "name": "acc-policy", "statements": [
            {"name": "s", "effect": "Deny", "actions": ["s3:GetObject"], "resources": ["bkt/*"], "principals": ["*"]}
        ]}})),
    );
    assert_eq!(status, 200);
    // The plan goes from the remote Deny back to the configured Allow (statements are a set, so
    // the text shows one element removed and one added: read the plan's JSON for the direction).
    let plan = ws.run(&[
        "plan",
        "-out=tfplan",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
    ]);
    assert_eq!(plan.code, 2, "{}", plan.output());
    let shown = ws.run(&["show", "-json", "tfplan"]).success();
    let plan: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["update"]), "{change}");
    assert_eq!(
        change["before"]["statements"][0]["effect"], "Deny",
        "{change}"
    );
    assert_eq!(
        change["after"]["statements"][0]["effect"], "Allow",
        "{change}"
    );
    ws.apply();
    assert_eq!(
        remote(&sandbox, "acc-policy")["statements"][0]["effect"],
        "Allow"
    );
}

#[test]
fn destroy_deletes_the_policy_remotely() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("acc-policy", &two_statements()));
    ws.apply();
    ws.destroy();
    assert_eq!(sandbox.state()["policies"], json!([]));
}

/// An unknown action is a warning, not an error, and it is shown once per plan: Terraform
/// validates a configuration more than once per plan (in the validate walk and again in the
/// plan walk, each with its own provider process), so the warning comes from planning only.
#[test]
fn an_unknown_action_is_one_warning_per_plan_not_an_error() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &policy(
            "acc-policy",
            &statement("s", &["s3:GetObjekt"], &["bkt/*"], &["*"]),
        ),
    );
    let warning = "statement \"s\": action \"s3:GetObjekt\" is not an action this provider knows; did you mean \"s3:GetObject\"?";
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    let out = squash(&plan.output());
    assert_eq!(
        out.matches("Warning: Unrecognised policy action").count(),
        1,
        "{out}"
    );
    assert!(!out.contains("more similar warning"), "{out}");
    assert!(out.contains(warning), "{out}");
    let out = squash(&ws.apply().output());
    assert!(out.contains(warning), "{out}");
}

#[test]
fn invalid_statements_fail_at_plan_naming_the_statement_without_requests() {
    let cases = [
        (
            statement("s", &["s3:GetObject"], &["bkt"], &["*"]).replace("Allow", "allow"),
            "statement \"s\": `effect` must be exactly \"Allow\" or \"Deny\"",
        ),
        (
            statement("", &["s3:GetObject"], &["bkt"], &["*"]),
            "`name` must not be empty",
        ),
        (
            [
                statement("dup", &["s3:GetObject"], &["bkt"], &["*"]),
                statement("dup", &["s3:PutObject"], &["bkt"], &["*"]),
            ]
            .join("\n"),
            "statement \"dup\": `name` is used by another statement",
        ),
        (
            statement("s", &[], &["bkt"], &["*"]),
            "statement \"s\": `actions` must not be empty",
        ),
        (
            statement("s", &["s3:GetObject"], &[], &["*"]),
            "statement \"s\": `resources` must not be empty",
        ),
        (
            statement("s", &["s3:GetObject"], &["bkt"], &[]),
            "statement \"s\": `principals` must not be empty",
        ),
        (
            statement(
                "s",
                &["cwobject:CreateAccessKeyOIDC"],
                &["my-bucket"],
                &["*"],
            ),
            "is global, so `resources` must be exactly [\"*\"]",
        ),
    ];
    let sandbox = Sandbox::start();
    for (statements, expected) in cases {
        let ws = Workspace::new();
        ws.write(&sandbox, &policy("acc-policy", &statements));
        let out = ws.plan().failure();
        assert!(out.contains(expected), "{statements}: {out}");
        assert!(
            out.contains("statements = ["),
            "the diagnostic points at `statements`: {out}"
        );
    }
    let ws = Workspace::new();
    ws.write(&sandbox, &policy("", &two_statements()));
    assert!(ws.plan().failure().contains("`name` must not be empty"));
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}

#[test]
fn statements_the_api_accepts_but_that_match_nothing_are_warnings_on_statements() {
    let cases = [
        (
            statement("s", &["iam:PassRole"], &["*"], &["*"]),
            "only \"s3\" and \"cwobject\" exist",
        ),
        (
            statement("s", &["s3:GetObject"], &["bkt"], &["arn:aws:iam::1:role/x"]),
            "short form, not an ARN",
        ),
        (
            statement(
                "s",
                &["s3:GetObject"],
                &["bkt"],
                &["role/http://oidc.example.com:sub"],
            ),
            "must use an https:// issuer",
        ),
        (
            statement(
                "s",
                &["s3:GetObject"],
                &["bkt"],
                &["role/https://oidc.example.com/:sub"],
            ),
            "must not end with a slash",
        ),
    ];
    let sandbox = Sandbox::start();
    for (statements, expected) in cases {
        let ws = Workspace::new();
        ws.write(&sandbox, &policy("acc-policy", &statements));
        let plan = ws.plan();
        assert_eq!(plan.code, 2, "{statements}: {}", plan.output());
        let out = squash(&plan.output());
        assert!(
            out.contains("Warning:") && out.contains(expected),
            "{statements}: {out}"
        );
        assert!(
            out.contains("statements = ["),
            "the diagnostic points at `statements`: {out}"
        );
    }
    assert!(sandbox.writes().is_empty(), "{:?}", sandbox.writes());
}

#[test]
fn refreshing_many_policies_costs_one_list_call() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let many: String = (0..20)
        .map(|i| {
            format!(
                "resource \"coreweave_object_storage_org_policy\" \"p{i}\" {{\n  name = \"acc-{i}\"\n  statements = [{{ name = \"s\", effect = \"Allow\", actions = [\"s3:GetObject\"], resources = [\"bkt/*\"], principals = [\"*\"] }}]\n}}\n"
            )
        })
        .collect();
    ws.write(&sandbox, &many);
    ws.apply();
    sandbox.clear_requests();
    ws.assert_no_changes();
    let lists = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/cwobject/access-policy")
        .count();
    assert!(lists <= 2, "refresh of 20 policies made {lists} list calls");
}

#[test]
fn import_block_with_generated_config_round_trips() {
    let sandbox = Sandbox::start();
    seed_policy(&sandbox, "taken");
    sandbox.clear_requests();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        "import {\n  to = coreweave_object_storage_org_policy.taken\n  id = \"taken\"\n}\n",
    );
    ws.run(&[
        "plan",
        "-generate-config-out=generated.tf",
        "-input=false",
        "-no-color",
    ])
    .success();
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    assert!(generated.contains("their-bucket/*"), "{generated}");
    ws.apply();
    assert!(
        sandbox
            .writes()
            .iter()
            .all(|w| w.path != "/v1/cwobject/access-policy"),
        "import wrote nothing"
    );
    ws.assert_no_changes();
}
