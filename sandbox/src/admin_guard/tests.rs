use axum::http::HeaderValue;

use super::*;

fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn loopback_hosts_pass_and_other_hosts_are_refused_while_the_api_is_open() {
    for host in [
        "127.0.0.1:8089",
        "127.8.9.1",
        "localhost:8089",
        "LOCALHOST",
        "[::1]:8089",
    ] {
        let h = headers(&[(header::HOST, host)]);
        assert_eq!(check(&Method::GET, &h, true), Ok(()), "{host}");
    }
    for host in [
        "evil.example:8089",
        "10.0.0.1:8089",
        "localhost.evil.example",
        "[::2]:1",
    ] {
        let h = headers(&[(header::HOST, host)]);
        assert_eq!(
            check(&Method::GET, &h, true),
            Err(Refusal::ForeignHost(host.into())),
            "{host}"
        );
        assert_eq!(
            check(&Method::GET, &h, false),
            Ok(()),
            "token-guarded: {host}"
        );
    }
    assert_eq!(check(&Method::GET, &HeaderMap::new(), true), Ok(()));
}

#[test]
fn only_the_sandbox_s_own_origin_passes() {
    let own = headers(&[
        (header::HOST, "127.0.0.1:8089"),
        (header::ORIGIN, "http://127.0.0.1:8089"),
    ]);
    assert_eq!(check(&Method::GET, &own, true), Ok(()));
    for origin in ["https://evil.example", "null", "http://127.0.0.1:3000"] {
        let h = headers(&[(header::HOST, "127.0.0.1:8089"), (header::ORIGIN, origin)]);
        assert_eq!(
            check(&Method::GET, &h, false),
            Err(Refusal::ForeignOrigin(origin.into())),
            "{origin}"
        );
    }
}

#[test]
fn bodies_must_be_declared_json() {
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ] {
        let h = headers(&[(header::CONTENT_TYPE, ct)]);
        assert_eq!(check(&Method::POST, &h, true), Ok(()), "{ct}");
    }
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let h = headers(&[(header::CONTENT_TYPE, ct)]);
        assert_eq!(
            check(&Method::PUT, &h, true),
            Err(Refusal::NotJson(ct.into())),
            "{ct}"
        );
    }
    assert!(check(&Method::POST, &HeaderMap::new(), true).is_err());
    assert_eq!(check(&Method::DELETE, &HeaderMap::new(), true), Ok(()));
}
