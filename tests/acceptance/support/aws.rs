//! The real AWS clients (the AWS CLI v1 and boto3, installed pinned from PyPI by
//! `scripts/install-aws-clients.sh`, once per test process) run as a pod of the Pod Identity
//! Webhook would run them: container credentials from a token file, empty AWS config files, no
//! instance metadata.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The venv's bin directory, holding `aws` and `python`.
pub fn aws_clients_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-aws-clients.sh");
        let out = Command::new(&script)
            .output()
            .expect("running scripts/install-aws-clients.sh");
        assert!(
            out.status.success(),
            "installing the AWS clients failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// What a client run printed, and how it ended.
#[derive(Debug)]
pub struct ClientRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl ClientRun {
    /// Panics with the output unless the client succeeded; returns stdout.
    pub fn success(self) -> String {
        assert_eq!(
            self.code, 0,
            "the client failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Panics unless the client failed with S3 error `code` (as the CLI prints it:
    /// `An error occurred (<code>) when calling ...`).
    pub fn refused_with(self, code: &str) {
        assert_ne!(
            self.code, 0,
            "the client unexpectedly succeeded:\n{}",
            self.stdout
        );
        let needle = format!("({code})");
        assert!(
            self.stderr.contains(&needle),
            "expected {needle} in:\n{}",
            self.stderr
        );
    }
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

    fn run(mut cmd: Command) -> ClientRun {
        let out = cmd.output().expect("running an AWS client");
        ClientRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `aws <args>`.
    pub fn aws(&self, args: &[&str]) -> ClientRun {
        let mut cmd = self.command("aws");
        cmd.args(args);
        Self::run(cmd)
    }

    /// `python -c <script> <args>` with the venv's python (boto3 importable).
    pub fn python(&self, script: &str, args: &[&str]) -> ClientRun {
        let mut cmd = self.command("python");
        cmd.arg("-c").arg(script).args(args);
        Self::run(cmd)
    }
}
