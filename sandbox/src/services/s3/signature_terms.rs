//! What a verified signature must also satisfy, which the pinned s3s 0.12.0 does not check, as
//! AWS S3 does ("Authenticating Requests (AWS Signature Version 4)", S3 API reference):
//!
//! - a header-signed request (SigV4 `x-amz-date`, or SigV2 `x-amz-date`/`Date`) is at most 15
//!   minutes from the sandbox's clock either way (`RequestTimeTooSkewed`), so a captured request
//!   does not replay until its key dies;
//! - a presigned SigV4 URL lives at most 604,800 s, seven days (`X-Amz-Expires`;
//!   `AuthorizationQueryParametersError`); s3s already refuses one that has expired or is dated
//!   more than 15 minutes ahead;
//! - the credential scope's service is `s3` (`AuthorizationHeaderMalformed` for a header,
//!   `AuthorizationQueryParametersError` for a presigned URL).
//!
//! SigV2 presigned URLs (`Expires`, an absolute time) have no cap at AWS either; s3s refuses
//! expired ones. Browser POST uploads carry their terms in the form, not here.

use std::time::{Duration, SystemTime};

use hyper::HeaderMap;
use s3s::{s3_error, S3Result};
use time::format_description::well_known::{Iso8601, Rfc2822};
use time::OffsetDateTime;

/// Largest difference between a header-signed request's date and the clock.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
/// Longest lifetime of a presigned SigV4 URL, in seconds (seven days).
pub const MAX_PRESIGNED_SECONDS: u64 = 604_800;

/// The one service a credential scope may name.
const SERVICE: &str = "s3";

/// The value of query parameter `name`, percent-decoded.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name)
            .then(|| urlencoding::decode(value).ok().map(|v| v.into_owned()))
            .flatten()
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The service of a credential `AKID/date/region/service/aws4_request`.
fn scope_service(credential: &str) -> Option<&str> {
    credential.split('/').nth(3)
}

/// A SigV4 time, `20250115T100000Z`.
fn parse_amz_date(value: &str) -> Option<SystemTime> {
    if value.len() != 16 {
        return None;
    }
    let at = OffsetDateTime::parse(value, &Iso8601::DEFAULT).ok()?;
    Some(at.into())
}

/// An HTTP `Date` (`Wed, 15 Jan 2025 10:00:00 GMT`) or SigV4 time.
fn parse_any_date(value: &str) -> Option<SystemTime> {
    parse_amz_date(value).or_else(|| {
        OffsetDateTime::parse(value, &Rfc2822)
            .ok()
            .map(SystemTime::from)
    })
}

/// `RequestTimeTooSkewed` unless `at` is within [`MAX_SKEW`] of `now`.
fn check_skew(at: SystemTime, now: SystemTime) -> S3Result<()> {
    let skew = at
        .duration_since(now)
        .or_else(|_| now.duration_since(at))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err(s3_error!(
            RequestTimeTooSkewed,
            "The difference between the request time and the current time is too large."
        ));
    }
    Ok(())
}

/// Checks the terms above for a request whose signature s3s verified.
pub fn check(headers: &HeaderMap, query: Option<&str>, now: SystemTime) -> S3Result<()> {
    let authorization = header(headers, "authorization").unwrap_or_default();
    if let Some(fields) = authorization.strip_prefix("AWS4-HMAC-SHA256 ") {
        let credential = fields
            .split(',')
            .find_map(|field| field.trim().strip_prefix("Credential="))
            .unwrap_or_default();
        if let Some(service) = scope_service(credential).filter(|s| *s != SERVICE) {
            return Err(s3_error!(
                AuthorizationHeaderMalformed,
                "The authorization header is malformed; incorrect service \"{service}\". This \
                 endpoint belongs to \"{SERVICE}\"."
            ));
        }
        let date = header(headers, "x-amz-date").and_then(parse_amz_date);
        return check_skew(date.ok_or_else(missing_date)?, now);
    }
    if authorization.starts_with("AWS ") {
        let date = header(headers, "x-amz-date").or_else(|| header(headers, "date"));
        return check_skew(date.and_then(parse_any_date).ok_or_else(missing_date)?, now);
    }
    if let Some(credential) = query_param(query, "X-Amz-Credential") {
        if let Some(service) = scope_service(&credential).filter(|s| *s != SERVICE) {
            return Err(s3_error!(
                AuthorizationQueryParametersError,
                "Error parsing the X-Amz-Credential parameter; incorrect service \"{service}\". \
                 This endpoint belongs to \"{SERVICE}\"."
            ));
        }
        let expires = query_param(query, "X-Amz-Expires").and_then(|e| e.parse::<u64>().ok());
        if expires.is_some_and(|seconds| seconds > MAX_PRESIGNED_SECONDS) {
            return Err(s3_error!(
                AuthorizationQueryParametersError,
                "X-Amz-Expires must be less than a week (in seconds) that is \
                 {MAX_PRESIGNED_SECONDS}"
            ));
        }
    }
    Ok(())
}

fn missing_date() -> s3s::S3Error {
    s3_error!(
        AccessDenied,
        "AWS authentication requires a valid Date or x-amz-date header"
    )
}

#[cfg(test)]
mod tests;
