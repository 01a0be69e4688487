//! Data source `coreweave_object_storage_wif_config`.

use crate::support::{Sandbox, Workspace};

const ISSUER: &str = "https://token.actions.example.com";

fn lookup(name: &str, by: &str) -> String {
    format!(
        "data \"coreweave_object_storage_wif_config\" \"{name}\" {{\n  {by}\n}}\noutput \"{name}\" {{ value = data.coreweave_object_storage_wif_config.{name} }}\n"
    )
}

#[test]
fn lookups_by_id_and_by_pair_agree_with_the_resource() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let config = format!(
        r#"
resource "coreweave_object_storage_wif_config" "ci" {{
  name        = "ci"
  issuer_url  = "{ISSUER}"
  audience    = "https://coreweave.com/iam"
  description = "CI runners"
  active      = false
}}
{by_id}{by_pair}"#,
        by_id = lookup("by_id", "id = coreweave_object_storage_wif_config.ci.id"),
        by_pair = lookup(
            "by_pair",
            "issuer_url = coreweave_object_storage_wif_config.ci.issuer_url\n  audience = coreweave_object_storage_wif_config.ci.audience"
        ),
    );
    ws.write(&sandbox, &config);
    ws.apply();
    let resource = ws.state_of("coreweave_object_storage_wif_config.ci");
    let outputs = ws.outputs();
    for lookup in ["by_id", "by_pair"] {
        let found = &outputs[lookup];
        for attribute in [
            "id",
            "org_id",
            "name",
            "description",
            "issuer_url",
            "audience",
            "active",
            "created_at",
            "updated_at",
        ] {
            assert_eq!(
                found[attribute], resource[attribute],
                "{lookup}.{attribute}"
            );
        }
        let remote = &sandbox.state()["oidcConfigs"][0];
        assert_eq!(found["deactivated_at"], remote["deactivatedAt"], "{lookup}");
        assert!(found["deactivated_at"].is_string());
    }
    ws.assert_no_changes();
    ws.destroy();
}

#[test]
fn a_lookup_that_matches_nothing_names_what_exists() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write(
        &sandbox,
        "resource \"coreweave_object_storage_wif_config\" \"ci\" {\n  name = \"ci\"\n  issuer_url = \"https://token.actions.example.com\"\n  audience = \"a\"\n}\n",
    );
    ws.apply();
    for (by, expected) in [
        (
            "id = \"does-not-exist\"".to_string(),
            "No workload identity federation config has the id \"does-not-exist\"",
        ),
        (
            format!("issuer_url = \"{ISSUER}\"\n  audience = \"b\""),
            "configs with this issuer URL have the audiences [\"a\"]",
        ),
        (
            "issuer_url = \"https://elsewhere.example.com\"\n  audience = \"a\"".to_string(),
            "no config has this issuer URL",
        ),
    ] {
        let other = Workspace::new();
        other.write(&sandbox, &lookup("x", &by));
        let out = other.plan().failure();
        assert!(out.contains("OIDC Configuration Not Found"), "{out}");
        assert!(out.contains(expected), "{by}: {out}");
    }
    ws.destroy();
}

#[test]
fn selector_errors_fail_at_validate_without_requests() {
    let sandbox = Sandbox::start();
    for (by, expected) in [
        ("", "none is set"),
        ("id = \"u\"\n  audience = \"a\"", "not both"),
        (
            "issuer_url = \"https://i.example.com\"",
            "`audience` is required with `issuer_url`",
        ),
        (
            "audience = \"a\"",
            "`issuer_url` is required with `audience`",
        ),
    ] {
        let ws = Workspace::new();
        ws.write(&sandbox, &lookup("x", by));
        let out = ws.validate().failure();
        assert!(out.contains("Invalid OIDC Configuration Selector"), "{out}");
        assert!(out.contains(expected), "{by}: {out}");
    }
    assert_eq!(sandbox.requests(), Vec::new());
}
