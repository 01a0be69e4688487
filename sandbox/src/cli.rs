//! Command-line parsing (by hand, no dependency).

use std::path::PathBuf;

use crate::model::sa_token::TokenRequest;

/// The flag that starts the sandbox in the background (it takes no value).
pub const BACKGROUND: &str = "--background";

/// Where `token` finds the sandbox when `--url` is not given.
pub const DEFAULT_SANDBOX_URL: &str = "http://127.0.0.1:8089";

/// Usage text printed by `--help`: options, built-in objects, routes, and a recipe to try the
/// exchange by hand (`sandbox/tests/by_hand.rs` runs it).
pub const USAGE: &str = r#"coreweave-sandbox: local emulator of the CoreWeave API endpoints used by terraform-provider-coreweave

USAGE:
    coreweave-sandbox [OPTIONS]
    coreweave-sandbox token --cluster-id ID --service-account NS/NAME --audience AUD
                            [--ttl-seconds N] [--url URL]

OPTIONS:
    --listen ADDR              address to listen on (default 127.0.0.1:0 = any free port);
                               a loopback address unless --allow-remote
    --allow-remote             allow non-loopback listen addresses (every listener); the
                               admin API (/_sandbox/*) then requires the API token too
    --s3-listen ADDR           address of the S3 endpoint (default 127.0.0.1:0 = any free port)
    --background               run in the background; print shell lines for eval that set
                               COREWEAVE_API_ENDPOINT, COREWEAVE_API_TOKEN, COREWEAVE_SANDBOX_PID:
                               eval "$(coreweave-sandbox --background)"
    --token TOKEN              bearer token API requests must carry
                               (default: $COREWEAVE_SANDBOX_TOKEN, else sandbox-token)
    --org-id ORG               organization id of OIDC configs and of the caller that
                               /v1beta1/auth/whoami names (default sandbox-org)
    --seed FILE                JSON {"clusters":[…],"policies":[…],"oidcConfigs":[…],
                               "serviceAccounts":[…]} replacing the built-in objects below
    --update-duration-ms N     how long a PATCHed cluster stays STATUS_UPDATING (default 2000)
    --fault-every N            answer every Nth API request with 429, then 503, … (0 = off)
    --latency-ms N             delay every API response by N ms (default 0)
    --header-read-timeout-ms N drop a connection (any listener) whose request headers are not
                               complete after N ms, that idles N ms between requests or in
                               its TLS handshake, or whose S3 body stalls N ms (default 10000)
    --request-log-capacity N   keep the newest N requests in /_sandbox/requests (default
                               10000; older ones are dropped and counted)
    --idp-listen ADDR          the external OIDC identity provider (HTTPS, its own CA;
                               default 127.0.0.1:0)
    --kubernetes-managed-listen ADDR
                               every cluster's managed Kubernetes endpoint (HTTPS, the
                               sandbox CA; default 127.0.0.1:0)
    --kubernetes-unmanaged-listen ADDR
                               every cluster's unmanaged Kubernetes endpoint (default 127.0.0.1:0)
    --proxy-listen ADDR        CONNECT proxy taking <apiServerEndpoint> and
                               api.<apiServerEndpoint> to those listeners (default 127.0.0.1:0)
    -h, --help                 print this help

TOKEN OPTIONS (asks a running sandbox for a service-account token and prints it):
    --url URL                  the running sandbox (default http://127.0.0.1:8089, as `make sandbox`)
    --cluster-id ID            the cluster whose issuer signs the token
    --service-account NS/NAME  namespace and name of the service account
    --audience AUD             the token's audience (the WIF config's audience)
    --ttl-seconds N            lifetime (default 3600)

On start it prints `coreweave-sandbox listening on http://HOST:PORT`, then the `export` line
that points the provider at it (the token only when it is the built-in sandbox-token), then
the S3 endpoint's URL (region US-EAST-04A, virtual-hosted names <bucket>.s3.sandbox.test:PORT
through HTTP_PROXY), the identity provider's issuer URL, the Kubernetes endpoints' URLs and the proxy's URL.

BUILT IN (replaced by --seed):
    cluster demo                 c0ffee00-0000-4000-8000-000000000001
    cluster staging              c0ffee00-0000-4000-8000-000000000002
    cluster with-oidc            c0ffee00-0000-4000-8000-000000000003 (an external OIDC issuer set)
                                 all STATUS_RUNNING; a cluster's service-account token issuer is
                                 https://oidc.cks.coreweave.com/id/<cluster id>
    service account ci-deployer  5e4a1ce0-0000-4000-8000-00000000c1c1, trusting CI tokens with
                                 issuer https://ci.sandbox.example, audience
                                 https://api.coreweave.com, subject repo:example/infrastructure:*
    no policies and no WIF configs; the API token's principal is sandbox-user

API (the real API's paths; Authorization: Bearer TOKEN unless "no auth"):
    CKS clusters        GET /v1beta1/cks/clusters
                        GET, PATCH, DELETE /v1beta1/cks/clusters/{id}
    access policies     GET, POST /v1/cwobject/access-policy
                        DELETE /v1/cwobject/access-policy/{name}
    token exchange      POST /v1/cwobject/temporary-credentials/oidc (no auth, JWT in the body)
                        GET /v1/cwobject/temporary-credentials/oidc/{orgId}
                        (no auth, the raw JWT in Authorization, without "Bearer ")
    S3 access keys      POST /v1/cwobject/access-key {durationSeconds} (0 = permanent)
    caller              GET /v1beta1/auth/whoami
    WIF configs         Connect POST /coreweave.workload_federation.control_plane.v1beta1.
                        WFControlPlaneService/{Get,List,Create,Update,Delete}OIDCConfig(s)
    CI token exchange   Connect POST /coreweave.directory.v1alpha.InternalDirectoryService/
                        ServiceAccountOidcAuth (no auth): a CI token that a service account
                        trusts -> a bearer token of that service account
    OIDC discovery      GET /id/{clusterId}/.well-known/openid-configuration,
                        GET /id/{clusterId}/openid/v1/jwks (no auth)

S3 (its own port): ListBuckets, Create/Delete/HeadBucket (CreateBucket in a zone:
    LocationConstraint US-EAST-04A or US-CENTRAL-05A/06A/07A/08A/08B), GetBucketLocation,
    Put/Get/DeleteBucketTagging, Put/Get/DeleteBucketPolicy, ListObjects(V2),
    Get/Put/Head/DeleteObject and multipart upload; SigV4 (header or presigned) with keys
    from the token exchanges or POST /v1/cwobject/access-key; every call decided by the
    organization's access policies, then the bucket's policy

LOGIN PATH:
    identity provider   /.well-known/openid-configuration and /keys at its issuer URL
    kubernetes          a cluster's managed endpoint (TLS server name <apiServerEndpoint>)
                        takes the API token, its unmanaged endpoint (api.<apiServerEndpoint>)
                        tokens of the cluster's oidc issuer; both answer kubectl version,
                        auth whoami and get nodes

TEST ADMIN API (no auth), under /_sandbox; loopback Host only, no foreign Origin, bodies
sent as Content-Type: application/json:
    GET, DELETE /requests       the request log
    GET /state                  everything the sandbox holds
    POST /clusters              add or replace a cluster
    PUT /clusters/{id}/status   force a cluster status
    GET, PUT /config            faultEvery, latencyMs, updateDurationMs, loseWriteAnswers
                                (API writes answer 502), loseS3WriteAnswers (S3 writes close
                                the connection unanswered), bearerLifetimeSeconds, busyPatches
    POST /tokens                {clusterId, serviceAccount, audience, ttlSeconds} -> {token}
    POST /ci-tokens             {issuer, subject, audience, expiresInSeconds} -> {token}
    GET /bearers                the bearer tokens the CI token exchange issued
    GET /endpoints              every URL and CA: api, org_id, s3, idp, clusters, proxy
    POST /buckets               {name, zone?, objects: {key: text}} seeds a bucket, or
                                objects into one that exists (its zone, tags, policy kept)
    GET /buckets/{name}/objects/{key}  the object's bytes
    POST /access-keys           {principal, orgId?, ttlSeconds?, sessionToken?} -> an S3 key
                                (orgId: the principal's organization, default --org-id)
    POST /idp/tokens            {claims, ttlSeconds} -> {token} signed by the identity provider

TRY IT BY HAND (bash and curl, this program on PATH): a WIF config and a policy for cluster
demo, a token of its service account default/reader, and that token exchanged for credentials
    eval "$(coreweave-sandbox --background)"
    demo=c0ffee00-0000-4000-8000-000000000001   # cluster demo
    issuer=https://oidc.cks.coreweave.com/id/$demo   # its service-account issuer
    api() { curl -sS -H "Authorization: Bearer $COREWEAVE_API_TOKEN" \
              -H 'Content-Type: application/json' -d "$2" "$COREWEAVE_API_ENDPOINT$1"; echo; }
    # 1. AI Object Storage trusts the cluster's tokens: a WIF config (audience = issuer)
    api /coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService/CreateOIDCConfig \
      '{"name": "demo", "issuerUrl": "'$issuer'", "audience": "'$issuer'"}'
    # 2. service account default/reader may exchange its token: an organization access policy
    api /v1/cwobject/access-policy '{"policy": {"name": "demo", "version": "v1alpha1",
      "statements": [{"name": "exchange", "effect": "Allow", "resources": ["*"],
      "actions": ["cwobject:CreateAccessKeyOIDC"],
      "principals": ["role/'$issuer':system:serviceaccount:default:reader"]}]}}'
    # 3. a token of default/reader, signed with the cluster's key
    token=$(coreweave-sandbox token --url "$COREWEAVE_API_ENDPOINT" --cluster-id $demo \
      --service-account default/reader --audience $issuer)
    # 4. the exchange a pod's AWS SDK makes: the raw token in Authorization, no "Bearer "
    curl -sS -H "Authorization: $token" \
      "$COREWEAVE_API_ENDPOINT/v1/cwobject/temporary-credentials/oidc/sandbox-org"; echo
    kill "$COREWEAVE_SANDBOX_PID"
"#;

/// Parsed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Address to bind, e.g. `127.0.0.1:0`.
    pub listen: String,
    /// Address of the S3 endpoint.
    pub s3_listen: String,
    /// Expected bearer token.
    pub token: String,
    /// Organization id.
    pub org_id: String,
    /// Seed file.
    pub seed: Option<PathBuf>,
    /// Milliseconds a PATCHed cluster stays `STATUS_UPDATING`.
    pub update_duration_ms: u64,
    /// Fault period (0 = off).
    pub fault_every: u64,
    /// Added latency in milliseconds.
    pub latency_ms: u64,
    /// Whether a non-loopback `listen` address is allowed (the admin API then needs the token).
    pub allow_remote: bool,
    /// Milliseconds after which a connection whose request headers are unfinished is dropped.
    pub header_read_timeout_ms: u64,
    /// How many requests the request log keeps.
    pub request_log_capacity: usize,
    /// Address of the identity provider.
    pub idp_listen: String,
    /// Address of the managed Kubernetes endpoints.
    pub kubernetes_managed_listen: String,
    /// Address of the unmanaged Kubernetes endpoints.
    pub kubernetes_unmanaged_listen: String,
    /// Address of the CONNECT proxy.
    pub proxy_listen: String,
    /// `--background`: start a copy in the background and print shell lines for `eval`.
    pub background: bool,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the sandbox.
    Run(Options),
    /// Ask a running sandbox at `url` for a service-account token.
    Token {
        /// Base URL of the running sandbox.
        url: String,
        /// The admin request to send.
        request: TokenRequest,
    },
    /// Print usage and exit.
    Help,
}

/// Splits `--flag value` / `--flag=value` pairs, accepting only `known` flags and the
/// `switches` (flags without a value, paired with `"true"`).
fn flag_pairs(
    args: impl IntoIterator<Item = String>,
    known: &[&str],
    switches: &[&str],
) -> Result<Option<Vec<(String, String)>>, String> {
    let mut args = args.into_iter();
    let mut pairs = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if switches.contains(&arg.as_str()) {
            pairs.push((arg, "true".into()));
            continue;
        }
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument {arg:?}"));
        }
        match inline.or_else(|| args.next()) {
            Some(value) => pairs.push((flag, value)),
            None => return Err(format!("{flag} expects a value")),
        }
    }
    Ok(Some(pairs))
}

fn parse_token(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let known = [
        "--url",
        "--cluster-id",
        "--service-account",
        "--audience",
        "--ttl-seconds",
    ];
    let Some(pairs) = flag_pairs(args, &known, &[])? else {
        return Ok(Command::Help);
    };
    let mut url = DEFAULT_SANDBOX_URL.to_string();
    let mut request = TokenRequest {
        cluster_id: None,
        service_account: None,
        audience: None,
        ttl_seconds: None,
        issued_at: None,
    };
    for (flag, value) in pairs {
        match flag.as_str() {
            "--url" => url = value,
            "--cluster-id" => request.cluster_id = Some(value),
            "--service-account" => request.service_account = Some(value),
            "--audience" => request.audience = Some(value),
            _ => request.ttl_seconds = Some(number(&flag, &value)?),
        }
    }
    for (flag, set) in [
        ("--cluster-id", request.cluster_id.is_some()),
        ("--service-account", request.service_account.is_some()),
        ("--audience", request.audience.is_some()),
    ] {
        if !set {
            return Err(format!("token: {flag} is required"));
        }
    }
    Ok(Command::Token { url, request })
}

fn number(flag: &str, value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} expects a non-negative integer, got {value:?}"))
}

/// Parses the arguments after the program name; `env_token` is `$COREWEAVE_SANDBOX_TOKEN`.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env_token: Option<String>,
) -> Result<Command, String> {
    let mut opts = Options {
        listen: "127.0.0.1:0".into(),
        s3_listen: "127.0.0.1:0".into(),
        token: env_token
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| crate::announce::DEFAULT_TOKEN.into()),
        org_id: "sandbox-org".into(),
        seed: None,
        update_duration_ms: 2000,
        fault_every: 0,
        latency_ms: 0,
        allow_remote: false,
        header_read_timeout_ms: u64::try_from(crate::connection::DEFAULT_HEADER_READ.as_millis())
            .unwrap_or(u64::MAX),
        request_log_capacity: crate::request_log::DEFAULT_REQUEST_LOG_CAPACITY,
        idp_listen: "127.0.0.1:0".into(),
        kubernetes_managed_listen: "127.0.0.1:0".into(),
        kubernetes_unmanaged_listen: "127.0.0.1:0".into(),
        proxy_listen: "127.0.0.1:0".into(),
        background: false,
    };
    let mut args = args.into_iter().peekable();
    if args.peek().map(String::as_str) == Some("token") {
        args.next();
        return parse_token(args);
    }
    let known = [
        "--listen",
        "--s3-listen",
        "--token",
        "--org-id",
        "--seed",
        "--update-duration-ms",
        "--fault-every",
        "--latency-ms",
        "--header-read-timeout-ms",
        "--request-log-capacity",
        "--idp-listen",
        "--kubernetes-managed-listen",
        "--kubernetes-unmanaged-listen",
        "--proxy-listen",
    ];
    let Some(pairs) = flag_pairs(args, &known, &["--allow-remote", BACKGROUND])? else {
        return Ok(Command::Help);
    };
    for (flag, value) in pairs {
        match flag.as_str() {
            "--listen" => opts.listen = value,
            "--idp-listen" => opts.idp_listen = value,
            "--kubernetes-managed-listen" => opts.kubernetes_managed_listen = value,
            "--kubernetes-unmanaged-listen" => opts.kubernetes_unmanaged_listen = value,
            "--proxy-listen" => opts.proxy_listen = value,
            "--s3-listen" => opts.s3_listen = value,
            "--token" if value.is_empty() => return Err("--token must not be empty".into()),
            "--token" => opts.token = value,
            "--org-id" if value.is_empty() => return Err("--org-id must not be empty".into()),
            "--org-id" => opts.org_id = value,
            "--seed" => opts.seed = Some(PathBuf::from(value)),
            "--update-duration-ms" => opts.update_duration_ms = number(&flag, &value)?,
            "--fault-every" => opts.fault_every = number(&flag, &value)?,
            "--allow-remote" => opts.allow_remote = true,
            "--background" => opts.background = true,
            "--header-read-timeout-ms" => opts.header_read_timeout_ms = number(&flag, &value)?,
            "--request-log-capacity" => {
                opts.request_log_capacity = usize::try_from(number(&flag, &value)?)
                    .map_err(|_| format!("{flag} is too large"))?;
            }
            _ => opts.latency_ms = number(&flag, &value)?,
        }
    }
    Ok(Command::Run(opts))
}

#[cfg(test)]
mod tests;
