//! Data source `coreweave_object_storage_access_check`: would the organization's access policies
//! allow this principal these actions on these resources? Optional what-if `policies` are
//! evaluated in place of the live policies of the same name, so a plan can check a policy
//! before it is applied. The live policies come from the client's shared list (one list call
//! per run, shared with the org-policy resources).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::{Value, ValueList, ValueSet};
use tf_plugin_server::{AttributePath, DataSource, Diagnostics};

use crate::api::cwobject::{AccessPolicy, ACCESS_POLICY_VERSION};
use crate::diag;
use crate::object_storage::policy::{
    self, check_policy, evaluate, statement_fields, statement_type, with_what_ifs, ActionKind,
    Statement, Warnings,
};
use crate::provider::ProviderData;
use crate::schema::{
    block, field_docs, object_of, schema, set_of_strings, Attr, Field, FieldDocs, Kind,
};

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
    pub matched_statements: ValueList<Value<String>>,
}

/// State of the data source.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct AccessCheckState {
    #[serde(default)]
    pub principal: Value<String>,
    #[serde(default)]
    pub actions: ValueSet<Value<String>>,
    #[serde(default)]
    pub resources: ValueSet<Value<String>>,
    #[serde(default)]
    pub policies: ValueList<WhatIfPolicy>,
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
    diags.errors.len() == before
}

fn what_if(policy: &WhatIfPolicy) -> AccessPolicy {
    AccessPolicy {
        version: ACCESS_POLICY_VERSION.into(),
        name: policy.name.as_ref_option().cloned().unwrap_or_default(),
        statements: policy
            .statements
            .iter()
            .flatten()
            .map(Statement::to_api)
            .collect(),
    }
}

/// Fills `allowed` and `results` for `state` under `live` policies.
pub fn decide(mut state: AccessCheckState, live: &[AccessPolicy]) -> AccessCheckState {
    let what_ifs: Vec<AccessPolicy> = state.policies.iter().flatten().map(what_if).collect();
    let policies = with_what_ifs(live, &what_ifs);
    let principal = state.principal.as_ref_option().cloned().unwrap_or_default();
    let resources = known(&state.resources)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| BTreeSet::from(["*".to_string()]));
    let mut results = Vec::new();
    for action in known(&state.actions).unwrap_or_default() {
        for resource in &resources {
            let e = evaluate(policies.iter().copied(), &principal, &action, resource);
            results.push(CheckResult {
                action: Value::Value(action.clone()),
                resource: Value::Value(resource.clone()),
                decision: Value::Value(e.decision.as_str().to_string()),
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
        Field::new("decision", AttributeType::String, "`allowed` (an `Allow` matched and no `Deny`), `explicit_deny` (a `Deny` matched) or `implicit_deny` (nothing matched)."),
        Field::new("matched_statements", AttributeType::List(Box::new(AttributeType::String)), "The statements that decided, as sorted `<policy>/<statement>` names: the `Deny`s for an explicit deny, the `Allow`s for an allow, none for an implicit deny."),
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
            "Answers \"would the organization's access policies allow this principal these actions on these \
             resources?\" at plan time, in the spirit of AWS's `aws_iam_principal_policy_simulation`. It evaluates \
             **organization access policies only**: a bucket policy can still deny. A matching `Deny` wins, a \
             matching `Allow` allows, and no matching statement is an implicit deny; `*` and a trailing `*` are \
             wildcards, and names are case-sensitive. Optional `policies` are evaluated in place of the live \
             policies of the same name (or in addition, for new names), so a plan can check a policy before it \
             is applied. Use it in a `check` block or a `postcondition` to make a plan say when access is missing.",
            [
                Attr::string("principal", Kind::Required, "The principal asking, e.g. `role/<issuer>:system:serviceaccount:<namespace>:<name>` (see `provider::coreweave::service_account_principal`) or `coreweave/<user id>`. Must be concrete: no wildcard."),
                Attr::new("actions", set_of_strings(), Kind::Required, "Concrete actions to check, e.g. `s3:GetObject` or `cwobject:CreateAccessKeyOIDC` (the action a service-account token exchange is authorized as). At least one."),
                Attr::new("resources", set_of_strings(), Kind::OptionalComputed, "Concrete resources: `*`, `<bucket>` or `<bucket>/<key>`. Default `[\"*\"]`; `cwobject:` actions are checked on `*`."),
                Attr::new("policies", AttributeType::List(Box::new(policy)), Kind::Optional, "What-if policies, each `{ name, statements }` with statements as in `coreweave_object_storage_org_policy`, evaluated in place of the live policy of the same name. Checked with the same rules as that resource."),
                Attr::new("allowed", AttributeType::Bool, Kind::Computed, "True when every (action, resource) pair is allowed."),
                Attr::new("results", AttributeType::List(Box::new(result)), Kind::Computed, "One object per (action, resource) pair, sorted: `action`, `resource`, `decision` (`allowed`, `explicit_deny` or `implicit_deny`) and `matched_statements`, the deciding statements as sorted `<policy>/<statement>` names (the `Deny`s for a deny, the `Allow`s for an allow)."),
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
        match configured.client.list_access_policies().await {
            Ok(live) => Some(decide(config, &live)),
            Err(e) => {
                diag::api_error(diags, "listing organization access policies", &e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
