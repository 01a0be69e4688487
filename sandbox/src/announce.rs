//! What the sandbox prints once it listens, and `--background`.
//!
//! In the foreground it prints the banner line `coreweave-sandbox listening on URL` and the
//! `export` line that points the provider at it. With `--background` the command starts the
//! sandbox as a child process, waits for its banner and prints shell lines for `eval`: the same
//! exports, `COREWEAVE_SANDBOX_PID`, and an `echo` saying where it listens and how to stop it.
//! A token given with `--token` or `$COREWEAVE_SANDBOX_TOKEN` is never printed; only the
//! built-in one is.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::Context;

/// The token the sandbox accepts when none is given.
pub const DEFAULT_TOKEN: &str = "sandbox-token";

/// The first line printed on start, ending in the base URL.
pub const BANNER_PREFIX: &str = "coreweave-sandbox listening on ";

/// `export COREWEAVE_API_ENDPOINT=URL COREWEAVE_API_TOKEN=TOKEN` for the sandbox at `url`; the
/// token only when it is the built-in one (any other is the caller's own, and not echoed).
pub fn export_line(url: &str, token: &str) -> String {
    if token == DEFAULT_TOKEN {
        format!("export COREWEAVE_API_ENDPOINT={url} COREWEAVE_API_TOKEN={DEFAULT_TOKEN}")
    } else {
        format!(
            "export COREWEAVE_API_ENDPOINT={url} # and COREWEAVE_API_TOKEN to the token given to the sandbox"
        )
    }
}

/// Everything printed on start in the foreground, as one write (a reader that takes only the
/// first line and closes the pipe must not make a later line fail).
pub fn foreground_banner(url: &str, token: &str) -> String {
    format!(
        "{BANNER_PREFIX}{url}\n# to point the provider at it from another shell:\n{}\n",
        export_line(url, token)
    )
}

/// The lines `--background` prints for `eval`, for the child `pid` listening at `url`.
pub fn background_lines(url: &str, token: &str, pid: u32, log: &std::path::Path) -> String {
    format!(
        "{}\nexport COREWEAVE_SANDBOX_PID={pid}\necho '{BANNER_PREFIX}{url} in the background \
         (pid {pid}, log {}); stop it with: kill $COREWEAVE_SANDBOX_PID'\n",
        export_line(url, token),
        log.display()
    )
}

/// The base URL in a banner line, if it is one.
pub fn banner_url(line: &str) -> Option<&str> {
    line.trim_end()
        .strip_prefix(BANNER_PREFIX)
        .filter(|url| url.starts_with("http://"))
}

/// Starts this program again with `args` (the command line without `--background`) as a
/// process of its own group, its log in a temporary file, waits until it listens and returns
/// the lines for `eval`.
pub fn start_in_background(args: &[String], token: &str) -> anyhow::Result<String> {
    let program = std::env::current_exe().context("finding the sandbox's own executable")?;
    let log = log_path();
    let log_file = std::fs::File::create(&log)
        .with_context(|| format!("creating the log file {}", log.display()))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().context("starting the sandbox")?;
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().context("the sandbox's stdout")?)
        .read_line(&mut first_line)
        .context("reading the sandbox's banner")?;
    match banner_url(&first_line) {
        Some(url) => Ok(background_lines(url, token, child.id(), &log)),
        None => {
            let status = child.wait().context("waiting for the sandbox")?;
            let why = std::fs::read_to_string(&log).unwrap_or_default();
            anyhow::bail!("the sandbox did not start ({status}): {}", why.trim())
        }
    }
}

fn log_path() -> PathBuf {
    std::env::temp_dir().join(format!("coreweave-sandbox-{}.log", std::process::id()))
}
