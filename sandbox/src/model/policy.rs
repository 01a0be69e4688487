//! The AI Object Storage organization access policy model and its validation.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::wire::errors::FieldViolation;

/// The only policy version the API accepts.
pub const POLICY_VERSION: &str = "v1alpha1";
const MAX_NAME_CHARS: usize = 255;

/// One policy statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Statement name, unique within its policy.
    pub name: String,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// Actions, e.g. `s3:GetObject`.
    pub actions: Vec<String>,
    /// Resources, e.g. `bucket/*`.
    pub resources: Vec<String>,
    /// Principals, e.g. `role/<issuer>:<sub>`.
    pub principals: Vec<String>,
}

/// An organization access policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Always `v1alpha1`.
    pub version: String,
    /// Unique name.
    pub name: String,
    /// Statements in the order received.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// JSON form, in stored order.
    pub fn to_json(&self) -> Value {
        self.json_with(false)
    }

    /// JSON form as ListAccessPolicies returns it: statements (by name) and every list sorted
    /// in descending order, so that clients relying on order notice.
    pub fn to_scrambled_json(&self) -> Value {
        self.json_with(true)
    }

    fn json_with(&self, descending: bool) -> Value {
        let order = |items: &[String]| {
            let mut items = items.to_vec();
            if descending {
                items.sort_by(|a, b| b.cmp(a));
            }
            items
        };
        let mut statements: Vec<&Statement> = self.statements.iter().collect();
        if descending {
            statements.sort_by(|a, b| b.name.cmp(&a.name));
        }
        let statements: Vec<Value> = statements
            .into_iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "effect": s.effect,
                    "actions": order(&s.actions),
                    "resources": order(&s.resources),
                    "principals": order(&s.principals),
                })
            })
            .collect();
        json!({"version": self.version, "name": self.name, "statements": statements})
    }
}

/// Strict JSON input form of a statement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    name: Option<String>,
    effect: Option<String>,
    actions: Option<Vec<String>>,
    resources: Option<Vec<String>>,
    principals: Option<Vec<String>>,
}

/// Strict JSON input form of a policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    version: Option<String>,
    name: Option<String>,
    statements: Option<Vec<StatementInput>>,
}

/// Whether an action is global and so needs `resources = ["*"]` (reference §3.2: every
/// `cwobject:` action and `s3:ListAllMyBuckets`).
fn is_global_action(action: &str) -> bool {
    action == "*" || action.starts_with("cwobject:") || action == "s3:ListAllMyBuckets"
}

impl PolicyInput {
    /// Validates and converts; violation paths start with `prefix` (e.g. `policy`).
    pub fn into_policy(self, prefix: &str) -> Result<Policy, Vec<FieldViolation>> {
        let mut bad = Vec::new();
        let version = self.version.unwrap_or_default();
        if version != POLICY_VERSION {
            bad.push(FieldViolation::new(
                format!("{prefix}.version"),
                format!("must be {POLICY_VERSION:?}, got {version:?}"),
            ));
        }
        let name = self.name.unwrap_or_default();
        if name.is_empty() {
            bad.push(FieldViolation::required(format!("{prefix}.name")));
        } else if name.chars().count() > MAX_NAME_CHARS {
            bad.push(FieldViolation::new(
                format!("{prefix}.name"),
                format!("must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        let inputs = self.statements.unwrap_or_default();
        if inputs.is_empty() {
            bad.push(FieldViolation::new(
                format!("{prefix}.statements"),
                "at least one statement is required",
            ));
        }
        let mut seen = HashSet::new();
        let statements: Vec<Statement> = inputs
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let path = format!("{prefix}.statements[{i}]");
                let st = s.into_statement(&path, &mut bad);
                if !st.name.is_empty() && !seen.insert(st.name.clone()) {
                    bad.push(FieldViolation::new(
                        format!("{path}.name"),
                        format!("duplicate statement name {:?}", st.name),
                    ));
                }
                st
            })
            .collect();
        if !bad.is_empty() {
            return Err(bad);
        }
        Ok(Policy {
            version,
            name,
            statements,
        })
    }
}

impl StatementInput {
    fn into_statement(self, path: &str, bad: &mut Vec<FieldViolation>) -> Statement {
        let name = self.name.unwrap_or_default();
        if name.is_empty() {
            bad.push(FieldViolation::required(format!("{path}.name")));
        }
        let effect = self.effect.unwrap_or_default();
        if effect != "Allow" && effect != "Deny" {
            bad.push(FieldViolation::new(
                format!("{path}.effect"),
                format!("must be \"Allow\" or \"Deny\", got {effect:?}"),
            ));
        }
        let mut list = |field: &str, values: Option<Vec<String>>| {
            let values = values.unwrap_or_default();
            if values.is_empty() {
                bad.push(FieldViolation::new(
                    format!("{path}.{field}"),
                    "must not be empty",
                ));
            }
            for (j, v) in values.iter().enumerate() {
                if v.is_empty() {
                    bad.push(FieldViolation::new(
                        format!("{path}.{field}[{j}]"),
                        "must not be an empty string",
                    ));
                }
            }
            values
        };
        let actions = list("actions", self.actions);
        let resources = list("resources", self.resources);
        let principals = list("principals", self.principals);
        if let Some(global) = actions.iter().find(|a| is_global_action(a)) {
            if resources != ["*"] {
                bad.push(FieldViolation::new(
                    format!("{path}.resources"),
                    format!("action {global:?} is global: resources must be exactly [\"*\"]"),
                ));
            }
        }
        Statement {
            name,
            effect,
            actions,
            resources,
            principals,
        }
    }
}

#[cfg(test)]
mod tests;
