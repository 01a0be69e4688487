//! A sandbox whose S3 endpoint listens on a free loopback port, and presigned (SigV4 query
//! auth) S3 requests to it.

use std::time::Duration;

use coreweave_sandbox::connection::ConnectionLimits;
use coreweave_sandbox::model::bucket::{BucketSettings, DEFAULT_ZONE};
use coreweave_sandbox::model::credentials::{IssuedKey, KeyRequest};
use coreweave_sandbox::services::s3::{self, REGION};
use coreweave_sandbox::{seed, AppState, Config, SharedState};
use reqwest::Method;
use serde_json::Value;
use tokio::net::TcpListener;
use url::Url;

use crate::support::table_policies;

/// The S3 endpoint of a sandbox, served until dropped.
pub struct S3Sandbox {
    pub state: SharedState,
    pub url: String,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl S3Sandbox {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::for_tests();
        config.s3_url = url.clone();
        let state = AppState::new(config, seed::default_store());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(s3::serve(
            listener,
            state.clone(),
            ConnectionLimits::default(),
            async {
                let _ = stopped.await;
            },
        ));
        Self {
            state,
            url,
            http: reqwest::Client::new(),
            stop: Some(stop),
        }
    }

    /// Replaces the organization's access policies with `policies` (a shared-table case's).
    pub fn set_policies(&self, policies: &Value) {
        self.state.store().policies = table_policies(policies);
    }

    /// A key for `principal`: permanent unless `ttl_seconds`, with a session token if asked.
    pub fn key(&self, principal: &str, ttl_seconds: Option<i64>, session: bool) -> IssuedKey {
        self.issue(principal, &self.state.org_id, ttl_seconds, session)
    }

    /// A key for `principal` of organization `org_id` (permanent, no session token).
    pub fn key_in_org(&self, principal: &str, org_id: &str) -> IssuedKey {
        self.issue(principal, org_id, None, false)
    }

    fn issue(
        &self,
        principal: &str,
        org_id: &str,
        ttl_seconds: Option<i64>,
        session: bool,
    ) -> IssuedKey {
        let now = std::time::SystemTime::now();
        let request = KeyRequest {
            id_prefix: "CWTEST",
            principal: principal.into(),
            org_id: org_id.into(),
            expires_at: ttl_seconds
                .map(|s| coreweave_sandbox::model::credentials::after_seconds(now, s)),
            with_session_token: session,
        };
        self.state
            .credentials
            .issue(request, now)
            .expect("room for the key")
    }

    /// Seeds `bucket` with `objects` (key, text).
    pub fn seed(&self, bucket: &str, objects: &[(&str, &str)]) {
        let settings = BucketSettings::new(DEFAULT_ZONE, &self.state.org_id);
        self.state.objects.ensure_bucket(bucket, settings);
        for (key, text) in objects {
            let data = bytes::Bytes::copy_from_slice(text.as_bytes());
            let object = coreweave_sandbox::model::object_store::StoredObject {
                etag: s3::body::md5_hex(&data),
                data,
                last_modified: std::time::SystemTime::now(),
                content_type: None,
            };
            self.state.objects.put_object(bucket, key, object).unwrap();
        }
    }

    /// A presigned URL for `method` on `path` (`/`, `/bucket` or `/bucket/key`) with `query`,
    /// signed with `key` (and `token` as the session token).
    pub fn presign(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, &str)],
        key: &IssuedKey,
        token: Option<&str>,
    ) -> Url {
        let method = match *method {
            Method::GET => rusty_s3::Method::Get,
            Method::PUT => rusty_s3::Method::Put,
            Method::POST => rusty_s3::Method::Post,
            Method::DELETE => rusty_s3::Method::Delete,
            Method::HEAD => rusty_s3::Method::Head,
            ref other => panic!("unsupported method {other}"),
        };
        rusty_s3::signing::sign(
            &time::OffsetDateTime::now_utc(),
            method,
            Url::parse(&format!("{}{path}", self.url)).unwrap(),
            &key.access_key_id,
            &key.secret_key,
            token,
            REGION,
            Duration::from_secs(300).as_secs(),
            query.iter().copied(),
            std::iter::empty(),
        )
    }

    /// Sends a request to `url`: (status, body text).
    pub async fn send(&self, method: Method, url: Url, body: Option<&str>) -> (u16, String) {
        self.try_send(method, url, body).await.unwrap()
    }

    /// [`S3Sandbox::send`], or the error of a request that got no answer.
    pub async fn try_send(
        &self,
        method: Method,
        url: Url,
        body: Option<&str>,
    ) -> Result<(u16, String), reqwest::Error> {
        let mut req = self.http.request(method, url);
        if let Some(body) = body {
            req = req.body(body.to_string());
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        Ok((status, resp.text().await.unwrap_or_default()))
    }
}

impl S3Sandbox {
    /// Lets every principal do everything (one org-policy statement, `everyone/all`).
    pub fn allow_everything(&self) {
        self.set_policies(&serde_json::json!([{
            "name": "everyone", "statements": [{"name": "all", "effect": "Allow",
            "actions": ["*"], "resources": ["*"], "principals": ["*"]}]}]));
    }

    /// Makes `method` on `path` with `query` and `body`, presigned with `key` (and its session
    /// token): (status, body text).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        key: &IssuedKey,
        body: Option<&str>,
    ) -> (u16, String) {
        self.try_call(method, path, query, key, body).await.unwrap()
    }

    /// [`S3Sandbox::call`], or the error of a request that got no answer.
    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        key: &IssuedKey,
        body: Option<&str>,
    ) -> Result<(u16, String), reqwest::Error> {
        let token = key.session_token.as_deref();
        let url = self.presign(&method, path, query, key, token);
        self.try_send(method, url, body).await
    }
}

/// The body of a CreateBucket in `zone`.
pub fn location_body(zone: &str) -> String {
    format!(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <LocationConstraint>{zone}</LocationConstraint></CreateBucketConfiguration>"
    )
}

impl Drop for S3Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The text of the first `<element>` of an XML body.
pub fn xml_text<'a>(body: &'a str, element: &str) -> Option<&'a str> {
    let open = format!("<{element}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{element}>"))? + start;
    Some(&body[start..end])
}

/// The `<Code>` of an S3 error body.
pub fn error_code(body: &str) -> Option<&str> {
    xml_text(body, "Code")
}
