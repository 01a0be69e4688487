use super::*;
use std::collections::HashMap;

struct FakeEnv(HashMap<&'static str, &'static str>);
impl Environment for FakeEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.to_string())
    }
}

fn unset() -> RawSettings {
    RawSettings {
        token: Input::Unset,
        authentication: Input::Unset,
        endpoint: Input::Unset,
        s3_endpoint: Input::Unset,
        oidc_issuer_base_url: Input::Unset,
        request_timeout_seconds: Input::Unset,
        max_retries: Input::Unset,
    }
}

fn env(pairs: &[(&'static str, &'static str)]) -> FakeEnv {
    FakeEnv(pairs.iter().copied().collect())
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let s = resolve(&unset(), &env(&[])).unwrap();
    assert_eq!(s.token, None);
    assert_eq!(s.endpoint.as_str(), "https://api.coreweave.com/");
    assert_eq!(s.s3_endpoint.as_str(), "https://cwobject.com/");
    assert_eq!(s.oidc_issuer_base_url, "https://oidc.cks.coreweave.com");
    assert_eq!(s.request_timeout, Duration::from_secs(30));
    assert_eq!(s.max_retries, 8);
}

#[test]
fn environment_fills_unset_settings() {
    let e = env(&[
        (ENV_TOKEN, "env-token"),
        (ENV_ENDPOINT, "http://127.0.0.1:9999"),
        (ENV_OIDC_ISSUER_BASE_URL, "http://localhost:9999/"),
    ]);
    let s = resolve(&unset(), &e).unwrap();
    assert_eq!(s.token.as_ref().map(ApiToken::expose), Some("env-token"));
    assert_eq!(s.endpoint.as_str(), "http://127.0.0.1:9999/");
    assert_eq!(s.oidc_issuer_base_url, "http://localhost:9999");
}

#[test]
fn configuration_wins_over_environment() {
    let mut raw = unset();
    raw.token = Input::Set("block-token".to_string().into());
    raw.endpoint = Input::Set("https://api.example.com".into());
    let e = env(&[(ENV_TOKEN, "env-token"), (ENV_ENDPOINT, "https://other")]);
    let s = resolve(&raw, &e).unwrap();
    assert_eq!(s.token.as_ref().map(ApiToken::expose), Some("block-token"));
    assert_eq!(s.endpoint.host_str(), Some("api.example.com"));
}

#[test]
fn plain_http_is_refused_for_remote_hosts() {
    let mut raw = unset();
    raw.endpoint = Input::Set("http://api.coreweave.com".into());
    let errors = validate_configured(&raw);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].attribute, "endpoint");
    assert!(errors[0].detail.contains("https://"), "{:?}", errors[0]);
}

#[test]
fn plain_http_is_allowed_for_every_loopback_form() {
    for url in [
        "http://127.0.0.1:1",
        "http://localhost",
        "http://[::1]:8080",
        "http://127.8.9.1",
    ] {
        assert!(parse_endpoint("endpoint", url).is_ok(), "{url}");
    }
}

#[test]
fn endpoint_errors_name_the_environment_variable_they_came_from() {
    let errors = resolve(&unset(), &env(&[(ENV_ENDPOINT, "ftp://x")])).unwrap_err();
    assert_eq!(errors[0].attribute, "endpoint");
    assert!(errors[0].detail.contains(ENV_ENDPOINT), "{:?}", errors[0]);
}

#[test]
fn malformed_urls_and_urls_with_credentials_are_refused() {
    for url in [
        "api.coreweave.com",
        "https://user:pw@api.coreweave.com",
        "https://a/?x=1",
        "",
    ] {
        assert!(parse_endpoint("endpoint", url).is_err(), "{url}");
    }
    for url in [
        "https://user:pw@api.coreweave.com",
        "ftp://user:pw@api.coreweave.com",
        "user:pw@api.coreweave.com",
    ] {
        let error = parse_endpoint("endpoint", url).unwrap_err();
        assert!(!error.detail.contains("pw"), "{url}: {}", error.detail);
        assert!(!error.detail.contains("user"), "{url}: {}", error.detail);
        assert!(
            error.detail.contains("***@api.coreweave.com"),
            "{url}: {}",
            error.detail
        );
    }
}

#[test]
fn out_of_range_numbers_are_refused_on_their_attribute() {
    let mut raw = unset();
    raw.request_timeout_seconds = Input::Set(0);
    raw.max_retries = Input::Set(-1);
    let attrs: Vec<_> = validate_configured(&raw)
        .iter()
        .map(|e| e.attribute)
        .collect();
    assert_eq!(attrs, ["request_timeout_seconds", "max_retries"]);
}

#[test]
fn empty_or_multiline_token_is_refused() {
    for t in ["", "  ", "abc\n"] {
        let mut raw = unset();
        raw.token = Input::Set(t.to_string().into());
        assert_eq!(validate_configured(&raw)[0].attribute, "token", "{t:?}");
    }
}

#[test]
fn unknown_values_are_refused_at_configure_time_only() {
    let mut raw = unset();
    raw.endpoint = Input::Unknown;
    assert!(validate_configured(&raw).is_empty());
    let errors = resolve(&raw, &env(&[])).unwrap_err();
    assert_eq!(errors[0].attribute, "endpoint");
}

#[test]
fn workload_identity_ignores_the_token_variable_and_refuses_a_token_in_the_block() {
    let mut raw = unset();
    raw.authentication = Input::Set(Some(" sa-1 ".into()));
    let s = resolve(&raw, &env(&[(ENV_TOKEN, "env-token")])).unwrap();
    assert_eq!(s.workload_identity.as_deref(), Some("sa-1"));
    assert_eq!(s.token, None);

    raw.token = Input::Set("block-token".to_string().into());
    let errors = validate_configured(&raw);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].attribute, "authentication");
    assert_eq!(errors[0].summary, "Invalid Attribute Combination");
    raw.token = Input::Unknown;
    assert_eq!(
        validate_configured(&raw)[0].summary,
        "Invalid Attribute Combination"
    );
}

#[test]
fn authentication_without_a_service_account_is_refused() {
    for authentication in [None, Some("".to_string()), Some("  ".to_string())] {
        let mut raw = unset();
        raw.authentication = Input::Set(authentication.clone());
        let errors = resolve(&raw, &env(&[])).unwrap_err();
        assert_eq!(errors[0].attribute, "authentication", "{authentication:?}");
    }
    let mut raw = unset();
    raw.authentication = Input::Unknown;
    assert!(validate_configured(&raw).is_empty());
    assert_eq!(
        resolve(&raw, &env(&[])).unwrap_err()[0].attribute,
        "authentication"
    );
}

#[test]
fn debug_output_never_shows_the_token() {
    let mut raw = unset();
    raw.token = Input::Set("s3cr3t-value".to_string().into());
    let s = resolve(&raw, &env(&[])).unwrap();
    assert!(!format!("{s:?}").contains("s3cr3t"));
}

#[test]
fn the_s3_endpoint_comes_from_the_block_the_environment_or_the_default() {
    let e = env(&[(ENV_S3_ENDPOINT, "http://127.0.0.1:9000")]);
    assert_eq!(
        resolve(&unset(), &e).unwrap().s3_endpoint.as_str(),
        "http://127.0.0.1:9000/"
    );
    let mut raw = unset();
    raw.s3_endpoint = Input::Set("https://s3.example.com".into());
    assert_eq!(
        resolve(&raw, &e).unwrap().s3_endpoint.host_str(),
        Some("s3.example.com")
    );
}

#[test]
fn the_s3_endpoint_is_https_or_loopback_and_has_no_path() {
    for (value, says) in [
        (
            "http://cwlota.com",
            "plain http:// is allowed only for a loopback host",
        ),
        ("https://cwobject.com/prefix", "without a path"),
        ("cwobject.com", "absolute URL"),
    ] {
        let mut raw = unset();
        raw.s3_endpoint = Input::Set(value.into());
        let errors = validate_configured(&raw);
        assert_eq!(errors.len(), 1, "{value}");
        assert_eq!(errors[0].attribute, "s3_endpoint");
        assert!(errors[0].detail.contains(says), "{value}: {:?}", errors[0]);
    }
    let errors = resolve(&unset(), &env(&[(ENV_S3_ENDPOINT, "http://cwlota.com")])).unwrap_err();
    assert!(
        errors[0]
            .detail
            .contains("COREWEAVE_S3_ENDPOINT (environment)"),
        "{errors:?}"
    );
}
