//! Small builders for `tf-provider` schemas, so each resource's schema reads as a table.

use std::collections::HashMap;

use tf_plugin_server::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, NestedBlock, Schema,
};

/// How an attribute may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Must be set in configuration.
    Required,
    /// May be set; null when unset.
    Optional,
    /// May be set; the provider fills it when unset.
    OptionalComputed,
    /// Set by the provider only.
    Computed,
}

/// One attribute: name, type, kind, markdown description, sensitivity.
pub struct Attr {
    name: &'static str,
    attribute: Attribute,
}

impl Attr {
    /// A new attribute.
    pub fn new(
        name: &'static str,
        attr_type: AttributeType,
        kind: Kind,
        description: &str,
    ) -> Self {
        let constraint = match kind {
            Kind::Required => AttributeConstraint::Required,
            Kind::Optional => AttributeConstraint::Optional,
            Kind::OptionalComputed => AttributeConstraint::OptionalComputed,
            Kind::Computed => AttributeConstraint::Computed,
        };
        Self {
            name,
            attribute: Attribute {
                attr_type,
                description: Description::markdown(description),
                constraint,
                sensitive: false,
                deprecated: false,
            },
        }
    }

    /// A string attribute.
    pub fn string(name: &'static str, kind: Kind, description: &str) -> Self {
        Self::new(name, AttributeType::String, kind, description)
    }

    /// The name and the attribute.
    pub fn into_parts(self) -> (&'static str, Attribute) {
        (self.name, self.attribute)
    }

    /// Marks the attribute sensitive (hidden in plans and output).
    pub fn sensitive(mut self) -> Self {
        self.attribute.sensitive = true;
        self
    }
}

/// Builds a block from attributes and nested blocks.
pub fn block(
    description: &str,
    attrs: impl IntoIterator<Item = Attr>,
    blocks: impl IntoIterator<Item = (&'static str, NestedBlock)>,
) -> Block {
    Block {
        version: 0,
        attributes: attrs
            .into_iter()
            .map(|a| (a.name.to_string(), a.attribute))
            .collect::<HashMap<_, _>>(),
        blocks: blocks
            .into_iter()
            .map(|(n, b)| (n.to_string(), b))
            .collect(),
        description: Description::markdown(description),
        deprecated: false,
    }
}

/// A version-0 schema around a block.
pub fn schema(block: Block) -> Schema {
    Schema { version: 0, block }
}

/// A set of strings.
pub fn set_of_strings() -> AttributeType {
    AttributeType::Set(Box::new(AttributeType::String))
}

/// One field of an object type, with its description. Terraform's object types carry no
/// descriptions (and tf-provider's nested attributes, which would, do not work with Terraform
/// 1.15), so the generated docs take each field's description from here.
pub struct Field {
    name: &'static str,
    attr_type: AttributeType,
    description: &'static str,
}

impl Field {
    /// A field: name, type and markdown description.
    pub fn new(name: &'static str, attr_type: AttributeType, description: &'static str) -> Self {
        Self {
            name,
            attr_type,
            description,
        }
    }
}

/// The object type with `fields`.
pub fn object_of(fields: Vec<Field>) -> AttributeType {
    AttributeType::Object(
        fields
            .into_iter()
            .map(|f| (f.name.to_string(), f.attr_type))
            .collect(),
    )
}

/// Descriptions of the fields of object-typed attributes by their dotted path in a schema
/// (`statements.effect`): what the docs show for them.
pub type FieldDocs = Vec<(String, &'static str)>;

/// The descriptions of `fields`, the fields of the object(s) at `path`.
pub fn field_docs(path: &str, fields: &[Field]) -> FieldDocs {
    fields
        .iter()
        .map(|f| (format!("{path}.{}", f.name), f.description))
        .collect()
}
