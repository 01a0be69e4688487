//! The S3 endpoint (its own loopback listener): the pod's outcome. s3s speaks the protocol
//! (SigV4 header and presigned, SigV2, aws-chunked, XML); [`auth`] finds the secrets of the keys
//! the sandbox issued, [`access`] checks session token and expiry and decides each call with
//! the organization's access policies, [`host`] reads virtual-hosted names, [`backend`] keeps
//! the objects. Every request is recorded in the request log as `s3` without its query (a
//! presigned URL's query holds the signature and session token), with its `Host`. A
//! successful write whose answer is to be lost (`loseS3WriteAnswers`) is logged with its
//! status and its connection closed unanswered ([`LostAnswer`]).

pub mod access;
pub mod admin;
pub mod auth;
pub mod backend;
pub mod body;
pub mod bucket_calls;
pub mod host;
pub mod inflight;
pub mod multipart;
pub mod policy_calls;
pub mod post_upload;
pub mod signature_terms;
pub mod url_encoding;

use std::future::Future;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{s3_error, S3Error};
use tokio::net::TcpListener;

use self::inflight::{BodyBudget, BoundedBody, Hold};
use crate::accept::next_connection;
use crate::connection::ConnectionLimits;
use crate::model::object_store::StoreError;
use crate::state::SharedState;

/// The S3 error code of each store failure.
impl From<StoreError> for S3Error {
    fn from(e: StoreError) -> S3Error {
        let message = e.to_string();
        match e {
            StoreError::NoSuchBucket(_) => s3_error!(NoSuchBucket, "{message}"),
            StoreError::BucketAlreadyOwnedByYou { .. } => {
                s3_error!(BucketAlreadyOwnedByYou, "{message}")
            }
            StoreError::BucketAlreadyExists(_) => s3_error!(BucketAlreadyExists, "{message}"),
            StoreError::BucketNotEmpty(_) => s3_error!(BucketNotEmpty, "{message}"),
            StoreError::NoSuchKey(_) => s3_error!(NoSuchKey, "{message}"),
            StoreError::NoSuchUpload(_) => s3_error!(NoSuchUpload, "{message}"),
            StoreError::Full => s3_error!(EntityTooLarge, "{message}"),
        }
    }
}

/// The region the endpoint names (CoreWeave documents upper-case zones as the region); any
/// region in a signature's scope is accepted.
pub const REGION: &str = crate::model::bucket::DEFAULT_ZONE;
/// The domain of virtual-hosted-style names, resolved by no DNS: clients reach it through
/// `HTTP_PROXY` pointing at the endpoint (real-clients.md §3).
pub const VIRTUAL_HOST_DOMAIN: &str = "s3.sandbox.test";

/// `s3.sandbox.test:<port>`: the base of virtual-hosted names for the endpoint at `url`
/// (`http://host:port`).
pub fn virtual_host_base(url: &str) -> String {
    let port = url.rsplit(':').next().unwrap_or_default();
    format!("{VIRTUAL_HOST_DOMAIN}:{port}")
}

/// The s3s service over `state`'s keys, policies and objects.
pub fn service(state: SharedState) -> S3Service {
    let mut builder = S3ServiceBuilder::new(backend::Backend::new(state.clone()));
    builder.set_auth(auth::IssuedKeyAuth::new(state.clone()));
    builder.set_access(access::PolicyAccess::new(state.clone()));
    builder.set_host(host::SandboxHost::new(virtual_host_base(&state.s3_url)));
    builder.build()
}

/// Why a connection closed without an answer: the write took effect, and its answer is lost
/// on purpose (fault injection).
#[derive(Debug, thiserror::Error)]
#[error("the answer to a write was lost on purpose (loseS3WriteAnswers)")]
pub struct LostAnswer;

/// Whether a request with `method` changes something (its answer may be lost).
fn is_write(method: &hyper::Method) -> bool {
    matches!(
        *method,
        hyper::Method::PUT | hyper::Method::POST | hyper::Method::DELETE
    )
}

/// The header `name` of a request, as text.
fn header<B>(req: &hyper::Request<B>, name: hyper::header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|h| h.to_str().ok())
}

/// The `Host` header of a request.
fn host_header<B>(req: &hyper::Request<B>) -> Option<&str> {
    header(req, hyper::header::HOST)
}

/// The path a request is logged under: `/<bucket>/<key>` in both addressing styles.
fn logged_path(req: &hyper::Request<Incoming>, host: &host::SandboxHost) -> String {
    let path = req.uri().path();
    match host_header(req).and_then(|h| host.bucket_of(h)) {
        Some(bucket) => format!("/{bucket}{path}"),
        None => path.to_string(),
    }
}

/// Serves the S3 endpoint on `listener` until `shutdown` completes; a connection that keeps it
/// waiting beyond `limits` is dropped, and so is a body that stalls as long; what all bodies
/// being received hold is bounded ([`inflight`]); a failed accept is logged and retried. A
/// successful write's answer is lost while `loseS3WriteAnswers` says so.
pub async fn serve(
    listener: TcpListener,
    state: SharedState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let s3 = service(state.clone());
    let host = host::SandboxHost::new(virtual_host_base(&state.s3_url));
    let http = limits.http1();
    let budget = Arc::new(BodyBudget::default());
    tokio::pin!(shutdown);
    while let Some(stream) = next_connection(&listener, shutdown.as_mut(), "S3").await {
        let (s3, host, state, http) = (s3.clone(), host.clone(), state.clone(), http.clone());
        let budget = budget.clone();
        tokio::spawn(async move {
            let handle = service_fn(move |req: hyper::Request<Incoming>| {
                let (s3, state) = (s3.clone(), state.clone());
                let path = logged_path(&req, &host);
                let write = is_write(req.method());
                let ticket = state
                    .log
                    .begin_s3(req.method().as_str(), &path, host_header(&req));
                // Given back once the request is answered (a stored object counts in the store).
                let hold = Hold::new(budget.clone());
                let req = req.map(|body| BoundedBody::new(body, hold.clone(), limits.body_idle()));
                async move {
                    let resp = answer(&s3, &state, &path, req).await;
                    drop(hold);
                    state.log.finish(ticket, resp.status().as_u16());
                    if write
                        && resp.status().is_success()
                        && state.settings.take_lost_s3_write_answer()
                    {
                        // hyper closes the connection without writing the answer.
                        return Err(LostAnswer);
                    }
                    Ok(resp)
                }
            });
            let served = http.serve_connection(TokioIo::new(stream), handle).await;
            if let Err(e) = served {
                tracing::debug!("S3 connection ended: {e}");
            }
        });
    }
}

/// Answers one request; a browser upload is authorized from its form first ([`post_upload`]).
async fn answer(
    s3: &S3Service,
    state: &SharedState,
    path: &str,
    mut req: hyper::Request<BoundedBody>,
) -> s3s::HttpResponse {
    let content_type = header(&req, hyper::header::CONTENT_TYPE);
    if let Some(boundary) = post_upload::boundary(req.method(), content_type) {
        match post_upload::authorize(state, path, &boundary, req.body_mut()).await {
            Ok(object) => {
                req.extensions_mut().insert(object);
            }
            Err(refusal) => return post_upload::error_response(&refusal),
        }
    }
    match s3.call(req.map(s3s::Body::http_body)).await {
        Ok(resp) => resp,
        Err(e) => {
            tracing::warn!("S3 request failed: {e:?}");
            internal_error()
        }
    }
}

fn internal_error() -> s3s::HttpResponse {
    let mut resp = s3s::HttpResponse::new(s3s::Body::empty());
    *resp.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    resp
}
