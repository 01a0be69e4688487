//! Connect unary calls over JSON: the content type check, strict decoding, and the answer or
//! the Connect error.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, Code, ConnectError};

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// Runs one unary call: content type check, strict decoding, then `op`.
pub fn unary<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    op: impl FnOnce(T) -> Result<Value, ApiError>,
) -> Response {
    if !is_json(headers) {
        let err = ApiError::new(
            Code::InvalidArgument,
            "unsupported content type: this sandbox speaks Connect with application/json",
        );
        let mut resp = ConnectError(err).into_response();
        *resp.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return resp;
    }
    match parse_json(body).and_then(op) {
        Ok(value) => Json(value).into_response(),
        Err(err) => ConnectError(err).into_response(),
    }
}
