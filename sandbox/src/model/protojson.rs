//! protojson's rule for string fields: an empty string is the default value, left out.

use serde_json::{Map, Value};

/// A JSON object of the string fields given as (JSON name, value), empty ones left out.
pub fn non_empty_strings(fields: &[(&str, &str)]) -> Map<String, Value> {
    fields
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| ((*key).to_string(), Value::from(*value)))
        .collect()
}
