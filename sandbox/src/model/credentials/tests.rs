use super::*;

fn request(expires_at: Option<SystemTime>, with_session_token: bool) -> KeyRequest {
    KeyRequest {
        id_prefix: "CWTEST",
        principal: "coreweave/user-1".into(),
        expires_at,
        with_session_token,
    }
}

#[test]
fn issued_keys_are_found_by_id_with_their_principal() {
    let store = KeyStore::default();
    let key = store.issue(request(None, false));
    assert!(key.access_key_id.starts_with("CWTEST"));
    assert_eq!(key.access_key_id.len(), 20);
    assert_eq!(key.secret_key.len(), 40);
    assert_eq!(key.session_token, None);
    assert_eq!(store.get(&key.access_key_id), Some(key.clone()));
    assert_eq!(store.get("CWTESTUNKNOWN"), None);
    let with_token = store.issue(request(None, true));
    assert_ne!(with_token.access_key_id, key.access_key_id);
    assert_eq!(with_token.session_token.as_ref().map(String::len), Some(64));
}

#[test]
fn expiry_is_kept_and_judged() {
    let now = SystemTime::now();
    let store = KeyStore::default();
    let expired = store.issue(request(Some(after_seconds(now, -10)), false));
    let live = store.issue(request(Some(after_seconds(now, 900)), false));
    assert!(store.get(&expired.access_key_id).unwrap().is_expired(now));
    assert!(!live.is_expired(now));
    assert!(!store.issue(request(None, false)).is_expired(now));
    assert_eq!(
        expired.expiry_rfc3339().map(|s| s.ends_with('Z')),
        Some(true)
    );
}

#[test]
fn debug_output_never_shows_the_secret_or_session_token() {
    let key = KeyStore::default().issue(request(None, true));
    let shown = format!("{key:?}");
    assert!(!shown.contains(&key.secret_key));
    assert!(!shown.contains(key.session_token.as_deref().unwrap()));
    assert!(shown.contains(&key.access_key_id));
}

#[test]
fn a_full_store_forgets_the_soonest_expiring_keys_and_keeps_permanent_ones() {
    let now = SystemTime::now();
    let store = KeyStore::default();
    let permanent = store.issue(request(None, false));
    let oldest = store.issue(request(Some(after_seconds(now, -3600)), false));
    for i in 0..MAX_KEYS - 2 {
        store.issue(request(Some(after_seconds(now, 60 + i as i64)), false));
    }
    assert_eq!(store.len(), MAX_KEYS);
    let newest = store.issue(request(Some(after_seconds(now, 90_000)), false));
    assert!(store.len() <= MAX_KEYS * 3 / 4 + 1);
    assert!(store.get(&permanent.access_key_id).is_some());
    assert!(store.get(&newest.access_key_id).is_some());
    assert!(store.get(&oldest.access_key_id).is_none());
    assert!(!store.is_empty());
}
