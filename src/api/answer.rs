//! Reading a successful answer: only the documented shape counts.
//!
//! A 2xx answer is used only when it is `application/json` and its body is a JSON object that
//! decodes into the documented message. Anything else (no or another content type, an empty
//! body, an array or a scalar, wrong field types, and for list answers one page of several or
//! another message, see [`List`]) is [`super::ApiError::Malformed`]: an answer that proves
//! nothing, so a caller never reads it as "there is nothing". protojson omits empty repeated
//! fields, so `{}` is a valid empty list.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::error::Category;
use serde_json::Value;

/// Why a successful answer is not the documented shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformation {
    /// The `Content-Type` is not JSON (an HTML page from a proxy, ...).
    #[error("the content type is {0:?}, not application/json")]
    ContentType(String),
    /// No `Content-Type` at all.
    #[error("it has no content type (application/json was expected)")]
    NoContentType,
    /// A zero-length (or all-whitespace) body.
    #[error("the body is empty")]
    Empty,
    /// JSON, but not an object.
    #[error("the body is a JSON {0}, not an object")]
    NotAnObject(&'static str),
    /// Not JSON at all.
    #[error("the body is not JSON ({0})")]
    NotJson(String),
    /// A JSON object whose fields do not match the documented message.
    #[error("{0}")]
    Fields(String),
}

/// An item of a list answer, and the field of the answer that holds the list.
pub(super) trait ListItem: DeserializeOwned {
    /// The list's field (`items`, `policies`, `configs`).
    const FIELD: &'static str;
}

/// A list answer, `{"<FIELD>": [...]}`. Absence from it means "gone", so it is read only as the
/// whole list of that message: a non-empty `nextPageToken` (one page of several) is refused, and
/// so is an answer without the list but with another non-empty field (another message). Other
/// fields beside the list are ignored, so that a field the API adds later breaks no read.
pub(super) struct List<T>(pub(super) Vec<T>);

impl<'de, T: ListItem> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let page = ["nextPageToken", "next_page_token"]
            .iter()
            .find_map(|name| fields.get(*name).filter(|token| !is_empty(token)));
        if let Some(token) = page {
            return Err(D::Error::custom(format!(
                "it is one page of several (nextPageToken {token}), and the provider reads only \
                 whole lists: a page is not taken for the list"
            )));
        }
        match fields.remove(T::FIELD) {
            None | Some(Value::Null) => match fields.iter().find(|(_, value)| !is_empty(value)) {
                Some((name, _)) => Err(D::Error::custom(format!(
                    "unknown field `{name}`, expected `{}`",
                    T::FIELD
                ))),
                None => Ok(List(Vec::new())),
            },
            Some(list) => Vec::<T>::deserialize(list)
                .map(List)
                .map_err(D::Error::custom),
        }
    }
}

/// Whether `value` is a protojson default (`null`, `false`, `0`, `""`, `[]`, `{}`).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(set) => !set,
        Value::Number(number) => number.as_f64() == Some(0.0),
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
    }
}

/// Whether `content_type` is JSON: `application/json` or `application/<x>+json`, any parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|subtype| subtype.ends_with("+json"))
}

/// What kind of JSON value starts with `first`, for a body that is not an object.
fn kind_of(first: u8) -> Option<&'static str> {
    Some(match first {
        b'[' => "array",
        b'"' => "string",
        b'-' | b'0'..=b'9' => "number",
        b't' | b'f' => "boolean",
        b'n' => "null",
        _ => return None,
    })
}

/// Decodes a successful answer into `T`, or says why it is not the documented shape.
pub(super) fn decode<T: DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, Malformation> {
    match content_type {
        None => return Err(Malformation::NoContentType),
        Some(content_type) if !is_json(content_type) => {
            return Err(Malformation::ContentType(content_type.to_string()))
        }
        Some(_) => {}
    }
    let Some(&first) = body.iter().find(|b| !b.is_ascii_whitespace()) else {
        return Err(Malformation::Empty);
    };
    if first != b'{' {
        return Err(match kind_of(first) {
            Some(kind) if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() => {
                Malformation::NotAnObject(kind)
            }
            _ => Malformation::NotJson(format!("it starts with {:?}", char::from(first))),
        });
    }
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        Category::Data => Malformation::Fields(e.to_string()),
        Category::Syntax | Category::Eof | Category::Io => Malformation::NotJson(e.to_string()),
    })
}
