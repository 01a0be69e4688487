//! The S3 operations pods and the provider use, on [`ObjectStore`]: ListBuckets (the caller's
//! organization's buckets), Create/Delete/HeadBucket, GetBucketLocation and bucket tagging (in
//! [`super::bucket_calls`]), Put/Get/DeleteBucketPolicy (in [`super::policy_calls`]),
//! ListObjects(V2), Get/Put/Head/DeleteObject and the multipart upload (in
//! [`super::multipart`]). Every other operation answers `NotImplemented` (s3s's default).
//! Calls reach here only after [`super::access::PolicyAccess`] allowed them.

use std::collections::BTreeSet;
use std::time::SystemTime;

use s3s::auth::Credentials;
use s3s::dto::*;
use s3s::{S3Error, S3Request, S3Response, S3Result, S3};

use super::{body, bucket_calls, multipart, policy_calls, url_encoding};
use crate::model::object_store::StoredObject;
use crate::state::SharedState;

fn timestamp(time: SystemTime) -> Timestamp {
    Timestamp::from(time)
}

/// A GetObject or HeadObject answer (`$output`) about `$object`, `$length` bytes of it sent, with
/// the further fields given.
macro_rules! object_answer {
    ($output:ident, $object:ident, $length:expr $(, $field:ident: $value:expr)* $(,)?) => {
        $output {
            content_length: Some($length as i64),
            accept_ranges: Some("bytes".into()),
            e_tag: Some(ETag::Strong($object.etag)),
            last_modified: Some(timestamp($object.last_modified)),
            content_type: $object.content_type,
            $($field: $value,)*
            ..Default::default()
        }
    };
}

/// A ListObjects or ListObjectsV2 answer (`$output`) to `$input` (its bucket, prefix and
/// delimiter): the page `$listing`, cut at `$max_keys`, with the further fields given.
macro_rules! listing_answer {
    ($output:ident, $input:ident, $listing:ident, $max_keys:expr $(, $field:ident: $value:expr)* $(,)?) => {
        $output {
            name: Some($input.bucket),
            prefix: $input.prefix,
            delimiter: $input.delimiter,
            max_keys: Some($max_keys),
            is_truncated: Some($listing.truncated),
            contents: Some($listing.objects),
            common_prefixes: Some(common($listing.common_prefixes)),
            $($field: $value,)*
            ..Default::default()
        }
    };
}

/// The S3 backend of the sandbox.
#[derive(Debug, Clone)]
pub struct Backend {
    state: SharedState,
}

impl Backend {
    /// Objects in `state.objects`.
    pub fn new(state: SharedState) -> Self {
        Self { state }
    }

    /// The organization of the key a request was signed with (s3s verified it).
    fn caller_org(&self, credentials: Option<&Credentials>) -> String {
        credentials
            .and_then(|c| self.state.credentials.get(&c.access_key))
            .map_or_else(|| self.state.org_id.clone(), |key| key.org_id)
    }

    fn stored(&self, bucket: &str, key: &str) -> S3Result<StoredObject> {
        self.state
            .objects
            .get_object(bucket, key)
            .map_err(S3Error::from)
    }

    /// One page of a bucket's listing, and the `max-keys` it was cut at (at most 1000).
    fn listing(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        delimiter: Option<&str>,
        after: Option<&str>,
        max_keys: Option<i32>,
    ) -> S3Result<(Listing, i32)> {
        let prefix = prefix.unwrap_or_default();
        let found = self
            .state
            .objects
            .list_objects(bucket, prefix)
            .map_err(S3Error::from)?;
        let max_keys = max_keys.unwrap_or(1000).clamp(0, 1000);
        let listing = list(found, prefix, delimiter, after, max_keys as usize);
        Ok((listing, max_keys))
    }
}

/// The keys and common prefixes of a listing (`delimiter` groups keys after `prefix`).
struct Listing {
    objects: Vec<Object>,
    common_prefixes: Vec<String>,
    truncated: bool,
}

fn list(
    found: Vec<(String, StoredObject)>,
    prefix: &str,
    delimiter: Option<&str>,
    start_after: Option<&str>,
    max_keys: usize,
) -> Listing {
    let mut objects = Vec::new();
    let mut common_prefixes = BTreeSet::new();
    let mut truncated = false;
    for (key, object) in found {
        if start_after.is_some_and(|after| key.as_str() <= after) {
            continue;
        }
        let grouped = delimiter.filter(|d| !d.is_empty()).and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|at| key[..prefix.len() + at + d.len()].to_string())
        });
        let is_new = match &grouped {
            Some(common) => !common_prefixes.contains(common),
            None => true,
        };
        if is_new && objects.len() + common_prefixes.len() >= max_keys {
            truncated = true;
            break;
        }
        match grouped {
            Some(common) => {
                common_prefixes.insert(common);
            }
            None => objects.push(Object {
                key: Some(key),
                size: Some(object.data.len() as i64),
                e_tag: Some(ETag::Strong(object.etag)),
                last_modified: Some(timestamp(object.last_modified)),
                storage_class: Some(ObjectStorageClass::from_static(
                    ObjectStorageClass::STANDARD,
                )),
                ..Default::default()
            }),
        }
    }
    Listing {
        objects,
        common_prefixes: common_prefixes.into_iter().collect(),
        truncated,
    }
}

#[async_trait::async_trait]
impl S3 for Backend {
    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let org = self.caller_org(req.credentials.as_ref());
        let buckets = self
            .state
            .objects
            .list_buckets()
            .into_iter()
            .filter(|b| b.owner_org == org)
            .map(|b| Bucket {
                name: Some(b.name),
                creation_date: Some(timestamp(b.created)),
                bucket_region: None,
            })
            .collect();
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(buckets),
            owner: Some(Owner {
                display_name: Some(org.clone()),
                id: Some(org),
            }),
            ..Default::default()
        }))
    }

    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let org = self.caller_org(req.credentials.as_ref());
        bucket_calls::create(&self.state.objects, &org, req.input).map(S3Response::new)
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        bucket_calls::location(&self.state.objects, &req.input.bucket).map(S3Response::new)
    }

    async fn put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        bucket_calls::put_tagging(&self.state.objects, req.input)?;
        Ok(S3Response::new(PutBucketTaggingOutput {}))
    }

    async fn get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        bucket_calls::get_tagging(&self.state.objects, &req.input.bucket).map(S3Response::new)
    }

    async fn delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        bucket_calls::delete_tagging(&self.state.objects, &req.input.bucket)?;
        Ok(S3Response::new(DeleteBucketTaggingOutput {}))
    }

    async fn put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        policy_calls::put(&self.state.objects, req.input)?;
        Ok(S3Response::new(PutBucketPolicyOutput {}))
    }

    async fn get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        policy_calls::get(&self.state.objects, &req.input.bucket).map(S3Response::new)
    }

    async fn delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        policy_calls::delete(&self.state.objects, &req.input.bucket)?;
        Ok(S3Response::new(DeleteBucketPolicyOutput {}))
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.state
            .objects
            .delete_bucket(&req.input.bucket)
            .map_err(S3Error::from)?;
        Ok(S3Response::new(DeleteBucketOutput {}))
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.state
            .objects
            .head_bucket(&req.input.bucket)
            .map_err(S3Error::from)?;
        Ok(S3Response::new(HeadBucketOutput::default()))
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        let encoded = url_encoding::requested(input.encoding_type.as_ref());
        let (listing, max_keys) = self.listing(
            &input.bucket,
            input.prefix.as_deref(),
            input.delimiter.as_deref(),
            input.marker.as_deref(),
            input.max_keys,
        )?;
        let next_marker = listing
            .truncated
            .then(|| listing.objects.last().and_then(|o| o.key.clone()))
            .flatten();
        let mut answer = listing_answer!(
            ListObjectsOutput,
            input,
            listing,
            max_keys,
            marker: input.marker,
            next_marker: next_marker,
        );
        if encoded {
            answer.encoding_type = url_encoding::url();
            url_encoding::encode(&mut [
                &mut answer.prefix,
                &mut answer.delimiter,
                &mut answer.marker,
                &mut answer.next_marker,
            ]);
            url_encoding::encode_listing(&mut answer.contents, &mut answer.common_prefixes);
        }
        Ok(S3Response::new(answer))
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        // The continuation token is the last key returned (opaque to clients).
        let after = input
            .continuation_token
            .as_deref()
            .or(input.start_after.as_deref());
        let (listing, max_keys) = self.listing(
            &input.bucket,
            input.prefix.as_deref(),
            input.delimiter.as_deref(),
            after,
            input.max_keys,
        )?;
        let next = listing
            .truncated
            .then(|| {
                let last_object = listing.objects.last().and_then(|o| o.key.clone());
                let last_prefix = listing.common_prefixes.last().cloned();
                last_object.max(last_prefix)
            })
            .flatten();
        let key_count = (listing.objects.len() + listing.common_prefixes.len()) as i32;
        let encoded = url_encoding::requested(input.encoding_type.as_ref());
        let mut answer = listing_answer!(
            ListObjectsV2Output,
            input,
            listing,
            max_keys,
            key_count: Some(key_count),
            continuation_token: input.continuation_token,
            next_continuation_token: next,
            start_after: input.start_after,
        );
        if encoded {
            answer.encoding_type = url_encoding::url();
            url_encoding::encode(&mut [
                &mut answer.prefix,
                &mut answer.delimiter,
                &mut answer.start_after,
            ]);
            url_encoding::encode_listing(&mut answer.contents, &mut answer.common_prefixes);
        }
        Ok(S3Response::new(answer))
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        let object = self.stored(&input.bucket, &input.key)?;
        let total = object.data.len() as u64;
        let (data, content_range) = match input.range {
            None => (object.data.clone(), None),
            Some(range) => {
                let span = range.check(total)?;
                (
                    object.data.slice(span.start as usize..span.end as usize),
                    Some(format!("bytes {}-{}/{total}", span.start, span.end - 1)),
                )
            }
        };
        Ok(S3Response::new(object_answer!(
            GetObjectOutput,
            object,
            data.len(),
            content_range: content_range,
            body: Some(body::blob(data)),
        )))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        let object = self.stored(&input.bucket, &input.key)?;
        let length = object.data.len();
        Ok(S3Response::new(object_answer!(
            HeadObjectOutput,
            object,
            length
        )))
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let input = req.input;
        let received = body::receive(
            input.body,
            input.content_md5.as_deref(),
            input.checksum_crc32.as_deref(),
            input.content_type,
            self.state.clock.now(),
        )
        .await?;
        self.state
            .objects
            .put_object(&input.bucket, &input.key, received.object)
            .map_err(S3Error::from)?;
        Ok(S3Response::new(PutObjectOutput {
            e_tag: Some(received.e_tag),
            checksum_crc32: received.checksum_crc32,
            ..Default::default()
        }))
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.state
            .objects
            .delete_object(&req.input.bucket, &req.input.key)
            .map_err(S3Error::from)?;
        Ok(S3Response::new(DeleteObjectOutput::default()))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        multipart::create(&self.state.objects, req.input).map(S3Response::new)
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        multipart::upload_part(&self.state.objects, req.input)
            .await
            .map(S3Response::new)
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        multipart::complete(&self.state.objects, req.input).map(S3Response::new)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = req.input;
        self.state
            .objects
            .end_upload(&input.upload_id, &input.bucket, &input.key)
            .map_err(S3Error::from)?;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }
}

fn common(prefixes: Vec<String>) -> Vec<CommonPrefix> {
    prefixes
        .into_iter()
        .map(|prefix| CommonPrefix {
            prefix: Some(prefix),
        })
        .collect()
}

#[cfg(test)]
mod tests;
