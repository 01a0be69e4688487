//! A bucket-policy document as the S3 API takes it (`PutBucketPolicy`), read from its JSON text
//! in every form that API accepts: a single value as a string or a list, `Statement` as one
//! object or a list, `Principal` as `"*"` or a map of `CW`/`AWS` to a string or list, keys in any
//! order, any whitespace (reference §3.7).
//!
//! Reading collects every grammar error (the `MalformedPolicy` refusals) instead of stopping at
//! the first, so that a plan shows them all; [`Document::parse`] fails on the first of them.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::problem::{DocPath, Problem};

/// The policy language versions the API accepts.
pub const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// The keys of a document, in the order they are usually written.
pub(super) const DOCUMENT_KEYS: &[&str] = &["Version", "Id", "Statement"];
/// The keys of a statement, in the order they are usually written.
pub(super) const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "Action",
    "Resource",
    "Condition",
];
/// AWS statement keys CoreWeave does not support, with what to write instead.
const UNSUPPORTED_KEYS: &[(&str, &str)] = &[
    ("NotAction", "list the actions in `Action` instead (a `Deny` statement takes away what an `Allow` gives)"),
    ("NotResource", "list the resources in `Resource` instead (a `Deny` statement takes away what an `Allow` gives)"),
    ("NotPrincipal", "list the principals in `Principal` instead, or use a `StringNotEquals` condition on `cw:PrincipalOrgID`"),
];

/// One value or several (`"s3:GetObject"` or `["s3:GetObject", "s3:PutObject"]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    /// The values, in the order written.
    pub items: Vec<String>,
    /// Whether they were written as a list (paths then name each item by its position).
    pub as_list: bool,
}

impl Values {
    /// The path of item `i`, given the path of the values.
    pub fn item_path(&self, at: &DocPath, i: usize) -> DocPath {
        if self.as_list {
            at.index(i)
        } else {
            at.clone()
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// Grants what the statement matches.
    Allow,
    /// Refuses what the statement matches, whatever allows it.
    Deny,
}

impl Effect {
    /// `Allow` or `Deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Who a statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"Principal": "*"`: everyone.
    Anyone,
    /// `"Principal": {"CW": [...]}`: principal kind (`CW`, `AWS`, or another the API may not
    /// know) to its principals.
    Named(BTreeMap<String, Values>),
}

/// A condition operator CoreWeave evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operator {
    /// The key's value equals one of the values.
    StringEquals,
    /// The key's value equals none of the values (true when the key is absent).
    StringNotEquals,
    /// The key's value matches one of the glob values.
    StringLike,
    /// The key's value matches none of the glob values (true when the key is absent).
    StringNotLike,
}

impl Operator {
    /// Every operator.
    pub const ALL: [Operator; 4] = [
        Operator::StringEquals,
        Operator::StringNotEquals,
        Operator::StringLike,
        Operator::StringNotLike,
    ];

    /// The name written in a document.
    pub fn name(self) -> &'static str {
        match self {
            Operator::StringEquals => "StringEquals",
            Operator::StringNotEquals => "StringNotEquals",
            Operator::StringLike => "StringLike",
            Operator::StringNotLike => "StringNotLike",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// One condition: an operator applied to one request key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The request key, e.g. `cw:PrincipalOrgID` (compared ignoring case).
    pub key: String,
    /// The values; any one may match.
    pub values: Values,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Its `Sid`, if it has one.
    pub sid: Option<String>,
    /// Its effect.
    pub effect: Effect,
    /// Its `Principal`, if it has one (without one it matches no one).
    pub principal: Option<Principal>,
    /// Its actions (none when absent).
    pub action: Values,
    /// Its resources (none when absent).
    pub resource: Values,
    /// Its conditions, all of which must hold.
    pub condition: Vec<Condition>,
    /// Its position in `Statement` (0 when `Statement` is a single object).
    pub index: usize,
    /// Where it is in the document: `Statement[index]`, or `Statement` for a single object.
    pub path: DocPath,
}

/// A parsed bucket-policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its `Version`, if set.
    pub version: Option<String>,
    /// Its `Id`, if set.
    pub id: Option<String>,
    /// Its statements, in the order written.
    pub statements: Vec<Statement>,
}

/// Why a text is not a bucket-policy document the API would accept.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The text is not JSON.
    #[error("the policy is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// JSON, but not a policy document (the API answers `MalformedPolicy`).
    #[error("the policy is malformed: {0}")]
    Malformed(Problem),
}

impl DocumentError {
    /// The error as a problem at the place it was found.
    pub fn into_problem(self) -> Problem {
        match self {
            DocumentError::Malformed(problem) => problem,
            DocumentError::NotJson(e) => Problem::error(
                DocPath::root(),
                format!(
                    "is not valid JSON ({e}); write the document with jsonencode() or the \
                     coreweave_object_storage_bucket_policy_document data source"
                ),
            ),
        }
    }
}

impl Document {
    /// Parses a document, failing on the first part the API would refuse.
    pub fn parse(text: &str) -> Result<Document, DocumentError> {
        let (document, problems) = read(text)?;
        match problems.into_iter().find(Problem::is_error) {
            Some(problem) => Err(DocumentError::Malformed(problem)),
            None => Ok(document),
        }
    }
}

/// Reads a document, with every grammar error found. When there are errors, the document holds
/// what could be read (a statement with a bad `Effect` reads as a `Deny`); only the checks use
/// such a document, never the evaluator.
pub(super) fn read(text: &str) -> Result<(Document, Vec<Problem>), DocumentError> {
    let json: Json = serde_json::from_str(text).map_err(DocumentError::NotJson)?;
    let Json::Object(root) = json else {
        return Err(DocumentError::Malformed(Problem::error(
            DocPath::root(),
            "must be a JSON object: {\"Version\": \"2012-10-17\", \"Statement\": [...]}",
        )));
    };
    let mut reader = Reader::default();
    let document = reader.document(&root);
    Ok((document, reader.problems))
}

/// The message for a key that is not one of `known`, naming the right spelling when only its
/// case differs.
fn unknown_key(key: &str, known: &[&str], what: &str) -> String {
    match known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        Some(right) => format!("keys are case-sensitive: write \"{right}\", not \"{key}\""),
        None => format!(
            "\"{key}\" is not a key of {what}; the keys are {}",
            known.join(", ")
        ),
    }
}

/// A JSON type's name for messages.
fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
}

impl Reader {
    fn error(&mut self, path: DocPath, message: impl Into<String>) {
        self.problems.push(Problem::error(path, message));
    }

    fn known_keys(&mut self, object: &Map<String, Json>, known: &[&str], at: &DocPath, what: &str) {
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            let message = match UNSUPPORTED_KEYS.iter().find(|(k, _)| k == key) {
                Some((_, instead)) => format!("\"{key}\" is not supported by CoreWeave: {instead}"),
                None => unknown_key(key, known, what),
            };
            self.error(at.key(key), message);
        }
    }

    fn document(&mut self, root: &Map<String, Json>) -> Document {
        let at = DocPath::root();
        self.known_keys(root, DOCUMENT_KEYS, &at, "a policy document");
        let version = self.string(root, "Version", &at);
        if let Some(v) = version.as_deref().filter(|v| !VERSIONS.contains(v)) {
            self.error(
                at.key("Version"),
                format!("must be \"2012-10-17\" (or the older \"2008-10-17\"), not {v:?}"),
            );
        }
        let id = self.string(root, "Id", &at);
        let statements = self.statements(root.get("Statement"), &at.key("Statement"));
        Document {
            version,
            id,
            statements,
        }
    }

    /// The string at `key` of `object`, if present; an error if it is not a string.
    fn string(&mut self, object: &Map<String, Json>, key: &str, at: &DocPath) -> Option<String> {
        match object.get(key)? {
            Json::String(s) => Some(s.clone()),
            other => {
                let message = format!("must be a string, not {}", kind(other));
                self.error(at.key(key), message);
                None
            }
        }
    }

    fn statements(&mut self, json: Option<&Json>, at: &DocPath) -> Vec<Statement> {
        match json {
            None => {
                self.error(at.clone(), "is missing: a policy needs at least one statement, e.g. \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"CW\": \"*\"}, \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::<bucket>/*\"}]");
                Vec::new()
            }
            Some(Json::Object(one)) => vec![self.statement(one, 0, at.clone())],
            Some(Json::Array(list)) if list.is_empty() => {
                self.error(
                    at.clone(),
                    "is empty: a policy needs at least one statement",
                );
                Vec::new()
            }
            Some(Json::Array(list)) => list
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item {
                    Json::Object(s) => Some(self.statement(s, i, at.index(i))),
                    other => {
                        let message = format!("must be a statement object, not {}", kind(other));
                        self.error(at.index(i), message);
                        None
                    }
                })
                .collect(),
            Some(other) => {
                let message = format!("must be a list of statement objects, not {}", kind(other));
                self.error(at.clone(), message);
                Vec::new()
            }
        }
    }

    fn statement(&mut self, s: &Map<String, Json>, index: usize, at: DocPath) -> Statement {
        self.known_keys(s, STATEMENT_KEYS, &at, "a statement");
        let sid = self.string(s, "Sid", &at).filter(|sid| !sid.is_empty());
        let effect = match self.string(s, "Effect", &at).as_deref() {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            Some(other) => {
                let message = format!(
                    "must be exactly \"Allow\" or \"Deny\" (case-sensitive), not {other:?}"
                );
                self.error(at.key("Effect"), message);
                Effect::Deny
            }
            None => {
                if !s.contains_key("Effect") {
                    self.error(
                        at.key("Effect"),
                        "is missing: write \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
                    );
                }
                Effect::Deny
            }
        };
        let principal = s
            .get("Principal")
            .and_then(|p| self.principal(p, &at.key("Principal")));
        let action = self.values_at(s, "Action", &at);
        let resource = self.values_at(s, "Resource", &at);
        let condition = s
            .get("Condition")
            .map(|c| self.conditions(c, &at.key("Condition")))
            .unwrap_or_default();
        Statement {
            sid,
            effect,
            principal,
            action,
            resource,
            condition,
            index,
            path: at,
        }
    }

    fn values_at(&mut self, object: &Map<String, Json>, key: &str, at: &DocPath) -> Values {
        match object.get(key) {
            Some(json) => self.values(json, &at.key(key), Scalars::Strings),
            None => Values::default(),
        }
    }

    /// A string or a list of strings (condition values: numbers and booleans too, as text).
    fn values(&mut self, json: &Json, at: &DocPath, scalars: Scalars) -> Values {
        let as_list = matches!(json, Json::Array(_));
        let items: Vec<&Json> = match json {
            Json::Array(list) => list.iter().collect(),
            one => vec![one],
        };
        let mut values = Values {
            items: Vec::new(),
            as_list,
        };
        for (i, item) in items.into_iter().enumerate() {
            let text = match (item, scalars) {
                (Json::String(s), _) => Some(s.clone()),
                (Json::Number(_) | Json::Bool(_), Scalars::AlsoNumbersAndBooleans) => {
                    Some(item.to_string())
                }
                _ => None,
            };
            match text {
                Some(text) => values.items.push(text),
                None => {
                    let message =
                        format!("must be a string or a list of strings, not {}", kind(item));
                    self.error(values.item_path(at, i), message);
                }
            }
        }
        values
    }

    fn principal(&mut self, json: &Json, at: &DocPath) -> Option<Principal> {
        match json {
            Json::String(s) if s == "*" => Some(Principal::Anyone),
            Json::Object(kinds) => Some(Principal::Named(
                kinds
                    .iter()
                    .map(|(k, v)| (k.clone(), self.values(v, &at.key(k), Scalars::Strings)))
                    .collect(),
            )),
            other => {
                let message = format!(
                    "must be \"*\" or a map such as {{\"CW\": [\"arn:aws:iam::<ORG-ID>:coreweave/<USER-ID>\"]}}, not {}",
                    match other {
                        Json::String(s) => format!("the string {s:?}"),
                        _ => kind(other).to_string(),
                    }
                );
                self.error(at.clone(), message);
                None
            }
        }
    }

    fn conditions(&mut self, json: &Json, at: &DocPath) -> Vec<Condition> {
        let Json::Object(operators) = json else {
            let message = format!(
                "must be a map of operator to a map of key to values, e.g. {{\"StringEquals\": {{\"cw:PrincipalOrgID\": \"<ORG-ID>\"}}}}, not {}",
                kind(json)
            );
            self.error(at.clone(), message);
            return Vec::new();
        };
        let mut conditions = Vec::new();
        for (name, keys) in operators {
            let op_at = at.key(name);
            let Some(operator) = Operator::from_name(name) else {
                let known: Vec<&str> = Operator::ALL.iter().map(|o| o.name()).collect();
                self.error(op_at, unknown_operator(name, &known));
                continue;
            };
            let Json::Object(keys) = keys else {
                let message = format!(
                    "must be a map of request key to values, e.g. {{\"cw:PrincipalOrgID\": \"<ORG-ID>\"}}, not {}",
                    kind(keys)
                );
                self.error(op_at, message);
                continue;
            };
            for (key, values) in keys {
                let values = self.values(values, &op_at.key(key), Scalars::AlsoNumbersAndBooleans);
                conditions.push(Condition {
                    operator,
                    key: key.clone(),
                    values,
                });
            }
        }
        conditions
    }
}

/// What a list of values may hold besides strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalars {
    Strings,
    AlsoNumbersAndBooleans,
}

/// The message for a condition operator CoreWeave does not evaluate.
fn unknown_operator(name: &str, known: &[&str]) -> String {
    if let Some(right) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return format!("operators are case-sensitive: write \"{right}\", not \"{name}\"");
    }
    format!(
        "\"{name}\" is not a condition operator CoreWeave evaluates; the operators are {}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests;
