//! API errors in the two wire formats the sandbox speaks: REST (grpc-gateway
//! `google.rpc.Status` JSON) and Connect unary (`{"code":"not_found",…}` with base64 protobuf
//! detail values).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use prost::Message as _;
use serde_json::{json, Map, Value};
use tonic_types::pb;

/// The gRPC status codes; `i32::from(code)` is the number `google.rpc.Status.code` carries.
pub use tonic::Code;

/// What the two wire formats make of a gRPC [`Code`] beyond its number.
pub trait WireCode {
    /// The Connect protocol code string.
    fn connect_name(self) -> &'static str;
    /// The HTTP status that grpc-gateway and Connect both use for this code.
    fn http_status(self) -> StatusCode;
}

/// The Connect code names, in the order of the gRPC code numbers (Connect spells `canceled`).
const CONNECT_NAMES: [&str; 17] = [
    "ok",
    "canceled",
    "unknown",
    "invalid_argument",
    "deadline_exceeded",
    "not_found",
    "already_exists",
    "permission_denied",
    "resource_exhausted",
    "failed_precondition",
    "aborted",
    "out_of_range",
    "unimplemented",
    "internal",
    "unavailable",
    "data_loss",
    "unauthenticated",
];

impl WireCode for Code {
    fn connect_name(self) -> &'static str {
        usize::try_from(i32::from(self))
            .ok()
            .and_then(|number| CONNECT_NAMES.get(number))
            .copied()
            .unwrap_or("unknown")
    }

    fn http_status(self) -> StatusCode {
        match self {
            Code::Ok => StatusCode::OK,
            Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
                StatusCode::BAD_REQUEST
            }
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::PermissionDenied => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
            Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
            Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
            Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
            Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
            Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// One `google.rpc.BadRequest.FieldViolation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// Path of the offending field, e.g. `oidc.issuerUrl` or `policy.statements[1].effect`.
    pub field: String,
    /// What is wrong with it.
    pub description: String,
}

/// What a [`FieldViolation::required`] says: the field is absent or empty.
pub const REQUIRED: &str = "is required";

impl FieldViolation {
    /// A violation on `field`.
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }

    /// `field` is required but absent or empty.
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, REQUIRED)
    }
}

/// A `google.rpc` error detail message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// `google.rpc.BadRequest{field_violations}`.
    BadRequest(Vec<FieldViolation>),
    /// `google.rpc.ResourceInfo`.
    ResourceInfo {
        /// `resource_type`, e.g. `OIDCConfig`.
        resource_type: String,
        /// `resource_name`, e.g. the id.
        resource_name: String,
        /// `owner` (empty when not applicable).
        owner: String,
        /// `description`.
        description: String,
    },
    /// `google.rpc.PreconditionFailure{violations[{type,subject,description}]}` (one violation).
    PreconditionFailure {
        /// `type`, e.g. `STATE`.
        kind: String,
        /// `subject`, e.g. `clusters/<id>`.
        subject: String,
        /// `description`.
        description: String,
    },
    /// `google.rpc.QuotaFailure{violations[{subject,description}]}` (one violation).
    QuotaFailure {
        /// `subject`.
        subject: String,
        /// `description`.
        description: String,
    },
}

impl Detail {
    /// The fully qualified protobuf message name, e.g. `google.rpc.BadRequest`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Detail::BadRequest(_) => "google.rpc.BadRequest",
            Detail::ResourceInfo { .. } => "google.rpc.ResourceInfo",
            Detail::PreconditionFailure { .. } => "google.rpc.PreconditionFailure",
            Detail::QuotaFailure { .. } => "google.rpc.QuotaFailure",
        }
    }

    /// The protojson form of the message (lowerCamelCase, empty strings omitted).
    pub fn json(&self) -> Value {
        match self {
            Detail::BadRequest(violations) => json!({
                "fieldViolations": violations.iter().map(|v| non_empty(&[
                    ("field", &v.field), ("description", &v.description),
                ])).collect::<Vec<_>>(),
            }),
            Detail::ResourceInfo {
                resource_type,
                resource_name,
                owner,
                description,
            } => non_empty(&[
                ("resourceType", resource_type),
                ("resourceName", resource_name),
                ("owner", owner),
                ("description", description),
            ]),
            Detail::PreconditionFailure {
                kind,
                subject,
                description,
            } => json!({"violations": [non_empty(&[
                ("type", kind), ("subject", subject), ("description", description),
            ])]}),
            Detail::QuotaFailure {
                subject,
                description,
            } => json!({"violations": [non_empty(&[
                ("subject", subject), ("description", description),
            ])]}),
        }
    }

    /// The protobuf wire encoding of the message.
    pub fn proto(&self) -> Vec<u8> {
        match self {
            Detail::BadRequest(violations) => pb::BadRequest {
                field_violations: violations
                    .iter()
                    .map(|v| pb::bad_request::FieldViolation {
                        field: v.field.clone(),
                        description: v.description.clone(),
                    })
                    .collect(),
            }
            .encode_to_vec(),
            Detail::ResourceInfo {
                resource_type,
                resource_name,
                owner,
                description,
            } => pb::ResourceInfo {
                resource_type: resource_type.clone(),
                resource_name: resource_name.clone(),
                owner: owner.clone(),
                description: description.clone(),
            }
            .encode_to_vec(),
            Detail::PreconditionFailure {
                kind,
                subject,
                description,
            } => pb::PreconditionFailure {
                violations: vec![pb::precondition_failure::Violation {
                    r#type: kind.clone(),
                    subject: subject.clone(),
                    description: description.clone(),
                }],
            }
            .encode_to_vec(),
            Detail::QuotaFailure {
                subject,
                description,
            } => pb::QuotaFailure {
                violations: vec![pb::quota_failure::Violation {
                    subject: subject.clone(),
                    description: description.clone(),
                }],
            }
            .encode_to_vec(),
        }
    }
}

fn non_empty(pairs: &[(&str, &String)]) -> Value {
    let map: Map<String, Value> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| ((*k).to_string(), Value::String((*v).clone())))
        .collect();
    Value::Object(map)
}

/// Which wire format a route speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// grpc-gateway REST transcoding: `google.rpc.Status` JSON.
    Rest,
    /// Connect unary JSON.
    Connect,
}

/// An API error, independent of its wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status code.
    pub code: Code,
    /// Human-readable message.
    pub message: String,
    /// Typed details.
    pub details: Vec<Detail>,
}

impl ApiError {
    /// An error with a code and message and no details.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Adds a detail.
    pub fn with(mut self, detail: Detail) -> Self {
        self.details.push(detail);
        self
    }

    /// `INVALID_ARGUMENT` with a `BadRequest` detail listing `violations`; the message
    /// summarises them.
    pub fn invalid(violations: Vec<FieldViolation>) -> Self {
        let summary = violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.description))
            .collect::<Vec<_>>()
            .join("; ");
        Self::new(Code::InvalidArgument, format!("invalid request: {summary}"))
            .with(Detail::BadRequest(violations))
    }

    /// `INVALID_ARGUMENT` for a single field.
    pub fn invalid_field(field: &str, description: impl Into<String>) -> Self {
        Self::invalid(vec![FieldViolation::new(field, description)])
    }

    /// `NOT_FOUND` with a `ResourceInfo` detail.
    pub fn not_found(resource_type: &str, resource_name: &str, message: String) -> Self {
        Self::new(Code::NotFound, message.clone()).with(Detail::ResourceInfo {
            resource_type: resource_type.to_string(),
            resource_name: resource_name.to_string(),
            owner: String::new(),
            description: message,
        })
    }

    /// `UNAUTHENTICATED` for a missing or wrong bearer token (never echoes the token).
    pub fn unauthenticated() -> Self {
        Self::new(
            Code::Unauthenticated,
            "missing or invalid bearer token in the Authorization header",
        )
    }

    /// The grpc-gateway JSON body: `{"code":3,"message":…,"details":[{"@type":…,…}]}`.
    pub fn rest_body(&self) -> Value {
        let details: Vec<Value> = self
            .details
            .iter()
            .map(|d| {
                let mut obj = Map::new();
                obj.insert(
                    "@type".into(),
                    Value::String(format!("type.googleapis.com/{}", d.type_name())),
                );
                if let Value::Object(fields) = d.json() {
                    obj.extend(fields);
                }
                Value::Object(obj)
            })
            .collect();
        json!({"code": i32::from(self.code), "message": self.message, "details": details})
    }

    /// The Connect unary error body: `{"code":"not_found","message":…,"details":[…]}`.
    pub fn connect_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("code".into(), self.code.connect_name().into());
        body.insert("message".into(), self.message.clone().into());
        if !self.details.is_empty() {
            let details: Vec<Value> = self
                .details
                .iter()
                .map(|d| {
                    json!({
                        "type": d.type_name(),
                        "value": STANDARD_NO_PAD.encode(d.proto()),
                        "debug": d.json(),
                    })
                })
                .collect();
            body.insert("details".into(), Value::Array(details));
        }
        Value::Object(body)
    }

    /// The HTTP response in the given wire format.
    pub fn into_family_response(self, family: Family) -> Response {
        match family {
            Family::Rest => RestError(self).into_response(),
            Family::Connect => ConnectError(self).into_response(),
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// An [`ApiError`] answered as grpc-gateway REST.
#[derive(Debug)]
pub struct RestError(pub ApiError);

impl From<ApiError> for RestError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        json_response(self.0.code.http_status(), &self.0.rest_body())
    }
}

/// An [`ApiError`] answered as a Connect unary error.
#[derive(Debug)]
pub struct ConnectError(pub ApiError);

impl From<ApiError> for ConnectError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ConnectError {
    fn into_response(self) -> Response {
        json_response(self.0.code.http_status(), &self.0.connect_body())
    }
}

#[cfg(test)]
mod tests;
