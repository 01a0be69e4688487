use serde::Deserialize;
use serde_json::json;

use super::*;
use crate::object_storage::bucket_policy::{same_meaning, Document};

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    rule: String,
    input: serde_json::Value,
    json: String,
}

fn state(config: serde_json::Value) -> BucketPolicyDocumentState {
    serde_json::from_value(config).expect("a configuration of the data source")
}

#[test]
fn every_case_of_the_bytes_table_renders_exactly() {
    let table: Table = serde_json::from_str(include_str!(
        "../../../tests/data/bucket_policy_document_cases.json"
    ))
    .unwrap();
    assert!(table.cases.len() >= 10, "the table lost cases");
    for case in table.cases {
        let out = rendered(state(case.input));
        assert_eq!(
            out.json,
            Value::Value(case.json.clone()),
            "case {:?} ({})",
            case.name,
            case.rule
        );
        assert!(Document::parse(&case.json).is_ok(), "{}", case.name);
        assert!(same_meaning(&case.json, &case.json));
    }
}

#[test]
fn defaults_are_filled_in_the_state() {
    let out = rendered(state(json!({"statement": [{"action": ["s3:GetObject"]}]})));
    assert_eq!(out.version, Value::Value("2012-10-17".into()));
    let blocks = out.statement.as_ref_option().unwrap();
    assert_eq!(blocks[0].effect, Value::Value("Allow".into()));
}

/// `(error?, attribute, detail)` of every diagnostic of a plan-time check.
fn diagnostics(config: serde_json::Value) -> Vec<(bool, String, String)> {
    let mut diags = Diagnostics::default();
    check(&mut diags, &state(config), Warnings::Report);
    let tagged = |error: bool| {
        move |d: &tf_plugin_server::Diagnostic| {
            (error, describe(&d.attribute), d.detail.to_string())
        }
    };
    let mut found: Vec<_> = diags.errors.iter().map(tagged(true)).collect();
    found.extend(diags.warnings.iter().map(tagged(false)));
    found
}

/// The attributes the diagnostics of `config` are on.
fn places(config: serde_json::Value) -> Vec<(bool, String)> {
    places_of(&state(config))
}

fn good() -> serde_json::Value {
    json!({"sid": "Read", "principal": {"CW": ["*"]}, "action": ["s3:GetObject"], "resource": ["arn:aws:s3:::models/*"]})
}

#[test]
fn a_good_document_has_no_diagnostic() {
    assert_eq!(diagnostics(json!({"statement": [good()]})), []);
}

#[test]
fn each_problem_is_on_the_attribute_it_is_about() {
    let mut bad = good();
    bad["sid"] = json!("Read");
    bad["effect"] = json!("allow");
    bad["resource"] = json!(["arn:aws:s3:::models/*", "models/*"]);
    bad["principal"] = json!({"CW": ["*", "coreweave/u1"]});
    bad["condition"] = json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:SourceIp": "10.0.0.1"}});
    let found = places(json!({"version": "2012-10-18", "statement": [good(), bad]}));
    assert_eq!(
        found,
        [
            (true, "version".into()),
            (true, "statement[1].sid".into()),
            (true, "statement[1].effect".into()),
            (true, "statement[1].resource[1]".into()),
            (true, "statement[1].condition[\"IpAddress\"]".into()),
            (false, "statement[1].principal[\"CW\"][1]".into()),
            (
                false,
                "statement[1].condition[\"StringEquals\"][\"aws:SourceIp\"]".into()
            ),
        ]
    );
}

#[test]
fn a_single_item_is_named_by_index_zero_and_an_empty_list_by_its_attribute() {
    let mut one = good();
    one["action"] = json!(["s3:GetObjekt"]);
    one["resource"] = json!([]);
    let found = diagnostics(json!({"statement": [one]}));
    let at: Vec<&str> = found.iter().map(|(_, at, _)| at.as_str()).collect();
    assert_eq!(at, ["statement[0].action[0]", "statement[0].resource"]);
    assert!(
        found[0].2.contains("did you mean \"s3:GetObject\"?"),
        "{found:?}"
    );
}

/// The attributes the diagnostics of `state` are on.
fn places_of(state: &BucketPolicyDocumentState) -> Vec<(bool, String)> {
    let mut diags = Diagnostics::default();
    check(&mut diags, state, Warnings::Report);
    let mut found: Vec<_> = diags
        .errors
        .iter()
        .map(|d| (true, describe(&d.attribute)))
        .collect();
    found.extend(
        diags
            .warnings
            .iter()
            .map(|d| (false, describe(&d.attribute))),
    );
    found
}

#[test]
fn statements_with_unknown_parts_wait_and_the_others_keep_their_index() {
    let mut bad = good();
    bad["sid"] = json!("Other");
    bad["effect"] = json!("Maybe");
    let mut config = state(json!({"statement": [good(), good(), bad]}));
    config.version = Value::Unknown;
    let Value::Value(blocks) = &mut config.statement else {
        panic!("three blocks")
    };
    blocks[0].action = Value::Value(vec![Value::Unknown]);
    // Statement 0 waits, so statement 1's Sid is not a duplicate yet; statement 2 keeps index 2.
    assert_eq!(
        places_of(&config),
        [(true, "statement[2].effect".to_string())]
    );
    config.statement = Value::Unknown;
    assert_eq!(places_of(&config), []);
}

#[test]
fn no_statement_is_an_error_on_statement() {
    let found = diagnostics(json!({}));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), (true, "statement"));
    assert!(found[0].2.contains("is empty"), "{found:?}");
}
