//! The files scripts/release.sh makes are what the Terraform Registry expects for a version, and
//! what a user checks a download with accepts them: `gpg --verify` with the publisher's public
//! key, `sha256sum -c`.

use std::process::Command;

use crate::support::clients::ClientRun;
use crate::support::gpg::Keyring;
use crate::support::release::{
    manifest_name, provider_binary, sha256_hex, signature_name, sums_name, zip_name, Release,
};

#[test]
fn release_files_follow_the_registry_layout() {
    let release = Release::build();

    let mut names: Vec<String> = std::fs::read_dir(release.dir())
        .expect("listing the release directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec![sums_name(), signature_name(), zip_name(), manifest_name()];
    expected.sort();
    assert_eq!(names, expected);

    let manifest = std::fs::read(release.file(&manifest_name())).expect("manifest");
    let checked_in = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("terraform-registry-manifest.json"),
    )
    .expect("terraform-registry-manifest.json");
    assert_eq!(manifest, checked_in);
    assert_eq!(release.protocols(), ["6.0"]);

    let zip = std::fs::read(release.file(&zip_name())).expect("zip");
    assert_eq!(
        std::fs::read_to_string(release.file(&sums_name())).expect("SHA256SUMS"),
        format!(
            "{}  {}\n{}  {}\n",
            sha256_hex(&zip),
            zip_name(),
            sha256_hex(&manifest),
            manifest_name()
        )
    );
}

#[test]
fn gpg_verify_and_sha256sum_check_accept_the_release() {
    let release = Release::build();
    // A user's keyring, which holds the publisher's public key only after importing it.
    let user = Keyring::generate("a user <user@example.invalid>");
    let armored = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(armored.path(), release.key.public_key()).expect("writing the public key");
    user.gpg(&["--import", &armored.path().display().to_string()])
        .success();

    let verify = user.gpg(&[
        "--verify",
        &release.file(&signature_name()).display().to_string(),
        &release.file(&sums_name()).display().to_string(),
    ]);
    assert_eq!(verify.code, 0, "gpg --verify failed:\n{}", verify.stderr);
    assert!(
        verify.stderr.contains("Good signature")
            && verify.stderr.contains(&release.key.fingerprint),
        "{}",
        verify.stderr
    );

    let check = ClientRun::of(
        "sha256sum",
        Command::new("sha256sum")
            .args(["-c", &sums_name()])
            .current_dir(release.dir()),
    )
    .success();
    assert_eq!(
        check,
        format!("{}: OK\n{}: OK\n", zip_name(), manifest_name())
    );
}

#[test]
fn a_key_locked_by_a_passphrase_signs_when_gpg_passphrase_unlocks_it() {
    // As the release workflow signs: the key imported from a secret, its passphrase in another.
    let release = Release::signed_by(Keyring::with_passphrase(
        "a locked key <locked@example.invalid>",
        "correct horse battery staple",
    ));
    let verify = release.key.gpg(&[
        "--verify",
        &release.file(&signature_name()).display().to_string(),
        &release.file(&sums_name()).display().to_string(),
    ]);
    assert_eq!(verify.code, 0, "gpg --verify failed:\n{}", verify.stderr);
}

#[test]
fn a_release_is_not_made_without_a_signing_key() {
    let out = tempfile::tempdir().expect("temp dir");
    let refused = ClientRun::of(
        "scripts/release.sh",
        Command::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"))
            .arg("--binary")
            .arg(provider_binary())
            .arg("--out")
            .arg(out.path())
            .env_remove("GPG_FINGERPRINT"),
    )
    .failure();
    assert!(refused.contains("GPG_FINGERPRINT is not set"), "{refused}");
    assert_eq!(
        std::fs::read_dir(out.path()).expect("listing").count(),
        0,
        "nothing is packaged before the key is known"
    );
}
