//! Signatures as strict as AWS S3's (issue 27), with the real boto3: a header-signed request
//! dated beyond 15 minutes is `RequestTimeTooSkewed`, a presigned URL may live seven days at
//! most, and the credential scope must name `s3`.

use serde_json::json;

use crate::support::aws::{grant_read, Pod};
use crate::support::Sandbox;

/// Prints one line per case: its name and `ok` or the S3 error code.
const CASES: &str = r#"
import datetime, os, re, sys, urllib.error, urllib.request
import boto3, botocore.auth, botocore.config, botocore.credentials
from botocore.awsrequest import AWSRequest

key, secret = sys.argv[1], sys.argv[2]
endpoint, region = os.environ["AWS_ENDPOINT_URL_S3"], os.environ["AWS_DEFAULT_REGION"]
s3 = boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret,
                  config=botocore.config.Config(signature_version="s3v4"))

def sdk(name, shift):
    real = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: real() + shift
    try:
        s3.get_object(Bucket="training-data", Key="data.csv")["Body"].read()
        print(name, "ok")
    except botocore.exceptions.ClientError as e:
        print(name, e.response["Error"]["Code"])
    finally:
        botocore.auth.get_current_datetime = real

def fetch(name, url, headers=None):
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})).read()
        print(name, "ok")
    except urllib.error.HTTPError as e:
        print(name, re.search(r"<Code>(.*?)</Code>", e.read().decode()).group(1))

def scoped(name, service):
    request = AWSRequest(method="GET", url=f"{endpoint}/training-data/data.csv")
    credentials = botocore.credentials.Credentials(key, secret)
    botocore.auth.S3SigV4Auth(credentials, service, region).add_auth(request)
    prepared = request.prepare()
    fetch(name, prepared.url, dict(prepared.headers))

def presigned(name, seconds):
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "training-data", "Key": "data.csv"}, ExpiresIn=seconds)
    fetch(name, url)

sdk("now", datetime.timedelta(0))
sdk("14-minutes-ago", -datetime.timedelta(minutes=14))
sdk("a-year-ago", -datetime.timedelta(days=365))
sdk("20-minutes-ahead", datetime.timedelta(minutes=20))
scoped("scope-s3", "s3")
scoped("scope-sts", "sts")
presigned("presigned-7-days", 604800)
presigned("presigned-7-days-and-1-s", 604801)
"#;

#[test]
fn boto3_signatures_are_held_to_the_clock_skew_the_seven_day_cap_and_the_s3_scope() {
    let sandbox = Sandbox::start();
    sandbox.seed_bucket("training-data", json!({"data.csv": "a,b\n1,2\n"}));
    grant_read(&sandbox, "training-data", "coreweave/alice");
    let key = sandbox.access_key("coreweave/alice", json!({}));
    let pod = Pod::bare(&sandbox.s3_url());
    let out = pod
        .python(
            CASES,
            &[
                key["accessKeyId"].as_str().unwrap(),
                key["secretKey"].as_str().unwrap(),
            ],
        )
        .success();
    let outcomes: Vec<&str> = out.lines().collect();
    assert_eq!(
        outcomes,
        [
            "now ok",
            "14-minutes-ago ok",
            "a-year-ago RequestTimeTooSkewed",
            "20-minutes-ahead RequestTimeTooSkewed",
            "scope-s3 ok",
            "scope-sts AuthorizationHeaderMalformed",
            "presigned-7-days ok",
            "presigned-7-days-and-1-s AuthorizationQueryParametersError",
        ]
    );
}
