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
    // The stop comes while the busy answer is on its way or during the pause after it.
    assert!(
        matches!(
            result,
            Err(ClusterOpError::Interrupted { .. }
                | ClusterOpError::Api(ApiError::Interrupted { .. }))
        ),
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
