//! A Terraform working directory wired to the freshly built provider via `dev_overrides`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use super::clients::installed;
use super::sandbox::{Sandbox, TOKEN};

/// The provider source address used in tests.
pub const SOURCE: &str = "cwfed/coreweave";

/// Output of one Terraform command.
#[derive(Debug)]
pub struct TfRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TfRun {
    /// stdout and stderr together, for assertions on messages.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics with the full output unless the command succeeded.
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.output());
        self
    }

    /// Panics unless the command failed; returns the output with line breaks and box drawing
    /// removed so that messages can be matched whole.
    pub fn failure(self) -> String {
        assert_ne!(
            self.code,
            0,
            "terraform unexpectedly succeeded:\n{}",
            self.output()
        );
        squash(&self.output())
    }
}

/// Joins wrapped diagnostic lines: removes Terraform's box drawing and collapses whitespace.
pub fn squash(text: &str) -> String {
    text.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The Terraform binary: `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH, else the
/// project-local one installed by `scripts/install-terraform.sh`.
pub fn terraform_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(p) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        if let Some(p) = std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|d| d.join("terraform"))
            .find(|p| p.is_file())
        {
            return p;
        }
        installed("install-terraform.sh", "terraform")
    })
}

/// The version of [`terraform_binary`] as `(major, minor)`, from `terraform version -json`.
pub fn terraform_version() -> (u64, u64) {
    static VERSION: OnceLock<(u64, u64)> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let out = Command::new(terraform_binary())
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .expect("running terraform version");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "terraform version -json: {e}: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        let text = json["terraform_version"].as_str().unwrap_or_default();
        let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    })
}

/// Whether the tests' Terraform is at least `since`. When it is not, the caller returns at once
/// (its whole test is skipped), and this says so on a line `test-skipped: <test>: <why>` that
/// `scripts/test-summary.sh` counts as skipped instead of passed. The line goes to the process's
/// stdout directly: libtest captures only `print!`, so it shows in every run, passing or not.
fn supported_since(test: &str, since: (u64, u64), feature: &str) -> bool {
    let (major, minor) = terraform_version();
    let supported = (major, minor) >= since;
    if !supported {
        let mut out = std::io::stdout().lock();
        // A lost line only loses the count; the test's outcome stands.
        let _ = writeln!(
            out,
            "test-skipped: {test}: Terraform {major}.{minor} has no {feature} ({}.{} or later)",
            since.0, since.1
        );
    }
    supported
}

/// Whether the tests' Terraform calls provider functions (1.8 and later).
pub fn functions_supported(test: &str) -> bool {
    supported_since(test, (1, 8), "provider functions")
}

/// Whether the tests' Terraform has ephemeral resources (1.10 and later).
pub fn ephemeral_supported(test: &str) -> bool {
    supported_since(test, (1, 10), "ephemeral resources")
}

/// Whether the tests' Terraform has resource identity, `import { identity = {...} }` (1.12 and
/// later).
pub fn identity_supported(test: &str) -> bool {
    supported_since(test, (1, 12), "resource identity")
}

/// Whether the tests' Terraform has list resources and `terraform query` (1.14 and later).
pub fn query_supported(test: &str) -> bool {
    supported_since(test, (1, 14), "list resources (terraform query)")
}

/// Directory holding the provider binary built for these tests (and the workspace's other
/// binaries, such as the plugin layer's `terraform-provider-nullbench`).
pub fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-coreweave"))
        .parent()
        .expect("provider directory")
        .to_path_buf()
}

/// A temporary Terraform working directory.
pub struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// An empty working directory with its own CLI configuration.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let cli = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir().display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli).expect("writing cli.tfrc");
        Self {
            dir,
            env: Vec::new(),
        }
    }

    /// A working directory holding a copy of the federation module as `./federation`.
    pub fn with_federation_module() -> Self {
        let ws = Self::new();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/modules/cks-object-storage-federation"),
            &ws.path().join("federation"),
        );
        ws
    }

    /// Replaces the CLI configuration (by default `dev_overrides` for the provider built for
    /// these tests) with `hcl`.
    pub fn set_cli_config(&self, hcl: &str) {
        std::fs::write(self.path().join("cli.tfrc"), hcl).expect("writing cli.tfrc");
    }

    /// Path of the working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds an environment variable to every Terraform command of this workspace.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Writes `main.tf` exactly as given.
    pub fn write_raw(&self, hcl: &str) {
        std::fs::write(self.path().join("main.tf"), hcl).expect("writing main.tf");
    }

    /// Writes `main.tf`: the required_providers block, a provider block for `sandbox`, then `body`.
    pub fn write(&self, sandbox: &Sandbox, body: &str) {
        self.write_raw(&format!(
            "{}\n{}\n{body}\n",
            required_providers(),
            provider_block(sandbox)
        ));
    }

    /// Writes `main.tf` (see [`Workspace::write`]) calling the copied federation module (see
    /// [`Workspace::with_federation_module`]) for the cluster `demo` at `sandbox` with the further
    /// module arguments `inputs`, an output `env` of its `pod_environment`, then `extra` HCL; and
    /// installs the module (`terraform get`).
    pub fn write_federation(&self, sandbox: &Sandbox, inputs: &str, extra: &str) {
        self.write(
            sandbox,
            &format!(
                r#"
module "federation" {{
  source       = "./federation"
  cluster_name = "demo"
  api_endpoint = "{url}"
{inputs}
}}
output "env" {{ value = module.federation.pod_environment }}
{extra}"#,
                url = sandbox.url
            ),
        );
        self.run(&["get", "-no-color"]).success();
    }

    /// Runs `terraform <args>` in the workspace.
    pub fn run(&self, args: &[&str]) -> TfRun {
        let out = self.command(args).output().expect("running terraform");
        TfRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts `terraform <args>` in the background, output captured.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting terraform")
    }

    /// [`Workspace::spawn`] in a process group of its own, so that `kill(-pid, SIGINT)` reaches
    /// Terraform and its providers together, as a terminal's Ctrl-C does.
    pub fn spawn_as_from_a_terminal(&self, args: &[&str]) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        self.command(args)
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting terraform")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(terraform_binary());
        cmd.args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PATH")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("COREWEAVE_API_TOKEN")
            .env_remove("TFC_WORKLOAD_IDENTITY_TOKEN")
            .env_remove("COREWEAVE_API_ENDPOINT")
            .env_remove("COREWEAVE_S3_ENDPOINT")
            .env_remove("COREWEAVE_OIDC_ISSUER_BASE_URL");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// `terraform validate -no-color`.
    pub fn validate(&self) -> TfRun {
        self.run(&["validate", "-no-color"])
    }

    /// `terraform apply -auto-approve`, with extra arguments.
    pub fn apply_args(&self, extra: &[&str]) -> TfRun {
        let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `terraform apply -auto-approve`; panics on failure.
    pub fn apply(&self) -> TfRun {
        self.apply_args(&[]).success()
    }

    /// `terraform plan -detailed-exitcode`: 0 = no changes, 1 = error, 2 = changes.
    pub fn plan(&self) -> TfRun {
        self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
    }

    /// Asserts that a refresh and plan find nothing to change.
    pub fn assert_no_changes(&self) {
        let run = self.plan();
        assert_eq!(run.code, 0, "expected an empty plan:\n{}", run.output());
    }

    /// `terraform destroy -auto-approve`; panics on failure.
    pub fn destroy(&self) -> TfRun {
        self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success()
    }

    /// `terraform import ADDRESS ID`.
    pub fn import(&self, address: &str, id: &str) -> TfRun {
        self.run(&["import", "-input=false", "-no-color", address, id])
    }

    /// The attribute values of one resource or data source in state (`terraform show -json`).
    pub fn state_of(&self, address: &str) -> Value {
        let run = self.run(&["show", "-json", "-no-color"]).success();
        let v: Value = serde_json::from_str(&run.stdout).expect("terraform show -json");
        v["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| r["values"].clone())
            .unwrap_or(Value::Null)
    }

    /// All root module outputs (`terraform output -json`), as `{name: value}`.
    pub fn outputs(&self) -> Value {
        let run = self.run(&["output", "-json", "-no-color"]).success();
        let v: Value = serde_json::from_str(&run.stdout).expect("terraform output -json");
        Value::Object(
            v.as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, o)| (k.clone(), o["value"].clone()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// Raw contents of `terraform.tfstate`.
    pub fn raw_state(&self) -> String {
        std::fs::read_to_string(self.path().join("terraform.tfstate")).unwrap_or_default()
    }
}

/// Copies the directory tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A `resource "<kind>" "this"` block: the `defaults` lines (`key = value`), except those whose key
/// `attrs` sets itself, then `attrs`.
pub fn resource_block(kind: &str, defaults: &[String], attrs: &str) -> String {
    let key = |line: &str| {
        line.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let overridden: Vec<String> = attrs.lines().map(key).collect();
    let mut lines: Vec<&str> = defaults
        .iter()
        .map(String::as_str)
        .filter(|d| !overridden.contains(&key(d)))
        .collect();
    lines.push(attrs);
    format!(
        "resource \"{kind}\" \"this\" {{\n{}\n}}\n",
        lines.join("\n")
    )
}

/// One statement of an org policy, each list holding one item.
pub struct Statement<'a> {
    pub name: &'a str,
    pub effect: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    pub principal: &'a str,
}

/// A `resource "coreweave_object_storage_org_policy" "<label>"` block named `name` with the one
/// `statement`.
pub fn org_policy_block(label: &str, name: &str, statement: Statement) -> String {
    let Statement {
        name: statement_name,
        effect,
        action,
        resource,
        principal,
    } = statement;
    format!(
        r#"
resource "coreweave_object_storage_org_policy" "{label}" {{
  name = "{name}"
  statements = [{{
    name       = "{statement_name}"
    effect     = "{effect}"
    actions    = ["{action}"]
    resources  = ["{resource}"]
    principals = ["{principal}"]
  }}]
}}
"#
    )
}

/// `terraform { required_providers { coreweave = { source = "cwfed/coreweave" } } }`
pub fn required_providers() -> String {
    format!("terraform {{\n  required_providers {{\n    coreweave = {{ source = \"{SOURCE}\" }}\n  }}\n}}\n")
}

/// A provider block pointing at `sandbox` (the issuer base URL stays the default).
pub fn provider_block(sandbox: &Sandbox) -> String {
    format!(
        "provider \"coreweave\" {{\n  endpoint    = \"{url}\"\n  token       = \"{TOKEN}\"\n  max_retries = 3\n}}\n",
        url = sandbox.url
    )
}
