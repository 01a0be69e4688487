//! The release artifacts work: scripts/release.sh packages the provider binary built for these
//! tests, the artifacts follow the registry's naming and checksum format, and a real Terraform
//! installs the zip from a packed filesystem mirror (`terraform init`, no network) and calls the
//! provider's function in `terraform plan`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine;

/// Provider binary name.
const NAME: &str = "terraform-provider-coreweave";
/// Version of the release, from Cargo.toml like the script's.
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Provider address, which is also its directory in a filesystem mirror.
const ADDRESS: &str = "registry.terraform.io/cwfed/coreweave";
/// What the test configuration's output evaluates to.
const PRINCIPAL: &str =
    "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Terraform's name of this machine's platform, e.g. `linux_amd64`.
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn zip_name() -> String {
    format!("{NAME}_{VERSION}_{}.zip", platform())
}

fn manifest_name() -> String {
    format!("{NAME}_{VERSION}_manifest.json")
}

fn sums_name() -> String {
    format!("{NAME}_{VERSION}_SHA256SUMS")
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs scripts/release.sh on the test build of the provider, writing into `out`.
fn release(out: &Path) {
    let output = Command::new(root().join("scripts/release.sh"))
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_terraform-provider-coreweave"))
        .arg("--out")
        .arg(out)
        .output()
        .expect("running scripts/release.sh");
    assert!(
        output.status.success(),
        "release.sh failed:\n{}",
        text(&output)
    );
}

/// SHA-256 of `bytes` in hex, by coreutils' sha256sum (the tool release.sh uses).
fn sha256_hex(bytes: &[u8]) -> String {
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

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}

/// Terraform's `h1:` package hash (Go's dirhash Hash1) of a zip holding `files`.
fn h1_hash(files: &[(&str, &[u8])]) -> String {
    let mut files = files.to_vec();
    files.sort_by_key(|(name, _)| *name);
    let summary: String = files
        .iter()
        .map(|(name, content)| format!("{}  {name}\n", sha256_hex(content)))
        .collect();
    let digest = hex_bytes(&sha256_hex(summary.as_bytes()));
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[test]
fn release_artifacts_follow_the_registry_layout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dist");
    release(&out);

    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("listing the release directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = vec![sums_name(), zip_name(), manifest_name()];
    expected.sort();
    assert_eq!(names, expected);

    let manifest = std::fs::read(out.join(manifest_name())).expect("manifest");
    let parsed: serde_json::Value = serde_json::from_slice(&manifest).expect("manifest is JSON");
    assert_eq!(
        parsed,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    let checked_in = std::fs::read(root().join("terraform-registry-manifest.json"))
        .expect("terraform-registry-manifest.json");
    assert_eq!(manifest, checked_in);

    let zip = std::fs::read(out.join(zip_name())).expect("zip");
    let sums = std::fs::read_to_string(out.join(sums_name())).expect("SHA256SUMS");
    assert_eq!(
        sums,
        format!(
            "{}  {}\n{}  {}\n",
            sha256_hex(&zip),
            zip_name(),
            sha256_hex(&manifest),
            manifest_name()
        )
    );
}

/// The Terraform binary: `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH, else the one
/// scripts/install-terraform.sh installs.
fn terraform_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("terraform"))
        .find(|p| p.is_file());
    on_path.unwrap_or_else(install_terraform)
}

fn install_terraform() -> PathBuf {
    let output = Command::new(root().join("scripts/install-terraform.sh"))
        .output()
        .expect("running scripts/install-terraform.sh");
    assert!(
        output.status.success(),
        "installing terraform failed:\n{}",
        text(&output)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// A CLI configuration that installs the provider from `mirror` only, and nothing from the net.
fn cli_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{ADDRESS}\"]\n  }}\n  \
         direct {{\n    exclude = [\"{ADDRESS}\"]\n  }}\n}}\n",
        mirror.display()
    )
}

/// A configuration that needs the provider but not the API: it only calls its function.
fn configuration() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    coreweave = {{\n      source  = \"cwfed/coreweave\"\n      \
         version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
         output \"principal\" {{\n  value = provider::coreweave::service_account_principal(\n    \
         \"https://oidc.cks.coreweave.com/id/abc\", \"default\", \"my-sa\"\n  )\n}}\n"
    )
}

/// Runs Terraform in `workdir` with the given CLI configuration, isolated from the caller's.
fn terraform(workdir: &Path, cli_config: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(terraform_binary());
    command
        .arg(format!("-chdir={}", workdir.display()))
        .args(args)
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1");
    for name in [
        "TF_PLUGIN_CACHE_DIR",
        "TF_DATA_DIR",
        "TF_CLI_ARGS",
        "TF_CLI_ARGS_init",
        "TF_CLI_ARGS_plan",
        "COREWEAVE_API_TOKEN",
        "COREWEAVE_API_ENDPOINT",
        "COREWEAVE_OIDC_ISSUER_BASE_URL",
    ] {
        command.env_remove(name);
    }
    let output = command.output().expect("running terraform");
    assert!(
        output.status.success(),
        "terraform {args:?} failed:\n{}",
        text(&output)
    );
    output
}

/// The quoted `h1:` / `zh:` hashes of a lock file.
fn lock_hashes(lock: &str) -> Vec<String> {
    lock.split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn terraform_installs_the_release_zip_from_a_packed_mirror() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dist");
    release(&out);
    let mirror = dir.path().join("mirror");
    let packed = mirror.join(ADDRESS);
    std::fs::create_dir_all(&packed).expect("creating the mirror");
    std::fs::copy(out.join(zip_name()), packed.join(zip_name())).expect("copying the zip");
    let cli = dir.path().join("cli.tfrc");
    std::fs::write(&cli, cli_config(&mirror)).expect("writing cli.tfrc");
    let workdir = dir.path().join("work");
    std::fs::create_dir(&workdir).expect("creating the working directory");
    std::fs::write(workdir.join("main.tf"), configuration()).expect("writing main.tf");

    let init = terraform(&workdir, &cli, &["init", "-input=false", "-no-color"]);
    assert!(
        text(&init).contains(&format!("Installed cwfed/coreweave v{VERSION}")),
        "{}",
        text(&init)
    );
    let lock = std::fs::read_to_string(workdir.join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains(&format!("provider \"{ADDRESS}\"")), "{lock}");
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")),
        "{lock}"
    );
    let binary = std::fs::read(env!("CARGO_BIN_EXE_terraform-provider-coreweave")).expect("binary");
    let name = format!("{NAME}_v{VERSION}");
    assert_eq!(
        lock_hashes(&lock),
        [h1_hash(&[(name.as_str(), binary.as_slice())])],
        "the lock file should hold the hash of a zip with exactly the binary, named {name}:\n{lock}"
    );

    let plan = terraform(&workdir, &cli, &["plan", "-input=false", "-no-color"]);
    assert!(
        text(&plan).contains(&format!("principal = \"{PRINCIPAL}\"")),
        "{}",
        text(&plan)
    );
}
