//! Resource `coreweave_object_storage_bucket`: an AI Object Storage bucket, through the S3 API
//! (reference §3.7).
//!
//! Create looks first (HeadBucket) and refuses a name that exists, because CreateBucket of a
//! bucket the organization already has succeeds on the real endpoint: only that look tells a
//! new bucket from someone else's. Reads trust only positive evidence that the bucket is gone:
//! `NoSuchBucket`, and not within [`lifecycle::CONSISTENCY_WINDOW`] of its create (the bucket
//! then stays in state, with a warning, and a later refresh decides); a bucket without tags
//! answers `NoSuchTagSet`, which means no tags.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::{Value, ValueMap};
use tf_plugin_server::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};

use crate::api::{S3Client, S3Code, S3Error};
use crate::diag::{self, Import};
use crate::object_storage::bucket_rules::{check_new_bucket, check_tags};
use crate::provider::{ProviderData, PROVIDER_NAME};
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};

pub mod lifecycle;

use lifecycle::{CONSISTENCY_WINDOW, CREATE_WAIT, DELETE_WAIT};

/// State of the resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketState {
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub zone: Value<String>,
    #[serde(default)]
    /// Values may be unknown at plan time (`tags = { owner = other.id }`).
    pub tags: ValueMap<Value<String>>,
    #[serde(default)]
    pub force_destroy: Value<bool>,
}

impl BucketState {
    fn name(&self) -> String {
        self.name.as_ref_option().cloned().unwrap_or_default()
    }

    fn zone(&self) -> String {
        self.zone.as_ref_option().cloned().unwrap_or_default()
    }

    /// The known tags (all of them once the plan is applied).
    fn tags(&self) -> BTreeMap<String, String> {
        known_tags(&self.tags)
    }

    /// The state of a remote bucket; `prior_tags` keeps `{}` and null apart when the bucket
    /// has no tags (both mean none).
    pub fn from_remote(
        name: &str,
        zone: String,
        tags: BTreeMap<String, String>,
        prior_tags: &ValueMap<Value<String>>,
        force_destroy: bool,
    ) -> Self {
        let tags = if tags.is_empty() && !matches!(prior_tags, Value::Value(_)) {
            Value::Null
        } else {
            Value::Value(
                tags.into_iter()
                    .map(|(k, v)| (k, Value::Value(v)))
                    .collect(),
            )
        };
        BucketState {
            id: Value::Value(name.to_string()),
            name: Value::Value(name.to_string()),
            zone: Value::Value(zone),
            tags,
            force_destroy: Value::Value(force_destroy),
        }
    }

    /// This state with the tags a new bucket has before they are set: none.
    fn without_tags(mut self) -> Self {
        if matches!(self.tags, Value::Value(_)) {
            self.tags = Value::Value(BTreeMap::new());
        }
        self
    }

    /// The planned state: `id` is the name, `force_destroy` defaults to false.
    fn planned(mut self) -> Self {
        self.id = self.name.clone();
        if self.force_destroy.is_null() {
            self.force_destroy = Value::Value(false);
        }
        self
    }
}

/// When the bucket was created (seconds since the epoch), kept in private state for the
/// eventual-consistency window of reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatedAt {
    pub unix_seconds: u64,
}

impl CreatedAt {
    fn now() -> Self {
        CreatedAt {
            unix_seconds: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    /// How long ago, by this machine's clock (zero for a time in the future).
    fn age(self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH + Duration::from_secs(self.unix_seconds))
            .unwrap_or(Duration::ZERO)
    }
}

/// The known entries of `tags`.
fn known_tags(tags: &ValueMap<Value<String>>) -> BTreeMap<String, String> {
    tags.as_ref_option()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_ref_option()?.clone())))
        .collect()
}

/// Reads `name` (its zone and tags); `None` when the endpoint says it does not exist.
pub async fn read_remote(
    s3: &S3Client,
    name: &str,
) -> Result<Option<(String, BTreeMap<String, String>)>, S3Error> {
    let zone = match s3.bucket_zone(name).await {
        Ok(zone) => zone,
        Err(e) if e.is(&S3Code::NoSuchBucket) => return Ok(None),
        Err(e) => return Err(e),
    };
    match s3.bucket_tags(name).await {
        Ok(tags) => Ok(Some((zone, tags))),
        Err(e) if e.is(&S3Code::NoSuchBucket) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The resource.
pub struct BucketResource {
    data: Arc<ProviderData>,
}

impl BucketResource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = super::BUCKET;

    /// A resource sharing the provider's configured clients.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The resource schema.
    pub fn resource_schema() -> Schema {
        schema(block(
            "An AI Object Storage bucket, managed through the S3 API. Creating refuses a bucket name that already \
             exists (import it instead): the endpoint's CreateBucket would silently succeed for a bucket of the \
             organization. Deleting a bucket that holds objects fails, naming how many, unless `force_destroy` \
             is true. The provider calls S3 as the user of its API token (`coreweave/<user id>`, with short-lived \
             keys): the organization's access policies must allow that user `s3:CreateBucket`, `s3:ListBucket`, \
             `s3:GetBucketLocation`, `s3:GetBucketTagging`, `s3:PutBucketTagging` and `s3:DeleteBucket` on the \
             bucket (`s3:ListAllMyBuckets` on `*` for the list resource, and `s3:DeleteObject` for \
             `force_destroy`), and a bucket policy must not take them away. A bucket that reads as missing \
             within 60 seconds of its create stays in state with a warning (AI Object Storage is eventually \
             consistent); a later refresh decides.",
            [
                Attr::string("id", Kind::Computed, "Same as `name`."),
                Attr::string("name", Kind::Required, "Bucket name, unique across AI Object Storage: 3 to 63 lowercase letters, digits and `-`, starting and ending with a letter or digit; not starting with `cw-`, `vip-`, `log-stitcher-ch-` or `xn--`. Changing it forces a new bucket."),
                Attr::string("zone", Kind::Required, "The zone the bucket lives in, e.g. `US-EAST-04A` (its `LocationConstraint`). Changing it forces a new bucket."),
                Attr::new("tags", AttributeType::Map(Box::new(AttributeType::String)), Kind::Optional, "Tags of the bucket. Changed in place."),
                Attr::new("force_destroy", AttributeType::Bool, Kind::OptionalComputed, "Whether destroying the bucket first deletes every object in it. Defaults to `false`: a bucket that holds objects is then not deleted, and the error says how many it holds. Set it (and apply) before a destroy that should empty the bucket."),
            ],
            [],
        ))
    }

    fn s3(&self, diags: &mut Diagnostics) -> Option<S3Client> {
        Some(self.data.get(diags)?.s3.clone())
    }

    /// A create of `name`, which exists: refused with the import command.
    fn exists(diags: &mut Diagnostics, name: &str, detail: &str) {
        diags.error(
            "Bucket already exists",
            format!(
                "A bucket named {name:?} already exists{detail}. The provider does not take over buckets it did not \
                 create, so nothing was changed.\n{}",
                diag::import_hint(Self::NAME, name, Import::InsteadOfCreating)
            ),
            AttributePath::new("name"),
        );
    }

    /// A create of `name`, which another organization holds (bucket names are global), or
    /// which the provider's key may not look at.
    fn taken_elsewhere(diags: &mut Diagnostics, name: &str, answer: &S3Error) {
        diags.error(
            "Bucket name not available",
            format!(
                "Looking for bucket {name:?} before creating it was refused ({answer}). Bucket names are unique \
                 across AI Object Storage: another organization may hold this one (choose another name), or this \
                 organization's access policies do not allow the provider's key (principal `coreweave/<your user \
                 id>`) `s3:ListBucket` and `s3:CreateBucket` on it (grant them in an organization access policy)."
            ),
            AttributePath::new("name"),
        );
    }

    /// Plan-time look at `name`: refuses a name that exists (a bucket of this run's state aside:
    /// a replacement of its own, which the create checks again).
    async fn check_free(&self, diags: &mut Diagnostics, name: &str) -> Option<()> {
        if self.data.planned.is_held(Self::NAME, name) {
            return Some(());
        }
        let Some(configured) = self.data.configured() else {
            return Some(());
        };
        match configured.s3.glance_at_bucket(name).await {
            Ok(true) => {
                Self::exists(diags, name, "");
                None
            }
            // Refused: the access this needs may come from a policy of this very
            // configuration; the create looks again.
            Ok(false) | Err(S3Error::Refused { .. }) => Some(()),
            Err(e) => {
                diag::s3_error(diags, format_args!("looking for bucket {name:?}"), &e);
                None
            }
        }
    }

    /// HeadBucket before a create: `None` (with the error) when the name exists or is taken.
    async fn look_before_create(
        &self,
        diags: &mut Diagnostics,
        s3: &S3Client,
        name: &str,
    ) -> Option<()> {
        match s3.head_bucket(name).await {
            Ok(false) => Some(()),
            Ok(true) => {
                Self::exists(diags, name, "");
                None
            }
            Err(e) if e.is(&S3Code::AccessDenied) => {
                Self::taken_elsewhere(diags, name, &e);
                None
            }
            Err(e) => {
                diag::s3_error(diags, format_args!("looking for bucket {name:?}"), &e);
                None
            }
        }
    }

    /// CreateBucket, then the wait until it is visible, then its tags. The state to save
    /// (`None`: nothing was created), with errors in `diags`.
    async fn create_bucket(
        &self,
        diags: &mut Diagnostics,
        s3: &S3Client,
        planned: BucketState,
    ) -> Option<BucketState> {
        let (name, zone) = (planned.name(), planned.zone());
        let seen = match s3.create_bucket(&name, &zone).await {
            Ok(()) => lifecycle::until_found(s3, &name, CREATE_WAIT).await,
            Err(e) if e.is(&S3Code::BucketAlreadyOwnedByYou) => {
                Self::exists(
                    diags,
                    &name,
                    ", created by someone else right before this create",
                );
                return None;
            }
            Err(e) if e.is(&S3Code::BucketAlreadyExists) => {
                Self::taken_elsewhere(diags, &name, &e);
                return None;
            }
            Err(e) if e.outcome_unknown() => {
                // The look before the create found no bucket: one there now is this create's.
                let seen = lifecycle::until_found(s3, &name, CREATE_WAIT).await;
                if let Err(wait) = &seen {
                    diag::s3_error(diags, format_args!("creating bucket {name:?}"), &e);
                    diags.root_error(
                        "The bucket may exist: it is kept in state",
                        format!(
                            "Whether the create of {name:?} took effect is unknown ({wait}), so the bucket is \
                             recorded in state as tainted. The next plan reads it: if it exists, Terraform \
                             replaces it; if not, Terraform creates it."
                        ),
                    );
                    return Some(planned.without_tags());
                }
                seen
            }
            Err(e) => {
                diag::s3_error(diags, format_args!("creating bucket {name:?}"), &e);
                return None;
            }
        };
        if let Err(e) = seen {
            diags.root_error(
                format!("Error creating bucket {name:?}"),
                format!("The bucket was created but is not visible yet: {e}. It is kept in state as tainted."),
            );
            return Some(planned.without_tags());
        }
        let tags = planned.tags();
        if !tags.is_empty() {
            if let Err(e) = s3.set_bucket_tags(&name, &tags).await {
                diag::s3_error(diags, format_args!("tagging new bucket {name:?}"), &e);
                return Some(planned.without_tags());
            }
        }
        Some(planned)
    }
}

#[async_trait]
impl Resource for BucketResource {
    type State = Option<BucketState>;
    type PrivateState = Value<CreatedAt>;

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(resource_identity::schema(
            "name",
            "The bucket name (the import ID).",
        ))
    }

    fn identity(&self, state: &Self::State) -> Option<Identity> {
        resource_identity::of("name", &state.as_ref()?.name)
    }

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::resource_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        let config = config.unwrap_or_default();
        if !matches!(config.tags, Value::Value(_)) {
            return Some(());
        }
        let tags = known_tags(&config.tags);
        let problems = check_tags(tags.iter());
        for problem in &problems {
            diag::invalid(diags, AttributePath::new("tags"), "tags", problem);
        }
        problems.is_empty().then_some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: Self::State,
        private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let Some(prior) = state else {
            return Some((None, private_state));
        };
        let name = prior.name();
        let s3 = self.s3(diags)?;
        let found = match read_remote(&s3, &name).await {
            Ok(found) => found,
            Err(e) => {
                diag::s3_error(diags, format_args!("reading bucket {name:?}"), &e);
                return None;
            }
        };
        self.data.planned.hold(Self::NAME, &name);
        let Some((zone, tags)) = found else {
            let created = private_state.as_ref_option().copied();
            if let Some(age) = created
                .map(CreatedAt::age)
                .filter(|age| *age < CONSISTENCY_WINDOW)
            {
                // Not yet visible everywhere, most likely: not evidence that it is gone.
                diags.warning(
                    "Bucket not found right after its create",
                    format!(
                        "Bucket {name:?} was created {}s ago and reads as missing: AI Object Storage may not show \
                         a new bucket everywhere yet. It stays in state; a refresh after {}s decides.",
                        age.as_secs(),
                        CONSISTENCY_WINDOW.as_secs()
                    ),
                    AttributePath::new("name"),
                );
                return Some((Some(prior), private_state));
            }
            tracing::warn!(name, "bucket no longer exists; removing it from state");
            return Some((None, Value::Null));
        };
        let force_destroy = prior
            .force_destroy
            .as_ref_option()
            .copied()
            .unwrap_or(false);
        let state = BucketState::from_remote(&name, zone, tags, &prior.tags, force_destroy);
        Some((Some(state), private_state))
    }

    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State,
        _config_state: Self::State,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let planned = proposed_state.unwrap_or_default().planned();
        let (name, zone) = (planned.name.as_ref_option(), planned.zone.as_ref_option());
        if !check_new_bucket(diags, name.map(String::as_str), zone.map(String::as_str)) {
            return None;
        }
        if let Some(name) = name {
            if !self
                .data
                .planned
                .claim_create(Self::NAME, name, zone.map_or("", String::as_str))
            {
                diags.error(
                    "Bucket created twice",
                    format!(
                        "Two resources of this configuration create the bucket {name:?}. Give each its own name, or \
                         refer to the bucket of one from the other (`{PROVIDER_NAME}_{}.<name>.name`).",
                        Self::NAME
                    ),
                    AttributePath::new("name"),
                );
                return None;
            }
            self.check_free(diags, name).await?;
        }
        Some((Some(planned), Value::Null))
    }

    async fn plan_update(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        proposed_state: Self::State,
        _config_state: Self::State,
        prior_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState, Vec<AttributePath>)> {
        let prior = prior_state.unwrap_or_default();
        let planned = proposed_state.unwrap_or_default().planned();
        self.data.planned.hold(Self::NAME, &prior.name());
        let mut replace = Vec::new();
        let new_name = (planned.name != prior.name).then(|| planned.name.as_ref_option());
        let new_zone = (planned.zone != prior.zone).then(|| planned.zone.as_ref_option());
        if new_name.is_some() {
            replace.push(AttributePath::new("name"));
        }
        if new_zone.is_some() {
            replace.push(AttributePath::new("zone"));
        }
        if !replace.is_empty() {
            // The replacement creates a bucket: the new values must make one.
            let name = planned.name.as_ref_option().map(String::as_str);
            let zone = planned.zone.as_ref_option().map(String::as_str);
            if !check_new_bucket(
                diags,
                new_name.flatten().and(name),
                new_zone.flatten().and(zone),
            ) {
                return None;
            }
            if let Some(Some(name)) = new_name {
                self.check_free(diags, name).await?;
            }
        }
        Some((Some(planned), prior_private_state, replace))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State,
        _config_state: Self::State,
        _planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let planned = planned_state.unwrap_or_default();
        let s3 = self.s3(diags)?;
        self.look_before_create(diags, &s3, &planned.name()).await?;
        let created = CreatedAt::now();
        let state = self.create_bucket(diags, &s3, planned).await?;
        Some((Some(state), Value::Value(created)))
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let prior = prior_state.unwrap_or_default();
        let planned = planned_state.unwrap_or_default();
        if planned.tags() != prior.tags() {
            let s3 = self.s3(diags)?;
            let name = planned.name();
            if let Err(e) = s3.set_bucket_tags(&name, &planned.tags()).await {
                diag::s3_error(
                    diags,
                    format_args!("updating the tags of bucket {name:?}"),
                    &e,
                );
                return None;
            }
        }
        Some((Some(planned), planned_private_state))
    }

    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        _planned_private_state: Self::PrivateState,
    ) -> Option<()> {
        let prior = prior_state.unwrap_or_default();
        let name = prior.name();
        let s3 = self.s3(diags)?;
        let doing = format!("deleting bucket {name:?}");
        if prior.force_destroy == Value::Value(true) {
            match lifecycle::empty(&s3, &name).await {
                Ok(deleted) => tracing::info!(name, deleted, "emptied bucket before deleting it"),
                Err(e) if e.is(&S3Code::NoSuchBucket) => return Some(()),
                Err(e) => {
                    diag::s3_error(diags, &doing, &e);
                    return None;
                }
            }
        }
        match s3.delete_bucket(&name).await {
            Ok(()) => {}
            Err(e) if e.is(&S3Code::NoSuchBucket) => return Some(()),
            Err(e) if e.is(&S3Code::BucketNotEmpty) => {
                let count = lifecycle::count_objects(&s3, &name)
                    .await
                    .unwrap_or_else(|_| "some".to_string());
                diags.root_error(
                    format!("Bucket {name:?} is not empty"),
                    format!(
                        "Bucket {name:?} holds {count} objects, so it was not deleted. To delete them with it, set \
                         `force_destroy = true`, apply, then destroy; or empty the bucket first."
                    ),
                );
                return None;
            }
            // The delete may have taken effect (its answer was lost and retries did not tell):
            // one look decides; a bucket still there stays in state.
            Err(e) if e.outcome_unknown() => {
                return match s3.head_bucket(&name).await {
                    Ok(false) => Some(()),
                    _ => {
                        diag::s3_error(diags, &doing, &e);
                        None
                    }
                };
            }
            Err(e) => {
                diag::s3_error(diags, &doing, &e);
                return None;
            }
        }
        match lifecycle::until_gone(&s3, &name, DELETE_WAIT).await {
            Ok(()) => Some(()),
            Err(e) => {
                diags.root_error(
                    format!("Error {doing}"),
                    format!("The bucket was deleted but is still visible: {e}."),
                );
                None
            }
        }
    }

    async fn import(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let name = id.trim();
        let s3 = self.s3(diags)?;
        match read_remote(&s3, name).await {
            Ok(Some((zone, tags))) => {
                self.data.planned.hold(Self::NAME, name);
                let state = BucketState::from_remote(name, zone, tags, &Value::Null, false);
                Some((Some(state), Value::Null))
            }
            Ok(None) => {
                diags.root_error("Nothing to import", format!("No bucket is named {name:?}."));
                None
            }
            Err(e) => {
                diag::s3_error(diags, format_args!("importing bucket {name:?}"), &e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
