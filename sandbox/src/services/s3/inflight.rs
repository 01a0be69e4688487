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

use bytes::Bytes;
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
    inner: Incoming,
    hold: Hold,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl BoundedBody {
    /// Wraps `inner`, taking its bytes from `hold`, stalled after `idle` without a frame.
    pub fn new(inner: Incoming, hold: Hold, idle: Duration) -> Self {
        Self {
            inner,
            hold,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
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
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.hold.take(data.len())?;
                }
                let next = Instant::now() + this.idle;
                this.deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                Poll::Ready(Some(Err(BodyError::Transport(e.to_string()))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyError::Stalled(this.idle)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests;
