use super::*;

fn parse(text: &str) -> Document {
    Document::parse(text).unwrap_or_else(|e| panic!("{text} should parse: {e}"))
}

fn malformed(text: &str) -> String {
    match Document::parse(text) {
        Err(DocumentError::Malformed(problem)) => problem.to_string(),
        other => panic!("{text} should be malformed, got {other:?}"),
    }
}

#[test]
fn the_reference_example_parses() {
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"allow-all","Principal":{"CW":["*"]},"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}]}"#,
    );
    assert_eq!(d.version.as_deref(), Some("2012-10-17"));
    let s = &d.statements[0];
    assert_eq!(s.sid.as_deref(), Some("allow-all"));
    assert_eq!(s.effect, Effect::Allow);
    assert_eq!(s.action.items, ["s3:*"]);
    assert!(!s.action.as_list);
    assert_eq!(s.resource.items, ["arn:aws:s3:::*"]);
    let Some(Principal::Named(kinds)) = &s.principal else {
        panic!("a principal map")
    };
    assert_eq!(kinds["CW"].items, ["*"]);
    assert!(kinds["CW"].as_list);
}

#[test]
fn a_single_value_a_single_statement_and_a_bare_star_principal_are_accepted() {
    let d = parse(
        r#"{ "Statement": { "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
             "Resource": ["arn:aws:s3:::models/private/*"] } }"#,
    );
    assert_eq!(d.version, None);
    assert_eq!(d.statements.len(), 1);
    let s = &d.statements[0];
    assert_eq!(s.path.to_string(), "Statement");
    assert_eq!(s.principal, Some(Principal::Anyone));
    assert_eq!(s.effect, Effect::Deny);
    assert_eq!(s.sid, None);
}

#[test]
fn conditions_read_every_operator_key_and_value_form() {
    let d = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},
            "Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::b",
            "Condition":{"StringEquals":{"cw:PrincipalOrgID":"org-1"},
                         "StringLike":{"s3:prefix":["data/*","logs/*"]},
                         "StringNotEquals":{"s3:prefix":7}}}]}"#,
    );
    let c = &d.statements[0].condition;
    assert_eq!(c.len(), 3);
    assert!(c
        .iter()
        .any(|c| c.operator == Operator::StringLike && c.values.items == ["data/*", "logs/*"]));
    assert!(c
        .iter()
        .any(|c| c.operator == Operator::StringNotEquals && c.values.items == ["7"]));
}

#[test]
fn an_empty_sid_is_no_sid() {
    let d = parse(
        r#"{"Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}"#,
    );
    assert_eq!(d.statements[0].sid, None);
}

#[test]
fn what_the_api_refuses_is_malformed_with_the_place_and_what_to_write() {
    assert!(matches!(
        Document::parse("{not json"),
        Err(DocumentError::NotJson(_))
    ));
    let cases = [
        ("[1]", "(document): must be a JSON object"),
        (r#"{"Version":"2012-10-17"}"#, "Statement: is missing"),
        (r#"{"Statement":[]}"#, "Statement: is empty"),
        (r#"{"Statement":[1]}"#, "Statement[0]: must be a statement object, not a number"),
        (r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow"}}"#, "Version: must be \"2012-10-17\""),
        (r#"{"Statement":{"Effect":"allow"}}"#, "Statement.Effect: must be exactly \"Allow\" or \"Deny\""),
        (r#"{"Statement":{"Principal":"*"}}"#, "Statement.Effect: is missing"),
        (r#"{"Statement":{"Effect":"Allow","effect":"Allow"}}"#, "Statement.effect: keys are case-sensitive: write \"Effect\""),
        (r#"{"Statement":{"Effect":"Allow","Actions":"s3:*"}}"#, "Statement.Actions: \"Actions\" is not a key of a statement"),
        (r#"{"Policy":{},"Statement":{"Effect":"Allow"}}"#, "Policy: \"Policy\" is not a key of a policy document"),
        (r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*"}}"#, "Statement.NotAction: \"NotAction\" is not supported by CoreWeave"),
        (r#"{"Statement":{"Effect":"Allow","NotResource":"x"}}"#, "Statement.NotResource: \"NotResource\" is not supported"),
        (r#"{"Statement":{"Effect":"Allow","NotPrincipal":"*"}}"#, "Statement.NotPrincipal: \"NotPrincipal\" is not supported"),
        (r#"{"Statement":[{"Effect":"Allow","Action":["s3:*",3]}]}"#, "Statement[0].Action[1]: must be a string or a list of strings, not a number"),
        (r#"{"Statement":[{"Effect":"Allow","Principal":"someone"}]}"#, "Statement[0].Principal: must be \"*\" or a map"),
        (r#"{"Statement":[{"Effect":"Allow","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#, "Statement[0].Condition.IpAddress: \"IpAddress\" is not a condition operator CoreWeave evaluates; the operators are StringEquals, StringNotEquals, StringLike, StringNotLike"),
        (r#"{"Statement":[{"Effect":"Allow","Condition":{"stringequals":{"s3:prefix":"a"}}}]}"#, "Statement[0].Condition.stringequals: operators are case-sensitive: write \"StringEquals\""),
        (r#"{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":"a"}}]}"#, "Statement[0].Condition.StringEquals: must be a map of request key to values"),
    ];
    for (text, expected) in cases {
        let got = malformed(text);
        assert!(
            got.starts_with(expected),
            "{text}\n got: {got}\nwant: {expected}"
        );
    }
}

#[test]
fn every_grammar_error_is_collected_not_only_the_first() {
    let (_, problems) = read(
        r#"{"Version":"1","Statement":[{"Effect":"Maybe","NotAction":"s3:*"},{"Effect":"Allow","Condition":{"Bool":{}}}]}"#,
    )
    .unwrap();
    let paths: Vec<String> = problems.iter().map(|p| p.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "Version",
            "Statement[0].NotAction",
            "Statement[0].Effect",
            "Statement[1].Condition.Bool"
        ]
    );
}
