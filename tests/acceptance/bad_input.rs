//! One table of invalid configurations across the provider, every resource, the data source and
//! the function. Each row says what the plan does: an **error** where the API (or Terraform)
//! refuses the value, a **warning** where the API accepts it but it is suspicious or can never
//! match (so that an object the API accepted can always be imported and planned). Either way the
//! message is on the right attribute, and the API sees no write. The function's rows are a test
//! of their own, skipped where Terraform has no provider functions.

use crate::support::sandbox::CLUSTER_DEMO;
use crate::support::terraform::{functions_supported, required_providers, resource_block, squash};
use crate::support::{Sandbox, Workspace};

fn oidc(attrs: &str) -> String {
    let defaults = [
        format!("cluster_id = \"{CLUSTER_DEMO}\""),
        "issuer_url = \"https://idp.example.com\"".to_string(),
        "client_id = \"k\"".to_string(),
    ];
    resource_block("coreweave_cks_cluster_oidc", &defaults, attrs)
}

fn wif(attrs: &str) -> String {
    let defaults = [
        "name = \"n\"",
        "audience = \"a\"",
        "issuer_url = \"https://idp.example.com\"",
    ]
    .map(String::from);
    resource_block("coreweave_object_storage_wif_config", &defaults, attrs)
}

fn policy(statement: &str) -> String {
    format!("resource \"coreweave_object_storage_org_policy\" \"x\" {{\n  name = \"p\"\n  statements = [{statement}]\n}}\n")
}

fn stmt(effect: &str, actions: &str, resources: &str, principals: &str) -> String {
    format!("{{ name = \"s\", effect = \"{effect}\", actions = {actions}, resources = {resources}, principals = {principals} }}")
}

fn principal(args: &str) -> String {
    format!("output \"p\" {{ value = provider::coreweave::service_account_principal({args}) }}\n")
}

/// What the plan does with a row's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The API (or Terraform) refuses it: a plan-time error.
    Error,
    /// The API accepts it, but it is suspicious or matches nothing: a plan-time warning.
    Warning,
}
use Verdict::{Error, Warning};

fn unknown_then_invalid(value: &str, resource: &str) -> String {
    format!("resource \"terraform_data\" \"v\" {{ input = \"{value}\" }}\n{resource}")
}

/// Plans (or applies, where a value is unknown at plan time) each case's configuration and checks
/// the verdict and the message.
fn assert_each_fails_or_warns(sandbox: &Sandbox, cases: &[(String, Verdict, &str)]) {
    for (body, verdict, expected) in cases {
        let ws = Workspace::new();
        ws.write(sandbox, body);
        // A value unknown at plan time is checked when it becomes known, before any API write.
        let run = if body.contains("terraform_data") {
            ws.apply_args(&[])
        } else {
            ws.plan()
        };
        let out = match verdict {
            Error => run.failure(),
            Warning => {
                assert_eq!(
                    run.code,
                    2,
                    "a warning, and the plan goes on:\n{}",
                    run.output()
                );
                squash(&run.output())
            }
        };
        let severity = match verdict {
            Error => "Error:",
            Warning => "Warning:",
        };
        assert!(
            out.contains(expected) && out.contains(severity),
            "expected {severity} {expected:?} for:\n{body}\ngot: {out}"
        );
        assert!(
            !out.to_lowercase().contains("backtrace"),
            "diagnostics carry no Rust backtrace: {out}"
        );
    }
}

#[test]
fn forty_plus_invalid_configurations_are_errors_or_warnings_on_the_right_attribute_without_writes()
{
    let sandbox = Sandbox::start();
    let ok_stmt = |effect: &str| stmt(effect, "[\"s3:GetObject\"]", "[\"bkt/*\"]", "[\"*\"]");
    let resource = |r: &str| {
        stmt(
            "Allow",
            "[\"s3:GetObject\"]",
            &format!("[\"{r}\"]"),
            "[\"*\"]",
        )
    };
    let cases: Vec<(String, Verdict, &str)> = vec![
        // cks_cluster_oidc
        (oidc("issuer_url = \"http://idp.example.com\""), Error, "`issuer_url` must use https://"),
        (oidc("issuer_url = \"https://idp.example.com/\""), Error, "must not end with a slash"),
        (oidc("issuer_url = \"idp.example.com\""), Error, "`issuer_url` must be an absolute URL"),
        (oidc("client_id = \"\""), Error, "`client_id` must not be empty"),
        (oidc("ca = \"not base64!\""), Error, "`ca` must be base64-encoded PEM"),
        (oidc("signing_algs = [\"ES256\"]"), Error, "supported algorithms: RS256"),
        (oidc("signing_algs = \"RS256\""), Error, "set of string required"),
        (oidc("timeouts {\n create = \"20\"\n }"), Error, "`timeouts.create` must be a duration"),
        (oidc("username_claim = [\"email\"]"), Error, "string required"),
        (oidc("required_claim = \"tenant\""), Error, "`required_claim` must be `key=value`"),
        (oidc("required_claim = \"tenant=\""), Error, "with a non-empty claim name and value"),
        (oidc("bogus = 1"), Error, "An argument named \"bogus\" is not expected here"),
        (unknown_then_invalid("https://idp.example.com?x=1", &oidc("issuer_url = terraform_data.v.output")), Error, "must not have a query string"),
        // object_storage_wif_config
        (wif("issuer_url = \"http://idp.example.com\""), Error, "`issuer_url` must use https://"),
        (wif("issuer_url = \"https://idp.example.com#frag\""), Error, "must not have a fragment"),
        (wif("name = \"a b\""), Error, "`name` may contain only letters"),
        (wif(&format!("issuer_url = \"https://idp.example.com/{}\"", "p".repeat(1100))), Error, "`issuer_url` must have at most 1024 characters"),
        (wif(&format!("description = \"{}\"", "d".repeat(1025))), Error, "`description` must have at most 1024 characters"),
        (wif("active = \"maybe\""), Error, "a bool is required"),
        (unknown_then_invalid("", &wif("audience = terraform_data.v.output")), Error, "`audience` must not be empty"),
        // object_storage_org_policy
        (policy(&ok_stmt("ALLOW")), Error, "`effect` must be exactly \"Allow\" or \"Deny\""),
        (policy(&stmt("Allow", "[\"GetObject\"]", "[\"bkt\"]", "[\"*\"]")), Warning, "must be \"*\", \"s3:<Action>\" or \"cwobject:<Action>\""),
        (policy(&stmt("Allow", "[\"s3:Get Object\"]", "[\"bkt\"]", "[\"*\"]")), Warning, "has an entry with whitespace"),
        (policy(&stmt("Allow", "[\"*\"]", "[\"bkt\"]", "[\"*\"]")), Error, "action \"*\" is global"),
        (policy(&stmt("Allow", "[\"s3:ListAllMyBuckets\"]", "[\"bkt\"]", "[\"*\"]")), Error, "action \"s3:ListAllMyBuckets\" is global"),
        (policy(&stmt("Allow", "[\"s3:GetObject\"]", "[\"bkt\"]", "[\"coreweave/\"]")), Warning, "must be \"coreweave/<user id>\""),
        (policy(&stmt("Allow", "[\"s3:GetObject\"]", "[\"bkt\"]", "[\"role/https://idp.example.com\"]")), Warning, "must be \"role/<issuer>:<subject>\""),
        (policy(&stmt("Allow", "[\"s3:GetObject\"]", "[\"bkt\"]", "[\"role/https://*\"]")), Warning, "has a wildcard without an issuer"),
        (policy(&format!("{}, {}", ok_stmt("Allow"), ok_stmt("Deny"))), Error, "statement names must be unique"),
        (policy(&resource("bucket-a/")), Warning, "statement \"s\": resource \"bucket-a/\" ends with '/'; write \"bucket-a\" for the bucket or \"bucket-a/*\" for its objects"),
        (policy(&resource("Bucket_A/foo")), Warning, "resource \"Bucket_A/foo\" has bucket name \"Bucket_A\", which must be lowercase"),
        (policy(&resource("s3://x")), Warning, "has a URL scheme (s3://); write the bucket name alone: \"x\""),
        (policy(&resource("arn:aws:s3:::b")), Warning, "is an ARN; ARNs belong in bucket policies"),
        (policy(&resource("my-*")), Warning, "has a wildcard in the bucket name"),
        (policy(&resource("my-bucket/a*b")), Warning, "has `*` inside the object key"),
        (policy(&resource("my-bucket/report.csv")), Warning, "names a single object key"),
        (policy(&resource("cw-data")), Warning, "is reserved by CoreWeave"),
        (policy(&stmt("Allow", "[\"s3:getobject\"]", "[\"bkt/*\"]", "[\"*\"]")), Warning, "action names are case-sensitive, so this statement would grant nothing; write \"s3:GetObject\""),
        (policy(&stmt("Allow", "[\"S3:GetObject\"]", "[\"bkt/*\"]", "[\"*\"]")), Warning, "write \"s3:GetObject\""),
        (policy(&stmt("Allow", "[\"s3:get*\"]", "[\"bkt/*\"]", "[\"*\"]")), Warning, "write \"s3:Get*\""),
        (policy(""), Error, "a policy needs at least one statement"),
        (policy("{ name = \"s\", effect = \"Allow\", actions = [\"s3:GetObject\"], resources = [\"bkt\"] }"), Error, "attribute \"principals\" is required"),
        ("resource \"coreweave_object_storage_org_policy\" \"x\" {\n  name = \"a/b\"\n  statements = []\n}\n".to_string(), Error, "a policy needs at least one statement"),
        (format!("resource \"coreweave_object_storage_org_policy\" \"x\" {{\n  name = \"a/b\"\n  statements = [{}]\n}}\n", ok_stmt("Allow")), Warning, "`name` contains '/'"),
        (format!("resource \"coreweave_object_storage_org_policy\" \"x\" {{\n  name = \"{}\"\n  statements = [{}]\n}}\n", "n".repeat(256), ok_stmt("Allow")), Error, "`name` must have at most 255 characters"),
        // data sources
        ("data \"coreweave_cks_cluster_issuer\" \"x\" {}\n".to_string(), Error, "set exactly one of `cluster_id` or `name`"),
        ("data \"coreweave_cks_cluster_issuer\" \"x\" {\n  name = \"\"\n}\n".to_string(), Error, "`name` must not be empty"),
        ("data \"coreweave_object_storage_wif_config\" \"x\" {}\n".to_string(), Error, "Invalid OIDC Configuration Selector"),
        ("data \"coreweave_object_storage_wif_config\" \"x\" {\n  id = \"u\"\n  issuer_url = \"https://idp.example.com\"\n}\n".to_string(), Error, "set either `id` or `issuer_url` and `audience`, not both"),
        ("data \"coreweave_object_storage_wif_config\" \"x\" {\n  issuer_url = \"https://idp.example.com\"\n}\n".to_string(), Error, "`audience` is required with `issuer_url`"),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"arn:aws:iam::1:role/x\"\n  actions = [\"s3:GetObject\"]\n}\n".to_string(), Error, "`principal` must be \"*\", \"coreweave/<user id>\" or \"role/<issuer>:<subject>\""),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"role/https://idp.example.com*\"\n  actions = [\"s3:GetObject\"]\n}\n".to_string(), Error, "`principal` must be one concrete principal, not a pattern"),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"coreweave/u1\"\n  actions = []\n}\n".to_string(), Error, "`actions` must name at least one action"),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"coreweave/u1\"\n  actions = [\"s3:*\"]\n}\n".to_string(), Error, "is a pattern; name a concrete action"),
    ];
    assert!(cases.len() >= 36);
    assert_each_fails_or_warns(&sandbox, &cases);

    let provider_cases = [
        (
            "endpoint = \"http://api.coreweave.com\"",
            "Invalid `endpoint`",
        ),
        (
            "endpoint = \"https://user:pw@api.coreweave.com\"",
            "must not carry credentials",
        ),
        (
            "oidc_issuer_base_url = \"oidc.cks.coreweave.com\"",
            "Invalid `oidc_issuer_base_url`",
        ),
        ("max_retries = 31", "`max_retries` must be between 0 and 30"),
        ("token = \"\"", "Empty API token"),
        (
            "token = \"t\"\n  authentication = { workload_identity = { service_account_uid = \"sa\" } }",
            "Invalid Attribute Combination",
        ),
        (
            "authentication = { workload_identity = { service_account_uid = \"\" } }",
            "`authentication.workload_identity.service_account_uid` must not be empty",
        ),
    ];
    for (setting, expected) in provider_cases {
        let ws = Workspace::new();
        ws.write_raw(&format!(
            "{}\nprovider \"coreweave\" {{\n  {setting}\n}}\ndata \"coreweave_cks_cluster_issuer\" \"x\" {{\n  name = \"demo\"\n}}\n",
            required_providers()
        ));
        let out = ws.plan().failure();
        assert!(out.contains(expected), "{setting}: {out}");
    }
    assert!(
        sandbox.writes().is_empty(),
        "no write reached the API: {:?}",
        sandbox.writes()
    );
}

#[test]
fn invalid_function_arguments_are_errors_naming_the_argument() {
    if !functions_supported("invalid_function_arguments_are_errors_naming_the_argument") {
        return;
    }
    let sandbox = Sandbox::start();
    let cases = [
        (
            principal("\"https://idp.example.com\", \"default\", \"\""),
            Error,
            "service_account must be a DNS-1123 subdomain",
        ),
        (
            principal("\"https://idp.example.com\", \"kube_system\", \"sa\""),
            Error,
            "namespace must be a DNS-1123 label",
        ),
        (
            principal("\"ftp://idp.example.com\", \"default\", \"sa\""),
            Error,
            "issuer_url must use https://",
        ),
        (
            principal("\"https://idp.example.com\", \"default\""),
            Error,
            "Not enough function arguments",
        ),
    ];
    assert_each_fails_or_warns(&sandbox, &cases);
    assert!(sandbox.requests().is_empty(), "{:?}", sandbox.requests());
}
