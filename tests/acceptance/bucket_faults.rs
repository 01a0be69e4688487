//! Lost S3 answers with real Terraform: the sandbox's S3 endpoint carries out the next N
//! successful writes and closes their connections unanswered (`loseS3WriteAnswers`). An apply
//! or destroy of a bucket with tags and a policy either succeeds with state true or fails with
//! everything that exists in state (the endpoint holds nothing state lacks), and the next run
//! converges to an empty plan. With retries the provider repeats the idempotent writes and
//! reads back after a lost CreateBucket, so every run succeeds; without them a lost
//! PutBucketTagging fails the apply, and a lost delete or PutBucketPolicy is read back.

use serde_json::{json, Value};

use crate::support::buckets::{allow_s3, bucket_block, write_with_retries, OutOfBand};
use crate::support::terraform::TfRun;
use crate::support::{Sandbox, Workspace};

const BUCKET: &str = "acc-lost-answers";
const BUCKET_ADDRESS: &str = "coreweave_object_storage_bucket.b";
const POLICY_ADDRESS: &str = "coreweave_object_storage_bucket_policy.p";
/// The provider's `max_retries` in each round, with the most answers its apply loses: with
/// retries, three writes (create, tags, policy) and a retry's; without, the create's and the
/// tags' (the apply stops there).
const APPLY_ROUNDS: [(u32, u64); 2] = [(3, 4), (0, 2)];
/// A destroy writes twice (policy, bucket); a retry after a lost answer is refused (404).
const MOST_LOST_IN_DESTROY: u64 = 2;

/// The policy document the configuration sets: everything for the organization's principals
/// (`sid` names its statement).
fn document(sid: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": sid, "Effect": "Allow", "Principal": {"CW": "*"},
            "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{BUCKET}"), format!("arn:aws:s3:::{BUCKET}/*")]}]
    })
}

/// A bucket with tags and its policy ([`document`] of `sid`).
fn configuration(sid: &str) -> String {
    format!(
        "{}resource \"coreweave_object_storage_bucket_policy\" \"p\" {{\n  bucket = coreweave_object_storage_bucket.b.name\n  policy = jsonencode({})\n}}\n",
        bucket_block("b", BUCKET, "US-EAST-04A", "  tags = { env = \"test\" }"),
        document(sid)
    )
}

/// A sandbox allowing S3, its CLI acting out of band, and a workspace holding
/// [`configuration`] for a provider allowing `max_retries` retries.
fn setup(max_retries: u32) -> (Sandbox, OutOfBand, Workspace) {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write_with_retries(&ws, &sandbox, max_retries, &configuration("admin"));
    (sandbox, cli, ws)
}

/// Runs `run` while the next `lost` successful S3 writes lose their answers; asserts they all
/// were lost, then answers are kept again.
fn losing(sandbox: &Sandbox, lost: u64, run: impl FnOnce() -> TfRun) -> TfRun {
    sandbox.configure(json!({"loseS3WriteAnswers": lost}));
    let outcome = run();
    let left = sandbox.settings()["loseS3WriteAnswers"].clone();
    sandbox.configure(json!({"loseS3WriteAnswers": 0}));
    assert_eq!(
        left,
        0,
        "all {lost} answers were lost:\n{}",
        outcome.output()
    );
    outcome
}

/// Never an orphan: what the endpoint holds is in state (`context` says after what).
fn assert_state_holds_what_exists(cli: &OutOfBand, ws: &Workspace, context: &str) {
    if !cli.exists(BUCKET) {
        return;
    }
    assert!(
        !ws.state_of(BUCKET_ADDRESS).is_null(),
        "the bucket exists but state lacks it: {context}"
    );
    if cli.policy(BUCKET).is_some() {
        assert!(
            !ws.state_of(POLICY_ADDRESS).is_null(),
            "the policy exists but state lacks it: {context}"
        );
    }
}

/// The endpoint holds the configuration with [`document`] of `sid`, and state says so.
fn assert_applied_and_true(cli: &OutOfBand, ws: &Workspace, sid: &str, context: &str) {
    assert_eq!(cli.tags(BUCKET), json!({"env": "test"}), "{context}");
    assert_eq!(cli.policy(BUCKET), Some(document(sid)), "{context}");
    assert_eq!(
        ws.state_of(BUCKET_ADDRESS)["tags"],
        json!({"env": "test"}),
        "{context}"
    );
    let policy = ws.state_of(POLICY_ADDRESS)["policy"].clone();
    let in_state: Value = serde_json::from_str(policy.as_str().expect("policy in state")).unwrap();
    assert_eq!(in_state, document(sid), "{context}");
}

#[test]
fn bucket_tags_and_policy_applied_through_lost_answers_are_never_orphaned_and_converge() {
    for (retries, most_lost) in APPLY_ROUNDS {
        for lost in 1..=most_lost {
            let (sandbox, cli, ws) = setup(retries);
            let applied = losing(&sandbox, lost, || ws.apply_args(&[]));
            let context = format!(
                "{lost} lost answers, {retries} retries:\n{}",
                applied.output()
            );
            assert_state_holds_what_exists(&cli, &ws, &context);
            if retries > 0 || lost == 1 {
                assert_eq!(
                    applied.code, 0,
                    "retries or a read-back cover it: {context}"
                );
            }
            if applied.code == 0 {
                assert_applied_and_true(&cli, &ws, "admin", &context);
            }
            ws.apply();
            assert_applied_and_true(&cli, &ws, "admin", &context);
            ws.assert_no_changes();
        }
    }
}

#[test]
fn bucket_policy_changed_without_retries_through_a_lost_answer_is_read_back() {
    let (sandbox, cli, ws) = setup(0);
    ws.apply();
    write_with_retries(&ws, &sandbox, 0, &configuration("changed"));
    let applied = losing(&sandbox, 1, || ws.apply_args(&[]));
    assert_eq!(applied.code, 0, "{}", applied.output());
    assert_applied_and_true(&cli, &ws, "changed", &applied.output());
    ws.assert_no_changes();
}

#[test]
fn bucket_and_policy_destroyed_through_lost_answers_are_gone_and_state_agrees() {
    for retries in [3, 0] {
        for lost in 1..=MOST_LOST_IN_DESTROY {
            let (sandbox, cli, ws) = setup(retries);
            ws.apply();
            let destroyed = losing(&sandbox, lost, || {
                ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            });
            let context = format!(
                "{lost} lost answers, {retries} retries:\n{}",
                destroyed.output()
            );
            assert_state_holds_what_exists(&cli, &ws, &context);
            assert_eq!(destroyed.code, 0, "retries or a look cover it: {context}");
            assert!(!cli.exists(BUCKET), "{context}");
            assert!(ws.state_of(BUCKET_ADDRESS).is_null(), "{context}");
            assert!(ws.state_of(POLICY_ADDRESS).is_null(), "{context}");
        }
    }
}
