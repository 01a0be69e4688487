//! Plan-time rules for organization access policy statements (reference §3.2–3.4).
//!
//! Pure functions over plain data, so that every rule is unit-tested without Terraform.

use std::collections::BTreeSet;

use crate::validate::{self, Scheme};

/// A statement as written in configuration; `None` marks a value unknown at plan time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementInput {
    pub name: Option<String>,
    pub effect: Option<String>,
    pub actions: Option<BTreeSet<String>>,
    pub resources: Option<BTreeSet<String>>,
    pub principals: Option<BTreeSet<String>>,
}

/// One finding about one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Whether it blocks the plan.
    pub error: bool,
    /// Message naming the statement and the rule.
    pub message: String,
}

/// `cwobject:` actions named in CoreWeave's documentation.
pub const KNOWN_CWOBJECT_ACTIONS: &[&str] = &[
    "CreateAccessKey",
    "CreateAccessKeySAML",
    "CreateAccessKeySaml",
    "CreateAccessKeyOIDC",
    "CreateAccessKeyFromOIDC",
    "ListBucketInfo",
    "GetBucketInfo",
    "ListAccessKeyInfo",
    "GetAccessKeyInfo",
    "RevokeAccessKeyByAccessKey",
    "RevokeAccessKeysByPrincipal",
    "EnsureAccessPolicy",
    "DeleteAccessPolicy",
    "ListAccessPolicy",
    "ListAccessPolicies",
    "SetBucketSettings",
    "SetOrganizationSettings",
    "AuthCanI",
];

/// S3 actions AI Object Storage documents or that S3 clients commonly use.
pub const KNOWN_S3_ACTIONS: &[&str] = &[
    "AbortMultipartUpload",
    "CreateBucket",
    "DeleteBucket",
    "DeleteBucketPolicy",
    "DeleteObject",
    "DeleteObjectTagging",
    "DeleteObjectVersion",
    "GetBucketAcl",
    "GetBucketCors",
    "GetBucketLocation",
    "GetBucketPolicy",
    "GetBucketTagging",
    "GetBucketVersioning",
    "GetLifecycleConfiguration",
    "GetObject",
    "GetObjectAcl",
    "GetObjectTagging",
    "GetObjectVersion",
    "HeadBucket",
    "HeadObject",
    "ListAllMyBuckets",
    "ListBucket",
    "ListBucketMultipartUploads",
    "ListBucketVersions",
    "ListMultipartUploadParts",
    "PutBucketAcl",
    "PutBucketCors",
    "PutBucketPolicy",
    "PutBucketTagging",
    "PutBucketVersioning",
    "PutLifecycleConfiguration",
    "PutObject",
    "PutObjectAcl",
    "PutObjectTagging",
    "RestoreObject",
];

/// Actions that are global and therefore need `resources = ["*"]`, besides every `cwobject:` one.
const GLOBAL_S3_ACTIONS: &[&str] = &["s3:ListAllMyBuckets"];

fn label(index: usize, stmt: &StatementInput) -> String {
    match &stmt.name {
        Some(n) if !n.is_empty() => format!("statement {n:?}"),
        _ => format!("statement #{}", index + 1),
    }
}

/// Checks the statements of one policy. `statements` is `None` when unknown at plan time.
pub fn check_statements(statements: &[StatementInput]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if statements.is_empty() {
        findings.push(Finding {
            error: true,
            message: "a policy needs at least one statement".into(),
        });
        return findings;
    }
    let mut seen = BTreeSet::new();
    for (i, stmt) in statements.iter().enumerate() {
        let who = label(i, stmt);
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut error = |message: String| errors.push(message);
        match stmt.name.as_deref() {
            Some(n) if n.trim().is_empty() => error("`name` must not be empty".into()),
            Some(n) if !seen.insert(n.to_string()) => {
                error("`name` is used by another statement of this policy; statement names must be unique".into())
            }
            _ => {}
        }
        if let Some(effect) = &stmt.effect {
            if effect != "Allow" && effect != "Deny" {
                error(format!("`effect` must be exactly \"Allow\" or \"Deny\" (case-sensitive); got {effect:?}"));
            }
        }
        for (attr, set) in [
            ("actions", &stmt.actions),
            ("resources", &stmt.resources),
            ("principals", &stmt.principals),
        ] {
            if let Some(set) = set {
                if set.is_empty() {
                    error(format!("`{attr}` must not be empty"));
                }
                if let Some(blank) = set
                    .iter()
                    .find(|v| v.trim().is_empty() || v.chars().any(char::is_whitespace))
                {
                    error(format!(
                        "`{attr}` has an empty entry or one with whitespace: {blank:?}"
                    ));
                }
            }
        }
        if let Some(actions) = &stmt.actions {
            for action in actions {
                match classify_action(action) {
                    ActionKind::Invalid(why) => error(format!("action {action:?} {why}")),
                    ActionKind::Unknown(Some(closest)) => warnings.push(format!(
                        "action {action:?} is not an action this provider knows; did you mean {closest:?}?"
                    )),
                    ActionKind::Unknown(None) => warnings.push(format!(
                        "action {action:?} is not an action this provider knows; check its spelling"
                    )),
                    ActionKind::Known => {}
                }
            }
            let global: Vec<&String> = actions
                .iter()
                .filter(|a| {
                    *a == "*"
                        || a.starts_with("cwobject:")
                        || GLOBAL_S3_ACTIONS.contains(&a.as_str())
                })
                .collect();
            if let (Some(first), Some(resources)) = (global.first(), &stmt.resources) {
                if resources.len() != 1 || !resources.contains("*") {
                    error(format!(
                        "action {first:?} is global, so `resources` must be exactly [\"*\"]; \
                         move bucket-scoped actions into a separate statement"
                    ));
                }
            }
        }
        if let Some(resources) = &stmt.resources {
            for r in resources.iter().filter(|r| !r.trim().is_empty()) {
                if let Err(why) = check_resource(r) {
                    error(format!("resource {r:?} {why}"));
                }
            }
        }
        if let Some(principals) = &stmt.principals {
            for p in principals {
                if let Err(why) = check_principal(p) {
                    error(format!("principal {p:?} {why}"));
                }
            }
        }
        let tagged = |error: bool, message: String| Finding {
            error,
            message: format!("{who}: {message}"),
        };
        findings.extend(errors.into_iter().map(|m| tagged(true, m)));
        findings.extend(warnings.into_iter().map(|m| tagged(false, m)));
    }
    findings
}

/// How an action string looks.
#[derive(Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// A documented action, `*`, or a wildcard pattern.
    Known,
    /// Well-formed but not in the documented lists, with the closest known action if one is near.
    Unknown(Option<String>),
    /// Malformed or matching nothing, with the reason.
    Invalid(String),
}

/// The services actions belong to, with their known action names.
const SERVICES: &[(&str, &[&str])] = &[
    ("s3", KNOWN_S3_ACTIONS),
    ("cwobject", KNOWN_CWOBJECT_ACTIONS),
];

/// Classifies an action: `*`, `s3:<Action>` or `cwobject:<Action>`, `*` wildcards allowed.
///
/// Actions match case-sensitively (reference §3.6), so one that equals a known action, or a
/// wildcard that prefixes one, only when case is ignored would grant nothing: that is invalid,
/// and the message names the right spelling.
pub fn classify_action(action: &str) -> ActionKind {
    if action == "*" {
        return ActionKind::Known;
    }
    let Some((service, name)) = action.split_once(':') else {
        return ActionKind::Invalid(
            "must be \"*\", \"s3:<Action>\" or \"cwobject:<Action>\"".into(),
        );
    };
    let Some(&(right_service, known)) = SERVICES
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(service))
    else {
        return ActionKind::Invalid(format!(
            "has service {service:?}; only \"s3\" and \"cwobject\" exist"
        ));
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*') {
        return ActionKind::Invalid(
            "must be <service>:<Action> with letters, digits and `*` wildcards only".into(),
        );
    }
    let right_name = match name.split_once('*') {
        Some((prefix, rest)) => case_fixed_prefix(known, prefix).map(|p| format!("{p}*{rest}")),
        None => case_fixed_name(known, name).map(str::to_string),
    };
    let right_name = right_name.as_deref().unwrap_or(name);
    if service != right_service || name != right_name {
        return ActionKind::Invalid(format!(
            "matches nothing: action names are case-sensitive, so this statement would grant \
             nothing; write \"{right_service}:{right_name}\""
        ));
    }
    if name.contains('*') || known.contains(&name) {
        ActionKind::Known
    } else {
        ActionKind::Unknown(closest_action(action))
    }
}

/// The known name equal to `name` when case is ignored, unless `name` is itself known.
fn case_fixed_name<'a>(known: &[&'a str], name: &str) -> Option<&'a str> {
    if known.contains(&name) {
        return None;
    }
    known.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
}

/// The spelling of `prefix` that starts a known name when no known name starts with `prefix`
/// as written but one does when case is ignored.
fn case_fixed_prefix<'a>(known: &[&'a str], prefix: &str) -> Option<&'a str> {
    if known.iter().any(|k| k.starts_with(prefix)) {
        return None;
    }
    known.iter().find_map(|k| {
        k.get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
    })
}

/// The known action nearest to `action` (`<service>:<name>`) if it is close enough to be a typo:
/// the edit distance between the names, plus one when the service differs, is at most a third
/// of the name's length and at most 4.
pub fn closest_action(action: &str) -> Option<String> {
    let (service, name) = action.split_once(':')?;
    let limit = (name.chars().count() / 3).clamp(1, 4);
    SERVICES
        .iter()
        .flat_map(|(s, names)| names.iter().map(move |n| (*s, *n)))
        .map(|(s, n)| {
            (
                strsim::levenshtein(name, n) + usize::from(s != service),
                s,
                n,
            )
        })
        .filter(|(distance, _, _)| *distance <= limit)
        .min_by_key(|(distance, _, _)| *distance)
        .map(|(_, s, n)| format!("{s}:{n}"))
}

/// Checks an organization-policy resource: `*`, `<bucket>`, `<bucket>/*` or
/// `<bucket>/<key prefix>*` (reference §3.4, §3.6: a trailing `*` is a prefix match). The
/// message says what was probably meant.
pub fn check_resource(resource: &str) -> Result<(), String> {
    if resource == "*" {
        return Ok(());
    }
    if resource.starts_with("arn:") {
        let bucket = resource.rsplit(':').next().unwrap_or_default();
        let bucket = bucket.split('/').next().unwrap_or_default();
        return Err(format!(
            "is an ARN; ARNs belong in bucket policies (set through the S3 API). Organization \
             policies name buckets directly: \"{bucket}\" for the bucket, \"{bucket}/*\" for its objects"
        ));
    }
    if let Some((scheme, rest)) = resource.split_once("://") {
        let bucket = rest.split('/').next().unwrap_or_default();
        return Err(format!(
            "has a URL scheme ({scheme}://); write the bucket name alone: \"{bucket}\" for the \
             bucket, \"{bucket}/*\" for its objects"
        ));
    }
    let (bucket, key) = match resource.split_once('/') {
        Some((bucket, key)) => (bucket, Some(key)),
        None => (resource, None),
    };
    if bucket.contains('*') {
        return Err(
            "has a wildcard in the bucket name; `*` is a wildcard only alone or at the end of an \
             object key prefix: \"*\", \"<bucket>\", \"<bucket>/*\" or \"<bucket>/<key prefix>*\""
                .into(),
        );
    }
    validate::bucket_name(bucket).map_err(|e| format!("has bucket name {bucket:?}, which {e}"))?;
    match key {
        None => Ok(()),
        Some("") => Err(format!(
            "ends with '/'; write \"{bucket}\" for the bucket or \"{bucket}/*\" for its objects"
        )),
        Some(key) => match key.find('*') {
            Some(at) if at == key.len() - 1 => Ok(()),
            Some(at) => Err(format!(
                "has `*` inside the object key; `*` is a wildcard only at the end, e.g. \"{bucket}/{}*\"",
                &key[..at]
            )),
            None => Err(format!(
                "names a single object key; organization policies grant on \"{bucket}/*\" or a key \
                 prefix ending in `*`, e.g. \"{bucket}/{key}*\""
            )),
        },
    }
}

/// Checks a principal: `*`, `coreweave/<user id>`, `role/<https issuer>:<subject>`,
/// `role/<https issuer prefix>*`, or `role/<SAML user or group>`.
pub fn check_principal(principal: &str) -> Result<(), String> {
    if principal == "*" {
        return Ok(());
    }
    if let Some(id) = principal.strip_prefix("coreweave/") {
        return if id.is_empty() || id.contains('/') {
            Err("must be \"coreweave/<user id>\"".into())
        } else {
            Ok(())
        };
    }
    let Some(role) = principal.strip_prefix("role/") else {
        return Err("must be \"*\", \"coreweave/<user id>\" or \"role/<issuer>:<subject>\" (short form, not an ARN)".into());
    };
    if role.is_empty() {
        return Err("names no role after \"role/\"".into());
    }
    if role.starts_with("http://") {
        return Err("must use an https:// issuer".into());
    }
    if !role.starts_with("https://") {
        // SAML users and groups, e.g. role/Admin.
        return Ok(());
    }
    if let Some(prefix) = role.strip_suffix('*') {
        return if prefix.len() > "https://".len() {
            Ok(())
        } else {
            Err("has a wildcard without an issuer before it".into())
        };
    }
    let Some((issuer, subject)) = split_issuer_subject(role) else {
        return Err(
            "must be \"role/<issuer>:<subject>\", e.g. role/https://oidc.cks.coreweave.com/id/<cluster>:system:serviceaccount:<namespace>:<name>; \
             use provider::coreweave::service_account_principal to build it"
                .into(),
        );
    };
    validate::issuer_url(issuer, Scheme::HttpsOnly)
        .map_err(|e| format!("has an issuer that {e}"))?;
    if subject.is_empty() {
        return Err("has an empty subject after the issuer".into());
    }
    Ok(())
}

/// Splits `https://host[:port]/path:subject` at the colon that ends the issuer.
fn split_issuer_subject(role: &str) -> Option<(&str, &str)> {
    let after_scheme = "https://".len();
    let rest = &role[after_scheme..];
    let mut offset = 0;
    while let Some(pos) = rest[offset..].find(':') {
        let colon = offset + pos;
        let tail = &rest[colon + 1..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let is_port =
            digits > 0 && !rest[..colon].contains('/') && tail[digits..].starts_with(['/', ':']);
        if !is_port {
            return Some((&role[..after_scheme + colon], &rest[colon + 1..]));
        }
        offset = colon + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> Option<BTreeSet<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    fn stmt(
        name: &str,
        actions: &[&str],
        resources: &[&str],
        principals: &[&str],
    ) -> StatementInput {
        StatementInput {
            name: Some(name.into()),
            effect: Some("Allow".into()),
            actions: set(actions),
            resources: set(resources),
            principals: set(principals),
        }
    }

    const SA: &str =
        "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa";

    fn errors(statements: &[StatementInput]) -> Vec<String> {
        check_statements(statements)
            .into_iter()
            .filter(|f| f.error)
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
    fn a_case_only_mismatch_is_an_error_naming_the_right_spelling() {
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
            let e = errors(&[stmt("a", &[wrong], &["*"], &["*"])]);
            assert_eq!(e.len(), 1, "{wrong}: {e:?}");
            assert!(e[0].contains("case-sensitive"), "{e:?}");
            assert!(e[0].ends_with(&format!("write \"{right}\"")), "{e:?}");
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
    fn a_bad_resource_is_an_error_naming_the_statement() {
        let e = errors(&[stmt("read", &["s3:GetObject"], &["bucket-a/"], &["*"])]);
        assert_eq!(
            e,
            ["statement \"read\": resource \"bucket-a/\" ends with '/'; write \"bucket-a\" for the bucket or \"bucket-a/*\" for its objects"]
        );
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
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/org_policy_statements.json"))
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
}
