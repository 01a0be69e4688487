//! The client's error type and the decoding of the server's error bodies.
//!
//! REST endpoints (CKS, cwobject) answer errors with a `google.rpc.Status` JSON body
//! (`{"code": 3, "message": "...", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", ...}]}`);
//! Connect endpoints (workload federation) answer with a Connect error
//! (`{"code": "not_found", "message": "...", "details": [{"type": "google.rpc.ResourceInfo", "value": "<base64 protobuf>"}]}`).
//! Both decode into [`ApiStatus`]. Decoding never panics, whatever the body.

use std::fmt;
use std::sync::Arc;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine as _};
use prost::Message as _;
use serde_json::{Map, Value};
use tonic_types::pb;

/// Longest body excerpt (in characters) kept in an [`ApiError::Unexpected`].
pub(crate) const SNIPPET_CHARS: usize = 512;

/// Why an API call failed.
///
/// The variants separate what callers act on differently: configuration problems found before
/// any request is sent, connection failures, documented error answers of the server
/// ([`ApiError::Status`], with [`ApiError::code`] and [`ApiError::is_not_found`] for branching),
/// answers that are not the documented error shape, and successful answers that did not decode.
/// No variant ever carries the API token or the `Authorization` header.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A call needs the API, but no token is configured.
    #[error(
        "no CoreWeave API token is configured: set `token` in the provider block or the \
         COREWEAVE_API_TOKEN environment variable"
    )]
    MissingToken,
    /// Authentication from a CI OIDC token failed: no token, an expired one, a refused exchange.
    #[error("workload identity authentication as service account {service_account_uid:?} failed: {detail}")]
    WorkloadIdentity {
        /// The service account the provider tried to act as.
        service_account_uid: String,
        /// What went wrong (never the CI token or the bearer).
        detail: String,
    },
    /// The endpoint is plain `http://` on a host that is not loopback: the token is not sent.
    #[error(
        "refusing to send the CoreWeave API token over plain http to {host}: use an https:// \
         endpoint (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)"
    )]
    InsecureEndpoint {
        /// Host of the refused endpoint.
        host: String,
    },
    /// The request could not be built (bad endpoint, empty path parameter, unusable token, ...).
    #[error("invalid CoreWeave API request: {0}")]
    InvalidRequest(String),
    /// The connection failed or timed out; no (complete) answer was received.
    #[error("{method} {url_path}: {detail}")]
    Transport {
        /// HTTP method of the request.
        method: String,
        /// URL path of the request (no query, no credentials).
        url_path: String,
        /// Human-readable cause, `timed out after ...` for timeouts.
        detail: String,
        /// Whether the request timed out.
        timed_out: bool,
        /// The underlying HTTP client error.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The server answered with its documented error body.
    #[error("{0}")]
    Status(ApiStatus),
    /// The server answered something that is neither a success nor a documented error body
    /// (HTML from a proxy, a redirect that was not followed, an oversized body, ...).
    #[error("unexpected HTTP {http_status} answer to {path}: {body}")]
    Unexpected {
        /// HTTP status code of the answer.
        http_status: u16,
        /// The start of the body (at most 512 characters), or a description of the problem.
        body: String,
        /// URL path of the request.
        path: String,
    },
    /// A successful answer whose body did not match the expected JSON shape.
    #[error("could not decode the answer to {path}: {source}")]
    Decode {
        /// URL path of the request.
        path: String,
        /// The JSON error.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// A retryable failure persisted through every allowed retry.
    #[error("{host}: giving up after {attempts} attempts; last {}", describe_last(.last))]
    RetriesExhausted {
        /// Host of the endpoint.
        host: String,
        /// Number of attempts made (first try included).
        attempts: u32,
        /// The failure of the last attempt.
        last: Box<ApiError>,
    },
    /// Terraform asked the provider to stop while it waited to retry.
    #[error("interrupted while waiting to retry (Terraform asked the provider to stop); last error: {last}")]
    Interrupted {
        /// The failure that was going to be retried.
        last: Box<ApiError>,
    },
}

fn describe_last(last: &ApiError) -> String {
    match last {
        // A status derived from a bare HTTP answer already names the HTTP status.
        ApiError::Status(status) if status.message.starts_with("HTTP ") => {
            format!("answer {status}")
        }
        ApiError::Status(status) => format!("answer HTTP {}: {status}", status.http_status),
        other => format!("error: {other}"),
    }
}

impl ApiError {
    /// The documented error answer of the server, also when it was the last of exhausted retries.
    pub fn status(&self) -> Option<&ApiStatus> {
        match self {
            ApiError::Status(status) => Some(status),
            ApiError::RetriesExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// The gRPC/Connect code of the server's error answer, if there was one.
    pub fn code(&self) -> Option<Code> {
        self.status().map(|status| status.code)
    }

    /// Whether the server said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(Code::NotFound)
    }

    /// The HTTP status of the answer, if the server answered at all.
    /// True when the server may have applied the request although the call failed: a transport
    /// error, or a server or gateway error (500, 502, 504) that can come after processing. The
    /// caller should read the object back to learn the outcome. 429 and 503 mean "refused".
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Transport { .. } => true,
            ApiError::RetriesExhausted { last, .. } | ApiError::Interrupted { last } => {
                last.outcome_unknown()
            }
            _ => matches!(self.http_status(), Some(500 | 502 | 504)),
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Status(status) => Some(status.http_status),
            ApiError::Unexpected { http_status, .. } => Some(*http_status),
            ApiError::RetriesExhausted { last, .. } => last.http_status(),
            _ => None,
        }
    }
}

/// A decoded error answer of the server (`google.rpc.Status` or Connect error).
///
/// Displays as `invalid_argument: <message> (oidc.ca: not a PEM certificate; ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiStatus {
    /// HTTP status code of the answer.
    pub http_status: u16,
    /// The error code.
    pub code: Code,
    /// The server's message.
    pub message: String,
    /// Structured details (`google.rpc.*` messages).
    pub details: Vec<ErrorDetail>,
}

impl fmt::Display for ApiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        let parts: Vec<String> = self
            .details
            .iter()
            .flat_map(ErrorDetail::describe)
            .collect();
        if !parts.is_empty() {
            write!(f, " ({})", parts.join("; "))?;
        }
        Ok(())
    }
}

/// The gRPC status codes, as used by google.rpc.Status and Connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The operation was cancelled.
    Canceled,
    /// Unknown error.
    Unknown,
    /// The request is invalid regardless of the system state.
    InvalidArgument,
    /// The deadline expired before the operation could complete.
    DeadlineExceeded,
    /// The object does not exist.
    NotFound,
    /// The object already exists.
    AlreadyExists,
    /// The caller may not perform the operation.
    PermissionDenied,
    /// A quota or rate limit was exhausted.
    ResourceExhausted,
    /// The system is not in a state required for the operation.
    FailedPrecondition,
    /// The operation was aborted (concurrency conflict).
    Aborted,
    /// The operation was attempted past the valid range.
    OutOfRange,
    /// The operation is not implemented or not enabled.
    Unimplemented,
    /// Internal server error.
    Internal,
    /// The service is temporarily unavailable.
    Unavailable,
    /// Unrecoverable data loss.
    DataLoss,
    /// The request has no valid credentials.
    Unauthenticated,
}

impl Code {
    /// The code for a numeric gRPC code; `None` for 0 (OK), `Unknown` for unknown numbers.
    pub fn from_grpc(number: i64) -> Option<Code> {
        Some(match number {
            0 => return None,
            1 => Code::Canceled,
            3 => Code::InvalidArgument,
            4 => Code::DeadlineExceeded,
            5 => Code::NotFound,
            6 => Code::AlreadyExists,
            7 => Code::PermissionDenied,
            8 => Code::ResourceExhausted,
            9 => Code::FailedPrecondition,
            10 => Code::Aborted,
            11 => Code::OutOfRange,
            12 => Code::Unimplemented,
            13 => Code::Internal,
            14 => Code::Unavailable,
            15 => Code::DataLoss,
            16 => Code::Unauthenticated,
            _ => Code::Unknown,
        })
    }

    /// The code for a name in Connect form (`not_found`) or enum form (`NOT_FOUND`);
    /// `None` for `ok` and for names that are not codes.
    pub fn from_name(name: &str) -> Option<Code> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "canceled" | "cancelled" => Code::Canceled,
            "unknown" => Code::Unknown,
            "invalid_argument" => Code::InvalidArgument,
            "deadline_exceeded" => Code::DeadlineExceeded,
            "not_found" => Code::NotFound,
            "already_exists" => Code::AlreadyExists,
            "permission_denied" => Code::PermissionDenied,
            "resource_exhausted" => Code::ResourceExhausted,
            "failed_precondition" => Code::FailedPrecondition,
            "aborted" => Code::Aborted,
            "out_of_range" => Code::OutOfRange,
            "unimplemented" => Code::Unimplemented,
            "internal" => Code::Internal,
            "unavailable" => Code::Unavailable,
            "data_loss" => Code::DataLoss,
            "unauthenticated" => Code::Unauthenticated,
            _ => return None,
        })
    }

    /// The code the Connect protocol assigns to an HTTP error status whose body is not a
    /// Connect error.
    pub fn from_http_status(http_status: u16) -> Code {
        match http_status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502 | 503 | 504 => Code::Unavailable,
            _ => Code::Unknown,
        }
    }

    /// The Connect (snake_case) name of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Canceled => "canceled",
            Code::Unknown => "unknown",
            Code::InvalidArgument => "invalid_argument",
            Code::DeadlineExceeded => "deadline_exceeded",
            Code::NotFound => "not_found",
            Code::AlreadyExists => "already_exists",
            Code::PermissionDenied => "permission_denied",
            Code::ResourceExhausted => "resource_exhausted",
            Code::FailedPrecondition => "failed_precondition",
            Code::Aborted => "aborted",
            Code::OutOfRange => "out_of_range",
            Code::Unimplemented => "unimplemented",
            Code::Internal => "internal",
            Code::Unavailable => "unavailable",
            Code::DataLoss => "data_loss",
            Code::Unauthenticated => "unauthenticated",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One structured detail of an error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorDetail {
    /// `google.rpc.BadRequest`: which request fields are invalid.
    BadRequest {
        /// `(field, description)` pairs.
        field_violations: Vec<(String, String)>,
    },
    /// `google.rpc.ResourceInfo`: the object the error is about.
    ResourceInfo {
        /// Kind of the object.
        resource_type: String,
        /// Name or id of the object.
        resource_name: String,
        /// Owner of the object, if the server said.
        owner: String,
        /// What went wrong with the object.
        description: String,
    },
    /// `google.rpc.PreconditionFailure`: which preconditions failed.
    PreconditionFailure {
        /// `(type, subject, description)` triples.
        violations: Vec<(String, String, String)>,
    },
    /// `google.rpc.QuotaFailure`: which quotas were exceeded.
    QuotaFailure {
        /// `(subject, description)` pairs.
        violations: Vec<(String, String)>,
    },
    /// Any other detail type, kept by name only.
    Other {
        /// The detail's type name or URL.
        type_url: String,
    },
}

impl ErrorDetail {
    /// Human-readable parts for the error message (none for unknown detail types).
    fn describe(&self) -> Vec<String> {
        match self {
            ErrorDetail::BadRequest { field_violations } => field_violations
                .iter()
                .map(|(field, description)| join_nonempty(&[field], description))
                .collect(),
            ErrorDetail::ResourceInfo {
                resource_type,
                resource_name,
                owner,
                description,
            } => {
                let mut head = resource_type.clone();
                if !resource_name.is_empty() {
                    if !head.is_empty() {
                        head.push(' ');
                    }
                    head.push_str(&format!("{resource_name:?}"));
                }
                if !owner.is_empty() {
                    head.push_str(&format!(" owned by {owner}"));
                }
                let text = join_nonempty(&[head.trim()], description);
                if text.is_empty() {
                    Vec::new()
                } else {
                    vec![text]
                }
            }
            ErrorDetail::PreconditionFailure { violations } => violations
                .iter()
                .map(|(kind, subject, description)| join_nonempty(&[kind, subject], description))
                .collect(),
            ErrorDetail::QuotaFailure { violations } => violations
                .iter()
                .map(|(subject, description)| join_nonempty(&[subject], description))
                .collect(),
            ErrorDetail::Other { .. } => Vec::new(),
        }
    }
}

/// `"a b: description"`, leaving out empty parts.
fn join_nonempty(heads: &[&str], description: &str) -> String {
    let head = heads
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    match (head.is_empty(), description.is_empty()) {
        (false, false) => format!("{head}: {description}"),
        (false, true) => head,
        (true, _) => description.to_string(),
    }
}

/// The start of `body` (trimmed), at most [`SNIPPET_CHARS`] characters.
pub(crate) fn snippet(body: &str) -> String {
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
        code: Code::from_http_status(http_status),
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
        Value::Number(number) => Code::from_grpc(number.as_i64()?)?,
        Value::String(name) => Code::from_name(name).unwrap_or(Code::Unknown),
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
mod tests {
    use super::*;

    fn status_error(http_status: u16) -> ApiError {
        ApiError::Status(ApiStatus {
            http_status,
            code: Code::from_http_status(http_status),
            message: "m".into(),
            details: Vec::new(),
        })
    }

    #[test]
    fn outcome_is_unknown_only_where_the_server_may_have_acted() {
        for status in [500, 502, 504] {
            assert!(status_error(status).outcome_unknown(), "{status}");
        }
        for status in [400, 404, 409, 429, 503] {
            assert!(!status_error(status).outcome_unknown(), "{status}");
        }
        let exhausted = ApiError::RetriesExhausted {
            host: "h".into(),
            attempts: 3,
            last: Box::new(status_error(502)),
        };
        assert!(exhausted.outcome_unknown());
        assert!(!ApiError::MissingToken.outcome_unknown());
    }
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn status_of(error: ApiError) -> ApiStatus {
        match error {
            ApiError::Status(status) => status,
            other => panic!("expected a status, got {other:?}"),
        }
    }

    #[test]
    fn rest_status_with_bad_request_and_resource_info_displays_every_violation() {
        let body = r#"{"code":3,"message":"invalid OIDC configuration","details":[
            {"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[
                {"field":"oidc.ca","description":"not a PEM certificate"},
                {"field":"oidc.issuerUrl","description":"must be https"}]},
            {"@type":"type.googleapis.com/google.rpc.ResourceInfo","resourceType":"cluster",
             "resourceName":"3f2a","description":"cluster is updating"}]}"#;
        let status = status_of(rest_error(400, body, "/v1beta1/cks/clusters/3f2a"));
        assert_eq!(status.code, Code::InvalidArgument);
        assert_eq!(status.http_status, 400);
        assert_eq!(
            status.details[0],
            ErrorDetail::BadRequest {
                field_violations: vec![
                    ("oidc.ca".into(), "not a PEM certificate".into()),
                    ("oidc.issuerUrl".into(), "must be https".into()),
                ]
            }
        );
        assert_eq!(
            status.to_string(),
            "invalid_argument: invalid OIDC configuration (oidc.ca: not a PEM certificate; \
             oidc.issuerUrl: must be https; cluster \"3f2a\": cluster is updating)"
        );
    }

    #[test]
    fn rest_status_precondition_and_quota_details_decode() {
        let body = r#"{"code":9,"message":"busy","details":[
            {"@type":"type.googleapis.com/google.rpc.PreconditionFailure","violations":[
                {"type":"STATE","subject":"cluster/abc","description":"cluster is not running"}]},
            {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                {"subject":"org","description":"too many policies"}]},
            {"@type":"type.googleapis.com/google.rpc.DebugInfo","detail":"x"}]}"#;
        let status = status_of(rest_error(400, body, "/p"));
        assert_eq!(status.code, Code::FailedPrecondition);
        assert_eq!(
            status.details,
            vec![
                ErrorDetail::PreconditionFailure {
                    violations: vec![(
                        "STATE".into(),
                        "cluster/abc".into(),
                        "cluster is not running".into()
                    )]
                },
                ErrorDetail::QuotaFailure {
                    violations: vec![("org".into(), "too many policies".into())]
                },
                ErrorDetail::Other {
                    type_url: "type.googleapis.com/google.rpc.DebugInfo".into()
                },
            ]
        );
        assert_eq!(
            status.to_string(),
            "failed_precondition: busy (STATE cluster/abc: cluster is not running; org: too many policies)"
        );
    }

    #[test]
    fn rest_status_accepts_string_codes_and_unknown_numbers() {
        let status = status_of(rest_error(
            404,
            r#"{"code":"NOT_FOUND","message":"gone"}"#,
            "/p",
        ));
        assert_eq!(status.code, Code::NotFound);
        let status = status_of(rest_error(500, r#"{"code":99}"#, "/p"));
        assert_eq!(status.code, Code::Unknown);
        assert_eq!(status.to_string(), "unknown");
    }

    #[test]
    fn rest_non_status_bodies_are_unexpected_with_a_bounded_snippet() {
        let html = format!("<html>{}</html>", "x".repeat(5000));
        match rest_error(502, &html, "/v1/cwobject/access-policy") {
            ApiError::Unexpected {
                http_status,
                body,
                path,
            } => {
                assert_eq!(http_status, 502);
                assert_eq!(body.chars().count(), SNIPPET_CHARS);
                assert!(body.starts_with("<html>xxx"));
                assert_eq!(path, "/v1/cwobject/access-policy");
            }
            other => panic!("unexpected {other:?}"),
        }
        for body in [
            "",
            "null",
            "[]",
            r#"{"message":"no code"}"#,
            r#"{"code":0}"#,
            r#"{"code":true}"#,
        ] {
            assert!(
                matches!(rest_error(500, body, "/p"), ApiError::Unexpected { .. }),
                "{body}"
            );
        }
        assert!(matches!(
            rest_error(302, r#"{"code":5}"#, "/p"),
            ApiError::Unexpected {
                http_status: 302,
                ..
            }
        ));
        let empty = rest_error(503, "  ", "/p");
        assert_eq!(
            empty.to_string(),
            "unexpected HTTP 503 answer to /p: (empty body)"
        );
    }

    #[test]
    fn connect_error_details_decode_from_base64_protobuf_padded_or_not() {
        let resource = pb::ResourceInfo {
            resource_type: "oidc_config".into(),
            resource_name: "cfg-123".into(),
            description: "no such config".into(),
            ..Default::default()
        };
        let bad_request = pb::BadRequest {
            field_violations: vec![
                pb::bad_request::FieldViolation {
                    field: "issuer_url".into(),
                    description: "must be https".into(),
                },
                pb::bad_request::FieldViolation {
                    field: "name".into(),
                    description: "too long".into(),
                },
            ],
        };
        let precondition = pb::PreconditionFailure {
            violations: vec![pb::precondition_failure::Violation {
                r#type: "STATE".into(),
                subject: "cfg".into(),
                description: "deactivated".into(),
            }],
        };
        let quota = pb::QuotaFailure {
            violations: vec![pb::quota_failure::Violation {
                subject: "org".into(),
                description: "too many configs".into(),
            }],
        };
        let body = serde_json::json!({
            "code": "not_found",
            "message": "config not found",
            "details": [
                {"type": "google.rpc.ResourceInfo", "value": STANDARD_NO_PAD.encode(resource.encode_to_vec())},
                {"type": "google.rpc.BadRequest", "value": STANDARD.encode(bad_request.encode_to_vec())},
                {"type": "google.rpc.PreconditionFailure", "value": STANDARD_NO_PAD.encode(precondition.encode_to_vec()),
                 "debug": {"violations": []}},
                {"type": "type.googleapis.com/google.rpc.QuotaFailure", "value": URL_SAFE_NO_PAD.encode(quota.encode_to_vec())},
                {"type": "google.rpc.ErrorInfo", "value": ""}
            ]
        })
        .to_string();
        let status = status_of(connect_error(404, &body, "/svc/GetOIDCConfig"));
        assert_eq!(status.code, Code::NotFound);
        assert_eq!(
            status.details,
            vec![
                ErrorDetail::ResourceInfo {
                    resource_type: "oidc_config".into(),
                    resource_name: "cfg-123".into(),
                    owner: String::new(),
                    description: "no such config".into(),
                },
                ErrorDetail::BadRequest {
                    field_violations: vec![
                        ("issuer_url".into(), "must be https".into()),
                        ("name".into(), "too long".into()),
                    ]
                },
                ErrorDetail::PreconditionFailure {
                    violations: vec![("STATE".into(), "cfg".into(), "deactivated".into())]
                },
                ErrorDetail::QuotaFailure {
                    violations: vec![("org".into(), "too many configs".into())]
                },
                ErrorDetail::Other {
                    type_url: "google.rpc.ErrorInfo".into()
                },
            ]
        );
        assert_eq!(
            status.to_string(),
            "not_found: config not found (oidc_config \"cfg-123\": no such config; \
             issuer_url: must be https; name: too long; STATE cfg: deactivated; org: too many configs)"
        );
    }

    #[test]
    fn connect_detail_falls_back_to_debug_json_when_value_is_garbage() {
        let body = r#"{"code":"invalid_argument","message":"bad","details":[
            {"type":"google.rpc.BadRequest","value":"!!!not base64!!!",
             "debug":{"fieldViolations":[{"field":"audience","description":"empty"}]}},
            {"type":"google.rpc.ResourceInfo","value":"/w"}]}"#;
        let status = status_of(connect_error(400, body, "/p"));
        assert_eq!(
            status.details,
            vec![
                ErrorDetail::BadRequest {
                    field_violations: vec![("audience".into(), "empty".into())]
                },
                ErrorDetail::Other {
                    type_url: "google.rpc.ResourceInfo".into()
                },
            ]
        );
    }

    #[test]
    fn connect_non_connect_bodies_get_the_code_of_their_http_status() {
        let cases = [
            (404, Code::Unimplemented),
            (429, Code::Unavailable),
            (502, Code::Unavailable),
            (503, Code::Unavailable),
            (504, Code::Unavailable),
            (401, Code::Unauthenticated),
            (403, Code::PermissionDenied),
            (400, Code::Internal),
            (500, Code::Unknown),
        ];
        for (http_status, code) in cases {
            let status = status_of(connect_error(http_status, "<html>oops</html>", "/p"));
            assert_eq!(status.code, code, "{http_status}");
            assert_eq!(
                status.message,
                format!("HTTP {http_status}: <html>oops</html>")
            );
        }
        assert_eq!(status_of(connect_error(503, "", "/p")).message, "HTTP 503");
        assert!(matches!(
            connect_error(301, "", "/p"),
            ApiError::Unexpected {
                http_status: 301,
                ..
            }
        ));
    }

    #[test]
    fn error_helpers_see_through_exhausted_retries() {
        let status = ApiStatus {
            http_status: 404,
            code: Code::NotFound,
            message: "gone".into(),
            details: Vec::new(),
        };
        let error = ApiError::RetriesExhausted {
            host: "api.coreweave.com".into(),
            attempts: 3,
            last: Box::new(ApiError::Status(status.clone())),
        };
        assert!(error.is_not_found());
        assert_eq!(error.code(), Some(Code::NotFound));
        assert_eq!(error.status(), Some(&status));
        assert_eq!(error.http_status(), Some(404));
        assert_eq!(
            error.to_string(),
            "api.coreweave.com: giving up after 3 attempts; last answer HTTP 404: not_found: gone"
        );
        assert!(!ApiError::MissingToken.is_not_found());
        assert!(ApiError::MissingToken
            .to_string()
            .contains("COREWEAVE_API_TOKEN"));
    }

    #[test]
    fn code_names_round_trip_and_numbers_map() {
        for number in 1..=16 {
            let code = Code::from_grpc(number).unwrap();
            assert_eq!(Code::from_name(code.as_str()), Some(code));
            assert_eq!(Code::from_name(&code.as_str().to_uppercase()), Some(code));
        }
        assert_eq!(Code::from_grpc(0), None);
        assert_eq!(Code::from_grpc(5), Some(Code::NotFound));
        assert_eq!(Code::from_grpc(2), Some(Code::Unknown));
        assert_eq!(Code::from_name("ok"), None);
        assert_eq!(Code::ResourceExhausted.to_string(), "resource_exhausted");
    }

    #[test]
    fn protobuf_details_skip_unknown_fields_and_reject_malformed_bytes() {
        // ResourceInfo with an unknown varint field 7 and fixed32 field 8 after its fields.
        let mut bytes = pb::ResourceInfo {
            resource_type: "t".into(),
            resource_name: "n".into(),
            ..Default::default()
        }
        .encode_to_vec();
        bytes.extend_from_slice(&[7 << 3, 0x96, 0x01]);
        bytes.extend_from_slice(&[8 << 3 | 5, 1, 2, 3, 4]);
        assert_eq!(
            proto_detail("google.rpc.ResourceInfo", &bytes),
            Some(ErrorDetail::ResourceInfo {
                resource_type: "t".into(),
                resource_name: "n".into(),
                owner: String::new(),
                description: String::new(),
            })
        );
        let hello = pb::ResourceInfo {
            resource_type: "hello".into(),
            ..Default::default()
        }
        .encode_to_vec();
        let truncated = &hello[..4];
        assert_eq!(proto_detail("google.rpc.ResourceInfo", truncated), None);
        // A varint where a string is expected.
        assert_eq!(proto_detail("google.rpc.ResourceInfo", &[1 << 3, 1]), None);
        // A group (wire type 3) and field number 0 are rejected.
        assert_eq!(proto_detail("google.rpc.ResourceInfo", &[1 << 3 | 3]), None);
        assert_eq!(proto_detail("google.rpc.ResourceInfo", &[2, 0]), None);
        // A string that is not UTF-8.
        assert_eq!(
            proto_detail("google.rpc.ResourceInfo", &[1 << 3 | 2, 1, 0xff]),
            None
        );
        // An over-long varint and a huge length never panic.
        assert_eq!(
            proto_detail(
                "google.rpc.BadRequest",
                &[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
            ),
            None
        );
        assert_eq!(
            proto_detail(
                "google.rpc.BadRequest",
                &[0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
            ),
            None
        );
    }

    #[test]
    fn random_bytes_never_panic_the_decoders() {
        let mut rng = StdRng::seed_from_u64(0x5eed);
        let types = [
            "google.rpc.BadRequest",
            "google.rpc.ResourceInfo",
            "google.rpc.PreconditionFailure",
            "google.rpc.QuotaFailure",
        ];
        for round in 0..4000 {
            let len = rng.gen_range(0..64);
            let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let _ = proto_detail(types[round % types.len()], &bytes);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let _ = rest_error(400 + (round % 200) as u16, &text, "/p");
            let _ = connect_error(400 + (round % 200) as u16, &text, "/p");
            let wrapped = serde_json::json!({
                "code": "internal",
                "details": [{"type": types[round % types.len()], "value": STANDARD.encode(&bytes)}]
            })
            .to_string();
            let _ = connect_error(500, &wrapped, "/p");
        }
    }

    #[test]
    fn random_json_shapes_never_panic_the_decoders() {
        let mut rng = StdRng::seed_from_u64(7);
        let atoms = [
            "null",
            "1",
            "-3",
            "1e400",
            "\"x\"",
            "[]",
            "{}",
            "true",
            "5",
            "\"not_found\"",
            r#"{"@type":"google.rpc.BadRequest","fieldViolations":3}"#,
            r#"{"type":"google.rpc.BadRequest","value":5,"debug":[]}"#,
            r#"[{"field":1}]"#,
        ];
        for _ in 0..2000 {
            let pick = |rng: &mut StdRng| atoms[rng.gen_range(0..atoms.len())];
            let body = format!(
                r#"{{"code":{},"message":{},"details":[{},{}],"fieldViolations":{}}}"#,
                pick(&mut rng),
                pick(&mut rng),
                pick(&mut rng),
                pick(&mut rng),
                pick(&mut rng)
            );
            let _ = rest_error(400, &body, "/p").to_string();
            let _ = connect_error(400, &body, "/p").to_string();
        }
    }
}
