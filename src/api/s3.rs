//! AI Object Storage's S3 endpoint, for buckets and bucket policies (which `/v1/cwobject` does
//! not manage). Calls go through an [`ApiClient`] of their own ([`ApiClient::for_s3`]): the same
//! retries, breaker, stop handling and lost-answer reporting as API calls, with an S3 endpoint's
//! messages. Each call is signed (SigV4, [`sign`]) with a short-lived key the API issues for the
//! provider's token ([`keys`]); buckets are addressed as [`address`] says, and answers read as
//! [`xml`] says. Errors carry the S3 code ([`S3Error::code`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use md5::{Digest as _, Md5};
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::client::{Call, Protocol};
use super::{ApiClient, ApiError, ClientConfig, Phase, RetryPolicy};

mod address;
pub mod error;
pub mod keys;
mod sign;
#[cfg(test)]
mod tests;
mod xml;

pub use error::{S3Code, S3Error};

/// The region a call is signed for when the bucket's zone is not known yet (a listing, an
/// import): the endpoint routes by the bucket's own location and takes any region there.
pub const DEFAULT_SIGNING_REGION: &str = "US-EAST-04A";
/// How long after its issue a key the endpoint refuses (`InvalidAccessKeyId`, `AccessDenied`)
/// is tried again: a new key takes a moment to reach every S3 server (the official provider
/// waits up to a minute; a refusal that is meant costs this much, so it is kept short).
pub const FRESH_KEY_GRACE: Duration = Duration::from_secs(5);
/// Pause between the tries of a fresh key.
const FRESH_KEY_POLL: Duration = Duration::from_secs(1);
/// Objects a listing page holds at most.
const PAGE_SIZE: &str = "1000";

/// Settings of an [`S3Client`] (the provider's request settings, and its `s3_endpoint`).
#[derive(Debug, Clone)]
pub struct S3Config {
    /// `https://cwobject.com`, or `http://` to a loopback host.
    pub endpoint: Url,
    /// Timeout of each HTTP request.
    pub request_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// `User-Agent` header value.
    pub user_agent: String,
    /// Cancelled when Terraform asks the provider to stop.
    pub stop: CancellationToken,
}

/// The S3 client; cheap to clone, clones share the key and the connections.
#[derive(Clone, Debug)]
pub struct S3Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Issues the keys.
    api: ApiClient,
    /// Calls the S3 endpoint.
    transport: ApiClient,
    addressing: address::Addressing,
    keys: keys::KeyCache,
    /// The zone of each bucket this client created or located: the region its calls are signed for.
    zones: Mutex<HashMap<String, String>>,
    fresh_key_grace: Duration,
    fresh_key_poll: Duration,
}

/// One S3 call before it is addressed and signed.
struct Request<'a> {
    operation: &'static str,
    method: Method,
    bucket: Option<&'a str>,
    key: Option<&'a str>,
    query: &'a [(&'a str, &'a str)],
    body: Option<(Vec<u8>, &'static str)>,
    /// Repeating it blindly after a lost answer is not safe.
    non_idempotent: bool,
    /// Whether a fresh key's refusal is tried again ([`FRESH_KEY_GRACE`]).
    waits_for_fresh_key: bool,
}

impl<'a> Request<'a> {
    fn new(operation: &'static str, method: Method, bucket: Option<&'a str>) -> Self {
        Request {
            operation,
            method,
            bucket,
            key: None,
            query: &[],
            body: None,
            non_idempotent: false,
            waits_for_fresh_key: true,
        }
    }

    fn query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    fn body(mut self, body: Vec<u8>, content_type: &'static str) -> Self {
        self.body = Some((body, content_type));
        self
    }

    /// `bucket[/key]`, or `(all buckets)`, for messages.
    fn target(&self) -> String {
        match (self.bucket, self.key) {
            (Some(bucket), Some(key)) => format!("{bucket:?} object {key:?}"),
            (Some(bucket), None) => format!("of bucket {bucket:?}"),
            _ => "(all buckets)".to_string(),
        }
    }
}

impl S3Client {
    /// A client of `config.endpoint` whose keys `api` issues.
    pub fn new(api: ApiClient, config: S3Config) -> Result<S3Client, ApiError> {
        let policy = RetryPolicy::new(config.max_retries);
        Self::with_timing(api, config, policy, FRESH_KEY_GRACE, FRESH_KEY_POLL)
    }

    pub(crate) fn with_timing(
        api: ApiClient,
        config: S3Config,
        policy: RetryPolicy,
        fresh_key_grace: Duration,
        fresh_key_poll: Duration,
    ) -> Result<S3Client, ApiError> {
        let addressing = address::Addressing::new(&config.endpoint);
        let transport = ApiClient::for_s3(
            ClientConfig {
                endpoint: config.endpoint,
                token: None,
                bearer_source: None,
                request_timeout: config.request_timeout,
                max_retries: config.max_retries,
                user_agent: config.user_agent,
                stop: config.stop,
            },
            policy,
        )?;
        Ok(S3Client {
            inner: Arc::new(Inner {
                api,
                transport,
                addressing,
                keys: keys::KeyCache::default(),
                zones: Mutex::default(),
                fresh_key_grace,
                fresh_key_poll,
            }),
        })
    }

    /// The names of every bucket the organization has (one ListBuckets call).
    pub async fn list_buckets(&self) -> Result<Vec<String>, S3Error> {
        let request = Request::new("ListBuckets", Method::GET, None);
        let answer: xml::ListAllMyBucketsResult =
            self.read("ListAllMyBucketsResult", request).await?;
        Ok(answer.buckets.bucket.into_iter().map(|b| b.name).collect())
    }

    /// HeadBucket: `true` when the bucket exists, `false` when the endpoint says it does not
    /// (404). Any other answer is an error (right after a create, 400 or `InvalidRegion` too:
    /// the caller decides what that means).
    pub async fn head_bucket(&self, bucket: &str) -> Result<bool, S3Error> {
        self.head(Request::new("HeadBucket", Method::HEAD, Some(bucket)))
            .await
    }

    /// [`S3Client::head_bucket`] for a plan-time look, where a refusal is not final (the
    /// access may come from a policy the same apply creates): a fresh key's refusal is not
    /// waited out.
    pub async fn glance_at_bucket(&self, bucket: &str) -> Result<bool, S3Error> {
        let mut request = Request::new("HeadBucket", Method::HEAD, Some(bucket));
        request.waits_for_fresh_key = false;
        self.head(request).await
    }

    async fn head(&self, request: Request<'_>) -> Result<bool, S3Error> {
        match self.send(request).await {
            Ok(_) => Ok(true),
            Err(e) if e.is(&S3Code::NoSuchBucket) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// CreateBucket in `zone` (`LocationConstraint`). Not repeated blindly after a lost answer:
    /// [`S3Error::outcome_unknown`] then says to look with [`S3Client::head_bucket`].
    pub async fn create_bucket(&self, bucket: &str, zone: &str) -> Result<(), S3Error> {
        let body = to_xml(
            "CreateBucket",
            bucket,
            &xml::CreateBucketConfiguration::new(zone),
        )?;
        self.remember_zone(bucket, zone);
        let mut request =
            Request::new("CreateBucket", Method::PUT, Some(bucket)).body(body, "application/xml");
        request.non_idempotent = true;
        self.send(request).await.map(drop)
    }

    /// DeleteBucket (`BucketNotEmpty` while it holds objects).
    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), S3Error> {
        self.send(Request::new("DeleteBucket", Method::DELETE, Some(bucket)))
            .await
            .map(drop)
    }

    /// GetBucketLocation: the bucket's zone.
    pub async fn bucket_zone(&self, bucket: &str) -> Result<String, S3Error> {
        let request =
            Request::new("GetBucketLocation", Method::GET, Some(bucket)).query(&[("location", "")]);
        let answer: xml::LocationConstraint = self.read("LocationConstraint", request).await?;
        let zone = answer.zone.trim().to_string();
        if !zone.is_empty() {
            self.remember_zone(bucket, &zone);
        }
        Ok(zone)
    }

    /// GetBucketTagging: the bucket's tags, empty when it has none (`NoSuchTagSet`, which
    /// does not mean the bucket is gone).
    pub async fn bucket_tags(&self, bucket: &str) -> Result<BTreeMap<String, String>, S3Error> {
        let request =
            Request::new("GetBucketTagging", Method::GET, Some(bucket)).query(&[("tagging", "")]);
        match self.read::<xml::Tagging>("Tagging", request).await {
            Ok(tagging) => Ok(tagging.into_map()),
            Err(e) if e.is(&S3Code::NoSuchTagSet) => Ok(BTreeMap::new()),
            Err(e) => Err(e),
        }
    }

    /// Sets the bucket's tags to exactly `tags` (PutBucketTagging, or DeleteBucketTagging when
    /// there are none).
    pub async fn set_bucket_tags(
        &self,
        bucket: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), S3Error> {
        let request = if tags.is_empty() {
            Request::new("DeleteBucketTagging", Method::DELETE, Some(bucket))
        } else {
            let body = to_xml("PutBucketTagging", bucket, &xml::Tagging::new(tags))?;
            Request::new("PutBucketTagging", Method::PUT, Some(bucket))
                .body(body, "application/xml")
        };
        self.send(request.query(&[("tagging", "")])).await.map(drop)
    }

    /// One page of the bucket's object keys (ListObjectsV2, up to 1000), and the token of the
    /// next page, if any.
    pub async fn list_object_keys(
        &self,
        bucket: &str,
        continuation: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), S3Error> {
        let mut query = vec![("list-type", "2"), ("max-keys", PAGE_SIZE)];
        if let Some(token) = continuation {
            query.push(("continuation-token", token));
        }
        let request = Request::new("ListObjectsV2", Method::GET, Some(bucket)).query(&query);
        let answer: xml::ListBucketResult = self.read("ListBucketResult", request).await?;
        let next = answer
            .next_continuation_token
            .filter(|token| answer.is_truncated && !token.is_empty());
        Ok((answer.contents.into_iter().map(|o| o.key).collect(), next))
    }

    /// DeleteObject (an object that is already gone is no error).
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), S3Error> {
        let mut request = Request::new("DeleteObject", Method::DELETE, Some(bucket));
        request.key = Some(key);
        match self.send(request).await {
            Ok(_) => Ok(()),
            Err(e) if e.is(&S3Code::NoSuchKey) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// GetBucketPolicy: the document as the endpoint holds it; `None` when the bucket has no
    /// policy (`NoSuchBucketPolicy`, or an empty answer).
    pub async fn get_bucket_policy(&self, bucket: &str) -> Result<Option<String>, S3Error> {
        let request =
            Request::new("GetBucketPolicy", Method::GET, Some(bucket)).query(&[("policy", "")]);
        let target = request.target();
        match self.send(request).await {
            Ok(body) => {
                let text = String::from_utf8(body).map_err(|e| S3Error::Malformed {
                    operation: "GetBucketPolicy",
                    target,
                    problem: format!("not UTF-8: {e}"),
                })?;
                Ok(Some(text).filter(|text| !text.trim().is_empty()))
            }
            Err(e) if e.is(&S3Code::NoSuchBucketPolicy) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PutBucketPolicy with `document` as it is.
    pub async fn put_bucket_policy(&self, bucket: &str, document: &str) -> Result<(), S3Error> {
        let request = Request::new("PutBucketPolicy", Method::PUT, Some(bucket))
            .query(&[("policy", "")])
            .body(document.as_bytes().to_vec(), "application/json");
        self.send(request).await.map(drop)
    }

    /// DeleteBucketPolicy.
    pub async fn delete_bucket_policy(&self, bucket: &str) -> Result<(), S3Error> {
        let request = Request::new("DeleteBucketPolicy", Method::DELETE, Some(bucket))
            .query(&[("policy", "")]);
        self.send(request).await.map(drop)
    }

    /// Sleeps for `delay`; `false` (at once) when Terraform asks the provider to stop first.
    pub async fn pause(&self, delay: Duration) -> bool {
        self.inner.transport.pause(delay).await
    }

    fn remember_zone(&self, bucket: &str, zone: &str) {
        self.inner
            .zones
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(bucket.to_string(), zone.to_string());
    }

    fn region(&self, bucket: Option<&str>) -> String {
        let zones = self
            .inner
            .zones
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        bucket
            .and_then(|bucket| zones.get(bucket).cloned())
            .unwrap_or_else(|| DEFAULT_SIGNING_REGION.to_string())
    }

    /// Sends `request` and reads its XML answer.
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        root: &str,
        request: Request<'_>,
    ) -> Result<T, S3Error> {
        let (operation, target) = (request.operation, request.target());
        let body = self.send(request).await?;
        xml::from_xml(root, &body).map_err(|problem| S3Error::Malformed {
            operation,
            target,
            problem,
        })
    }

    /// Sends `request` with retries, signed with the current key, and answers the body. A
    /// fresh key the endpoint refuses is tried again for [`FRESH_KEY_GRACE`]; an older one
    /// refused as unknown or expired is replaced once.
    async fn send(&self, request: Request<'_>) -> Result<Vec<u8>, S3Error> {
        let url = self
            .inner
            .addressing
            .url(request.bucket, request.key, request.query);
        let region = self.region(request.bucket);
        let mut retries = 0;
        let mut replaced = false;
        loop {
            let key = self
                .inner
                .keys
                .get(&self.inner.api)
                .await
                .map_err(|e| S3Error::Key(Box::new(e)))?;
            let call = self.call(&request, &url, &key, &region)?;
            let error = match self.inner.transport.send(&call, &mut retries).await {
                Ok(answer) => return Ok(answer.body().to_vec()),
                Err(failure) => failure.error,
            };
            let code = match &error {
                ApiError::S3(status) => Some(S3Code::parse(&status.code)),
                _ => None,
            };
            match code {
                Some(S3Code::InvalidAccessKeyId | S3Code::AccessDenied)
                    if request.waits_for_fresh_key && key.age() < self.inner.fresh_key_grace =>
                {
                    if !self.pause(self.inner.fresh_key_poll).await {
                        let interrupted = ApiError::Interrupted {
                            phase: Phase::WaitingToRetry,
                            request: format!("{} {}", request.method, url.path()),
                            last: Some(Box::new(error)),
                        };
                        return Err(self.failed(&request, interrupted));
                    }
                }
                Some(S3Code::InvalidAccessKeyId | S3Code::ExpiredToken) if !replaced => {
                    self.inner.keys.forget(&key).await;
                    replaced = true;
                }
                _ => return Err(self.failed(&request, error)),
            }
        }
    }

    /// The signed call of `request` to `url`.
    fn call(
        &self,
        request: &Request<'_>,
        url: &Url,
        key: &keys::S3Key,
        region: &str,
    ) -> Result<Call, S3Error> {
        let mut call =
            ApiClient::call_to(request.method.clone(), Protocol::S3, url.clone()).anonymous();
        if request.non_idempotent {
            call = call.non_idempotent();
        }
        if let Some((body, content_type)) = &request.body {
            let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body));
            call = call
                .raw_body(body.clone())
                .header(CONTENT_TYPE, HeaderValue::from_static(content_type))
                .header(
                    HeaderName::from_static("content-md5"),
                    HeaderValue::from_str(&md5).map_err(|e| self.invalid(request, e))?,
                );
        }
        let (method, url, body) = call.parts();
        let headers = sign::signature(key, region, method, url, body, SystemTime::now())
            .map_err(|e| self.failed(request, e))?;
        Ok(headers
            .into_iter()
            .fold(call, |call, (name, value)| call.header(name, value)))
    }

    fn invalid(&self, request: &Request<'_>, e: impl std::fmt::Display) -> S3Error {
        self.failed(request, ApiError::InvalidRequest(e.to_string()))
    }

    fn failed(&self, request: &Request<'_>, error: ApiError) -> S3Error {
        let (operation, target) = (request.operation, request.target());
        match error {
            ApiError::S3(status) => S3Error::Refused {
                operation,
                target,
                code: S3Code::parse(&status.code),
                status,
            },
            source => S3Error::Call {
                operation,
                target,
                source: Box::new(source),
            },
        }
    }
}

/// A request document as XML.
fn to_xml(
    operation: &'static str,
    bucket: &str,
    document: &impl serde::Serialize,
) -> Result<Vec<u8>, S3Error> {
    xml::to_xml(document).map_err(|problem| S3Error::Malformed {
        operation,
        target: format!("of bucket {bucket:?}"),
        problem,
    })
}
