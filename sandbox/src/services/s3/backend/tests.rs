use super::*;
use crate::model::object_store::StoreError;
use bytes::Bytes;

fn found(keys: &[&str]) -> Vec<(String, StoredObject)> {
    keys.iter()
        .map(|k| {
            (
                k.to_string(),
                StoredObject {
                    data: Bytes::from_static(b"x"),
                    etag: "e".into(),
                    last_modified: SystemTime::now(),
                    content_type: None,
                },
            )
        })
        .collect()
}

fn keys(listing: &Listing) -> Vec<String> {
    listing
        .objects
        .iter()
        .filter_map(|o| o.key.clone())
        .collect()
}

#[test]
fn a_delimiter_groups_keys_into_common_prefixes() {
    let listing = list(
        found(&["a/1", "a/2", "b", "c/d/e"]),
        "",
        Some("/"),
        None,
        1000,
    );
    assert_eq!(keys(&listing), ["b"]);
    assert_eq!(listing.common_prefixes, ["a/", "c/"]);
    assert!(!listing.truncated);
    let under_c = list(found(&["c/d/e", "c/f"]), "c/", Some("/"), None, 1000);
    assert_eq!(keys(&under_c), ["c/f"]);
    assert_eq!(under_c.common_prefixes, ["c/d/"]);
}

#[test]
fn max_keys_truncates_and_start_after_resumes() {
    let all = ["a", "b", "c", "d"];
    let first = list(found(&all), "", None, None, 2);
    assert_eq!(keys(&first), ["a", "b"]);
    assert!(first.truncated);
    let rest = list(found(&all), "", None, Some("b"), 2);
    assert_eq!(keys(&rest), ["c", "d"]);
    assert!(!rest.truncated);
}

#[test]
fn store_failures_are_the_s3_error_codes_clients_expect() {
    use s3s::S3ErrorCode;
    let cases = [
        (
            StoreError::NoSuchBucket("b".into()),
            S3ErrorCode::NoSuchBucket,
        ),
        (StoreError::NoSuchKey("k".into()), S3ErrorCode::NoSuchKey),
        (
            StoreError::BucketNotEmpty("b".into()),
            S3ErrorCode::BucketNotEmpty,
        ),
        (
            StoreError::BucketAlreadyOwnedByYou {
                name: "b".into(),
                zone: "US-EAST-04A".into(),
            },
            S3ErrorCode::BucketAlreadyOwnedByYou,
        ),
        (
            StoreError::BucketAlreadyExists("b".into()),
            S3ErrorCode::BucketAlreadyExists,
        ),
        (
            StoreError::NoSuchUpload("u".into()),
            S3ErrorCode::NoSuchUpload,
        ),
        (StoreError::Full, S3ErrorCode::EntityTooLarge),
    ];
    for (error, code) in cases {
        assert_eq!(S3Error::from(error).code(), &code);
    }
}
