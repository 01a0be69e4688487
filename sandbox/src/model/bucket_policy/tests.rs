use super::*;

fn parse(document: &str) -> Result<BucketPolicy, MalformedPolicy> {
    BucketPolicy::parse(document, "models")
}

fn error(document: &str) -> String {
    parse(document).unwrap_err().0
}

#[test]
fn single_values_lists_and_principal_forms_read_alike() {
    let policy = parse(
        r#"{"Version":"2008-10-17","Id":"p","Statement":{"Effect":"Deny","Principal":{"AWS":["*"]},
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::models/data/*",
        "Condition":{"StringLike":{"s3:prefix":["a*","b?"]}}}}"#,
    )
    .unwrap();
    let statement = &policy.statements()[0];
    assert_eq!(statement.name, "[0]");
    assert_eq!(statement.effect, Effect::Deny);
    assert_eq!(statement.principals, ["*"]);
    assert_eq!(statement.actions, ["s3:GetObject"]);
    assert_eq!(statement.conditions[0].operator, Operator::StringLike);
    assert_eq!(statement.conditions[0].values, ["a*", "b?"]);
    for principal in [
        r#""*""#,
        r#"{"CW":"*"}"#,
        r#"{"CW":["arn:aws:iam::org-1:coreweave/u1","arn:aws:iam::org-1:saml/admins"]}"#,
        r#"{"AWS":"arn:aws:iam::org-1:role/https://oidc.cks.coreweave.com/id/*"}"#,
    ] {
        let document = format!(
            r#"{{"Statement":[{{"Sid":"s","Effect":"Allow","Principal":{principal},
            "Action":["s3:*"],"Resource":["arn:aws:s3:::models"]}}]}}"#
        );
        let policy = parse(&document).unwrap_or_else(|e| panic!("{principal}: {e}"));
        assert_eq!(policy.raw(), document);
        assert_eq!(policy.statements()[0].name, "s");
    }
}

#[test]
fn principals_must_be_everyone_or_coreweave_arns() {
    let with = |principal: &str| {
        error(&format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"s3:*",
            "Resource":"arn:aws:s3:::models"}}]}}"#
        ))
    };
    assert!(with(r#""coreweave/u1""#).contains("Principal must be"));
    assert!(with(r#"{"Service":"*"}"#).contains("unknown principal kind \"Service\""));
    assert!(with(r#"{"CW":"coreweave/u1"}"#).contains("is not * or arn:aws:iam::"));
    assert!(with(r#"{"CW":"arn:aws:iam::org:group/g"}"#).contains("is not * or"));
    assert!(with(r#"{"CW":[]}"#).contains("non-empty list"));
    assert!(with(r#"{}"#).contains("Principal must be"));
}

#[test]
fn statements_need_unique_sids_s3_actions_and_this_buckets_resources() {
    let two = r#"{"Statement":[
        {"Sid":"a","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::models"},
        {"Sid":"a","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::models"}]}"#;
    assert!(error(two).contains("Sid \"a\" is used twice"));
    let one = |action: &str, resource: &str| {
        format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"{resource}"}}]}}"#
        )
    };
    assert!(
        error(&one("cwobject:CreateAccessKey", "arn:aws:s3:::models"))
            .contains("is not an S3 action")
    );
    for resource in [
        "arn:aws:s3:::*",
        "arn:aws:s3:::models2",
        "models/*",
        "arn:aws:s3:::other/a",
    ] {
        assert!(
            error(&one("s3:GetObject", resource)).contains("is not in bucket models"),
            "{resource}"
        );
    }
    assert!(parse(&one("S3:getobject", "arn:aws:s3:::models/a?c*")).is_ok());
    assert!(error(r#"[1]"#).contains("must be a JSON object"));
    assert!(error(r#"{"Statement":[{"Effect":"Allow"}]}"#).contains("Principal must be"));
}
