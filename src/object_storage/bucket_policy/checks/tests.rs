use super::*;
use crate::object_storage::bucket_policy::problem::Severity;

/// A document with one statement made of `parts` (JSON members without braces).
fn doc(parts: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"CW":"*"}},{parts}}}]}}"#
    )
}

/// `(severity, path, message)` of each problem.
fn problems(text: &str, bucket: Option<&str>) -> Vec<(Severity, String, String)> {
    check_document(text, bucket)
        .into_iter()
        .map(|p| (p.severity, p.path.to_string(), p.message))
        .collect()
}

/// The one problem of `text`, which must have exactly one.
fn only(text: &str, bucket: Option<&str>) -> (Severity, String, String) {
    let mut found = problems(text, bucket);
    assert_eq!(found.len(), 1, "{text}: {found:#?}");
    found.remove(0)
}

#[test]
fn a_good_policy_has_no_problem() {
    let text = doc(
        r#""Sid":"Read","Action":["s3:GetObject","s3:List*"],"Resource":["arn:aws:s3:::models","arn:aws:s3:::models/*"],
        "Condition":{"StringEquals":{"cw:principalorgid":"o1"},"StringLike":{"s3:prefix":"data/*"}}"#,
    );
    assert_eq!(problems(&text, Some("models")), []);
    assert_eq!(problems(&text, None), []);
}

#[test]
fn the_reference_example_is_fine_for_any_bucket_but_its_sid_is_warned_about() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"allow-all","Principal":{"CW":["*"]},"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}]}"#;
    let (severity, path, message) = only(text, Some("models"));
    assert_eq!(severity, Severity::Warning);
    assert_eq!(path, "Statement[0].Sid");
    assert!(message.contains("only letters and digits"), "{message}");
    assert!(message.ends_with("write \"AllowAll\""), "{message}");
}

#[test]
fn grammar_errors_come_first_class_with_their_path() {
    let (severity, path, message) = only(
        &doc(r#""Action":"s3:*","Resource":"arn:aws:s3:::bkt","NotAction":"s3:Delete*""#),
        Some("bkt"),
    );
    assert_eq!(severity, Severity::Error);
    assert_eq!(path, "Statement[0].NotAction");
    assert!(message.contains("not supported by CoreWeave"), "{message}");
    let (severity, path, message) = only("{\"Statement\": ", None);
    assert_eq!((severity, path.as_str()), (Severity::Error, "(document)"));
    assert!(message.starts_with("is not valid JSON"), "{message}");
}

#[test]
fn a_sid_used_twice_is_an_error_naming_the_first() {
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"S1","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"},
        {"Sid":"S1","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::bkt/*"}]}"#;
    assert_eq!(
        only(text, Some("bkt")),
        (
            Severity::Error,
            "Statement[1].Sid".into(),
            "\"S1\" is also the Sid of Statement[0]; each Sid must be unique in the policy".into()
        )
    );
}

#[test]
fn resources_must_be_s3_arns_of_the_policy_bucket() {
    let cases = [
        ("arn:aws:s3:::other/*", Severity::Error, "is an ARN for another bucket (\"other\"); the policy of bucket \"models\" can only name that bucket and its objects: write \"arn:aws:s3:::models/*\""),
        ("arn:aws:s3:::mod*", Severity::Error, ""),
        ("arn:aws:s3:::m?dels/a", Severity::Error, ""),
        ("arn:aws:s3:::", Severity::Error, "names no bucket; write \"arn:aws:s3:::models\" for the bucket or \"arn:aws:s3:::models/*\" for its objects"),
        ("models/*", Severity::Error, "bucket policies name resources by ARN; write \"arn:aws:s3:::models/*\""),
        ("s3://models/x", Severity::Error, "bucket policies name resources by ARN; write \"arn:aws:s3:::models/x\""),
        ("arn:aws:iam::o1:coreweave/u", Severity::Error, "is not an S3 ARN; write \"arn:aws:s3:::models\" for the bucket or \"arn:aws:s3:::models/*\" for its objects"),
    ];
    for (resource, severity, message) in cases {
        let text = doc(&format!(
            r#""Action":"s3:GetObject","Resource":["arn:aws:s3:::models",{resource:?}]"#
        ));
        let found = problems(&text, Some("models"));
        if message.is_empty() {
            assert_eq!(found, [], "{resource} matches bucket models");
            continue;
        }
        assert_eq!(
            found,
            [(
                severity,
                "Statement[0].Resource[1]".to_string(),
                message.to_string()
            )],
            "{resource}"
        );
    }
}

#[test]
fn without_a_bucket_any_bucket_goes_but_an_impossible_bucket_name_is_warned_about() {
    let text = doc(r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::Bad_Name/*""#);
    let (severity, path, message) = only(&text, None);
    assert_eq!(
        (severity, path.as_str()),
        (Severity::Warning, "Statement[0].Resource")
    );
    assert!(
        message.starts_with("has bucket name \"Bad_Name\", which"),
        "{message}"
    );
    assert!(message.ends_with("so it matches no bucket"), "{message}");
}

#[test]
fn actions_are_known_s3_actions_with_a_closest_match_hint() {
    let warning = |action: &str| {
        let text = doc(&format!(
            r#""Action":[{action:?}],"Resource":"arn:aws:s3:::bkt/*""#
        ));
        let found = problems(&text, Some("bkt"));
        assert!(
            found
                .iter()
                .all(|(s, p, _)| *s == Severity::Warning && p == "Statement[0].Action[0]"),
            "{found:?}"
        );
        found.into_iter().map(|(_, _, m)| m).collect::<Vec<_>>()
    };
    for fine in [
        "*",
        "s3:*",
        "s3:GetObject",
        "s3:getobject",
        "S3:Get*",
        "s3:Get?bject",
    ] {
        assert_eq!(warning(fine), Vec::<String>::new(), "{fine}");
    }
    assert_eq!(warning("s3:GetObjekt"), ["\"s3:GetObjekt\" is not an S3 action this provider knows; did you mean \"s3:GetObject\"?"]);
    assert_eq!(
        warning("s3:Frobnicate"),
        ["\"s3:Frobnicate\" matches no S3 action this provider knows; check its spelling"]
    );
    assert_eq!(
        warning("s3:Zz*"),
        ["\"s3:Zz*\" matches no S3 action this provider knows; check its spelling"]
    );
    assert_eq!(
        warning("GetObject"),
        ["matches no action: write \"*\" or \"s3:<Action>\", e.g. \"s3:GetObject\""]
    );
    assert_eq!(
        warning("iam:PassRole"),
        ["has service \"iam\", which matches no action: bucket policies grant \"s3:\" actions"]
    );
    for org_only in [
        "s3:PutBucketPolicy",
        "s3:ListAllMyBuckets",
        "cwobject:CreateAccessKeyOIDC",
    ] {
        let found = warning(org_only);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("decided by organization policies only"),
            "{found:?}"
        );
    }
}

#[test]
fn principals_name_coreweave_users_groups_and_roles_by_arn() {
    for fine in [
        r#""*""#,
        r#"{"AWS":"*"}"#,
        r#"{"CW":["arn:aws:iam::o1:coreweave/u1","arn:aws:iam::o1:saml/admins"]}"#,
        r#"{"CW":"arn:aws:iam::o1:role/https://oidc.cks.coreweave.com/id/c1:system:serviceaccount:ns:sa"}"#,
        r#"{"CW":"arn:aws:iam::o1:role/https://oidc.cks.coreweave.com/id/c1*"}"#,
    ] {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{fine},"Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}}}"#
        );
        assert_eq!(problems(&text, Some("bkt")), [], "{fine}");
    }
    let cases = [
        (r#"{"CW":["coreweave/u1"]}"#, "Statement.Principal.CW[0]", "is the short form organization policies use, and matches no one here; in a bucket policy write \"arn:aws:iam::<ORG-ID>:coreweave/u1\""),
        (r#"{"AWS":"arn:aws:iam:::coreweave/u1"}"#, "Statement.Principal.AWS", "has no organization ID"),
        (r#"{"CW":"arn:aws:iam::o1:user/bob"}"#, "Statement.Principal.CW", "names no CoreWeave user, SAML group or role"),
        (r#"{"CW":"bob"}"#, "Statement.Principal.CW", "matches no one: write \"*\" or one of"),
        (r#"{"Service":"s3.amazonaws.com"}"#, "Statement.Principal.Service", "principal kind \"Service\" names no CoreWeave principal"),
        (r#"{}"#, "Statement.Principal", "names no principal, so the statement matches no one"),
    ];
    for (principal, path, start) in cases {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{principal},"Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}}}"#
        );
        let (severity, got_path, message) = only(&text, Some("bkt"));
        assert_eq!(
            (severity, got_path.as_str()),
            (Severity::Warning, path),
            "{principal}"
        );
        assert!(message.starts_with(start), "{principal}: {message}");
    }
}

#[test]
fn a_statement_without_principal_action_or_resource_matches_nothing() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":[]}]}"#;
    let found = problems(text, None);
    let paths: Vec<&str> = found.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Statement[0].Principal",
            "Statement[0].Action",
            "Statement[0].Resource"
        ]
    );
    assert!(found
        .iter()
        .all(|(s, _, m)| *s == Severity::Warning && m.contains("no")));
}

#[test]
fn unknown_condition_keys_and_empty_values_are_warnings_and_unknown_operators_errors() {
    let text = doc(r#""Action":"s3:ListBucket","Resource":"arn:aws:s3:::bkt",
        "Condition":{"StringEquals":{"aws:SourceIp":"10.0.0.1","s3:prefix":[]},"NumericLessThan":{"s3:max-keys":"10"}}"#);
    let found = problems(&text, Some("bkt"));
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(found[0].0, Severity::Error);
    assert_eq!(found[0].1, "Statement[0].Condition.NumericLessThan");
    assert!(found[0]
        .2
        .contains("the operators are StringEquals, StringNotEquals, StringLike, StringNotLike"));
    assert_eq!(found[1].0, Severity::Warning);
    assert_eq!(
        found[1].1,
        "Statement[0].Condition.StringEquals[\"aws:SourceIp\"]"
    );
    assert!(found[1].2.starts_with("\"aws:SourceIp\" is not a condition key CoreWeave documents (cw:PrincipalOrgID, s3:prefix)"));
    assert_eq!(
        found[2],
        (
            Severity::Warning,
            "Statement[0].Condition.StringEquals[\"s3:prefix\"]".into(),
            "lists no value; write at least one, e.g. [\"<ORG-ID>\"]".into()
        )
    );
}

#[test]
fn a_missing_version_is_a_warning() {
    let text = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}}"#;
    let (severity, path, message) = only(text, Some("bkt"));
    assert_eq!((severity, path.as_str()), (Severity::Warning, "Version"));
    assert!(message.contains("\"Version\": \"2012-10-17\""));
}
