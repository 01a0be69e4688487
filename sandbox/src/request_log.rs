//! The log of API requests that tests read through `/_sandbox/requests`: method, path, status,
//! whether the request is a write (as [`crate::paths::is_write`] says), and the body of a `PATCH`.

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
}

#[derive(Debug)]
struct Entry {
    seq: u64,
    method: String,
    path: String,
    write: bool,
    body: Option<Value>,
    status: Option<u16>,
}

#[derive(Debug, Default)]
struct Inner {
    next_seq: u64,
    entries: Vec<Entry>,
}

/// Requests in arrival order; each is listed once answered.
#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

impl RequestLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the arrival of a request (with its JSON body for a `PATCH`); returns its ticket
    /// for [`RequestLog::finish`].
    pub fn begin(&self, method: &str, path: &str, body: Option<Value>) -> u64 {
        let mut inner = self.lock();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.entries.push(Entry {
            seq,
            method: method.to_string(),
            path: path.to_string(),
            write: is_write(method, path),
            body,
            status: None,
        });
        seq
    }

    /// Records the status a request was answered with.
    pub fn finish(&self, ticket: u64, status: u16) {
        let mut inner = self.lock();
        if let Some(entry) = inner.entries.iter_mut().find(|e| e.seq == ticket) {
            entry.status = Some(status);
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
                })
            })
            .collect()
    }

    /// Forgets every request recorded so far.
    pub fn clear(&self) {
        self.lock().entries.clear();
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
        log.finish(first, 401);
        let paths: Vec<_> = log.snapshot().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        assert_eq!(log.snapshot()[1].body, Some(serde_json::json!({"id": "b"})));
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
