use super::*;

#[test]
fn issuer_urls_must_be_https_without_trailing_slash_query_or_fragment() {
    assert!(issuer_url("https://accounts.google.com", Scheme::HttpsOnly).is_ok());
    assert!(issuer_url(
        "https://login.microsoftonline.com/t/v2.0",
        Scheme::HttpsOnly
    )
    .is_ok());
    assert!(issuer_url("https://oidc.example.com:8443/id/x", Scheme::HttpsOnly).is_ok());
    for bad in [
        "http://accounts.google.com",
        "https://accounts.google.com/",
        "https://a.example.com?x=1",
        "https://a.example.com#f",
        "https://u:p@a.example.com",
        "accounts.google.com",
        "",
    ] {
        assert!(issuer_url(bad, Scheme::HttpsOnly).is_err(), "{bad}");
    }
}

#[test]
fn loopback_http_issuers_are_accepted_only_when_allowed() {
    for url in [
        "http://127.0.0.1:8080/id/x",
        "http://localhost",
        "http://[::1]:1",
    ] {
        assert!(
            issuer_url(url, Scheme::HttpsOrLoopbackHttp).is_ok(),
            "{url}"
        );
        assert!(issuer_url(url, Scheme::HttpsOnly).is_err(), "{url}");
    }
    assert!(issuer_url("http://10.0.0.1", Scheme::HttpsOrLoopbackHttp).is_err());
}

#[test]
fn trailing_slash_message_suggests_the_fixed_url() {
    let e = issuer_url("https://a.example.com/", Scheme::HttpsOnly).unwrap_err();
    assert!(e.contains("\"https://a.example.com\""), "{e}");
}

#[test]
fn kubernetes_names_follow_dns_1123() {
    assert!(dns1123_label("default").is_ok());
    assert!(dns1123_label("kube-system").is_ok());
    assert!(dns1123_label(&"a".repeat(63)).is_ok());
    for bad in ["", "Default", "-a", "a-", "a_b", "a.b", &"a".repeat(64)] {
        assert!(dns1123_label(bad).is_err(), "{bad}");
    }
    assert!(dns1123_subdomain("my-sa.v2").is_ok());
    for bad in ["", "My-SA", "a..b", ".a", "a:b", &"a".repeat(254)] {
        assert!(dns1123_subdomain(bad).is_err(), "{bad}");
    }
}

#[test]
fn required_claims_are_key_equals_value() {
    for ok in ["", "hd=example.com", "tenant=a=b"] {
        assert_eq!(required_claim(ok), Ok(()), "{ok}");
    }
    for bad in ["tenant", "=x", "tenant=", " = "] {
        assert!(
            required_claim(bad).unwrap_err().contains("key=value"),
            "{bad}"
        );
    }
    assert!(required_claim("tenant")
        .unwrap_err()
        .contains("\"tenant=<value>\""));
}

#[test]
fn bucket_names_follow_coreweave_naming_rules() {
    for ok in [
        "abc",
        "my-bucket-01",
        "0ab",
        &"a".repeat(63),
        "intake",
        "cwa-x",
    ] {
        assert_eq!(bucket_name(ok), Ok(()), "{ok}");
    }
    for (bad, why) in [
        ("ab", "3 to 63"),
        (&"a".repeat(64) as &str, "3 to 63"),
        ("Bucket-a", "lowercase"),
        ("my.bucket", "dots"),
        ("192.168.1.1", "dots"),
        ("bucket_a", "only lowercase letters"),
        ("-abc", "start and end"),
        ("abc-", "start and end"),
        ("xn--abc", "xn--"),
        ("cw-data", "reserved"),
        ("vip-data", "reserved"),
        ("log-stitcher-ch-1", "reserved"),
        ("int", "reserved"),
    ] {
        let e = bucket_name(bad).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
    }
}

#[test]
fn lengths_are_counted_in_characters() {
    assert!(length("é", 1, 1).is_ok());
    assert_eq!(length("", 1, 5).unwrap_err(), "must not be empty");
    assert!(length("abcdef", 1, 5).unwrap_err().contains("at most 5"));
}

const PEM: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Vy\n-----END CERTIFICATE-----\n";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn ca_must_be_base64_of_pem_certificates() {
    assert!(base64_pem_certificates(&b64(PEM)).is_ok());
    assert!(base64_pem_certificates(&b64(&format!("{PEM}{PEM}"))).is_ok());
    assert!(base64_pem_certificates(PEM).unwrap_err().contains("base64"));
    assert!(base64_pem_certificates(&b64("hello"))
        .unwrap_err()
        .contains("at least one PEM"));
    let truncated = b64("-----BEGIN CERTIFICATE-----\nMIIB\n");
    assert!(base64_pem_certificates(&truncated)
        .unwrap_err()
        .contains("END CERTIFICATE"));
    let not_b64_body = b64("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");
    assert!(base64_pem_certificates(&not_b64_body).is_err());
}
