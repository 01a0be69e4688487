use super::*;

fn s(v: &str) -> Value<String> {
    Value::Value(v.to_string())
}

fn config(uid: &str, issuer_url: &str, audience: &str) -> OidcConfig {
    OidcConfig {
        uid: uid.into(),
        org_uid: "org".into(),
        name: uid.into(),
        description: None,
        issuer_url: issuer_url.into(),
        audience: audience.into(),
        created_at: "2025-01-01T00:00:00Z".into(),
        updated_at: "2025-01-01T00:00:00Z".into(),
        deactivated_at: None,
    }
}

#[test]
fn exactly_one_selector_is_accepted() {
    let null = Value::Null;
    assert_eq!(
        selector(&s("u1"), &null, &null),
        Ok(Some(Selector::Id("u1".into())))
    );
    assert_eq!(
        selector(&null, &s("https://i"), &s("a")),
        Ok(Some(Selector::Pair {
            issuer_url: "https://i".into(),
            audience: "a".into()
        }))
    );
    assert_eq!(selector(&Value::Unknown, &null, &null), Ok(None));
    let attribute = |id: &Value<String>, issuer: &Value<String>, audience: &Value<String>| {
        selector(id, issuer, audience).unwrap_err().0
    };
    assert_eq!(attribute(&null, &null, &null), "id");
    assert_eq!(attribute(&s("u1"), &s("https://i"), &null), "id");
    assert_eq!(attribute(&s("u1"), &null, &s("a")), "id");
    assert_eq!(attribute(&s(""), &null, &null), "id");
    assert_eq!(attribute(&null, &s("https://i"), &null), "audience");
    assert_eq!(attribute(&null, &null, &s("a")), "issuer_url");
    assert_eq!(attribute(&null, &s(""), &s("a")), "issuer_url");
    assert_eq!(attribute(&null, &s("https://i"), &s("")), "audience");
}

#[test]
fn the_pair_must_match_exactly_one_config() {
    let configs = [
        config("u1", "https://i", "a"),
        config("u2", "https://i", "b"),
        config("u3", "https://j", "a"),
    ];
    assert_eq!(by_pair(&configs, "https://i", "b").unwrap().uid, "u2");
    let none = by_pair(&configs, "https://i", "c").unwrap_err();
    assert!(none.contains("the audiences [\"a\", \"b\"]"), "{none}");
    let none = by_pair(&configs, "https://k", "a").unwrap_err();
    assert!(none.contains("no config has this issuer URL"), "{none}");
    let twice = [
        config("u1", "https://i", "a"),
        config("u9", "https://i", "a"),
    ];
    let many = by_pair(&twice, "https://i", "a").unwrap_err();
    assert!(many.starts_with("2 workload identity"), "{many}");
    assert!(many.contains("u1, u9"), "{many}");
}

#[test]
fn state_carries_every_field_and_null_for_absent_ones() {
    let mut c = config("u1", "https://i", "a");
    let state = WifConfigLookupState::from(c.clone());
    assert_eq!(state.active, Value::Value(true));
    assert_eq!(state.description, Value::Null);
    assert_eq!(state.deactivated_at, Value::Null);
    c.deactivated_at = Some("2025-02-01T00:00:00Z".into());
    c.description = Some("d".into());
    let state = WifConfigLookupState::from(c);
    assert_eq!(state.active, Value::Value(false));
    assert_eq!(state.description, s("d"));
    assert_eq!(state.org_id, s("org"));
}
