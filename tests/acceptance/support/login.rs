//! The login path of a sandbox cluster as kubectl sees it: the cluster's Kubernetes endpoints
//! (by loopback URL and TLS server name, or by real name through the sandbox's proxy) and
//! the sandbox's external identity provider.

use std::path::PathBuf;

use base64::Engine;
use serde_json::Value;

use super::clients::ClientRun;
use super::kubectl::Kubectl;
use super::Sandbox;

/// kubectl's words for any refused authentication.
pub const UNAUTHORIZED: &str = "error: You must be logged in to the server (Unauthorized)";

/// One cluster's endpoints and a kubectl that trusts their CA.
pub struct ClusterLogin {
    pub kubectl: Kubectl,
    /// The `kubernetes` entry of the cluster in `GET /_sandbox/endpoints`.
    pub endpoints: Value,
    /// The sandbox's proxy URL.
    pub proxy: String,
    /// The Kubernetes CA, as a file.
    pub ca_file: PathBuf,
}

impl ClusterLogin {
    /// The login path of cluster `id`.
    pub fn new(sandbox: &Sandbox, id: &str) -> Self {
        let all = sandbox.endpoints();
        let endpoints = all["clusters"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id))
            .map(|c| c["kubernetes"].clone())
            .unwrap_or_else(|| panic!("no endpoints for cluster {id}: {all}"));
        let kubectl = Kubectl::new();
        let ca_file = kubectl.file(
            "kubernetes-ca.pem",
            endpoints["ca_pem"].as_str().expect("ca_pem"),
        );
        Self {
            kubectl,
            proxy: all["proxy"]["url"].as_str().expect("proxy url").to_string(),
            endpoints,
            ca_file,
        }
    }

    fn field(&self, key: &str) -> &str {
        self.endpoints[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key}"))
    }

    /// kubectl `args` against the unmanaged (or managed) endpoint with `token`.
    pub fn run(&self, unmanaged: bool, token: &str, args: &[&str]) -> ClientRun {
        let server = if unmanaged {
            self.field("unmanaged")
        } else {
            self.field("managed")
        };
        let server_name = if unmanaged {
            self.field("unmanaged_tls_server_name")
        } else {
            self.field("tls_server_name")
        };
        let ca = self.ca_file.display().to_string();
        let mut all = vec![
            "--server",
            server,
            "--tls-server-name",
            server_name,
            "--certificate-authority",
            &ca,
            "--token",
            token,
        ];
        all.extend_from_slice(args);
        self.kubectl.run(&all, &[])
    }

    /// `kubectl auth whoami -o json` on the unmanaged endpoint.
    pub fn whoami(&self, token: &str) -> ClientRun {
        self.run(true, token, &["auth", "whoami", "-o", "json"])
    }

    /// `kubectl get nodes` on the unmanaged endpoint.
    pub fn get_nodes(&self, token: &str) -> ClientRun {
        self.run(true, token, &["get", "nodes"])
    }

    /// kubectl with a kubeconfig file, reaching the endpoints by their real names through the
    /// sandbox's proxy and trusting the sandbox CA the way Go programs trust an extra root.
    pub fn with_kubeconfig(
        &self,
        kubeconfig: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> ClientRun {
        let path = self
            .kubectl
            .file("kubeconfig.yaml", kubeconfig)
            .display()
            .to_string();
        let ca = self.ca_file.display().to_string();
        let mut all_env = vec![
            ("HTTPS_PROXY", self.proxy.as_str()),
            ("SSL_CERT_FILE", ca.as_str()),
        ];
        all_env.extend_from_slice(env);
        let mut all = vec!["--kubeconfig", path.as_str()];
        all.extend_from_slice(args);
        self.kubectl.run(&all, &all_env)
    }
}

/// `(username, groups)` of `kubectl auth whoami -o json` output.
pub fn user_of(review: &Value) -> (String, Vec<String>) {
    let info = &review["status"]["userInfo"];
    (
        info["username"].as_str().unwrap_or_default().to_string(),
        serde_json::from_value(info["groups"].clone()).unwrap_or_default(),
    )
}

/// The identity provider's issuer URL and its CA as the `ca` attribute wants it (base64 PEM).
pub fn idp(sandbox: &Sandbox) -> (String, String) {
    let endpoints = sandbox.endpoints();
    let issuer = endpoints["idp"]["issuer_url"]
        .as_str()
        .expect("issuer")
        .to_string();
    let pem = endpoints["idp"]["ca_pem"].as_str().expect("ca_pem");
    (
        issuer,
        base64::engine::general_purpose::STANDARD.encode(pem),
    )
}

/// The reason the last refused Kubernetes request was logged with.
pub fn last_refusal(sandbox: &Sandbox) -> String {
    sandbox
        .kubernetes_requests()
        .into_iter()
        .rev()
        .find_map(|r| r.reason)
        .expect("a refused Kubernetes request with a reason")
}
