use super::*;

fn object(text: &str) -> StoredObject {
    StoredObject {
        data: Bytes::copy_from_slice(text.as_bytes()),
        etag: "\"e\"".into(),
        last_modified: SystemTime::now(),
        content_type: None,
    }
}

fn settings(zone: &str, owner: &str) -> BucketSettings {
    BucketSettings::new(zone, owner)
}

fn here() -> BucketSettings {
    settings("US-EAST-04A", "org-a")
}

#[test]
fn buckets_are_created_once_listed_by_name_and_deleted_when_empty() {
    let store = ObjectStore::default();
    store.create_bucket("models", here()).unwrap();
    store.create_bucket("datasets", here()).unwrap();
    assert_eq!(store.create_bucket("models", here()), Ok(()));
    assert_eq!(
        store.create_bucket("models", settings("US-CENTRAL-05A", "org-a")),
        Err(StoreError::BucketAlreadyOwnedByYou {
            name: "models".into(),
            zone: "US-EAST-04A".into()
        })
    );
    assert_eq!(
        store.create_bucket("models", settings("US-EAST-04A", "org-b")),
        Err(StoreError::BucketAlreadyExists("models".into()))
    );
    let names: Vec<_> = store.list_buckets().into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["datasets", "models"]);
    store.put_object("models", "a", object("x")).unwrap();
    assert_eq!(
        store.delete_bucket("models"),
        Err(StoreError::BucketNotEmpty("models".into()))
    );
    store.delete_object("models", "a").unwrap();
    store.delete_bucket("models").unwrap();
    assert_eq!(
        store.head_bucket("models"),
        Err(StoreError::NoSuchBucket("models".into()))
    );
    store.ensure_bucket("datasets", here());
    assert_eq!(store.list_buckets().len(), 1);
}

#[test]
fn objects_are_listed_by_prefix_in_key_order() {
    let store = ObjectStore::default();
    store.ensure_bucket("b", here());
    for key in ["p/2", "q", "p/1", "o"] {
        store.put_object("b", key, object(key)).unwrap();
    }
    let keys: Vec<_> = store
        .list_objects("b", "p/")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["p/1", "p/2"]);
    assert_eq!(store.get_object("b", "q").unwrap().data, "q");
    assert_eq!(
        store.get_object("b", "nope"),
        Err(StoreError::NoSuchKey("nope".into()))
    );
    assert_eq!(
        store.put_object("missing", "k", object("x")),
        Err(StoreError::NoSuchBucket("missing".into()))
    );
}

#[test]
fn the_store_refuses_bytes_past_its_bound_and_frees_what_is_deleted() {
    let store = ObjectStore::default();
    store.ensure_bucket("b", here());
    let big = StoredObject {
        data: Bytes::from(vec![0u8; MAX_STORED_BYTES / 2 + 1]),
        ..object("")
    };
    store.put_object("b", "one", big.clone()).unwrap();
    // Replacing an object counts only the difference.
    store.put_object("b", "one", big.clone()).unwrap();
    assert_eq!(
        store.put_object("b", "two", big.clone()),
        Err(StoreError::Full)
    );
    store.delete_object("b", "one").unwrap();
    store.put_object("b", "two", big).unwrap();
}

#[test]
fn multipart_parts_belong_to_their_object_and_are_freed_when_the_upload_ends() {
    let store = ObjectStore::default();
    store.ensure_bucket("b", here());
    let id = store
        .create_upload("b", "k", Some("text/plain".into()))
        .unwrap();
    store.put_part(&id, "b", "k", 2, object("world")).unwrap();
    store.put_part(&id, "b", "k", 1, object("hello ")).unwrap();
    assert_eq!(
        store.put_part(&id, "b", "other", 1, object("x")),
        Err(StoreError::NoSuchUpload(id.clone()))
    );
    let upload = store.upload_parts(&id, "b", "k").unwrap();
    assert_eq!(upload.parts.keys().copied().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(upload.content_type.as_deref(), Some("text/plain"));
    store.end_upload(&id, "b", "k").unwrap();
    assert_eq!(
        store.upload_parts(&id, "b", "k"),
        Err(StoreError::NoSuchUpload(id.clone()))
    );
    assert_eq!(store.lock().stored_bytes, 0);
}

#[test]
fn settings_change_in_place_and_seeding_keeps_them() {
    let store = ObjectStore::default();
    store.create_bucket("models", here()).unwrap();
    store
        .update_settings("models", |s| {
            s.tags = Some(vec![("team".into(), "ml".into())])
        })
        .unwrap();
    store.ensure_bucket("models", settings("US-CENTRAL-05A", "org-b"));
    let kept = store.settings("models").unwrap();
    assert_eq!(kept.zone, "US-EAST-04A");
    assert_eq!(kept.owner_org, "org-a");
    assert_eq!(kept.tags, Some(vec![("team".into(), "ml".into())]));
    assert_eq!(
        store.update_settings("missing", |_| {}),
        Err(StoreError::NoSuchBucket("missing".into()))
    );
}
