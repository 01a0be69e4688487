use super::*;
use serde_json::json;

fn oidc(issuer: &str) -> Oidc {
    Oidc {
        issuer_url: issuer.into(),
        client_id: "kubernetes".into(),
        ..Oidc::default()
    }
}

fn fields(v: &[FieldViolation]) -> Vec<&str> {
    v.iter().map(|v| v.field.as_str()).collect()
}

#[test]
fn issuer_url_must_be_https_without_trailing_slash_query_or_fragment() {
    for bad in [
        "http://idp.example.com",
        "https://idp.example.com/",
        "https://idp.example.com?a=1",
        "https://idp.example.com#x",
        "https://",
    ] {
        assert_eq!(
            fields(&oidc(bad).violations("oidc")),
            ["oidc.issuerUrl"],
            "{bad}"
        );
    }
    assert!(oidc("https://idp.example.com/realms/x")
        .violations("oidc")
        .is_empty());
}

#[test]
fn client_id_is_required() {
    let o = Oidc {
        client_id: String::new(),
        ..oidc("https://idp.example.com")
    };
    assert_eq!(fields(&o.violations("oidc")), ["oidc.clientId"]);
}

#[test]
fn ca_must_be_base64_of_a_pem_certificate() {
    let mut o = oidc("https://idp.example.com");
    o.ca = "bm90IGEgY2VydA==".into();
    assert_eq!(fields(&o.violations("oidc")), ["oidc.ca"]);
    o.ca = "-----BEGIN CERTIFICATE-----".into();
    assert_eq!(fields(&o.violations("oidc")), ["oidc.ca"]);
    o.ca = base64::engine::general_purpose::STANDARD
        .encode("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    assert!(o.violations("oidc").is_empty());
}

#[test]
fn a_bare_rs256_is_not_a_signing_algorithm() {
    let input: OidcInput =
        serde_json::from_value(json!({"signingAlgorithms": ["SIGNING_ALGORITHM_RS256", "RS256"]}))
            .unwrap();
    assert_eq!(
        fields(&input.enum_violations("oidc")),
        ["oidc.signingAlgorithms[1]"]
    );
}
