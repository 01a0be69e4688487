//! Data source `coreweave_object_storage_access_check`: decisions from the live policies
//! (organization policies, then the policies of the buckets it names), the what-if `policies`
//! and `bucket_policies` inputs at plan time, and `check` blocks and postconditions.

use serde_json::json;

use crate::support::buckets::{self, bucket_block, OutOfBand};
use crate::support::sandbox::CLUSTER_DEMO;
use crate::support::{Sandbox, Workspace};

fn principal(sa: &str) -> String {
    format!(
        "role/https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}:system:serviceaccount:default:{sa}"
    )
}

fn check(extra: &str) -> String {
    format!(
        r#"
data "coreweave_object_storage_access_check" "app" {{
  principal = "{}"
  actions   = ["cwobject:CreateAccessKeyOIDC", "s3:GetObject"]
  resources = ["*"]
  {extra}
}}
output "allowed" {{ value = data.coreweave_object_storage_access_check.app.allowed }}
output "results" {{ value = data.coreweave_object_storage_access_check.app.results }}
"#,
        principal("app")
    )
}

fn what_if() -> String {
    format!(
        r#"policies = [{{
    name = "wif"
    statements = [{{ name = "app", effect = "Allow", actions = ["cwobject:CreateAccessKeyOIDC", "s3:GetObject"],
                     resources = ["*"], principals = ["{}"] }}]
  }}]"#,
        principal("app")
    )
}

#[test]
fn a_what_if_policy_shows_allowed_in_the_plan_before_apply() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(&sandbox, &check(""));
    let plan = ws.plan();
    assert!(plan.stdout.contains("allowed = false"), "{}", plan.output());
    ws.write(&sandbox, &check(&what_if()));
    let plan = ws.plan();
    assert!(plan.stdout.contains("allowed = true"), "{}", plan.output());
    assert!(plan.stdout.contains("\"wif/app\""), "{}", plan.output());
    assert!(sandbox.writes().is_empty(), "a what-if is never written");
    assert_eq!(sandbox.state()["policies"], serde_json::json!([]));
}

#[test]
fn live_policies_decide_and_name_the_deciding_statements() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        &format!(
            r#"
resource "coreweave_object_storage_org_policy" "p" {{
  name = "wif"
  statements = [
    {{ name = "exchange", effect = "Allow", actions = ["cwobject:*"], resources = ["*"], principals = ["{p}"] }},
    {{ name = "no-reads", effect = "Deny", actions = ["s3:Get*"], resources = ["*"], principals = ["*"] }},
  ]
}}
{check}"#,
            p = principal("app"),
            check = check("depends_on = [coreweave_object_storage_org_policy.p]")
        ),
    );
    ws.apply();
    let out = ws.outputs();
    assert_eq!(out["allowed"], false);
    let results = out["results"].as_array().unwrap();
    assert_eq!(results[0]["action"], "cwobject:CreateAccessKeyOIDC");
    assert_eq!(results[0]["decision"], "allowed");
    assert_eq!(
        results[0]["matched_statements"],
        serde_json::json!(["wif/exchange"])
    );
    assert_eq!(results[1]["decision"], "explicit_deny");
    assert_eq!(
        results[1]["matched_statements"],
        serde_json::json!(["wif/no-reads"])
    );
}

/// An organization access policy `all`: everyone may do everything.
fn allow_everyone(sandbox: &Sandbox) {
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(json!({"policy": {"version": "v1alpha1", "name": "all", "statements": [{
            "name": "all", "effect": "Allow", "actions": ["*"], "resources": ["*"], "principals": ["*"]}]}})),
    );
    assert_eq!(status, 200, "{body}");
}

/// The bucket `models`: readable by the organization's principals, `private/` by no one.
fn models_policy() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnOrg", "Effect": "Allow", "Principal": {"CW": "*"}, "Action": "s3:*",
         "Resource": ["arn:aws:s3:::models", "arn:aws:s3:::models/*"],
         "Condition": {"StringEquals": {"cw:PrincipalOrgID": "sandbox-org"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::models/private/*"}]})
}

/// An access check of `s3:GetObject` and `s3:PutBucketPolicy` on objects of `models` and of
/// `open` (a bucket without a policy), with `extra` arguments, under the organization policy
/// `all` (everyone may do everything).
fn bucket_check(extra: &str) -> String {
    format!(
        r#"
data "coreweave_object_storage_access_check" "app" {{
  principal = "{}"
  actions   = ["s3:GetObject", "s3:PutBucketPolicy"]
  resources = ["models/data.csv", "models/private/key.bin", "open/a.txt"]
  {extra}
}}
output "results" {{ value = data.coreweave_object_storage_access_check.app.results }}
"#,
        principal("app")
    )
}

/// `action resource decision decided_by matched...` of each result.
fn lines(results: &serde_json::Value) -> Vec<String> {
    results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let matched: Vec<&str> = r["matched_statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            format!(
                "{} {} {} {} {}",
                r["action"].as_str().unwrap(),
                r["resource"].as_str().unwrap(),
                r["decision"].as_str().unwrap(),
                r["decided_by"].as_str().unwrap(),
                matched.join(",")
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

#[test]
fn the_live_bucket_policy_decides_after_the_organization_and_a_what_if_replaces_it() {
    let sandbox = Sandbox::start();
    sandbox.seed_bucket(
        "models",
        json!({"data.csv": "a,b\n", "private/key.bin": "secret"}),
    );
    sandbox.seed_bucket("open", json!({"a.txt": "hello"}));
    allow_everyone(&sandbox);
    let policy = models_policy().to_string();
    OutOfBand::new(&sandbox)
        .s3api(&[
            "put-bucket-policy",
            "--bucket",
            "models",
            "--policy",
            &policy,
        ])
        .success();
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_S3_ENDPOINT", &sandbox.s3_url());
    ws.write(&sandbox, &bucket_check(""));
    sandbox.clear_requests();
    ws.apply();
    let mut s3_calls: Vec<String> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.service.as_deref() == Some("s3"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    s3_calls.sort();
    assert_eq!(
        s3_calls,
        ["GET /models", "GET /open"],
        "one policy read per bucket"
    );
    assert_eq!(
        lines(&ws.outputs()["results"]),
        [
            "s3:GetObject models/data.csv allowed bucket_policy bucket_policy:models/OwnOrg",
            "s3:GetObject models/private/key.bin explicit_deny bucket_policy bucket_policy:models/[1]",
            "s3:GetObject open/a.txt allowed org_policy all/all",
            "s3:PutBucketPolicy models/data.csv allowed org_policy all/all",
            "s3:PutBucketPolicy models/private/key.bin allowed org_policy all/all",
            "s3:PutBucketPolicy open/a.txt allowed org_policy all/all",
        ]
    );
    // A what-if for `models` that allows reads of data/ only, and one for `open`, at plan time.
    let what_if = r#"bucket_policies = {
    models = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "DataOnly", Effect = "Allow",
      Principal = { CW = ["*"] }, Action = "s3:GetObject", Resource = "arn:aws:s3:::models/data*" }] })
    open = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "NoOne", Effect = "Deny",
      Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::open/*" }] })
  }"#;
    ws.write(&sandbox, &bucket_check(what_if));
    ws.apply();
    assert_eq!(
        lines(&ws.outputs()["results"]),
        [
            "s3:GetObject models/data.csv allowed bucket_policy bucket_policy:models/DataOnly",
            "s3:GetObject models/private/key.bin implicit_deny bucket_policy",
            "s3:GetObject open/a.txt explicit_deny bucket_policy bucket_policy:open/NoOne",
            "s3:PutBucketPolicy models/data.csv allowed org_policy all/all",
            "s3:PutBucketPolicy models/private/key.bin allowed org_policy all/all",
            "s3:PutBucketPolicy open/a.txt allowed org_policy all/all",
        ]
    );
}

#[test]
fn a_what_if_bucket_policy_for_another_bucket_fails_the_plan_on_its_key() {
    let sandbox = Sandbox::start();
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_S3_ENDPOINT", &sandbox.s3_url());
    ws.write(
        &sandbox,
        &check(
            r#"bucket_policies = { models = jsonencode({ Version = "2012-10-17", Statement = [{
      Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::other/*" }] }) }"#,
        ),
    );
    let out = ws.plan().failure();
    assert!(out.contains("Invalid bucket policy"), "{out}");
    assert!(
        out.contains("The policy of bucket \"models\", at Statement[0].Resource: is an ARN for another bucket (\"other\")"),
        "{out}"
    );
    assert!(sandbox.writes().is_empty(), "nothing is written");
}

#[test]
fn a_bucket_policy_applied_in_the_same_run_is_weighed_and_replans_empty() {
    let sandbox = Sandbox::start();
    allow_everyone(&sandbox);
    let ws = Workspace::new();
    let body = format!(
        r#"
{bucket}
data "coreweave_object_storage_bucket_policy_document" "models" {{
  statement {{
    sid       = "NoPrivate"
    effect    = "Deny"
    principal = {{ CW = ["*"] }}
    action    = ["s3:GetObject"]
    resource  = ["arn:aws:s3:::models/private/*"]
  }}
  statement {{
    sid       = "Everyone"
    principal = {{ CW = ["*"] }}
    action    = ["s3:*"]
    resource  = ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]
  }}
}}
resource "coreweave_object_storage_bucket_policy" "models" {{
  bucket = coreweave_object_storage_bucket.models.name
  policy = data.coreweave_object_storage_bucket_policy_document.models.json
}}
data "coreweave_object_storage_access_check" "app" {{
  principal  = "{principal}"
  actions    = ["s3:GetObject"]
  resources  = ["models/data.csv", "models/private/key.bin"]
  depends_on = [coreweave_object_storage_bucket_policy.models]
}}
output "results" {{ value = data.coreweave_object_storage_access_check.app.results }}
"#,
        bucket = bucket_block("models", "models", "US-EAST-04A", ""),
        principal = principal("app"),
    );
    buckets::write(&ws, &sandbox, &body);
    ws.apply();
    assert_eq!(
        lines(&ws.outputs()["results"]),
        [
            "s3:GetObject models/data.csv allowed bucket_policy bucket_policy:models/Everyone",
            "s3:GetObject models/private/key.bin explicit_deny bucket_policy bucket_policy:models/NoPrivate",
        ]
    );
    ws.assert_no_changes();
}
