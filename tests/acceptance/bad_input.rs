//! One table of invalid configurations across the provider, every resource, the data source and
//! the function: each fails at plan time with a message on the right attribute, and the API sees
//! no write.

use crate::support::sandbox::CLUSTER_DEMO;
use crate::support::terraform::{functions_supported, required_providers, resource_block};
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

fn unknown_then_invalid(value: &str, resource: &str) -> String {
    format!("resource \"terraform_data\" \"v\" {{ input = \"{value}\" }}\n{resource}")
}

#[test]
fn forty_plus_invalid_configurations_fail_on_the_right_attribute_without_writes() {
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
    let mut cases: Vec<(String, &str)> = vec![
        // cks_cluster_oidc
        (oidc("issuer_url = \"http://idp.example.com\""), "`issuer_url` must use https://"),
        (oidc("issuer_url = \"https://idp.example.com/\""), "must not end with a slash"),
        (oidc("issuer_url = \"idp.example.com\""), "`issuer_url` must be an absolute URL"),
        (oidc("client_id = \"\""), "`client_id` must not be empty"),
        (oidc("ca = \"not base64!\""), "`ca` must be base64-encoded PEM"),
        (oidc("signing_algs = [\"ES256\"]"), "supported algorithms: RS256"),
        (oidc("signing_algs = \"RS256\""), "set of string required"),
        (oidc("timeouts {\n create = \"20\"\n }"), "`timeouts.create` must be a duration"),
        (oidc("username_claim = [\"email\"]"), "string required"),
        (oidc("required_claim = \"tenant\""), "`required_claim` must be `key=value`"),
        (oidc("required_claim = \"tenant=\""), "with a non-empty claim name and value"),
        (oidc("bogus = 1"), "An argument named \"bogus\" is not expected here"),
        (unknown_then_invalid("https://idp.example.com?x=1", &oidc("issuer_url = terraform_data.v.output")), "must not have a query string"),
        // object_storage_wif_config
        (wif("issuer_url = \"http://idp.example.com\""), "`issuer_url` must use https://"),
        (wif("issuer_url = \"https://idp.example.com#frag\""), "must not have a fragment"),
        (wif("name = \"a b\""), "`name` may contain only letters"),
        (wif(&format!("issuer_url = \"https://idp.example.com/{}\"", "p".repeat(1100))), "`issuer_url` must have at most 1024 characters"),
        (wif(&format!("description = \"{}\"", "d".repeat(1025))), "`description` must have at most 1024 characters"),
        (wif("active = \"maybe\""), "a bool is required"),
        (unknown_then_invalid("", &wif("audience = terraform_data.v.output")), "`audience` must not be empty"),
        // object_storage_org_policy
        (policy(&ok_stmt("ALLOW")), "`effect` must be exactly \"Allow\" or \"Deny\""),
        (policy(&stmt("Allow", "[\"GetObject\"]", "[\"bkt\"]", "[\"*\"]")), "must be \"*\", \"s3:<Action>\" or \"cwobject:<Action>\""),
        (policy(&stmt("Allow", "[\"s3:Get Object\"]", "[\"bkt\"]", "[\"*\"]")), "empty entry or one with whitespace"),
        (policy(&stmt("Allow", "[\"*\"]", "[\"bkt\"]", "[\"*\"]")), "action \"*\" is global"),
        (policy(&stmt("Allow", "[\"s3:ListAllMyBuckets\"]", "[\"bkt\"]", "[\"*\"]")), "action \"s3:ListAllMyBuckets\" is global"),
        (policy(&stmt("Allow", "[\"s3:GetObject\"]", "[\"bkt\"]", "[\"coreweave/\"]")), "must be \"coreweave/<user id>\""),
        (policy(&stmt("Allow", "[\"s3:GetObject\"]", "[\"bkt\"]", "[\"role/https://idp.example.com\"]")), "must be \"role/<issuer>:<subject>\""),
        (policy(&stmt("Allow", "[\"s3:GetObject\"]", "[\"bkt\"]", "[\"role/https://*\"]")), "has a wildcard without an issuer"),
        (policy(&format!("{}, {}", ok_stmt("Allow"), ok_stmt("Deny"))), "statement names must be unique"),
        (policy(&resource("bucket-a/")), "statement \"s\": resource \"bucket-a/\" ends with '/'; write \"bucket-a\" for the bucket or \"bucket-a/*\" for its objects"),
        (policy(&resource("Bucket_A/foo")), "resource \"Bucket_A/foo\" has bucket name \"Bucket_A\", which must be lowercase"),
        (policy(&resource("s3://x")), "has a URL scheme (s3://); write the bucket name alone: \"x\""),
        (policy(&resource("arn:aws:s3:::b")), "is an ARN; ARNs belong in bucket policies"),
        (policy(&resource("my-*")), "has a wildcard in the bucket name"),
        (policy(&resource("my-bucket/a*b")), "has `*` inside the object key"),
        (policy(&resource("my-bucket/report.csv")), "names a single object key"),
        (policy(&resource("cw-data")), "is reserved by CoreWeave"),
        (policy(&stmt("Allow", "[\"s3:getobject\"]", "[\"bkt/*\"]", "[\"*\"]")), "action names are case-sensitive, so this statement would grant nothing; write \"s3:GetObject\""),
        (policy(&stmt("Allow", "[\"S3:GetObject\"]", "[\"bkt/*\"]", "[\"*\"]")), "write \"s3:GetObject\""),
        (policy(&stmt("Allow", "[\"s3:get*\"]", "[\"bkt/*\"]", "[\"*\"]")), "write \"s3:Get*\""),
        (policy(""), "a policy needs at least one statement"),
        (policy("{ name = \"s\", effect = \"Allow\", actions = [\"s3:GetObject\"], resources = [\"bkt\"] }"), "attribute \"principals\" is required"),
        ("resource \"coreweave_object_storage_org_policy\" \"x\" {\n  name = \"a/b\"\n  statements = []\n}\n".to_string(), "`name` must not contain '/'"),
        // data sources
        ("data \"coreweave_cks_cluster_issuer\" \"x\" {}\n".to_string(), "set exactly one of `cluster_id` or `name`"),
        ("data \"coreweave_cks_cluster_issuer\" \"x\" {\n  name = \"\"\n}\n".to_string(), "`name` must not be empty"),
        ("data \"coreweave_object_storage_wif_config\" \"x\" {}\n".to_string(), "Invalid OIDC Configuration Selector"),
        ("data \"coreweave_object_storage_wif_config\" \"x\" {\n  id = \"u\"\n  issuer_url = \"https://idp.example.com\"\n}\n".to_string(), "set either `id` or `issuer_url` and `audience`, not both"),
        ("data \"coreweave_object_storage_wif_config\" \"x\" {\n  issuer_url = \"https://idp.example.com\"\n}\n".to_string(), "`audience` is required with `issuer_url`"),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"arn:aws:iam::1:role/x\"\n  actions = [\"s3:GetObject\"]\n}\n".to_string(), "`principal` must be \"*\", \"coreweave/<user id>\" or \"role/<issuer>:<subject>\""),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"role/https://idp.example.com*\"\n  actions = [\"s3:GetObject\"]\n}\n".to_string(), "`principal` must be one concrete principal, not a pattern"),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"coreweave/u1\"\n  actions = []\n}\n".to_string(), "`actions` must name at least one action"),
        ("data \"coreweave_object_storage_access_check\" \"x\" {\n  principal = \"coreweave/u1\"\n  actions = [\"s3:*\"]\n}\n".to_string(), "is a pattern; name a concrete action"),
        // function
        (principal("\"https://idp.example.com\", \"default\", \"\""), "service_account must be a DNS-1123 subdomain"),
        (principal("\"https://idp.example.com\", \"kube_system\", \"sa\""), "namespace must be a DNS-1123 label"),
        (principal("\"ftp://idp.example.com\", \"default\", \"sa\""), "issuer_url must use https://"),
        (principal("\"https://idp.example.com\", \"default\""), "Not enough function arguments"),
    ];
    assert!(cases.len() >= 40);
    if !functions_supported("function rows of the invalid-configuration table") {
        cases.retain(|(body, _)| !body.contains("provider::"));
    }
    for (body, expected) in &cases {
        let ws = Workspace::new();
        ws.write(&sandbox, body);
        // A value unknown at plan time is checked when it becomes known, before any API write.
        let run = if body.contains("terraform_data") {
            ws.apply_args(&[])
        } else {
            ws.plan()
        };
        let out = run.failure();
        assert!(
            out.contains(expected),
            "expected {expected:?} for:\n{body}\ngot: {out}"
        );
        assert!(
            !out.to_lowercase().contains("backtrace"),
            "diagnostics carry no Rust backtrace: {out}"
        );
    }
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
