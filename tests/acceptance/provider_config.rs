//! Provider settings: block, environment, validation, and when the token is needed.

use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::terraform::required_providers;
use crate::support::{Sandbox, Workspace};

fn issuer_lookup() -> String {
    format!("data \"coreweave_cks_cluster_issuer\" \"demo\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n}}\noutput \"zone\" {{ value = data.coreweave_cks_cluster_issuer.demo.zone }}\n")
}

#[test]
fn validate_passes_without_a_token_or_endpoint() {
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{}}\n{}",
        required_providers(),
        issuer_lookup()
    ));
    ws.validate().success();
}

#[test]
fn plain_http_endpoint_is_rejected_on_the_endpoint_attribute() {
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"http://api.coreweave.com\"\n}}\n{}",
        required_providers(),
        issuer_lookup()
    ));
    let out = ws.validate().failure();
    assert!(out.contains("Invalid `endpoint`"), "{out}");
    assert!(out.contains("must use https://"), "{out}");
    assert!(
        out.contains("endpoint = \"http://api.coreweave.com\""),
        "the diagnostic points at the attribute: {out}"
    );
}

#[test]
fn out_of_range_numbers_are_rejected_at_validate() {
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  request_timeout_seconds = 0\n  max_retries = 99\n}}\n{}",
        required_providers(),
        issuer_lookup()
    ));
    let out = ws.validate().failure();
    assert!(
        out.contains("`request_timeout_seconds` must be between 1 and 600"),
        "{out}"
    );
    assert!(
        out.contains("`max_retries` must be between 0 and 30"),
        "{out}"
    );
}

#[test]
fn missing_token_is_reported_when_the_api_is_needed_and_nothing_is_sent() {
    let sandbox = Sandbox::start();
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_API_ENDPOINT", &sandbox.url);
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{}}\n{}",
        required_providers(),
        issuer_lookup()
    ));
    let out = ws.plan().failure();
    assert!(
        out.contains("COREWEAVE_API_TOKEN"),
        "the error says how to provide the token: {out}"
    );
    assert!(
        sandbox.requests().is_empty(),
        "no request without a token: {:?}",
        sandbox.requests()
    );
}

#[test]
fn environment_alone_configures_the_provider() {
    let sandbox = Sandbox::start();
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_API_ENDPOINT", &sandbox.url)
        .env("COREWEAVE_API_TOKEN", TOKEN);
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{}}\n{}",
        required_providers(),
        issuer_lookup()
    ));
    let run = ws.apply();
    assert_eq!(ws.outputs()["zone"], "US-EAST-04A");
    assert!(
        !run.output().contains(TOKEN) && !ws.raw_state().contains(TOKEN),
        "the token never reaches output or state"
    );
}

#[test]
fn block_settings_win_over_the_environment() {
    let sandbox = Sandbox::start();
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_API_ENDPOINT", "https://unreachable.invalid")
        .env("COREWEAVE_API_TOKEN", "wrong-token");
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  token = \"{TOKEN}\"\n}}\n{}",
        required_providers(),
        sandbox.url,
        issuer_lookup()
    ));
    ws.apply();
    assert!(
        sandbox.requests().iter().all(|r| r.status == 200),
        "{:?}",
        sandbox.requests()
    );
}

#[test]
fn bad_endpoint_from_the_environment_names_the_variable() {
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_API_ENDPOINT", "http://api.example.com")
        .env("COREWEAVE_API_TOKEN", TOKEN);
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{}}\n{}",
        required_providers(),
        issuer_lookup()
    ));
    let out = ws.plan().failure();
    assert!(
        out.contains("COREWEAVE_API_ENDPOINT (environment)"),
        "{out}"
    );
}

#[test]
fn a_wrong_token_gives_the_servers_unauthenticated_error_and_names_where_to_fix_it() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  token = \"not-the-token\"\n}}\n{}",
        required_providers(),
        sandbox.url,
        issuer_lookup()
    ));
    let out = ws.plan().failure();
    assert!(out.to_lowercase().contains("unauthenticated"), "{out}");
    assert!(
        out.contains(
            "the CoreWeave API refused the API token: check `token` in the provider block or the COREWEAVE_API_TOKEN environment variable"
        ),
        "{out}"
    );
    assert!(
        !out.contains("not-the-token"),
        "the token never appears in output: {out}"
    );
}
