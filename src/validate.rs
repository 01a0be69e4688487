//! Validators shared by resources, data sources and functions. Each returns a message that
//! says what is allowed, for use in a diagnostic on the offending attribute.

use base64::Engine;
use url::Url;

use crate::api::endpoint::is_loopback_host;

/// Whether plain `http://` is accepted for a loopback host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `https://` only.
    HttpsOnly,
    /// `https://`, or `http://` for `localhost`, `127.0.0.0/8` and `[::1]`.
    HttpsOrLoopbackHttp,
}

/// Checks an OIDC issuer URL: absolute, https (see [`Scheme`]), a host, no credentials, no
/// query or fragment, no trailing slash (token `iss` claims are compared byte for byte).
pub fn issuer_url(value: &str, scheme: Scheme) -> Result<(), String> {
    let url = Url::parse(value).map_err(|e| {
        format!(
            "must be an absolute URL such as \"https://issuer.example.com\" ({e}); got {value:?}"
        )
    })?;
    let loopback_ok = scheme == Scheme::HttpsOrLoopbackHttp && is_loopback_host(url.host());
    match url.scheme() {
        "https" => {}
        "http" if loopback_ok => {}
        other => {
            let allowed = match scheme {
                Scheme::HttpsOnly => "https://",
                Scheme::HttpsOrLoopbackHttp => "https:// (http:// only for a loopback host)",
            };
            return Err(format!("must use {allowed}, not {other}://; got {value:?}"));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("must have a host; got {value:?}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("must not contain credentials; got {value:?}"));
    }
    if url.query().is_some() || value.contains('?') {
        return Err(format!("must not have a query string; got {value:?}"));
    }
    if url.fragment().is_some() || value.contains('#') {
        return Err(format!("must not have a fragment; got {value:?}"));
    }
    if value.ends_with('/') {
        return Err(format!(
            "must not end with a slash: the token's `iss` claim is compared exactly; use {:?}",
            value.trim_end_matches('/')
        ));
    }
    Ok(())
}

/// Checks a Kubernetes DNS-1123 label (namespaces): 1-63 of `[a-z0-9-]`, alphanumeric at both ends.
///
/// ```
/// use terraform_provider_coreweave::validate::dns1123_label;
///
/// assert!(dns1123_label("kube-system").is_ok());
/// assert!(dns1123_label("kube_system").is_err());
/// ```
pub fn dns1123_label(value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be a DNS-1123 label: 1 to 63 lowercase letters, digits or '-', starting and ending \
             with a letter or digit; got {value:?}"
        ))
    }
}

/// Checks a Kubernetes DNS-1123 subdomain (service accounts): at most 253 characters, labels of
/// `[a-z0-9-]` separated by dots.
pub fn dns1123_subdomain(value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| dns1123_label(label).is_ok());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, '-' \
             and '.', each part starting and ending with a letter or digit; got {value:?}"
        ))
    }
}

/// Checks an OIDC required claim: `""` (none) or `key=value` with a non-empty key and value,
/// split at the first `=` as the Kubernetes API server's `--oidc-required-claim` flag does.
pub fn required_claim(value: &str) -> Result<(), String> {
    match value.split_once('=') {
        _ if value.is_empty() => Ok(()),
        Some((key, claim)) if !key.trim().is_empty() && !claim.trim().is_empty() => Ok(()),
        Some(_) => Err(format!(
            "must be `key=value` with a non-empty claim name and value, e.g. \"hd=example.com\"; got {value:?}"
        )),
        None => Err(format!(
            "must be `key=value`, the claim name and the value it must have, e.g. \"{value}=<value>\"; got {value:?}"
        )),
    }
}

/// Bucket-name prefixes CoreWeave reserves for internal use.
const RESERVED_BUCKET_PREFIXES: &[&str] = &["cw-", "vip-", "log-stitcher-ch-"];

/// Checks an AI Object Storage bucket name. The rules are CoreWeave's, which are stricter than
/// AWS S3's (no dots, so never an IP address): "Bucket naming rules" in the CoreWeave docs,
/// products/storage/object-storage/buckets/about — 3 to 63 characters of `a-z`, `0-9` and `-`,
/// a letter or digit at both ends, not starting with `xn--`, not starting with the reserved
/// `cw-`, `vip-` or `log-stitcher-ch-`, and not exactly `int`.
///
/// ```
/// use terraform_provider_coreweave::validate::bucket_name;
///
/// assert!(bucket_name("training-data").is_ok());
/// assert!(bucket_name("cw-data").unwrap_err().contains("reserved"));
/// ```
pub fn bucket_name(value: &str) -> Result<(), String> {
    let why = if !(3..=63).contains(&value.chars().count()) {
        "must have 3 to 63 characters"
    } else if value.chars().any(|c| c.is_ascii_uppercase()) {
        "must be lowercase"
    } else if value.contains('.') {
        "must not contain dots (AI Object Storage bucket names have none)"
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        "may contain only lowercase letters, digits and '-'"
    } else if value.starts_with('-') || value.ends_with('-') {
        "must start and end with a letter or digit"
    } else if value.starts_with("xn--") {
        "must not start with \"xn--\""
    } else if value == "int"
        || RESERVED_BUCKET_PREFIXES
            .iter()
            .any(|p| value.starts_with(p))
    {
        "is reserved by CoreWeave (\"int\" and names starting with \"cw-\", \"vip-\" or \"log-stitcher-ch-\")"
    } else {
        return Ok(());
    };
    Err(format!(
        "{why} (bucket names are 3 to 63 lowercase letters, digits or '-', starting and ending \
         with a letter or digit)"
    ))
}

/// Checks a value's length in characters against `min..=max`.
pub fn length(value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n < min {
        Err(if min == 1 {
            "must not be empty".to_string()
        } else {
            format!("must have at least {min} characters; got {n}")
        })
    } else if n > max {
        Err(format!("must have at most {max} characters; got {n}"))
    } else {
        Ok(())
    }
}

/// Checks that a value is base64 of one or more PEM `CERTIFICATE` blocks.
pub fn base64_pem_certificates(value: &str) -> Result<(), String> {
    let engine = base64::engine::general_purpose::STANDARD;
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let decoded = engine.decode(compact.as_bytes()).map_err(|e| {
        format!("must be base64-encoded PEM (for example `filebase64(\"ca.pem\")`); base64 decoding failed: {e}")
    })?;
    let text = String::from_utf8(decoded).map_err(|_| {
        "must be base64 of a PEM text file; the decoded bytes are not text (DER?)".to_string()
    })?;
    let mut found = 0;
    let mut rest = text.as_str();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body_start = start + "-----BEGIN CERTIFICATE-----".len();
        let Some(end) = rest[body_start..].find("-----END CERTIFICATE-----") else {
            return Err("has a BEGIN CERTIFICATE line without its END CERTIFICATE line".into());
        };
        let body: String = rest[body_start..body_start + end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if body.is_empty() || engine.decode(body.as_bytes()).is_err() {
            return Err(format!(
                "certificate #{} is not valid base64 between its PEM lines",
                found + 1
            ));
        }
        found += 1;
        rest = &rest[body_start + end + "-----END CERTIFICATE-----".len()..];
    }
    if found == 0 {
        return Err("must contain at least one PEM certificate (-----BEGIN CERTIFICATE-----) after base64 decoding".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
