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
