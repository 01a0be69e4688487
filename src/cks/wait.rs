//! Waiting for a CKS cluster to settle, and patching it once it is ready.

use std::time::Duration;

use tokio::time::Instant;

use crate::api::cks::{Cluster, ClusterStatus, OidcUpdate};
use crate::api::{ApiClient, ApiError, Code};

/// Why an operation on a cluster did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ClusterOpError {
    /// The cluster did not reach `STATUS_RUNNING` before the deadline.
    #[error("timed out after {waited:?} waiting for cluster {cluster_id} to return to STATUS_RUNNING (last status {last_status})")]
    Timeout {
        cluster_id: String,
        last_status: String,
        waited: Duration,
    },
    /// The cluster reported `STATUS_FAILED`.
    #[error(
        "cluster {cluster_id} reported STATUS_FAILED; check the cluster in the CoreWeave console"
    )]
    Failed { cluster_id: String },
    /// The cluster no longer exists.
    #[error("cluster {cluster_id} was not found")]
    Gone { cluster_id: String },
    /// Terraform asked the provider to stop (Ctrl-C) while it was waiting.
    #[error(
        "interrupted while waiting for cluster {cluster_id} (Terraform asked the provider to stop)"
    )]
    Interrupted { cluster_id: String },
    /// An API call failed.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Poll delays: start fast (sandbox and quick updates), back off to a gentle rate.
#[derive(Debug, Clone, Copy)]
pub struct PollSchedule {
    pub initial: Duration,
    pub factor: f64,
    pub max: Duration,
}

impl Default for PollSchedule {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(200),
            factor: 1.5,
            max: Duration::from_secs(10),
        }
    }
}

impl PollSchedule {
    /// Delay before poll number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let d = self.initial.as_secs_f64() * self.factor.powi(attempt.min(60) as i32);
        Duration::from_secs_f64(d.min(self.max.as_secs_f64()))
    }
}

/// True while the cluster is busy with a change that will end on its own.
pub fn is_transitional(status: &ClusterStatus) -> bool {
    matches!(
        status,
        ClusterStatus::Updating
            | ClusterStatus::Upgrading
            | ClusterStatus::Creating
            | ClusterStatus::Unspecified
    )
}

/// Sleeps for `delay` unless Terraform asks the provider to stop first (an API call in flight
/// is abandoned by the client itself, [`ApiError::Interrupted`]).
async fn pause(
    client: &ApiClient,
    cluster_id: &str,
    delay: Duration,
) -> Result<(), ClusterOpError> {
    if client.pause(delay).await {
        Ok(())
    } else {
        Err(ClusterOpError::Interrupted {
            cluster_id: cluster_id.into(),
        })
    }
}

/// Polls the cluster until it is `STATUS_RUNNING`, failed, gone or the deadline passes.
pub async fn until_running(
    client: &ApiClient,
    cluster_id: &str,
    deadline: Instant,
) -> Result<Cluster, ClusterOpError> {
    let schedule = PollSchedule::default();
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let cluster =
            client
                .get_cluster(cluster_id)
                .await?
                .ok_or_else(|| ClusterOpError::Gone {
                    cluster_id: cluster_id.into(),
                })?;
        match &cluster.status {
            ClusterStatus::Running => return Ok(cluster),
            ClusterStatus::Failed => {
                return Err(ClusterOpError::Failed {
                    cluster_id: cluster_id.into(),
                })
            }
            status if !is_transitional(status) && !matches!(status, ClusterStatus::Other(_)) => {
                // Deleting / deleted: it will not come back.
                return Err(ClusterOpError::Gone {
                    cluster_id: cluster_id.into(),
                });
            }
            status => {
                let delay = schedule.delay(attempt);
                if Instant::now() + delay > deadline {
                    return Err(ClusterOpError::Timeout {
                        cluster_id: cluster_id.into(),
                        last_status: status.to_string(),
                        waited: started.elapsed(),
                    });
                }
                tracing::debug!(cluster_id, %status, delay_ms = delay.as_millis() as u64, "waiting for cluster");
                pause(client, cluster_id, delay).await?;
                attempt += 1;
            }
        }
    }
}

/// Waits until the cluster is running, then sends `update` as a PATCH for the cluster as it is
/// then (its current `version`). A `FAILED_PRECONDITION` answer (the cluster became busy
/// meanwhile) is waited out, interruptibly and within the deadline, not failed. Returns the
/// cluster as the PATCH left it; a lost answer is reconciled by the client.
pub async fn patch_when_running(
    client: &ApiClient,
    cluster_id: &str,
    deadline: Instant,
    update: &OidcUpdate,
) -> Result<Cluster, ClusterOpError> {
    let schedule = PollSchedule::default();
    let mut attempt = 0;
    loop {
        let cluster = until_running(client, cluster_id, deadline).await?;
        match client.update_cluster(&update.request(&cluster)).await {
            Ok(updated) => return Ok(updated),
            Err(e) if e.code() == Some(Code::FailedPrecondition) => {
                let delay = schedule.delay(attempt);
                if Instant::now() + delay > deadline {
                    return Err(e.into());
                }
                tracing::debug!(
                    cluster_id,
                    "cluster busy, waiting before patching again: {e}"
                );
                pause(client, cluster_id, delay).await?;
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests;
