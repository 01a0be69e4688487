//! Function `provider::coreweave::service_account_principal`.

use crate::support::terraform::{functions_supported, required_providers};
use crate::support::Workspace;

fn call(args: &str) -> String {
    format!(
        "{}\noutput \"principal\" {{\n  value = provider::coreweave::service_account_principal({args})\n}}\n",
        required_providers()
    )
}

#[test]
fn builds_the_principal_without_a_token_or_provider_block() {
    if !functions_supported("builds_the_principal_without_a_token_or_provider_block") {
        return;
    }
    let ws = Workspace::new();
    ws.write_raw(&call(
        "\"https://oidc.cks.coreweave.com/id/abc\", \"default\", \"my-sa\"",
    ));
    ws.validate().success();
    ws.apply();
    assert_eq!(
        ws.outputs()["principal"],
        "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa"
    );
}

#[test]
fn each_invalid_argument_is_named_in_the_error() {
    if !functions_supported("each_invalid_argument_is_named_in_the_error") {
        return;
    }
    let cases = [
        (
            "\"http://oidc.example.com\", \"default\", \"sa\"",
            "issuer_url must use https://",
        ),
        (
            "\"https://oidc.example.com/\", \"default\", \"sa\"",
            "issuer_url must not end with a slash",
        ),
        (
            "\"https://oidc.example.com\", \"Default\", \"sa\"",
            "namespace must be a DNS-1123 label",
        ),
        (
            "\"https://oidc.example.com\", \"default\", \"my_sa\"",
            "service_account must be a DNS-1123 subdomain",
        ),
    ];
    for (args, expected) in cases {
        let ws = Workspace::new();
        ws.write_raw(&call(args));
        let out = ws.plan().failure();
        assert!(out.contains(expected), "{args}: {out}");
    }
}
