use super::*;

/// Issues `request` now; panics when the store is full.
fn issue(store: &KeyStore, request: KeyRequest) -> IssuedKey {
    store
        .issue(request, SystemTime::now())
        .expect("room in the store")
}

fn request(expires_at: Option<SystemTime>, with_session_token: bool) -> KeyRequest {
    KeyRequest {
        id_prefix: "CWTEST",
        principal: "coreweave/user-1".into(),
        org_id: "sandbox-org".into(),
        expires_at,
        with_session_token,
    }
}

#[test]
fn issued_keys_are_found_by_id_with_their_principal() {
    let store = KeyStore::default();
    let key = issue(&store, request(None, false));
    assert!(key.access_key_id.starts_with("CWTEST"));
    assert_eq!(key.access_key_id.len(), 20);
    assert_eq!(key.secret_key.len(), 40);
    assert_eq!(key.session_token, None);
    assert_eq!(store.get(&key.access_key_id), Some(key.clone()));
    assert_eq!(store.get("CWTESTUNKNOWN"), None);
    let with_token = issue(&store, request(None, true));
    assert_ne!(with_token.access_key_id, key.access_key_id);
    assert_eq!(with_token.session_token.as_ref().map(String::len), Some(64));
}

#[test]
fn expiry_is_kept_and_judged() {
    let now = SystemTime::now();
    let store = KeyStore::default();
    let expired = issue(&store, request(Some(after_seconds(now, -10)), false));
    let live = issue(&store, request(Some(after_seconds(now, 900)), false));
    assert!(store.get(&expired.access_key_id).unwrap().is_expired(now));
    assert!(!live.is_expired(now));
    assert!(!issue(&store, request(None, false)).is_expired(now));
    assert_eq!(
        expired.expiry_rfc3339().map(|s| s.ends_with('Z')),
        Some(true)
    );
}

#[test]
fn debug_output_never_shows_the_secret_or_session_token() {
    let key = issue(&KeyStore::default(), request(None, true));
    let shown = format!("{key:?}");
    assert!(!shown.contains(&key.secret_key));
    assert!(!shown.contains(key.session_token.as_deref().unwrap()));
    assert!(shown.contains(&key.access_key_id));
}

#[test]
fn a_full_store_forgets_expired_keys_first_the_longest_expired_first() {
    let now = SystemTime::now();
    let store = KeyStore::default();
    let permanent = issue(&store, request(None, false));
    let live = issue(&store, request(Some(after_seconds(now, 900)), false));
    let longest_expired = issue(&store, request(Some(after_seconds(now, -7200)), false));
    for i in 0..MAX_KEYS - 3 {
        issue(
            &store,
            request(Some(after_seconds(now, -3600 + i as i64 % 3000)), false),
        );
    }
    assert_eq!(store.len(), MAX_KEYS);
    let newest = issue(&store, request(Some(after_seconds(now, 900)), false));
    assert!(store.len() <= MAX_KEYS * 3 / 4 + 1, "{}", store.len());
    for kept in [&permanent, &live, &newest] {
        assert!(store.get(&kept.access_key_id).is_some(), "{kept:?}");
    }
    assert!(store.get(&longest_expired.access_key_id).is_none());
}

#[test]
fn a_store_full_of_working_keys_refuses_a_new_one_and_revokes_none() {
    let now = SystemTime::now();
    let store = KeyStore::default();
    let other_pod = issue(&store, request(Some(after_seconds(now, 60)), true));
    let expired = issue(&store, request(Some(after_seconds(now, -1)), false));
    for _ in 0..MAX_KEYS - 2 {
        issue(&store, request(Some(after_seconds(now, 900)), false));
    }
    issue(&store, request(Some(after_seconds(now, 900)), false));
    assert!(
        store.get(&expired.access_key_id).is_none(),
        "the expired key made room"
    );
    let refused = store.issue(request(Some(after_seconds(now, 900)), false), now);
    assert_eq!(refused, Err(StoreFull));
    assert_eq!(store.len(), MAX_KEYS);
    assert_eq!(store.get(&other_pod.access_key_id), Some(other_pod));
    let error = ApiError::from(StoreFull);
    assert_eq!(error.code, Code::ResourceExhausted);
    assert!(
        error.message.contains("until some expire"),
        "{}",
        error.message
    );
}
