use super::*;

fn config(name: &str, issuer: &str, audience: &str) -> OidcConfig {
    OidcConfig {
        uid: "u".into(),
        org_uid: "o".into(),
        name: name.into(),
        description: None,
        issuer_url: issuer.into(),
        audience: audience.into(),
        created_at: "2025-01-01T00:00:00Z".into(),
        updated_at: "2025-01-01T00:00:00Z".into(),
        deactivated_at: None,
    }
}

fn fields(c: &OidcConfig) -> Vec<String> {
    c.violations().into_iter().map(|v| v.field).collect()
}

#[test]
fn a_valid_config_has_no_violations() {
    assert!(fields(&config("a_b-1", "https://app.terraform.io", "aud")).is_empty());
}

#[test]
fn name_must_match_the_pattern() {
    assert_eq!(fields(&config("a b", "https://x.io", "aud")), ["name"]);
    assert_eq!(fields(&config("", "https://x.io", "aud")), ["name"]);
    assert_eq!(
        fields(&config(&"n".repeat(256), "https://x.io", "aud")),
        ["name"]
    );
}

#[test]
fn http_is_allowed_only_for_loopback_issuers() {
    for ok in [
        "http://localhost:8080",
        "http://127.0.0.1/x",
        "http://[::1]:9",
    ] {
        assert!(fields(&config("n", ok, "aud")).is_empty(), "{ok}");
    }
    assert_eq!(
        fields(&config("n", "http://example.com", "aud")),
        ["issuer_url"]
    );
}

#[test]
fn issuer_must_not_end_with_a_slash() {
    assert_eq!(fields(&config("n", "https://x.io/", "aud")), ["issuer_url"]);
}

#[test]
fn audience_and_description_lengths_are_limited() {
    assert_eq!(fields(&config("n", "https://x.io", "")), ["audience"]);
    let mut c = config("n", "https://x.io", "aud");
    c.description = Some("d".repeat(1025));
    assert_eq!(fields(&c), ["description"]);
}

#[test]
fn json_omits_unset_description_and_deactivated_at() {
    let v = config("n", "https://x.io", "aud").to_json();
    assert!(v.get("description").is_none() && v.get("deactivatedAt").is_none());
    assert_eq!(v["issuerUrl"], "https://x.io");
}
