//! Waiting for a CKS cluster to settle, and patching it once it is ready.

use std::time::Duration;

use tokio::time::{sleep, Instant};

use crate::api::cks::{oidc_fields, Cluster, ClusterStatus, UpdateClusterRequest};
use crate::api::{ApiClient, ApiError, Code};
use crate::interrupt;

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
async fn pause(cluster_id: &str, delay: Duration) -> Result<(), ClusterOpError> {
    let interrupted = || ClusterOpError::Interrupted {
        cluster_id: cluster_id.into(),
    };
    let stop = interrupt::global();
    if stop.is_requested() {
        return Err(interrupted());
    }
    tokio::select! {
        () = sleep(delay) => Ok(()),
        () = stop.requested() => Err(interrupted()),
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
                pause(cluster_id, delay).await?;
                attempt += 1;
            }
        }
    }
}

/// Waits until the cluster is running, then sends the PATCH built from its current state
/// (`build` gets the fresh cluster, e.g. for its `version`). A `FAILED_PRECONDITION` answer (the
/// cluster became busy meanwhile) is waited out, not failed. Returns the cluster as the PATCH
/// left it.
pub async fn patch_when_running(
    client: &ApiClient,
    cluster_id: &str,
    deadline: Instant,
    build: impl Fn(&Cluster) -> UpdateClusterRequest,
) -> Result<Cluster, ClusterOpError> {
    let schedule = PollSchedule::default();
    let mut attempt = 0;
    loop {
        let cluster = until_running(client, cluster_id, deadline).await?;
        let request = build(&cluster);
        match client.update_cluster(&request).await {
            Ok(updated) => return Ok(updated),
            Err(e) if e.outcome_unknown() => {
                // The PATCH may have been applied before the answer was lost: look.
                return match client.get_cluster(cluster_id).await? {
                    Some(now) if already_applied(&now, &request) => {
                        tracing::debug!(
                            cluster_id,
                            "the PATCH took effect although its answer failed: {e}"
                        );
                        Ok(now)
                    }
                    _ => Err(e.into()),
                };
            }
            Err(e) if e.code() == Some(Code::FailedPrecondition) && Instant::now() < deadline => {
                tracing::debug!(
                    cluster_id,
                    "cluster busy, waiting before patching again: {e}"
                );
                sleep(schedule.delay(attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Whether `cluster` already holds what `request` sets: every masked `oidc.*` field has the
/// requested value (absent, empty string and empty list all mean "unset").
pub fn already_applied(cluster: &Cluster, request: &UpdateClusterRequest) -> bool {
    let have = oidc_fields(cluster.oidc.as_ref());
    let want = oidc_fields(request.oidc.as_ref());
    request
        .update_mask
        .iter()
        .all(|path| match path.strip_prefix("oidc.") {
            Some(field) => have.get(field) == want.get(field),
            None => false,
        })
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
        let build = |c: &Cluster| UpdateClusterRequest {
            id: c.id.clone(),
            version: c.version.clone(),
            update_mask: vec!["oidc.clientId".into()],
            oidc: None,
        };
        let updated = patch_when_running(&client, "c1", deadline, build)
            .await
            .expect("patched after waiting");
        assert_eq!(updated.status, ClusterStatus::Updating);
        let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
        assert_eq!(methods, ["GET", "PATCH", "GET", "GET", "PATCH"]);
    }

    fn patch_request() -> UpdateClusterRequest {
        let oidc = serde_json::from_value(json!({"clientId": "new"})).unwrap();
        UpdateClusterRequest {
            id: "c1".into(),
            version: "1.32".into(),
            update_mask: vec!["oidc.clientId".into(), "oidc.usernameClaim".into()],
            oidc: Some(oidc),
        }
    }

    #[tokio::test]
    async fn a_patch_whose_answer_was_lost_but_took_effect_counts_as_accepted() {
        let server = TestServer::start().await;
        server.push(cluster("STATUS_RUNNING"));
        server.push(Reply::json(
            502,
            json!({"code": 14, "message": "bad gateway"}),
        ));
        server.push(Reply::json(
            200,
            json!({"cluster": {"id": "c1", "name": "n", "zone": "z", "version": "1.32", "status": "STATUS_UPDATING",
                               "oidc": {"issuerUrl": "https://i.example.com", "clientId": "new"}}}),
        ));
        let client = server.client(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let updated = patch_when_running(&client, "c1", deadline, |_| patch_request())
            .await
            .expect("reconciled");
        assert_eq!(updated.status, ClusterStatus::Updating);
    }

    #[tokio::test]
    async fn a_lost_patch_that_did_not_take_effect_is_an_error() {
        let server = TestServer::start().await;
        server.push(cluster("STATUS_RUNNING"));
        server.push(Reply::json(
            502,
            json!({"code": 14, "message": "bad gateway"}),
        ));
        server.push(cluster("STATUS_RUNNING"));
        let client = server.client(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let err = patch_when_running(&client, "c1", deadline, |_| patch_request())
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("502") || err.to_string().contains("bad gateway"),
            "{err}"
        );
    }

    #[test]
    fn applied_compares_only_masked_fields_and_treats_empty_as_unset() {
        let have: Cluster = serde_json::from_value(json!({"id": "c1", "name": "n", "zone": "z", "version": "1",
            "status": "STATUS_RUNNING", "oidc": {"issuerUrl": "https://i", "clientId": "new", "usernameClaim": ""}}))
        .unwrap();
        assert!(already_applied(&have, &patch_request()));
        let mut other = patch_request();
        other.update_mask.push("oidc.groupsClaim".into());
        other.oidc =
            serde_json::from_value(json!({"clientId": "new", "groupsClaim": "g"})).unwrap();
        assert!(!already_applied(&have, &other));
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
