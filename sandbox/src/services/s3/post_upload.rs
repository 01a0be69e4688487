//! Browser-style POST uploads (`multipart/form-data` to a bucket) are authorized before their
//! file is read. s3s reads the whole file into memory (up to 5 GiB) before the access check,
//! so an expired key's upload used to be received whole and only then refused. Here the form
//! fields before the file (at most [`MAX_FIELDS_BYTES`], AWS's `MaxPostPreDataLengthExceededError`
//! beyond) are read ahead and checked as [`super::access`] checks any call: the key exists, its
//! session token and expiry, the POST policy's `expiration`, and the organization's policies for
//! `s3:PutObject` on the form's `key` (`${filename}` replaced by the file's name), which the
//! access check then also decides with ([`UploadKey`]; s3s names only the bucket). The
//! signature itself stays s3s's to verify, on the same bytes, after this.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use s3s::{s3_error, S3Error, S3Result};

use super::access::{check_key, check_policies, Permission, UploadKey};
use super::inflight::BoundedBody;
use crate::state::SharedState;

/// How much of the form may precede the file (AWS documents no number; 20 KiB is the limit
/// its error `MaxPostPreDataLengthExceededError` is commonly reported at).
pub const MAX_FIELDS_BYTES: usize = 20 * 1024;

/// The boundary of a `multipart/form-data` POST, when `method` and `content_type` make one.
pub fn boundary(method: &hyper::Method, content_type: Option<&str>) -> Option<String> {
    if method != hyper::Method::POST {
        return None;
    }
    let content_type = content_type?;
    let (essence, parameters) = content_type.split_once(';')?;
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parameters.split(';').find_map(|parameter| {
        let (name, value) = parameter.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"').to_string())
    })
}

/// The form fields before the file, and the file's name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Form {
    /// Field values by lower-case name.
    pub fields: HashMap<String, String>,
    /// The `filename` of the file part.
    pub filename: Option<String>,
    /// Whether the file part's headers were reached.
    pub reached_file: bool,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A `Content-Disposition` parameter (`name="key"`).
fn disposition_parameter<'a>(headers: &'a str, parameter: &str) -> Option<&'a str> {
    let pattern = format!("{parameter}=\"");
    headers.split("\r\n").find_map(|line| {
        let lower = line.to_ascii_lowercase();
        if !lower.starts_with("content-disposition:") {
            return None;
        }
        let at = lower.find(&format!("; {pattern}"))? + 2 + pattern.len();
        let rest = &line[at..];
        rest.find('"').map(|end| &rest[..end])
    })
}

/// Reads the parts of `prefix` up to the file part's headers.
pub fn parse(prefix: &[u8], boundary: &str) -> Form {
    let delimiter = format!("--{boundary}");
    let mut form = Form::default();
    let mut rest = prefix;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        let Some(headers_end) = find(rest, b"\r\n\r\n") else {
            break;
        };
        let headers = String::from_utf8_lossy(&rest[..headers_end]).into_owned();
        let body = &rest[headers_end + 4..];
        let Some(name) = disposition_parameter(&headers, "name") else {
            break;
        };
        if name.eq_ignore_ascii_case("file") {
            form.filename = disposition_parameter(&headers, "filename").map(String::from);
            form.reached_file = true;
            break;
        }
        let Some(end) = find(body, format!("\r\n{delimiter}").as_bytes()) else {
            break;
        };
        form.fields.insert(
            name.to_ascii_lowercase(),
            String::from_utf8_lossy(&body[..end]).into_owned(),
        );
        rest = &body[end + 2..];
    }
    form
}

/// Whether `prefix` holds the file part's headers (enough to check the upload).
pub fn reaches_file(prefix: &[u8], boundary: &str) -> bool {
    parse(prefix, boundary).reached_file
}

/// The `expiration` of a base64 POST policy document, when it has one.
fn policy_expiration(policy: &str) -> Option<SystemTime> {
    let document: serde_json::Value =
        serde_json::from_slice(&STANDARD.decode(policy).ok()?).ok()?;
    let expiration = document.get("expiration")?.as_str()?;
    let at =
        ::time::OffsetDateTime::parse(expiration, &::time::format_description::well_known::Rfc3339)
            .ok()?;
    Some(at.into())
}

/// Checks an upload to `bucket` with the fields before its file (see the module docs); the
/// object key it writes.
pub fn check(
    state: &SharedState,
    bucket: &str,
    form: &Form,
    now: SystemTime,
) -> S3Result<UploadKey> {
    if !form.reached_file {
        return Err(s3_error!(
            MaxPostPreDataLengthExceededError,
            "Your POST request fields preceding the upload file were too large \
             (at most {MAX_FIELDS_BYTES} bytes)."
        ));
    }
    let field = |name: &str| form.fields.get(name).map(String::as_str);
    let access_key = field("x-amz-credential")
        .and_then(|credential| credential.split('/').next())
        .or_else(|| field("awsaccesskeyid"));
    let Some(access_key) = access_key else {
        // Anonymous or malformed: s3s refuses it before reading the file.
        return Ok(UploadKey(String::new()));
    };
    let key = state
        .credentials
        .get(access_key)
        .ok_or_else(|| s3_error!(InvalidAccessKeyId))?;
    check_key(&key, field("x-amz-security-token"), now)?;
    let expiration = field("policy").and_then(policy_expiration);
    if expiration.is_some_and(|at| at <= now) {
        return Err(s3_error!(
            AccessDenied,
            "Invalid according to Policy: Policy expired."
        ));
    }
    let object = field("key")
        .unwrap_or_default()
        .replace("${filename}", form.filename.as_deref().unwrap_or_default());
    let permission = Permission {
        action: "s3:PutObject".to_string(),
        resource: format!("{bucket}/{object}"),
    };
    check_policies(state, &key, &permission, &BTreeMap::new())?;
    Ok(UploadKey(object))
}

/// Reads the fields of an upload to `path` (`/<bucket>...`) ahead of its file and checks them
/// ([`check`]); `body` serves what was read again to s3s. The object key the upload writes.
pub async fn authorize(
    state: &SharedState,
    path: &str,
    boundary: &str,
    body: &mut BoundedBody,
) -> S3Result<UploadKey> {
    let prefix = body
        .read_ahead(MAX_FIELDS_BYTES, |read| reaches_file(read, boundary))
        .await
        .map_err(|cut| cut.to_s3())?;
    let bucket = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    check(state, bucket, &parse(&prefix, boundary), state.clock.now())
}

/// The XML error answer S3 gives, for a refusal made before s3s saw the request.
pub fn error_response(error: &S3Error) -> s3s::HttpResponse {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{}</Code><Message>{}</Message></Error>",
        escape(error.code().as_str()),
        escape(error.message().unwrap_or_default())
    );
    let mut resp = s3s::HttpResponse::new(s3s::Body::from(body));
    *resp.status_mut() = error.status_code().unwrap_or(hyper::StatusCode::FORBIDDEN);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/xml"),
    );
    resp
}

#[cfg(test)]
mod tests;
