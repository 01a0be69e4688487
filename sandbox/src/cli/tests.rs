use super::*;

fn run(args: &[&str], env: Option<&str>) -> Result<Options, String> {
    match parse(args.iter().map(|s| s.to_string()), env.map(String::from))? {
        Command::Run(o) => Ok(o),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn defaults() {
    let o = run(&[], None).unwrap();
    assert_eq!(o.listen, "127.0.0.1:0");
    assert_eq!(o.s3_listen, "127.0.0.1:0");
    assert_eq!(o.token, "sandbox-token");
    assert_eq!(o.org_id, "sandbox-org");
    assert_eq!(
        (o.update_duration_ms, o.fault_every, o.latency_ms),
        (2000, 0, 0)
    );
    assert!(!o.allow_remote);
    assert_eq!(
        (o.header_read_timeout_ms, o.request_log_capacity),
        (10_000, 10_000)
    );
}

#[test]
fn allow_remote_is_a_switch_and_the_limits_take_values() {
    let o = run(
        &[
            "--allow-remote",
            "--listen",
            "0.0.0.0:8089",
            "--header-read-timeout-ms=250",
            "--request-log-capacity",
            "5",
        ],
        None,
    )
    .unwrap();
    assert!(o.allow_remote);
    assert_eq!(o.listen, "0.0.0.0:8089");
    assert_eq!((o.header_read_timeout_ms, o.request_log_capacity), (250, 5));
}

#[test]
fn login_listeners_take_addresses() {
    let o = run(
        &[
            "--idp-listen",
            "127.0.0.1:9001",
            "--kubernetes-managed-listen=127.0.0.1:9002",
            "--kubernetes-unmanaged-listen",
            "127.0.0.1:9003",
            "--proxy-listen",
            "127.0.0.1:9004",
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        [
            o.idp_listen,
            o.kubernetes_managed_listen,
            o.kubernetes_unmanaged_listen,
            o.proxy_listen
        ],
        [
            "127.0.0.1:9001",
            "127.0.0.1:9002",
            "127.0.0.1:9003",
            "127.0.0.1:9004"
        ]
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
            "--s3-listen",
            "127.0.0.1:8090",
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
    assert_eq!(o.s3_listen, "127.0.0.1:8090");
    assert_eq!(o.seed, Some(PathBuf::from("s.json")));
    assert_eq!(
        (o.update_duration_ms, o.fault_every, o.latency_ms),
        (300, 3, 200)
    );
}

#[test]
fn token_asks_a_running_sandbox() {
    let cmd = parse(
        [
            "token",
            "--cluster-id",
            "c",
            "--service-account=ns/sa",
            "--audience",
            "aud",
            "--ttl-seconds",
            "60",
        ]
        .map(String::from),
        None,
    )
    .unwrap();
    let Command::Token { url, request } = cmd else {
        panic!("{cmd:?}")
    };
    assert_eq!(url, DEFAULT_SANDBOX_URL);
    assert_eq!(request.service_account.as_deref(), Some("ns/sa"));
    assert_eq!(request.ttl_seconds, Some(60));
    let missing = parse(["token", "--cluster-id", "c"].map(String::from), None);
    assert_eq!(missing.unwrap_err(), "token: --service-account is required");
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

#[test]
fn background_is_a_flag_without_a_value() {
    assert!(!run(&[], None).unwrap().background);
    let o = run(&["--listen", "127.0.0.1:0", "--background"], None).unwrap();
    assert!(o.background);
    assert_eq!(o.listen, "127.0.0.1:0");
}
