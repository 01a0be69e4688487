//! The pod's outcome with the real AWS CLI and boto3 (issue 17): the federation module is
//! applied by Terraform, then a pod's view of the sandbox's S3 endpoint is exactly what the
//! applied policies say, with the Pod Identity Webhook's contract (container credentials from a
//! token file, empty AWS config files, no instance metadata, region `US-EAST-04A`).

use serde_json::{json, Value};

use crate::support::aws::{demo_issuer, grant_read, service_account_token, Pod, BOTO3_CALL};
use crate::support::clients::ClientRun;
use crate::support::terraform::{functions_supported, org_policy_block, Statement};
use crate::support::{Sandbox, Workspace};

const BUCKET: &str = "training-data";

/// Seeds the buckets, then applies the federation module: `default/reader` may list all
/// buckets and read `training-data`; `default/writer` reads and writes it, but a separate
/// policy Denies it `training-data/secret/*`. Returns the workspace and `pod_environment`.
fn apply(sandbox: &Sandbox) -> (Workspace, Value) {
    sandbox.seed_bucket(
        BUCKET,
        json!({"data.csv": "a,b\n1,2\n", "secret/key.txt": "not for the writer"}),
    );
    sandbox.seed_bucket("other-team", json!({"x.txt": "theirs"}));
    let ws = Workspace::with_federation_module();
    let writer = format!(
        "role/{}:system:serviceaccount:default:writer",
        demo_issuer()
    );
    let inputs = format!(
        r#"
  s3_endpoint  = "{s3}"
  grants = [
    {{ namespace = "default", service_account = "reader", buckets = ["{BUCKET}"],
       actions = ["s3:GetObject", "s3:ListBucket"], list_buckets = true }},
    {{ namespace = "default", service_account = "writer", buckets = ["{BUCKET}"] }},
  ]"#,
        s3 = sandbox.s3_url(),
    );
    let deny_secrets = org_policy_block(
        "deny_secrets",
        "deny-secrets",
        Statement {
            name: "writer-not-secrets",
            effect: "Deny",
            action: "s3:GetObject",
            resource: &format!("{BUCKET}/secret/*"),
            principal: &writer,
        },
    );
    ws.write_federation(sandbox, &inputs, &deny_secrets);
    ws.apply();
    let env = ws.outputs()["env"].clone();
    (ws, env)
}

/// A sandbox with the federation applied (see [`apply`]), its workspace and `pod_environment`;
/// `None` (the test skipped) where Terraform has no provider functions.
fn applied(test: &str) -> Option<(Sandbox, Workspace, Value)> {
    if !functions_supported(test) {
        return None;
    }
    let sandbox = Sandbox::start();
    let (ws, env) = apply(&sandbox);
    Some((sandbox, ws, env))
}

/// `pod` copies `up.txt`, holding `text`, to `training-data/up.txt` with the AWS CLI.
fn upload(pod: &Pod, text: &str) -> ClientRun {
    std::fs::write(pod.dir().join("up.txt"), text).unwrap();
    pod.aws(&[
        "s3",
        "cp",
        "up.txt",
        &format!("s3://{BUCKET}/up.txt"),
        "--no-progress",
    ])
}

#[test]
fn the_pod_can_do_exactly_what_the_applied_policies_say() {
    let Some((sandbox, ws, env)) = applied("the_pod_can_do_exactly_what_the_applied_policies_say")
    else {
        return;
    };
    assert_eq!(env["AWS_DEFAULT_REGION"], "US-EAST-04A");
    assert_eq!(env["AWS_ENDPOINT_URL_S3"], sandbox.s3_url().as_str());

    let reader = Pod::new(&env, &service_account_token(&sandbox, "default/reader"));
    let listed: Value =
        serde_json::from_str(&reader.aws(&["s3api", "list-buckets"]).success()).unwrap();
    let names: Vec<&str> = listed["Buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["other-team", BUCKET]);
    assert!(reader.aws(&["s3", "ls"]).success().contains(BUCKET));
    let keys = reader
        .aws(&["s3", "ls", &format!("s3://{BUCKET}/"), "--recursive"])
        .success();
    assert!(
        keys.contains("data.csv") && keys.contains("secret/key.txt"),
        "{keys}"
    );
    let read = reader
        .aws(&["s3", "cp", &format!("s3://{BUCKET}/data.csv"), "-"])
        .success();
    assert_eq!(read, "a,b\n1,2\n");
    upload(&reader, "new").refused_with("AccessDenied");
    reader
        .aws(&["s3", "cp", "s3://other-team/x.txt", "-"])
        .refused_with("403");

    let writer = Pod::new(&env, &service_account_token(&sandbox, "default/writer"));
    writer
        .aws(&["s3api", "list-buckets"])
        .refused_with("AccessDenied");
    upload(&writer, "written by the pod").success();
    assert_eq!(
        reader
            .aws(&["s3", "cp", &format!("s3://{BUCKET}/up.txt"), "-"])
            .success(),
        "written by the pod"
    );
    // The Deny applied by Terraform wins over the module's Allow.
    writer
        .aws(&[
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            "secret/key.txt",
            "out",
        ])
        .refused_with("AccessDenied");

    // A service account no policy names gets no credentials at all.
    let stranger = Pod::new(&env, &service_account_token(&sandbox, "default/stranger"));
    let refused = stranger.aws(&["s3api", "list-buckets"]);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("container") && refused.stderr.contains("403"),
        "{}",
        refused.stderr
    );

    // After `terraform destroy` of the WIF config and policy nobody does.
    ws.destroy();
    let after = reader.aws(&["s3api", "list-buckets"]);
    assert_ne!(after.code, 0);
    assert!(after.stderr.contains("403"), "{}", after.stderr);
}

#[test]
fn a_large_file_goes_up_and_down_in_parts() {
    let Some((sandbox, _ws, env)) = applied("a_large_file_goes_up_and_down_in_parts") else {
        return;
    };
    let writer = Pod::new(&env, &service_account_token(&sandbox, "default/writer"));
    // 20 MiB of varied bytes: `aws s3 cp` switches to multipart at 8 MiB.
    let data: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(writer.dir().join("big.bin"), &data).unwrap();
    sandbox.clear_requests();
    let target = format!("s3://{BUCKET}/big.bin");
    writer
        .aws(&["s3", "cp", "big.bin", &target, "--no-progress"])
        .success();
    let log = sandbox.requests();
    let s3_calls = |method: &str| {
        log.iter()
            .filter(|r| r.service.as_deref() == Some("s3") && r.method == method)
            .filter(|r| r.path == format!("/{BUCKET}/big.bin") && r.status == 200)
            .count()
    };
    assert_eq!(
        s3_calls("POST"),
        2,
        "create and complete the upload: {log:?}"
    );
    assert!(s3_calls("PUT") >= 3, "at least three parts: {log:?}");
    writer
        .aws(&["s3", "cp", &target, "back.bin", "--no-progress"])
        .success();
    assert!(std::fs::read(writer.dir().join("back.bin")).unwrap() == data);
}

#[test]
fn virtual_hosted_names_reach_the_bucket_through_the_proxy_setting() {
    let Some((sandbox, _ws, env)) =
        applied("virtual_hosted_names_reach_the_bucket_through_the_proxy_setting")
    else {
        return;
    };
    let base = sandbox.endpoints()["s3"]["virtual_host_base"]
        .as_str()
        .unwrap()
        .to_string();
    let mut reader = Pod::new(&env, &service_account_token(&sandbox, "default/reader"));
    reader.virtual_hosted(&sandbox);
    sandbox.clear_requests();
    let read = reader
        .aws(&["s3", "cp", &format!("s3://{BUCKET}/data.csv"), "-"])
        .success();
    assert_eq!(read, "a,b\n1,2\n");
    let get = sandbox
        .requests()
        .into_iter()
        .find(|r| r.service.as_deref() == Some("s3") && r.method == "GET")
        .expect("the S3 GET in the request log");
    assert_eq!(get.path, format!("/{BUCKET}/data.csv"));
    assert_eq!(get.host, Some(format!("{BUCKET}.{base}")));
}

#[test]
fn boto3_meets_each_refusal_with_its_own_error_code() {
    let sandbox = Sandbox::start();
    sandbox.seed_bucket(BUCKET, json!({"data.csv": "a,b\n1,2\n"}));
    grant_read(&sandbox, BUCKET, "coreweave/alice");
    let pod = Pod::bare(&sandbox.s3_url());
    let call = |key: &Value, secret: &str, token: &str| -> String {
        pod.python(
            BOTO3_CALL,
            &[key["accessKeyId"].as_str().unwrap(), secret, token],
        )
        .success()
        .trim()
        .to_string()
    };
    let with_token = sandbox.access_key(
        "coreweave/alice",
        json!({"ttlSeconds": 900, "sessionToken": true}),
    );
    let secret = with_token["secretKey"].as_str().unwrap();
    let session = with_token["sessionToken"].as_str().unwrap();
    assert_eq!(call(&with_token, secret, session), "ok");
    // The last character changed: to `y` when it already is `x` (a random secret ends in `x`
    // once in about 60 runs, and was then not tampered with at all).
    let last = if secret.ends_with('x') { 'y' } else { 'x' };
    let tampered = format!("{}{last}", &secret[..secret.len() - 1]);
    assert_eq!(
        call(&with_token, &tampered, session),
        "SignatureDoesNotMatch"
    );
    assert_eq!(
        call(&with_token, secret, "not-the-session-token"),
        "InvalidToken"
    );
    assert_eq!(call(&with_token, secret, ""), "InvalidAccessKeyId");
    let without_token = sandbox.access_key("coreweave/alice", json!({}));
    let plain_secret = without_token["secretKey"].as_str().unwrap();
    assert_eq!(call(&without_token, plain_secret, ""), "ok");
    assert_eq!(call(&without_token, plain_secret, session), "InvalidToken");
    let expired = sandbox.access_key("coreweave/alice", json!({"ttlSeconds": -60}));
    assert_eq!(
        call(&expired, expired["secretKey"].as_str().unwrap(), ""),
        "ExpiredToken"
    );
    let unknown = json!({"accessKeyId": "CWTESTNOSUCHKEY00000"});
    assert_eq!(call(&unknown, plain_secret, ""), "InvalidAccessKeyId");
    let bob = sandbox.access_key("coreweave/bob", json!({}));
    assert_eq!(
        call(&bob, bob["secretKey"].as_str().unwrap(), ""),
        "AccessDenied"
    );
}

#[test]
fn the_request_log_holds_no_token_secret_key_or_session_token() {
    let Some((sandbox, _ws, env)) =
        applied("the_request_log_holds_no_token_secret_key_or_session_token")
    else {
        return;
    };
    let jwt = service_account_token(&sandbox, "default/reader");
    let reader = Pod::new(&env, &jwt);
    reader
        .aws(&["s3", "ls", &format!("s3://{BUCKET}/")])
        .success();
    // The same exchange the CLI made, by hand, to learn what such credentials look like, then
    // spent by boto3 with a presigned URL (signature and session token in the query).
    let [_, (status, creds)] = sandbox.exchange(&jwt);
    assert_eq!(status, 200, "{creds}");
    let secret = creds["SecretAccessKey"].as_str().unwrap();
    let session = creds["Token"].as_str().unwrap();
    assert!(
        !session.is_empty(),
        "container credentials carry a session token"
    );
    let presigned = reader
        .python(
            r#"
import sys, urllib.request, boto3
s3 = boto3.client("s3", aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2],
                  aws_session_token=sys.argv[3], config=boto3.session.Config(signature_version="s3v4"))
url = s3.generate_presigned_url("get_object", Params={"Bucket": "training-data", "Key": "data.csv"})
print(urllib.request.urlopen(url).read().decode())
"#,
            &[creds["AccessKeyId"].as_str().unwrap(), secret, session],
        )
        .success();
    assert_eq!(presigned, "a,b\n1,2\n\n");
    let log = sandbox.request_log_text();
    assert!(log.contains(r#""service":"s3""#), "{log}");
    for (what, secret) in [
        ("token", jwt.as_str()),
        ("secret key", secret),
        ("session token", session),
    ] {
        assert!(
            !log.contains(secret),
            "the request log holds a {what}: {log}"
        );
    }
    assert!(!log.contains("eyJ"), "the request log holds a JWT: {log}");
    assert!(
        !log.contains("X-Amz-Signature"),
        "the request log holds a signature: {log}"
    );
}
