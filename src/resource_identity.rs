//! Resource identities (Terraform >= 1.12) and list-resource filters, shared by the resources
//! and list resources: every identity of this provider is one string attribute, the value an
//! import ID gives.

use tf_plugin_server::value::Value;
use tf_plugin_server::{Identity, IdentityAttribute, IdentitySchema};

/// The identity schema of one required string attribute.
pub fn schema(attribute: &str, description: &str) -> IdentitySchema {
    IdentitySchema::new([IdentityAttribute::required_string(attribute, description)])
}

/// The identity `{ attribute = value }`; `None` while the value is unknown or null.
pub fn of(attribute: &str, value: &Value<String>) -> Option<Identity> {
    let value = value.as_ref_option()?;
    let mut identity = Identity::new();
    identity.insert(attribute.into(), value.clone().into());
    Some(identity)
}

/// Whether `text` passes a list's optional filter: it starts with `prefix` (any text does when
/// the filter is null).
pub fn starts_with(text: &str, prefix: &Value<String>) -> bool {
    prefix
        .as_ref_option()
        .is_none_or(|p| text.starts_with(p.as_str()))
}

/// Whether `text` passes a list's optional filter: it equals `wanted` (any text does when the
/// filter is null).
pub fn equals(text: &str, wanted: &Value<String>) -> bool {
    wanted.as_ref_option().is_none_or(|w| text == w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_holds_the_known_value_only() {
        let identity = of("name", &Value::Value("team-a".into())).unwrap();
        assert_eq!(
            identity.get("name").and_then(|v| v.as_str()),
            Some("team-a")
        );
        assert_eq!(of("name", &Value::Unknown), None);
        assert_eq!(of("name", &Value::Null), None);
        let schema = schema("name", "The name.");
        assert_eq!(schema.single_string(&identity).as_deref(), Some("team-a"));
    }

    #[test]
    fn a_null_filter_passes_everything() {
        assert!(starts_with("team-a", &Value::Null));
        assert!(starts_with("team-a", &Value::Value("team-".into())));
        assert!(!starts_with("ops-a", &Value::Value("team-".into())));
        assert!(equals("x", &Value::Null));
        assert!(equals("x", &Value::Value("x".into())));
        assert!(!equals("y", &Value::Value("x".into())));
    }
}
