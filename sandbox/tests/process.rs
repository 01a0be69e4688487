//! The real binary over a real socket: banner line, HTTP round trips, seed file, signals.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_coreweave-sandbox");

struct Running {
    child: Child,
    url: String,
    banner: String,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        Self::spawn(args, None, Stdio::null())
    }

    fn spawn(args: &[&str], env_token: Option<&str>, stderr: Stdio) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env_remove("COREWEAVE_SANDBOX_TOKEN");
        if let Some(token) = env_token {
            cmd.env("COREWEAVE_SANDBOX_TOKEN", token);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn coreweave-sandbox");
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let url = banner
            .trim_end()
            .strip_prefix("coreweave-sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected banner {banner:?}"))
            .to_string();
        Self { child, url, banner }
    }

    fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// One HTTP/1.1 request on a fresh connection: (status, JSON body).
    fn http(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(self.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr(),
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, payload) = raw.split_once("\r\n\r\n").expect("HTTP response");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(payload).unwrap_or(Value::Null))
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            // Polls for the exit: a child's exit has no event std can wait on with a deadline.
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("the sandbox ignored SIGTERM");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_banner_is_one_line_with_the_bound_port() {
    let s = Running::start(&["--listen", "127.0.0.1:0"]);
    assert!(s.banner.ends_with('\n'));
    let port: u16 = s.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert!(s.url.starts_with("http://127.0.0.1:"));
}

#[test]
fn a_real_socket_round_trip_patches_a_cluster() {
    let s = Running::start(&["--token", "t0k", "--update-duration-ms", "100"]);
    let path = "/v1beta1/cks/clusters/c0ffee00-0000-4000-8000-000000000002";
    let (status, body) = s.http(
        "PATCH",
        path,
        Some("t0k"),
        Some(
            json!({"id": "c0ffee00-0000-4000-8000-000000000002", "version": "1.32",
                    "updateMask": "oidc",
                    "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "k"}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cluster"]["status"], "STATUS_UPDATING");
    let (status, _) = s.http(
        "POST",
        "/_sandbox/clock",
        None,
        Some(json!({"advance_seconds": 1})),
    );
    assert_eq!(status, 200);
    let (_, body) = s.http("GET", path, Some("t0k"), None);
    assert_eq!(body["cluster"]["status"], "STATUS_RUNNING");
    assert_eq!(body["cluster"]["oidc"]["clientId"], "k");
    let (_, log) = s.http("GET", "/_sandbox/requests", None, None);
    assert_eq!(log["requests"][0]["method"], "PATCH");
}

#[test]
fn the_discovery_issuer_is_the_printed_url() {
    let s = Running::start(&[]);
    let (status, body) = s.http(
        "GET",
        "/id/c0ffee00-0000-4000-8000-000000000001/.well-known/openid-configuration",
        None,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        body["issuer"],
        format!("{}/id/c0ffee00-0000-4000-8000-000000000001", s.url)
    );
}

#[test]
fn the_default_token_is_sandbox_token() {
    let s = Running::start(&[]);
    assert_eq!(
        s.http("GET", "/v1beta1/cks/clusters", Some("sandbox-token"), None)
            .0,
        200
    );
    assert_eq!(
        s.http("GET", "/v1beta1/cks/clusters", Some("other"), None)
            .0,
        401
    );
}

#[test]
fn the_token_can_come_from_the_environment() {
    let s = Running::spawn(&[], Some("from-env"), Stdio::null());
    assert_eq!(
        s.http("GET", "/v1beta1/cks/clusters", Some("from-env"), None)
            .0,
        200
    );
}

#[test]
fn a_seed_file_replaces_the_built_in_clusters() {
    let dir = std::env::temp_dir().join(format!("cw-sandbox-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.json");
    std::fs::write(
        &file,
        json!({"clusters": [{"id": "only", "name": "solo", "version": "1.31"}]}).to_string(),
    )
    .unwrap();
    let s = Running::start(&["--seed", file.to_str().unwrap()]);
    let (_, body) = s.http("GET", "/v1beta1/cks/clusters", Some("sandbox-token"), None);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["name"], "solo");
}

#[test]
fn sigterm_exits_cleanly() {
    let s = Running::start(&[]);
    assert!(s.terminate().success());
}

#[test]
fn help_prints_usage_and_exits_zero() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("--update-duration-ms"), "{text}");
}

#[test]
fn an_unknown_argument_exits_with_status_2() {
    let out = Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));
}

#[test]
fn an_invalid_seed_file_fails_with_a_message() {
    let dir = std::env::temp_dir().join(format!("cw-sandbox-badseed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.json");
    std::fs::write(&file, r#"{"clusters":[{"name":"no-id"}]}"#).unwrap();
    let out = Command::new(BIN)
        .args(["--seed", file.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no banner on failure");
    assert!(String::from_utf8_lossy(&out.stderr).contains("clusters[0].id"));
}

#[test]
fn the_token_never_appears_in_the_logs() {
    let mut s = Running::spawn(&["--token", "very-secret-token"], None, Stdio::piped());
    s.http(
        "GET",
        "/v1beta1/cks/clusters",
        Some("very-secret-token"),
        None,
    );
    s.http("GET", "/v1beta1/cks/clusters", Some("wrong-secret"), None);
    let mut stderr = s.child.stderr.take().unwrap();
    assert!(s.terminate().success());
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(logs.contains("GET /v1beta1/cks/clusters -> 200"), "{logs}");
    assert!(logs.contains("GET /v1beta1/cks/clusters -> 401"), "{logs}");
    assert!(
        !logs.contains("very-secret-token") && !logs.contains("wrong-secret"),
        "{logs}"
    );
}

#[test]
fn the_token_command_prints_a_token_from_a_running_sandbox() {
    let s = Running::start(&[]);
    let out = Command::new(BIN)
        .args([
            "token",
            "--url",
            &s.url,
            "--cluster-id",
            "c0ffee00-0000-4000-8000-000000000001",
            "--service-account",
            "default/my-sa",
            "--audience",
            "https://coreweave.com/iam",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(token.trim().split('.').count(), 3, "{token}");
    let out = Command::new(BIN)
        .args(["token", "--url", &s.url, "--cluster-id", "ghost"])
        .args(["--service-account", "default/my-sa", "--audience", "a"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cluster \"ghost\" not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_non_loopback_listen_address_is_refused_unless_allowed() {
    for flag in ["--listen", "--s3-listen", "--proxy-listen"] {
        let out = Command::new(BIN)
            .args([flag, "0.0.0.0:0"])
            .env_remove("COREWEAVE_SANDBOX_TOKEN")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag}");
        assert!(out.stdout.is_empty(), "no banner: {flag}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("0.0.0.0") && stderr.contains("--allow-remote"),
            "{flag}: {stderr}"
        );
    }
}

#[test]
fn allowed_on_a_non_loopback_address_the_admin_api_requires_the_token_too() {
    let s = Running::start(&["--listen", "0.0.0.0:0", "--allow-remote", "--token", "t0k"]);
    let (status, body) = s.http("GET", "/_sandbox/state", None, None);
    assert_eq!(status, 401, "{body}");
    let (status, body) = s.http("GET", "/_sandbox/state", Some("wrong"), None);
    assert_eq!(status, 401, "{body}");
    let (status, body) = s.http("GET", "/_sandbox/state", Some("t0k"), None);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn on_loopback_the_admin_api_needs_no_token() {
    let s = Running::start(&["--token", "t0k"]);
    let (status, body) = s.http("GET", "/_sandbox/state", None, None);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_request_whose_headers_never_end_is_dropped() {
    let s = Running::start(&["--header-read-timeout-ms", "200"]);
    let mut stream = TcpStream::connect(s.addr()).unwrap();
    // A safety net only: the sandbox closes the connection long before.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(stream, "GET /v1beta1/cks/clusters HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    assert!(
        read.is_ok(),
        "the sandbox closed the unfinished request: {read:?}"
    );
    let (status, _) = s.http("GET", "/v1beta1/cks/clusters", Some("sandbox-token"), None);
    assert_eq!(status, 200, "and still serves complete requests");
}
