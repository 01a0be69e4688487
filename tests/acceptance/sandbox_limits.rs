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
