//! Serde helpers for protojson conventions the APIs use.

use serde::{Deserialize, Deserializer, Serializer};

/// Deserializes an optional string where `""` and `null` both mean absent.
pub(super) fn empty_as_none<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.filter(|value| !value.is_empty()))
}

/// Serializes a field mask as protojson does: one comma-joined string of paths.
pub(super) fn comma_joined<S: Serializer>(
    paths: &[String],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&paths.join(","))
}
