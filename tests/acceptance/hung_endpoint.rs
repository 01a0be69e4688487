//! A hung API fails fast and Ctrl-C is immediate (issue 19, item 5): once the endpoint has
//! failed with timeouts a few times in one Terraform operation, the other calls fail at once
//! with one message naming the endpoint; Ctrl-C aborts the request in flight.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::support::loopback::{Behaviour, Loopback};
use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::terraform::{required_providers, squash};
use crate::support::{Sandbox, Workspace};

/// Terraform's default `-parallelism`: at most this many calls are in flight at once.
const PARALLELISM: usize = 10;
/// Timeouts (or refused connections) after which the client stops calling the endpoint; the
/// provider's `api::breaker::TRIP_AFTER`.
const TRIP_AFTER: usize = 2;
/// The first retry's largest back-off (the retry policy's base).
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// A provider block for `endpoint` with the default retry budget (8) and `timeout_seconds`.
fn provider(endpoint: &str, timeout_seconds: u64) -> String {
    format!(
        "{}\nprovider \"coreweave\" {{\n  endpoint                = \"{endpoint}\"\n  token                   = \"{TOKEN}\"\n  request_timeout_seconds = {timeout_seconds}\n}}\n",
        required_providers()
    )
}

/// `n` data sources, each its own `GET` of a cluster.
fn lookups(n: usize) -> String {
    format!(
        "data \"coreweave_cks_cluster_issuer\" \"many\" {{\n  count      = {n}\n  cluster_id = \"{CLUSTER_DEMO}\"\n}}\n"
    )
}

#[test]
fn a_hung_endpoint_fails_the_plan_after_a_bounded_number_of_attempts_whatever_n() {
    let timeout = Duration::from_secs(1);
    // Every call in flight when the breaker trips times out together; the calls started after it
    // send nothing. So at most one request per parallel slot, plus the retries of the first
    // slots to fail before the threshold is reached, and the plan ends after at most
    // TRIP_AFTER timeouts of one call with one back-off in between.
    let request_bound = PARALLELISM + TRIP_AFTER - 1;
    let time_bound = timeout * TRIP_AFTER as u32 + FIRST_BACKOFF;
    for n in [3, 12, 30] {
        let server = Loopback::start(Behaviour::Hang);
        let ws = Workspace::new();
        ws.write_raw(&format!("{}{}", provider(&server.url, 1), lookups(n)));
        let started = Instant::now();
        let out = ws.plan().failure();
        let elapsed = started.elapsed();
        let requests = server.requests().len();
        eprintln!(
            "hung endpoint, {n} data sources: plan failed after {elapsed:?} (Terraform included; \
             the API part is bounded by {time_bound:?}) and {requests} requests (bound {request_bound}; \
             without the breaker {} = n x 9 attempts)",
            n * 9
        );
        assert!(
            requests <= request_bound,
            "{requests} requests for {n} data sources: {:?}",
            server.requests()
        );
        let host = server.url.trim_start_matches("http://");
        assert!(
            out.contains(host),
            "the error names the endpoint and port: {out}"
        );
        assert!(out.contains("COREWEAVE_API_ENDPOINT"), "{out}");
        assert!(out.contains("did not answer within 1s"), "{out}");
        // Generous: the bound above plus Terraform's own start-up on a loaded machine; without
        // the breaker the plan takes n/10 rounds of 9 attempts x 1 s plus back-offs.
        assert!(
            elapsed < time_bound + Duration::from_secs(45),
            "took {elapsed:?}: {out}"
        );
    }
}

/// Starts `args`, waits until `server` holds a hung request, presses Ctrl-C (SIGINT to the
/// process group, as a terminal does) and returns how long Terraform took to exit and its
/// output.
pub(crate) fn interrupt_when_hung(
    ws: &Workspace,
    server: &Loopback,
    args: &[&str],
) -> (Duration, String) {
    let mut child = ws.spawn_as_from_a_terminal(args);
    let started = Instant::now();
    while server.requests().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no request reached the hung server"
        );
        // Polled: the loopback server announces no request.
        std::thread::sleep(Duration::from_millis(100));
    }
    // No event tells when Terraform has started its other operations (they share the one hung
    // list request, so the server sees nothing more): half a second lets them start, so that
    // the interrupt meets several operations in flight. The assertions hold with fewer too.
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: sending SIGINT to the process group of our own child.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) };
    let interrupted = Instant::now();
    let status = child.wait().expect("terraform exits");
    let took = interrupted.elapsed();
    let mut output = String::new();
    for stream in [
        child.stdout.take().map(|s| Box::new(s) as Box<dyn Read>),
        child.stderr.take().map(|s| Box::new(s) as Box<dyn Read>),
    ]
    .into_iter()
    .flatten()
    {
        let mut stream = stream;
        stream.read_to_string(&mut output).unwrap();
    }
    assert!(!status.success(), "{output}");
    (took, squash(&output))
}

#[test]
fn ctrl_c_during_a_hung_request_ends_the_run_at_once_with_state_kept() {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    let managed = crate::malformed_answers::MANAGED;
    ws.write_raw(&format!("{}{managed}", provider(&sandbox.url, 600)));
    ws.apply();
    let before = ws.raw_state();

    // Two minutes per request: only the interrupt can end this run soon.
    let server = Loopback::start(Behaviour::Hang);
    ws.write_raw(&format!(
        "{}{managed}{}",
        provider(&server.url, 120),
        lookups(12)
    ));
    for args in [
        &["plan", "-input=false", "-no-color"][..],
        &["apply", "-auto-approve", "-input=false", "-no-color"][..],
    ] {
        server.clear_requests();
        let (took, out) = interrupt_when_hung(&ws, &server, args);
        eprintln!("{}: Terraform exited {took:?} after Ctrl-C", args[0]);
        // Generous (the request itself would hang for 120 s): Terraform's own shutdown on a
        // loaded machine is the only wait left.
        assert!(
            took < Duration::from_secs(20),
            "{}: took {took:?}: {out}",
            args[0]
        );
        assert!(out.contains("Interrupted"), "{}: {out}", args[0]);
        assert!(out.contains("state is unchanged"), "{}: {out}", args[0]);
        // One full explanation; every other operation in flight, and every one Terraform still
        // starts after the stop, says "Interrupted" in one line (Terraform prints one error per
        // failed node). The provider keeps serving after StopProvider, so no call meets a
        // plugin that stopped answering ("Plugin did not respond" is not among the allowed
        // errors); nodes Terraform halts itself say "execution halted"; a call of its own still
        // in flight at the interrupt (on a loaded machine, a data source instance whose config
        // was still being validated) is cancelled by Terraform itself: "Request cancelled".
        assert_eq!(
            out.matches("Terraform asked the provider to stop (Ctrl-C)")
                .count(),
            1,
            "{}: {out}",
            args[0]
        );
        let errors = out.matches("Error:").count();
        let explained = out.matches("Error: Interrupted").count()
            + out.matches("Error: execution halted").count()
            + out.matches("Error: Request cancelled").count();
        eprintln!(
            "{}: {errors} errors after Ctrl-C, {} of them \"Interrupted\"",
            args[0],
            out.matches("Error: Interrupted").count()
        );
        assert_eq!(errors, explained, "{}: {out}", args[0]);
        assert_eq!(ws.raw_state(), before, "{}: the state is kept", args[0]);
    }
    ws.write_raw(&format!("{}{managed}", provider(&sandbox.url, 600)));
    ws.assert_no_changes();
}
