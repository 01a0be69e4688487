//! What buckets and bucket policies cost and keep to themselves: S3 requests per bucket in a
//! no-change plan, one S3 key per Terraform command, and the key's secret in no output, log
//! (`TF_LOG=trace`), plan or state.

use serde_json::json;

use crate::support::buckets::{allow_s3, bucket_block, provider_principal, write};
use crate::support::loopback::{Behaviour, Loopback};
use crate::support::terraform::required_providers;
use crate::support::{Sandbox, Workspace};

const N: usize = 4;

/// A bucket `b{i}` and its policy `p{i}` for each `i < n`.
fn buckets_with_policies(n: usize) -> String {
    (0..n)
        .map(|i| {
            let name = format!("acc-count-{i}");
            format!(
                "{}resource \"coreweave_object_storage_bucket_policy\" \"p{i}\" {{\n  bucket = coreweave_object_storage_bucket.b{i}.name\n  policy = jsonencode({})\n}}\n",
                bucket_block(&format!("b{i}"), &name, "US-EAST-04A", "  tags = { n = \"x\" }"),
                json!({"Version": "2012-10-17", "Statement": [{"Sid": "all", "Effect": "Allow",
                    "Principal": {"CW": "*"}, "Action": "s3:*",
                    "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")]}]})
            )
        })
        .collect()
}

#[test]
fn a_no_change_plan_costs_three_s3_reads_per_bucket_with_a_policy_and_one_key() {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    let ws = Workspace::new();
    write(&ws, &sandbox, &buckets_with_policies(N));
    ws.apply();
    sandbox.clear_requests();
    ws.assert_no_changes();
    let log = sandbox.requests();
    let (s3, api): (Vec<_>, Vec<_>) = log
        .into_iter()
        .partition(|r| r.service.as_deref() == Some("s3"));
    assert!(s3.iter().all(|r| r.method == "GET"), "reads only: {s3:?}");
    assert_eq!(
        s3.len(),
        3 * N,
        "GetBucketLocation, GetBucketTagging and GetBucketPolicy per bucket: {s3:?}"
    );
    assert_eq!(
        api.len(),
        1,
        "one short-lived key for the whole plan: {api:?}"
    );
    assert_eq!(api[0].path, "/v1/cwobject/access-key");
}

#[test]
fn the_s3_secret_is_in_no_output_trace_log_saved_plan_or_state() {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    // The API's answer, from a stand-in that hands out a key the test knows.
    let key = sandbox.access_key(&provider_principal(&sandbox), json!({}));
    let secret = key["secretKey"].as_str().expect("secret").to_string();
    let api = Loopback::start(Behaviour::json(
        &json!({"accessKeyId": key["accessKeyId"], "secretKey": secret,
                "principalName": key["principalName"], "expiry": key["expiry"]})
        .to_string(),
    ));
    let mut ws = Workspace::new();
    ws.env("TF_LOG", "TRACE");
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint    = \"{}\"\n  s3_endpoint = \"{}\"\n  token       = \"t\"\n}}\n{}",
        required_providers(),
        api.url,
        sandbox.s3_url(),
        buckets_with_policies(1)
    ));
    let apply = ws.apply();
    let plan = ws
        .run(&["plan", "-out=tfplan", "-input=false", "-no-color"])
        .success();
    let shown = ws.run(&["show", "-json", "tfplan"]).success();
    let saved_plan = std::fs::read(ws.path().join("tfplan")).expect("the saved plan");
    let state = ws.raw_state();
    let destroy = ws.destroy();
    assert!(
        apply.stderr.contains("issued a short-lived S3 key"),
        "the provider's S3 logs reached TF_LOG: the check is meaningful"
    );
    assert!(api
        .requests()
        .iter()
        .any(|r| r.starts_with("POST /v1/cwobject/access-key")));
    for (what, text) in [
        ("apply", apply.output()),
        ("plan", plan.output()),
        ("saved plan (show -json)", shown.output()),
        ("state", state),
        ("destroy", destroy.output()),
    ] {
        assert!(
            !text.contains(&secret),
            "the S3 secret leaked into the {what}"
        );
    }
    assert!(
        !saved_plan
            .windows(secret.len())
            .any(|w| w == secret.as_bytes()),
        "the S3 secret leaked into the saved plan file"
    );
}
