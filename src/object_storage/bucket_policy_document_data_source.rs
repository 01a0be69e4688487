//! Data source `coreweave_object_storage_bucket_policy_document`: a bucket-policy JSON document
//! built from HCL blocks, byte-identical to the official data source's output for the same
//! input (see [`crate::object_storage::bucket_policy::render`]), and checked at plan time with
//! the rules of [`crate::object_storage::bucket_policy::check_document`], each problem on the
//! attribute it is about (`statement[0].resource[1]`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Block, NestedBlock, Schema};
use tf_plugin_server::value::{Value, ValueList, ValueMap};
use tf_plugin_server::{AttributePath, AttributePathStep, DataSource, Diagnostics};

use crate::object_storage::bucket_policy::{
    check_document, render, report, DocPath, DocumentInput, StatementInput, Step, DEFAULT_VERSION,
};
use crate::object_storage::policy::Warnings;
use crate::schema::{block, schema, Attr, Kind};

/// The effect a statement has unless told otherwise.
const DEFAULT_EFFECT: &str = "Allow";

/// One `statement` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatementBlock {
    #[serde(default)]
    pub sid: Value<String>,
    #[serde(default)]
    pub effect: Value<String>,
    #[serde(default)]
    pub action: ValueList<Value<String>>,
    #[serde(default)]
    pub resource: ValueList<Value<String>>,
    #[serde(default)]
    pub principal: ValueMap<ValueList<Value<String>>>,
    #[serde(default)]
    pub condition: ValueMap<ValueMap<Value<String>>>,
}

/// State of the data source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketPolicyDocumentState {
    #[serde(default)]
    pub version: Value<String>,
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub statement: ValueList<StatementBlock>,
    #[serde(default)]
    pub json: Value<String>,
}

/// A string known now: `default` when null, `None` when unknown.
fn known_or(value: &Value<String>, default: &str) -> Option<String> {
    match value {
        Value::Value(v) => Some(v.clone()),
        Value::Null => Some(default.to_string()),
        Value::Unknown => None,
    }
}

/// The items of a list known now (none when null), `None` when any is unknown.
fn known_list(list: &ValueList<Value<String>>) -> Option<Vec<String>> {
    match list {
        Value::Value(items) => items.iter().map(|v| v.as_ref_option().cloned()).collect(),
        Value::Null => Some(Vec::new()),
        Value::Unknown => None,
    }
}

/// The entries of a map known now (none when null), `None` when any is unknown.
fn known_map<T, U>(
    map: &ValueMap<T>,
    known: impl Fn(&T) -> Option<U>,
) -> Option<BTreeMap<String, U>> {
    match map {
        Value::Value(entries) => entries
            .iter()
            .map(|(k, v)| Some((k.clone(), known(v)?)))
            .collect(),
        Value::Null => Some(BTreeMap::new()),
        Value::Unknown => None,
    }
}

impl StatementBlock {
    /// The statement's inputs, if all are known.
    fn input(&self) -> Option<StatementInput> {
        Some(StatementInput {
            sid: known_or(&self.sid, "")?,
            effect: known_or(&self.effect, DEFAULT_EFFECT)?,
            action: known_list(&self.action)?,
            resource: known_list(&self.resource)?,
            principal: known_map(&self.principal, known_list)?,
            condition: known_map(&self.condition, |keys| {
                known_map(keys, |v: &Value<String>| v.as_ref_option().cloned())
            })?,
        })
    }
}

/// The document's inputs as far as they are known, and the block index of each statement in
/// it (a statement with an unknown part is left out until it is known). `None` when the
/// statements themselves are unknown.
pub fn document_input(state: &BucketPolicyDocumentState) -> Option<(DocumentInput, Vec<usize>)> {
    let blocks = match &state.statement {
        Value::Value(blocks) => blocks.as_slice(),
        Value::Null => &[],
        Value::Unknown => return None,
    };
    let (blocks, statements): (Vec<usize>, Vec<StatementInput>) = blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| Some((i, b.input()?)))
        .unzip();
    let input = DocumentInput {
        version: known_or(&state.version, DEFAULT_VERSION).unwrap_or(DEFAULT_VERSION.into()),
        id: state.id.as_ref_option().cloned().unwrap_or_default(),
        statements,
    };
    Some((input, blocks))
}

/// The attribute of the part of the rendered document at `path`: `Statement[0].Resource[1]` is
/// `statement[0].resource[1]`, `Statement[0].Principal.CW[0]` is `statement[0].principal["CW"][0]`.
pub fn attribute_path(path: &DocPath, input: &DocumentInput, blocks: &[usize]) -> AttributePath {
    let mut steps = path.0.iter();
    match steps.next() {
        Some(Step::Key(k)) if k == "Version" => return AttributePath::new("version"),
        Some(Step::Key(k)) if k == "Id" => return AttributePath::new("id"),
        _ => {}
    }
    let at = AttributePath::new("statement");
    let Some(&Step::Index(i)) = steps.next() else {
        return at;
    };
    let at = at.index(blocks[i] as i64);
    let Some(Step::Key(field)) = steps.next() else {
        return at;
    };
    let statement = &input.statements[i];
    let list_item = |at: AttributePath, len: usize, step: Option<&Step>| match step {
        Some(&Step::Index(j)) => at.index(j as i64),
        // One item is written as a string, so its path has no index.
        None if len == 1 => at.index(0),
        _ => at,
    };
    match field.as_str() {
        "Sid" => at.attribute("sid"),
        "Effect" => at.attribute("effect"),
        "Action" => list_item(at.attribute("action"), statement.action.len(), steps.next()),
        "Resource" => list_item(
            at.attribute("resource"),
            statement.resource.len(),
            steps.next(),
        ),
        "Principal" => steps.fold(at.attribute("principal"), |at, step| match step {
            Step::Key(k) => at.key(k.clone()),
            &Step::Index(j) => at.index(j as i64),
        }),
        // Each condition value is one string: the path ends at its key.
        "Condition" => steps
            .filter_map(|step| match step {
                Step::Key(k) => Some(k.clone()),
                Step::Index(_) => None,
            })
            .fold(at.attribute("condition"), |at, k| at.key(k)),
        _ => at,
    }
}

/// Checks the known part of the document; returns false on any error.
pub fn check(
    diags: &mut Diagnostics,
    state: &BucketPolicyDocumentState,
    warnings: Warnings,
) -> bool {
    let Some((input, blocks)) = document_input(state) else {
        return true;
    };
    let problems = check_document(&render(&input), None);
    report(diags, &problems, warnings, |problem| {
        let at = attribute_path(&problem.path, &input, &blocks);
        let detail = format!("{}: {}", describe(&at), problem.message);
        (at, detail)
    })
}

/// An attribute path as written in HCL: `statement[1].principal["CW"][0]`.
pub fn describe(path: &AttributePath) -> String {
    let mut text = String::new();
    for step in &path.steps {
        match step {
            AttributePathStep::Attribute(a) if text.is_empty() => text.push_str(a),
            AttributePathStep::Attribute(a) => text.push_str(&format!(".{a}")),
            AttributePathStep::Key(k) => text.push_str(&format!("[{k:?}]")),
            AttributePathStep::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// The state with the defaults filled in and `json` rendered; all inputs must be known.
pub fn rendered(mut state: BucketPolicyDocumentState) -> BucketPolicyDocumentState {
    if state.version.is_null() {
        state.version = Value::Value(DEFAULT_VERSION.into());
    }
    if let Value::Value(blocks) = &mut state.statement {
        for block in blocks.iter_mut().filter(|b| b.effect.is_null()) {
            block.effect = Value::Value(DEFAULT_EFFECT.into());
        }
    }
    let json = document_input(&state).map(|(input, _)| render(&input));
    state.json = json.map_or(Value::Unknown, Value::Value);
    state
}

/// The data source.
pub struct BucketPolicyDocumentDataSource;

fn statement_block() -> Block {
    let strings = || AttributeType::List(Box::new(AttributeType::String));
    block(
        "A statement: who (`principal`) may or may not (`effect`) do what (`action`) on which objects (`resource`), when (`condition`).",
        [
            Attr::string("sid", Kind::Optional, "Statement ID, unique in the document; letters and digits only, as CoreWeave's documentation says (others, such as `allow-all`, are accepted with a warning). Names the statement in `coreweave_object_storage_access_check` results."),
            Attr::string("effect", Kind::OptionalComputed, "`Allow` (the default) or `Deny`, case-sensitive."),
            Attr::new("action", strings(), Kind::Optional, "Actions, e.g. `s3:GetObject`, `s3:Get*`, `s3:*`; `*` and `?` are wildcards and case does not matter. An action the provider does not know is a warning naming the closest known one. `s3:PutBucketPolicy`, `s3:ListAllMyBuckets` and `cwobject:` actions are decided by organization policies only, so a bucket policy cannot grant or deny them."),
            Attr::new("resource", strings(), Kind::Optional, "Resources as ARNs: `arn:aws:s3:::<bucket>` for the bucket, `arn:aws:s3:::<bucket>/<key pattern>` for objects (`*` and `?` are wildcards, case matters). Anything else is an error: the API refuses it."),
            Attr::new("principal", AttributeType::Map(Box::new(strings())), Kind::Optional, "Who, by kind: `{ CW = [\"*\"] }` for everyone, or ARNs `arn:aws:iam::<ORG-ID>:coreweave/<USER-ID>` (a user), `arn:aws:iam::<ORG-ID>:saml/<GROUP>` (a SAML group) and `arn:aws:iam::<ORG-ID>:role/<ROLE>` (a federated role such as `role/<issuer>:system:serviceaccount:<namespace>:<name>`; a trailing `*` matches every subject of an issuer). `AWS` means the same as `CW`. Unset, the document has `\"Principal\":{}`, which matches no one (a warning)."),
            Attr::new("condition", AttributeType::Map(Box::new(AttributeType::Map(Box::new(AttributeType::String)))), Kind::Optional, "Conditions, operator to request key to value, e.g. `{ StringEquals = { \"cw:PrincipalOrgID\" = \"<ORG-ID>\" } }`; all must hold. Operators: `StringEquals`, `StringNotEquals`, `StringLike`, `StringNotLike` (any other is an error); keys: `cw:PrincipalOrgID`, `s3:prefix` (any other is a warning: no request carries it). As in the official data source, each value is one string, written as a one-item list; for a key that should match any of several values, write the document with `jsonencode()` and a list."),
        ],
        [],
    )
}

impl BucketPolicyDocumentDataSource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = "object_storage_bucket_policy_document";

    /// The data source schema.
    pub fn data_source_schema() -> Schema {
        schema(block(
            "Builds a bucket-policy document for `coreweave_object_storage_bucket_policy` from HCL, with the same \
             arguments as the official provider's data source of this name and byte-for-byte the same `json` \
             (compact; `Version`, `Id`, `Statement`; per statement `Sid`, `Principal`, `Effect`, `Action`, \
             `Resource`, `Condition`, each left out when empty except `Principal`; one action or resource as a \
             string, more as a list). The plan checks the document as the API would: an error for what the API \
             refuses (a bad `version` or `effect`, a `sid` used twice, a resource that is not an S3 ARN, an \
             unknown condition operator), a warning for what it accepts but likely does not mean (an unknown \
             action, with the closest known one; a principal that matches no one; an unknown condition key), \
             each on the attribute it is about. It reads nothing from the API.",
            [
                Attr::string("version", Kind::OptionalComputed, "Policy language version: `2012-10-17` (the default) or `2008-10-17`."),
                Attr::string("id", Kind::Optional, "Optional `Id` of the document."),
                Attr::string("json", Kind::Computed, "The document as compact JSON, for the `policy` of `coreweave_object_storage_bucket_policy`."),
            ],
            [("statement", NestedBlock::List(statement_block()))],
        ))
    }
}

#[async_trait]
impl DataSource for BucketPolicyDocumentDataSource {
    type State = BucketPolicyDocumentState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::data_source_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        check(diags, &config, Warnings::Skip).then_some(())
    }

    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State> {
        check(diags, &config, Warnings::Report).then(|| rendered(config))
    }
}

#[cfg(test)]
mod tests;
