//! Import what exists: every policy shape the API (the sandbox, as strict as the API) accepts
//! imports through `import` blocks and plans empty. Rules stricter than the API are warnings
//! that say what the statement matches, never errors that make an adopted policy unplannable.

use serde_json::{json, Value};

use crate::support::{Sandbox, Workspace};

const POLICIES: &str = "/v1/cwobject/access-policy";
const SA: &str = "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa";

/// One statement; `principals = ["*"]` unless the case is about principals.
fn statement(actions: &[&str], resources: &[&str], principals: &[&str]) -> Value {
    json!({"name": "s", "effect": "Allow", "actions": actions, "resources": resources,
           "principals": principals})
}

/// Policy name and statements of every shape: the ordinary ones, then one per rule that the
/// provider checks and the API does not.
fn accepted_shapes() -> Vec<(String, Vec<Value>)> {
    let long_bucket = "b".repeat(70);
    let by_resource = [
        "*",
        "my-bucket",
        "my-bucket/*",
        "my-bucket/logs/*",
        "bucket-a/",
        "Bucket_A/*",
        "arn:aws:s3:::my-bucket/*",
        "s3://my-bucket",
        "my-*",
        "my-bucket/a*b",
        "my-bucket/report.csv",
        "cw-data/*",
        "ab",
        &format!("{long_bucket}/*"),
    ]
    .map(|r| vec![statement(&["s3:GetObject"], &[r], &["*"])]);
    let by_action = [
        "s3:getobject",
        "S3:GetObject",
        "s3:get*",
        "s3:GetObjekt",
        "iam:PassRole",
        "GetObject",
        "s3:Get Object",
        "s3:Get-Object",
    ]
    .map(|a| vec![statement(&[a], &["my-bucket/*"], &["*"])]);
    let by_principal = [
        SA,
        "coreweave/3f2a-user",
        "role/Admin",
        "role/https://oidc.cks.coreweave.com/id/abc*",
        "arn:aws:iam::1:role/x",
        "coreweave/",
        "coreweave/a/b",
        "role/http://oidc.example.com:sub",
        "role/https://oidc.example.com",
        "role/https://*",
        "role/https://oidc.example.com/:sub",
        "role/https://oidc.example.com:",
        "user/alice",
    ]
    .map(|p| vec![statement(&["s3:GetObject"], &["my-bucket/*"], &[p])]);
    let mut shapes: Vec<(String, Vec<Value>)> = by_resource
        .into_iter()
        .chain(by_action)
        .chain(by_principal)
        .enumerate()
        .map(|(i, statements)| (format!("shape-{i}"), statements))
        .collect();
    let global = vec![statement(
        &["cwobject:CreateAccessKeyOIDC", "s3:ListAllMyBuckets", "*"],
        &["*"],
        &[SA],
    )];
    let whitespace_name = vec![json!({"name": "  ", "effect": "Deny", "actions": ["s3:*"],
                                      "resources": ["*"], "principals": ["*"]})];
    let two = vec![
        statement(&["s3:GetObject"], &["my-bucket/*"], &["*"]),
        json!({"name": "deny-writes", "effect": "Deny", "actions": ["s3:PutObject"],
               "resources": ["my-bucket/*"], "principals": ["*"]}),
    ];
    shapes.extend([
        ("global-actions".to_string(), global),
        ("whitespace-statement-name".to_string(), whitespace_name),
        ("two-statements".to_string(), two.clone()),
        ("team readers".to_string(), two.clone()),
        ("team/readers".to_string(), two),
        ("n".repeat(255), vec![statement(&["s3:*"], &["*"], &["*"])]),
    ]);
    shapes
}

/// An HCL string literal (the shapes hold no `${` or `%{`).
fn hcl(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

fn hcl_list(values: &Value) -> String {
    let items: Vec<String> = values
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| hcl(v.as_str().expect("a string")))
        .collect();
    format!("[{}]", items.join(", "))
}

/// The resource and `import` block that adopt policy `name` as `coreweave_object_storage_org_policy.p<index>`.
fn adopting(index: usize, name: &str, statements: &[Value]) -> String {
    let statements: Vec<String> = statements
        .iter()
        .map(|s| {
            format!(
                "    {{\n      name = {}\n      effect = {}\n      actions = {}\n      resources = {}\n      principals = {}\n    }},\n",
                hcl(s["name"].as_str().unwrap()),
                hcl(s["effect"].as_str().unwrap()),
                hcl_list(&s["actions"]),
                hcl_list(&s["resources"]),
                hcl_list(&s["principals"]),
            )
        })
        .collect();
    format!(
        "import {{\n  to = coreweave_object_storage_org_policy.p{index}\n  id = {id}\n}}\n\
         resource \"coreweave_object_storage_org_policy\" \"p{index}\" {{\n  name = {id}\n  statements = [\n{}  ]\n}}\n",
        statements.concat(),
        id = hcl(name),
    )
}

#[test]
fn every_policy_shape_the_api_accepts_imports_and_plans_empty() {
    let sandbox = Sandbox::start();
    let shapes = accepted_shapes();
    let mut config = String::new();
    for (index, (name, statements)) in shapes.iter().enumerate() {
        let (status, body) = sandbox.api(
            reqwest::Method::POST,
            POLICIES,
            Some(
                json!({"policy": {"version": "v1alpha1", "name": name, "statements": statements}}),
            ),
        );
        assert_eq!(
            status, 200,
            "the API accepts {name:?} {statements:?}: {body}"
        );
        config.push_str(&adopting(index, name, statements));
    }
    let ws = Workspace::new();
    ws.write(&sandbox, &config);
    sandbox.clear_requests();
    let applied = ws.apply();
    assert!(
        applied.stdout.contains(&format!(
            "Apply complete! Resources: {} imported, 0 added, 0 changed, 0 destroyed.",
            shapes.len()
        )),
        "{}",
        applied.output()
    );
    assert!(
        sandbox.writes().is_empty(),
        "importing wrote nothing: {:?}",
        sandbox.writes()
    );
    ws.assert_no_changes();
}
