//! The endpoint rule: where the API token may go. `https://`, or plain `http://` to a loopback
//! host only; redirects only within the endpoint's origin.

use url::{Host, Url};

/// Most redirects followed (and only within the endpoint's scheme, host and port).
const MAX_REDIRECTS: usize = 5;

/// True when `host` is a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`): the one place
/// that decides where plain `http://` may carry the token.
pub fn is_loopback_host(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why a URL cannot be the API endpoint (or another base URL the token may be sent to).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Neither `https` nor `http`.
    #[error("must use https://, not {0}://")]
    Scheme(String),
    /// Plain `http` to a host that is not loopback.
    #[error("must use https://; plain http:// is allowed only for a loopback host (localhost, 127.0.0.1, [::1]) so that the API token never crosses a network in clear text")]
    PlainHttp,
    /// No host.
    #[error("has no host")]
    NoHost,
    /// A user name or password in the URL.
    #[error("must not carry credentials; use `token`")]
    Credentials,
    /// A query or fragment.
    #[error("must not have a query or fragment")]
    QueryOrFragment,
}

/// The one endpoint check: `https://` (or `http://` to a loopback host), a host, no
/// credentials, no query or fragment.
pub fn check_endpoint(url: &Url) -> Result<(), EndpointError> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(url.host()) => {}
        "http" => return Err(EndpointError::PlainHttp),
        other => return Err(EndpointError::Scheme(other.to_string())),
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(EndpointError::NoHost);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::Credentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointError::QueryOrFragment);
    }
    Ok(())
}

/// `url` as `scheme://host:port[/prefix]`, the port always shown (the default one too) and
/// no trailing slash: what an error about reaching the endpoint names.
pub fn endpoint_label(url: &Url) -> String {
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(host) => host.to_string(),
        None => String::new(),
    };
    let port = url
        .port_or_known_default()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    format!("{}://{host}{port}{path}", url.scheme())
}

/// `value` with the user name and password of a URL (`https://user:pass@host`) replaced by
/// `***`, also when the rest does not parse: what a message may echo of a configured URL.
pub fn without_credentials(value: &str) -> String {
    // Without `://`, a `user:pass@host` typed without a scheme.
    let scheme_end = value.find("://").map_or(0, |i| i + 3);
    let rest = &value[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &value[..scheme_end], &rest[at..]),
        None => value.to_string(),
    }
}

/// Follows at most [`MAX_REDIRECTS`] redirects, and only to the same scheme, host and port;
/// otherwise the 3xx answer itself is returned (and reported as unexpected).
pub(super) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for (url, loopback) in [
            ("http://localhost:8080", true),
            ("http://LOCALHOST", true),
            ("http://127.0.0.1", true),
            ("http://127.8.9.10:1", true),
            ("http://[::1]:99", true),
            ("http://10.0.0.1", false),
            ("http://localhost.example.com", false),
            ("http://api.coreweave.com", false),
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(is_loopback_host(url.host()), loopback, "{url}");
        }
    }

    #[test]
    fn the_label_names_scheme_host_port_and_prefix() {
        for (url, label) in [
            ("https://api.coreweave.com", "https://api.coreweave.com:443"),
            ("http://127.0.0.1:8089/", "http://127.0.0.1:8089"),
            ("https://[::1]:9/prefix/", "https://[::1]:9/prefix"),
        ] {
            assert_eq!(endpoint_label(&Url::parse(url).unwrap()), label, "{url}");
        }
    }

    #[test]
    fn credentials_are_never_echoed() {
        for (value, shown) in [
            (
                "https://user:pass@api.example.com",
                "https://***@api.example.com",
            ),
            (
                "https://pass@api.example.com:8443/p@th",
                "https://***@api.example.com:8443/p@th",
            ),
            (
                "https://a:b@c@api.example.com/x",
                "https://***@api.example.com/x",
            ),
            ("u:p@api.example.com", "***@api.example.com"),
            ("https://api.example.com/a@b", "https://api.example.com/a@b"),
            ("ftp://u:p@h", "ftp://***@h"),
        ] {
            assert_eq!(without_credentials(value), shown, "{value}");
        }
    }
}
