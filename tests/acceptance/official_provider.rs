//! Moving over from the official provider (`coreweave/coreweave`), as
//! `docs/guides/official-provider.md` describes: objects the official provider created, sent to
//! the sandbox in the request shapes its source builds, import into this provider's resources
//! through `import` blocks with nothing to change, and plan empty afterwards. This provider is
//! configured under the local name the guide uses beside the official one (`cwfed`).

use serde_json::{json, Value};

use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::terraform::{terraform_version, SOURCE};
use crate::support::{Sandbox, Workspace};

const WIF: &str = "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService";
const ISSUER: &str = "https://oidc.cks.coreweave.com/id/c0ffee00-0000-4000-8000-000000000001";
const POLICY: &str = "wif-service-account-access";
const PRINCIPAL: &str = "role/https://oidc.cks.coreweave.com/id/c0ffee00-0000-4000-8000-000000000001:system:serviceaccount:default:my-object-storage-sa";
const OKTA: &str = "https://example.okta.com/oauth2/default";

fn call(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Value) -> Value {
    let (status, answer) = sandbox.api(method, path, Some(body));
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

/// What the official provider's resources send on create; returns the WIF config's uid.
/// Its clients marshal with protojson, which leaves out empty strings and false booleans.
fn create_as_the_official_provider(sandbox: &Sandbox) -> String {
    // coreweave_object_storage_organization_access_policy: EnsureAccessPolicy.
    call(
        sandbox,
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        json!({"policy": {"name": POLICY, "version": "v1alpha1", "statements": [
            {"name": "token-exchange", "effect": "Allow", "actions": ["cwobject:CreateAccessKeyOIDC"],
             "resources": ["*"], "principals": [PRINCIPAL]},
            {"name": "read-training-data", "effect": "Allow",
             "actions": ["s3:GetObject", "s3:ListBucket"],
             "resources": ["training-data", "training-data/*"], "principals": [PRINCIPAL]},
        ]}}),
    );
    // coreweave_workload_federation_oidc_config: CreateOIDCConfig.
    let created = call(
        sandbox,
        reqwest::Method::POST,
        &format!("{WIF}/CreateOIDCConfig"),
        json!({"name": "cks-object-storage", "issuerUrl": ISSUER, "audience": ISSUER,
               "description": "Service accounts of the CKS cluster"}),
    );
    // coreweave_cks_cluster with an `oidc` block added: UpdateCluster with the whole block and
    // all ten `oidc.*` paths in the mask. The sandbox, like the documented API, also wants the
    // cluster's current `version`, which the official provider sends only when it changes.
    let version = sandbox.cluster(CLUSTER_DEMO)["version"].clone();
    let mask = [
        "issuer_url",
        "client_id",
        "username_claim",
        "username_prefix",
        "groups_claim",
        "groups_prefix",
        "ca",
        "required_claim",
        "signing_algorithms",
        "admin_group_binding",
    ]
    .map(|field| format!("oidc.{field}"))
    .join(",");
    call(
        sandbox,
        reqwest::Method::PATCH,
        &format!("/v1beta1/cks/clusters/{CLUSTER_DEMO}"),
        json!({"id": CLUSTER_DEMO, "version": version, "updateMask": mask,
               "oidc": {"issuerUrl": OKTA, "clientId": "kubernetes", "usernameClaim": "email",
                        "groupsClaim": "groups", "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}}),
    );
    created["config"]["uid"]
        .as_str()
        .expect("a config uid")
        .to_string()
}

/// The three imports: address and import ID.
fn imports(wif_uid: &str) -> [(&'static str, String); 3] {
    [
        (
            "coreweave_object_storage_org_policy.wif",
            POLICY.to_string(),
        ),
        (
            "coreweave_object_storage_wif_config.cluster",
            wif_uid.to_string(),
        ),
        ("coreweave_cks_cluster_oidc.okta", CLUSTER_DEMO.to_string()),
    ]
}

/// Whether the tests' Terraform takes `import` blocks for resources under a provider local name
/// other than the type's prefix. Terraform 1.6 makes such a block depend on the provider the type
/// implies (`hashicorp/coreweave`) and fails on the lock file (hashicorp/terraform#34328); the
/// guide's way there is the `terraform import` command.
fn import_blocks_supported() -> bool {
    let version = terraform_version();
    let supported = version >= (1, 7);
    if !supported {
        eprintln!(
            "Terraform {}.{}: import blocks under the local name cwfed fail there, so the objects are imported with `terraform import`",
            version.0, version.1
        );
    }
    supported
}

/// The new configuration of the guide's "Moving over": this provider's resources with the
/// values the official resources had, and with `blocks`, one `import` block each.
fn new_configuration(sandbox: &Sandbox, wif_uid: &str, blocks: bool) -> String {
    let import_blocks: String = if blocks {
        imports(wif_uid)
            .iter()
            .map(|(to, id)| format!("import {{\n  to = {to}\n  id = \"{id}\"\n}}\n\n"))
            .collect()
    } else {
        String::new()
    };
    format!(
        r#"terraform {{
  required_providers {{
    cwfed = {{ source = "{SOURCE}" }}
  }}
}}

provider "cwfed" {{
  endpoint = "{url}"
  token    = "{TOKEN}"
}}

{import_blocks}resource "coreweave_object_storage_org_policy" "wif" {{
  provider = cwfed
  name     = "{POLICY}"
  statements = [
    {{
      name       = "token-exchange"
      effect     = "Allow"
      actions    = ["cwobject:CreateAccessKeyOIDC"]
      resources  = ["*"]
      principals = ["{PRINCIPAL}"]
    }},
    {{
      name       = "read-training-data"
      effect     = "Allow"
      actions    = ["s3:GetObject", "s3:ListBucket"]
      resources  = ["training-data", "training-data/*"]
      principals = ["{PRINCIPAL}"]
    }},
  ]
}}

resource "coreweave_object_storage_wif_config" "cluster" {{
  provider    = cwfed
  name        = "cks-object-storage"
  issuer_url  = "{ISSUER}"
  audience    = "{ISSUER}"
  description = "Service accounts of the CKS cluster"
}}

resource "coreweave_cks_cluster_oidc" "okta" {{
  provider       = cwfed
  cluster_id     = "{CLUSTER_DEMO}"
  issuer_url     = "{OKTA}"
  client_id      = "kubernetes"
  username_claim = "email"
  groups_claim   = "groups"
  signing_algs   = ["RS256"]
}}
"#,
        url = sandbox.url
    )
}

#[test]
fn objects_of_the_official_provider_import_with_nothing_to_change() {
    let sandbox = Sandbox::start();
    let wif_uid = create_as_the_official_provider(&sandbox);
    let ws = Workspace::new();
    let blocks = import_blocks_supported();
    ws.write_raw(&new_configuration(&sandbox, &wif_uid, blocks));

    if blocks {
        let plan = ws.plan();
        assert_eq!(plan.code, 2, "imports are changes:\n{}", plan.output());
        assert!(
            plan.stdout
                .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
            "{}",
            plan.output()
        );
        sandbox.clear_requests();
        ws.apply();
    } else {
        sandbox.clear_requests();
        for (address, id) in imports(&wif_uid) {
            ws.import(address, &id).success();
        }
    }
    assert_eq!(sandbox.writes(), [], "importing writes nothing");

    ws.assert_no_changes();
    assert_eq!(
        ws.state_of("coreweave_object_storage_wif_config.cluster")["id"],
        wif_uid.as_str()
    );
    assert_eq!(
        ws.state_of("coreweave_cks_cluster_oidc.okta")["issuer_url"],
        OKTA
    );
}
