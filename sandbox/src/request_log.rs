//! The log of API requests that tests read through `/_sandbox/requests`: method, path, status,
//! whether the request is a write (as [`crate::paths::is_write`] says), the size of the answer's
//! body when known, and the body of a `PATCH`;
//! the newest ones up to a capacity, with a count of those dropped to make room.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

use crate::paths::is_write;

/// One answered API request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// URI path (no query).
    pub path: String,
    /// HTTP status of the answer.
    pub status: u16,
    /// True when the request could change state.
    pub write: bool,
    /// The JSON body of a `PATCH` (the only bodies kept: they never hold a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The size of the answer's body in bytes, when it was known in advance (API answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The TLS server name a Kubernetes endpoint request came for, e.g.
    /// `api.<apiServerEndpoint>` (absent for API requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Why a Kubernetes endpoint refused the request (never the token itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `s3` for a request to the S3 endpoint (its path is `/<bucket>/<key>`, without the
    /// query); absent for the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<&'static str>,
    /// The `Host` header of an S3 request (`<bucket>.s3.sandbox.test:<port>` when
    /// virtual-hosted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

#[derive(Debug)]
struct Entry {
    seq: u64,
    method: String,
    path: String,
    write: bool,
    body: Option<Value>,
    status: Option<u16>,
    bytes: Option<u64>,
    server: Option<String>,
    reason: Option<String>,
    service: Option<&'static str>,
    host: Option<String>,
}

/// How many requests a sandbox keeps unless told otherwise.
pub const DEFAULT_REQUEST_LOG_CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
struct Inner {
    next_seq: u64,
    entries: VecDeque<Entry>,
    dropped: u64,
}

/// Requests in arrival order, the newest `capacity`; each is listed once answered.
#[derive(Debug)]
pub struct RequestLog {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_REQUEST_LOG_CAPACITY)
    }
}

impl RequestLog {
    /// An empty log that keeps the newest `capacity` requests (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the arrival of a request (with its JSON body for a `PATCH`); returns its ticket
    /// for [`RequestLog::finish`].
    pub fn begin(&self, method: &str, path: &str, body: Option<Value>) -> u64 {
        self.record(method, path, body, None, None)
    }

    /// Records the arrival of an S3 request (`path` without the query: a presigned URL's
    /// query holds the signature and the session token).
    pub fn begin_s3(&self, method: &str, path: &str, host: Option<&str>) -> u64 {
        self.record(method, path, None, Some("s3"), host.map(String::from))
    }

    fn record(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        service: Option<&'static str>,
        host: Option<String>,
    ) -> u64 {
        let mut inner = self.lock();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.entries.len() == self.capacity {
            inner.entries.pop_front();
            inner.dropped += 1;
        }
        inner.entries.push_back(Entry {
            seq,
            method: method.to_string(),
            path: path.to_string(),
            write: is_write(method, path),
            body,
            status: None,
            bytes: None,
            server: None,
            reason: None,
            service,
            host,
        });
        seq
    }

    /// Records a Kubernetes endpoint request already answered, with the TLS server name it
    /// came for and, when refused, why (never a write: the emulated Kubernetes API only reads).
    pub fn record_kubernetes(
        &self,
        method: &str,
        path: &str,
        server: &str,
        status: u16,
        reason: Option<String>,
    ) {
        let ticket = self.begin(method, path, None);
        let mut inner = self.lock();
        if let Some(entry) = inner.entries.iter_mut().find(|e| e.seq == ticket) {
            entry.status = Some(status);
            entry.write = false;
            entry.server = Some(server.to_string());
            entry.reason = reason;
        }
    }

    /// Records the status a request was answered with.
    pub fn finish(&self, ticket: u64, status: u16) {
        self.finish_sized(ticket, status, None);
    }

    /// Records the status a request was answered with and the size of the answer's body.
    pub fn finish_sized(&self, ticket: u64, status: u16, bytes: Option<u64>) {
        let mut inner = self.lock();
        if let Some(entry) = inner.entries.iter_mut().find(|e| e.seq == ticket) {
            entry.status = Some(status);
            entry.bytes = bytes;
        }
    }

    /// The answered requests, in arrival order.
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.lock()
            .entries
            .iter()
            .filter_map(|entry| {
                entry.status.map(|status| RecordedRequest {
                    method: entry.method.clone(),
                    path: entry.path.clone(),
                    status,
                    write: entry.write,
                    body: entry.body.clone(),
                    bytes: entry.bytes,
                    server: entry.server.clone(),
                    reason: entry.reason.clone(),
                    service: entry.service,
                    host: entry.host.clone(),
                })
            })
            .collect()
    }

    /// How many requests were dropped to keep the log within its capacity.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Forgets every request recorded so far, and the dropped count.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_in_arrival_order_once_answered() {
        let log = RequestLog::default();
        let first = log.begin("GET", "/a", None);
        let second = log.begin("PATCH", "/b", Some(serde_json::json!({"id": "b"})));
        log.finish(second, 200);
        assert_eq!(log.snapshot().len(), 1);
        log.finish_sized(first, 401, Some(12));
        let paths: Vec<_> = log.snapshot().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        let sizes: Vec<_> = log.snapshot().into_iter().map(|r| r.bytes).collect();
        assert_eq!(sizes, [Some(12), None]);
        assert_eq!(log.snapshot()[1].body, Some(serde_json::json!({"id": "b"})));
    }

    #[test]
    fn the_oldest_requests_make_room_and_are_counted() {
        let log = RequestLog::with_capacity(2);
        for path in ["/a", "/b", "/c"] {
            let ticket = log.begin("GET", path, None);
            log.finish(ticket, 200);
        }
        let paths: Vec<_> = log.snapshot().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/b", "/c"]);
        assert_eq!(log.dropped(), 1);
        log.clear();
        assert_eq!(log.dropped(), 0);
    }

    #[test]
    fn s3_requests_are_marked_as_such() {
        let log = RequestLog::default();
        let api = log.begin("GET", "/v1/cwobject/access-policy", None);
        let s3 = log.begin_s3(
            "GET",
            "/models/weights.bin",
            Some("models.s3.sandbox.test:1"),
        );
        log.finish(api, 200);
        log.finish(s3, 403);
        let services: Vec<_> = log.snapshot().into_iter().map(|r| r.service).collect();
        assert_eq!(services, [None, Some("s3")]);
        assert_eq!(
            log.snapshot()[1].host.as_deref(),
            Some("models.s3.sandbox.test:1")
        );
    }

    #[test]
    fn clear_forgets_everything() {
        let log = RequestLog::default();
        let t = log.begin("GET", "/a", None);
        log.clear();
        log.finish(t, 200);
        assert!(log.snapshot().is_empty());
    }
}
