//! Resource `coreweave_object_storage_bucket` and its list resource, through the sandbox's S3
//! endpoint; the AWS CLI checks what the endpoint holds and acts out of band.

use serde_json::json;

use crate::hung_endpoint::interrupt_when_hung;
use crate::support::buckets::{allow_s3, bucket_block, write, OutOfBand};
use crate::support::loopback::{Behaviour, Loopback};
use crate::support::sandbox::RecordedRequest;
use crate::support::terraform::{identity_supported, query_supported, squash};
use crate::support::{Sandbox, Workspace};

const ZONE: &str = "US-EAST-04A";
const OTHER_ZONE: &str = "US-CENTRAL-05A";

/// A sandbox whose organization lets the provider's user use S3.
fn sandbox() -> Sandbox {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    sandbox
}

/// The S3 requests of `log` that could change something.
fn s3_writes(log: &[RecordedRequest]) -> Vec<RecordedRequest> {
    log.iter()
        .filter(|r| {
            r.service.as_deref() == Some("s3") && !matches!(r.method.as_str(), "GET" | "HEAD")
        })
        .cloned()
        .collect()
}

#[test]
fn create_replans_empty_updates_tags_in_place_and_destroy_removes_it() {
    let sandbox = sandbox();
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-bucket", ZONE, "  tags = { env = \"test\" }"),
    );
    ws.apply();
    assert_eq!(cli.tags("acc-bucket"), json!({"env": "test"}));
    let location = cli
        .s3api(&["get-bucket-location", "--bucket", "acc-bucket"])
        .json();
    assert_eq!(location["LocationConstraint"], ZONE);
    let state = ws.state_of("coreweave_object_storage_bucket.b");
    assert_eq!(state["id"], "acc-bucket");
    assert_eq!(state["force_destroy"], false);
    ws.assert_no_changes();

    write(
        &ws,
        &sandbox,
        &bucket_block(
            "b",
            "acc-bucket",
            ZONE,
            "  tags = { env = \"prod\", team = \"a\" }",
        ),
    );
    let plan = ws.plan().output();
    assert!(
        plan.contains("updated in-place") && !plan.contains("must be replaced"),
        "{plan}"
    );
    ws.apply();
    assert_eq!(cli.tags("acc-bucket"), json!({"env": "prod", "team": "a"}));
    ws.assert_no_changes();

    write(&ws, &sandbox, &bucket_block("b", "acc-bucket", ZONE, ""));
    ws.apply();
    assert_eq!(cli.tags("acc-bucket"), json!({}));
    ws.assert_no_changes();

    ws.destroy();
    assert!(!cli.exists("acc-bucket"), "destroy removed the bucket");
}

#[test]
fn a_zone_or_name_change_replaces_the_bucket() {
    let sandbox = sandbox();
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write(&ws, &sandbox, &bucket_block("b", "acc-zone", ZONE, ""));
    ws.apply();
    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-zone", OTHER_ZONE, ""),
    );
    let plan = ws.plan().output();
    assert!(
        plan.contains("must be replaced") && plan.contains("forces replacement"),
        "{plan}"
    );
    ws.apply();
    let location = cli
        .s3api(&["get-bucket-location", "--bucket", "acc-zone"])
        .json();
    assert_eq!(location["LocationConstraint"], OTHER_ZONE);

    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-renamed", OTHER_ZONE, ""),
    );
    let plan = ws.plan().output();
    assert!(plan.contains("must be replaced"), "{plan}");
    ws.apply();
    assert!(cli.exists("acc-renamed") && !cli.exists("acc-zone"));
    ws.assert_no_changes();
}

#[test]
fn import_by_id_reads_zone_and_tags_writes_nothing_and_replans_empty() {
    let sandbox = sandbox();
    sandbox.seed_bucket("acc-made-elsewhere", json!({}));
    let cli = OutOfBand::new(&sandbox);
    cli.s3api(&[
        "put-bucket-tagging",
        "--bucket",
        "acc-made-elsewhere",
        "--tagging",
        "TagSet=[{Key=owner,Value=console}]",
    ])
    .success();
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &bucket_block(
            "b",
            "acc-made-elsewhere",
            ZONE,
            "  tags = { owner = \"console\" }",
        ),
    );
    sandbox.clear_requests();
    ws.import("coreweave_object_storage_bucket.b", "acc-made-elsewhere")
        .success();
    assert_eq!(
        s3_writes(&sandbox.requests()),
        Vec::new(),
        "an import writes nothing"
    );
    let state = ws.state_of("coreweave_object_storage_bucket.b");
    assert_eq!(state["zone"], ZONE);
    assert_eq!(state["tags"], json!({"owner": "console"}));
    ws.assert_no_changes();

    let gone = Workspace::new();
    write(
        &gone,
        &sandbox,
        &bucket_block("b", "acc-nothing-here", ZONE, ""),
    );
    let out = gone
        .import("coreweave_object_storage_bucket.b", "acc-nothing-here")
        .failure();
    assert!(out.contains("Nothing to import"), "{out}");
}

#[test]
fn import_by_identity_adopts_a_bucket_and_replans_empty() {
    if !identity_supported("import_by_identity_adopts_a_bucket_and_replans_empty") {
        return;
    }
    let sandbox = sandbox();
    sandbox.seed_bucket("acc-by-identity", json!({}));
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &format!(
            "{}import {{\n  to       = coreweave_object_storage_bucket.b\n  identity = {{ name = \"acc-by-identity\" }}\n}}\n",
            bucket_block("b", "acc-by-identity", ZONE, "")
        ),
    );
    sandbox.clear_requests();
    let applied = ws.apply().output();
    assert!(
        applied.contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    assert_eq!(s3_writes(&sandbox.requests()), Vec::new());
    let state: serde_json::Value = serde_json::from_str(&ws.raw_state()).unwrap();
    assert_eq!(
        state["resources"][0]["instances"][0]["identity"],
        json!({"name": "acc-by-identity"})
    );
    ws.assert_no_changes();
}

#[test]
fn drift_tags_changed_out_of_band_diff_and_a_deleted_bucket_is_planned_for_create() {
    let sandbox = sandbox();
    sandbox.seed_bucket("acc-drift", json!({}));
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-drift", ZONE, "  tags = { env = \"test\" }"),
    );
    ws.import("coreweave_object_storage_bucket.b", "acc-drift")
        .success();
    ws.apply();
    assert_eq!(cli.tags("acc-drift"), json!({"env": "test"}));
    cli.s3api(&[
        "put-bucket-tagging",
        "--bucket",
        "acc-drift",
        "--tagging",
        "TagSet=[{Key=env,Value=changed}]",
    ])
    .success();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(
        plan.stdout.contains("\"changed\" -> \"test\""),
        "{}",
        plan.stdout
    );
    ws.apply();
    assert_eq!(cli.tags("acc-drift"), json!({"env": "test"}));

    cli.s3api(&["delete-bucket", "--bucket", "acc-drift"])
        .success();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    ws.apply();
    assert!(cli.exists("acc-drift"));
}

#[test]
fn a_bucket_missing_right_after_its_create_stays_in_state_with_a_warning() {
    let sandbox = sandbox();
    let ws = Workspace::new();
    write(&ws, &sandbox, &bucket_block("b", "acc-young", ZONE, ""));
    ws.apply();
    OutOfBand::new(&sandbox)
        .s3api(&["delete-bucket", "--bucket", "acc-young"])
        .success();
    let plan = ws.plan();
    assert_eq!(
        plan.code,
        0,
        "not evidence that it is gone yet:\n{}",
        plan.output()
    );
    assert!(
        plan.output()
            .contains("Bucket not found right after its create"),
        "{}",
        plan.output()
    );
}

#[test]
fn an_existing_bucket_is_refused_at_plan_and_at_apply_and_nothing_is_written() {
    let sandbox = sandbox();
    sandbox.seed_bucket("acc-taken", json!({"keep.txt": "theirs"}));
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-taken", ZONE, "  tags = { mine = \"yes\" }"),
    );
    sandbox.clear_requests();
    let out = ws.plan().output();
    assert!(
        out.contains("Bucket already exists")
            && out.contains("terraform import coreweave_object_storage_bucket.<name> acc-taken"),
        "{out}"
    );
    assert_eq!(s3_writes(&sandbox.requests()), Vec::new());

    // Made between plan and apply: the create looks again.
    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-late", ZONE, "  tags = { mine = \"yes\" }"),
    );
    ws.run(&["plan", "-out=tfplan", "-input=false", "-no-color"])
        .success();
    sandbox.seed_bucket("acc-late", json!({}));
    sandbox.clear_requests();
    let out = ws
        .run(&["apply", "-input=false", "-no-color", "tfplan"])
        .failure();
    assert!(out.contains("Bucket already exists"), "{out}");
    assert_eq!(s3_writes(&sandbox.requests()), Vec::new());
    assert!(!ws.raw_state().contains("acc-late"), "nothing in state");
    assert_eq!(
        OutOfBand::new(&sandbox).tags("acc-late"),
        json!({}),
        "theirs untouched"
    );
}

#[test]
fn force_destroy_false_names_the_object_count_and_true_empties_the_bucket() {
    let sandbox = sandbox();
    let cli = OutOfBand::new(&sandbox);
    let ws = Workspace::new();
    write(&ws, &sandbox, &bucket_block("b", "acc-full", ZONE, ""));
    ws.apply();
    sandbox.seed_bucket(
        "acc-full",
        json!({"a.txt": "a", "dir/b.txt": "b", "c": "c"}),
    );
    let out = ws
        .run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
        .failure();
    assert!(
        out.contains("holds 3 objects") && out.contains("force_destroy = true"),
        "{out}"
    );
    assert!(cli.exists("acc-full"));

    write(
        &ws,
        &sandbox,
        &bucket_block("b", "acc-full", ZONE, "  force_destroy = true"),
    );
    let plan = ws.plan().output();
    assert!(plan.contains("updated in-place"), "{plan}");
    ws.apply();
    sandbox.clear_requests();
    ws.destroy();
    assert!(!cli.exists("acc-full"));
    let deletes = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.service.as_deref() == Some("s3") && r.method == "DELETE")
        .count();
    assert_eq!(deletes, 4, "three objects, then the bucket");
}

#[test]
fn bad_names_zones_and_tags_fail_at_plan_saying_what_to_write_and_call_nothing() {
    let sandbox = sandbox();
    let ws = Workspace::new();
    let s3_calls = || {
        sandbox
            .requests()
            .into_iter()
            .filter(|r| r.service.as_deref() == Some("s3"))
            .collect::<Vec<_>>()
    };
    for (config, says) in [
        (
            format!(
                "{}{}",
                bucket_block("a", "Training_Data", ZONE, ""),
                bucket_block("b", "acc-fine", "us-east-04a", "")
            ),
            vec![
                "for example \"training-data\"",
                "must be upper case: write \"US-EAST-04A\"",
            ],
        ),
        (
            bucket_block("c", "acc-tags", ZONE, "  tags = { \"aws:x\" = \"y\" }"),
            vec!["keys starting with \"aws:\" are reserved"],
        ),
    ] {
        write(&ws, &sandbox, &config);
        sandbox.clear_requests();
        let out = squash(&ws.plan().output());
        for says in says {
            assert!(out.contains(says), "{says}:\n{out}");
        }
        assert_eq!(
            s3_calls(),
            Vec::new(),
            "the plan stopped before any S3 call"
        );
    }
}

#[test]
fn query_finds_buckets_made_out_of_band_and_the_generated_file_adopts_them() {
    if !query_supported("query_finds_buckets_made_out_of_band") {
        return;
    }
    let sandbox = sandbox();
    for i in 0..3 {
        sandbox.seed_bucket(&format!("acc-console-{i}"), json!({}));
    }
    let cli = OutOfBand::new(&sandbox);
    cli.s3api(&[
        "put-bucket-tagging",
        "--bucket",
        "acc-console-1",
        "--tagging",
        "TagSet=[{Key=k,Value=v}]",
    ])
    .success();
    let ws = Workspace::new();
    write(&ws, &sandbox, "");
    std::fs::write(
        ws.path().join("adopt.tfquery.hcl"),
        "list \"coreweave_object_storage_bucket\" \"all\" {\n  provider = coreweave\n  include_resource = true\n  config {\n    name_prefix = \"acc-console-\"\n  }\n}\n",
    )
    .unwrap();
    sandbox.clear_requests();
    let listed = ws.run(&["query", "-no-color"]).success().output();
    for i in 0..3 {
        assert!(listed.contains(&format!("acc-console-{i}")), "{listed}");
    }
    let lists = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.service.as_deref() == Some("s3") && r.path == "/")
        .count();
    assert_eq!(lists, 1, "one ListBuckets");
    ws.run(&["query", "-no-color", "-generate-config-out=adopted.tf"])
        .success();
    sandbox.clear_requests();
    let applied = ws.apply().output();
    assert!(
        applied.contains("3 imported, 0 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    assert_eq!(s3_writes(&sandbox.requests()), Vec::new());
    ws.assert_no_changes();
}

#[test]
fn a_dead_s3_endpoint_fails_the_plan_at_once_naming_s3_endpoint() {
    let sandbox = sandbox();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint    = \"{}\"\n  s3_endpoint = \"{dead}\"\n  token       = \"{}\"\n}}\n{}",
        crate::support::terraform::required_providers(),
        sandbox.url,
        crate::support::sandbox::TOKEN,
        bucket_block("b", "acc-unreachable", ZONE, "")
    ));
    let started = std::time::Instant::now();
    let out = squash(&ws.plan().output());
    assert!(
        out.contains(&format!("cannot connect to the AI Object Storage S3 endpoint at {dead}"))
            && out.contains("Check `s3_endpoint` in the provider block or the COREWEAVE_S3_ENDPOINT environment variable"),
        "{out}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "fails fast"
    );
}

#[test]
fn tags_known_only_after_apply_are_set_and_replan_empty() {
    let sandbox = sandbox();
    let ws = Workspace::new();
    write(
        &ws,
        &sandbox,
        &format!(
            "{}{}",
            bucket_block("a", "acc-first", ZONE, ""),
            bucket_block(
                "b",
                "acc-second",
                ZONE,
                "  tags = { peer = coreweave_object_storage_bucket.a.id }"
            )
        ),
    );
    ws.apply();
    assert_eq!(
        OutOfBand::new(&sandbox).tags("acc-second"),
        json!({"peer": "acc-first"})
    );
    ws.assert_no_changes();
}

#[test]
fn ctrl_c_during_a_hung_s3_request_ends_the_run_at_once_with_nothing_in_state() {
    let sandbox = sandbox();
    let hung = Loopback::start(Behaviour::Hang);
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint                = \"{}\"\n  s3_endpoint             = \"{}\"\n  token                   = \"{}\"\n  request_timeout_seconds = 120\n}}\n{}",
        crate::support::terraform::required_providers(),
        sandbox.url,
        hung.url,
        crate::support::sandbox::TOKEN,
        bucket_block("b", "acc-hung", ZONE, "")
    ));
    for args in [
        &["plan", "-input=false", "-no-color"][..],
        &["apply", "-auto-approve", "-input=false", "-no-color"][..],
    ] {
        hung.clear_requests();
        let (took, out) = interrupt_when_hung(&ws, &hung, args);
        // The request would hang for 120 s: only the interrupt ends the run this soon.
        assert!(
            took < std::time::Duration::from_secs(20),
            "{}: took {took:?}: {out}",
            args[0]
        );
        assert!(
            out.contains("Interrupted") && out.contains("state is unchanged"),
            "{}: {out}",
            args[0]
        );
        assert!(
            !ws.raw_state().contains("acc-hung"),
            "{}: nothing in state",
            args[0]
        );
    }
}
