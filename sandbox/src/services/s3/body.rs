//! Request bodies read into memory (bounded) with their ETag and checksum checks, and response
//! bodies made from stored bytes.

use std::time::SystemTime;

use bytes::{Bytes, BytesMut};
use futures::TryStreamExt;
use s3s::crypto::{Checksum, Crc32, Md5};
use s3s::dto::{ETag, StreamingBlob};
use s3s::{s3_error, S3Result};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::inflight::BodyError;
use crate::model::object_store::{StoredObject, MAX_STORED_BYTES};

/// Reads a whole request body, refusing one larger than the store could hold.
pub async fn read(body: Option<StreamingBlob>) -> S3Result<Bytes> {
    let Some(mut body) = body else {
        return Ok(Bytes::new());
    };
    let mut data = BytesMut::new();
    while let Some(chunk) = body.try_next().await.map_err(cut_off)? {
        if data.len() + chunk.len() > MAX_STORED_BYTES {
            return Err(s3_error!(
                EntityTooLarge,
                "the sandbox holds at most {MAX_STORED_BYTES} bytes"
            ));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data.freeze())
}

/// The S3 error for a body that ended early ([`BodyError::to_s3`]).
fn cut_off(error: s3s::StdError) -> s3s::S3Error {
    match error.downcast_ref::<BodyError>() {
        Some(cut) => cut.to_s3(),
        None => s3_error!(IncompleteBody, "reading the body: {error}"),
    }
}

/// An object received whole in a request body and checked, with what the answer echoes.
pub struct Received {
    /// The object to store: the bytes, their MD5 (hex) as its ETag, stored now.
    pub object: StoredObject,
    /// The ETag to answer with (the object's).
    pub e_tag: ETag,
    /// The CRC32 when the client sent one (echoed as `x-amz-checksum-crc32`).
    pub checksum_crc32: Option<String>,
}

/// Reads `body`, checks it against the `Content-MD5` and `x-amz-checksum-crc32` sent, and makes
/// it an object of `content_type` modified at `now`.
pub async fn receive(
    body: Option<StreamingBlob>,
    content_md5: Option<&str>,
    crc32: Option<&str>,
    content_type: Option<String>,
    now: SystemTime,
) -> S3Result<Received> {
    let data = read(body).await?;
    check_digests(&data, content_md5, crc32)?;
    let etag = md5_hex(&data);
    Ok(Received {
        e_tag: ETag::Strong(etag.clone()),
        checksum_crc32: crc32.map(|_| crc32_base64(&data)),
        object: StoredObject {
            data,
            etag,
            last_modified: now,
            content_type,
        },
    })
}

/// The hex MD5 of `data`: a single-part object's ETag.
pub fn md5_hex(data: &[u8]) -> String {
    hex(&Md5::checksum(data))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the `Content-MD5` and `x-amz-checksum-crc32` a client sent (both base64) against
/// `data`: `BadDigest` when either differs.
pub fn check_digests(data: &[u8], content_md5: Option<&str>, crc32: Option<&str>) -> S3Result<()> {
    if let Some(sent) = content_md5 {
        if sent != STANDARD.encode(Md5::checksum(data)) {
            return Err(s3_error!(
                BadDigest,
                "the Content-MD5 does not match the body"
            ));
        }
    }
    if let Some(sent) = crc32 {
        if sent != crc32_base64(data) {
            return Err(s3_error!(
                BadDigest,
                "the x-amz-checksum-crc32 does not match the body"
            ));
        }
    }
    Ok(())
}

/// The base64 CRC32 of `data`, as `x-amz-checksum-crc32` carries it.
pub fn crc32_base64(data: &[u8]) -> String {
    STANDARD.encode(Crc32::checksum(data))
}

/// A response body holding `data`.
pub fn blob(data: Bytes) -> StreamingBlob {
    StreamingBlob::from(s3s::Body::from(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_the_ones_s3_clients_compute() {
        // RFC 1321 and the CRC-32/ISO-HDLC check value of "123456789" (0xCBF43926).
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            crc32_base64(b"123456789"),
            STANDARD.encode([0xcb, 0xf4, 0x39, 0x26])
        );
        let md5 = STANDARD.encode(Md5::checksum(b"hello"));
        assert!(check_digests(b"hello", Some(&md5), Some(&crc32_base64(b"hello"))).is_ok());
        let err = check_digests(b"hellO", Some(&md5), None).unwrap_err();
        assert_eq!(err.code(), &s3s::S3ErrorCode::BadDigest);
        let err = check_digests(b"hellO", None, Some(&crc32_base64(b"hello"))).unwrap_err();
        assert_eq!(err.code(), &s3s::S3ErrorCode::BadDigest);
    }
}
