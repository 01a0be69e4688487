//! The buckets' objects, in memory and bounded: [`MAX_STORED_BYTES`] of object and upload-part
//! data in all, so a runaway upload cannot exhaust the machine.

use crate::time::Clock;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use bytes::Bytes;

use crate::ids;
use crate::model::bucket::BucketSettings;

/// The most object and part bytes the sandbox holds at once.
pub const MAX_STORED_BYTES: usize = 256 * 1024 * 1024;

/// Why a store operation failed (each is one S3 error code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The bucket does not exist.
    #[error("the bucket {0:?} does not exist")]
    NoSuchBucket(String),
    /// `CreateBucket` of a bucket the organization already has in another zone.
    #[error("the bucket {name:?} already exists in zone {zone}")]
    BucketAlreadyOwnedByYou {
        /// The bucket.
        name: String,
        /// The zone it is in.
        zone: String,
    },
    /// `CreateBucket` of a bucket another organization has (names are global).
    #[error("the bucket name {0:?} is taken by another organization")]
    BucketAlreadyExists(String),
    /// `DeleteBucket` of a bucket with objects.
    #[error("the bucket {0:?} is not empty")]
    BucketNotEmpty(String),
    /// The key does not exist.
    #[error("the key {0:?} does not exist")]
    NoSuchKey(String),
    /// The upload id is unknown (or belongs to another object).
    #[error("the multipart upload {0:?} does not exist")]
    NoSuchUpload(String),
    /// Storing would pass [`MAX_STORED_BYTES`].
    #[error("the sandbox holds at most {MAX_STORED_BYTES} bytes of objects")]
    Full,
}

/// One stored object (or upload part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// The bytes.
    pub data: Bytes,
    /// The ETag's value (hex, without the quotes).
    pub etag: String,
    /// When it was written.
    pub last_modified: SystemTime,
    /// The `Content-Type` it was written with.
    pub content_type: Option<String>,
}

#[derive(Debug)]
struct Bucket {
    created: SystemTime,
    settings: BucketSettings,
    objects: BTreeMap<String, StoredObject>,
}

#[derive(Debug)]
struct Upload {
    bucket: String,
    key: String,
    content_type: Option<String>,
    parts: BTreeMap<i32, StoredObject>,
}

#[derive(Debug, Default)]
struct Inner {
    buckets: BTreeMap<String, Bucket>,
    uploads: HashMap<String, Upload>,
    stored_bytes: usize,
}

impl Inner {
    fn bucket(&mut self, name: &str) -> Result<&mut Bucket, StoreError> {
        self.buckets
            .get_mut(name)
            .ok_or_else(|| StoreError::NoSuchBucket(name.into()))
    }

    /// Accounts for `added` new bytes replacing `removed` old ones, refusing past the bound.
    fn reserve(&mut self, added: usize, removed: usize) -> Result<(), StoreError> {
        let after = self.stored_bytes - removed + added;
        if after > MAX_STORED_BYTES {
            return Err(StoreError::Full);
        }
        self.stored_bytes = after;
        Ok(())
    }

    fn upload(&mut self, id: &str, bucket: &str, key: &str) -> Result<&mut Upload, StoreError> {
        self.uploads
            .get_mut(id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .ok_or_else(|| StoreError::NoSuchUpload(id.into()))
    }
}

/// A bucket as `ListBuckets` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInfo {
    /// Bucket name.
    pub name: String,
    /// Creation time.
    pub created: SystemTime,
    /// The organization that owns it.
    pub owner_org: String,
}

/// The parts of a multipart upload and what the completed object is written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadParts {
    /// Parts by number.
    pub parts: BTreeMap<i32, StoredObject>,
    /// `Content-Type` given at `CreateMultipartUpload`.
    pub content_type: Option<String>,
}

/// Every bucket, object and unfinished multipart upload.
#[derive(Debug, Default)]
pub struct ObjectStore {
    inner: Mutex<Inner>,
    /// The sandbox's clock, for the buckets' and objects' times.
    clock: Clock,
}

impl ObjectStore {
    /// An empty store whose times come from `clock`.
    pub fn with_clock(clock: Clock) -> Self {
        Self {
            inner: Mutex::default(),
            clock,
        }
    }

    /// The time by the store's clock, for an object's `last_modified`.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates an empty bucket with `settings`; creating it again with the same zone and owner
    /// succeeds and changes nothing (as CoreWeave answers a repeated CreateBucket).
    pub fn create_bucket(&self, name: &str, settings: BucketSettings) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if let Some(existing) = inner.buckets.get(name) {
            let existing = &existing.settings;
            if existing.owner_org != settings.owner_org {
                return Err(StoreError::BucketAlreadyExists(name.into()));
            }
            if existing.zone != settings.zone {
                return Err(StoreError::BucketAlreadyOwnedByYou {
                    name: name.into(),
                    zone: existing.zone.clone(),
                });
            }
            return Ok(());
        }
        let bucket = self.new_bucket(settings);
        inner.buckets.insert(name.into(), bucket);
        Ok(())
    }

    /// Creates the bucket with `settings` unless it exists (seeding: an existing bucket keeps
    /// its zone, tags and policy).
    pub fn ensure_bucket(&self, name: &str, settings: BucketSettings) {
        let mut inner = self.lock();
        if !inner.buckets.contains_key(name) {
            let bucket = self.new_bucket(settings);
            inner.buckets.insert(name.into(), bucket);
        }
    }

    fn new_bucket(&self, settings: BucketSettings) -> Bucket {
        Bucket {
            created: self.clock.now(),
            settings,
            objects: BTreeMap::new(),
        }
    }

    /// A bucket's zone, owner, tags and policy.
    pub fn settings(&self, name: &str) -> Result<BucketSettings, StoreError> {
        Ok(self.lock().bucket(name)?.settings.clone())
    }

    /// Changes a bucket's settings with `change`.
    pub fn update_settings(
        &self,
        name: &str,
        change: impl FnOnce(&mut BucketSettings),
    ) -> Result<(), StoreError> {
        change(&mut self.lock().bucket(name)?.settings);
        Ok(())
    }

    /// Deletes an empty bucket.
    pub fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if !inner.bucket(name)?.objects.is_empty() {
            return Err(StoreError::BucketNotEmpty(name.into()));
        }
        inner.buckets.remove(name);
        Ok(())
    }

    /// Ok when the bucket exists.
    pub fn head_bucket(&self, name: &str) -> Result<(), StoreError> {
        self.lock().bucket(name).map(drop)
    }

    /// Every bucket, by name.
    pub fn list_buckets(&self) -> Vec<BucketInfo> {
        self.lock()
            .buckets
            .iter()
            .map(|(name, b)| BucketInfo {
                name: name.clone(),
                created: b.created,
                owner_org: b.settings.owner_org.clone(),
            })
            .collect()
    }

    /// Writes (or replaces) an object.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        object: StoredObject,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let old = inner
            .bucket(bucket)?
            .objects
            .get(key)
            .map_or(0, |o| o.data.len());
        inner.reserve(object.data.len(), old)?;
        inner.bucket(bucket)?.objects.insert(key.into(), object);
        Ok(())
    }

    /// The object at `key`.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<StoredObject, StoreError> {
        self.lock()
            .bucket(bucket)?
            .objects
            .get(key)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchKey(key.into()))
    }

    /// Deletes the object at `key` (absent keys are fine, as in S3).
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let removed = inner.bucket(bucket)?.objects.remove(key);
        if let Some(object) = removed {
            inner.stored_bytes -= object.data.len();
        }
        Ok(())
    }

    /// The objects whose keys start with `prefix`, in key order.
    pub fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> Result<Vec<(String, StoredObject)>, StoreError> {
        Ok(self
            .lock()
            .bucket(bucket)?
            .objects
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, object)| (key.clone(), object.clone()))
            .collect())
    }

    /// Starts a multipart upload; returns its id.
    pub fn create_upload(
        &self,
        bucket: &str,
        key: &str,
        content_type: Option<String>,
    ) -> Result<String, StoreError> {
        let mut inner = self.lock();
        inner.bucket(bucket)?;
        let id = ids::new_uuid();
        inner.uploads.insert(
            id.clone(),
            Upload {
                bucket: bucket.into(),
                key: key.into(),
                content_type,
                parts: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    /// Stores (or replaces) one part of an upload.
    pub fn put_part(
        &self,
        upload_id: &str,
        bucket: &str,
        key: &str,
        number: i32,
        part: StoredObject,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let old = inner
            .upload(upload_id, bucket, key)?
            .parts
            .get(&number)
            .map_or(0, |p| p.data.len());
        inner.reserve(part.data.len(), old)?;
        inner
            .upload(upload_id, bucket, key)?
            .parts
            .insert(number, part);
        Ok(())
    }

    /// The parts uploaded so far.
    pub fn upload_parts(
        &self,
        upload_id: &str,
        bucket: &str,
        key: &str,
    ) -> Result<UploadParts, StoreError> {
        let mut inner = self.lock();
        let upload = inner.upload(upload_id, bucket, key)?;
        Ok(UploadParts {
            parts: upload.parts.clone(),
            content_type: upload.content_type.clone(),
        })
    }

    /// Ends an upload (completed or aborted), freeing its parts.
    pub fn end_upload(&self, upload_id: &str, bucket: &str, key: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.upload(upload_id, bucket, key)?;
        if let Some(upload) = inner.uploads.remove(upload_id) {
            let freed: usize = upload.parts.values().map(|p| p.data.len()).sum();
            inner.stored_bytes -= freed;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
