//! Schemas: what a provider, resource, data source, ephemeral resource or function accepts.
//!
//! Attribute types are written in cty's JSON type notation (`"string"`, `["set","string"]`,
//! `["object",{...}]`). Nested attributes (`AttributeSingle`, ...) carry no type of their own,
//! only their nested object, which every Terraform from 1.3 on accepts.

use std::collections::HashMap;

use serde_json::json;

use crate::proto;

/// Plain text or Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringKind {
    /// Plain text.
    Plain,
    /// Markdown.
    Markdown,
}

/// A description and how to render it (empty plain text by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Plain or Markdown.
    pub kind: StringKind,
    /// The text.
    pub content: String,
}

impl Default for Description {
    fn default() -> Self {
        Self::plain("")
    }
}

impl Description {
    /// A plain-text description.
    pub fn plain(content: impl Into<String>) -> Self {
        Self {
            kind: StringKind::Plain,
            content: content.into(),
        }
    }

    /// A Markdown description.
    pub fn markdown(content: impl Into<String>) -> Self {
        Self {
            kind: StringKind::Markdown,
            content: content.into(),
        }
    }

    fn kind(&self) -> i32 {
        match self.kind {
            StringKind::Plain => proto::StringKind::Plain as i32,
            StringKind::Markdown => proto::StringKind::Markdown as i32,
        }
    }
}

/// The type of an attribute (`Any` by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AttributeType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Bool,
    /// Any type, chosen by the configuration.
    #[default]
    Any,
    /// A list of values of one type.
    List(Box<AttributeType>),
    /// A set of values of one type.
    Set(Box<AttributeType>),
    /// A map from strings to values of one type.
    Map(Box<AttributeType>),
    /// An object with these attribute types.
    Object(HashMap<String, AttributeType>),
    /// A tuple of these types.
    Tuple(Vec<AttributeType>),
    /// One nested object of attributes (with their own descriptions and constraints).
    AttributeSingle(HashMap<String, Attribute>),
    /// A list of nested objects of attributes.
    AttributeList(HashMap<String, Attribute>),
    /// A set of nested objects of attributes.
    AttributeSet(HashMap<String, Attribute>),
    /// A map of nested objects of attributes.
    AttributeMap(HashMap<String, Attribute>),
}

impl AttributeType {
    /// The type in cty's JSON notation.
    pub fn type_json(&self) -> serde_json::Value {
        let object = |attributes: &HashMap<String, Attribute>| {
            let fields: serde_json::Map<_, _> = attributes
                .iter()
                .map(|(name, a)| (name.clone(), a.attr_type.type_json()))
                .collect();
            json!(["object", fields])
        };
        match self {
            AttributeType::String => json!("string"),
            AttributeType::Number => json!("number"),
            AttributeType::Bool => json!("bool"),
            AttributeType::Any => json!("dynamic"),
            AttributeType::List(e) => json!(["list", e.type_json()]),
            AttributeType::Set(e) => json!(["set", e.type_json()]),
            AttributeType::Map(e) => json!(["map", e.type_json()]),
            AttributeType::Object(fields) => {
                let fields: serde_json::Map<_, _> = fields
                    .iter()
                    .map(|(name, t)| (name.clone(), t.type_json()))
                    .collect();
                json!(["object", fields])
            }
            AttributeType::Tuple(items) => {
                json!([
                    "tuple",
                    items.iter().map(Self::type_json).collect::<Vec<_>>()
                ])
            }
            AttributeType::AttributeSingle(a) => object(a),
            AttributeType::AttributeList(a) => json!(["list", object(a)]),
            AttributeType::AttributeSet(a) => json!(["set", object(a)]),
            AttributeType::AttributeMap(a) => json!(["map", object(a)]),
        }
    }

    /// The nested attributes and their nesting, for nested-attribute types.
    fn nested(
        &self,
    ) -> Option<(
        proto::schema::object::NestingMode,
        &HashMap<String, Attribute>,
    )> {
        use proto::schema::object::NestingMode;
        match self {
            AttributeType::AttributeSingle(a) => Some((NestingMode::Single, a)),
            AttributeType::AttributeList(a) => Some((NestingMode::List, a)),
            AttributeType::AttributeSet(a) => Some((NestingMode::Set, a)),
            AttributeType::AttributeMap(a) => Some((NestingMode::Map, a)),
            _ => None,
        }
    }
}

/// How an attribute may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeConstraint {
    /// Must be set in configuration.
    Required,
    /// May be set; null when unset.
    Optional,
    /// May be set; the provider fills it when unset.
    OptionalComputed,
    /// Set by the provider only.
    Computed,
}

/// One attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its type.
    pub attr_type: AttributeType,
    /// What it is.
    pub description: Description,
    /// How it may be set.
    pub constraint: AttributeConstraint,
    /// Hidden in plans and output.
    pub sensitive: bool,
    /// Deprecated.
    pub deprecated: bool,
}

impl Attribute {
    fn to_proto(&self, name: &str) -> proto::schema::Attribute {
        use AttributeConstraint::*;
        let nested_type =
            self.attr_type
                .nested()
                .map(|(nesting, attributes)| proto::schema::Object {
                    attributes: sorted_attributes(attributes),
                    nesting: nesting as i32,
                    ..Default::default()
                });
        let r#type = match nested_type {
            Some(_) => Vec::new(),
            None => self.attr_type.type_json().to_string().into_bytes(),
        };
        proto::schema::Attribute {
            name: name.to_string(),
            r#type,
            nested_type,
            description: self.description.content.clone(),
            description_kind: self.description.kind(),
            required: self.constraint == Required,
            optional: matches!(self.constraint, Optional | OptionalComputed),
            computed: matches!(self.constraint, OptionalComputed | Computed),
            sensitive: self.sensitive,
            deprecated: self.deprecated,
            ..Default::default()
        }
    }
}

fn sorted_attributes(attributes: &HashMap<String, Attribute>) -> Vec<proto::schema::Attribute> {
    let mut names: Vec<_> = attributes.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|n| attributes[n].to_proto(n))
        .collect()
}

/// A nested block and how often it may appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NestedBlock {
    /// Exactly once.
    Single(Block),
    /// Any number of times, in order.
    List(Block),
    /// Any number of times, unordered.
    Set(Block),
    /// Any number of times, each with a label.
    Map(Block),
    /// At most once; when absent, its attributes are null.
    Group(Block),
    /// At most once; a list of zero or one block in the value.
    Optional(Block),
}

impl NestedBlock {
    /// The block inside.
    pub fn block(&self) -> &Block {
        match self {
            NestedBlock::Single(b)
            | NestedBlock::List(b)
            | NestedBlock::Set(b)
            | NestedBlock::Map(b)
            | NestedBlock::Group(b)
            | NestedBlock::Optional(b) => b,
        }
    }

    fn to_proto(&self, name: &str) -> proto::schema::NestedBlock {
        use proto::schema::nested_block::NestingMode;
        let (nesting, min_items, max_items) = match self {
            NestedBlock::Single(_) => (NestingMode::Single, 1, 1),
            NestedBlock::List(_) => (NestingMode::List, 0, 0),
            NestedBlock::Set(_) => (NestingMode::Set, 0, 0),
            NestedBlock::Map(_) => (NestingMode::Map, 0, 0),
            NestedBlock::Group(_) => (NestingMode::Group, 0, 0),
            NestedBlock::Optional(_) => (NestingMode::List, 0, 1),
        };
        proto::schema::NestedBlock {
            type_name: name.to_string(),
            block: Some(self.block().to_proto()),
            nesting: nesting as i32,
            min_items,
            max_items,
        }
    }
}

/// A block: attributes and nested blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    /// Schema version of the block.
    pub version: i64,
    /// Its attributes by name.
    pub attributes: HashMap<String, Attribute>,
    /// Its nested blocks by name.
    pub blocks: HashMap<String, NestedBlock>,
    /// What it is.
    pub description: Description,
    /// Deprecated.
    pub deprecated: bool,
}

impl Block {
    fn to_proto(&self) -> proto::schema::Block {
        let mut names: Vec<_> = self.blocks.keys().collect();
        names.sort();
        proto::schema::Block {
            version: self.version,
            attributes: sorted_attributes(&self.attributes),
            block_types: names
                .into_iter()
                .map(|n| self.blocks[n].to_proto(n))
                .collect(),
            description: self.description.content.clone(),
            description_kind: self.description.kind(),
            deprecated: self.deprecated,
            deprecation_message: String::new(),
        }
    }
}

/// A versioned schema around a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The version stored with state (for upgrades).
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    pub(crate) fn to_proto(&self) -> proto::Schema {
        proto::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }
}

/// A value type of a function's parameter or result.
pub type Type = AttributeType;

/// One parameter of a function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parameter {
    /// Its name (for documentation and errors).
    pub name: String,
    /// Its type.
    pub param_type: Type,
    /// Whether null may be passed.
    pub allow_null: bool,
    /// Whether an unknown value may be passed (else the result is unknown without a call).
    pub allow_unknown: bool,
    /// What it is.
    pub description: Description,
}

impl Parameter {
    fn to_proto(&self) -> proto::function::Parameter {
        proto::function::Parameter {
            name: self.name.clone(),
            r#type: self.param_type.type_json().to_string().into_bytes(),
            allow_null_value: self.allow_null,
            allow_unknown_values: self.allow_unknown,
            description: self.description.content.clone(),
            description_kind: self.description.kind(),
        }
    }
}

/// A function's signature and documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionSchema {
    /// Positional parameters.
    pub parameters: Vec<Parameter>,
    /// A variadic last parameter.
    pub variadic: Option<Parameter>,
    /// The result's type.
    pub return_type: Type,
    /// One line.
    pub summary: String,
    /// The full description.
    pub description: Description,
    /// Why it is deprecated, if it is.
    pub deprecated: Option<String>,
}

impl FunctionSchema {
    pub(crate) fn to_proto(&self) -> proto::Function {
        proto::Function {
            parameters: self.parameters.iter().map(Parameter::to_proto).collect(),
            variadic_parameter: self.variadic.as_ref().map(Parameter::to_proto),
            r#return: Some(proto::function::Return {
                r#type: self.return_type.type_json().to_string().into_bytes(),
            }),
            summary: self.summary.clone(),
            description: self.description.content.clone(),
            description_kind: self.description.kind(),
            deprecation_message: self.deprecated.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(attr_type: AttributeType, constraint: AttributeConstraint) -> Attribute {
        Attribute {
            attr_type,
            description: Description::markdown("d"),
            constraint,
            sensitive: false,
            deprecated: false,
        }
    }

    #[test]
    fn types_are_written_in_cty_notation() {
        let t = AttributeType::Set(Box::new(AttributeType::Object(HashMap::from([(
            "actions".to_string(),
            AttributeType::List(Box::new(AttributeType::String)),
        )]))));
        assert_eq!(
            t.type_json().to_string(),
            r#"["set",["object",{"actions":["list","string"]}]]"#
        );
        assert_eq!(AttributeType::Any.type_json(), json!("dynamic"));
    }

    #[test]
    fn nested_attributes_carry_no_type_only_their_object() {
        let nested = AttributeType::AttributeSingle(HashMap::from([(
            "uid".to_string(),
            attribute(AttributeType::String, AttributeConstraint::Required),
        )]));
        let proto = attribute(nested, AttributeConstraint::Optional).to_proto("auth");
        assert!(proto.r#type.is_empty());
        let object = proto.nested_type.unwrap();
        assert_eq!(
            object.nesting,
            proto::schema::object::NestingMode::Single as i32
        );
        assert!(object.attributes[0].required);
    }

    #[test]
    fn constraints_map_to_required_optional_computed() {
        let of = |c| {
            let p = attribute(AttributeType::String, c).to_proto("a");
            (p.required, p.optional, p.computed)
        };
        assert_eq!(of(AttributeConstraint::Required), (true, false, false));
        assert_eq!(of(AttributeConstraint::Optional), (false, true, false));
        assert_eq!(
            of(AttributeConstraint::OptionalComputed),
            (false, true, true)
        );
        assert_eq!(of(AttributeConstraint::Computed), (false, false, true));
    }

    #[test]
    fn an_optional_block_is_a_list_of_at_most_one() {
        let block = Block {
            version: 0,
            attributes: HashMap::new(),
            blocks: HashMap::new(),
            description: Description::plain(""),
            deprecated: false,
        };
        let p = NestedBlock::Optional(block).to_proto("timeouts");
        assert_eq!(
            (p.nesting, p.min_items, p.max_items),
            (proto::schema::nested_block::NestingMode::List as i32, 0, 1)
        );
    }
}
