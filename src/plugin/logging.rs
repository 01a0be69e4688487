//! Logging to stderr as hclog JSON lines, which go-plugin (and so `TF_LOG`) understands.
//!
//! Each event becomes one line `{"@level":"debug","@message":"...","@module":"coreweave.api",...}`
//! so Terraform shows it at its own level. The level comes from `TF_LOG_PROVIDER` or `TF_LOG`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::num::NonZeroU8;

use serde_json::{Map, Value};
use time::format_description::well_known::iso8601::{Config, EncodedConfig, TimePrecision};
use time::format_description::well_known::Iso8601;
use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Maps a Terraform log level name to a filter (`JSON` is TRACE, unknown names are WARN).
pub fn level_from_tf_log(value: Option<&str>) -> LevelFilter {
    match value.map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        Some("TRACE" | "JSON") => LevelFilter::TRACE,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some("INFO") => LevelFilter::INFO,
        Some("WARN") => LevelFilter::WARN,
        Some("ERROR") => LevelFilter::ERROR,
        Some("OFF") => LevelFilter::OFF,
        _ => LevelFilter::WARN,
    }
}

/// Installs the global subscriber. Our own events (and the plugin server's) follow the Terraform
/// level; the gRPC transport's are shown only at TRACE.
pub fn init() {
    let tf_log = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .or_else(|| std::env::var("TF_LOG").ok());
    let level = level_from_tf_log(tf_log.as_deref());
    let framework = if level == LevelFilter::TRACE {
        LevelFilter::TRACE
    } else {
        LevelFilter::WARN
    };
    let filter = Targets::new()
        .with_target("terraform_provider_coreweave", level)
        .with_target("coreweave", level)
        .with_target("tf_plugin_server", level)
        .with_default(framework);
    let _ = tracing_subscriber::registry()
        .with(HclogLayer.with_filter(filter))
        .try_init();
}

/// A tracing layer writing hclog JSON lines to stderr.
pub struct HclogLayer;

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let line = format_event(event);
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Formats one event as an hclog JSON line (with trailing newline).
pub fn format_event(event: &Event<'_>) -> String {
    let meta = event.metadata();
    let mut fields = FieldCollector::default();
    event.record(&mut fields);
    let mut map = Map::new();
    map.insert("@level".into(), hclog_level(*meta.level()).into());
    map.insert("@message".into(), fields.message.into());
    map.insert("@module".into(), meta.target().replace("::", ".").into());
    map.insert("@timestamp".into(), now_rfc3339().into());
    map.extend(fields.fields);
    let mut line = Value::Object(map).to_string();
    line.push('\n');
    line
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: Map<String, Value>,
}

impl Visit for FieldCollector {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.fields
                .insert(field.name().into(), format!("{value:?}").into());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.insert(field.name().into(), value.into());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().into(), value.into());
    }
}

/// hclog's timestamp: RFC 3339 in UTC with microseconds, `2026-11-23T09:46:09.000005Z`.
const HCLOG_TIME: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: NonZeroU8::new(6),
    })
    .encode();

/// Current UTC time as RFC 3339 with microseconds.
fn now_rfc3339() -> String {
    hclog_time(OffsetDateTime::now_utc())
}

fn hclog_time(time: OffsetDateTime) -> String {
    // Only years outside 0..=9999 fail to format; a log line then goes without a time.
    time.format(&Iso8601::<HCLOG_TIME>).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Capture(Arc<Mutex<Vec<String>>>);
    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            self.0.lock().unwrap().push(format_event(event));
        }
    }

    #[test]
    fn events_become_hclog_json_lines_with_their_level_and_fields() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        {
            let _guard = crate::test_log::set_default(subscriber);
            tracing::debug!(target: "coreweave::api", method = "GET", status = 200u64, "request done");
        }
        let line = lines.lock().unwrap()[0].clone();
        assert!(line.ends_with('\n'));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "request done");
        assert_eq!(v["@module"], "coreweave.api");
        assert_eq!(v["method"], "GET");
        assert_eq!(v["status"], 200);
    }

    #[test]
    fn timestamps_are_utc_with_microseconds() {
        let time = OffsetDateTime::from_unix_timestamp_nanos(1_795_427_169_000_005_999).unwrap();
        assert_eq!(hclog_time(time), "2026-11-23T09:46:09.000005Z");
        assert_eq!(
            hclog_time(OffsetDateTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000000Z"
        );
    }

    #[test]
    fn terraform_level_names_map_to_filters() {
        assert_eq!(level_from_tf_log(Some("trace")), LevelFilter::TRACE);
        assert_eq!(level_from_tf_log(Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from_tf_log(Some("DEBUG")), LevelFilter::DEBUG);
        assert_eq!(level_from_tf_log(None), LevelFilter::WARN);
        assert_eq!(level_from_tf_log(Some("bogus")), LevelFilter::WARN);
    }
}
