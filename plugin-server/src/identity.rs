//! Resource identity (protocol 6.9, Terraform >= 1.12): the few attributes that name a remote
//! object for good, kept by Terraform beside the state, given to `import { identity = {...} }`
//! and to list results. Older Terraform never asks for them and ignores the fields that carry
//! them.

use crate::codec::decoded;
use crate::codec::{self, CodecError};
use crate::diagnostics::Diagnostics;
use crate::proto;
use crate::schema::AttributeType;

/// An identity's values by attribute name, as serde's tree.
pub type Identity = serde_json::Map<String, serde_json::Value>;

/// One attribute of an identity.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityAttribute {
    /// The attribute's name.
    pub name: String,
    /// Its type.
    pub attr_type: AttributeType,
    /// Whether `import { identity = {...} }` must give it (otherwise it may).
    pub required_for_import: bool,
    /// What it is (Markdown).
    pub description: String,
}

impl IdentityAttribute {
    /// A string attribute that an import must give.
    pub fn required_string(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            attr_type: AttributeType::String,
            required_for_import: true,
            description: description.into(),
        }
    }

    fn to_proto(&self) -> proto::resource_identity_schema::IdentityAttribute {
        proto::resource_identity_schema::IdentityAttribute {
            name: self.name.clone(),
            r#type: self.attr_type.type_json().to_string().into_bytes(),
            required_for_import: self.required_for_import,
            optional_for_import: !self.required_for_import,
            description: self.description.clone(),
        }
    }
}

/// The identity schema of a resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentitySchema {
    /// Its version, apart from the resource schema's (0 until its attributes change).
    pub version: i64,
    /// Its attributes.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// Version 0 with these attributes.
    pub fn new(attributes: impl IntoIterator<Item = IdentityAttribute>) -> Self {
        Self {
            version: 0,
            attributes: attributes.into_iter().collect(),
        }
    }

    /// The schema as tfplugin6 has it.
    pub fn to_proto(&self) -> proto::ResourceIdentitySchema {
        proto::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self.attributes.iter().map(|a| a.to_proto()).collect(),
        }
    }

    /// The import ID an identity stands for when it is a single string attribute (the usual
    /// case: the same value an import ID gives); `None` otherwise.
    pub fn single_string(&self, identity: &Identity) -> Option<String> {
        match self.attributes.as_slice() {
            [only] if only.attr_type == AttributeType::String => identity
                .get(&only.name)
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            _ => None,
        }
    }
}

/// An identity as tfplugin6 carries it.
pub fn to_data(identity: &Identity) -> Result<proto::ResourceIdentityData, CodecError> {
    Ok(proto::ResourceIdentityData {
        identity_data: Some(codec::encode(identity)?),
    })
}

/// The identity tfplugin6 carried; `None` when absent or null.
pub fn from_data(
    data: Option<&proto::ResourceIdentityData>,
) -> Result<Option<Identity>, CodecError> {
    match codec::tree_from_dynamic(data.and_then(|d| d.identity_data.as_ref()))? {
        serde_json::Value::Null => Ok(None),
        tree => codec::from_tree(tree).map(Some),
    }
}

/// Upgrades an identity stored (as JSON) by an earlier identity schema `version`. Every
/// identity schema so far is version 0, so the only stored version is the current one, read as
/// it is.
pub(crate) fn upgrade(
    diags: &mut Diagnostics,
    schema: &IdentitySchema,
    version: i64,
    json: Vec<u8>,
) -> Option<proto::ResourceIdentityData> {
    if version != schema.version {
        diags.root_error(
            "Unknown resource identity version",
            format!(
                "The state holds an identity of version {version}; this provider knows version {}.",
                schema.version
            ),
        );
        return None;
    }
    let identity: Identity = decoded(
        diags,
        serde_json::from_slice(&json).map_err(CodecError::from),
    )?;
    decoded(diags, to_data(&identity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> IdentitySchema {
        IdentitySchema::new([IdentityAttribute::required_string("name", "The name.")])
    }

    #[test]
    fn the_schema_announces_each_attribute_with_its_cty_type() {
        let proto = schema().to_proto();
        assert_eq!(proto.version, 0);
        let [name] = proto.identity_attributes.as_slice() else {
            panic!("one attribute: {proto:?}");
        };
        assert_eq!(name.name, "name");
        assert_eq!(name.r#type, b"\"string\"");
        assert!(name.required_for_import && !name.optional_for_import);
        assert_eq!(name.description, "The name.");
    }

    #[test]
    fn identity_data_round_trips_through_messagepack() {
        let identity: Identity = json!({"name": "team-a"}).as_object().cloned().unwrap();
        let data = to_data(&identity).unwrap();
        assert_eq!(from_data(Some(&data)).unwrap(), Some(identity));
        assert_eq!(from_data(None).unwrap(), None);
    }

    #[test]
    fn version_0_upgrades_as_it_is_and_no_other_version_does() {
        let mut diags = Diagnostics::default();
        let upgraded = upgrade(&mut diags, &schema(), 0, br#"{"name":"team-a"}"#.to_vec());
        assert_eq!(
            from_data(upgraded.as_ref()).unwrap(),
            json!({"name": "team-a"}).as_object().cloned()
        );
        assert!(!diags.has_errors());
        assert!(upgrade(&mut diags, &schema(), 3, b"{}".to_vec()).is_none());
        assert!(diags.has_errors());
    }

    #[test]
    fn a_single_string_identity_is_an_import_id() {
        let identity: Identity = json!({"name": "team-a"}).as_object().cloned().unwrap();
        assert_eq!(schema().single_string(&identity).as_deref(), Some("team-a"));
        let other: Identity = json!({"id": "x"}).as_object().cloned().unwrap();
        assert_eq!(schema().single_string(&other), None);
        let two = IdentitySchema::new([
            IdentityAttribute::required_string("a", ""),
            IdentityAttribute::required_string("b", ""),
        ]);
        assert_eq!(two.single_string(&identity), None);
    }
}
