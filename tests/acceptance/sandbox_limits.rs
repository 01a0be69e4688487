//! The sandbox under floods (issue 27): every listener survives running out of file
//! descriptors and drops connections that keep it waiting, and the real clients still get
//! through afterwards.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::aws::{grant_read, Pod, BOTO3_CALL};
use crate::support::login::ClusterLogin;
use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::Sandbox;

/// `host:port` of a URL `scheme://host:port[/...]`.
fn address(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default().to_string()
}

/// Waits until `done` holds, polling; panics naming `what` after `limit`.
fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A bucket `training-data` with `data.csv`, readable by `coreweave/alice`, and a boto3 that
/// reads it with her key: prints `ok` when the S3 endpoint serves it.
fn boto3_reads(sandbox: &Sandbox) -> impl Fn() -> String {
    sandbox.seed_bucket("training-data", json!({"data.csv": "a,b\n1,2\n"}));
    grant_read(sandbox, "training-data", "coreweave/alice");
    let key: Value = sandbox.access_key("coreweave/alice", json!({}));
    let pod = Pod::bare(&sandbox.s3_url());
    move || {
        let id = key["accessKeyId"].as_str().unwrap();
        let secret = key["secretKey"].as_str().unwrap();
        pod.python(BOTO3_CALL, &[id, secret, ""])
            .success()
            .trim()
            .to_string()
    }
}

#[test]
fn the_s3_endpoint_survives_running_out_of_file_descriptors_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sandbox.log");
    let sandbox = Sandbox::start_with_file_limit(64, &log, &[]);
    let read = boto3_reads(&sandbox);
    assert_eq!(read(), "ok");
    let s3 = address(&sandbox.s3_url());
    let flood: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&s3).expect("connecting to the S3 endpoint"))
        .collect();
    wait_until(
        "the failed accept is logged",
        Duration::from_secs(20),
        || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("S3: accepting a connection failed")
        },
    );
    drop(flood);
    assert_eq!(read(), "ok", "the S3 endpoint serves again");
}

/// Asserts that the server closes `stream` within `limit` of `since`.
fn assert_dropped(mut stream: TcpStream, since: Instant, limit: Duration, what: &str) {
    let mut buffer = [0u8; 1024];
    loop {
        let left = limit
            .saturating_sub(since.elapsed())
            .max(Duration::from_millis(1));
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return,
            Err(e) => panic!("{what}: still open after {limit:?} ({e})"),
        }
    }
}

/// Connections to `addr` that each send `prefix` (possibly nothing) and then wait.
fn stalled(addr: &str, prefix: &[u8], count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).expect("connecting");
            stream.write_all(prefix).expect("sending the prefix");
            stream
        })
        .collect()
}

#[test]
fn connections_that_keep_a_listener_waiting_are_dropped_and_real_clients_still_get_through() {
    let sandbox = Sandbox::start_with(&["--header-read-timeout-ms", "500"]);
    let read = boto3_reads(&sandbox);
    let endpoints = sandbox.endpoints();
    let url = |pointer: &str| address(endpoints.pointer(pointer).unwrap().as_str().unwrap());
    let cluster = endpoints["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == CLUSTER_DEMO)
        .unwrap();
    let kubernetes = |key: &str| address(cluster["kubernetes"][key].as_str().unwrap());
    let half_request: &[u8] = b"GET /training-data/data.csv HTTP/1.1\r\nHost: x\r\n";
    let half_connect: &[u8] = b"CONNECT api.example:443 HTTP/1.1\r\n";
    let targets = [
        ("S3, silent", url("/s3/url"), &b""[..]),
        ("S3, half-sent headers", url("/s3/url"), half_request),
        (
            "identity provider (TLS), silent",
            url("/idp/issuer_url"),
            b"",
        ),
        (
            "managed Kubernetes (TLS), silent",
            kubernetes("managed"),
            b"",
        ),
        (
            "unmanaged Kubernetes (TLS), silent",
            kubernetes("unmanaged"),
            b"",
        ),
        ("proxy, silent", url("/proxy/url"), b""),
        ("proxy, half-sent CONNECT", url("/proxy/url"), half_connect),
    ];
    let opened = Instant::now();
    let waiting: Vec<_> = targets
        .iter()
        .map(|(what, addr, prefix)| (*what, stalled(addr, prefix, 40)))
        .collect();
    for (what, streams) in waiting {
        for stream in streams {
            assert_dropped(stream, opened, Duration::from_secs(10), what);
        }
    }
    assert_eq!(read(), "ok");
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    assert!(login
        .run(false, TOKEN, &["get", "nodes"])
        .success()
        .contains("demo-node-1"));
}

/// Three PUTs presigned by boto3 that send 100 MiB each on raw sockets, then stall; then one
/// more PUT of 1 MiB by boto3 itself (refused as `SlowDown` if the stalled bodies' bytes were
/// not given back: together they filled the budget). Prints each stalled PUT's HTTP status and S3 error code
/// (or `open` when the sandbox kept waiting), then `after ok` or the error code.
const STALLED_PUTS: &str = r#"
import os, re, socket, sys, urllib.parse
import boto3, botocore.config, botocore.exceptions
key, secret = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret,
                  config=botocore.config.Config(signature_version="s3v4"))
MIB = 1 << 20

def stalled_put(name):
    url = urllib.parse.urlsplit(s3.generate_presigned_url(
        "put_object", Params={"Bucket": "training-data", "Key": name}, ExpiresIn=600))
    sock = socket.create_connection((url.hostname, url.port))
    head = f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Length: {250 * MIB}\r\n\r\n"
    try:
        sock.sendall(head.encode())
        for _ in range(100):
            sock.sendall(b"x" * MIB)
    except OSError:
        pass  # answered and closed early
    return sock

def answer(sock):
    sock.settimeout(30)
    data = b""
    try:
        while part := sock.recv(65536):
            data += part
    except socket.timeout:
        return "open"
    except ConnectionResetError:
        pass
    status = data.split(b" ", 2)[1].decode() if data else "closed"
    code = re.search(rb"<Code>(.*?)</Code>", data)
    return f"{status} {code.group(1).decode() if code else ''}".strip()

socks = [stalled_put(f"stalled-{n}.bin") for n in range(3)]
for sock in socks:
    print(answer(sock))
try:
    s3.put_object(Bucket="training-data", Key="after.bin", Body=b"y" * MIB)
    print("after ok")
except botocore.exceptions.ClientError as e:
    print("after", e.response["Error"]["Code"])
"#;

#[test]
fn stalled_bodies_are_dropped_and_all_bodies_together_hold_at_most_the_store_s_size() {
    let sandbox = Sandbox::start_with(&["--header-read-timeout-ms", "3000"]);
    sandbox.seed_bucket("training-data", json!({}));
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(
            json!({"policy": {"version": "v1alpha1", "name": "write", "statements": [{
            "name": "write", "effect": "Allow", "actions": ["s3:PutObject"],
            "resources": ["training-data/*"], "principals": ["coreweave/alice"]}]}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let key = sandbox.access_key("coreweave/alice", json!({}));
    let out = Pod::bare(&sandbox.s3_url())
        .python(
            STALLED_PUTS,
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
            "400 RequestTimeout",
            "400 RequestTimeout",
            "503 SlowDown",
            "after ok"
        ]
    );
}

/// Browser-style POST uploads presigned by boto3 (`generate_presigned_post`), sent on raw
/// sockets: for each key given, an upload of 100 MiB of which 1 MiB is sent, then a pause; and a
/// whole upload of 1 KiB with the first key. Prints each answer's HTTP status and S3 error code,
/// or `open` when none came within 5 s.
const POST_UPLOADS: &str = r#"
import re, socket, sys, urllib.parse
import boto3, botocore.config
MIB = 1 << 20
BOUNDARY = "sandbox-form-boundary"

def upload(key, secret, size, sent):
    s3 = boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret,
                      config=botocore.config.Config(signature_version="s3v4"))
    post = s3.generate_presigned_post("training-data", "uploads/${filename}", ExpiresIn=600)
    fields = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in post["fields"].items())
    file_head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    url = urllib.parse.urlsplit(post["url"])
    length = len(fields) + len(file_head) + size + len(tail)
    sock = socket.create_connection((url.hostname, url.port))
    sock.sendall((f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Length: {length}\r\n"
                  f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode())
    try:
        sock.sendall(fields + file_head + b"z" * sent + (tail if sent == size else b""))
    except OSError:
        pass
    sock.settimeout(5)
    data = b""
    try:
        while part := sock.recv(65536):
            data += part
            if b"\r\n\r\n" in data and (b"</Error>" in data or data.startswith(b"HTTP/1.1 200")):
                break
    except socket.timeout:
        if not data:
            return "open"
    except ConnectionResetError:
        pass
    status = data.split(b" ", 2)[1].decode() if data else "closed"
    code = re.search(rb"<Code>(.*?)</Code>", data)
    return f"{status} {code.group(1).decode() if code else ''}".strip()

keys = sys.argv[1:]
for key, secret in zip(keys[::2], keys[1::2]):
    print(upload(key, secret, 100 * MIB, MIB))
print(upload(keys[0], keys[1], 1024, 1024))
"#;

#[test]
fn a_browser_upload_is_authorized_before_its_file_is_read() {
    let sandbox = Sandbox::start();
    sandbox.seed_bucket("training-data", json!({}));
    let (status, body) = sandbox.api(
        reqwest::Method::POST,
        "/v1/cwobject/access-policy",
        Some(
            json!({"policy": {"version": "v1alpha1", "name": "upload", "statements": [{
            "name": "upload", "effect": "Allow", "actions": ["s3:PutObject"],
            "resources": ["training-data/uploads/*"], "principals": ["coreweave/alice"]}]}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let alice = sandbox.access_key("coreweave/alice", json!({}));
    let expired = sandbox.access_key("coreweave/alice", json!({"ttlSeconds": -60}));
    let bob = sandbox.access_key("coreweave/bob", json!({}));
    let mut args = Vec::new();
    for key in [&alice, &expired, &bob] {
        args.push(key["accessKeyId"].as_str().unwrap());
        args.push(key["secretKey"].as_str().unwrap());
    }
    let out = Pod::bare(&sandbox.s3_url())
        .python(POST_UPLOADS, &args)
        .success();
    let outcomes: Vec<&str> = out.lines().collect();
    assert_eq!(
        outcomes,
        ["open", "400 ExpiredToken", "403 AccessDenied", "200"],
        "alice's partial upload waits for its file; the expired key and bob are refused at once; \
         a whole upload is stored"
    );
}
