//! Moving over from the official provider (`coreweave/coreweave`), as
//! `docs/guides/official-provider.md` describes: objects the official provider created, sent to
//! the sandbox in the request shapes its source builds, import into this provider's resources
//! through `import` blocks with nothing to change, and plan empty afterwards. This provider is
//! configured under the local name the guide uses beside the official one (`cwfed`).

use serde_json::{json, Value};

use crate::support::aws::Pod;
use crate::support::buckets::allow_s3;
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

const BUCKET: &str = "training-data";

/// What the official `coreweave_object_storage_bucket_policy_document` renders for the
/// statements of [`bucket_configuration`] (its documented format: compact, `Principal` always,
/// one action or resource as a string, condition values as lists).
const OFFICIAL_POLICY_JSON: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyPrivate","Principal":{"CW":["*"]},"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::training-data/private/*"},{"Sid":"AllowOwnOrganization","Principal":{"CW":["*"]},"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::training-data","arn:aws:s3:::training-data/*"],"Condition":{"StringEquals":{"cw:PrincipalOrgID":["sandbox-org"]}}}]}"#;

/// The S3 calls of the official provider's bucket and bucket policy creates, in its order
/// (HeadBucket, CreateBucket with the zone, HeadBucket, PutBucketTagging, PutBucketPolicy with
/// the document's text), made by boto3 with a key of the API token (CreateAccessKeyFromJWT).
const OFFICIAL_BUCKET_CREATE: &str = r#"
import sys, boto3, botocore
key, secret, bucket, policy = sys.argv[1:5]
s3 = boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
try:
    s3.head_bucket(Bucket=bucket)
    sys.exit("the bucket exists already")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "404", e.response
s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "US-EAST-04A"})
s3.head_bucket(Bucket=bucket)
s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "ml"}]})
s3.put_bucket_policy(Bucket=bucket, Policy=policy)
print("created")
"#;

/// Another tool's rewrite of the bucket's policy with the same meaning: statements in reverse
/// order, keys sorted, indented, a single principal as a string, a single action as a list.
const SAME_POLICY_REWRITTEN: &str = r#"
import sys, json, boto3
key, secret, bucket, policy = sys.argv[1:5]
doc = json.loads(policy)
for s in doc["Statement"]:
    s["Principal"] = {kind: values[0] for kind, values in s["Principal"].items()}
    s["Action"] = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
doc["Statement"].reverse()
s3 = boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(doc, indent=4, sort_keys=True))
print("rewritten")
"#;

/// The guide's configuration of this provider for the bucket and its policy: the official HCL
/// with `provider = cwfed`, and with `blocks`, an `import` block for each, by bucket name.
fn bucket_configuration(sandbox: &Sandbox, blocks: bool) -> String {
    let import_blocks = if blocks {
        BUCKET_IMPORTS
            .iter()
            .map(|to| format!("import {{\n  to = {to}\n  id = \"{BUCKET}\"\n}}\n\n"))
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
  endpoint    = "{url}"
  token       = "{TOKEN}"
  s3_endpoint = "{s3}"
}}

{import_blocks}resource "coreweave_object_storage_bucket" "training" {{
  provider = cwfed
  name     = "{BUCKET}"
  zone     = "US-EAST-04A"
  tags     = {{ team = "ml" }}
}}

data "coreweave_object_storage_bucket_policy_document" "training" {{
  provider = cwfed
  statement {{
    sid       = "DenyPrivate"
    effect    = "Deny"
    principal = {{ CW = ["*"] }}
    action    = ["s3:GetObject"]
    resource  = ["arn:aws:s3:::{BUCKET}/private/*"]
  }}
  statement {{
    sid       = "AllowOwnOrganization"
    principal = {{ CW = ["*"] }}
    action    = ["s3:*"]
    resource  = ["arn:aws:s3:::{BUCKET}", "arn:aws:s3:::{BUCKET}/*"]
    condition = {{ StringEquals = {{ "cw:PrincipalOrgID" = "sandbox-org" }} }}
  }}
}}

resource "coreweave_object_storage_bucket_policy" "training" {{
  provider = cwfed
  bucket   = coreweave_object_storage_bucket.training.name
  policy   = data.coreweave_object_storage_bucket_policy_document.training.json
}}
"#,
        url = sandbox.url,
        s3 = sandbox.s3_url(),
    )
}

const BUCKET_IMPORTS: [&str; 2] = [
    "coreweave_object_storage_bucket.training",
    "coreweave_object_storage_bucket_policy.training",
];

#[test]
fn a_bucket_and_policy_of_the_official_provider_import_with_nothing_to_change() {
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    let key = call(
        &sandbox,
        reqwest::Method::POST,
        "/v1/cwobject/access-key",
        json!({"durationSeconds": 900}),
    );
    let boto3 = |script: &str| {
        Pod::bare(&sandbox.s3_url())
            .python(
                script,
                &[
                    key["accessKeyId"].as_str().unwrap(),
                    key["secretKey"].as_str().unwrap(),
                    BUCKET,
                    OFFICIAL_POLICY_JSON,
                ],
            )
            .success()
            .trim()
            .to_string()
    };
    assert_eq!(boto3(OFFICIAL_BUCKET_CREATE), "created");

    let ws = Workspace::new();
    let blocks = import_blocks_supported();
    ws.write_raw(&bucket_configuration(&sandbox, blocks));
    sandbox.clear_requests();
    if blocks {
        let plan = ws.plan();
        assert!(
            plan.stdout
                .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
            "{}",
            plan.output()
        );
        ws.apply();
    } else {
        for to in BUCKET_IMPORTS {
            ws.import(to, BUCKET).success();
        }
    }
    // The provider's short-lived S3 keys are its only writes (one per provider process).
    let writes: Vec<_> = sandbox
        .writes()
        .into_iter()
        .filter(|w| w.path != "/v1/cwobject/access-key")
        .collect();
    assert_eq!(
        writes,
        [],
        "importing writes nothing to the bucket or its policy"
    );
    ws.assert_no_changes();
    assert_eq!(
        ws.state_of("data.coreweave_object_storage_bucket_policy_document.training")["json"],
        OFFICIAL_POLICY_JSON,
        "the data source renders the official bytes"
    );
    assert_eq!(
        ws.state_of("coreweave_object_storage_bucket_policy.training")["policy"],
        OFFICIAL_POLICY_JSON
    );
    assert_eq!(boto3(SAME_POLICY_REWRITTEN), "rewritten");
    ws.assert_no_changes();
}
