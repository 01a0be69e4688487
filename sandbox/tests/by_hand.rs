//! What someone trying the sandbox by hand relies on: `--background` prints shell lines for
//! `eval` and returns, a token given to it is never printed, and the recipe at the end of
//! `--help` (the same as in sandbox/README.md) works when run as printed (bash and curl).

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_coreweave-sandbox");

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `coreweave-sandbox --background ARGS`, which must return once the sandbox listens.
fn start_in_background(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--background")
        .args(args)
        .env_remove("COREWEAVE_SANDBOX_TOKEN")
        .output()
        .expect("running coreweave-sandbox --background");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text(&out)
}

/// The value of `NAME=value` in the `export` lines of `lines`.
fn exported<'a>(lines: &'a str, name: &str) -> Option<&'a str> {
    lines
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .flat_map(str::split_whitespace)
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// Stops the background sandbox `pid` and waits until it is gone.
fn stop(pid: &str) {
    assert!(Command::new("kill").arg(pid).status().unwrap().success());
    let alive = || {
        Command::new("kill")
            .args(["-0", pid])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    for _ in 0..500 {
        if !alive() {
            return;
        }
        // Polls with kill -0: the process is no child of this test, so there is no exit to wait on.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the background sandbox {pid} ignored SIGTERM");
}

#[test]
fn background_prints_lines_for_eval_and_the_sandbox_answers() {
    let lines = start_in_background(&[]);
    let endpoint = exported(&lines, "COREWEAVE_API_ENDPOINT").expect(&lines);
    let pid = exported(&lines, "COREWEAVE_SANDBOX_PID").expect(&lines);
    assert_eq!(
        exported(&lines, "COREWEAVE_API_TOKEN"),
        Some("sandbox-token")
    );
    assert!(
        lines.contains(&format!(
            "echo 'coreweave-sandbox listening on {endpoint} in the background (pid {pid}"
        )),
        "{lines}"
    );
    let status = reqwest::blocking::Client::new()
        .get(format!("{endpoint}/v1beta1/cks/clusters"))
        .bearer_auth("sandbox-token")
        .send()
        .expect("the background sandbox answers")
        .status();
    stop(pid);
    assert_eq!(status, 200);
}

#[test]
fn a_token_given_to_the_sandbox_is_not_printed() {
    let lines = start_in_background(&["--token", "my-own-token"]);
    let pid = exported(&lines, "COREWEAVE_SANDBOX_PID").expect(&lines);
    stop(pid);
    assert!(!lines.contains("my-own-token"), "{lines}");
    assert_eq!(exported(&lines, "COREWEAVE_API_TOKEN"), None, "{lines}");
    assert!(
        lines.contains("COREWEAVE_API_TOKEN to the token given to the sandbox"),
        "{lines}"
    );
}

#[test]
fn a_background_sandbox_that_cannot_start_says_why() {
    let out = Command::new(BIN)
        .args(["--background", "--listen", "256.0.0.1:1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing to eval: {}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot listen on 256.0.0.1:1"), "{stderr}");
}

/// The indented lines after the `TRY IT BY HAND` heading of `--help`, without their indent.
fn recipe() -> String {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = text(&out);
    let (_, after) = help
        .split_once("TRY IT BY HAND")
        .expect("a TRY IT BY HAND section in --help");
    after
        .lines()
        .skip_while(|l| !l.starts_with("    "))
        .take_while(|l| l.starts_with("    ") || l.is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect::<String>()
        .trim_end()
        .to_string()
        + "\n"
}

#[test]
fn the_help_recipe_gets_credentials_when_run_as_printed() {
    let recipe = recipe();
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // A sandbox left running by a failed step is stopped when the shell ends.
    let script = format!(
        "trap '[ -z \"${{COREWEAVE_SANDBOX_PID:-}}\" ] || kill \"$COREWEAVE_SANDBOX_PID\" 2>/dev/null || true' EXIT\n{recipe}"
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("PATH", path)
        .env_remove("COREWEAVE_SANDBOX_TOKEN")
        .output()
        .expect("running bash");
    let stdout = text(&out);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"AccessKeyId\""), "{stdout}");
}

#[test]
fn the_readme_shows_the_same_recipe() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("sandbox/README.md");
    assert!(
        readme.contains(&recipe()),
        "sandbox/README.md's \"Try it by hand\" block differs from the recipe in --help:\n{}",
        recipe()
    );
}
