//! A bucket policy document (reference §3.7), read from the raw text `PutBucketPolicy` sent and
//! kept with it (`GetBucketPolicy` answers the text as sent). The AWS policy grammar as CoreWeave
//! uses it: `Version` `2012-10-17` or `2008-10-17` (optional, as in AWS), optional `Id`, and
//! `Statement` (one object or a non-empty list) of `Sid` (optional, unique), `Effect` (`Allow` or
//! `Deny`), `Principal` (`"*"` or a map of `CW`/`AWS` to ARNs or `*`), `Action` (`*` or `s3:`
//! actions), `Resource` (this bucket's ARNs only) and `Condition` (the four string operators).
//! `NotAction`, `NotResource` and `NotPrincipal` are not supported: a document with them, or with
//! any other key, is malformed, and so is a document that is not JSON.

use std::collections::HashSet;

use serde_json::{Map, Value};

/// The policy versions AWS (and so CoreWeave) accepts.
pub const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];
/// The principal kinds a `Principal` map may name.
const PRINCIPAL_KINDS: [&str; 2] = ["CW", "AWS"];
/// The principal ARN kinds: a user, a SAML group, a (federated) role.
const PRINCIPAL_ARN_KINDS: [&str; 3] = ["coreweave/", "saml/", "role/"];
const STATEMENT_KEYS: [&str; 6] = [
    "Sid",
    "Effect",
    "Principal",
    "Action",
    "Resource",
    "Condition",
];
const UNSUPPORTED_KEYS: [&str; 3] = ["NotAction", "NotResource", "NotPrincipal"];

/// Why a document is refused (`MalformedPolicy`); the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MalformedPolicy(pub String);

fn malformed<T>(message: impl Into<String>) -> Result<T, MalformedPolicy> {
    Err(MalformedPolicy(message.into()))
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants the request.
    Allow,
    /// Refuses the request, whatever allows it.
    Deny,
}

/// A condition operator (the string ones CoreWeave documents or implies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// A value equals the request's.
    StringEquals,
    /// No value equals the request's (true when the key is absent).
    StringNotEquals,
    /// A value, as a glob, matches the request's.
    StringLike,
    /// No value matches the request's (true when the key is absent).
    StringNotLike,
}

impl Operator {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "StringEquals" => Self::StringEquals,
            "StringNotEquals" => Self::StringNotEquals,
            "StringLike" => Self::StringLike,
            "StringNotLike" => Self::StringNotLike,
            _ => return None,
        })
    }
}

/// One `operator: {key: values}` test of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The context key, as written (compared case-insensitively).
    pub key: String,
    /// Any of these may match.
    pub values: Vec<String>,
}

/// One statement of a bucket policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketStatement {
    /// `Sid`, or `[<index>]` (0-based) when it has none: how decisions name it.
    pub name: String,
    /// Its effect.
    pub effect: Effect,
    /// Principal ARN globs (`*` = everyone).
    pub principals: Vec<String>,
    /// Action globs.
    pub actions: Vec<String>,
    /// Resource ARN globs, all in the policy's bucket.
    pub resources: Vec<String>,
    /// All must hold.
    pub conditions: Vec<Condition>,
}

/// A validated bucket policy and the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketPolicy {
    raw: String,
    bucket: String,
    statements: Vec<BucketStatement>,
}

impl BucketPolicy {
    /// Reads `raw` as the policy of `bucket`, refusing what the grammar above does not allow.
    pub fn parse(raw: &str, bucket: &str) -> Result<Self, MalformedPolicy> {
        let document: Value = match serde_json::from_str(raw) {
            Ok(document) => document,
            Err(e) => return malformed(format!("the policy is not valid JSON: {e}")),
        };
        let Value::Object(document) = document else {
            return malformed("the policy must be a JSON object");
        };
        for key in document.keys() {
            if !["Version", "Id", "Statement"].contains(&key.as_str()) {
                return malformed(format!(
                    "unknown top-level key {key:?} (expected Version, Id, Statement)"
                ));
            }
        }
        match document.get("Version") {
            None => {}
            Some(Value::String(v)) if VERSIONS.contains(&v.as_str()) => {}
            Some(other) => {
                return malformed(format!(
                    "Version must be \"2012-10-17\" or \"2008-10-17\", got {other}"
                ))
            }
        }
        if document.get("Id").is_some_and(|id| !id.is_string()) {
            return malformed("Id must be a string");
        }
        let statements = match document.get("Statement") {
            None => return malformed("the policy has no Statement"),
            Some(Value::Array(list)) if list.is_empty() => {
                return malformed("Statement must not be empty")
            }
            Some(Value::Array(list)) => list.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            Some(_) => return malformed("Statement must be an object or a list of objects"),
        };
        let mut sids = HashSet::new();
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, statement)| {
                let named = statement.get("Sid").is_some();
                let statement = read_statement(statement, index, bucket)?;
                if named && !sids.insert(statement.name.clone()) {
                    return malformed(format!("Sid {:?} is used twice", statement.name));
                }
                Ok(statement)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            raw: raw.to_string(),
            bucket: bucket.to_string(),
            statements,
        })
    }

    /// The text as `PutBucketPolicy` sent it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The bucket the policy belongs to.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[BucketStatement] {
        &self.statements
    }
}

fn read_statement(
    statement: &Value,
    index: usize,
    bucket: &str,
) -> Result<BucketStatement, MalformedPolicy> {
    let at = format!("Statement[{index}]");
    let Value::Object(fields) = statement else {
        return malformed(format!("{at} must be an object"));
    };
    for key in fields.keys() {
        if UNSUPPORTED_KEYS.contains(&key.as_str()) {
            return malformed(format!("{at}: {key} is not supported"));
        }
        if !STATEMENT_KEYS.contains(&key.as_str()) {
            return malformed(format!(
                "{at}: unknown key {key:?} (expected {})",
                STATEMENT_KEYS.join(", ")
            ));
        }
    }
    let name = match fields.get("Sid") {
        None => format!("[{index}]"),
        Some(Value::String(sid)) if !sid.is_empty() => sid.clone(),
        Some(other) => {
            return malformed(format!("{at}: Sid must be a non-empty name, got {other}"))
        }
    };
    let effect = match fields.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return malformed(format!(
                "{at}: Effect must be \"Allow\" or \"Deny\", got {}",
                shown(fields.get("Effect"))
            ))
        }
    };
    let principals = read_principals(fields.get("Principal"), &at)?;
    let actions = strings(fields.get("Action"), &format!("{at}.Action"))?;
    if let Some(bad) = actions
        .iter()
        .find(|a| *a != "*" && !a.to_ascii_lowercase().starts_with("s3:"))
    {
        return malformed(format!(
            "{at}.Action: {bad:?} is not an S3 action (s3:<Name> or *)"
        ));
    }
    let resources = strings(fields.get("Resource"), &format!("{at}.Resource"))?;
    let arn = format!("arn:aws:s3:::{bucket}");
    if let Some(bad) = resources
        .iter()
        .find(|r| **r != arn && !r.starts_with(&format!("{arn}/")))
    {
        return malformed(format!(
            "{at}.Resource: {bad:?} is not in bucket {bucket} (use {arn} or {arn}/<key pattern>)"
        ));
    }
    let conditions = match fields.get("Condition") {
        None => Vec::new(),
        Some(Value::Object(operators)) => read_conditions(operators, &at)?,
        Some(_) => return malformed(format!("{at}.Condition must be an object")),
    };
    Ok(BucketStatement {
        name,
        effect,
        principals,
        actions,
        resources,
        conditions,
    })
}

/// `"*"`, or a map of `CW`/`AWS` to `*` or principal ARNs (a string or a list).
fn read_principals(principal: Option<&Value>, at: &str) -> Result<Vec<String>, MalformedPolicy> {
    let map = match principal {
        Some(Value::String(everyone)) if everyone == "*" => return Ok(vec!["*".into()]),
        Some(Value::Object(map)) if !map.is_empty() => map,
        other => {
            return malformed(format!(
                "{at}.Principal must be \"*\" or a map of CW or AWS to principals, got {}",
                shown(other)
            ))
        }
    };
    let mut principals = Vec::new();
    for (kind, values) in map {
        if !PRINCIPAL_KINDS.contains(&kind.as_str()) {
            return malformed(format!(
                "{at}.Principal: unknown principal kind {kind:?} (CW or AWS)"
            ));
        }
        for value in strings(Some(values), &format!("{at}.Principal.{kind}"))? {
            if value != "*" && !is_principal_arn(&value) {
                return malformed(format!(
                    "{at}.Principal.{kind}: {value:?} is not * or \
                     arn:aws:iam::<org id>:coreweave/<user>, :saml/<group> or :role/<role>"
                ));
            }
            principals.push(value);
        }
    }
    Ok(principals)
}

fn is_principal_arn(value: &str) -> bool {
    value
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(org, who)| {
            !org.is_empty() && PRINCIPAL_ARN_KINDS.iter().any(|k| who.starts_with(k))
        })
}

fn read_conditions(
    operators: &Map<String, Value>,
    at: &str,
) -> Result<Vec<Condition>, MalformedPolicy> {
    let mut conditions = Vec::new();
    for (name, keys) in operators {
        let Some(operator) = Operator::parse(name) else {
            return malformed(format!(
                "{at}.Condition: unknown condition operator {name:?} (StringEquals, \
                 StringNotEquals, StringLike or StringNotLike)"
            ));
        };
        let Value::Object(keys) = keys else {
            return malformed(format!("{at}.Condition.{name} must map keys to values"));
        };
        if keys.is_empty() {
            return malformed(format!("{at}.Condition.{name} must not be empty"));
        }
        for (key, values) in keys {
            conditions.push(Condition {
                operator,
                key: key.clone(),
                values: strings(Some(values), &format!("{at}.Condition.{name}.{key}"))?,
            });
        }
    }
    Ok(conditions)
}

/// A string or a non-empty list of non-empty strings.
fn strings(value: Option<&Value>, at: &str) -> Result<Vec<String>, MalformedPolicy> {
    let items = match value {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default(),
        other => {
            return malformed(format!(
                "{at} must be a string or a non-empty list of strings, got {}",
                shown(other)
            ))
        }
    };
    if items.is_empty() || items.iter().any(String::is_empty) {
        return malformed(format!("{at} must hold non-empty strings only"));
    }
    Ok(items)
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_string(), Value::to_string)
}

#[cfg(test)]
mod tests;
