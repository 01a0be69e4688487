//! Starts `coreweave-sandbox` as a child process and talks to its admin and API endpoints.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde::Deserialize;
use serde_json::{json, Value};

/// The token every test sandbox accepts.
pub const TOKEN: &str = "acc-test-token";

/// Id of the seeded RUNNING cluster without OIDC named `demo`.
pub const CLUSTER_DEMO: &str = "c0ffee00-0000-4000-8000-000000000001";
/// Id of the seeded RUNNING cluster without OIDC named `staging`.
pub const CLUSTER_STAGING: &str = "c0ffee00-0000-4000-8000-000000000002";
/// Uid of the built-in service account `ci-deployer`, which trusts CI tokens from
/// [`Sandbox::ci_token`] whose subject starts with `repo:example/infrastructure:`.
pub const SERVICE_ACCOUNT_CI: &str = "5e4a1ce0-0000-4000-8000-00000000c1c1";

/// Id of the seeded RUNNING cluster that already has an external OIDC issuer.
pub const CLUSTER_WITH_OIDC: &str = "c0ffee00-0000-4000-8000-000000000003";

/// One API request as the sandbox recorded it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// True when the request could change remote state (the sandbox's own judgement).
    pub write: bool,
    /// The JSON body of a `PATCH`.
    #[serde(default)]
    pub body: Option<Value>,
    /// The TLS server name of a Kubernetes endpoint request.
    #[serde(default)]
    pub server: Option<String>,
    /// Why a Kubernetes endpoint refused the request.
    #[serde(default)]
    pub reason: Option<String>,
    /// `s3` for a request to the S3 endpoint.
    #[serde(default)]
    pub service: Option<String>,
    /// The `Host` header of an S3 request.
    #[serde(default)]
    pub host: Option<String>,
}

/// A running sandbox process, killed on drop.
pub struct Sandbox {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    http: reqwest::blocking::Client,
}

fn sandbox_binary() -> PathBuf {
    let provider = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-coreweave"));
    let path = provider.with_file_name("coreweave-sandbox");
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build -p coreweave-sandbox` (`make test` does)",
        path.display()
    );
    path
}

impl Sandbox {
    /// Starts a sandbox with fast cluster updates (300 ms).
    pub fn start() -> Self {
        Self::start_with(&["--update-duration-ms", "300"])
    }

    /// Starts a sandbox with extra command-line arguments.
    pub fn start_with(args: &[&str]) -> Self {
        Self::launch(args, |_| {})
    }

    /// Starts a sandbox with extra command-line arguments whose process may hold at most
    /// `files` open file descriptors, its log (stderr) written to `log`.
    pub fn start_with_file_limit(files: u64, log: &Path, args: &[&str]) -> Self {
        use std::os::unix::process::CommandExt;
        let log = std::fs::File::create(log).expect("creating the sandbox log");
        Self::launch(args, move |cmd| {
            cmd.stderr(log);
            let limit = libc::rlimit {
                rlim_cur: files,
                rlim_max: files,
            };
            // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                });
            }
        })
    }

    /// Starts the sandbox binary with `args`, after `customize` has had its say on the command.
    fn launch(args: &[&str], customize: impl FnOnce(&mut Command)) -> Self {
        let mut command = Command::new(sandbox_binary());
        command
            .args(["--listen", "127.0.0.1:0", "--token", TOKEN])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        customize(&mut command);
        let mut child = command.spawn().expect("starting coreweave-sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("sandbox stdout"))
            .read_line(&mut line)
            .expect("reading the sandbox URL");
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("unexpected sandbox banner {line:?}"))
            .to_string();
        Self {
            child,
            url,
            http: reqwest::blocking::Client::new(),
        }
    }

    fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}/_sandbox{path}", self.url));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().expect("sandbox admin request");
        let status = resp.status();
        let text = resp.text().unwrap_or_default();
        assert!(status.is_success(), "sandbox admin {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Every API request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        let v = self.admin(reqwest::Method::GET, "/requests", None);
        serde_json::from_value(v["requests"].clone()).expect("request log")
    }

    /// The requests that could have changed remote state.
    pub fn writes(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|request| request.write)
            .collect()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.admin(reqwest::Method::DELETE, "/requests", None);
    }

    /// Everything the sandbox holds: `{"clusters":[…],"policies":[…],"oidcConfigs":[…]}`.
    pub fn state(&self) -> Value {
        self.admin(reqwest::Method::GET, "/state", None)
    }

    /// One cluster as the API shows it.
    pub fn cluster(&self, id: &str) -> Value {
        self.state()["clusters"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == id).cloned())
            .unwrap_or(Value::Null)
    }

    /// Moves the sandbox's clock forward by `seconds` (token and credential expiry, cluster
    /// update cycles), instead of sleeping until then.
    pub fn advance_clock(&self, seconds: f64) {
        self.admin(
            reqwest::Method::POST,
            "/clock",
            Some(json!({ "advance_seconds": seconds })),
        );
    }

    /// Changes runtime settings: `faultEvery`, `latencyMs`, `updateDurationMs`,
    /// `loseWriteAnswers`, `loseS3WriteAnswers`, ….
    pub fn configure(&self, settings: Value) {
        self.admin(reqwest::Method::PUT, "/config", Some(settings));
    }

    /// The runtime settings as they are now (lost answers still to come, …).
    pub fn settings(&self) -> Value {
        self.admin(reqwest::Method::GET, "/config", None)
    }

    /// A CI token signed by the sandbox's built-in CI issuer: `{"subject", "audience"?,
    /// "expiresInSeconds"?}`.
    pub fn ci_token(&self, claims: Value) -> String {
        self.admin(reqwest::Method::POST, "/ci-tokens", Some(claims))["token"]
            .as_str()
            .expect("a CI token")
            .to_string()
    }

    /// Every bearer token the token exchange issued.
    pub fn bearers(&self) -> Vec<String> {
        serde_json::from_value(
            self.admin(reqwest::Method::GET, "/bearers", None)["bearers"].clone(),
        )
        .expect("bearer list")
    }

    /// Inserts or replaces a cluster.
    pub fn add_cluster(&self, cluster: Value) {
        self.admin(reqwest::Method::POST, "/clusters", Some(cluster));
    }

    /// Forces a cluster status, for `for_ms` milliseconds or until changed.
    pub fn set_cluster_status(&self, id: &str, status: &str, for_ms: Option<u64>) {
        let mut body = json!({ "status": status });
        if let Some(ms) = for_ms {
            body["forMs"] = json!(ms);
        }
        self.admin(
            reqwest::Method::PUT,
            &format!("/clusters/{id}/status"),
            Some(body),
        );
    }

    /// An authenticated API call, as another tool would make out of band: (HTTP status, body).
    pub fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().expect("sandbox API request");
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }
}

impl Sandbox {
    /// A service-account token signed by a cluster's issuer (`POST /_sandbox/tokens` with
    /// `clusterId`, `serviceAccount`, `audience`, …).
    pub fn token(&self, request: Value) -> String {
        let answer = self.admin(reqwest::Method::POST, "/tokens", Some(request));
        answer["token"].as_str().expect("token").to_string()
    }

    /// Exchanges `token` as the webhook's client (`POST .../temporary-credentials/oidc`) and as
    /// a pod's SDK (`GET .../oidc/{orgId}`, raw JWT in `Authorization`): (status, body) of each.
    pub fn exchange(&self, token: &str) -> [(u16, Value); 2] {
        let endpoint = format!("{}/v1/cwobject/temporary-credentials/oidc", self.url);
        let answer = |req: reqwest::blocking::RequestBuilder| {
            let resp = req.send().expect("token exchange");
            (resp.status().as_u16(), resp.json().unwrap_or(Value::Null))
        };
        [
            answer(self.http.post(&endpoint).json(
                &json!({"durationSeconds": 900, "orgId": "sandbox-org", "oidcToken": token}),
            )),
            answer(
                self.http
                    .get(format!("{endpoint}/sandbox-org"))
                    .header("authorization", token),
            ),
        ]
    }
}

impl Sandbox {
    /// `GET /_sandbox/endpoints`: every URL and CA of the sandbox.
    pub fn endpoints(&self) -> Value {
        self.admin(reqwest::Method::GET, "/endpoints", None)
    }

    /// A token of the sandbox's external identity provider with `claims` (`iss`, `iat`, `exp`
    /// filled in unless given; a `null` claim is left out).
    pub fn idp_token(&self, claims: Value) -> String {
        let answer = self.admin(
            reqwest::Method::POST,
            "/idp/tokens",
            Some(json!({ "claims": claims })),
        );
        answer["token"].as_str().expect("an IdP token").to_string()
    }

    /// The Kubernetes endpoint requests recorded so far.
    pub fn kubernetes_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.server.is_some())
            .collect()
    }

    /// The S3 endpoint's URL.
    pub fn s3_url(&self) -> String {
        self.endpoints()["s3"]["url"]
            .as_str()
            .expect("the S3 endpoint's URL")
            .to_string()
    }

    /// Seeds a bucket with `objects` (key to text).
    pub fn seed_bucket(&self, name: &str, objects: Value) {
        self.admin(
            reqwest::Method::POST,
            "/buckets",
            Some(json!({"name": name, "objects": objects})),
        );
    }

    /// An S3 key for `principal` (`{"ttlSeconds"?, "sessionToken"?}` in `extra`).
    pub fn access_key(&self, principal: &str, extra: Value) -> Value {
        let mut body = json!({ "principal": principal });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.admin(reqwest::Method::POST, "/access-keys", Some(body))
    }

    /// The raw request log, as JSON text (to search it for secrets).
    pub fn request_log_text(&self) -> String {
        self.admin(reqwest::Method::GET, "/requests", None)
            .to_string()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
