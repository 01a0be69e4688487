//! The `timeouts` block (`create`, `update`, `delete`) and Go-style duration strings.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{Block, NestedBlock};
use tf_plugin_server::value::{Value, ValueList};
use tf_plugin_server::{AttributePath, Diagnostics};

use crate::schema::{block, Attr, Kind};

/// Default for every operation.
pub const DEFAULT: Duration = Duration::from_secs(20 * 60);

/// One `timeouts { ... }` block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeouts {
    #[serde(default)]
    pub create: Value<String>,
    #[serde(default)]
    pub update: Value<String>,
    #[serde(default)]
    pub delete: Value<String>,
}

/// The operation whose timeout is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// The nested block schema: at most one `timeouts` block.
pub fn nested_block() -> NestedBlock {
    let desc = |op: &str| {
        format!("How long to wait for {op}, as a duration such as `\"30s\"`, `\"20m\"` or `\"1h30m\"`. Defaults to `\"20m\"`.")
    };
    let b: Block = block(
        "Operation timeouts.",
        [
            Attr::string("create", Kind::Optional, &desc("create")),
            Attr::string("update", Kind::Optional, &desc("update")),
            Attr::string("delete", Kind::Optional, &desc("delete")),
        ],
        [],
    );
    NestedBlock::Optional(b)
}

/// Parses a Go-style duration: a sequence of `<number><unit>` with units `ms`, `s`, `m`, `h`
/// (`"1h30m"`, `"90s"`, `"1.5h"`). Zero and negative durations are refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("must be a duration such as \"30s\", \"20m\" or \"1h30m\"; got {text:?}");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    if total <= 0.0 || total > 7.0 * 24.0 * 3600.0 {
        return Err(format!("must be between 1ms and 168h; got {text:?}"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// The configured timeout for `op`, or [`DEFAULT`]; invalid values were rejected at validate.
pub fn get(timeouts: &ValueList<Timeouts>, op: Operation) -> Duration {
    first(timeouts)
        .and_then(|t| field(t, op).as_ref_option().cloned())
        .and_then(|s| parse_duration(&s).ok())
        .unwrap_or(DEFAULT)
}

fn first(timeouts: &ValueList<Timeouts>) -> Option<&Timeouts> {
    timeouts.as_ref_option().and_then(|v| v.first())
}

fn field(t: &Timeouts, op: Operation) -> &Value<String> {
    match op {
        Operation::Create => &t.create,
        Operation::Update => &t.update,
        Operation::Delete => &t.delete,
    }
}

/// Reports each invalid duration on its attribute path.
pub fn validate(diags: &mut Diagnostics, timeouts: &ValueList<Timeouts>) {
    let Some(t) = first(timeouts) else { return };
    for op in [Operation::Create, Operation::Update, Operation::Delete] {
        if let Value::Value(text) = field(t, op) {
            if let Err(e) = parse_duration(text) {
                diags.error(
                    "Invalid timeout",
                    format!("`timeouts.{}` {e}", op.name()),
                    AttributePath::new("timeouts").index(0).attribute(op.name()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_style_durations() {
        assert_eq!(parse_duration("20m").unwrap(), Duration::from_secs(1200));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        for bad in ["", "20", "m", "20x", "-5m", "0s", "1d", "200h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_block_or_value_means_the_default() {
        assert_eq!(get(&Value::Null, Operation::Create), DEFAULT);
        assert_eq!(get(&Value::Value(vec![]), Operation::Create), DEFAULT);
        let t = Timeouts {
            create: Value::Value("5s".into()),
            ..Default::default()
        };
        let list = Value::Value(vec![t]);
        assert_eq!(get(&list, Operation::Create), Duration::from_secs(5));
        assert_eq!(get(&list, Operation::Delete), DEFAULT);
    }

    #[test]
    fn invalid_durations_are_reported_on_their_attribute() {
        let t = Timeouts {
            update: Value::Value("soon".into()),
            ..Default::default()
        };
        let mut diags = Diagnostics::default();
        validate(&mut diags, &Value::Value(vec![t]));
        assert_eq!(diags.errors.len(), 1);
        assert!(diags.errors[0].detail.contains("timeouts.update"));
    }
}
