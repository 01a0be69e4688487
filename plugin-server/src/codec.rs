//! Terraform's `DynamicValue`: MessagePack (as cty writes it) or JSON, to and from typed values.
//!
//! cty's MessagePack is plain MessagePack plus one extension: an unknown value is extension type
//! 0 (newer Terraform may send refined unknowns as extension type 12; both mean "unknown").
//! Numbers are integers when they fit, else floats; strings are UTF-8 strings.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::diagnostics::Diagnostics;
use crate::proto::DynamicValue;
use crate::value::{is_unknown_marker, unknown_marker};

/// cty's extension type for an unknown value.
const UNKNOWN_EXT: i8 = 0;
/// cty's extension type for an unknown value with refinements (Terraform >= 1.6).
const REFINED_UNKNOWN_EXT: i8 = 12;

/// A value Terraform sent could not be read, or a value could not be written for it.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not valid MessagePack.
    #[error("invalid MessagePack from Terraform: {0}")]
    MsgPack(String),
    /// The bytes are not valid JSON.
    #[error("invalid JSON from Terraform: {0}")]
    Json(#[from] serde_json::Error),
    /// The value does not fit the Rust type it is read into (or written from).
    #[error("value does not match the schema: {0}")]
    Shape(String),
}

/// Reads a MessagePack value into serde's tree, unknowns as the marker.
pub fn tree_from_msgpack(bytes: &[u8]) -> Result<serde_json::Value, CodecError> {
    if bytes.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    let mut cursor = bytes;
    let value =
        rmpv::decode::read_value(&mut cursor).map_err(|e| CodecError::MsgPack(e.to_string()))?;
    if !cursor.is_empty() {
        return Err(CodecError::MsgPack(format!(
            "{} bytes after the value",
            cursor.len()
        )));
    }
    tree_of(value)
}

fn tree_of(value: rmpv::Value) -> Result<serde_json::Value, CodecError> {
    use serde_json::Value as J;
    Ok(match value {
        rmpv::Value::Nil => J::Null,
        rmpv::Value::Boolean(b) => J::Bool(b),
        rmpv::Value::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(n), _) => J::from(n),
            (None, Some(n)) => J::from(n),
            _ => return Err(CodecError::MsgPack(format!("integer {i} out of range"))),
        },
        rmpv::Value::F32(f) => J::from(f64::from(f)),
        rmpv::Value::F64(f) => J::from(f),
        rmpv::Value::String(s) => match s.into_str() {
            Some(s) => J::String(s),
            None => return Err(CodecError::MsgPack("a string is not UTF-8".into())),
        },
        rmpv::Value::Binary(_) => return Err(CodecError::MsgPack("unexpected binary".into())),
        rmpv::Value::Array(items) => {
            J::Array(items.into_iter().map(tree_of).collect::<Result<_, _>>()?)
        }
        rmpv::Value::Map(entries) => J::Object(
            entries
                .into_iter()
                .map(|(k, v)| match k {
                    rmpv::Value::String(k) => match k.into_str() {
                        Some(k) => Ok((k, tree_of(v)?)),
                        None => Err(CodecError::MsgPack("a map key is not UTF-8".into())),
                    },
                    other => Err(CodecError::MsgPack(format!("map key {other} is no string"))),
                })
                .collect::<Result<_, _>>()?,
        ),
        rmpv::Value::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _) => unknown_marker(),
        rmpv::Value::Ext(kind, _) => {
            return Err(CodecError::MsgPack(format!(
                "unexpected extension type {kind}"
            )))
        }
    })
}

/// Writes serde's tree as MessagePack, the marker as cty's unknown.
pub fn msgpack_from_tree(tree: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = rmpv::encode::write_value(&mut out, &msgpack_of(tree));
    out
}

fn msgpack_of(tree: &serde_json::Value) -> rmpv::Value {
    use serde_json::Value as J;
    match tree {
        J::Null => rmpv::Value::Nil,
        J::Bool(b) => rmpv::Value::Boolean(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => rmpv::Value::from(i),
            (None, Some(u), _) => rmpv::Value::from(u),
            (_, _, f) => rmpv::Value::F64(f.unwrap_or(f64::NAN)),
        },
        J::String(s) => rmpv::Value::from(s.as_str()),
        J::Array(items) => rmpv::Value::Array(items.iter().map(msgpack_of).collect()),
        J::Object(_) if is_unknown_marker(tree) => rmpv::Value::Ext(UNKNOWN_EXT, vec![0]),
        J::Object(entries) => rmpv::Value::Map(
            entries
                .iter()
                .map(|(k, v)| (rmpv::Value::from(k.as_str()), msgpack_of(v)))
                .collect(),
        ),
    }
}

/// Reads a `DynamicValue` (MessagePack or JSON) into serde's tree; absent is null.
pub fn tree_from_dynamic(value: Option<&DynamicValue>) -> Result<serde_json::Value, CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => tree_from_msgpack(&v.msgpack),
        Some(v) if !v.json.is_empty() => Ok(serde_json::from_slice(&v.json)?),
        _ => Ok(serde_json::Value::Null),
    }
}

/// Reads a `DynamicValue` as `T`.
pub fn decode<T: DeserializeOwned>(value: Option<&DynamicValue>) -> Result<T, CodecError> {
    from_tree(tree_from_dynamic(value)?)
}

/// Reads serde's tree as `T`.
pub fn from_tree<T: DeserializeOwned>(tree: serde_json::Value) -> Result<T, CodecError> {
    serde_json::from_value(tree).map_err(|e| CodecError::Shape(e.to_string()))
}

/// Writes `value` as a MessagePack `DynamicValue`.
pub fn encode<T: Serialize>(value: &T) -> Result<DynamicValue, CodecError> {
    let tree = serde_json::to_value(value).map_err(|e| CodecError::Shape(e.to_string()))?;
    Ok(dynamic_from_tree(&tree))
}

/// Wraps serde's tree as a MessagePack `DynamicValue`.
pub fn dynamic_from_tree(tree: &serde_json::Value) -> DynamicValue {
    DynamicValue {
        msgpack: msgpack_from_tree(tree),
        json: Vec::new(),
    }
}

/// Reports a value that could not be read or written, as an error on the whole resource.
pub(crate) fn decoded<T>(diags: &mut Diagnostics, result: Result<T, CodecError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            diags.root_error("Provider could not read a value", e.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Value, ValueList};
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Thing {
        #[serde(default)]
        id: Value<String>,
        #[serde(default)]
        n: Value<i64>,
        #[serde(default)]
        items: ValueList<Value<String>>,
    }

    #[test]
    fn cty_unknowns_read_as_unknown_and_are_written_as_extension_zero() {
        // {"id": unknown, "n": 7, "items": ["a", unknown]} as cty writes it.
        let mut bytes = vec![0x83];
        bytes.extend([0xa2, b'i', b'd', 0xd4, 0x00, 0x00]);
        bytes.extend([0xa1, b'n', 0x07]);
        bytes.extend([
            0xa5, b'i', b't', b'e', b'm', b's', 0x92, 0xa1, b'a', 0xd4, 0x0c, 0x00,
        ]);
        let dynamic = DynamicValue {
            msgpack: bytes,
            json: vec![],
        };
        let thing: Thing = decode(Some(&dynamic)).unwrap();
        assert_eq!(
            thing,
            Thing {
                id: Value::Unknown,
                n: Value::Value(7),
                items: Value::Value(vec![Value::Value("a".into()), Value::Unknown]),
            }
        );
        let written = encode(&thing).unwrap().msgpack;
        let again = tree_from_msgpack(&written).unwrap();
        assert!(is_unknown_marker(&again["id"]));
        assert!(written.windows(3).any(|w| w == [0xd4, 0x00, 0x00]));
        assert_eq!(from_tree::<Thing>(again).unwrap(), thing);
    }

    #[test]
    fn json_state_and_absent_values_read() {
        let dynamic = DynamicValue {
            msgpack: vec![],
            json: br#"{"id":"x","n":2}"#.to_vec(),
        };
        let thing: Thing = decode(Some(&dynamic)).unwrap();
        assert_eq!(thing.id, Value::Value("x".into()));
        assert!(thing.items.is_null());
        assert_eq!(decode::<Option<Thing>>(None).unwrap(), None);
        let null = DynamicValue {
            msgpack: vec![0xc0],
            json: vec![],
        };
        assert_eq!(decode::<Option<Thing>>(Some(&null)).unwrap(), None);
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bytes in [
            &[0x92, 0x01][..],
            &[0xa3, b'a'],
            &[0xc0, 0xc0],
            &[0xd4, 0x05, 0x00],
            &[0xc4, 0x01, 0x00],
        ] {
            assert!(tree_from_msgpack(bytes).is_err(), "{bytes:?}");
        }
    }
}
