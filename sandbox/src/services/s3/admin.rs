//! The S3 part of the test admin API (no auth, not logged): seed a bucket (or objects into one
//! that exists), read an object's bytes (unsigned: tests and the bench's baseline), issue a key
//! for any principal of any organization.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::md5_hex;
use crate::model::bucket::{is_known_zone, BucketSettings, DEFAULT_ZONE, KNOWN_ZONES};
use crate::model::credentials::{after_seconds, KeyRequest};
use crate::model::object_store::StoredObject;
use crate::paths::ADMIN;
use crate::state::SharedState;
use crate::wire::body::parse_json;
use crate::wire::errors::{ApiError, RestError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBucketRequest {
    name: String,
    /// The zone of a bucket created here (default [`DEFAULT_ZONE`]); an existing bucket keeps its own.
    zone: Option<String>,
    #[serde(default)]
    objects: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AccessKeyRequest {
    principal: String,
    /// The principal's organization (default the sandbox's).
    org_id: Option<String>,
    /// Lifetime; negative for a key that has already expired; absent = permanent.
    ttl_seconds: Option<i64>,
    #[serde(default)]
    session_token: bool,
}

/// `POST /_sandbox/buckets`, `GET /_sandbox/buckets/{name}/objects/{key}`,
/// `POST /_sandbox/access-keys`.
pub fn routes() -> Router<SharedState> {
    let path = |rest: &str| format!("{ADMIN}{rest}");
    Router::new()
        .route(&path("/buckets"), post(seed_bucket))
        .route(&path("/buckets/:name/objects/*key"), get(object_bytes))
        .route(&path("/access-keys"), post(issue_access_key))
}

async fn seed_bucket(
    State(state): State<SharedState>,
    body: Bytes,
) -> Result<Json<Value>, RestError> {
    let req: SeedBucketRequest = parse_json(&body)?;
    if !s3s::path::check_bucket_name(&req.name) {
        return Err(ApiError::invalid_field("name", "is not a valid S3 bucket name").into());
    }
    let zone = req.zone.as_deref().unwrap_or(DEFAULT_ZONE);
    if !is_known_zone(zone) {
        return Err(ApiError::invalid_field(
            "zone",
            format!("must be one of {}", KNOWN_ZONES.join(", ")),
        )
        .into());
    }
    state
        .objects
        .ensure_bucket(&req.name, BucketSettings::new(zone, &state.org_id));
    for (key, text) in req.objects {
        let data = Bytes::from(text);
        let object = StoredObject {
            etag: md5_hex(&data),
            data,
            last_modified: state.clock.now(),
            content_type: Some("text/plain".into()),
        };
        state
            .objects
            .put_object(&req.name, &key, object)
            .map_err(|e| ApiError::invalid_field("objects", e.to_string()))?;
    }
    let keys: Vec<String> = state
        .objects
        .list_objects(&req.name, "")
        .map_err(|e| ApiError::invalid_field("name", e.to_string()))?
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    Ok(Json(json!({ "name": req.name, "keys": keys })))
}

async fn object_bytes(
    State(state): State<SharedState>,
    Path((name, key)): Path<(String, String)>,
) -> Result<Bytes, RestError> {
    state
        .objects
        .get_object(&name, &key)
        .map(|object| object.data)
        .map_err(|e| ApiError::not_found("Object", &key, e.to_string()).into())
}

async fn issue_access_key(
    State(state): State<SharedState>,
    body: Bytes,
) -> Result<Json<Value>, RestError> {
    let req: AccessKeyRequest = parse_json(&body)?;
    let now = state.clock.now();
    let request = KeyRequest {
        id_prefix: "CWTEST",
        principal: req.principal,
        org_id: req.org_id.unwrap_or_else(|| state.org_id.clone()),
        expires_at: req.ttl_seconds.map(|seconds| after_seconds(now, seconds)),
        with_session_token: req.session_token,
    };
    let key = state
        .credentials
        .issue(request, now)
        .map_err(ApiError::from)?;
    Ok(Json(json!({
        "accessKeyId": key.access_key_id,
        "secretKey": key.secret_key,
        "sessionToken": key.session_token,
        "principalName": key.principal,
        "orgId": key.org_id,
        "expiry": key.expiry_rfc3339(),
    })))
}
