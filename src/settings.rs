//! Provider settings: resolution (configuration, then environment, then default) and validation.
//!
//! Everything here is pure so that it is unit-tested without Terraform or a server.

use std::time::Duration;

use url::Url;

use crate::api::endpoint::{check_endpoint, without_credentials, EndpointError};
use crate::api::ApiToken;

/// Environment variable holding the API token.
pub const ENV_TOKEN: &str = "COREWEAVE_API_TOKEN";
/// Environment variable holding the API endpoint.
pub const ENV_ENDPOINT: &str = "COREWEAVE_API_ENDPOINT";
/// Environment variable holding the CI's OIDC token for workload identity authentication.
pub const ENV_WORKLOAD_IDENTITY_TOKEN: &str = "TFC_WORKLOAD_IDENTITY_TOKEN";
/// Environment variable holding AI Object Storage's S3 endpoint.
pub const ENV_S3_ENDPOINT: &str = "COREWEAVE_S3_ENDPOINT";
/// Environment variable holding the base URL of cluster OIDC issuers.
pub const ENV_OIDC_ISSUER_BASE_URL: &str = "COREWEAVE_OIDC_ISSUER_BASE_URL";

/// Default API endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://api.coreweave.com";
/// Default S3 endpoint (from outside CoreWeave; `http://cwlota.com` inside CKS clusters is
/// plain http, so not allowed: only loopback hosts may be).
pub const DEFAULT_S3_ENDPOINT: &str = "https://cwobject.com";
/// Default base URL of the issuers CKS clusters publish (`<base>/id/<cluster id>`).
pub const DEFAULT_OIDC_ISSUER_BASE_URL: &str = "https://oidc.cks.coreweave.com";
/// Default per-request timeout in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: i64 = 30;
/// Default number of retries for retryable failures.
pub const DEFAULT_MAX_RETRIES: i64 = 8;
/// Largest accepted `request_timeout_seconds`.
pub const MAX_REQUEST_TIMEOUT_SECONDS: i64 = 600;
/// Largest accepted `max_retries`.
pub const MAX_MAX_RETRIES: i64 = 30;

/// A provider setting as Terraform hands it over, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<T> {
    /// Set in the provider block.
    Set(T),
    /// Not set in the provider block.
    Unset,
    /// Set to a value that is only known after apply.
    Unknown,
}

/// The raw provider block, as the provider schema defines it.
#[derive(Debug, Clone)]
pub struct RawSettings {
    pub token: Input<ApiToken>,
    /// `authentication`: `Set(Some(uid))` for `workload_identity.service_account_uid`,
    /// `Set(None)` when the block names no service account.
    pub authentication: Input<Option<String>>,
    pub endpoint: Input<String>,
    pub s3_endpoint: Input<String>,
    pub oidc_issuer_base_url: Input<String>,
    pub request_timeout_seconds: Input<i64>,
    pub max_retries: Input<i64>,
}

/// A setting that failed validation, with the attribute it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// Provider attribute name, e.g. `endpoint`.
    pub attribute: &'static str,
    /// Short summary.
    pub summary: String,
    /// What is wrong and how to fix it.
    pub detail: String,
}

/// Fully resolved and validated provider settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The API token, if any (needed only when an API call is made); `None` with workload identity.
    pub token: Option<ApiToken>,
    /// The service account to act as through workload identity (a CI's OIDC token).
    pub workload_identity: Option<String>,
    /// API endpoint without a trailing slash.
    pub endpoint: Url,
    /// AI Object Storage's S3 endpoint (`scheme://host[:port]`).
    pub s3_endpoint: Url,
    /// Base URL of cluster issuers, without a trailing slash.
    pub oidc_issuer_base_url: String,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Retries for retryable failures.
    pub max_retries: u32,
}

/// Reads the environment for the settings that have an environment fallback.
pub trait Environment {
    /// Returns the value of `name`, treating an empty value as unset.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// Checks only the values present in configuration (used by `terraform validate`).
///
/// Unknown and unset values are skipped: they are checked again when resolved at configure time.
pub fn validate_configured(raw: &RawSettings) -> Vec<SettingError> {
    let mut errors = Vec::new();
    if let Input::Set(endpoint) = &raw.endpoint {
        if let Err(e) = parse_endpoint("endpoint", endpoint) {
            errors.push(e);
        }
    }
    if let Input::Set(endpoint) = &raw.s3_endpoint {
        if let Err(e) = parse_s3_endpoint("s3_endpoint", endpoint) {
            errors.push(e);
        }
    }
    if let Input::Set(base) = &raw.oidc_issuer_base_url {
        if let Err(e) = parse_issuer_base("oidc_issuer_base_url", base) {
            errors.push(e);
        }
    }
    if let Input::Set(token) = &raw.token {
        if let Err(e) = check_token("token", token) {
            errors.push(e);
        }
    }
    if let Input::Set(authentication) = &raw.authentication {
        if let Err(e) = check_authentication(authentication, &raw.token) {
            errors.push(e);
        }
    }
    if let Input::Set(n) = raw.request_timeout_seconds {
        if let Err(e) = check_timeout(n) {
            errors.push(e);
        }
    }
    if let Input::Set(n) = raw.max_retries {
        if let Err(e) = check_retries(n) {
            errors.push(e);
        }
    }
    errors
}

/// Resolves every setting (configuration over environment over default) and validates it.
pub fn resolve(raw: &RawSettings, env: &dyn Environment) -> Result<Settings, Vec<SettingError>> {
    let mut errors = Vec::new();
    let workload_identity = match &raw.authentication {
        Input::Set(authentication) => match check_authentication(authentication, &raw.token) {
            Ok(uid) => Some(uid),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        Input::Unset => None,
        Input::Unknown => {
            errors.push(unknown_error("authentication"));
            None
        }
    };
    // With workload identity, COREWEAVE_API_TOKEN is ignored (a `token` in the block is an error).
    let token = match workload_identity {
        Some(_) => None,
        None => configured_or_env(
            "token",
            &raw.token,
            env.var(ENV_TOKEN).map(ApiToken::from),
            ENV_TOKEN,
            &mut errors,
        ),
    };
    let mut text = |attribute: &'static str, input: &Input<String>, var: &str| {
        configured_or_env(attribute, input, env.var(var), var, &mut errors)
    };
    let endpoint = text("endpoint", &raw.endpoint, ENV_ENDPOINT);
    let s3_endpoint = text("s3_endpoint", &raw.s3_endpoint, ENV_S3_ENDPOINT);
    let issuer_base = text(
        "oidc_issuer_base_url",
        &raw.oidc_issuer_base_url,
        ENV_OIDC_ISSUER_BASE_URL,
    );
    let mut number = |attribute: &'static str, input: &Input<i64>, default: i64| match input {
        Input::Set(v) => *v,
        Input::Unset => default,
        Input::Unknown => {
            errors.push(unknown_error(attribute));
            default
        }
    };
    let timeout = number(
        "request_timeout_seconds",
        &raw.request_timeout_seconds,
        DEFAULT_REQUEST_TIMEOUT_SECONDS,
    );
    let retries = number("max_retries", &raw.max_retries, DEFAULT_MAX_RETRIES);

    let token = match token {
        Some((t, source)) => match check_token("token", &t) {
            Ok(()) => Some(t),
            Err(mut e) => {
                e.detail = format!("{} (from {source})", e.detail);
                errors.push(e);
                None
            }
        },
        None => None,
    };
    let endpoint = endpoint.unwrap_or_else(|| (DEFAULT_ENDPOINT.into(), "default".into()));
    let endpoint = parse_endpoint("endpoint", &endpoint.0).map_err(|mut e| {
        e.detail = format!("{} (from {})", e.detail, endpoint.1);
        e
    });
    let s3_endpoint = s3_endpoint.unwrap_or_else(|| (DEFAULT_S3_ENDPOINT.into(), "default".into()));
    let s3_endpoint = parse_s3_endpoint("s3_endpoint", &s3_endpoint.0).map_err(|mut e| {
        e.detail = format!("{} (from {})", e.detail, s3_endpoint.1);
        e
    });
    let issuer_base =
        issuer_base.unwrap_or_else(|| (DEFAULT_OIDC_ISSUER_BASE_URL.into(), "default".into()));
    let issuer_base = parse_issuer_base("oidc_issuer_base_url", &issuer_base.0).map_err(|mut e| {
        e.detail = format!("{} (from {})", e.detail, issuer_base.1);
        e
    });
    let timeout = check_timeout(timeout).map(|()| Duration::from_secs(timeout as u64));
    let retries = check_retries(retries).map(|()| retries as u32);

    match (endpoint, s3_endpoint, issuer_base, timeout, retries) {
        (
            Ok(endpoint),
            Ok(s3_endpoint),
            Ok(oidc_issuer_base_url),
            Ok(request_timeout),
            Ok(max_retries),
        ) if errors.is_empty() => Ok(Settings {
            token,
            workload_identity,
            endpoint,
            s3_endpoint,
            oidc_issuer_base_url,
            request_timeout,
            max_retries,
        }),
        (e, s3, b, t, r) => {
            errors.extend(
                [e.err(), s3.err(), b.err(), t.err(), r.err()]
                    .into_iter()
                    .flatten(),
            );
            Err(errors)
        }
    }
}

/// The configured value, else the environment's (`from_env`, read from `var`), with where it
/// came from; an unknown value is an error.
fn configured_or_env<T: Clone>(
    attribute: &'static str,
    input: &Input<T>,
    from_env: Option<T>,
    var: &str,
    errors: &mut Vec<SettingError>,
) -> Option<(T, String)> {
    match input {
        Input::Set(v) => Some((v.clone(), attribute.to_string())),
        Input::Unset => from_env.map(|v| (v, format!("{var} (environment)"))),
        Input::Unknown => {
            errors.push(unknown_error(attribute));
            None
        }
    }
}

fn unknown_error(attribute: &'static str) -> SettingError {
    SettingError {
        attribute,
        summary: format!("`{attribute}` must be known before apply"),
        detail: format!(
            "The provider needs `{attribute}` to talk to the API, but its value depends on a resource \
             that is not created yet. Use a literal, a variable or an environment variable."
        ),
    }
}

/// Checks the `authentication` block; returns the service account uid to act as.
fn check_authentication(
    authentication: &Option<String>,
    token: &Input<ApiToken>,
) -> Result<String, SettingError> {
    let error = |summary: &str, detail: String| SettingError {
        attribute: "authentication",
        summary: summary.to_string(),
        detail,
    };
    let uid =
        match authentication {
            Some(uid) => uid.trim(),
            None => return Err(error(
                "Invalid `authentication`",
                "`authentication` needs `workload_identity = { service_account_uid = \"...\" }`."
                    .into(),
            )),
        };
    if uid.is_empty() {
        return Err(error(
            "Invalid `authentication`",
            "`authentication.workload_identity.service_account_uid` must not be empty: set the uid of the \
             CoreWeave service account whose OIDC trust accepts the CI's tokens."
                .into(),
        ));
    }
    if !matches!(token, Input::Unset) {
        return Err(error(
            "Invalid Attribute Combination",
            format!(
                "`token` and `authentication.workload_identity` cannot both be set: with workload identity the \
                 provider exchanges the CI's OIDC token ({ENV_WORKLOAD_IDENTITY_TOKEN}) for short-lived \
                 credentials. Remove `token`."
            ),
        ));
    }
    Ok(uid.to_string())
}

fn check_token(attribute: &'static str, token: &ApiToken) -> Result<(), SettingError> {
    let token = token.expose();
    if token.trim().is_empty() {
        return Err(SettingError {
            attribute,
            summary: "Empty API token".into(),
            detail: format!(
                "The API token is empty. Set `token` or {ENV_TOKEN} to a CoreWeave API access token, \
                 or leave both unset when only provider functions are used."
            ),
        });
    }
    if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(SettingError {
            attribute,
            summary: "Malformed API token".into(),
            detail: "The API token contains whitespace or control characters; \
                     check for a trailing newline in the value."
                .into(),
        });
    }
    Ok(())
}

/// Parses and checks the API endpoint: `https://`, or `http://` for a loopback host only.
pub fn parse_endpoint(attribute: &'static str, value: &str) -> Result<Url, SettingError> {
    parse_base_url(attribute, value)
}

/// Parses and checks the S3 endpoint: as the API endpoint, and a bare origin (a bucket is
/// addressed as `<bucket>.<host>`, which a path cannot follow).
pub fn parse_s3_endpoint(attribute: &'static str, value: &str) -> Result<Url, SettingError> {
    let url = parse_base_url(attribute, value)?;
    if url.path() != "/" {
        return Err(SettingError {
            attribute,
            summary: format!("Invalid `{attribute}`"),
            detail: format!(
                "`{attribute}` must be the S3 endpoint's origin without a path, such as \"https://cwobject.com\" \
                 (buckets are addressed as https://<bucket>.<host>). Got {:?}.",
                without_credentials(value)
            ),
        });
    }
    Ok(url)
}

fn parse_issuer_base(attribute: &'static str, value: &str) -> Result<String, SettingError> {
    let url = parse_base_url(attribute, value)?;
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn parse_base_url(attribute: &'static str, value: &str) -> Result<Url, SettingError> {
    let bad = |why: String| SettingError {
        attribute,
        summary: format!("Invalid `{attribute}`"),
        detail: format!("{why}. Got {:?}.", without_credentials(value)),
    };
    if without_credentials(value) != value {
        // Before any other check, which could echo a part of them (`user:pw@host` parses with
        // the scheme `user`).
        return Err(bad(format!("`{attribute}` {}", EndpointError::Credentials)));
    }
    let url = Url::parse(value).map_err(|e| {
        bad(format!(
            "`{attribute}` must be an absolute URL such as \"https://api.coreweave.com\" ({e})"
        ))
    })?;
    check_endpoint(&url).map_err(|e| bad(format!("`{attribute}` {e}")))?;
    Ok(url)
}

fn check_timeout(n: i64) -> Result<(), SettingError> {
    if (1..=MAX_REQUEST_TIMEOUT_SECONDS).contains(&n) {
        Ok(())
    } else {
        Err(SettingError {
            attribute: "request_timeout_seconds",
            summary: "Invalid `request_timeout_seconds`".into(),
            detail: format!(
                "`request_timeout_seconds` must be between 1 and {MAX_REQUEST_TIMEOUT_SECONDS}; got {n}."
            ),
        })
    }
}

fn check_retries(n: i64) -> Result<(), SettingError> {
    if (0..=MAX_MAX_RETRIES).contains(&n) {
        Ok(())
    } else {
        Err(SettingError {
            attribute: "max_retries",
            summary: "Invalid `max_retries`".into(),
            detail: format!("`max_retries` must be between 0 and {MAX_MAX_RETRIES}; got {n}."),
        })
    }
}

#[cfg(test)]
mod tests;
