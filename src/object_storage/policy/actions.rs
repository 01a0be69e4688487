//! Policy actions: the documented `s3:` and `cwobject:` actions and how an action string is
//! classified (known, unknown with a suggestion, or invalid).

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
pub(super) const GLOBAL_S3_ACTIONS: &[&str] = &["s3:ListAllMyBuckets"];

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
