//! Terraform values as typed Rust: each attribute is a [`Value`], known, null or unknown.
//!
//! A state or config struct derives `Serialize`/`Deserialize` with `Value` fields; the codec
//! ([`crate::codec`]) turns Terraform's MessagePack and JSON into such structs and back. An
//! unknown value travels through serde as a one-key marker object that no Terraform value can
//! spell (its key starts with a NUL character); the codec maps it to MessagePack's unknown
//! extension and back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The key of the marker object that stands for an unknown value inside serde.
pub(crate) const UNKNOWN_MARKER: &str = "\u{0}terraform-unknown";

/// The serde form of an unknown value.
pub(crate) fn unknown_marker() -> serde_json::Value {
    serde_json::json!({ UNKNOWN_MARKER: true })
}

/// Whether a serde tree is the unknown marker.
pub(crate) fn is_unknown_marker(value: &serde_json::Value) -> bool {
    matches!(value, serde_json::Value::Object(map) if map.len() == 1 && map.contains_key(UNKNOWN_MARKER))
}

/// A Terraform value of type `T`: known, null, or not known until apply.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value<T> {
    /// A known value.
    Value(T),
    /// Null (unset).
    #[default]
    Null,
    /// Unknown until apply.
    Unknown,
}

/// An object with no attributes (private state the provider does not use).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Empty {}

/// A value that is always null: private state or provider meta a type does not use.
pub type ValueEmpty = Value<Empty>;
/// A string.
pub type ValueString = Value<String>;
/// A whole number.
pub type ValueNumber = Value<i64>;
/// A boolean.
pub type ValueBool = Value<bool>;
/// A list.
pub type ValueList<T> = Value<Vec<T>>;
/// A set (ordered by `T`; Terraform's sets have no order).
pub type ValueSet<T> = Value<BTreeSet<T>>;
/// A map with string keys.
pub type ValueMap<T> = Value<BTreeMap<String, T>>;

impl<T> Value<T> {
    /// True when null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True when unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when known and not null.
    pub fn is_value(&self) -> bool {
        matches!(self, Value::Value(_))
    }

    /// A reference to the value inside.
    pub fn as_ref(&self) -> Value<&T> {
        match self {
            Value::Value(v) => Value::Value(v),
            Value::Null => Value::Null,
            Value::Unknown => Value::Unknown,
        }
    }

    /// The value if known and not null.
    pub fn as_ref_option(&self) -> Option<&T> {
        match self {
            Value::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value if known and not null, consuming `self`.
    pub fn as_option(self) -> Option<T> {
        match self {
            Value::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, or `T::default()` when null or unknown.
    pub fn unwrap_or_default(self) -> T
    where
        T: Default,
    {
        self.as_option().unwrap_or_default()
    }

    /// Maps a known value, keeping null and unknown.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Value<U> {
        match self {
            Value::Value(v) => Value::Value(f(v)),
            Value::Null => Value::Null,
            Value::Unknown => Value::Unknown,
        }
    }

    /// The known value, zero or one of it.
    pub fn iter(&self) -> std::option::IntoIter<&T> {
        self.as_ref_option().into_iter()
    }
}

impl<T> From<T> for Value<T> {
    fn from(value: T) -> Self {
        Value::Value(value)
    }
}

impl<T> From<Option<T>> for Value<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Value::Value)
    }
}

impl Value<String> {
    /// The string, or `""` when null or unknown.
    pub fn as_str(&self) -> &str {
        self.as_ref_option().map_or("", String::as_str)
    }
}

impl<T: fmt::Debug> fmt::Debug for Value<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Value(v) => v.fmt(f),
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("(unknown)"),
        }
    }
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Value(v) => v.serialize(serializer),
            Value::Null => serializer.serialize_none(),
            Value::Unknown => unknown_marker().serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tree = serde_json::Value::deserialize(deserializer)?;
        if tree.is_null() {
            Ok(Value::Null)
        } else if is_unknown_marker(&tree) {
            Ok(Value::Unknown)
        } else {
            T::deserialize(tree)
                .map(Value::Value)
                .map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct State {
        #[serde(default)]
        name: Value<String>,
        #[serde(default)]
        tags: ValueSet<String>,
        #[serde(default)]
        count: ValueNumber,
    }

    #[test]
    fn known_null_and_unknown_values_survive_serde() {
        let state = State {
            name: Value::Value("a".into()),
            tags: Value::Unknown,
            count: Value::Null,
        };
        let tree = serde_json::to_value(&state).unwrap();
        assert!(is_unknown_marker(&tree["tags"]));
        assert_eq!(tree["count"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<State>(tree).unwrap(), state);
    }

    #[test]
    fn missing_fields_are_null() {
        let state: State = serde_json::from_str("{}").unwrap();
        assert!(state.name.is_null() && state.tags.is_null() && state.count.is_null());
    }

    #[test]
    fn accessors() {
        let v = Value::Value("x".to_string());
        assert_eq!(v.as_str(), "x");
        assert_eq!(Value::<String>::Unknown.as_str(), "");
        assert_eq!(v.iter().count(), 1);
        assert_eq!(Value::<String>::Null.iter().count(), 0);
        assert_eq!(Value::<i32>::from(Some(3)).map(|n| n + 1), Value::Value(4));
        assert!(Value::<i64>::from(None).is_null());
    }
}
