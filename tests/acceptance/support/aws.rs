//! The real AWS clients (the AWS CLI v1 and boto3, installed pinned from PyPI by
//! `scripts/install-aws-clients.sh`, once per test process) run as a pod of the Pod Identity
//! Webhook would run them: container credentials from a token file, empty AWS config files, no
//! instance metadata.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::clients::{installed, ClientRun};
use super::sandbox::CLUSTER_DEMO;
use super::Sandbox;

/// The demo cluster's OIDC issuer URL (its service-account tokens' `iss` and default audience).
pub fn demo_issuer() -> String {
    format!("https://oidc.cks.coreweave.com/id/{CLUSTER_DEMO}")
}

/// A token of service account `sa` (`namespace/name`) signed by the demo cluster's issuer, for
/// its audience: what the projected volume of the pod holds.
pub fn service_account_token(sandbox: &Sandbox, sa: &str) -> String {
    sandbox.token(
        serde_json::json!({"clusterId": CLUSTER_DEMO, "serviceAccount": sa, "audience": demo_issuer()}),
    )
}

/// The venv's bin directory, holding `aws` and `python`.
pub fn aws_clients_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| installed("install-aws-clients.sh", "the AWS clients"))
}

/// A pod: the environment `pod_environment` gives it, its own token file (as the projected
/// volume holds it: no trailing newline), empty AWS config and credentials files, and no
/// instance metadata.
pub struct Pod {
    dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
}

impl Pod {
    /// A pod with `environment` (the module's `pod_environment`), whose token file holds
    /// `token`. `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` is pointed at the pod's own file.
    pub fn new(environment: &Value, token: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut env: BTreeMap<String, String> = environment
            .as_object()
            .expect("pod_environment is an object")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_string()))
            .collect();
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, token).expect("writing the token file");
        env.insert(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE".into(),
            token_file.display().to_string(),
        );
        for name in ["config", "credentials"] {
            std::fs::write(dir.path().join(name), "").expect("writing an AWS config file");
        }
        env.insert(
            "AWS_CONFIG_FILE".into(),
            dir.path().join("config").display().to_string(),
        );
        env.insert(
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            dir.path().join("credentials").display().to_string(),
        );
        env.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
        Self { dir, env }
    }

    /// A pod with no container credentials at all (boto3 tests pass keys explicitly).
    pub fn bare(s3_url: &str) -> Self {
        Self::new(
            &serde_json::json!({"AWS_ENDPOINT_URL_S3": s3_url, "AWS_DEFAULT_REGION": "US-EAST-04A"}),
            "",
        )
    }

    /// Sets (or replaces) an environment variable.
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// CoreWeave's documented virtual-hosted style, offline: no DNS knows the sandbox's S3 host
    /// name, so the proxy setting sends every request to the S3 endpoint, the Host header naming
    /// the bucket (`<bucket>.s3.sandbox.test:<port>`).
    pub fn virtual_hosted(&mut self, sandbox: &Sandbox) -> &mut Self {
        let s3 = &sandbox.endpoints()["s3"];
        let base = s3["virtual_host_base"].as_str().expect("virtual_host_base");
        self.set("AWS_ENDPOINT_URL_S3", &format!("http://{base}"))
            .set("HTTP_PROXY", s3["url"].as_str().expect("the S3 URL"))
            .set("NO_PROXY", "127.0.0.1,localhost");
        self.config("[default]\ns3 =\n    addressing_style = virtual\n");
        self
    }

    /// Writes the AWS config file.
    pub fn config(&self, text: &str) {
        std::fs::write(self.dir.path().join("config"), text).expect("writing the AWS config");
    }

    /// The pod's scratch directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(aws_clients_bin().join(program));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .envs(&self.env)
            .current_dir(self.dir.path());
        cmd
    }

    /// `aws <args>`.
    pub fn aws(&self, args: &[&str]) -> ClientRun {
        ClientRun::of("the AWS CLI", self.command("aws").args(args))
    }

    /// `python -c <script> <args>` with the venv's python (boto3 importable).
    pub fn python(&self, script: &str, args: &[&str]) -> ClientRun {
        ClientRun::of(
            "boto3's python",
            self.command("python").arg("-c").arg(script).args(args),
        )
    }
}

/// A boto3 call with explicit credentials (key, secret, session token or empty), then optionally
/// a bucket and an object key (default `training-data`, `data.csv`): reads the object and prints
/// `ok`, or the client's error code.
pub const BOTO3_CALL: &str = r#"
import sys, boto3, botocore
key, secret, token = sys.argv[1], sys.argv[2], sys.argv[3] or None
bucket = sys.argv[4] if len(sys.argv) > 4 else "training-data"
obj = sys.argv[5] if len(sys.argv) > 5 else "data.csv"
s3 = boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret,
                  aws_session_token=token)
try:
    s3.get_object(Bucket=bucket, Key=obj)["Body"].read()
    print("ok")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
"#;

/// Lets `principal` read the objects of `bucket` (an organization access policy `read`).
pub fn grant_read(sandbox: &Sandbox, bucket: &str, principal: &str) {
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(
            serde_json::json!({"policy": {"version": "v1alpha1", "name": "read", "statements": [{
            "name": "read", "effect": "Allow", "actions": ["s3:GetObject"],
            "resources": [format!("{bucket}/*")], "principals": [principal]}]}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
}
