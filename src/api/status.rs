//! Decoding of the server's error bodies into [`ApiError`].
//!
//! REST endpoints (CKS, cwobject) answer errors with a `google.rpc.Status` JSON body
//! (`{"code": 3, "message": "...", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", ...}]}`);
//! Connect endpoints (workload federation) answer with a Connect error
//! (`{"code": "not_found", "message": "...", "details": [{"type": "google.rpc.ResourceInfo", "value": "<base64 protobuf>"}]}`).
//! Both decode into [`ApiStatus`]. Decoding never panics, whatever the body.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine as _};
use prost::Message as _;
use serde_json::{Map, Value};
use tonic_types::pb;

use super::error::{code_name, ApiError, ApiStatus, Code, ErrorDetail, S3Status};

/// Longest body excerpt (in characters) kept in an [`ApiError::Unexpected`].
pub(super) const SNIPPET_CHARS: usize = 512;

/// The code for a numeric gRPC code; `None` for 0 (OK), `Unknown` for unknown numbers.
pub(super) fn code_from_number(number: i64) -> Option<Code> {
    let code = i32::try_from(number).map_or(Code::Unknown, Code::from_i32);
    (code != Code::Ok).then_some(code)
}

/// The code for a name in Connect form (`not_found`) or enum form (`NOT_FOUND`);
/// `None` for `ok` and for names that are not codes.
pub(super) fn code_from_name(name: &str) -> Option<Code> {
    let name = name.trim().to_ascii_lowercase();
    let name = if name == "cancelled" {
        "canceled"
    } else {
        &name
    };
    (1..=16)
        .map(Code::from_i32)
        .find(|code| code_name(*code) == name)
}

/// The code the Connect protocol assigns to an HTTP error status whose body is not a
/// Connect error.
pub(super) fn code_for_http_status(http_status: u16) -> Code {
    match http_status {
        400 => Code::Internal,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::Unimplemented,
        429 | 502 | 503 | 504 => Code::Unavailable,
        _ => Code::Unknown,
    }
}

/// The start of `body` (trimmed), at most [`SNIPPET_CHARS`] characters.
pub(super) fn snippet(body: &str) -> String {
    let body = body.trim();
    if body.chars().count() <= SNIPPET_CHARS {
        body.to_string()
    } else {
        let mut cut: String = body.chars().take(SNIPPET_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

fn unexpected(http_status: u16, body: &str, path: &str) -> ApiError {
    let body = snippet(body);
    ApiError::Unexpected {
        http_status,
        body: if body.is_empty() {
            "(empty body)".to_string()
        } else {
            body
        },
        path: path.to_string(),
    }
}

/// Decodes the non-2xx answer of a REST endpoint (`google.rpc.Status` JSON).
pub(crate) fn rest_error(http_status: u16, body: &str, path: &str) -> ApiError {
    if (400..=599).contains(&http_status) {
        if let Some(status) = parse_status(http_status, body) {
            return ApiError::Status(status);
        }
    }
    unexpected(http_status, body, path)
}

/// Decodes the non-2xx answer of the S3 endpoint: its XML error document
/// (`<Error><Code>NoSuchBucket</Code><Message>...</Message></Error>`), or, for a body-less
/// answer (every `HEAD`), the code S3 gives that status. Any other body is
/// [`ApiError::Unexpected`].
pub(crate) fn s3_error(http_status: u16, body: &str, path: &str) -> ApiError {
    #[derive(serde::Deserialize)]
    struct ErrorDocument {
        #[serde(rename = "Code", default)]
        code: String,
        #[serde(rename = "Message", default)]
        message: String,
    }
    if !(300..=599).contains(&http_status) {
        return unexpected(http_status, body, path);
    }
    if body.trim().is_empty() {
        return ApiError::S3(S3Status {
            http_status,
            code: s3_code_for_http_status(http_status).to_string(),
            message: String::new(),
        });
    }
    match quick_xml::de::from_str::<ErrorDocument>(body) {
        Ok(document) if !document.code.trim().is_empty() => ApiError::S3(S3Status {
            http_status,
            code: document.code.trim().to_string(),
            message: document.message.trim().to_string(),
        }),
        _ => unexpected(http_status, body, path),
    }
}

/// The code the AWS SDKs give an S3 answer without a body.
fn s3_code_for_http_status(http_status: u16) -> &'static str {
    match http_status {
        301 => "PermanentRedirect",
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        503 => "SlowDown",
        _ => "Unknown",
    }
}

/// Decodes the non-2xx answer of a Connect endpoint. A 4xx/5xx body that is not a Connect
/// error gets the code the Connect protocol derives from the HTTP status.
pub(crate) fn connect_error(http_status: u16, body: &str, path: &str) -> ApiError {
    if !(400..=599).contains(&http_status) {
        return unexpected(http_status, body, path);
    }
    if let Some(status) = parse_status(http_status, body) {
        return ApiError::Status(status);
    }
    let excerpt = snippet(body);
    ApiError::Status(ApiStatus {
        http_status,
        code: code_for_http_status(http_status),
        message: if excerpt.is_empty() {
            format!("HTTP {http_status}")
        } else {
            format!("HTTP {http_status}: {excerpt}")
        },
        details: Vec::new(),
    })
}

/// Parses either error shape; `None` when the body is not an error status object.
fn parse_status(http_status: u16, body: &str) -> Option<ApiStatus> {
    let value: Value = serde_json::from_str(body).ok()?;
    let object = value.as_object()?;
    let code = match object.get("code")? {
        Value::Number(number) => code_from_number(number.as_i64()?)?,
        Value::String(name) => code_from_name(name).unwrap_or(Code::Unknown),
        _ => return None,
    };
    let message = object
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let details = object
        .get("details")
        .and_then(Value::as_array)
        .map(|details| details.iter().filter_map(parse_detail).collect())
        .unwrap_or_default();
    Some(ApiStatus {
        http_status,
        code,
        message,
        details,
    })
}

/// One entry of `details`: `{"@type": ..., <fields>}` (REST) or
/// `{"type": ..., "value": "<base64>", "debug": {...}}` (Connect).
fn parse_detail(value: &Value) -> Option<ErrorDetail> {
    let object = value.as_object()?;
    if let Some(type_url) = object.get("@type").and_then(Value::as_str) {
        return Some(json_detail(type_url, object));
    }
    let type_name = object.get("type").and_then(Value::as_str)?;
    let from_value = object
        .get("value")
        .and_then(Value::as_str)
        .and_then(decode_base64)
        .and_then(|bytes| proto_detail(type_name, &bytes));
    if let Some(detail) = from_value {
        return Some(detail);
    }
    if let Some(Value::Object(debug)) = object.get("debug") {
        return Some(json_detail(type_name, debug));
    }
    Some(ErrorDetail::Other {
        type_url: type_name.to_string(),
    })
}

/// `type.googleapis.com/google.rpc.BadRequest` → `google.rpc.BadRequest`.
fn short_type(type_url: &str) -> &str {
    type_url.rsplit('/').next().unwrap_or(type_url)
}

fn json_str(object: &Map<String, Value>, camel: &str, snake: &str) -> String {
    object
        .get(camel)
        .or_else(|| object.get(snake))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn json_list<'a>(
    object: &'a Map<String, Value>,
    camel: &str,
    snake: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    object
        .get(camel)
        .or_else(|| object.get(snake))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// A detail in protojson form.
fn json_detail(type_url: &str, object: &Map<String, Value>) -> ErrorDetail {
    match short_type(type_url) {
        "google.rpc.BadRequest" => ErrorDetail::BadRequest {
            field_violations: json_list(object, "fieldViolations", "field_violations")
                .map(|v| {
                    (
                        json_str(v, "field", "field"),
                        json_str(v, "description", "description"),
                    )
                })
                .collect(),
        },
        "google.rpc.ResourceInfo" => ErrorDetail::ResourceInfo {
            resource_type: json_str(object, "resourceType", "resource_type"),
            resource_name: json_str(object, "resourceName", "resource_name"),
            owner: json_str(object, "owner", "owner"),
            description: json_str(object, "description", "description"),
        },
        "google.rpc.PreconditionFailure" => ErrorDetail::PreconditionFailure {
            violations: json_list(object, "violations", "violations")
                .map(|v| {
                    (
                        json_str(v, "type", "type"),
                        json_str(v, "subject", "subject"),
                        json_str(v, "description", "description"),
                    )
                })
                .collect(),
        },
        "google.rpc.QuotaFailure" => ErrorDetail::QuotaFailure {
            violations: json_list(object, "violations", "violations")
                .map(|v| {
                    (
                        json_str(v, "subject", "subject"),
                        json_str(v, "description", "description"),
                    )
                })
                .collect(),
        },
        _ => ErrorDetail::Other {
            type_url: type_url.to_string(),
        },
    }
}

const PADDING_INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64_STANDARD: GeneralPurpose =
    GeneralPurpose::new(&alphabet::STANDARD, PADDING_INDIFFERENT);
const BASE64_URL_SAFE: GeneralPurpose =
    GeneralPurpose::new(&alphabet::URL_SAFE, PADDING_INDIFFERENT);

/// Standard or URL-safe base64, padded or not.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    BASE64_STANDARD
        .decode(text)
        .or_else(|_| BASE64_URL_SAFE.decode(text))
        .ok()
}

/// A detail in protobuf binary form; `None` for unknown types and malformed bytes.
fn proto_detail(type_name: &str, bytes: &[u8]) -> Option<ErrorDetail> {
    Some(match short_type(type_name) {
        "google.rpc.BadRequest" => pb::BadRequest::decode(bytes).ok()?.into(),
        "google.rpc.ResourceInfo" => pb::ResourceInfo::decode(bytes).ok()?.into(),
        "google.rpc.PreconditionFailure" => pb::PreconditionFailure::decode(bytes).ok()?.into(),
        "google.rpc.QuotaFailure" => pb::QuotaFailure::decode(bytes).ok()?.into(),
        _ => return None,
    })
}

impl From<pb::BadRequest> for ErrorDetail {
    fn from(detail: pb::BadRequest) -> Self {
        ErrorDetail::BadRequest {
            field_violations: detail
                .field_violations
                .into_iter()
                .map(|v| (v.field, v.description))
                .collect(),
        }
    }
}

impl From<pb::ResourceInfo> for ErrorDetail {
    fn from(detail: pb::ResourceInfo) -> Self {
        ErrorDetail::ResourceInfo {
            resource_type: detail.resource_type,
            resource_name: detail.resource_name,
            owner: detail.owner,
            description: detail.description,
        }
    }
}

impl From<pb::PreconditionFailure> for ErrorDetail {
    fn from(detail: pb::PreconditionFailure) -> Self {
        ErrorDetail::PreconditionFailure {
            violations: detail
                .violations
                .into_iter()
                .map(|v| (v.r#type, v.subject, v.description))
                .collect(),
        }
    }
}

impl From<pb::QuotaFailure> for ErrorDetail {
    fn from(detail: pb::QuotaFailure) -> Self {
        ErrorDetail::QuotaFailure {
            violations: detail
                .violations
                .into_iter()
                .map(|v| (v.subject, v.description))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
