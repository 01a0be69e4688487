//! Resource `coreweave_object_storage_org_policy`: an AI Object Storage organization access policy.
//!
//! The API has list, ensure (an upsert by name) and delete only. Reads list and filter. A name
//! that is already taken is refused at plan time (a create, a rename, or two resources of one
//! configuration creating it) and again by the create itself
//! ([`crate::api::ApiClient::create_access_policy`]), because ensure would silently overwrite it.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::{Value, ValueEmpty, ValueSet};
use tf_plugin_server::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};

use crate::api::cwobject::{AccessPolicy, CreatePolicyError, ACCESS_POLICY_VERSION};
use crate::api::ApiClient;
use crate::diag;
use crate::object_storage::policy::{
    check_policy, statement_fields, statement_type, Statement, Warnings,
};
use crate::object_storage::taken_names;
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, field_docs, schema, Attr, FieldDocs, Kind};

/// State of the resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgPolicyState {
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub version: Value<String>,
    #[serde(default)]
    pub statements: ValueSet<Statement>,
}

impl OrgPolicyState {
    fn name(&self) -> String {
        self.name.as_ref_option().cloned().unwrap_or_default()
    }

    /// The state of a remote policy.
    pub fn from_api(policy: &AccessPolicy) -> Self {
        Self {
            id: Value::Value(policy.name.clone()),
            name: Value::Value(policy.name.clone()),
            version: Value::Value(policy.version.clone()),
            statements: Value::Value(policy.statements.iter().map(Statement::from_api).collect()),
        }
    }

    /// The ensure request for this state.
    pub fn to_api(&self) -> AccessPolicy {
        AccessPolicy {
            version: ACCESS_POLICY_VERSION.into(),
            name: self.name(),
            statements: self
                .statements
                .iter()
                .flatten()
                .map(Statement::to_api)
                .collect(),
        }
    }
}

/// Checks name and statements; unknown values are skipped. Returns false on any error.
pub fn check(diags: &mut Diagnostics, state: &OrgPolicyState, warnings: Warnings) -> bool {
    check_policy(
        diags,
        &state.name,
        &state.statements,
        &AttributePath::root(),
        warnings,
    )
}

/// The policy named `name` in the client's shared list.
async fn find_in(
    diags: &mut Diagnostics,
    client: &ApiClient,
    name: &str,
) -> Option<Option<AccessPolicy>> {
    match client.list_access_policies().await {
        Ok(policies) => Some(policies.iter().find(|p| p.name == name).cloned()),
        Err(e) => {
            diag::api_error(diags, "listing organization access policies", &e);
            None
        }
    }
}

/// The attribute each field of an ensure request sets.
const POLICY_FIELDS: diag::FieldAttributes =
    &[("policy.name", "name"), ("policy.statements", "statements")];

/// The resource.
pub struct OrgPolicyResource {
    data: Arc<ProviderData>,
}

impl OrgPolicyResource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = super::ORG_POLICY;

    /// A resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// What the docs say about the fields of each statement.
    pub fn field_docs() -> FieldDocs {
        field_docs("statements", &statement_fields())
    }

    /// The resource schema.
    pub fn resource_schema() -> Schema {
        let statement = statement_type();
        schema(block(
            "An AI Object Storage organization access policy: who (principals) may do what (actions) on which \
             buckets (resources). Organization policies are evaluated before bucket policies, and they are the only \
             policies evaluated for a pod that exchanged its service account token for S3 credentials. Creating \
             refuses to overwrite a policy of the same name that already exists: import it instead. The plan \
             already refuses a taken name, two resources of one configuration with the same name, and a rename \
             onto a taken name (before anything is destroyed).",
            [
                Attr::string("id", Kind::Computed, "Same as `name`."),
                Attr::string("name", Kind::Required, "Policy name, unique in the organization (1 to 255 characters, no `/` or whitespace). Changing it forces a new resource."),
                Attr::string("version", Kind::Computed, "Policy language version, `v1alpha1`."),
                Attr::new(
                    "statements",
                    AttributeType::Set(Box::new(statement)),
                    Kind::Required,
                    "The statements: who (`principals`) may or may not (`effect`) do what (`actions`) on which \
                     buckets and objects (`resources`). A set: the order of the statements, and of the values in \
                     each, never matters.",
                ),
            ],
            [],
        ))
    }

    async fn find(&self, diags: &mut Diagnostics, name: &str) -> Option<Option<AccessPolicy>> {
        let configured = self.data.get(diags)?;
        find_in(diags, &configured.client, name).await
    }

    /// The policy named `name` that a plan would collide with: none when a resource of this run
    /// holds the name in state (a replacement of its own, e.g. `-replace` or a tainted object:
    /// the create checks again) or when the provider is not configured yet.
    async fn taken(&self, diags: &mut Diagnostics, name: &str) -> Option<Option<AccessPolicy>> {
        if self.data.planned.is_held(Self::NAME, name) {
            return Some(None);
        }
        let Some(configured) = self.data.configured() else {
            return Some(None);
        };
        find_in(diags, &configured.client, name).await
    }

    /// Plan-time checks of a create of `name`: no other resource of this configuration creates
    /// it (see [`crate::planned_names`]), and no policy of that name exists.
    /// `planned` is the create's planned state: its statements tell a second plan of the same
    /// resource (`terraform test` plans plan and apply in one process) from another resource.
    async fn check_create(
        &self,
        diags: &mut Diagnostics,
        name: &str,
        planned: &OrgPolicyState,
    ) -> Option<()> {
        let fingerprint = serde_json::to_string(&planned.statements).unwrap_or_default();
        if !self
            .data
            .planned
            .claim_create(Self::NAME, name, &fingerprint)
        {
            taken_names::policy_twice_in_configuration(diags, name);
            return None;
        }
        if let Some(existing) = self.taken(diags, name).await? {
            taken_names::policy_exists(diags, &existing);
            return None;
        }
        Some(())
    }
}

#[async_trait]
impl Resource for OrgPolicyResource {
    type State = Option<OrgPolicyState>;
    type PrivateState = ValueEmpty;

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(resource_identity::schema(
            "name",
            "The policy name (the import ID).",
        ))
    }

    fn identity(&self, state: &Self::State) -> Option<Identity> {
        resource_identity::of("name", &state.as_ref()?.name)
    }

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::resource_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        check(diags, &config.unwrap_or_default(), Warnings::Skip).then_some(())
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
        let found = self.find(diags, &name).await?;
        match &found {
            Some(_) => self.data.planned.hold(Self::NAME, &name),
            None => tracing::warn!(
                name,
                "organization access policy no longer exists; removing it from state"
            ),
        }
        Some((found.as_ref().map(OrgPolicyState::from_api), private_state))
    }

    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State,
        _config_state: Self::State,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned, Warnings::Report) {
            return None;
        }
        if let Value::Value(name) = &planned.name {
            self.check_create(diags, name, &planned).await?;
        }
        planned.id = planned.name.clone();
        planned.version = Value::Value(ACCESS_POLICY_VERSION.into());
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
        if !check(diags, &planned, Warnings::Report) {
            return None;
        }
        self.data.planned.hold(Self::NAME, &prior.name());
        let mut replace = Vec::new();
        if planned.name != prior.name {
            replace.push(AttributePath::new("name"));
            if let Value::Value(to) = &planned.name {
                if let Some(existing) = self.taken(diags, to).await? {
                    taken_names::policy_rename_taken(diags, &prior.name(), &existing);
                    return None;
                }
            }
        }
        planned.id = planned.name.clone();
        planned.version = Value::Value(ACCESS_POLICY_VERSION.into());
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
        if !check(diags, &planned, Warnings::Skip) {
            return None;
        }
        let name = planned.name();
        // The create checks again with a list taken right before its write (shared with the
        // creates of this run in flight, so up to 500 ms older), and reads the policy back right
        // after it. The API has no create-only call, so one window remains: a same-named policy
        // that someone else writes between that list and this write (about one API round trip,
        // plus up to 500 ms) is replaced unseen; one written right after this write makes the
        // create fail, naming the other statements, with nothing saved in state.
        let configured = self.data.get(diags)?;
        match configured
            .client
            .create_access_policy(&planned.to_api())
            .await
        {
            Ok(()) => return Some((Some(planned), planned_private_state)),
            Err(CreatePolicyError::CreatingInThisRun) => {
                taken_names::policy_creating_in_this_run(diags, &name);
            }
            Err(CreatePolicyError::Exists(existing)) => {
                taken_names::policy_exists(diags, &existing);
            }
            Err(CreatePolicyError::Replaced(theirs)) => {
                taken_names::policy_replaced(diags, &theirs)
            }
            Err(CreatePolicyError::Api(e)) => {
                diag::api_error_on(
                    diags,
                    format_args!("creating organization access policy {name:?}"),
                    &e,
                    POLICY_FIELDS,
                );
                if e.outcome_unknown() {
                    // The write may have taken effect and could not be read back: keep the
                    // policy in state (Terraform marks it tainted), so that it is never
                    // orphaned; the next plan reads it, and replaces it or creates it again.
                    diags.root_error(
                        "The policy may exist: it is kept in state",
                        format!(
                            "Whether the write of {name:?} took effect is unknown, so the policy \
                             is recorded in state as tainted. The next plan reads it: if it \
                             exists, Terraform replaces it; if not, Terraform creates it."
                        ),
                    );
                    return Some((Some(planned), planned_private_state));
                }
            }
        }
        None
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
        if !check(diags, &planned, Warnings::Skip) {
            return None;
        }
        let configured = self.data.get(diags)?;
        if let Err(e) = configured
            .client
            .ensure_access_policy(&planned.to_api())
            .await
        {
            diag::api_error_on(
                diags,
                format_args!("updating organization access policy {:?}", planned.name()),
                &e,
                POLICY_FIELDS,
            );
            return None;
        }
        Some((Some(planned), planned_private_state))
    }

    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        _planned_private_state: Self::PrivateState,
    ) -> Option<()> {
        let name = prior_state.unwrap_or_default().name();
        let configured = self.data.get(diags)?;
        match configured.client.delete_access_policy(&name).await {
            Ok(_) => Some(()),
            Err(e) => {
                diag::api_error(
                    diags,
                    format_args!("deleting organization access policy {name:?}"),
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
        match self.find(diags, id.trim()).await? {
            Some(policy) => {
                self.data.planned.hold(Self::NAME, &policy.name);
                Some((Some(OrgPolicyState::from_api(&policy)), Value::Null))
            }
            None => {
                diags.root_error(
                    "Nothing to import",
                    format!("No organization access policy is named {:?}.", id.trim()),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
