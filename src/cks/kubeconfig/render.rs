//! The kubeconfig of `coreweave_cks_kubeconfig`, as a pure function of the cluster and how the
//! user authenticates. No long-lived secret is written into it: a static API token is read
//! from `COREWEAVE_API_TOKEN` when kubectl runs (an `exec` credential entry), a workload
//! identity bearer is short-lived, and the unmanaged endpoint uses an OIDC credential plugin.

use serde_json::{json, Value};

/// The environment variable the managed endpoint's `exec` entry reads the API token from.
pub const TOKEN_ENV: &str = "COREWEAVE_API_TOKEN";
/// `apiVersion` of the exec credential entries.
pub const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";

/// Which endpoint of the cluster the kubeconfig reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `https://<apiServerEndpoint>`: CoreWeave API access tokens.
    Managed,
    /// `https://api.<apiServerEndpoint>`: tokens of the cluster's OIDC issuer.
    Unmanaged,
}

impl Endpoint {
    /// Parses the `endpoint` input.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "managed" => Some(Self::Managed),
            "unmanaged" => Some(Self::Unmanaged),
            _ => None,
        }
    }
}

/// A credential plugin: the command kubectl runs for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecPlugin {
    /// Executable.
    pub command: String,
    /// Arguments.
    pub args: Vec<String>,
    /// Extra environment, in order.
    pub env: Vec<(String, String)>,
    /// May the plugin ask the user (`IfAvailable`), or never (`Never`).
    pub interactive: bool,
}

/// How the kubeconfig's user authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A short-lived bearer, written as is.
    Bearer(String),
    /// A credential plugin.
    Exec(ExecPlugin),
}

/// The managed endpoint's plugin for a static API token: prints `$COREWEAVE_API_TOKEN` as an
/// ExecCredential at use time, and says so when it is not set.
pub fn api_token_plugin() -> ExecPlugin {
    let script = format!(
        "if [ -z \"${TOKEN_ENV}\" ]; then echo '{TOKEN_ENV} is not set: export your CoreWeave API access token' >&2; exit 1; fi; \
         printf '{{\"apiVersion\":\"{EXEC_API_VERSION}\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"%s\"}}}}' \"${TOKEN_ENV}\""
    );
    ExecPlugin {
        command: "sh".into(),
        args: vec!["-c".into(), script],
        env: Vec::new(),
        interactive: false,
    }
}

/// The unmanaged endpoint's default plugin: kubelogin (`kubectl oidc-login get-token`) with the
/// cluster's issuer and client id, asking for the `email` scope when usernames are emails
/// (seed 004, step 5).
pub fn kubelogin_plugin(issuer_url: &str, client_id: &str, username_claim: &str) -> ExecPlugin {
    let mut args = vec![
        "oidc-login".to_string(),
        "get-token".to_string(),
        format!("--oidc-issuer-url={issuer_url}"),
        format!("--oidc-client-id={client_id}"),
    ];
    if username_claim == "email" {
        args.push("--oidc-extra-scope=email".into());
    }
    ExecPlugin {
        command: "kubectl".into(),
        args,
        env: Vec::new(),
        interactive: true,
    }
}

/// `https://<apiServerEndpoint>`, or `https://api.<apiServerEndpoint>` for the unmanaged one.
pub fn host(api_server_endpoint: &str, endpoint: Endpoint) -> String {
    match endpoint {
        Endpoint::Managed => format!("https://{api_server_endpoint}"),
        Endpoint::Unmanaged => format!("https://api.{api_server_endpoint}"),
    }
}

fn user(credential: &Credential) -> Value {
    match credential {
        Credential::Bearer(token) => json!({ "token": token }),
        Credential::Exec(plugin) => {
            let mut exec = json!({
                "apiVersion": EXEC_API_VERSION,
                "command": plugin.command,
                "args": plugin.args,
                "interactiveMode": if plugin.interactive { "IfAvailable" } else { "Never" },
                "provideClusterInfo": false,
            });
            if !plugin.env.is_empty() {
                exec["env"] = plugin
                    .env
                    .iter()
                    .map(|(name, value)| json!({ "name": name, "value": value }))
                    .collect();
            }
            json!({ "exec": exec })
        }
    }
}

/// The kubeconfig document for `cluster_name` at `host`.
pub fn kubeconfig(
    cluster_name: &str,
    endpoint: Endpoint,
    host: &str,
    credential: &Credential,
) -> Value {
    let name = match endpoint {
        Endpoint::Managed => cluster_name.to_string(),
        Endpoint::Unmanaged => format!("{cluster_name}-unmanaged"),
    };
    json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{ "name": name, "cluster": { "server": host } }],
        "users": [{ "name": name, "user": user(credential) }],
        "contexts": [{ "name": name, "context": { "cluster": name, "user": name } }],
        "current-context": name,
        "preferences": {},
    })
}

/// Block-style YAML of a JSON document; every string is double-quoted with JSON escapes
/// (valid YAML), so no value can change the document's structure.
pub fn to_yaml(document: &Value) -> String {
    let mut out = String::new();
    write_node(&mut out, document, 0);
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Array(items) if items.is_empty() => "[]".into(),
        other => other.to_string(),
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn write_node(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                let key = Value::String(key.clone()).to_string();
                if is_block(child) {
                    out.push_str(&format!("{pad}{key}:\n"));
                    write_node(out, child, indent + 2);
                } else {
                    out.push_str(&format!("{pad}{key}: {}\n", scalar(child)));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                if is_block(item) {
                    // The item's first line goes after the dash, the rest indented under it.
                    let mut nested = String::new();
                    write_node(&mut nested, item, indent + 2);
                    let body = nested.trim_start();
                    out.push_str(&format!("{pad}- {body}"));
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests;
