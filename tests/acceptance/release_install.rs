//! The release installs as any provider does: `terraform init` takes it from a provider
//! registry (HTTPS, checksums signed by the key the registry names) or from a network mirror,
//! records its hashes in the lock file, and the provider then plans against the sandbox. A zip
//! changed after signing, or checksums signed by another key, fail `init` with Terraform's own
//! error, and nothing is installed.

use std::collections::BTreeSet;

use crate::support::gpg::Keyring;
use crate::support::registry::{Registry, MIRRORED_HOST};
use crate::support::release::{package_h1, sha256_hex, zip_hash, zip_name, Release, VERSION};
use crate::support::terraform::provider_block;
use crate::support::{Sandbox, Workspace};

/// The organization the plan reads through the installed provider.
const ORGANIZATION: &str = "0rg-release-install";

/// A workspace whose CLI configuration is `cli`, needing the provider from `source` at the
/// released version; with a sandbox, it also reads the caller identity through it.
fn workspace(cli: &str, source: &str, sandbox: Option<&Sandbox>) -> Workspace {
    let ws = Workspace::new();
    ws.set_cli_config(cli);
    let mut main = format!(
        "terraform {{\n  required_providers {{\n    coreweave = {{\n      source  = \"{source}\"\n      \
         version = \"{VERSION}\"\n    }}\n  }}\n}}\n"
    );
    if let Some(sandbox) = sandbox {
        main.push_str(&provider_block(sandbox));
        main.push_str(
            "data \"coreweave_caller_identity\" \"me\" {}\n\
             output \"organization_id\" { value = data.coreweave_caller_identity.me.organization_id }\n",
        );
    }
    ws.write_raw(&main);
    ws
}

/// [`workspace`], trusting `registry`'s CA and no other.
fn trusting(registry: &Registry, cli: &str, source: &str, sandbox: Option<&Sandbox>) -> Workspace {
    let mut ws = workspace(cli, source, sandbox);
    for (name, value) in registry.trust_env() {
        ws.env(name, &value);
    }
    ws
}

/// Direct installation from registries only (no implied local directories).
const DIRECT: &str = "provider_installation {\n  direct {}\n}\n";

/// `terraform init`; its output.
fn init(ws: &Workspace) -> crate::support::terraform::TfRun {
    ws.run(&["init", "-input=false", "-no-color"])
}

/// The hashes the lock file records for `address`.
fn locked_hashes(ws: &Workspace, address: &str) -> BTreeSet<String> {
    let lock = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).expect("lock file");
    let block = lock
        .split_once(&format!("provider \"{address}\" {{"))
        .map(|(_, rest)| rest.split_once("\n}").map_or(rest, |(block, _)| block))
        .unwrap_or_else(|| panic!("no provider {address} in the lock file:\n{lock}"));
    assert!(
        block.contains(&format!("version     = \"{VERSION}\"")),
        "{lock}"
    );
    block
        .split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_string)
        .collect()
}

/// The plan reads the caller identity through the installed provider.
fn assert_plans(ws: &Workspace, sandbox: &Sandbox) {
    let plan = ws.run(&["plan", "-input=false", "-no-color"]).success();
    assert!(
        plan.stdout
            .contains(&format!("organization_id = \"{ORGANIZATION}\"")),
        "{}",
        plan.output()
    );
    assert!(sandbox
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/v1beta1/auth/whoami"));
}

#[test]
fn init_installs_the_signed_release_from_a_registry_and_locks_its_hashes() {
    let release = Release::build();
    let registry = Registry::serve(&release);
    let sandbox = Sandbox::start_with(&["--org-id", ORGANIZATION]);
    let source = registry.source();
    let ws = trusting(&registry, DIRECT, &source, Some(&sandbox));

    let out = init(&ws).success().output();
    assert!(
        out.contains(&format!(
            "Installed {source} v{VERSION} (self-signed, key ID {})",
            release.key.key_id()
        )),
        "{out}"
    );
    // As for any registry provider: the h1: hash of the package installed, and a zh: hash of
    // every file the signed SHA256SUMS names (the zips of all platforms, and the manifest).
    let mut expected: BTreeSet<String> = release
        .sums()
        .into_iter()
        .map(|(digest, _)| zip_hash(&digest))
        .collect();
    expected.insert(package_h1());
    assert_eq!(locked_hashes(&ws, &source), expected);
    assert_plans(&ws, &sandbox);
}

#[test]
fn init_refuses_a_zip_changed_after_signing() {
    let release = Release::build();
    release.tamper_with_zip();
    let registry = Registry::serve(&release);
    let ws = trusting(&registry, DIRECT, &registry.source(), None);

    let out = init(&ws).failure();
    let served = std::fs::read(release.file(&zip_name())).expect("reading the zip");
    assert!(
        out.contains(&format!(
            "Error while installing {} v{VERSION}: archive has incorrect checksum {} (expected {})",
            registry.source(),
            zip_hash(&sha256_hex(&served)),
            zip_hash(&release.sum_of(&zip_name()))
        )),
        "{out}"
    );
    assert!(!ws.path().join(".terraform.lock.hcl").exists());
}

#[test]
fn init_refuses_checksums_signed_by_another_key() {
    let release = Release::build();
    let other = Keyring::generate("not the publisher <other@example.invalid>");
    release.sign_with(&other);
    let registry = Registry::serve(&release);
    let ws = trusting(&registry, DIRECT, &registry.source(), None);

    let out = init(&ws).failure();
    assert!(
        out.contains(&format!(
            "Error while installing {} v{VERSION}: authentication signature from unknown issuer",
            registry.source()
        )),
        "{out}"
    );
    assert!(!ws.path().join(".terraform.lock.hcl").exists());
}

#[test]
fn init_installs_the_release_from_a_network_mirror() {
    let release = Release::build();
    let registry = Registry::serve(&release);
    let sandbox = Sandbox::start_with(&["--org-id", ORGANIZATION]);
    let cli = format!(
        "provider_installation {{\n  network_mirror {{\n    url     = \"{}\"\n    \
         include = [\"{MIRRORED_HOST}/cwfed/coreweave\"]\n  }}\n}}\n",
        registry.mirror_url()
    );
    let ws = trusting(&registry, &cli, "cwfed/coreweave", Some(&sandbox));

    let out = init(&ws).success().output();
    assert!(
        out.contains(&format!(
            "Installed cwfed/coreweave v{VERSION} (verified checksum)"
        )),
        "{out}"
    );
    assert_eq!(
        locked_hashes(&ws, &format!("{MIRRORED_HOST}/cwfed/coreweave")),
        BTreeSet::from([package_h1()])
    );
    assert_plans(&ws, &sandbox);
}

#[test]
fn init_installs_the_release_zip_from_a_filesystem_mirror() {
    let release = Release::build();
    let mirror = tempfile::tempdir().expect("temp dir");
    let packed = mirror.path().join(MIRRORED_HOST).join("cwfed/coreweave");
    std::fs::create_dir_all(&packed).expect("creating the mirror");
    std::fs::copy(release.file(&zip_name()), packed.join(zip_name())).expect("copying the zip");
    let sandbox = Sandbox::start_with(&["--org-id", ORGANIZATION]);
    let address = format!("{MIRRORED_HOST}/cwfed/coreweave");
    let cli = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    \
         include = [\"{address}\"]\n  }}\n}}\n",
        mirror.path().display()
    );
    let ws = workspace(&cli, "cwfed/coreweave", Some(&sandbox));

    let out = init(&ws).success().output();
    assert!(
        out.contains(&format!(
            "Installed cwfed/coreweave v{VERSION} (unauthenticated)"
        )),
        "{out}"
    );
    assert_eq!(locked_hashes(&ws, &address), BTreeSet::from([package_h1()]));
    assert_plans(&ws, &sandbox);
}
