//! Resource `coreweave_object_storage_bucket_policy` through the sandbox's S3 endpoint.

use serde_json::{json, Value};

use crate::support::buckets::{allow_s3, bucket_block, write, OutOfBand};
use crate::support::terraform::{identity_supported, squash};
use crate::support::{Sandbox, Workspace};

const ZONE: &str = "US-EAST-04A";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    sandbox
}

/// A document for `bucket`: everything for the organization's principals, and objects denied
/// to other organizations.
fn document(bucket: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "admin", "Effect": "Allow", "Principal": {"CW": "*"}, "Action": "s3:*",
             "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]},
            {"Sid": "others", "Effect": "Deny", "Principal": {"CW": "*"}, "Action": "s3:GetObject",
             "Resource": format!("arn:aws:s3:::{bucket}/*"),
             "Condition": {"StringNotEquals": {"cw:PrincipalOrgID": "sandbox-org"}}}
        ]
    })
}

/// [`document`] written another way: statements and keys reordered, single values as lists.
fn reshaped(bucket: &str) -> String {
    format!(
        r#"{{
  "Statement": [
    {{ "Condition": {{ "StringNotEquals": {{ "cw:PrincipalOrgID": ["sandbox-org"] }} }},
      "Resource": ["arn:aws:s3:::{bucket}/*"], "Action": ["s3:GetObject"],
      "Principal": {{ "CW": ["*"] }}, "Effect": "Deny", "Sid": "others" }},
    {{ "Sid": "admin", "Effect": "Allow", "Action": ["s3:*"], "Principal": {{ "CW": ["*"] }},
      "Resource": ["arn:aws:s3:::{bucket}/*", "arn:aws:s3:::{bucket}"] }}
  ],
  "Version": "2012-10-17"
}}"#
    )
}

/// A policy resource `p` for `bucket` (an HCL expression) with `policy` (an HCL expression).
fn policy_block(bucket: &str, policy: &str) -> String {
    format!(
        "resource \"coreweave_object_storage_bucket_policy\" \"p\" {{\n  bucket = {bucket}\n  policy = {policy}\n}}\n"
    )
}

/// `jsonencode(...)` of `value` (JSON is valid HCL for it).
fn jsonencode(value: &Value) -> String {
    format!("jsonencode({value})")
}

/// A heredoc holding `text`.
fn heredoc(text: &str) -> String {
    format!("<<-EOT\n{text}\nEOT")
}

/// A bucket `b` named `name` and its policy `p` with `policy`.
fn bucket_and_policy(name: &str, policy: &str) -> String {
    format!(
        "{}{}",
        bucket_block("b", name, ZONE, ""),
        policy_block("coreweave_object_storage_bucket.b.name", policy)
    )
}

#[test]
fn create_reads_back_replans_empty_and_a_reshaped_document_plans_empty() {
    let sandbox = sandbox();
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &bucket_and_policy("acc-pol", &jsonencode(&document("acc-pol"))),
    );
    ws.apply();
    assert_eq!(cli.policy("acc-pol"), Some(document("acc-pol")));
    let state = ws.state_of("coreweave_object_storage_bucket_policy.p");
    assert_eq!(state["id"], "acc-pol");
    ws.assert_no_changes();

    write(
        &ws,
        &sandbox,
        &bucket_and_policy("acc-pol", &heredoc(&reshaped("acc-pol"))),
    );
    ws.assert_no_changes();

    let mut narrower = document("acc-pol");
    narrower["Statement"][1]["Action"] = json!(["s3:GetObject", "s3:PutObject"]);
    write(
        &ws,
        &sandbox,
        &bucket_and_policy("acc-pol", &jsonencode(&narrower)),
    );
    let plan = ws.plan().output();
    assert!(
        plan.contains("updated in-place") && !plan.contains("must be replaced"),
        "{plan}"
    );
    ws.apply();
    assert_eq!(cli.policy("acc-pol"), Some(narrower));
    ws.assert_no_changes();

    ws.destroy();
    assert!(!cli.exists("acc-pol"));
}

#[test]
fn import_by_id_and_by_identity_keep_the_remote_text_and_replan_empty() {
    let sandbox = sandbox();
    let cli = OutOfBand::new(&sandbox);
    for bucket in ["acc-imp-id", "acc-imp-identity"] {
        sandbox.seed_bucket(bucket, json!({}));
        cli.s3api(&[
            "put-bucket-policy",
            "--bucket",
            bucket,
            "--policy",
            &reshaped(bucket),
        ])
        .success();
    }
    let ws = Workspace::new();
    let config = format!(
        "{}{}",
        bucket_block("b", "acc-imp-id", ZONE, ""),
        policy_block("\"acc-imp-id\"", &jsonencode(&document("acc-imp-id")))
    );
    write(&ws, &sandbox, &config);
    ws.import("coreweave_object_storage_bucket.b", "acc-imp-id")
        .success();
    ws.import("coreweave_object_storage_bucket_policy.p", "acc-imp-id")
        .success();
    ws.assert_no_changes();

    if !identity_supported("import_by_identity_of_a_bucket_policy") {
        return;
    }
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &format!(
            "{}import {{\n  to       = coreweave_object_storage_bucket_policy.p\n  identity = {{ bucket = \"acc-imp-identity\" }}\n}}\n",
            policy_block("\"acc-imp-identity\"", &jsonencode(&document("acc-imp-identity")))
        ),
    );
    let applied = ws.apply().output();
    assert!(
        applied.contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    let state: Value = serde_json::from_str(&ws.raw_state()).unwrap();
    assert_eq!(
        state["resources"][0]["instances"][0]["identity"],
        json!({"bucket": "acc-imp-identity"})
    );
    ws.assert_no_changes();
}

#[test]
fn drift_a_policy_changed_or_deleted_out_of_band_is_planned_back() {
    let sandbox = sandbox();
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &bucket_and_policy("acc-pol-drift", &jsonencode(&document("acc-pol-drift"))),
    );
    ws.apply();
    // Still everything for the organization (else the provider's own reads are refused).
    let mut theirs = document("acc-pol-drift");
    theirs["Statement"][1]["Action"] = json!("s3:PutObject");
    cli.s3api(&[
        "put-bucket-policy",
        "--bucket",
        "acc-pol-drift",
        "--policy",
        &theirs.to_string(),
    ])
    .success();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(plan.stdout.contains("updated in-place"), "{}", plan.stdout);
    ws.apply();
    assert_eq!(cli.policy("acc-pol-drift"), Some(document("acc-pol-drift")));

    cli.s3api(&["delete-bucket-policy", "--bucket", "acc-pol-drift"])
        .success();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    ws.apply();
    assert_eq!(cli.policy("acc-pol-drift"), Some(document("acc-pol-drift")));
}

#[test]
fn a_bucket_that_has_a_policy_is_refused_and_its_policy_is_untouched() {
    let sandbox = sandbox();
    sandbox.seed_bucket("acc-has-policy", json!({}));
    let cli = OutOfBand::new(&sandbox);
    let theirs = reshaped("acc-has-policy");
    cli.s3api(&[
        "put-bucket-policy",
        "--bucket",
        "acc-has-policy",
        "--policy",
        &theirs,
    ])
    .success();
    let ws = Workspace::new();
    let mut mine = document("acc-has-policy");
    mine["Statement"][0]["Action"] = json!("s3:GetObject");
    write(
        &ws,
        &sandbox,
        &policy_block("\"acc-has-policy\"", &jsonencode(&mine)),
    );
    sandbox.clear_requests();
    let out = squash(&ws.apply_args(&[]).failure());
    assert!(
        out.contains("Bucket \"acc-has-policy\" already has a policy")
            && out.contains(
                "terraform import coreweave_object_storage_bucket_policy.<name> acc-has-policy"
            ),
        "{out}"
    );
    let puts: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.service.as_deref() == Some("s3") && r.method == "PUT")
        .collect();
    assert_eq!(puts, Vec::new(), "nothing written");
    assert_eq!(
        cli.policy("acc-has-policy"),
        Some(serde_json::from_str(&theirs).unwrap())
    );
    assert!(!ws.raw_state().contains("acc-has-policy"));
}

#[test]
fn bad_documents_fail_at_plan_on_the_policy_and_call_nothing() {
    let sandbox = sandbox();
    sandbox.seed_bucket("acc-bad-doc", json!({}));
    let ws = Workspace::new();
    let mut other_bucket = document("acc-bad-doc");
    other_bucket["Statement"][0]["Resource"] = json!("arn:aws:s3:::someone-elses/*");
    let mut bad_operator = document("acc-bad-doc");
    bad_operator["Statement"][1]["Condition"] = json!({"NumericLessThan": {"s3:max-keys": "10"}});
    for (policy, says) in [
        (
            heredoc("{\"Version\": \"2012-10-17\", \"Statement\": ["),
            "Invalid bucket policy",
        ),
        (jsonencode(&other_bucket), "someone-elses"),
        (jsonencode(&bad_operator), "NumericLessThan"),
    ] {
        write(&ws, &sandbox, &policy_block("\"acc-bad-doc\"", &policy));
        sandbox.clear_requests();
        let run = ws.plan();
        assert_eq!(run.code, 1, "{}", run.output());
        let out = squash(&run.output());
        assert!(
            out.contains("Invalid bucket policy") && out.contains(says),
            "{says}: {out}"
        );
        let s3: Vec<_> = sandbox
            .requests()
            .into_iter()
            .filter(|r| r.service.as_deref() == Some("s3"))
            .collect();
        assert_eq!(s3, Vec::new(), "the plan stopped before any S3 call");
    }
}
