//! `coreweave-sandbox` command: parses the command line, loads the seed, binds, prints the
//! URL it serves (and the `export` line for it) and runs until SIGTERM or SIGINT;
//! `--background` runs that in a child and prints shell lines for `eval`;
//! `coreweave-sandbox token` asks a running sandbox for a service-account token.

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use coreweave_sandbox::cli::{self, Command, Options, USAGE};
use coreweave_sandbox::connection::ConnectionLimits;
use coreweave_sandbox::model::sa_token::TokenRequest;
use coreweave_sandbox::services::s3::{self, REGION};
use coreweave_sandbox::services::start::{self as login, LoginListeners};
use coreweave_sandbox::{announce, base_url, seed, serve, AppState, Config};
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let env_token = std::env::var("COREWEAVE_SANDBOX_TOKEN").ok();
    let options = match cli::parse(std::env::args().skip(1), env_token) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Token { url, request }) => return print_token(&url, &request),
        Ok(Command::Run(options)) if options.background => return start_in_background(&options),
        Ok(Command::Run(options)) => options,
        Err(why) => {
            eprintln!("coreweave-sandbox: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coreweave-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coreweave-sandbox: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `coreweave-sandbox --background`: the same command line without the flag, started as a
/// child that outlives this process; prints the shell lines for `eval` once it listens.
fn start_in_background(options: &Options) -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != cli::BACKGROUND)
        .collect();
    match announce::start_in_background(&args, &options.token) {
        Ok(lines) => {
            print!("{lines}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coreweave-sandbox: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `coreweave-sandbox token`: asks the sandbox at `url` for a token and prints it.
fn print_token(url: &str, request: &TokenRequest) -> ExitCode {
    match request_token(url, request) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coreweave-sandbox token: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn request_token(url: &str, request: &TokenRequest) -> anyhow::Result<String> {
    let endpoint = format!("{}/_sandbox/tokens", url.trim_end_matches('/'));
    let resp = reqwest::blocking::Client::new()
        .post(&endpoint)
        .json(request)
        .send()
        .with_context(|| format!("cannot reach the sandbox at {url}"))?;
    let status = resp.status();
    let body: serde_json::Value = resp
        .json()
        .with_context(|| format!("{endpoint} answered {status} without JSON"))?;
    match body["token"].as_str() {
        Some(token) if status.is_success() => Ok(token.to_string()),
        _ => anyhow::bail!(
            "{status}: {}",
            body["message"].as_str().unwrap_or("no token in the answer")
        ),
    }
}

async fn run(options: Options) -> anyhow::Result<()> {
    let store = match &options.seed {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("reading seed file {}", path.display()))?;
            seed::load_seed(&bytes, &options.org_id)
                .map_err(|e| anyhow::anyhow!("invalid seed file {}: {e}", path.display()))?
        }
        None => seed::default_store(),
    };
    let listener = TcpListener::bind(&options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let bound = listener.local_addr()?;
    if !bound.ip().is_loopback() {
        anyhow::ensure!(
            options.allow_remote,
            "refusing to listen on {bound} (from --listen {}): it is reachable from other machines, \
             and the sandbox is an emulator with a test admin API. Listen on 127.0.0.1, or pass \
             --allow-remote (the admin API then requires the API token too)",
            options.listen
        );
        tracing::warn!(
            "listening on {bound}, reachable beyond this machine: the admin API requires the API token"
        );
    }
    let url = base_url(bound);
    let s3_listener = TcpListener::bind(&options.s3_listen)
        .await
        .with_context(|| format!("cannot listen on {} (S3)", options.s3_listen))?;
    let s3_bound = s3_listener.local_addr()?;
    ensure_local(
        s3_bound,
        &format!("the S3 endpoint, from --s3-listen {}", options.s3_listen),
        options.allow_remote,
    )?;
    let s3_url = base_url(s3_bound);
    tracing::info!(
        "seeded {} clusters, {} policies, {} OIDC configs; updates take {} ms",
        store.clusters.len(),
        store.policies.len(),
        store.oidc_configs.len(),
        options.update_duration_ms
    );
    let first_lines = announce::foreground_banner(&url, &options.token);
    let state = AppState::new(
        Config {
            token: options.token,
            org_id: options.org_id,
            base_url: url.clone(),
            update_duration_ms: options.update_duration_ms,
            fault_every: options.fault_every,
            latency_ms: options.latency_ms,
            request_log_capacity: options.request_log_capacity,
            admin_requires_token: !bound.ip().is_loopback(),
            s3_url: s3_url.clone(),
        },
        store,
    );
    let login_listeners = LoginListeners::bind(
        &options.idp_listen,
        &options.kubernetes_managed_listen,
        &options.kubernetes_unmanaged_listen,
        &options.proxy_listen,
    )
    .await
    .context("binding the identity provider, Kubernetes endpoint and proxy listeners")?;
    if let Some(remote) = login_listeners.reachable_from_elsewhere()? {
        ensure_local(
            remote,
            "an identity provider, Kubernetes endpoint or proxy address",
            options.allow_remote,
        )?;
    }
    let limits = ConnectionLimits::new(Duration::from_millis(options.header_read_timeout_ms));
    let login_endpoints =
        login::start(&state, login_listeners, limits).context("starting the login path")?;
    // Handlers first: a SIGTERM sent as soon as the banner is read must not find the default
    // action (death) still in place.
    let stop_requested = shutdown_signal()?;
    // One write, and a reader that took the first line and closed the pipe is no failure: the
    // acceptance tests read only the URL line.
    let banner = format!(
        "{first_lines}coreweave-sandbox S3 endpoint on {s3_url} (region {REGION}, virtual-hosted \
         names <bucket>.{} through HTTP_PROXY)\n{}",
        s3::virtual_host_base(&s3_url),
        login::banner(&login_endpoints)
    );
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("printing the banner");
        }
    }
    drop(stdout);

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    tokio::spawn(s3::serve(
        s3_listener,
        state.clone(),
        limits,
        stopped(stop_rx.clone()),
    ));
    let server = tokio::spawn(serve(listener, state, limits, stopped(stop_rx)));
    stop_requested.await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    match tokio::time::timeout(Duration::from_secs(2), server).await {
        Ok(joined) => joined.context("server task")?.context("serving")?,
        Err(_) => tracing::info!("in-flight requests abandoned after 2 s"),
    }
    Ok(())
}

/// Refuses to serve `what` on `addr` when other machines can reach it, unless `allow_remote`.
fn ensure_local(addr: std::net::SocketAddr, what: &str, allow_remote: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        allow_remote || addr.ip().is_loopback(),
        "refusing to listen on {addr} ({what}): it is reachable from other machines. Listen on \
         127.0.0.1, or pass --allow-remote"
    );
    Ok(())
}

/// Installs the SIGTERM and SIGINT handlers now; the future resolves on the first signal.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
