//! Multipart upload (what `aws s3 cp` does for files of 8 MiB and more): parts are kept until
//! CompleteMultipartUpload joins the listed ones, in order, into the object. The ETag is S3's:
//! the MD5 of the parts' binary MD5s, `-<number of parts>`.

use bytes::BytesMut;
use s3s::crypto::{Checksum, Md5};
use s3s::dto::*;
use s3s::{s3_error, S3Error, S3Result};

use super::body;
use crate::model::object_store::{ObjectStore, StoredObject};

/// Parts are numbered 1 to 10 000.
const MAX_PART_NUMBER: i32 = 10_000;

/// Starts an upload.
pub fn create(
    store: &ObjectStore,
    input: CreateMultipartUploadInput,
) -> S3Result<CreateMultipartUploadOutput> {
    let upload_id = store
        .create_upload(&input.bucket, &input.key, input.content_type)
        .map_err(S3Error::from)?;
    Ok(CreateMultipartUploadOutput {
        bucket: Some(input.bucket),
        key: Some(input.key),
        upload_id: Some(upload_id),
        ..Default::default()
    })
}

/// Stores one part.
pub async fn upload_part(
    store: &ObjectStore,
    input: UploadPartInput,
) -> S3Result<UploadPartOutput> {
    if !(1..=MAX_PART_NUMBER).contains(&input.part_number) {
        return Err(s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"
        ));
    }
    let received = body::receive(
        input.body,
        input.content_md5.as_deref(),
        input.checksum_crc32.as_deref(),
        None,
        store.now(),
    )
    .await?;
    store
        .put_part(
            &input.upload_id,
            &input.bucket,
            &input.key,
            input.part_number,
            received.object,
        )
        .map_err(S3Error::from)?;
    Ok(UploadPartOutput {
        e_tag: Some(received.e_tag),
        checksum_crc32: received.checksum_crc32,
        ..Default::default()
    })
}

fn etag_value(etag: &ETag) -> &str {
    match etag {
        ETag::Strong(v) | ETag::Weak(v) => v,
    }
}

/// Joins the listed parts (ascending numbers, each with the ETag it was uploaded with) into the
/// object and ends the upload.
pub fn complete(
    store: &ObjectStore,
    input: CompleteMultipartUploadInput,
) -> S3Result<CompleteMultipartUploadOutput> {
    let upload = store
        .upload_parts(&input.upload_id, &input.bucket, &input.key)
        .map_err(S3Error::from)?;
    let listed = input
        .multipart_upload
        .and_then(|m| m.parts)
        .unwrap_or_default();
    if listed.is_empty() {
        return Err(s3_error!(
            MalformedXML,
            "CompleteMultipartUpload must list at least one part"
        ));
    }
    let mut data = BytesMut::new();
    let mut md5s = Vec::with_capacity(listed.len() * 16);
    let mut previous = 0;
    for part in &listed {
        let number = part.part_number.unwrap_or_default();
        if number <= previous {
            return Err(s3_error!(
                InvalidPartOrder,
                "parts must be listed in ascending order"
            ));
        }
        previous = number;
        let stored = upload
            .parts
            .get(&number)
            .filter(|p| part.e_tag.as_ref().is_some_and(|e| etag_value(e) == p.etag))
            .ok_or_else(|| {
                s3_error!(
                    InvalidPart,
                    "part {number} was not uploaded or its ETag does not match"
                )
            })?;
        data.extend_from_slice(&stored.data);
        md5s.extend_from_slice(&Md5::checksum(&stored.data));
    }
    let etag = format!("{}-{}", body::md5_hex(&md5s), listed.len());
    // The parts' bytes are freed first, so an object near the store's bound still fits.
    store
        .end_upload(&input.upload_id, &input.bucket, &input.key)
        .map_err(S3Error::from)?;
    store
        .put_object(
            &input.bucket,
            &input.key,
            StoredObject {
                data: data.freeze(),
                etag: etag.clone(),
                last_modified: store.now(),
                content_type: upload.content_type,
            },
        )
        .map_err(S3Error::from)?;
    Ok(CompleteMultipartUploadOutput {
        bucket: Some(input.bucket),
        key: Some(input.key),
        e_tag: Some(ETag::Strong(etag)),
        ..Default::default()
    })
}
