//! Errors that name the fix (issue 21, item 3) and never echo credentials (issue 19, item 8):
//! a refused connection names the endpoint with its port and `COREWEAVE_API_ENDPOINT`, a
//! refused token names `COREWEAVE_API_TOKEN` and `token`, an endpoint URL with a password in it
//! is never printed whole.

use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::terraform::required_providers;
use crate::support::{Sandbox, Workspace};

fn lookup() -> String {
    format!("data \"coreweave_cks_cluster_issuer\" \"demo\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n}}\n")
}

#[test]
fn a_refused_connection_names_the_endpoint_with_its_port_and_the_variable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    for from_environment in [false, true] {
        let mut ws = Workspace::new();
        let provider = if from_environment {
            ws.env("COREWEAVE_API_ENDPOINT", &endpoint);
            format!("provider \"coreweave\" {{\n  token = \"{TOKEN}\"\n}}\n")
        } else {
            format!("provider \"coreweave\" {{\n  endpoint = \"{endpoint}\"\n  token = \"{TOKEN}\"\n}}\n")
        };
        ws.write_raw(&format!("{}\n{provider}{}", required_providers(), lookup()));
        let out = ws.plan().failure();
        assert!(
            out.contains(&format!(
                "cannot connect to the CoreWeave API at {endpoint}"
            )),
            "{out}"
        );
        assert!(
            out.contains("Check `endpoint` in the provider block or the COREWEAVE_API_ENDPOINT environment variable"),
            "{out}"
        );
    }
}

#[test]
fn a_refused_token_names_the_variable_and_the_setting() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint = \"{}\"\n  token    = \"not-the-token\"\n}}\n{}",
        required_providers(),
        sandbox.url,
        lookup()
    ));
    let out = ws.plan().failure();
    assert!(
        out.contains("unauthenticated"),
        "the server's answer: {out}"
    );
    assert!(
        out.contains(
            "the CoreWeave API refused the API token: check `token` in the provider block or the COREWEAVE_API_TOKEN environment variable"
        ),
        "{out}"
    );
    assert!(!out.contains("not-the-token"), "{out}");
}

#[test]
fn an_endpoint_with_credentials_is_refused_without_echoing_them() {
    for (endpoint, from_environment) in [
        ("https://admin:hunter2@api.example.com", false),
        ("https://admin:hunter2@api.example.com:8443/prefix", true),
        ("https://hunter2@api.example.com", false),
    ] {
        let mut ws = Workspace::new();
        let provider = if from_environment {
            ws.env("COREWEAVE_API_ENDPOINT", endpoint);
            format!("provider \"coreweave\" {{\n  token = \"{TOKEN}\"\n}}\n")
        } else {
            format!("provider \"coreweave\" {{\n  endpoint = \"{endpoint}\"\n  token = \"{TOKEN}\"\n}}\n")
        };
        ws.write_raw(&format!("{}\n{provider}{}", required_providers(), lookup()));
        let run = if from_environment {
            ws.plan()
        } else {
            ws.validate()
        };
        let out = run.failure();
        // Terraform itself quotes the configuration line; the provider's message follows it.
        let (_, message) = out
            .split_once("must not carry credentials")
            .unwrap_or_else(|| panic!("{endpoint}: {out}"));
        assert!(!message.contains("hunter2"), "{endpoint}: {out}");
        assert!(!message.contains("admin"), "{endpoint}: {out}");
        assert!(
            message.contains("https://***@api.example.com"),
            "{endpoint}: {out}"
        );
        if from_environment {
            assert!(!out.contains("hunter2"), "{endpoint}: {out}");
        }
    }
}
