//! Errors that name the fix (issue 21, item 3) and never echo credentials (issue 19, item 8):
//! a refused connection names the endpoint with its port and `COREWEAVE_API_ENDPOINT` (a
//! refused token names `COREWEAVE_API_TOKEN` and `token`: `provider_config.rs`), an endpoint
//! URL with a password in it is never printed whole.

use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::terraform::required_providers;
use crate::support::Workspace;

/// A workspace reading one cluster with `endpoint` set in the provider block, or in
/// `COREWEAVE_API_ENDPOINT` when `from_environment`.
fn workspace(endpoint: &str, from_environment: bool) -> Workspace {
    let mut ws = Workspace::new();
    let endpoint_line = if from_environment {
        ws.env("COREWEAVE_API_ENDPOINT", endpoint);
        String::new()
    } else {
        format!("  endpoint = \"{endpoint}\"\n")
    };
    ws.write_raw(&format!(
        "{}\nprovider \"coreweave\" {{\n{endpoint_line}  token = \"{TOKEN}\"\n}}\ndata \"coreweave_cks_cluster_issuer\" \"demo\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n}}\n",
        required_providers()
    ));
    ws
}

#[test]
fn a_refused_connection_names_the_endpoint_with_its_port_and_the_variable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    for from_environment in [false, true] {
        let ws = workspace(&endpoint, from_environment);
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
fn an_endpoint_with_credentials_is_refused_without_echoing_them() {
    for (endpoint, from_environment) in [
        ("https://admin:hunter2@api.example.com", false),
        ("https://admin:hunter2@api.example.com:8443/prefix", true),
        ("https://hunter2@api.example.com", false),
    ] {
        let ws = workspace(endpoint, from_environment);
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
