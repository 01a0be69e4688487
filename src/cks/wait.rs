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

/// Sleeps for `delay` unless Terraform asks the provider to stop first. Only waits are
/// interruptible: an API call in flight is never abandoned, so its outcome is always known.
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
mod tests {
    use super::*;
    use crate::api::test_server::{Reply, TestServer};
    use serde_json::json;

    fn cluster(status: &str) -> Reply {
        Reply::json(
            200,
            json!({"cluster": {"id": "c1", "name": "n", "zone": "z", "version": "1.32", "status": status}}),
        )
    }

    fn busy() -> Reply {
        Reply::json(
            400,
            json!({"code": 9, "message": "cluster is STATUS_UPDATING", "details": []}),
        )
    }

    #[tokio::test]
    async fn a_busy_answer_to_the_patch_is_waited_out_and_retried() {
        let server = TestServer::start().await;
        for reply in [
            cluster("STATUS_RUNNING"),
            busy(),
            cluster("STATUS_UPDATING"),
            cluster("STATUS_RUNNING"),
            cluster("STATUS_UPDATING"),
        ] {
            server.push(reply);
        }
        let client = server.client(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let updated = patch_when_running(&client, "c1", deadline, &update())
            .await
            .expect("patched after waiting");
        assert_eq!(updated.status, ClusterStatus::Updating);
        let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
        assert_eq!(methods, ["GET", "PATCH", "GET", "GET", "PATCH"]);
    }

    fn update() -> OidcUpdate {
        let oidc =
            serde_json::from_value(json!({"issuerUrl": "https://i", "clientId": "new"})).unwrap();
        OidcUpdate::between(None, Some(&oidc)).unwrap()
    }

    #[tokio::test]
    async fn a_stop_during_the_busy_retry_ends_the_wait_at_once() {
        let server = TestServer::start().await;
        server.push(cluster("STATUS_RUNNING"));
        server.push(busy());
        let stop = tokio_util::sync::CancellationToken::new();
        let client = server.client_with_stop(0, &stop);
        // Hours of budget: only the stop can end this wait promptly.
        let deadline = Instant::now() + Duration::from_secs(3600);
        let update = update();
        let patching = patch_when_running(&client, "c1", deadline, &update);
        let stopper = async {
            while server.requests().len() < 2 {
                tokio::task::yield_now().await;
            }
            stop.cancel();
        };
        let (result, ()) = tokio::join!(patching, stopper);
        assert!(
            matches!(result, Err(ClusterOpError::Interrupted { .. })),
            "{result:?}"
        );
        assert_eq!(server.requests().len(), 2, "no request after the stop");
    }

    #[tokio::test]
    async fn a_busy_answer_near_the_deadline_fails_instead_of_sleeping_past_it() {
        let server = TestServer::start().await;
        server.push(cluster("STATUS_RUNNING"));
        server.push(busy());
        let client = server.client(0);
        let deadline = Instant::now() + Duration::from_millis(100);
        let err = patch_when_running(&client, "c1", deadline, &update())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ClusterOpError::Api(e) if e.code() == Some(Code::FailedPrecondition)),
            "{err}"
        );
        assert_eq!(server.requests().len(), 2);
    }

    #[tokio::test]
    async fn waiting_gives_up_at_the_deadline_with_the_last_status() {
        let server = TestServer::start().await;
        for _ in 0..20 {
            server.push(cluster("STATUS_UPDATING"));
        }
        let client = server.client(0);
        let err = until_running(&client, "c1", Instant::now() + Duration::from_millis(400))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("last status STATUS_UPDATING"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_failed_cluster_ends_the_wait_at_once() {
        let server = TestServer::start().await;
        server.push(cluster("STATUS_FAILED"));
        let client = server.client(0);
        let err = until_running(&client, "c1", Instant::now() + Duration::from_secs(60))
            .await
            .unwrap_err();
        assert!(matches!(err, ClusterOpError::Failed { .. }), "{err}");
    }

    #[test]
    fn poll_delays_grow_and_are_capped() {
        let s = PollSchedule::default();
        assert_eq!(s.delay(0), Duration::from_millis(200));
        assert_eq!(s.delay(1), Duration::from_millis(300));
        assert!(s.delay(5) > s.delay(4));
        assert_eq!(s.delay(100), Duration::from_secs(10));
    }

    #[test]
    fn busy_statuses_are_transitional_and_final_ones_are_not() {
        assert!(is_transitional(&ClusterStatus::Updating));
        assert!(is_transitional(&ClusterStatus::Upgrading));
        assert!(!is_transitional(&ClusterStatus::Running));
        assert!(!is_transitional(&ClusterStatus::Failed));
        assert!(!is_transitional(&ClusterStatus::Deleting));
    }
}
