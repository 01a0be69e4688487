//! A release as `scripts/release.sh` makes it (the zip of the provider built for these tests,
//! the manifest, `SHA256SUMS` and its signature by a throwaway key) in a temporary directory;
//! the registry's names for its files, and Terraform's hashes of its package.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;

use super::clients::ClientRun;
use super::gpg::Keyring;

/// The provider's binary and file name prefix.
pub const NAME: &str = "terraform-provider-coreweave";
/// The version of the release, from Cargo.toml like the script's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The provider binary these tests release.
pub fn provider_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_terraform-provider-coreweave"))
}

/// Terraform's `(os, arch)` of this machine, e.g. `("linux", "amd64")`.
pub fn platform() -> (&'static str, &'static str) {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    (std::env::consts::OS, arch)
}

/// `terraform-provider-coreweave_<version>_<os>_<arch>.zip` for this machine.
pub fn zip_name() -> String {
    let (os, arch) = platform();
    format!("{NAME}_{VERSION}_{os}_{arch}.zip")
}

/// `terraform-provider-coreweave_<version>_manifest.json`.
pub fn manifest_name() -> String {
    format!("{NAME}_{VERSION}_manifest.json")
}

/// `terraform-provider-coreweave_<version>_SHA256SUMS`.
pub fn sums_name() -> String {
    format!("{NAME}_{VERSION}_SHA256SUMS")
}

/// `terraform-provider-coreweave_<version>_SHA256SUMS.sig`.
pub fn signature_name() -> String {
    format!("{}.sig", sums_name())
}

/// The name of the binary inside the zip.
pub fn binary_name() -> String {
    format!("{NAME}_v{VERSION}")
}

/// A signed release in a directory of its own.
pub struct Release {
    dir: tempfile::TempDir,
    /// The key that signed it.
    pub key: Keyring,
}

impl Release {
    /// Runs scripts/release.sh on the provider binary of these tests, signing with a new key.
    pub fn build() -> Self {
        Self::signed_by(Keyring::generate(
            "terraform-provider-coreweave test release <release@example.invalid>",
        ))
    }

    /// Runs scripts/release.sh on the provider binary of these tests, signing with `key`.
    pub fn signed_by(key: Keyring) -> Self {
        let release = Self {
            dir: tempfile::tempdir().expect("temp dir"),
            key,
        };
        release.script(
            &["--binary", &provider_binary().display().to_string()],
            &release.key,
        );
        release
    }

    /// The directory holding the release's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// One file of the release.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// The lines of `SHA256SUMS` as `(hex digest, file name)`.
    pub fn sums(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.file(&sums_name()))
            .expect("reading SHA256SUMS")
            .lines()
            .map(|line| {
                let (digest, file) = line
                    .split_once("  ")
                    .unwrap_or_else(|| panic!("not a sha256sum line: {line}"));
                (digest.to_string(), file.to_string())
            })
            .collect()
    }

    /// The SHA-256 digest `SHA256SUMS` gives for `file`.
    pub fn sum_of(&self, file: &str) -> String {
        self.sums()
            .into_iter()
            .find_map(|(digest, name)| (name == file).then_some(digest))
            .unwrap_or_else(|| panic!("no {file} in SHA256SUMS"))
    }

    /// The plugin protocol versions of the release's manifest.
    pub fn protocols(&self) -> Vec<String> {
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(self.file(&manifest_name())).expect("reading the manifest"),
        )
        .expect("the manifest is JSON");
        serde_json::from_value(manifest["metadata"]["protocol_versions"].clone())
            .expect("protocol_versions is a list of strings")
    }

    /// Signs the release's checksums again, with `key` (scripts/release.sh --sign-only).
    pub fn sign_with(&self, key: &Keyring) {
        self.script(&["--sign-only"], key);
    }

    /// Changes one byte in the middle of the zip, as a compromised download server could.
    pub fn tamper_with_zip(&self) {
        let path = self.file(&zip_name());
        let mut bytes = std::fs::read(&path).expect("reading the zip");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&path, bytes).expect("writing the zip");
    }

    fn script(&self, args: &[&str], key: &Keyring) {
        ClientRun::of(
            "scripts/release.sh",
            Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"))
                .args(args)
                .arg("--out")
                .arg(self.dir())
                .envs(key.signing_env()),
        )
        .success();
    }
}

/// SHA-256 of `bytes` in hex, by coreutils' sha256sum (the tool release.sh uses).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running sha256sum");
    let mut stdin = child.stdin.take().expect("sha256sum stdin");
    stdin.write_all(bytes).expect("writing to sha256sum");
    drop(stdin);
    let output = child.wait_with_output().expect("sha256sum output");
    let line = String::from_utf8(output.stdout).expect("sha256sum prints text");
    line.split_whitespace()
        .next()
        .expect("a sha256sum line")
        .to_string()
}

/// Terraform's `h1:` hash (Go's dirhash Hash1) of the provider package, which holds exactly the
/// binary under [`binary_name`].
pub fn package_h1() -> String {
    let binary = std::fs::read(provider_binary()).expect("reading the provider binary");
    let summary = format!("{}  {}\n", sha256_hex(&binary), binary_name());
    let digest: Vec<u8> = sha256_hex(summary.as_bytes())
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            u8::from_str_radix(std::str::from_utf8(pair).expect("hex"), 16).expect("hex digits")
        })
        .collect();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The `zh:` hash (the zip's SHA-256) that Terraform records for a zip it saw in signed checksums.
pub fn zip_hash(digest: &str) -> String {
    format!("zh:{digest}")
}
