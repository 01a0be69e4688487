use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::api::test_server::{fast_policy, Reply, TestServer, S3_SECRET};

#[tokio::test]
async fn calls_are_signed_with_one_short_lived_key_path_style_for_an_ip() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("CWKEY1"));
    server.push(Reply::xml(200, "<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name></Bucket></Buckets></ListAllMyBucketsResult>"));
    server.push(Reply::xml(
        200,
        "<LocationConstraint>US-EAST-04A</LocationConstraint>",
    ));
    let s3 = server.s3_client(Duration::ZERO);
    assert_eq!(s3.list_buckets().await.unwrap(), ["a"]);
    assert_eq!(s3.bucket_zone("a").await.unwrap(), "US-EAST-04A");

    let requests = server.requests();
    assert_eq!(requests.len(), 3, "one key for both calls: {requests:?}");
    assert_eq!(requests[0].path, "/v1/cwobject/access-key");
    assert_eq!(requests[0].json(), json!({"durationSeconds": 900}));
    assert_eq!(requests[1].path, "/");
    assert_eq!(
        (requests[2].path.as_str(), requests[2].query.as_deref()),
        ("/a", Some("location="))
    );
    for request in &requests[1..] {
        let authorization = request.header("authorization").unwrap();
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential=CWKEY1/")
                && authorization.contains(&format!("/{DEFAULT_SIGNING_REGION}/s3/aws4_request")),
            "{authorization}"
        );
        assert!(request.header("x-amz-date").is_some());
        assert!(request.header("x-amz-content-sha256").is_some());
    }
    let sent = format!("{requests:?}");
    assert!(!sent.contains(S3_SECRET), "the secret key is never sent");
    assert!(!format!("{s3:?}").contains(S3_SECRET));
}

#[tokio::test]
async fn a_create_names_the_zone_and_later_calls_sign_for_it() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::xml(200, ""));
    server.push(Reply::xml(200, ""));
    let s3 = server.s3_client(Duration::ZERO);
    s3.create_bucket("b1", "US-WEST-01A").await.unwrap();
    assert!(s3.head_bucket("b1").await.unwrap());
    let requests = server.requests();
    let body = String::from_utf8(requests[1].body.clone()).unwrap();
    assert!(
        body.contains("<LocationConstraint>US-WEST-01A</LocationConstraint>"),
        "{body}"
    );
    assert!(requests[1].header("content-md5").is_some());
    assert_eq!(requests[2].method, "HEAD");
    assert!(requests[2]
        .header("authorization")
        .unwrap()
        .contains("/US-WEST-01A/s3/"));
}

#[tokio::test]
async fn s3_codes_are_what_callers_branch_on() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::text(404, "")); // HEAD has no body
    server.push(Reply::s3_error(404, "NoSuchTagSet"));
    server.push(Reply::s3_error(404, "NoSuchBucketPolicy"));
    server.push(Reply::s3_error(409, "BucketNotEmpty"));
    server.push(Reply::s3_error(404, "NoSuchBucket"));
    server.push(Reply::text(200, "{\"Version\":\"2012-10-17\"}"));
    let s3 = server.s3_client(Duration::ZERO);
    assert!(!s3.head_bucket("b").await.unwrap());
    assert_eq!(s3.bucket_tags("b").await.unwrap(), BTreeMap::new());
    assert_eq!(s3.get_bucket_policy("b").await.unwrap(), None);
    let error = s3.delete_bucket("b").await.unwrap_err();
    assert!(error.is(&S3Code::BucketNotEmpty), "{error}");
    assert!(
        error
            .to_string()
            .contains("DeleteBucket of bucket \"b\": BucketNotEmpty (HTTP 409): m"),
        "{error}"
    );
    let error = s3.bucket_tags("b").await.unwrap_err();
    assert!(
        error.is(&S3Code::NoSuchBucket),
        "NoSuchTagSet is not NoSuchBucket: {error}"
    );
    assert_eq!(
        s3.get_bucket_policy("b").await.unwrap().as_deref(),
        Some("{\"Version\":\"2012-10-17\"}")
    );
}

#[tokio::test]
async fn a_fresh_key_refused_is_tried_again_within_the_grace() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::s3_error(403, "InvalidAccessKeyId"));
    server.push(Reply::s3_error(403, "AccessDenied"));
    server.push(Reply::xml(
        200,
        "<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>",
    ));
    let s3 = server.s3_client(Duration::from_secs(60));
    assert!(s3.list_buckets().await.unwrap().is_empty());
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn an_old_key_refused_as_unknown_is_replaced_once_and_access_denied_is_final() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("OLD"));
    server.push(Reply::s3_error(403, "InvalidAccessKeyId"));
    server.push(Reply::s3_key("NEW"));
    server.push(Reply::s3_error(403, "AccessDenied"));
    let s3 = server.s3_client(Duration::ZERO);
    let error = s3.list_buckets().await.unwrap_err();
    assert!(error.is(&S3Code::AccessDenied), "{error}");
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests[3]
        .header("authorization")
        .unwrap()
        .contains("Credential=NEW/"));
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_repeated_and_says_so() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::text(502, "bad gateway"));
    let s3 = server.s3_client(Duration::ZERO);
    let error = s3.create_bucket("b", "US-EAST-04A").await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(server.requests().len(), 2, "not sent again blindly");
}

#[tokio::test]
async fn reads_retry_slow_down_and_malformed_answers_are_not_absence() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::s3_error(503, "SlowDown"));
    server.push(Reply::xml(200, "<html>proxy</html>"));
    let s3 = server.s3_client(Duration::ZERO);
    let error = s3.bucket_zone("b").await.unwrap_err();
    assert!(matches!(error, S3Error::Malformed { .. }), "{error}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn listing_objects_pages_and_deleting_a_gone_object_is_no_error() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::xml(200, "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a b</Key></Contents><NextContinuationToken>t/1</NextContinuationToken></ListBucketResult>"));
    server.push(Reply::s3_error(404, "NoSuchKey"));
    let s3 = server.s3_client(Duration::ZERO);
    let (keys, next) = s3.list_object_keys("b", None).await.unwrap();
    assert_eq!(
        (keys, next.as_deref()),
        (vec!["a b".to_string()], Some("t/1"))
    );
    s3.delete_object("b", "dir/a b").await.unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[1].query.as_deref(),
        Some("list-type=2&max-keys=1000")
    );
    assert_eq!(requests[2].path, "/b/dir/a%20b");
}

#[tokio::test]
async fn a_dead_s3_endpoint_is_named_with_its_setting() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    let dead = Url::parse("http://127.0.0.1:9/").unwrap();
    let stop = CancellationToken::new();
    let s3 = server.s3_client_with(S3Config::for_tests(&dead, &stop), Duration::ZERO, 3);
    let error = s3.list_buckets().await.unwrap_err().to_string();
    assert!(
        error.contains("the AI Object Storage S3 endpoint at http://127.0.0.1:9")
            && error.contains("`s3_endpoint`")
            && error.contains("COREWEAVE_S3_ENDPOINT"),
        "{error}"
    );
}

#[tokio::test]
async fn a_stop_ends_the_wait_for_a_fresh_key() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::s3_error(403, "InvalidAccessKeyId"));
    let stop = CancellationToken::new();
    // Ten minutes of grace, a pause of ten minutes: only the stop ends the wait.
    let s3 = S3Client::with_timing(
        server.client_with_stop(0, &stop),
        S3Config::for_tests(&server.url, &stop),
        fast_policy(0),
        Duration::from_secs(600),
        Duration::from_secs(600),
    )
    .unwrap();
    let call = tokio::spawn(async move { s3.list_buckets().await });
    while server.requests().len() < 2 {
        tokio::task::yield_now().await;
    }
    stop.cancel();
    let error = call.await.unwrap().unwrap_err();
    assert!(error.interruption().is_some(), "{error}");
}

#[tokio::test]
async fn a_glance_does_not_wait_out_a_fresh_key_s_refusal() {
    let server = TestServer::start().await;
    server.push(Reply::s3_key("K"));
    server.push(Reply::text(403, ""));
    let s3 = server.s3_client(Duration::from_secs(600));
    let error = s3.glance_at_bucket("b").await.unwrap_err();
    assert!(error.is(&S3Code::AccessDenied), "{error}");
    assert_eq!(server.requests().len(), 2);
}
