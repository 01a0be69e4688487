//! The bucket calls of the S3 endpoint (reference §3.7): CreateBucket in a zone (repeatable),
//! bucket names, HeadBucket, GetBucketLocation, DeleteBucket, bucket tagging and the bucket
//! policy's put, get and delete, each with the error codes clients branch on.

use reqwest::Method;

use crate::s3_support::{error_code, location_body, xml_text, S3Sandbox};

const ALICE: &str = "coreweave/alice";
const POLICY: &[(&str, &str)] = &[("policy", "")];
const TAGGING: &[(&str, &str)] = &[("tagging", "")];

async fn sandbox() -> S3Sandbox {
    let sandbox = S3Sandbox::start().await;
    sandbox.allow_everything();
    sandbox
}

/// Status and error code of a call.
fn outcome((status, text): (u16, String)) -> (u16, Option<String>) {
    (status, error_code(&text).map(str::to_string))
}

#[tokio::test]
async fn create_bucket_needs_a_known_zone_and_repeats_only_in_the_same_zone() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    let create = |zone: Option<&str>| {
        let body = zone.map(location_body);
        let key = key.clone();
        let s = &s;
        async move {
            outcome(
                s.call(Method::PUT, "/models", &[], &key, body.as_deref())
                    .await,
            )
        }
    };
    let invalid = (400, Some("InvalidLocationConstraint".to_string()));
    assert_eq!(create(None).await, invalid);
    assert_eq!(create(Some("us-west-2")).await, invalid);
    assert_eq!(create(Some("us-east-04a")).await, invalid);
    assert_eq!(create(Some("US-EAST-04A")).await, (200, None));
    assert_eq!(create(Some("US-EAST-04A")).await, (200, None), "a repeat");
    assert_eq!(
        create(Some("US-CENTRAL-05A")).await,
        (409, Some("BucketAlreadyOwnedByYou".into()))
    );
    let (status, _) = s.call(Method::HEAD, "/models", &[], &key, None).await;
    assert_eq!(status, 200);
    let location = [("location", "")];
    let (status, text) = s.call(Method::GET, "/models", &location, &key, None).await;
    assert_eq!(status, 200, "{text}");
    // `<LocationConstraint xmlns="...">`, as AWS answers.
    assert!(text.contains(">US-EAST-04A</LocationConstraint>"), "{text}");
}

#[tokio::test]
async fn bucket_names_outside_the_s3_rules_are_invalid_bucket_name() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    let body = location_body("US-EAST-04A");
    let long = "a".repeat(64);
    for name in [
        "ab",
        long.as_str(),
        "Models",
        "-models",
        "models-",
        "192.168.1.10",
        "a_b",
    ] {
        let (status, text) = s
            .call(Method::PUT, &format!("/{name}"), &[], &key, Some(&body))
            .await;
        assert_eq!(
            (status, error_code(&text)),
            (400, Some("InvalidBucketName")),
            "{name}: {text}"
        );
    }
    for name in ["abc", "my.models-2", &"b".repeat(63)] {
        let (status, text) = s
            .call(Method::PUT, &format!("/{name}"), &[], &key, Some(&body))
            .await;
        assert_eq!(status, 200, "{name}: {text}");
    }
}

#[tokio::test]
async fn bucket_names_are_global_and_each_organization_lists_its_own() {
    let s = sandbox().await;
    let ours = s.key(ALICE, None, false);
    let theirs = s.key_in_org("coreweave/bob", "other-org");
    let body = location_body("US-EAST-04A");
    assert_eq!(
        s.call(Method::PUT, "/models", &[], &ours, Some(&body))
            .await
            .0,
        200
    );
    assert_eq!(
        outcome(
            s.call(Method::PUT, "/models", &[], &theirs, Some(&body))
                .await
        ),
        (409, Some("BucketAlreadyExists".into()))
    );
    assert_eq!(
        s.call(Method::PUT, "/datasets", &[], &theirs, Some(&body))
            .await
            .0,
        200
    );
    let (_, ours_listed) = s.call(Method::GET, "/", &[], &ours, None).await;
    let (_, theirs_listed) = s.call(Method::GET, "/", &[], &theirs, None).await;
    assert!(ours_listed.contains("<Name>models</Name>"), "{ours_listed}");
    assert!(!ours_listed.contains("datasets"), "{ours_listed}");
    assert!(
        theirs_listed.contains("<Name>datasets</Name>"),
        "{theirs_listed}"
    );
    assert!(!theirs_listed.contains("models"), "{theirs_listed}");
}

#[tokio::test]
async fn delete_bucket_refuses_a_bucket_with_objects_and_head_bucket_then_finds_none() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    s.seed("models", &[("weights.bin", "hello")]);
    assert_eq!(
        outcome(s.call(Method::DELETE, "/models", &[], &key, None).await),
        (409, Some("BucketNotEmpty".into()))
    );
    let object = "/models/weights.bin";
    assert_eq!(s.call(Method::DELETE, object, &[], &key, None).await.0, 204);
    assert_eq!(
        s.call(Method::DELETE, "/models", &[], &key, None).await.0,
        204
    );
    assert_eq!(
        s.call(Method::HEAD, "/models", &[], &key, None).await.0,
        404
    );
    assert_eq!(
        outcome(s.call(Method::DELETE, "/models", &[], &key, None).await),
        (404, Some("NoSuchBucket".into()))
    );
}

#[tokio::test]
async fn tags_are_set_read_and_deleted_and_an_untagged_bucket_has_no_tag_set() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    s.seed("models", &[]);
    let no_tags = (404, Some("NoSuchTagSet".to_string()));
    assert_eq!(
        outcome(s.call(Method::GET, "/models", TAGGING, &key, None).await),
        no_tags
    );
    let tagging = |tags: &[(&str, &str)]| {
        let tags: String = tags
            .iter()
            .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
            .collect();
        format!("<Tagging><TagSet>{tags}</TagSet></Tagging>")
    };
    let good = tagging(&[("team", "ml"), ("env", "dev")]);
    let (status, text) = s
        .call(Method::PUT, "/models", TAGGING, &key, Some(&good))
        .await;
    assert!((200..300).contains(&status), "{text}");
    let (status, text) = s.call(Method::GET, "/models", TAGGING, &key, None).await;
    assert_eq!(status, 200);
    assert!(
        text.contains("<Key>team</Key><Value>ml</Value>")
            && text.contains("<Key>env</Key><Value>dev</Value>"),
        "{text}"
    );
    for bad in [
        tagging(&[("team", "ml"), ("team", "ops")]),
        tagging(&[("aws:owner", "x")]),
        tagging(&[("", "x")]),
    ] {
        assert_eq!(
            outcome(
                s.call(Method::PUT, "/models", TAGGING, &key, Some(&bad))
                    .await
            ),
            (400, Some("InvalidTag".into())),
            "{bad}"
        );
    }
    assert_eq!(
        s.call(Method::DELETE, "/models", TAGGING, &key, None)
            .await
            .0,
        204
    );
    assert_eq!(
        outcome(s.call(Method::GET, "/models", TAGGING, &key, None).await),
        no_tags
    );
}

const GOOD_POLICY: &str = r#"{ "Version": "2012-10-17",
  "Statement": [ {"Sid": "allow-all", "Effect": "Allow", "Principal": {"CW": "*"},
    "Action": ["s3:*"], "Resource": ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]} ] }"#;

#[tokio::test]
async fn a_bucket_policy_is_kept_as_sent_and_deleted() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    s.seed("models", &[]);
    let none = (404, Some("NoSuchBucketPolicy".to_string()));
    assert_eq!(
        outcome(s.call(Method::GET, "/models", POLICY, &key, None).await),
        none
    );
    let (status, text) = s
        .call(Method::PUT, "/models", POLICY, &key, Some(GOOD_POLICY))
        .await;
    assert!((200..300).contains(&status), "{text}");
    assert_eq!(
        s.call(Method::GET, "/models", POLICY, &key, None).await,
        (200, GOOD_POLICY.to_string())
    );
    assert_eq!(
        s.call(Method::DELETE, "/models", POLICY, &key, None)
            .await
            .0,
        204
    );
    assert_eq!(
        outcome(s.call(Method::GET, "/models", POLICY, &key, None).await),
        none
    );
    assert_eq!(
        s.call(Method::DELETE, "/models", POLICY, &key, None)
            .await
            .0,
        204
    );
    assert_eq!(
        outcome(s.call(Method::GET, "/missing", POLICY, &key, None).await),
        (404, Some("NoSuchBucket".into()))
    );
}

#[tokio::test]
async fn a_malformed_bucket_policy_is_refused_saying_what_is_wrong() {
    let s = sandbox().await;
    let key = s.key(ALICE, None, false);
    s.seed("models", &[]);
    let statement = |extra: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::models/*"{extra}}}]}}"#
        )
    };
    let cases = [
        ("not json".to_string(), "not valid JSON"),
        (r#"{"Version":"2012-10-17"}"#.to_string(), "no Statement"),
        (
            r#"{"Version":"2012-10-17","Statement":[],"Extra":1}"#.to_string(),
            "unknown top-level key \"Extra\"",
        ),
        (
            statement("").replace("2012-10-17", "2020-01-01"),
            "Version must be",
        ),
        (
            statement("").replace("\"Allow\"", "\"allow\""),
            "Effect must be",
        ),
        (statement(r#","Extra":1"#), "unknown key \"Extra\""),
        (
            statement("").replace("models/*", "other/*"),
            "is not in bucket models",
        ),
        (
            statement(r#","Condition":{"NumericEquals":{"s3:prefix":"a"}}"#),
            "unknown condition operator \"NumericEquals\"",
        ),
        (
            statement(r#","NotAction":"s3:PutObject""#),
            "NotAction is not supported",
        ),
        (
            statement(r#","NotResource":"x""#),
            "NotResource is not supported",
        ),
        (
            statement(r#","NotPrincipal":"*""#),
            "NotPrincipal is not supported",
        ),
    ];
    for (document, says) in cases {
        let (status, text) = s
            .call(Method::PUT, "/models", POLICY, &key, Some(&document))
            .await;
        assert_eq!(
            (status, error_code(&text)),
            (400, Some("MalformedPolicy")),
            "{document}: {text}"
        );
        let message = xml_text(&text, "Message")
            .unwrap_or_default()
            .replace("&quot;", "\"");
        assert!(message.contains(says), "{document}: {message}");
    }
    assert_eq!(
        outcome(s.call(Method::GET, "/models", POLICY, &key, None).await),
        (404, Some("NoSuchBucketPolicy".into()))
    );
}
