//! The federation module against a real CoreWeave organization (a sandbox organization of your
//! own), not the local emulator: `make testacc-real`. It needs `TF_ACC=1`,
//! `COREWEAVE_API_TOKEN` and `COREWEAVE_ACC_CLUSTER_NAME` (a CKS cluster in that organization),
//! optionally `COREWEAVE_API_ENDPOINT`. Everything it creates is named `tfacc-…` and destroyed.

use std::path::Path;

use crate::support::terraform::required_providers;
use crate::support::Workspace;

fn required_env(name: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            panic!("{name} must be set to run against a real organization (see make testacc-real)")
        })
}

#[test]
#[ignore = "talks to a real CoreWeave organization: run with `make testacc-real`"]
fn federation_module_applies_replans_empty_and_destroys_in_a_real_organization() {
    assert_eq!(
        required_env("TF_ACC"),
        "1",
        "set TF_ACC=1 to run acceptance tests against a real organization"
    );
    let mut ws = Workspace::new();
    ws.env("COREWEAVE_API_TOKEN", &required_env("COREWEAVE_API_TOKEN"));
    if let Ok(endpoint) = std::env::var("COREWEAVE_API_ENDPOINT") {
        ws.env("COREWEAVE_API_ENDPOINT", &endpoint);
    }
    let cluster = required_env("COREWEAVE_ACC_CLUSTER_NAME");
    let suffix = std::process::id();
    let module = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/modules/cks-object-storage-federation");
    ws.write_raw(&format!(
        r#"{}
provider "coreweave" {{}}

module "federation" {{
  source          = "{}"
  cluster_name    = "{cluster}"
  policy_name     = "tfacc-federation-{suffix}"
  wif_config_name = "tfacc-federation-{suffix}"
  grants = [{{ namespace = "default", service_account = "tfacc-sa", buckets = ["tfacc-bucket-{suffix}"] }}]
}}
"#,
        required_providers(),
        module.display()
    ));
    ws.run(&["get", "-no-color"]).success();
    ws.apply();
    let destroy_on_exit = scopeguard(&ws);
    ws.assert_no_changes();
    drop(destroy_on_exit);
}

/// Destroys whatever the test created, even when an assertion failed.
fn scopeguard(ws: &Workspace) -> impl Drop + '_ {
    struct Destroy<'a>(&'a Workspace);
    impl Drop for Destroy<'_> {
        fn drop(&mut self) {
            let run = self
                .0
                .run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
            assert!(
                std::thread::panicking() || run.code == 0,
                "destroy failed:\n{}",
                run.output()
            );
        }
    }
    Destroy(ws)
}
