//! Only positive evidence removes an object from state: a 200 answer that is not the documented
//! shape is an error, never "there is nothing" (issue 19, item 4).

use crate::support::loopback::{Behaviour, Loopback};
use crate::support::sandbox::TOKEN;
use crate::support::terraform::required_providers;
use crate::support::{Sandbox, Workspace};

/// A policy and a WIF config, which Terraform reads by listing.
pub(crate) const MANAGED: &str = r#"
resource "coreweave_object_storage_org_policy" "kept" {
  name       = "kept"
  statements = [{ name = "s", effect = "Allow", actions = ["s3:GetObject"], resources = ["bkt/*"], principals = ["*"] }]
}

resource "coreweave_object_storage_wif_config" "kept" {
  name       = "kept"
  issuer_url = "https://issuer.example.com"
  audience   = "aud"
}
"#;

/// `main.tf` with the provider pointed at `endpoint`.
fn configuration(endpoint: &str) -> String {
    format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint    = \"{endpoint}\"\n  token       = \"{TOKEN}\"\n  max_retries = 1\n}}\n{MANAGED}",
        required_providers()
    )
}

/// The malformed 200 answers, each with what the error must say about it.
fn malformed() -> Vec<(Behaviour, &'static str)> {
    vec![
        (
            Behaviour::json(r#"{"items":"not-a-list","policy":42}"#),
            "unknown field `items`",
        ),
        (Behaviour::json(""), "the body is empty"),
        (
            Behaviour::json("[]"),
            "the body is a JSON array, not an object",
        ),
        (
            Behaviour::Reply {
                status: 200,
                content_type: Some("text/html; charset=utf-8"),
                body: "<html><body>Welcome to our proxy</body></html>".into(),
            },
            "the content type is \"text/html; charset=utf-8\", not application/json",
        ),
    ]
}

#[test]
fn malformed_200_answers_fail_plan_refresh_and_apply_and_leave_state_unchanged() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write_raw(&configuration(&sandbox.url));
    ws.apply();
    let before = ws.raw_state();
    assert!(before.contains("\"kept\""), "{before}");

    let server = Loopback::start(Behaviour::Hang);
    ws.write_raw(&configuration(&server.url));
    for (behaviour, says) in malformed() {
        server.set(behaviour.clone());
        let runs = [
            ("plan", ws.plan()),
            ("refresh", ws.apply_args(&["-refresh-only"])),
            ("apply", ws.apply_args(&[])),
        ];
        for (command, run) in runs {
            let out = run.failure();
            assert!(
                out.contains("is not the documented shape"),
                "{command} against {behaviour:?}: {out}"
            );
            assert!(out.contains(says), "{command} against {behaviour:?}: {out}");
            assert!(
                !out.contains("will be created") && !out.contains("Creation complete"),
                "{command} against {behaviour:?} concluded the objects are gone: {out}"
            );
            assert_eq!(
                ws.raw_state(),
                before,
                "{command} against {behaviour:?} changed the state"
            );
        }
    }
    let writes: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| {
            r != "GET /v1/cwobject/access-policy"
                && !r.ends_with("/ListOIDCConfigs")
                && !r.ends_with("/GetOIDCConfig")
        })
        .collect();
    assert_eq!(writes, Vec::<String>::new(), "nothing but reads was sent");
    assert!(!server.requests().is_empty(), "the server was asked");

    // Back on the real API, nothing was lost.
    ws.write_raw(&configuration(&sandbox.url));
    ws.assert_no_changes();
}

/// The policy of [`MANAGED`] alone, which Terraform reads from the policy list.
const POLICY: &str = r#"
resource "coreweave_object_storage_org_policy" "kept" {
  name       = "kept"
  statements = [{ name = "s", effect = "Allow", actions = ["s3:GetObject"], resources = ["bkt/*"], principals = ["*"] }]
}
"#;

/// The policy list holding [`POLICY`] as the API sends it, with `more` fields beside the list.
fn policy_list(more: &str) -> String {
    format!(
        r#"{{"policies":[{{"version":"v1alpha1","name":"kept","statements":[{{"name":"s","effect":"Allow","actions":["s3:GetObject"],"resources":["bkt/*"],"principals":["*"]}}]}}]{more}}}"#
    )
}

#[test]
fn a_field_added_beside_a_list_is_ignored_but_a_page_of_the_list_is_refused() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let with_endpoint = |endpoint: &str| configuration(endpoint).replace(MANAGED, POLICY);
    ws.write_raw(&with_endpoint(&sandbox.url));
    ws.apply();
    let before = ws.raw_state();

    let server = Loopback::start(Behaviour::json(&policy_list(
        r#","totalSize":1,"nextPageToken":"""#,
    )));
    ws.write_raw(&with_endpoint(&server.url));
    ws.assert_no_changes();
    assert_eq!(
        server.requests(),
        ["GET /v1/cwobject/access-policy"],
        "one list read"
    );

    server.set(Behaviour::json(&policy_list(r#","nextPageToken":"p2""#)));
    let run = ws.plan();
    assert_eq!(run.code, 1, "an error, not a plan: {}", run.output());
    let out = run.failure();
    assert!(
        out.contains("it is one page of several (nextPageToken \"p2\")"),
        "{out}"
    );
    assert!(!out.contains("will be created"), "{out}");
    assert_eq!(ws.raw_state(), before, "the state is kept");
}
