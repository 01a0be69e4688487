use super::*;

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn state_tags(pairs: &[(&str, &str)]) -> ValueMap<Value<String>> {
    Value::Value(
        tags(pairs)
            .into_iter()
            .map(|(k, v)| (k, Value::Value(v)))
            .collect(),
    )
}

#[test]
fn no_tags_stay_null_or_empty_as_configured() {
    let read = |prior: ValueMap<Value<String>>| {
        BucketState::from_remote("b", "US-EAST-04A".into(), BTreeMap::new(), &prior, false).tags
    };
    assert_eq!(read(Value::Null), Value::Null);
    assert_eq!(
        read(Value::Value(BTreeMap::new())),
        Value::Value(BTreeMap::new())
    );
    assert_eq!(
        read(state_tags(&[("a", "1")])),
        Value::Value(BTreeMap::new())
    );
}

#[test]
fn remote_tags_are_the_state_s_and_the_id_is_the_name() {
    let state = BucketState::from_remote(
        "b",
        "US-EAST-04A".into(),
        tags(&[("env", "prod")]),
        &Value::Null,
        true,
    );
    assert_eq!(state.id, Value::Value("b".to_string()));
    assert_eq!(state.tags, state_tags(&[("env", "prod")]));
    assert_eq!(state.force_destroy, Value::Value(true));
}

#[test]
fn a_plan_defaults_force_destroy_to_false_and_keeps_it_when_set() {
    let planned = BucketState {
        name: Value::Value("b".into()),
        ..BucketState::default()
    }
    .planned();
    assert_eq!(planned.force_destroy, Value::Value(false));
    assert_eq!(planned.id, Value::Value("b".to_string()));
    let kept = BucketState {
        force_destroy: Value::Value(true),
        name: Value::Unknown,
        ..BucketState::default()
    }
    .planned();
    assert_eq!(kept.force_destroy, Value::Value(true));
    assert_eq!(kept.id, Value::Unknown);
}

#[test]
fn a_bucket_created_just_now_is_young_and_one_from_the_future_is_too() {
    assert!(CreatedAt::now().age() < CONSISTENCY_WINDOW);
    let future = CreatedAt {
        unix_seconds: CreatedAt::now().unix_seconds + 3600,
    };
    assert_eq!(future.age(), Duration::ZERO);
    assert!(CreatedAt { unix_seconds: 0 }.age() > CONSISTENCY_WINDOW);
}

#[test]
fn unknown_tag_values_are_left_out_of_the_known_tags() {
    let mut configured = state_tags(&[("a", "1")]);
    if let Value::Value(map) = &mut configured {
        map.insert("later".into(), Value::Unknown);
    }
    let state = BucketState {
        tags: configured,
        ..BucketState::default()
    };
    assert_eq!(state.tags(), tags(&[("a", "1")]));
}

mod with_a_server {
    use std::time::Duration;

    use tf_plugin_server::Resource;

    use super::*;
    use crate::api::test_server::{Reply, TestServer};

    fn resource(server: &TestServer) -> BucketResource {
        let s3 = server.s3_client(Duration::ZERO);
        BucketResource::new(ProviderData::configured_with(server.client(2), s3))
    }

    fn planned() -> BucketState {
        BucketState {
            name: Value::Value("b".into()),
            zone: Value::Value("US-EAST-04A".into()),
            tags: state_tags(&[("env", "test")]),
            ..BucketState::default()
        }
        .planned()
    }

    fn calls(server: &TestServer) -> Vec<String> {
        server
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.query.as_deref().unwrap_or("")))
            .collect()
    }

    #[tokio::test]
    async fn a_create_whose_answer_is_lost_keeps_the_bucket_it_then_finds() {
        let server = TestServer::start().await;
        server.push(Reply::s3_key("K"));
        server.push(Reply::text(404, "")); // the look before: no bucket
        server.push(Reply::text(502, "bad gateway")); // CreateBucket's answer is lost
        server.push(Reply::text(200, "")); // the bucket is there: this create's
        server.push(Reply::xml(200, "")); // PutBucketTagging
        let mut diags = Diagnostics::default();
        let (state, created) = resource(&server)
            .create(&mut diags, Some(planned()), None, Value::Null)
            .await
            .expect("created");
        assert!(diags.errors.is_empty(), "{:?}", diags.errors);
        assert_eq!(state, Some(planned()));
        assert!(
            matches!(created, Value::Value(_)),
            "the create time is kept"
        );
        assert_eq!(
            calls(&server),
            ["POST ", "HEAD ", "PUT ", "HEAD ", "PUT tagging="],
            "CreateBucket is not sent again"
        );
    }

    /// Destroys [`planned`] when the DeleteBucket answers are lost past the retries and the
    /// look after answers `head`: whether it is gone, with the errors.
    async fn destroy_after_lost_answers(head: u16) -> (bool, Diagnostics, Vec<String>) {
        let server = TestServer::start().await;
        server.push(Reply::s3_key("K"));
        for _ in 0..3 {
            server.push(Reply::text(502, "bad gateway")); // DeleteBucket and its retries
        }
        server.push(Reply::text(head, ""));
        let mut diags = Diagnostics::default();
        let gone = resource(&server)
            .destroy(&mut diags, Some(planned()), Value::Null)
            .await
            .is_some();
        (gone, diags, calls(&server))
    }

    #[tokio::test]
    async fn a_delete_whose_answers_are_lost_ends_well_when_the_bucket_is_gone() {
        let (gone, diags, calls) = destroy_after_lost_answers(404).await;
        assert!(gone, "{:?}", diags.errors);
        assert!(diags.errors.is_empty());
        assert_eq!(calls, ["POST ", "DELETE ", "DELETE ", "DELETE ", "HEAD "]);
    }

    #[tokio::test]
    async fn a_delete_whose_answers_are_lost_keeps_a_bucket_still_there_in_state() {
        let (gone, diags, _) = destroy_after_lost_answers(200).await;
        assert!(!gone, "kept in state");
        assert_eq!(diags.errors.len(), 1, "{:?}", diags.errors);
        assert!(
            diags.errors[0].detail.contains("DeleteBucket"),
            "{:?}",
            diags.errors
        );
    }

    #[tokio::test]
    async fn a_create_of_an_existing_bucket_is_refused_and_writes_nothing() {
        let server = TestServer::start().await;
        server.push(Reply::s3_key("K"));
        server.push(Reply::text(200, ""));
        let mut diags = Diagnostics::default();
        let created = resource(&server)
            .create(&mut diags, Some(planned()), None, Value::Null)
            .await;
        assert!(created.is_none());
        assert_eq!(diags.errors[0].summary, "Bucket already exists");
        assert_eq!(calls(&server), ["POST ", "HEAD "]);
    }

    #[tokio::test]
    async fn an_untagged_bucket_reads_as_untagged_and_a_missing_one_as_gone() {
        let server = TestServer::start().await;
        server.push(Reply::s3_key("K"));
        server.push(Reply::xml(
            200,
            "<LocationConstraint>US-EAST-04A</LocationConstraint>",
        ));
        server.push(Reply::s3_error(404, "NoSuchTagSet"));
        server.push(Reply::s3_error(404, "NoSuchBucket"));
        let bucket = resource(&server);
        let prior = BucketState {
            tags: Value::Null,
            ..planned()
        };
        let mut diags = Diagnostics::default();
        let (state, _) = bucket
            .read(&mut diags, Some(prior.clone()), Value::Null)
            .await
            .expect("read");
        assert_eq!(
            state,
            Some(prior.clone()),
            "NoSuchTagSet is no tags, not gone"
        );
        let (state, _) = bucket
            .read(&mut diags, Some(prior), Value::Null)
            .await
            .expect("read");
        assert_eq!(state, None, "NoSuchBucket is gone");
        assert!(diags.errors.is_empty() && diags.warnings.is_empty());
    }
}
