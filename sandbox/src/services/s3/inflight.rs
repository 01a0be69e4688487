//! Request bodies on their way in: what all of them hold together is bounded, and a body that
//! stops arriving is dropped. hyper keeps neither promise (the object store's own bound counts
//! stored bytes only), so every S3 request body is wrapped, before s3s reads any of it, in a
//! [`BoundedBody`]: each frame's bytes are taken from one [`BodyBudget`] of
//! [`MAX_IN_FLIGHT_BYTES`] and given back when the request has been answered, and a body that
//! sends nothing for the connection's idle limit ends with [`BodyError::Stalled`].

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

/// What all request bodies being received may hold together: as much as the store holds.
pub const MAX_IN_FLIGHT_BYTES: usize = crate::model::object_store::MAX_STORED_BYTES;

/// Why a body was cut off.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Nothing arrived for this long.
    #[error("no part of the body arrived for {0:?}")]
    Stalled(Duration),
    /// The bodies being received already hold [`MAX_IN_FLIGHT_BYTES`].
    #[error("the bodies being received already hold {MAX_IN_FLIGHT_BYTES} bytes")]
    OverBudget,
    /// The connection failed.
    #[error("reading the body: {0}")]
    Transport(String),
}

impl BodyError {
    /// The S3 error a client gets: `RequestTimeout` when the body stalled, `SlowDown` over the
    /// budget (S3's way to ask a client to back off), else `IncompleteBody`.
    pub fn to_s3(&self) -> s3s::S3Error {
        match self {
            BodyError::Stalled(idle) => s3s::s3_error!(
                RequestTimeout,
                "Your socket connection to the server was not read from or written to within \
                 the timeout period ({idle:?})."
            ),
            BodyError::OverBudget => {
                s3s::s3_error!(SlowDown, "Please reduce your request rate: {self}")
            }
            BodyError::Transport(_) => s3s::s3_error!(IncompleteBody, "{self}"),
        }
    }
}

/// The bytes all bodies in flight hold.
#[derive(Debug)]
pub struct BodyBudget {
    held: AtomicUsize,
    limit: usize,
}

impl Default for BodyBudget {
    fn default() -> Self {
        Self::with_limit(MAX_IN_FLIGHT_BYTES)
    }
}

impl BodyBudget {
    /// A budget of `limit` bytes.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            held: AtomicUsize::new(0),
            limit,
        }
    }

    /// The bytes held now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }
}

/// One request's share of a [`BodyBudget`], given back when the last clone is dropped (the body
/// and the request's answer each hold one).
#[derive(Debug, Clone)]
pub struct Hold(Arc<HoldInner>);

#[derive(Debug)]
struct HoldInner {
    budget: Arc<BodyBudget>,
    bytes: AtomicUsize,
}

impl Hold {
    /// A hold of nothing yet on `budget`.
    pub fn new(budget: Arc<BodyBudget>) -> Self {
        Self(Arc::new(HoldInner {
            budget,
            bytes: AtomicUsize::new(0),
        }))
    }

    fn take(&self, bytes: usize) -> Result<(), BodyError> {
        let budget = &self.0.budget;
        budget
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                held.checked_add(bytes)
                    .filter(|after| *after <= budget.limit)
            })
            .map_err(|_| BodyError::OverBudget)?;
        self.0.bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(())
    }
}

impl Drop for HoldInner {
    fn drop(&mut self) {
        let bytes = *self.bytes.get_mut();
        self.budget.held.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// A request body whose bytes are taken from a budget and which ends when it stalls.
pub struct BoundedBody {
    /// Bytes read ahead ([`BoundedBody::read_ahead`]), served first.
    ahead: Option<Bytes>,
    inner: Incoming,
    hold: Hold,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl BoundedBody {
    /// Wraps `inner`, taking its bytes from `hold`, stalled after `idle` without a frame.
    pub fn new(inner: Incoming, hold: Hold, idle: Duration) -> Self {
        Self {
            ahead: None,
            inner,
            hold,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }
}

impl BoundedBody {
    /// Reads frames until `enough` holds for the bytes read so far, `max` bytes are read or the
    /// body ends; returns those bytes, which the body then serves again first.
    pub async fn read_ahead(
        &mut self,
        max: usize,
        enough: impl Fn(&[u8]) -> bool,
    ) -> Result<Bytes, BodyError> {
        let mut read = BytesMut::new();
        while read.len() < max && !enough(&read) {
            let frame = std::future::poll_fn(|cx| self.poll_inner(cx)).await;
            match frame {
                Some(frame) => {
                    if let Ok(data) = frame?.into_data() {
                        read.extend_from_slice(&data);
                    }
                }
                None => break,
            }
        }
        let read = read.freeze();
        self.ahead = Some(read.clone());
        Ok(read)
    }

    fn poll_inner(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.hold.take(data.len())?;
                }
                let next = Instant::now() + self.idle;
                self.deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                Poll::Ready(Some(Err(BodyError::Transport(e.to_string()))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyError::Stalled(self.idle)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl Body for BoundedBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if let Some(ahead) = self.ahead.take().filter(|ahead| !ahead.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(ahead))));
        }
        self.poll_inner(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.ahead.as_ref().is_none_or(|ahead| ahead.is_empty()) && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.inner.size_hint();
        let ahead = self.ahead.as_ref().map_or(0, |ahead| ahead.len() as u64);
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + ahead);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + ahead);
        }
        hint
    }
}

#[cfg(test)]
mod tests;
