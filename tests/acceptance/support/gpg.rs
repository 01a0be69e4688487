//! A throwaway GnuPG keyring for signing test releases: one passphrase-less RSA signing key in a
//! temporary `GNUPGHOME` (RSA, as the Terraform Registry requires). gpg is the distribution's
//! (`scripts/install-gnupg.sh` installs it when missing); the agents gpg starts for the keyring
//! are stopped when it is dropped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::clients::{installed, ClientRun};

/// The gpg the tests run.
pub fn gpg_binary() -> &'static Path {
    static GPG: OnceLock<PathBuf> = OnceLock::new();
    GPG.get_or_init(|| installed("install-gnupg.sh", "gpg"))
}

/// A keyring holding one signing key.
pub struct Keyring {
    home: tempfile::TempDir,
    /// The key's fingerprint (40 hex digits).
    pub fingerprint: String,
    /// What unlocks the key; empty for none.
    passphrase: String,
}

impl Keyring {
    /// A new keyring with a new key for `user_id` that needs no passphrase.
    pub fn generate(user_id: &str) -> Self {
        Self::with_passphrase(user_id, "")
    }

    /// A new keyring with a new key for `user_id` locked by `passphrase`.
    pub fn with_passphrase(user_id: &str, passphrase: &str) -> Self {
        let home = tempfile::tempdir().expect("temp dir for GNUPGHOME");
        gpg_in(
            home.path(),
            &[
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                passphrase,
                "--quick-generate-key",
                user_id,
                "rsa2048",
                "sign",
                "never",
            ],
        )
        .success();
        let listing = gpg_in(home.path(), &["--with-colons", "--list-secret-keys"]).success();
        let fingerprint = listing
            .lines()
            .find_map(|line| line.strip_prefix("fpr:"))
            .and_then(|fields| fields.split(':').find(|f| !f.is_empty()))
            .unwrap_or_else(|| panic!("no fingerprint in gpg's listing:\n{listing}"))
            .to_string();
        Self {
            home,
            fingerprint,
            passphrase: passphrase.to_string(),
        }
    }

    /// The key id the registry protocol names a key by: the fingerprint's last 16 hex digits.
    pub fn key_id(&self) -> &str {
        &self.fingerprint[self.fingerprint.len() - 16..]
    }

    /// The public key, ASCII-armored.
    pub fn public_key(&self) -> String {
        self.gpg(&["--armor", "--export", &self.fingerprint])
            .success()
    }

    /// What scripts/release.sh needs to sign with this key.
    pub fn signing_env(&self) -> [(&'static str, PathBuf); 4] {
        [
            ("GNUPGHOME", self.home.path().to_path_buf()),
            ("GPG_FINGERPRINT", PathBuf::from(&self.fingerprint)),
            ("GPG_PASSPHRASE", PathBuf::from(&self.passphrase)),
            ("GPG", gpg_binary().to_path_buf()),
        ]
    }

    /// Runs gpg on this keyring in batch mode.
    pub fn gpg(&self, args: &[&str]) -> ClientRun {
        gpg_in(self.home.path(), args)
    }
}

/// Runs gpg in batch mode on the keyring in `home`.
fn gpg_in(home: &Path, args: &[&str]) -> ClientRun {
    ClientRun::of(
        "gpg",
        Command::new(gpg_binary())
            .arg("--homedir")
            .arg(home)
            .arg("--batch")
            .args(args),
    )
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = Command::new(gpg_binary().with_file_name("gpgconf"))
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "all"])
            .output();
    }
}
