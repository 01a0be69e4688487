//! Buckets and bucket policies: a workspace whose provider block also names the sandbox's S3
//! endpoint, the organization access policy that lets the provider's own key use S3, and the
//! real AWS CLI acting out of band with a key of the same user (what the console or a script
//! would do behind Terraform's back).

use serde_json::{json, Value};

use super::aws::Pod;
use super::clients::ClientRun;
use super::terraform::{required_providers, Workspace};
use super::Sandbox;

/// The principal of the API token the tests' provider uses.
pub fn provider_principal(sandbox: &Sandbox) -> String {
    let (status, who) = sandbox.api(reqwest::Method::GET, "/v1beta1/auth/whoami", None);
    assert_eq!(status, 200, "{who}");
    format!(
        "coreweave/{}",
        who["principal"]["uid"].as_str().expect("uid")
    )
}

/// An organization access policy `s3-admin` letting the provider's user do anything in S3.
pub fn allow_s3(sandbox: &Sandbox) {
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(
            json!({"policy": {"version": "v1alpha1", "name": "s3-admin", "statements": [{
            "name": "all", "effect": "Allow", "actions": ["s3:*"],
            "resources": ["*"], "principals": [provider_principal(sandbox)]}]}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
}

/// A provider block pointing at `sandbox`'s API and S3 endpoint, allowing `max_retries`
/// retries.
pub fn s3_provider_block(sandbox: &Sandbox, max_retries: u32) -> String {
    format!(
        "provider \"coreweave\" {{\n  endpoint    = \"{url}\"\n  s3_endpoint = \"{s3}\"\n  token       = \"{token}\"\n  max_retries = {max_retries}\n}}\n",
        url = sandbox.url,
        s3 = sandbox.s3_url(),
        token = super::sandbox::TOKEN,
    )
}

/// Writes `main.tf`: required providers, [`s3_provider_block`] with 3 retries, then `body`.
pub fn write(ws: &Workspace, sandbox: &Sandbox, body: &str) {
    write_with_retries(ws, sandbox, 3, body);
}

/// [`write`] with a provider allowing `max_retries` retries.
pub fn write_with_retries(ws: &Workspace, sandbox: &Sandbox, max_retries: u32, body: &str) {
    ws.write_raw(&format!(
        "{}\n{}\n{body}\n",
        required_providers(),
        s3_provider_block(sandbox, max_retries)
    ));
}

/// A `coreweave_object_storage_bucket` block `label` named `name` in `zone` with `extra` HCL.
pub fn bucket_block(label: &str, name: &str, zone: &str, extra: &str) -> String {
    format!(
        "resource \"coreweave_object_storage_bucket\" \"{label}\" {{\n  name = \"{name}\"\n  zone = \"{zone}\"\n{extra}\n}}\n"
    )
}

/// The AWS CLI with a key of the provider's user, against the sandbox's S3 endpoint.
pub struct OutOfBand {
    pod: Pod,
}

impl OutOfBand {
    /// A CLI for `sandbox`.
    pub fn new(sandbox: &Sandbox) -> Self {
        let key = sandbox.access_key(&provider_principal(sandbox), json!({}));
        let mut pod = Pod::bare(&sandbox.s3_url());
        pod.set(
            "AWS_ACCESS_KEY_ID",
            key["accessKeyId"].as_str().expect("key id"),
        )
        .set(
            "AWS_SECRET_ACCESS_KEY",
            key["secretKey"].as_str().expect("secret"),
        );
        OutOfBand { pod }
    }

    /// `aws s3api <args>`.
    pub fn s3api(&self, args: &[&str]) -> ClientRun {
        let mut all = vec!["s3api"];
        all.extend_from_slice(args);
        self.pod.aws(&all)
    }

    /// The bucket's tags, `{}` when it has none.
    pub fn tags(&self, bucket: &str) -> Value {
        let run = self.s3api(&["get-bucket-tagging", "--bucket", bucket]);
        if run.code != 0 && run.stderr.contains("NoSuchTagSet") {
            return json!({});
        }
        let tags = run.json();
        Value::Object(
            tags["TagSet"]
                .as_array()
                .expect("TagSet")
                .iter()
                .map(|t| (t["Key"].as_str().unwrap().to_string(), t["Value"].clone()))
                .collect(),
        )
    }

    /// Whether the bucket exists.
    pub fn exists(&self, bucket: &str) -> bool {
        self.s3api(&["head-bucket", "--bucket", bucket]).code == 0
    }

    /// The bucket's policy document, `None` when it has none.
    pub fn policy(&self, bucket: &str) -> Option<Value> {
        let run = self.s3api(&["get-bucket-policy", "--bucket", bucket]);
        if run.code != 0 && run.stderr.contains("NoSuchBucketPolicy") {
            return None;
        }
        let text = run.json()["Policy"].as_str().expect("Policy").to_string();
        Some(serde_json::from_str(&text).expect("a JSON policy"))
    }
}
