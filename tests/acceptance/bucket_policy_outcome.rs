//! Issue 26's outcome with the real AWS CLI and boto3, wired as a pod is (container credentials,
//! region `US-EAST-04A`, virtual-hosted bucket names through the proxy setting): Terraform
//! applies the federation module with a bucket and a bucket policy, and every S3 call is decided
//! by the organization's access policies first, then by the bucket's policy. In the same
//! configuration `coreweave_object_storage_access_check` (no what-ifs) says the same for this
//! organization's principal, decision and deciding layer, and a what-if check planned before the
//! bucket policy exists predicts its refusal. Another organization's principal is refused by the
//! bucket policy's `cw:PrincipalOrgID` condition (boto3 with that organization's key), and the
//! access check told that principal's organization (`principal_org_id`) says so too.

use serde_json::{json, Value};

use crate::support::aws::{demo_issuer, service_account_token, Pod, BOTO3_CALL};
use crate::support::buckets::allow_s3;
use crate::support::terraform::{functions_supported, org_policy_block, Statement};
use crate::support::{Sandbox, Workspace};

const BUCKET: &str = "training-data";
const PRIVATE: &str = "data/private/notes.txt";
const PUBLIC: &str = "data/public.csv";
/// Under an organization Deny, and allowed by the bucket policy.
const HELD: &str = "data/held/weights.bin";
/// A principal of another organization, whom this organization's access policies let read the
/// bucket's objects.
const PARTNER: &str = "coreweave/partner";
/// [`PARTNER`]'s organization.
const PARTNER_ORG: &str = "partner-org";

fn reader() -> String {
    format!(
        "role/{}:system:serviceaccount:default:reader",
        demo_issuer()
    )
}

/// The module's inputs: `default/reader` may read `training-data` (and its policy), which the
/// module creates; with `policy`, the bucket's policy Denies `data/private/*` (and, by the
/// module's default, Allows the rest to principals of this organization).
fn inputs(sandbox: &Sandbox, policy: bool) -> String {
    let bucket_policies = if policy {
        format!(
            r#"
  bucket_policies = {{
    "{BUCKET}" = {{
      statements = [{{
        sid      = "DenyPrivate"
        effect   = "Deny"
        action   = ["s3:GetObject"]
        resource = ["arn:aws:s3:::{BUCKET}/data/private/*"]
      }}]
    }}
  }}"#
        )
    } else {
        String::new()
    };
    format!(
        r#"
  s3_endpoint = "{s3}"
  grants = [
    {{ namespace = "default", service_account = "reader", buckets = ["{BUCKET}"],
       actions = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketPolicy"] }},
  ]
  buckets = {{
    "{BUCKET}" = {{ zone = "US-EAST-04A", tags = {{ team = "ml" }}, force_destroy = true }}
  }}{bucket_policies}"#,
        s3 = sandbox.s3_url(),
    )
}

/// Beside the module: an organization Deny of `data/held/*` for the reader, an organization
/// Allow of the bucket's objects for [`PARTNER`]; the live access check of the reader's three
/// reads, read after the module's changes are applied; and, with `policy`, a what-if check of
/// the module's planned document, read while planning.
fn extra(policy: bool) -> String {
    let deny_held = org_policy_block(
        "deny_held",
        "deny-held",
        Statement {
            name: "reader-not-held",
            effect: "Deny",
            action: "s3:GetObject",
            resource: &format!("{BUCKET}/data/held/*"),
            principal: &reader(),
        },
    );
    let partner_reads = org_policy_block(
        "partner_reads",
        "partner-reads",
        Statement {
            name: "partner-objects",
            effect: "Allow",
            action: "s3:GetObject",
            resource: &format!("{BUCKET}/*"),
            principal: PARTNER,
        },
    );
    let what_if = if policy {
        format!(
            r#"
data "coreweave_object_storage_access_check" "what_if" {{
  principal       = local.reader
  actions         = ["s3:GetObject"]
  resources       = local.reads
  bucket_policies = module.federation.bucket_policies
  depends_on = [
    coreweave_object_storage_org_policy.deny_held,
    coreweave_object_storage_org_policy.partner_reads,
  ]
}}
output "what_if" {{ value = data.coreweave_object_storage_access_check.what_if.results }}
output "planned_policy" {{ value = module.federation.bucket_policies["{BUCKET}"] }}
"#
        )
    } else {
        String::new()
    };
    format!(
        r#"{deny_held}{partner_reads}
locals {{
  reader = "{reader}"
  reads  = ["{BUCKET}/{PRIVATE}", "{BUCKET}/{PUBLIC}", "{BUCKET}/{HELD}"]
}}
data "coreweave_object_storage_access_check" "live" {{
  principal  = local.reader
  actions    = ["s3:GetObject"]
  resources  = local.reads
  depends_on = [
    module.federation,
    coreweave_object_storage_org_policy.deny_held,
    coreweave_object_storage_org_policy.partner_reads,
  ]
}}
output "live" {{ value = data.coreweave_object_storage_access_check.live.results }}
data "coreweave_object_storage_access_check" "partner" {{
  principal        = "{PARTNER}"
  principal_org_id = "{PARTNER_ORG}"
  actions          = ["s3:GetObject"]
  resources        = ["{BUCKET}/{PUBLIC}"]
  depends_on = [
    module.federation,
    coreweave_object_storage_org_policy.partner_reads,
  ]
}}
output "partner" {{ value = data.coreweave_object_storage_access_check.partner.results }}
{what_if}"#,
        reader = reader(),
    )
}

/// `(object key, decision, decided_by)` of each result, sorted.
fn decisions(results: &Value) -> Vec<(String, String, String)> {
    let mut all: Vec<(String, String, String)> = results
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let resource = r["resource"].as_str().unwrap();
            (
                resource
                    .trim_start_matches(&format!("{BUCKET}/"))
                    .to_string(),
                r["decision"].as_str().unwrap().to_string(),
                r["decided_by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

/// `rows` in the shape of [`decisions`].
fn expected(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    let mut all: Vec<_> = rows
        .iter()
        .map(|(k, d, b)| (k.to_string(), d.to_string(), b.to_string()))
        .collect();
    all.sort();
    all
}

/// `aws s3api get-object` of `training-data/<key>` as `pod` (GetObject, whose refusal carries
/// the S3 error code and message; `aws s3 cp` asks HeadObject first, whose refusal has no body):
/// the object's text, or the CLI's error output.
fn read(pod: &Pod, key: &str) -> Result<String, String> {
    let run = pod.aws(&[
        "s3api",
        "get-object",
        "--bucket",
        BUCKET,
        "--key",
        key,
        "got",
    ]);
    if run.code == 0 {
        Ok(std::fs::read_to_string(pod.dir().join("got")).unwrap())
    } else {
        Err(run.stderr)
    }
}

/// Asserts that `read` was refused with `AccessDenied`, its message containing `reason`.
fn assert_refused(read: Result<String, String>, reason: &str) {
    let stderr = read.expect_err("the read was allowed");
    assert!(stderr.contains("(AccessDenied)"), "{stderr}");
    assert!(stderr.contains(reason), "expected {reason:?} in {stderr}");
}

/// boto3 reading `training-data/<key>` with a key of [`PARTNER`], of [`PARTNER_ORG`]: `ok` or
/// the error code.
fn partner_read(sandbox: &Sandbox, key: &str) -> String {
    let issued = sandbox.access_key(PARTNER, json!({"orgId": PARTNER_ORG}));
    let mut pod = Pod::bare(&sandbox.s3_url());
    pod.virtual_hosted(sandbox);
    pod.python(
        BOTO3_CALL,
        &[
            issued["accessKeyId"].as_str().unwrap(),
            issued["secretKey"].as_str().unwrap(),
            "",
            BUCKET,
            key,
        ],
    )
    .success()
    .trim()
    .to_string()
}

#[test]
fn a_bucket_policy_refuses_what_the_organization_allows_and_the_access_check_agrees() {
    if !functions_supported(
        "a_bucket_policy_refuses_what_the_organization_allows_and_the_access_check_agrees",
    ) {
        return;
    }
    let sandbox = Sandbox::start();
    allow_s3(&sandbox);
    let mut ws = Workspace::with_federation_module();
    ws.env("COREWEAVE_S3_ENDPOINT", &sandbox.s3_url());

    // 1. The bucket, the grants and the organization Deny; no bucket policy yet.
    ws.write_federation(&sandbox, &inputs(&sandbox, false), &extra(false));
    ws.apply();
    sandbox.seed_bucket(
        BUCKET,
        json!({PRIVATE: "private notes", PUBLIC: "a,b\n1,2\n", HELD: "held back"}),
    );
    let env = ws.outputs()["env"].clone();
    let mut pod = Pod::new(&env, &service_account_token(&sandbox, "default/reader"));
    pod.virtual_hosted(&sandbox);
    assert_eq!(read(&pod, PRIVATE).unwrap(), "private notes");
    assert_refused(read(&pod, HELD), "reader-not-held");
    assert_eq!(
        partner_read(&sandbox, PUBLIC),
        "ok",
        "no bucket policy: the organization's policies decide"
    );
    assert_eq!(
        decisions(&ws.outputs()["partner"]),
        expected(&[(PUBLIC, "allowed", "org_policy")]),
        "the access check of the other organization's principal agrees"
    );
    assert_eq!(
        decisions(&ws.outputs()["live"]),
        expected(&[
            (PRIVATE, "allowed", "org_policy"),
            (PUBLIC, "allowed", "org_policy"),
            (HELD, "explicit_deny", "org_policy"),
        ])
    );

    // 2. The plan that adds the bucket policy: the what-if check, read while planning, predicts
    // the refusal before anything is applied.
    ws.write_federation(&sandbox, &inputs(&sandbox, true), &extra(true));
    ws.run(&["plan", "-out=tfplan", "-input=false", "-no-color"])
        .success();
    let plan: Value =
        serde_json::from_str(&ws.run(&["show", "-json", "tfplan"]).success().stdout).unwrap();
    let planned = &plan["planned_values"]["outputs"];
    assert_eq!(
        decisions(&planned["what_if"]["value"]),
        expected(&[
            (PRIVATE, "explicit_deny", "bucket_policy"),
            (PUBLIC, "allowed", "bucket_policy"),
            (HELD, "explicit_deny", "org_policy"),
        ]),
        "the what-if check of the planned document"
    );
    assert_eq!(
        read(&pod, PRIVATE).unwrap(),
        "private notes",
        "not applied yet"
    );
    ws.run(&["apply", "-input=false", "-no-color", "tfplan"])
        .success();

    // 3. Applied: the pod's reads are what both layers say, and so is the live check.
    assert_refused(read(&pod, PRIVATE), "DenyPrivate");
    sandbox.clear_requests();
    assert_eq!(read(&pod, PUBLIC).unwrap(), "a,b\n1,2\n");
    let get = sandbox
        .requests()
        .into_iter()
        .find(|r| r.service.as_deref() == Some("s3") && r.method == "GET")
        .expect("the pod's GetObject in the request log");
    let base = &sandbox.endpoints()["s3"]["virtual_host_base"];
    assert_eq!(
        get.host,
        Some(format!("{BUCKET}.{}", base.as_str().unwrap())),
        "virtual-hosted, as CoreWeave's endpoint wants"
    );
    // The bucket policy's AllowOwnOrganization matches this read; the organization's Deny wins.
    assert_refused(read(&pod, HELD), "reader-not-held");
    // Another organization's principal, allowed by the organization's policies, matches no
    // statement of the bucket's policy (AllowOwnOrganization's cw:PrincipalOrgID): refused.
    // The access check, told the principal's organization (`principal_org_id`), agrees.
    assert_eq!(partner_read(&sandbox, PUBLIC), "AccessDenied");
    let outputs = ws.outputs();
    assert_eq!(
        decisions(&outputs["partner"]),
        expected(&[(PUBLIC, "implicit_deny", "bucket_policy")]),
        "the access check of the other organization's principal agrees"
    );
    assert_eq!(
        decisions(&outputs["live"]),
        expected(&[
            (PRIVATE, "explicit_deny", "bucket_policy"),
            (PUBLIC, "allowed", "bucket_policy"),
            (HELD, "explicit_deny", "org_policy"),
        ]),
        "the live check agrees with the pod"
    );

    // 4. What the S3 API holds is what Terraform applied.
    let applied = outputs["planned_policy"].as_str().unwrap().to_string();
    let held: Value = pod
        .aws(&["s3api", "get-bucket-policy", "--bucket", BUCKET])
        .json();
    let served = held["Policy"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(served).unwrap(),
        serde_json::from_str::<Value>(&applied).unwrap(),
        "same meaning"
    );
    assert_eq!(served, applied, "byte for byte");
    ws.assert_no_changes();
}
