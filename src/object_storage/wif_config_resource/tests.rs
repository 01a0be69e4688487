use super::*;

fn state() -> WifConfigState {
    WifConfigState {
        id: Value::Value("u1".into()),
        name: Value::Value("cks".into()),
        issuer_url: Value::Value("https://oidc.cks.coreweave.com/id/abc".into()),
        audience: Value::Value("https://oidc.cks.coreweave.com/id/abc".into()),
        active: Value::Value(true),
        ..Default::default()
    }
}

#[test]
fn state_converts_to_the_clients_spec() {
    let mut s = state();
    s.description = Value::Value(String::new());
    s.active = Value::Null;
    let spec = s.spec();
    assert_eq!(spec.description, None, "\"\" is no description");
    assert!(spec.active, "active by default");
    assert_eq!(spec.name, "cks");
}

#[test]
fn validation_covers_name_issuer_audience_and_lengths() {
    let mut s = state();
    s.name = Value::Value("has space".into());
    s.issuer_url = Value::Value("http://oidc.example.com".into());
    s.audience = Value::Value(String::new());
    s.description = Value::Value("x".repeat(1025));
    let mut diags = Diagnostics::default();
    assert!(!check(&mut diags, &s));
    let attrs: Vec<_> = diags
        .errors
        .iter()
        .map(|d| d.detail.split('`').nth(1).unwrap_or("").to_string())
        .collect();
    assert_eq!(attrs, ["name", "issuer_url", "audience", "description"]);
}

#[test]
fn loopback_http_issuers_are_allowed() {
    let mut s = state();
    s.issuer_url = Value::Value("http://127.0.0.1:8080/id/abc".into());
    assert!(check(&mut Diagnostics::default(), &s));
}
