//! Lost S3 answers (`loseS3WriteAnswers`): a successful write takes effect and its connection
//! closes without an answer; reads and refused writes keep their answers and do not count.

use reqwest::Method;

use crate::s3_support::{error_code, location_body, S3Sandbox};

const ALICE: &str = "coreweave/alice";

async fn sandbox_losing(answers: u64) -> S3Sandbox {
    let sandbox = S3Sandbox::start().await;
    sandbox.allow_everything();
    sandbox.state.settings.set_lose_s3_write_answers(answers);
    sandbox
}

#[tokio::test]
async fn a_lost_create_bucket_answer_closes_the_connection_after_the_bucket_exists() {
    let s = sandbox_losing(1).await;
    let key = s.key(ALICE, None, false);
    let body = location_body("US-EAST-04A");
    let lost = s
        .try_call(Method::PUT, "/models", &[], &key, Some(&body))
        .await
        .expect_err("the answer is lost");
    assert!(!lost.is_timeout() && lost.status().is_none(), "{lost:?}");
    assert!(s.state.objects.head_bucket("models").is_ok(), "created");
    assert_eq!(
        s.state.settings.to_json()["loseS3WriteAnswers"],
        0,
        "one answer lost"
    );
    let (status, _) = s.call(Method::HEAD, "/models", &[], &key, None).await;
    assert_eq!(status, 200);
    let (status, text) = s.call(Method::PUT, "/models", &[], &key, Some(&body)).await;
    assert_eq!((status, error_code(&text)), (200, None), "answered again");
}

#[tokio::test]
async fn a_lost_delete_bucket_answer_leaves_the_bucket_gone() {
    let s = sandbox_losing(0).await;
    s.seed("models", &[]);
    s.state.settings.set_lose_s3_write_answers(1);
    let key = s.key(ALICE, None, false);
    let lost = s.try_call(Method::DELETE, "/models", &[], &key, None).await;
    assert!(lost.is_err(), "{lost:?}");
    assert!(s.state.objects.head_bucket("models").is_err(), "deleted");
    let (status, text) = s.call(Method::DELETE, "/models", &[], &key, None).await;
    assert_eq!((status, error_code(&text)), (404, Some("NoSuchBucket")));
}

#[tokio::test]
async fn reads_and_refused_writes_keep_their_answers_and_do_not_count() {
    let s = sandbox_losing(1).await;
    let key = s.key(ALICE, None, false);
    let (status, text) = s.call(Method::DELETE, "/absent", &[], &key, None).await;
    assert_eq!((status, error_code(&text)), (404, Some("NoSuchBucket")));
    let (status, _) = s.call(Method::GET, "/", &[], &key, None).await;
    assert_eq!(status, 200);
    let lost = s
        .try_call(
            Method::PUT,
            "/models",
            &[],
            &key,
            Some(&location_body("US-EAST-04A")),
        )
        .await;
    assert!(lost.is_err(), "the first successful write loses its answer");
    assert!(s.state.objects.head_bucket("models").is_ok());
}
