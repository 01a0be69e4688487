//! Data source `coreweave_object_storage_access_check`: would CoreWeave allow this principal
//! these actions on these resources? Both layers are weighed, as the S3 endpoint does
//! ([`crate::object_storage::bucket_policy::eval`]): the organization's access policies, then the
//! policy of the bucket. Optional what-ifs (`policies` by name, `bucket_policies` by bucket) are
//! evaluated in place of the live ones, so a plan can check a policy before it is applied. The
//! live organization policies come from the client's shared list (one list call per run, shared
//! with the org-policy resources); the live policy of each bucket that can change a result (one
//! the organization's policies allow a bucket-level action on) is read once, in parallel
//! ([`bucket_policies`]); the caller's organization (`cw:PrincipalOrgID`, and the organization
//! in principal ARNs) from `whoami`, only when a bucket policy is weighed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::{Value, ValueList, ValueMap, ValueSet};
use tf_plugin_server::{AttributePath, DataSource, Diagnostics};

use crate::api::cwobject::{AccessPolicy, ACCESS_POLICY_VERSION};
use crate::diag;
use crate::object_storage::bucket_policy::eval::{bucket_of, decided_by_org_only};
use crate::object_storage::bucket_policy::{self, check_document, report, Document, Request};
use crate::object_storage::policy::eval::{evaluate, Decision};
use crate::object_storage::policy::{
    self, check_policy, statement_fields, statement_type, with_what_ifs, ActionKind, Statement,
    Warnings,
};
use crate::provider::ProviderData;
use crate::schema::{
    block, field_docs, object_of, schema, set_of_strings, Attr, Field, FieldDocs, Kind,
};

pub mod bucket_policies;

use bucket_policies::{read_live, weighed, BucketPolicyError};

/// A what-if policy of the `policies` input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WhatIfPolicy {
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub statements: ValueSet<Statement>,
}

/// One (action, resource) pair of `results`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    #[serde(default)]
    pub action: Value<String>,
    #[serde(default)]
    pub resource: Value<String>,
    #[serde(default)]
    pub decision: Value<String>,
    #[serde(default)]
    pub decided_by: Value<String>,
    #[serde(default)]
    pub matched_statements: ValueList<Value<String>>,
}

/// State of the data source.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct AccessCheckState {
    #[serde(default)]
    pub principal: Value<String>,
    #[serde(default)]
    pub principal_org_id: Value<String>,
    #[serde(default)]
    pub actions: ValueSet<Value<String>>,
    #[serde(default)]
    pub resources: ValueSet<Value<String>>,
    #[serde(default)]
    pub policies: ValueList<WhatIfPolicy>,
    #[serde(default)]
    pub bucket_policies: ValueMap<Value<String>>,
    #[serde(default)]
    pub allowed: Value<bool>,
    #[serde(default)]
    pub results: ValueList<CheckResult>,
}

fn known(set: &ValueSet<Value<String>>) -> Option<BTreeSet<String>> {
    set.as_ref_option()?
        .iter()
        .map(|v| v.as_ref_option().cloned())
        .collect()
}

/// Checks the principal a request is decided for: concrete, in a form policies name.
pub fn check_principal(principal: &str) -> Result<(), String> {
    if principal.ends_with('*') {
        return Err(
            "must be one concrete principal, not a pattern: wildcards belong in policies".into(),
        );
    }
    policy::check_principal(principal)
}

/// Checks one action of `actions`: a concrete `s3:` or `cwobject:` action.
pub fn check_action(action: &str) -> Result<(), String> {
    if action.contains('*') {
        return Err(format!(
            "{action:?} is a pattern; name a concrete action such as \"s3:GetObject\""
        ));
    }
    match policy::classify_action(action) {
        ActionKind::Invalid(why) => Err(format!("{action:?} {why}")),
        _ => Ok(()),
    }
}

/// Checks every known input; unknown values are checked once known. Returns false on error.
fn check(diags: &mut Diagnostics, state: &AccessCheckState, warnings: Warnings) -> bool {
    let before = diags.errors.len();
    if let Value::Value(principal) = &state.principal {
        if let Err(why) = check_principal(principal) {
            diag::invalid(diags, AttributePath::new("principal"), "principal", why);
        }
    }
    if let Value::Value(org) = &state.principal_org_id {
        if org.trim().is_empty() || org.contains(char::is_whitespace) {
            diag::invalid(
                diags,
                AttributePath::new("principal_org_id"),
                "principal_org_id",
                "must be an organization id such as \"abc123\"; leave it unset for the provider's own",
            );
        }
    }
    if let Some(actions) = known(&state.actions) {
        if actions.is_empty() {
            diag::invalid(
                diags,
                AttributePath::new("actions"),
                "actions",
                "must name at least one action, e.g. [\"s3:GetObject\"]",
            );
        }
        for why in actions.iter().filter_map(|a| check_action(a).err()) {
            diag::invalid(diags, AttributePath::new("actions"), "actions", why);
        }
    }
    if let Some(resources) = known(&state.resources) {
        if resources.is_empty() {
            diag::invalid(
                diags,
                AttributePath::new("resources"),
                "resources",
                "must not be empty; leave it unset for [\"*\"]",
            );
        }
        if let Some(bad) = resources
            .iter()
            .find(|r| r.is_empty() || r.chars().any(char::is_whitespace))
        {
            diag::invalid(
                diags,
                AttributePath::new("resources"),
                "resources",
                format!("has an empty entry or one with whitespace: {bad:?}"),
            );
        }
    }
    for (i, policy) in state.policies.iter().flatten().enumerate() {
        let at = AttributePath::new("policies").index(i as i64);
        check_policy(diags, &policy.name, &policy.statements, &at, warnings);
    }
    for (bucket, document) in what_if_documents(state) {
        let problems = check_document(&document, Some(&bucket));
        report(diags, &problems, warnings, |problem| {
            let at = AttributePath::new("bucket_policies").key(bucket.clone());
            (at, format!("The policy of bucket {bucket:?}, at {problem}"))
        });
    }
    diags.errors.len() == before
}

/// The known documents of `bucket_policies`, by bucket.
fn what_if_documents(state: &AccessCheckState) -> BTreeMap<String, String> {
    let Some(documents) = state.bucket_policies.as_ref_option() else {
        return BTreeMap::new();
    };
    documents
        .iter()
        .filter_map(|(bucket, text)| Some((bucket.clone(), text.as_ref_option()?.clone())))
        .collect()
}

/// The resources checked: `resources`, or `*` when unset or empty.
fn checked_resources(state: &AccessCheckState) -> BTreeSet<String> {
    known(&state.resources)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| BTreeSet::from(["*".to_string()]))
}

/// The what-if `policies` in the API's form.
fn what_if_policies(state: &AccessCheckState) -> Vec<AccessPolicy> {
    let what_if = |policy: &WhatIfPolicy| AccessPolicy {
        version: ACCESS_POLICY_VERSION.into(),
        name: policy.name.as_ref_option().cloned().unwrap_or_default(),
        statements: policy
            .statements
            .iter()
            .flatten()
            .map(Statement::to_api)
            .collect(),
    };
    state.policies.iter().flatten().map(what_if).collect()
}

/// The buckets whose policy can change a result: those of the pairs whose action is not decided
/// by organization policies only and which the organization's policies (`live`, with the
/// what-if `policies` in their place) allow. Only their policies are read.
pub fn buckets_to_weigh(state: &AccessCheckState, live: &[AccessPolicy]) -> BTreeSet<String> {
    let what_ifs = what_if_policies(state);
    let policies = with_what_ifs(live, &what_ifs);
    let principal = state.principal.as_str();
    let actions = known(&state.actions).unwrap_or_default();
    let org_allows = |action: &String, resource: &str| {
        let org = evaluate(policies.iter().copied(), principal, action, resource);
        !decided_by_org_only(action) && org.decision == Decision::Allowed
    };
    checked_resources(state)
        .iter()
        .filter(|resource| actions.iter().any(|a| org_allows(a, resource)))
        .filter_map(|resource| bucket_of(resource).map(str::to_string))
        .collect()
}

/// Fills `allowed` and `results` for `state` under the `live` organization policies (with the
/// what-if `policies` in their place) and the policies of buckets (`bucket_policies`, live
/// with the what-ifs in place), for a principal of organization `principal_org`.
pub fn decide(
    mut state: AccessCheckState,
    live: &[AccessPolicy],
    bucket_policies: &BTreeMap<String, Document>,
    principal_org: &str,
) -> AccessCheckState {
    let what_ifs = what_if_policies(&state);
    let policies = with_what_ifs(live, &what_ifs);
    let principal = state.principal.as_ref_option().cloned().unwrap_or_default();
    let resources = checked_resources(&state);
    // The check names no request keys: a condition on `s3:prefix` sees a request without one.
    let context = BTreeMap::new();
    let mut results = Vec::new();
    for action in known(&state.actions).unwrap_or_default() {
        for resource in &resources {
            let request = Request {
                principal: &principal,
                principal_org,
                action: &action,
                resource,
                context: &context,
            };
            let d = bucket_policy::decide(policies.iter().copied(), bucket_policies, &request);
            let e = d.evaluation;
            results.push(CheckResult {
                action: Value::Value(action.clone()),
                resource: Value::Value(resource.clone()),
                decision: Value::Value(e.decision.as_str().to_string()),
                decided_by: Value::Value(d.decided_by.as_str().to_string()),
                matched_statements: Value::Value(e.matched.into_iter().map(Value::Value).collect()),
            });
        }
    }
    state.allowed = Value::Value(
        results
            .iter()
            .all(|r| r.decision.as_ref_option().map(String::as_str) == Some("allowed")),
    );
    state.resources = Value::Value(resources.into_iter().map(Value::Value).collect());
    state.results = Value::Value(results);
    state
}

/// The data source.
pub struct AccessCheckDataSource {
    data: Arc<ProviderData>,
}

/// The fields of a what-if policy.
fn policy_fields() -> Vec<Field> {
    vec![
        Field::new("name", AttributeType::String, "Name of the policy. A live policy of this name is left out of the evaluation, and this one is evaluated instead; a new name adds a policy."),
        Field::new("statements", AttributeType::Set(Box::new(statement_type())), "Its statements, written as in `coreweave_object_storage_org_policy` and checked with the same rules."),
    ]
}

/// The fields of one result.
fn result_fields() -> Vec<Field> {
    vec![
        Field::new("action", AttributeType::String, "The action checked."),
        Field::new("resource", AttributeType::String, "The resource checked."),
        Field::new("decision", AttributeType::String, "`allowed` (an `Allow` matched and no `Deny`), `explicit_deny` (a `Deny` matched) or `implicit_deny` (nothing matched, or a bucket policy that matches nothing)."),
        Field::new("decided_by", AttributeType::String, "The layer that decided: `org_policy` (an organization `Deny` or no organization `Allow`; or an organization `Allow` where no bucket policy has a say: no bucket, a bucket without a policy, or `s3:PutBucketPolicy`, `s3:ListAllMyBuckets` and `cwobject:` actions) or `bucket_policy` (after an organization `Allow`, the bucket's policy)."),
        Field::new("matched_statements", AttributeType::List(Box::new(AttributeType::String)), "The statements of the deciding layer that decided, sorted: the `Deny`s for an explicit deny, the `Allow`s for an allow, none for an implicit deny. Organization statements as `<policy>/<statement>`, bucket statements as `bucket_policy:<bucket>/<Sid>` (`bucket_policy:<bucket>/[<index>]` without a `Sid`)."),
    ]
}

impl AccessCheckDataSource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = "object_storage_access_check";

    /// A data source sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// What the docs say about the fields of `policies` and `results`.
    pub fn field_docs() -> FieldDocs {
        let mut docs = field_docs("policies", &policy_fields());
        docs.extend(field_docs("policies.statements", &statement_fields()));
        docs.extend(field_docs("results", &result_fields()));
        docs
    }

    /// The data source schema.
    pub fn data_source_schema() -> Schema {
        let policy = object_of(policy_fields());
        let result = object_of(result_fields());
        schema(block(
            "Answers \"would CoreWeave allow this principal these actions on these resources?\" at plan time, in \
             the spirit of AWS's `aws_iam_principal_policy_simulation`, weighing both layers as AI Object Storage \
             does. First the organization's access policies: a matching `Deny` refuses, no matching `Allow` is an \
             implicit deny (`*` and a trailing `*` are wildcards, names are case-sensitive). After an organization \
             `Allow`, the policy of the bucket decides, if the bucket has one: a matching `Deny` refuses, else a \
             matching `Allow` allows, else the request is refused; a bucket `Allow` never overrides an organization \
             `Deny`, and `s3:PutBucketPolicy`, `s3:ListAllMyBuckets`, `cwobject:` actions and resource `*` are \
             decided by organization policies only. The live policy of a bucket named in `resources` is read once, \
             when the organization's policies allow an action on it that its policy decides (a bucket that does \
             not exist has none; the provider's own credentials need `s3:GetBucketPolicy` on it, or give the \
             policy in `bucket_policies`); the principal is taken to be of `principal_org_id` \
             (`cw:PrincipalOrgID`; by default the provider's own organization), and the request to carry no `s3:prefix`. Optional `policies` and \
             `bucket_policies` are evaluated in place of the live organization policies of the same name and the \
             live policies of the same buckets, so a plan can check a policy before it is applied. Use it in a \
             `check` block or a `postcondition` to make a plan say when access is missing.",
            [
                Attr::string("principal", Kind::Required, "The principal asking, e.g. `role/<issuer>:system:serviceaccount:<namespace>:<name>` (see `provider::coreweave::service_account_principal`) or `coreweave/<user id>`. Must be concrete: no wildcard."),
                Attr::string("principal_org_id", Kind::Optional, "The organization of `principal`, which bucket policies see as `cw:PrincipalOrgID` and in principal ARNs (`arn:aws:iam::<organization>:...`). Default: the organization of the provider's API token. Set it to check a principal of another organization, e.g. a partner's user that a bucket policy's `StringNotEquals` on `cw:PrincipalOrgID` keeps out."),
                Attr::new("actions", set_of_strings(), Kind::Required, "Concrete actions to check, e.g. `s3:GetObject` or `cwobject:CreateAccessKeyOIDC` (the action a service-account token exchange is authorized as). At least one."),
                Attr::new("resources", set_of_strings(), Kind::OptionalComputed, "Concrete resources: `*`, `<bucket>` or `<bucket>/<key>`. Default `[\"*\"]`; `cwobject:` actions are checked on `*`."),
                Attr::new("policies", AttributeType::List(Box::new(policy)), Kind::Optional, "What-if policies, each `{ name, statements }` with statements as in `coreweave_object_storage_org_policy`, evaluated in place of the live policy of the same name. Checked with the same rules as that resource."),
                Attr::new("bucket_policies", AttributeType::Map(Box::new(AttributeType::String)), Kind::Optional, "What-if bucket policies: bucket name to JSON document (e.g. `jsonencode(...)` or a `coreweave_object_storage_bucket_policy_document`'s `json`), evaluated in place of the bucket's live policy. Checked at plan time as the policy of that bucket, with the rules of `coreweave_object_storage_bucket_policy_document` (a resource for another bucket is an error)."),
                Attr::new("allowed", AttributeType::Bool, Kind::Computed, "True when every (action, resource) pair is allowed."),
                Attr::new("results", AttributeType::List(Box::new(result)), Kind::Computed, "One object per (action, resource) pair, sorted: `action`, `resource`, `decision` (`allowed`, `explicit_deny` or `implicit_deny`), `decided_by` (`org_policy` or `bucket_policy`) and `matched_statements`, the deciding statements, sorted (`<policy>/<statement>` for organization statements, `bucket_policy:<bucket>/<Sid>` for bucket statements; the `Deny`s for a deny, the `Allow`s for an allow)."),
            ],
            [],
        ))
    }
}

#[async_trait]
impl DataSource for AccessCheckDataSource {
    type State = AccessCheckState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::data_source_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        check(diags, &config, Warnings::Skip).then_some(())
    }

    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State> {
        if !check(diags, &config, Warnings::Report) {
            return None;
        }
        let configured = self.data.get(diags)?;
        let org = configured
            .client
            .list_access_policies()
            .await
            .map_err(|e| diag::api_error(diags, "listing organization access policies", &e))
            .ok()?;
        let what_ifs = what_if_documents(&config);
        let to_weigh = buckets_to_weigh(&config, &org);
        let to_read: BTreeSet<String> = to_weigh
            .iter()
            .filter(|b| !what_ifs.contains_key(*b))
            .cloned()
            .collect();
        let documents = read_live(&configured.s3, &to_read)
            .await
            .and_then(|live| weighed(live, &what_ifs))
            .map_err(|e| report_bucket_policy_error(diags, &e))
            .ok()?;
        // The principal's organization matters only when a bucket policy is weighed; unless the
        // configuration names it, it is the caller's.
        let principal_org = if let Value::Value(org) = &config.principal_org_id {
            org.clone()
        } else if to_weigh.iter().any(|b| documents.contains_key(b)) {
            let who = configured.client.whoami().await;
            who.map_err(|e| {
                diag::api_error(diags, "reading the organization (cw:PrincipalOrgID)", &e)
            })
            .ok()?
            .org_uid
        } else {
            String::new()
        };
        Some(decide(config, &org, &documents, &principal_org))
    }
}

/// Reports why a bucket's policy could not be weighed.
fn report_bucket_policy_error(diags: &mut Diagnostics, err: &BucketPolicyError) {
    match err {
        BucketPolicyError::Read { source, .. } => diag::s3_error(diags, err, source),
        BucketPolicyError::Unreadable { .. } => {
            diags.root_error("Cannot weigh a bucket policy", err.to_string())
        }
        BucketPolicyError::WhatIf { bucket, .. } => diags.error(
            "Invalid bucket policy",
            err.to_string(),
            AttributePath::new("bucket_policies").key(bucket.clone()),
        ),
    }
}

#[cfg(test)]
mod tests;
