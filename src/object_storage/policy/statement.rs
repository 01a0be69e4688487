//! A policy statement as Terraform holds it (shared by the org-policy resource and the access
//! check's what-if policies), its conversion to and from the API, and the plan-time check of a
//! policy's name and statements.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::AttributeType;
use tf_plugin_server::value::{Value, ValueSet};
use tf_plugin_server::{AttributePath, Diagnostics};

use super::rules::{check_statements, StatementInput};
use crate::api::cwobject::PolicyStatement;
use crate::diag;
use crate::schema::{object_of, set_of_strings, Field};

/// One statement of the `statements` set.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Statement {
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub effect: Value<String>,
    #[serde(default)]
    pub actions: ValueSet<Value<String>>,
    #[serde(default)]
    pub resources: ValueSet<Value<String>>,
    #[serde(default)]
    pub principals: ValueSet<Value<String>>,
}

fn known_set(set: &ValueSet<Value<String>>) -> Option<BTreeSet<String>> {
    let items = set.as_ref_option()?;
    items.iter().map(|v| v.as_ref_option().cloned()).collect()
}

pub(crate) fn string_set(items: &[String]) -> ValueSet<Value<String>> {
    Value::Value(items.iter().cloned().map(Value::Value).collect())
}

impl Statement {
    fn input(&self) -> StatementInput {
        StatementInput {
            name: self.name.as_ref_option().cloned(),
            effect: self.effect.as_ref_option().cloned(),
            actions: known_set(&self.actions),
            resources: known_set(&self.resources),
            principals: known_set(&self.principals),
        }
    }

    /// The state form of an API statement.
    pub(crate) fn from_api(s: &PolicyStatement) -> Self {
        Self {
            name: Value::Value(s.name.clone()),
            effect: Value::Value(s.effect.clone()),
            actions: string_set(&s.actions),
            resources: string_set(&s.resources),
            principals: string_set(&s.principals),
        }
    }

    /// The API form of this statement (unknown values as empty).
    pub fn to_api(&self) -> PolicyStatement {
        let list = |set: &ValueSet<Value<String>>| {
            known_set(set).unwrap_or_default().into_iter().collect()
        };
        PolicyStatement {
            name: self.name.as_ref_option().cloned().unwrap_or_default(),
            effect: self.effect.as_ref_option().cloned().unwrap_or_default(),
            actions: list(&self.actions),
            resources: list(&self.resources),
            principals: list(&self.principals),
        }
    }
}

/// Whether a check adds its warnings (an unrecognised action) to the diagnostics.
///
/// Terraform validates a configuration more than once per plan (in its validate walk and again
/// in its plan walk, each talking to a provider process of its own), so a warning raised in
/// validation is shown two or three times. A resource is planned, and a data source read, once
/// per plan: warnings are reported there only, errors wherever they are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warnings {
    /// Report them (planning a resource, reading a data source).
    Report,
    /// Leave them out (validation, and apply, whose plan already reported them).
    Skip,
}

/// Checks a policy's name and statements, held at `at` (the root for the org-policy resource,
/// an element of `policies` for the access check): diagnostics go to `at.name` and
/// `at.statements`. Unknown values are skipped. Returns false on any error.
pub fn check_policy(
    diags: &mut Diagnostics,
    name: &Value<String>,
    statements: &ValueSet<Statement>,
    at: &AttributePath,
    warnings: Warnings,
) -> bool {
    let under = |attr: &'static str| {
        if at.steps.is_empty() {
            AttributePath::new(attr)
        } else {
            at.clone().attribute(attr)
        }
    };
    let before = diags.errors.len();
    if let Value::Value(name) = name {
        if let Err(e) = crate::validate::length(name, 1, 255) {
            diag::invalid(diags, under("name"), "name", e);
        } else if name.contains('/') || name.chars().any(char::is_whitespace) {
            diags.warning(
                "Unusual policy name",
                format!(
                    "`name` contains '/' or whitespace ({name:?}): the API accepts it, but every command and URL \
                     that names the policy must quote or escape it."
                ),
                under("name"),
            );
        }
    }
    if let Value::Value(statements) = statements {
        let inputs: Vec<StatementInput> = statements.iter().map(Statement::input).collect();
        for finding in check_statements(&inputs) {
            let path = under("statements");
            if finding.error {
                diags.error(finding.summary, finding.message, path);
            } else if warnings == Warnings::Report {
                diags.warning(finding.summary, finding.message, path);
            }
        }
    }
    diags.errors.len() == before
}

/// The fields of one statement, with what the docs say about each.
pub fn statement_fields() -> Vec<Field> {
    vec![
        Field::new("name", AttributeType::String, "Name of the statement, unique in the policy (like `Sid` in a bucket policy); plan-time errors name the statement by it."),
        Field::new("effect", AttributeType::String, "`Allow` or `Deny`, case-sensitive. A matching `Deny` wins over any `Allow`; what no statement allows is denied."),
        Field::new("actions", set_of_strings(), "What may be done: `*`, `s3:<Action>` or `cwobject:<Action>`, with `*` as a wildcard (`s3:Get*`). Matched case-sensitively: `s3:getobject` grants nothing, and the plan warns, naming `s3:GetObject`; an action the provider does not know is a warning suggesting the closest one. Any `cwobject:` action, `*` or `s3:ListAllMyBuckets` needs `resources = [\"*\"]`."),
        Field::new("resources", set_of_strings(), "On which buckets and objects: `*`, `<bucket>`, `<bucket>/*` or `<bucket>/<key prefix>*`, where a bucket name is 3 to 63 lowercase letters, digits or `-`; anything else (an ARN, which belongs in a bucket policy, or an `s3://` URL) matches no bucket, and the plan warns."),
        Field::new("principals", set_of_strings(), "Who: `*`, `coreweave/<user id>`, `role/<https issuer>:<subject>` (a federated identity such as a service account, see `provider::coreweave::service_account_principal`), `role/<https issuer>*` (every subject of an issuer), or a SAML group `role/<group>`."),
    ]
}

/// The type of one statement: an object with `name`, `effect`, `actions`, `resources`,
/// `principals`.
pub fn statement_type() -> AttributeType {
    object_of(statement_fields())
}
