//! Command-line parsing (by hand, no dependency).

use std::path::PathBuf;

/// Usage text printed by `--help`.
pub const USAGE: &str = "\
coreweave-sandbox: local emulator of the CoreWeave API endpoints used by terraform-provider-coreweave

USAGE:
    coreweave-sandbox [OPTIONS]

OPTIONS:
    --listen ADDR              address to listen on (default 127.0.0.1:0 = any free port)
    --token TOKEN              bearer token API requests must carry
                               (default: $COREWEAVE_SANDBOX_TOKEN, else sandbox-token)
    --org-id ORG               organization id of OIDC configs and of the caller that
                               /v1beta1/auth/whoami names (default sandbox-org)
    --seed FILE                JSON {\"clusters\":[…],\"policies\":[…],\"oidcConfigs\":[…]}
                               replacing the built-in clusters demo, staging, with-oidc
    --update-duration-ms N     how long a PATCHed cluster stays STATUS_UPDATING (default 2000)
    --fault-every N            answer every Nth API request with 429, then 503, … (0 = off)
    --latency-ms N             delay every API response by N ms (default 0)
    -h, --help                 print this help

On start it prints one line to stdout: `coreweave-sandbox listening on http://HOST:PORT`.
API: /v1beta1/cks/clusters[/{id}] (GET, PATCH, DELETE), /v1/cwobject/access-policy[/{name}]
(GET, POST, DELETE), GET /v1beta1/auth/whoami (the token's principal is sandbox-user),
Connect POST /coreweave.workload_federation.control_plane.v1beta1.
WFControlPlaneService/{Get,List,Create,Update,Delete}OIDCConfig(s), OIDC discovery under
/id/{clusterId}/ (no auth). Test admin API (no auth): GET|DELETE /_sandbox/requests,
GET /_sandbox/state, POST /_sandbox/clusters, PUT /_sandbox/clusters/{id}/status,
GET|PUT /_sandbox/config (faultEvery, latencyMs, updateDurationMs, loseWriteAnswers).
";

/// Parsed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Address to bind, e.g. `127.0.0.1:0`.
    pub listen: String,
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
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the sandbox.
    Run(Options),
    /// Print usage and exit.
    Help,
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
        token: env_token
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "sandbox-token".into()),
        org_id: "sandbox-org".into(),
        seed: None,
        update_duration_ms: 2000,
        fault_every: 0,
        latency_ms: 0,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let known = [
            "--listen",
            "--token",
            "--org-id",
            "--seed",
            "--update-duration-ms",
            "--fault-every",
            "--latency-ms",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument {arg:?}"));
        }
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => return Err(format!("{flag} expects a value")),
        };
        match flag.as_str() {
            "--listen" => opts.listen = value,
            "--token" if value.is_empty() => return Err("--token must not be empty".into()),
            "--token" => opts.token = value,
            "--org-id" if value.is_empty() => return Err("--org-id must not be empty".into()),
            "--org-id" => opts.org_id = value,
            "--seed" => opts.seed = Some(PathBuf::from(value)),
            "--update-duration-ms" => opts.update_duration_ms = number(&flag, &value)?,
            "--fault-every" => opts.fault_every = number(&flag, &value)?,
            _ => opts.latency_ms = number(&flag, &value)?,
        }
    }
    Ok(Command::Run(opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: Option<&str>) -> Result<Options, String> {
        match parse(args.iter().map(|s| s.to_string()), env.map(String::from))? {
            Command::Run(o) => Ok(o),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[], None).unwrap();
        assert_eq!(o.listen, "127.0.0.1:0");
        assert_eq!(o.token, "sandbox-token");
        assert_eq!(o.org_id, "sandbox-org");
        assert_eq!(
            (o.update_duration_ms, o.fault_every, o.latency_ms),
            (2000, 0, 0)
        );
    }

    #[test]
    fn token_comes_from_the_environment_unless_given() {
        assert_eq!(run(&[], Some("env")).unwrap().token, "env");
        assert_eq!(
            run(&["--token", "flag"], Some("env")).unwrap().token,
            "flag"
        );
    }

    #[test]
    fn every_flag_takes_a_separate_or_inline_value() {
        let o = run(
            &[
                "--listen=127.0.0.1:8089",
                "--org-id",
                "o",
                "--seed",
                "s.json",
                "--update-duration-ms",
                "300",
                "--fault-every=3",
                "--latency-ms",
                "200",
            ],
            None,
        )
        .unwrap();
        assert_eq!(o.listen, "127.0.0.1:8089");
        assert_eq!(o.seed, Some(PathBuf::from("s.json")));
        assert_eq!(
            (o.update_duration_ms, o.fault_every, o.latency_ms),
            (300, 3, 200)
        );
    }

    #[test]
    fn help_is_recognised() {
        assert_eq!(parse(["--help".to_string()], None), Ok(Command::Help));
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(run(&["--port", "1"], None).is_err());
        assert!(run(&["--latency-ms", "-1"], None).is_err());
        assert!(run(&["--token"], None).is_err());
        assert!(run(&["--token", ""], None).is_err());
    }
}
