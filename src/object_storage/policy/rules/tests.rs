use super::*;
use crate::object_storage::policy::actions::closest_action;

fn set(items: &[&str]) -> Option<BTreeSet<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

fn stmt(name: &str, actions: &[&str], resources: &[&str], principals: &[&str]) -> StatementInput {
    StatementInput {
        name: Some(name.into()),
        effect: Some("Allow".into()),
        actions: set(actions),
        resources: set(resources),
        principals: set(principals),
    }
}

const SA: &str = "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa";

fn errors(statements: &[StatementInput]) -> Vec<String> {
    check_statements(statements)
        .into_iter()
        .filter(|f| f.error)
        .map(|f| f.message)
        .collect()
}

fn warnings(statements: &[StatementInput]) -> Vec<String> {
    check_statements(statements)
        .into_iter()
        .filter(|f| !f.error)
        .map(|f| f.message)
        .collect()
}

#[test]
fn the_seed_policy_is_valid() {
    let s = stmt(
        "allow",
        &["s3:*", "cwobject:CreateAccessKeyOIDC"],
        &["*"],
        &[SA],
    );
    assert!(check_statements(&[s]).is_empty());
}

#[test]
fn effect_is_case_sensitive() {
    let mut s = stmt("a", &["s3:GetObject"], &["my-bucket/*"], &["*"]);
    s.effect = Some("allow".into());
    assert_eq!(errors(&[s]), ["statement \"a\": `effect` must be exactly \"Allow\" or \"Deny\" (case-sensitive); got \"allow\""]);
}

#[test]
fn names_must_be_present_and_unique() {
    let a = stmt("a", &["s3:GetObject"], &["bkt"], &["*"]);
    let e = errors(&[a.clone(), a]);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("unique"));
    let blank = stmt("", &["s3:GetObject"], &["bkt"], &["*"]);
    assert!(errors(&[blank])[0].starts_with("statement #1: `name` must not be empty"));
}

#[test]
fn a_whitespace_name_or_entry_is_a_warning_the_api_accepts() {
    let s = [stmt("  ", &["s3:Get Object"], &["bkt/*"], &["*"])];
    assert!(errors(&s).is_empty());
    let w = warnings(&s);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("`name` is only whitespace"), "{w:?}");
    assert!(
        w[1].contains("`actions` has an entry with whitespace: \"s3:Get Object\""),
        "{w:?}"
    );
}

#[test]
fn empty_sets_and_empty_entries_are_errors() {
    let s = stmt("a", &[], &["bkt"], &[""]);
    let e = errors(&[s]);
    assert!(
        e.iter().any(|m| m.contains("`actions` must not be empty")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("`principals` has an empty entry")),
        "{e:?}"
    );
    assert_eq!(errors(&[]), ["a policy needs at least one statement"]);
}

#[test]
fn global_actions_need_resources_exactly_star() {
    for action in [
        "*",
        "cwobject:CreateAccessKeyOIDC",
        "cwobject:*",
        "s3:ListAllMyBuckets",
    ] {
        let e = errors(&[stmt("a", &[action], &["my-bucket"], &["*"])]);
        assert_eq!(e.len(), 1, "{action}: {e:?}");
        assert!(e[0].contains("must be exactly [\"*\"]"));
        assert!(errors(&[stmt("a", &[action], &["*", "my-bucket"], &["*"])]).len() == 1);
        assert!(errors(&[stmt("a", &[action], &["*"], &["*"])]).is_empty());
    }
    assert!(errors(&[stmt("a", &["s3:GetObject"], &["my-bucket/*"], &["*"])]).is_empty());
}

#[test]
fn actions_are_classified() {
    assert_eq!(classify_action("*"), ActionKind::Known);
    assert_eq!(classify_action("s3:*"), ActionKind::Known);
    assert_eq!(classify_action("s3:Get*"), ActionKind::Known);
    assert_eq!(
        classify_action("cwobject:CreateAccessKey*"),
        ActionKind::Known
    );
    assert_eq!(classify_action("s3:GetObject"), ActionKind::Known);
    assert_eq!(
        classify_action("s3:GetObjekt"),
        ActionKind::Unknown(Some("s3:GetObject".into()))
    );
    assert_eq!(classify_action("s3:Frobnicate"), ActionKind::Unknown(None));
    assert!(matches!(
        classify_action("GetObject"),
        ActionKind::Invalid(_)
    ));
    assert!(matches!(
        classify_action("iam:PassRole"),
        ActionKind::Invalid(_)
    ));
    assert!(matches!(classify_action("s3:"), ActionKind::Invalid(_)));
    assert!(matches!(
        classify_action("s3:Get-Object"),
        ActionKind::Invalid(_)
    ));
}

#[test]
fn unknown_action_names_are_warnings_suggesting_the_closest_action() {
    let findings = check_statements(&[stmt("a", &["s3:GetObjekt"], &["bkt"], &["*"])]);
    assert_eq!(findings.len(), 1);
    assert!(!findings[0].error);
    assert_eq!(
        findings[0].message,
        "statement \"a\": action \"s3:GetObjekt\" is not an action this provider knows; did you mean \"s3:GetObject\"?"
    );
    assert_eq!(
        closest_action("s3:CreateAccessKeyOIDC").as_deref(),
        Some("cwobject:CreateAccessKeyOIDC"),
    );
    assert_eq!(
        closest_action("s3:ListBuckets").as_deref(),
        Some("s3:ListBucket")
    );
    assert_eq!(closest_action("cwobject:Nothing"), None);
}

#[test]
fn a_case_only_mismatch_is_a_warning_naming_the_right_spelling() {
    for (wrong, right) in [
        ("s3:getobject", "s3:GetObject"),
        ("S3:GetObject", "s3:GetObject"),
        ("S3:getObject", "s3:GetObject"),
        (
            "CWObject:CreateAccessKeyOIDC",
            "cwobject:CreateAccessKeyOIDC",
        ),
        (
            "cwobject:createaccesskeyoidc",
            "cwobject:CreateAccessKeyOIDC",
        ),
        ("s3:get*", "s3:Get*"),
        ("S3:*", "s3:*"),
    ] {
        let statement = [stmt("a", &[wrong], &["*"], &["*"])];
        assert!(errors(&statement).is_empty(), "{wrong}");
        let w = warnings(&statement);
        assert_eq!(w.len(), 1, "{wrong}: {w:?}");
        assert!(w[0].contains("case-sensitive"), "{w:?}");
        assert!(w[0].contains(&format!("write \"{right}\" (")), "{w:?}");
        assert!(w[0].ends_with("it matches no action)"), "{w:?}");
    }
    assert_eq!(classify_action("s3:Get*"), ActionKind::Known);
    assert_eq!(classify_action("s3:Zz*"), ActionKind::Known);
}

#[test]
fn resources_are_star_a_bucket_its_objects_or_a_key_prefix() {
    for ok in [
        "*",
        "my-bucket",
        "my-bucket/*",
        "my-bucket/logs/2024-*",
        "abc/x*",
    ] {
        assert_eq!(check_resource(ok), Ok(()), "{ok}");
    }
    for (bad, hint) in [
        (
            "bucket-a/",
            "write \"bucket-a\" for the bucket or \"bucket-a/*\" for its objects",
        ),
        (
            "Bucket_A/foo",
            "bucket name \"Bucket_A\", which must be lowercase",
        ),
        ("bucket_a", "which may contain only lowercase letters"),
        (
            "s3://x",
            "has a URL scheme (s3://); write the bucket name alone: \"x\"",
        ),
        ("arn:aws:s3:::b", "ARNs belong in bucket policies"),
        (
            "arn:aws:s3:::my-bucket/*",
            "\"my-bucket\" for the bucket, \"my-bucket/*\" for its objects",
        ),
        ("my-*", "wildcard in the bucket name"),
        ("*/*", "wildcard in the bucket name"),
        ("my-bucket/a*b", "e.g. \"my-bucket/a*\""),
        ("my-bucket/report.csv", "e.g. \"my-bucket/report.csv*\""),
        ("cw-internal", "reserved"),
        ("ab", "3 to 63"),
    ] {
        let e = check_resource(bad).unwrap_err();
        assert!(e.contains(hint), "{bad}: {e}");
    }
}

#[test]
fn a_resource_the_api_accepts_is_a_warning_naming_the_statement_and_what_it_matches() {
    let statement = [stmt("read", &["s3:GetObject"], &["bucket-a/"], &["*"])];
    assert!(errors(&statement).is_empty());
    assert_eq!(
        warnings(&statement),
        ["statement \"read\": resource \"bucket-a/\" ends with '/'; write \"bucket-a\" for the bucket or \"bucket-a/*\" for its objects (the API accepts it, but it matches no bucket or object)"]
    );
    let single = warnings(&[stmt("read", &["s3:GetObject"], &["b1b/r.csv"], &["*"])]);
    assert!(
        single[0].ends_with("it matches only that one object)"),
        "{single:?}"
    );
}

#[test]
fn only_what_the_api_refuses_is_an_error() {
    let suspicious = [
        stmt("a", &["iam:PassRole"], &["*"], &["*"]),
        stmt("b", &["s3:GetObject"], &["arn:aws:s3:::b/*"], &["*"]),
        stmt(
            "c",
            &["s3:GetObject"],
            &["b1b/*"],
            &["arn:aws:iam::1:role/x"],
        ),
        stmt("d", &["s3:GetObject"], &["Bucket_A/*"], &["coreweave/"]),
    ];
    assert!(errors(&suspicious).is_empty());
    assert_eq!(warnings(&suspicious).len(), 5);
    let summaries: BTreeSet<&str> = check_statements(&suspicious)
        .iter()
        .map(|f| f.summary)
        .collect();
    assert_eq!(summaries, BTreeSet::from([MATCHES_NOTHING]));
}

#[test]
fn principals_follow_the_documented_forms() {
    for ok in [
        "*",
        "coreweave/user-123",
        SA,
        "role/https://oidc.cks.coreweave.com/id/abc*",
        "role/https://oidc.example.com:8443/id/x:system:serviceaccount:a:b",
        "role/Admin",
    ] {
        assert_eq!(check_principal(ok), Ok(()), "{ok}");
    }
    for bad in [
        "coreweave/",
        "arn:aws:iam::123:role/x",
        "user/alice",
        "role/",
        "role/http://oidc.example.com:sub",
        "role/https://oidc.example.com",
        "role/https://oidc.example.com/:sub",
        "role/https://oidc.example.com:",
        "role/https://*",
    ] {
        assert!(check_principal(bad).is_err(), "{bad}");
    }
}

#[test]
fn issuer_and_subject_split_after_the_port() {
    assert_eq!(
        split_issuer_subject("https://h:8443/p:sys:x"),
        Some(("https://h:8443/p", "sys:x"))
    );
    assert_eq!(
        split_issuer_subject("https://h/p:sub"),
        Some(("https://h/p", "sub"))
    );
    assert_eq!(split_issuer_subject("https://h/p"), None);
}

#[test]
fn the_shared_statement_cases_get_their_verdict() {
    let table: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../tests/data/org_policy_statements.json"
    ))
    .unwrap();
    let strings = |v: &serde_json::Value| {
        let items = v.as_array().unwrap().iter();
        Some(items.map(|s| s.as_str().unwrap().to_string()).collect())
    };
    for case in table["cases"].as_array().unwrap() {
        let statements: Vec<StatementInput> = case["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| StatementInput {
                name: s["name"].as_str().map(str::to_string),
                effect: s["effect"].as_str().map(str::to_string),
                actions: strings(&s["actions"]),
                resources: strings(&s["resources"]),
                principals: strings(&s["principals"]),
            })
            .collect();
        let errors = errors(&statements);
        assert_eq!(
            errors.is_empty(),
            case["valid"],
            "{}: {errors:?}",
            case["case"]
        );
    }
}

#[test]
fn unknown_parts_are_skipped() {
    let s = StatementInput {
        name: Some("a".into()),
        ..Default::default()
    };
    assert!(errors(&[s]).is_empty());
}
