//! Where an S3 request goes: virtual-hosted style (`https://<bucket>.<host>/<key>`), as the
//! real endpoint requires, or path style (`http://<host>/<bucket>/<key>`) when the endpoint's
//! host is an IP address or `localhost` (no DNS name can carry the bucket there), as the AWS
//! SDKs do for IP addresses.

use url::{Host, Url};

/// How the endpoint names a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressing {
    endpoint: Url,
    path_style: bool,
}

impl Addressing {
    /// Addressing for `endpoint` (`scheme://host[:port]`, already checked).
    pub fn new(endpoint: &Url) -> Self {
        let path_style = match endpoint.host() {
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) | None => true,
        };
        let mut endpoint = endpoint.clone();
        endpoint.set_path("/");
        Addressing {
            endpoint,
            path_style,
        }
    }

    /// The URL of `bucket` (the service itself when `None`), of `key` in it, with `query`
    /// (`name=value` pairs, `value` empty for a bare `?tagging`).
    pub fn url(&self, bucket: Option<&str>, key: Option<&str>, query: &[(&str, &str)]) -> Url {
        let mut url = self.endpoint.clone();
        if let Some(bucket) = bucket {
            if self.path_style {
                if let Ok(mut path) = url.path_segments_mut() {
                    path.pop_if_empty().push(bucket);
                }
            } else if let Some(host) = url.host_str().map(|host| format!("{bucket}.{host}")) {
                // A bucket name the rules allow is a valid DNS label sequence.
                let _ = url.set_host(Some(&host));
            }
        }
        if let Some(key) = key {
            if let Ok(mut path) = url.path_segments_mut() {
                path.pop_if_empty().extend(key.split('/'));
            }
        } else if bucket.is_some() && self.path_style {
            // `/<bucket>` without a trailing slash, as S3 clients send it.
        } else if url.path().is_empty() {
            url.set_path("/");
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(
        endpoint: &str,
        bucket: Option<&str>,
        key: Option<&str>,
        q: &[(&str, &str)],
    ) -> String {
        Addressing::new(&Url::parse(endpoint).unwrap())
            .url(bucket, key, q)
            .to_string()
    }

    #[test]
    fn a_domain_carries_the_bucket_in_the_host() {
        assert_eq!(
            address(
                "https://cwobject.com",
                Some("my-bucket"),
                None,
                &[("location", "")]
            ),
            "https://my-bucket.cwobject.com/?location="
        );
        assert_eq!(
            address("https://cwobject.com", Some("b.c"), Some("a/b c.txt"), &[]),
            "https://b.c.cwobject.com/a/b%20c.txt"
        );
        assert_eq!(
            address("https://cwobject.com", None, None, &[]),
            "https://cwobject.com/"
        );
    }

    #[test]
    fn an_ip_address_or_localhost_carries_it_in_the_path() {
        assert_eq!(
            address(
                "http://127.0.0.1:9000",
                Some("my-bucket"),
                None,
                &[("tagging", "")]
            ),
            "http://127.0.0.1:9000/my-bucket?tagging="
        );
        assert_eq!(
            address("http://[::1]:9000/", Some("b"), Some("k/x"), &[]),
            "http://[::1]:9000/b/k/x"
        );
        assert_eq!(
            address("http://localhost:9000", Some("b"), None, &[]),
            "http://localhost:9000/b"
        );
        assert_eq!(
            address("http://127.0.0.1:9000", None, None, &[]),
            "http://127.0.0.1:9000/"
        );
    }
}
