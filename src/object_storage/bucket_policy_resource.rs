//! Resource `coreweave_object_storage_bucket_policy`: the policy of one bucket, through the S3
//! API (PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy, reference §3.7).
//!
//! Documents are compared by meaning ([`same_meaning`]: key and statement order, a single
//! value as a string or a one-element list, whitespace never matter): state keeps the user's
//! text while the bucket's policy means the same, and a reshaped configuration plans nothing.
//! Plan-time checks are [`check_document`]'s: only what the API refuses is an error.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::{Value, ValueEmpty};
use tf_plugin_server::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};

use crate::api::{S3Client, S3Code, S3Error};
use crate::diag::{self, Import};
use crate::object_storage::bucket_policy::{check_document, same_meaning};
use crate::object_storage::bucket_resource::lifecycle::{self, WaitError};
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};

/// How long a written policy may take to read back.
const WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// State of the resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketPolicyState {
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub bucket: Value<String>,
    #[serde(default)]
    pub policy: Value<String>,
}

impl BucketPolicyState {
    fn bucket(&self) -> String {
        self.bucket.as_ref_option().cloned().unwrap_or_default()
    }

    fn policy(&self) -> String {
        self.policy.as_ref_option().cloned().unwrap_or_default()
    }

    /// The state of `bucket`'s policy `remote`: `prior` (the user's text) when it means the same.
    fn from_remote(bucket: &str, remote: String, prior: Option<&str>) -> Self {
        let policy = match prior {
            Some(prior) if same_meaning(prior, &remote) => prior.to_string(),
            _ => remote,
        };
        BucketPolicyState {
            id: Value::Value(bucket.to_string()),
            bucket: Value::Value(bucket.to_string()),
            policy: Value::Value(policy),
        }
    }
}

/// Reports the problems of `state`'s document (unknown values skipped); warnings only when
/// `warnings`. `false` on any error.
fn check(diags: &mut Diagnostics, state: &BucketPolicyState, warnings: bool) -> bool {
    let Value::Value(text) = &state.policy else {
        return true;
    };
    let mut ok = true;
    for problem in check_document(text, state.bucket.as_ref_option().map(String::as_str)) {
        if problem.is_error() {
            ok = false;
            diags.error(
                "Invalid bucket policy",
                problem.to_string(),
                AttributePath::new("policy"),
            );
        } else if warnings {
            diags.warning(
                "Bucket policy may not do what you mean",
                problem.to_string(),
                AttributePath::new("policy"),
            );
        }
    }
    ok
}

/// The bucket's policy; `None` when the bucket or its policy does not exist.
async fn read_remote(s3: &S3Client, bucket: &str) -> Result<Option<String>, S3Error> {
    match s3.get_bucket_policy(bucket).await {
        Err(e) if e.is(&S3Code::NoSuchBucket) => Ok(None),
        other => other,
    }
}

/// The resource.
pub struct BucketPolicyResource {
    data: Arc<ProviderData>,
}

impl BucketPolicyResource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = super::BUCKET_POLICY;

    /// A resource sharing the provider's configured clients.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The resource schema.
    pub fn resource_schema() -> Schema {
        schema(block(
            "The policy of an AI Object Storage bucket: who may do what on it and its objects, decided after the \
             organization's access policies (which come first; a bucket policy never overrides their Deny). \
             Creating refuses a bucket that already has a policy: import it instead. Only principals of the \
             organization that owns the bucket may set its policy, and `s3:PutBucketPolicy` is decided by \
             organization policies alone, so no bucket policy can lock its owners out of changing it; but the \
             provider reads the bucket and its policy as the user of its API token, so keep that user allowed \
             `s3:GetBucketPolicy` (and the bucket's own reads) in the document.",
            [
                Attr::string("id", Kind::Computed, "Same as `bucket`."),
                Attr::string("bucket", Kind::Required, "Name of the bucket. Changing it forces a new resource."),
                Attr::string("policy", Kind::Required, "The policy document, JSON (e.g. from `jsonencode` or the `coreweave_object_storage_bucket_policy_document` data source): `Version` `2012-10-17`, `Statement` with `Sid`, `Effect`, `Principal` (`{\"CW\": \"*\"}`), `Action`, `Resource` (`arn:aws:s3:::<bucket>` and `arn:aws:s3:::<bucket>/<key pattern>`), `Condition`. Documents that mean the same (key and statement order, a single value or a one-element list, whitespace) never show a difference. Checked at plan time: what the API would refuse is an error (a resource of another bucket, an unknown condition operator, ...), what is only suspicious a warning."),
            ],
            [],
        ))
    }

    fn s3(&self, diags: &mut Diagnostics) -> Option<S3Client> {
        Some(self.data.get(diags)?.s3.clone())
    }

    /// PutBucketPolicy of `planned`, then GetBucketPolicy until it reads back (bounded): the
    /// state to save (`None`: nothing was written), errors in `diags`.
    async fn write(
        &self,
        diags: &mut Diagnostics,
        s3: &S3Client,
        planned: BucketPolicyState,
        doing: &str,
    ) -> Option<BucketPolicyState> {
        let (bucket, text) = (planned.bucket(), planned.policy());
        match s3.put_bucket_policy(&bucket, &text).await {
            Ok(()) => {}
            Err(e) if e.outcome_unknown() => {
                tracing::warn!(bucket, error = %e, "the answer to PutBucketPolicy was lost; reading the policy back");
            }
            Err(e) if e.is(&S3Code::MalformedPolicy) => {
                diags.error(
                    format!("Error {doing}"),
                    format!("The endpoint refused the document: {e}"),
                    AttributePath::new("policy"),
                );
                return None;
            }
            Err(e) => {
                diag::s3_error(diags, doing, &e);
                return None;
            }
        }
        let read_back = lifecycle::poll(s3, WRITE_WAIT, || async {
            Ok(read_remote(s3, &bucket)
                .await?
                .is_some_and(|remote| same_meaning(&text, &remote)))
        })
        .await;
        match read_back {
            Ok(()) => Some(planned),
            Err(WaitError::TimedOut(after)) => {
                diags.root_error(
                    format!("Error {doing}"),
                    format!(
                        "The policy of bucket {bucket:?} was written, but after {after:?} the bucket still holds \
                         another document (or none): someone else may have written it at the same time. It is kept \
                         in state as tainted; the next plan reads what the bucket holds."
                    ),
                );
                Some(planned)
            }
            Err(e) => {
                diags.root_error(
                    format!("Error {doing}"),
                    format!("{e}; the written policy is kept in state."),
                );
                Some(planned)
            }
        }
    }
}

#[async_trait]
impl Resource for BucketPolicyResource {
    type State = Option<BucketPolicyState>;
    type PrivateState = ValueEmpty;

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(resource_identity::schema(
            "bucket",
            "The bucket name (the import ID).",
        ))
    }

    fn identity(&self, state: &Self::State) -> Option<Identity> {
        resource_identity::of("bucket", &state.as_ref()?.bucket)
    }

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::resource_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        check(diags, &config.unwrap_or_default(), false).then_some(())
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
        let bucket = prior.bucket();
        let s3 = self.s3(diags)?;
        match read_remote(&s3, &bucket).await {
            Ok(Some(remote)) => {
                let state = BucketPolicyState::from_remote(
                    &bucket,
                    remote,
                    prior.policy.as_ref_option().map(String::as_str),
                );
                Some((Some(state), private_state))
            }
            Ok(None) => {
                tracing::warn!(
                    bucket,
                    "bucket policy no longer exists; removing it from state"
                );
                Some((None, private_state))
            }
            Err(e) => {
                diag::s3_error(
                    diags,
                    format_args!("reading the policy of bucket {bucket:?}"),
                    &e,
                );
                None
            }
        }
    }

    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State,
        _config_state: Self::State,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned, true) {
            return None;
        }
        planned.id = planned.bucket.clone();
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
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned, true) {
            return None;
        }
        let mut replace = Vec::new();
        if planned.bucket != prior.bucket {
            replace.push(AttributePath::new("bucket"));
        } else if let (Value::Value(new), Value::Value(old)) = (&planned.policy, &prior.policy) {
            if same_meaning(new, old) {
                // The same document written another way: keep the text in state, plan nothing.
                planned.policy = prior.policy.clone();
            }
        }
        planned.id = planned.bucket.clone();
        Some((Some(planned), prior_private_state, replace))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned, false) {
            return None;
        }
        let bucket = planned.bucket();
        let s3 = self.s3(diags)?;
        let doing = format!("setting the policy of bucket {bucket:?}");
        match s3.get_bucket_policy(&bucket).await {
            Ok(None) => {}
            Ok(Some(_)) => {
                diags.error(
                    "Bucket already has a policy",
                    format!(
                        "Bucket {bucket:?} already has a policy. The provider does not replace a policy it does not \
                         manage, so nothing was changed.\n{}",
                        diag::import_hint(Self::NAME, &bucket, Import::InsteadOfCreating)
                    ),
                    AttributePath::new("bucket"),
                );
                return None;
            }
            Err(e) if e.is(&S3Code::NoSuchBucket) => {
                diags.error(
                    format!("Error {doing}"),
                    format!("Bucket {bucket:?} does not exist. Create it first (`coreweave_object_storage_bucket`), and refer to its `name` so that Terraform creates it before its policy."),
                    AttributePath::new("bucket"),
                );
                return None;
            }
            Err(e) => {
                diag::s3_error(diags, &doing, &e);
                return None;
            }
        }
        let state = self.write(diags, &s3, planned, &doing).await?;
        Some((Some(state), planned_private_state))
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        _prior_state: Self::State,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned, false) {
            return None;
        }
        let s3 = self.s3(diags)?;
        let doing = format!("updating the policy of bucket {:?}", planned.bucket());
        let state = self.write(diags, &s3, planned, &doing).await?;
        Some((Some(state), planned_private_state))
    }

    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        _planned_private_state: Self::PrivateState,
    ) -> Option<()> {
        let bucket = prior_state.unwrap_or_default().bucket();
        let s3 = self.s3(diags)?;
        match s3.delete_bucket_policy(&bucket).await {
            Ok(()) => Some(()),
            Err(e) if e.is(&S3Code::NoSuchBucket) || e.is(&S3Code::NoSuchBucketPolicy) => Some(()),
            // The delete may have taken effect (its answer was lost and retries did not tell):
            // one look decides; a policy still there stays in state.
            Err(e)
                if e.outcome_unknown() && matches!(read_remote(&s3, &bucket).await, Ok(None)) =>
            {
                Some(())
            }
            Err(e) => {
                diag::s3_error(
                    diags,
                    format_args!("deleting the policy of bucket {bucket:?}"),
                    &e,
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
        let bucket = id.trim();
        let s3 = self.s3(diags)?;
        match read_remote(&s3, bucket).await {
            Ok(Some(remote)) => Some((
                Some(BucketPolicyState::from_remote(bucket, remote, None)),
                Value::Null,
            )),
            Ok(None) => {
                diags.root_error(
                    "Nothing to import",
                    format!("Bucket {bucket:?} does not exist or has no policy."),
                );
                None
            }
            Err(e) => {
                diag::s3_error(
                    diags,
                    format_args!("importing the policy of bucket {bucket:?}"),
                    &e,
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"CW":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    const RESHAPED: &str = r#"{ "Statement": { "Resource": ["arn:aws:s3:::b/*"], "Action": ["s3:GetObject"], "Principal": {"CW": ["*"]}, "Effect": "Allow", "Sid": "a" }, "Version": "2012-10-17" }"#;

    #[test]
    fn state_keeps_the_user_s_text_while_the_remote_means_the_same() {
        let state = BucketPolicyState::from_remote("b", RESHAPED.into(), Some(DOC));
        assert_eq!(state.policy, Value::Value(DOC.to_string()));
        assert_eq!(state.id, Value::Value("b".to_string()));
        let changed = RESHAPED.replace("GetObject", "PutObject");
        let state = BucketPolicyState::from_remote("b", changed.clone(), Some(DOC));
        assert_eq!(state.policy, Value::Value(changed));
        let imported = BucketPolicyState::from_remote("b", RESHAPED.into(), None);
        assert_eq!(imported.policy, Value::Value(RESHAPED.to_string()));
    }

    #[test]
    fn a_resource_of_another_bucket_is_an_error_on_the_policy() {
        let mut diags = Diagnostics::default();
        let state = BucketPolicyState {
            bucket: Value::Value("other".into()),
            policy: Value::Value(DOC.into()),
            ..BucketPolicyState::default()
        };
        assert!(!check(&mut diags, &state, true));
        assert!(!diags.errors.is_empty());
        let mut diags = Diagnostics::default();
        let unknown_bucket = BucketPolicyState {
            bucket: Value::Unknown,
            ..state
        };
        assert!(
            check(&mut diags, &unknown_bucket, true),
            "{:?}",
            diags.errors
        );
    }

    mod with_a_server {
        use std::time::Duration;

        use super::*;
        use crate::api::test_server::{Reply, TestServer};

        /// Destroys the policy of bucket `b` when the DeleteBucketPolicy answers are lost past
        /// the retries and the look after answers `look`: whether it is gone, and the errors.
        async fn destroy_after_lost_answers(look: Reply) -> (bool, Diagnostics) {
            let server = TestServer::start().await;
            server.push(Reply::s3_key("K"));
            for _ in 0..3 {
                server.push(Reply::text(502, "bad gateway")); // the delete and its retries
            }
            server.push(look);
            let s3 = server.s3_client(Duration::ZERO);
            let resource =
                BucketPolicyResource::new(ProviderData::configured_with(server.client(2), s3));
            let prior = BucketPolicyState {
                bucket: Value::Value("b".into()),
                policy: Value::Value(DOC.into()),
                ..BucketPolicyState::default()
            };
            let mut diags = Diagnostics::default();
            let gone = resource
                .destroy(&mut diags, Some(prior), Value::Null)
                .await
                .is_some();
            let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
            assert_eq!(methods, ["POST", "DELETE", "DELETE", "DELETE", "GET"]);
            (gone, diags)
        }

        #[tokio::test]
        async fn a_delete_whose_answers_are_lost_ends_well_when_the_policy_is_gone() {
            let (gone, diags) =
                destroy_after_lost_answers(Reply::s3_error(404, "NoSuchBucketPolicy")).await;
            assert!(gone && diags.errors.is_empty(), "{:?}", diags.errors);
        }

        #[tokio::test]
        async fn a_delete_whose_answers_are_lost_keeps_a_policy_still_there_in_state() {
            let (gone, diags) = destroy_after_lost_answers(Reply::text(200, DOC)).await;
            assert!(!gone, "kept in state");
            assert_eq!(diags.errors.len(), 1, "{:?}", diags.errors);
        }
    }
}
