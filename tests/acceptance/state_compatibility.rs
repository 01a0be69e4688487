//! State written by the release before the plugin server swap (tf-provider 0.2.2, commit
//! 43f1dfd, under Terraform 1.6.6 so that every supported Terraform reads it:
//! `tests/data/state-0.1.0/`, with its private data as that release wrote it, a
//! MessagePack nil) reads and plans empty with today's provider.

use std::path::Path;

use crate::support::{Sandbox, Workspace};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/state-0.1.0")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The WIF config's id in the fixture: the sandbox that made it is gone, so the test's sandbox
/// holds the same config under another id.
fn fixture_wif_id(state: &serde_json::Value) -> String {
    state["resources"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|r| r["type"] == "coreweave_object_storage_wif_config")
        })
        .and_then(|r| r["instances"][0]["attributes"]["id"].as_str())
        .expect("the fixture has a WIF config")
        .to_string()
}

#[test]
fn state_written_by_the_previous_release_plans_empty_and_writes_nothing() {
    let sandbox = Sandbox::start();
    let config = fixture("main.tf");
    // The same objects in this sandbox, made by today's provider in a workspace of its own.
    let maker = Workspace::new();
    maker.write(&sandbox, &config);
    maker.apply();
    let made: serde_json::Value = serde_json::from_str(&maker.raw_state()).unwrap();

    let old_state = fixture("terraform.tfstate");
    let old: serde_json::Value = serde_json::from_str(&old_state).unwrap();
    assert_eq!(old["terraform_version"], "1.6.6");
    let ws = Workspace::new();
    ws.write(&sandbox, &config);
    std::fs::write(
        ws.path().join("terraform.tfstate"),
        old_state.replace(&fixture_wif_id(&old), &fixture_wif_id(&made)),
    )
    .unwrap();
    sandbox.clear_requests();
    ws.assert_no_changes();
    assert!(
        sandbox.writes().is_empty(),
        "planning the old state wrote: {:?}",
        sandbox.writes()
    );
    // An apply of nothing rewrites the state in today's form; it still plans empty.
    ws.apply();
    assert!(sandbox.writes().is_empty(), "{:?}", sandbox.writes());
    ws.assert_no_changes();
}
