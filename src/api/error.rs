//! The client's error type: what callers branch on ([`ApiError`]) and the server's documented
//! error answer ([`ApiStatus`]). Reading those answers off the wire is `status.rs`'s job.

use std::fmt;
use std::sync::Arc;

use super::answer::Malformation;
use super::breaker::TRIP_AFTER;
use super::retry::Outcome;

/// Why an API call failed.
///
/// The variants separate what callers act on differently: configuration problems found before
/// any request is sent, connection failures, documented error answers of the server
/// ([`ApiError::Status`], with [`ApiError::code`] and [`ApiError::is_not_found`] for branching),
/// answers that are not the documented error shape, successful answers that are not the
/// documented shape, an unreachable endpoint and an interruption.
/// No variant ever carries the API token or the `Authorization` header.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// A call needs the API, but no token is configured.
    #[error(
        "no CoreWeave API token is configured: set `token` in the provider block or the \
         COREWEAVE_API_TOKEN environment variable"
    )]
    MissingToken,
    /// Authentication from a CI OIDC token failed: no token, an expired one, a refused exchange.
    #[error("workload identity authentication as service account {service_account_uid:?} failed: {detail}")]
    WorkloadIdentity {
        /// The service account the provider tried to act as.
        service_account_uid: String,
        /// What went wrong (never the CI token or the bearer).
        detail: String,
    },
    /// The endpoint is plain `http://` on a host that is not loopback: the token is not sent.
    #[error(
        "refusing to send the CoreWeave API token over plain http to {host}: use an https:// \
         endpoint (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)"
    )]
    InsecureEndpoint {
        /// Host of the refused endpoint.
        host: String,
    },
    /// The request could not be built (bad endpoint, empty path parameter, unusable token, ...).
    #[error("invalid CoreWeave API request: {0}")]
    InvalidRequest(String),
    /// The connection failed or timed out; no (complete) answer was received.
    #[error("{method} {url_path}: {detail}")]
    Transport {
        /// HTTP method of the request.
        method: String,
        /// URL path of the request (no query, no credentials).
        url_path: String,
        /// Human-readable cause, `timed out after ...` for timeouts.
        detail: String,
        /// Whether the request timed out.
        timed_out: bool,
        /// The underlying HTTP client error.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The server answered with its documented error body.
    #[error("{0}")]
    Status(ApiStatus),
    /// The S3 endpoint answered with an S3 error (its XML error document, or a bare status).
    #[error("{0}")]
    S3(S3Status),
    /// The server answered something that is neither a success nor a documented error body
    /// (HTML from a proxy, a redirect that was not followed, an oversized body, ...).
    #[error("unexpected HTTP {http_status} answer to {path}: {body}")]
    Unexpected {
        /// HTTP status code of the answer.
        http_status: u16,
        /// The start of the body (at most 512 characters), or a description of the problem.
        body: String,
        /// URL path of the request.
        path: String,
    },
    /// A successful answer that is not the documented shape (no JSON content type, an empty
    /// body, not a JSON object, wrong field types, one page of a list or another message instead
    /// of a list). Nothing is concluded from it: above all not "the object is gone".
    #[error(
        "the answer to {method} {path} (HTTP {http_status}) is not the documented shape: {problem}"
    )]
    Malformed {
        /// HTTP method of the request.
        method: String,
        /// URL path of the request.
        path: String,
        /// HTTP status of the answer.
        http_status: u16,
        /// What is wrong with it.
        problem: Malformation,
    },
    /// The endpoint refused the connection or did not answer in time. With `tripped`, it did
    /// so [`TRIP_AFTER`] times in a row and the client makes no more calls to it in this run.
    #[error("{}", describe_unreachable(*.service, .endpoint, .last, *.tripped))]
    Unreachable {
        /// Which endpoint: the API's or the S3 endpoint.
        service: Service,
        /// The endpoint as `scheme://host:port[/prefix]`.
        endpoint: String,
        /// The connection failure or timeout ([`ApiError::Transport`]) that decided it.
        last: Box<ApiError>,
        /// Whether the client stopped calling the endpoint for the rest of this run.
        tripped: bool,
    },
    /// The API refused the credentials (HTTP 401).
    #[error("{answer}: the CoreWeave API refused {credential}")]
    CredentialsRefused {
        /// What was refused, and where to fix it.
        credential: String,
        /// The server's answer ([`ApiError::Status`]).
        answer: Box<ApiError>,
    },
    /// A retryable failure persisted through every allowed retry.
    #[error("{endpoint}: giving up after {attempts} attempts; last {}", describe_last(.last))]
    RetriesExhausted {
        /// The endpoint as `scheme://host:port[/prefix]`.
        endpoint: String,
        /// Number of attempts made (first try included).
        attempts: u32,
        /// The failure of the last attempt.
        last: Box<ApiError>,
    },
    /// The call failed (`last`), but an earlier attempt of it may have taken effect (`lost`: a
    /// 500, 502 or 504 answer, or an exchange that broke off): the outcome is unknown, whatever
    /// the last attempt answered. Callers read the object back before they conclude anything.
    #[error("{last}; an earlier attempt may have taken effect, its answer was lost ({lost})")]
    AfterLostAnswer {
        /// The failure of the first attempt that may have taken effect.
        lost: Box<ApiError>,
        /// The failure that ended the call.
        last: Box<ApiError>,
    },
    /// Terraform asked the provider to stop (Ctrl-C): the call was abandoned.
    #[error("interrupted (Terraform asked the provider to stop) {phase} {request}{}", describe_interrupted(.last))]
    Interrupted {
        /// When the stop came.
        phase: Phase,
        /// `METHOD /path` of the call.
        request: String,
        /// The failure that was going to be retried, when the stop came during a retry pause.
        last: Option<Box<ApiError>>,
    },
}

/// When a stop request ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the request was sent: nothing reached the API.
    BeforeSending,
    /// While the request was in flight: it may have reached the API.
    InFlight,
    /// While waiting to retry after a failed attempt.
    WaitingToRetry,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::BeforeSending => "before sending",
            Phase::InFlight => "while waiting for the answer to",
            Phase::WaitingToRetry => "while waiting to retry",
        })
    }
}

fn describe_last(last: &ApiError) -> String {
    match last {
        // A status derived from a bare HTTP answer already names the HTTP status.
        ApiError::Status(status) if status.message.starts_with("HTTP ") => {
            format!("answer {status}")
        }
        ApiError::Status(status) => format!("answer HTTP {}: {status}", status.http_status),
        other => format!("error: {other}"),
    }
}

fn describe_interrupted(last: &Option<Box<ApiError>>) -> String {
    last.as_ref()
        .map(|last| format!(" (last error: {last})"))
        .unwrap_or_default()
}

/// Which endpoint a client calls: what its errors name and where they say to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The CoreWeave API (`endpoint`).
    Api,
    /// AI Object Storage's S3 endpoint (`s3_endpoint`).
    S3,
}

impl Service {
    /// What messages call it.
    fn name(self) -> &'static str {
        match self {
            Service::Api => "the CoreWeave API",
            Service::S3 => "the AI Object Storage S3 endpoint",
        }
    }

    /// Where a user fixes the endpoint.
    fn fix(self) -> &'static str {
        match self {
            Service::Api => {
                "Check `endpoint` in the provider block or the COREWEAVE_API_ENDPOINT environment variable"
            }
            Service::S3 => {
                "Check `s3_endpoint` in the provider block or the COREWEAVE_S3_ENDPOINT environment variable"
            }
        }
    }
}

fn describe_unreachable(
    service: Service,
    endpoint: &str,
    last: &ApiError,
    tripped: bool,
) -> String {
    let name = service.name();
    let what = match last {
        ApiError::Transport {
            timed_out: true,
            method,
            url_path,
            detail,
            ..
        } => format!(
            "{name} at {endpoint} did not answer {} ({method} {url_path})",
            detail.trim_start_matches("no answer ")
        ),
        ApiError::Transport {
            method,
            url_path,
            detail,
            ..
        } => format!("cannot connect to {name} at {endpoint} ({method} {url_path}: {detail})"),
        other => format!("cannot reach {name} at {endpoint} ({other})"),
    };
    let stopped = if tripped {
        format!(
            "; after {TRIP_AFTER} such failures in a row the provider makes no more calls to it \
             in this run"
        )
    } else {
        String::new()
    };
    let timeout_fix = match last {
        ApiError::Transport {
            timed_out: true, ..
        } => ", or raise `request_timeout_seconds`",
        _ => "",
    };
    format!("{what}{stopped}. {}{timeout_fix}.", service.fix())
}

impl ApiError {
    /// The documented error answer of the server, also when it was the last of exhausted retries.
    pub fn status(&self) -> Option<&ApiStatus> {
        match self {
            ApiError::Status(status) => Some(status),
            ApiError::RetriesExhausted { last, .. }
            | ApiError::AfterLostAnswer { last, .. }
            | ApiError::CredentialsRefused { answer: last, .. } => last.status(),
            _ => None,
        }
    }

    /// The S3 endpoint's error answer, also when it was the last of exhausted retries or came
    /// after a lost answer.
    pub fn s3_status(&self) -> Option<&S3Status> {
        match self {
            ApiError::S3(status) => Some(status),
            ApiError::RetriesExhausted { last, .. } | ApiError::AfterLostAnswer { last, .. } => {
                last.s3_status()
            }
            _ => None,
        }
    }

    /// The gRPC/Connect code of the server's error answer, if there was one.
    pub fn code(&self) -> Option<Code> {
        self.status().map(|status| status.code)
    }

    /// Whether the server said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(Code::NotFound)
    }

    /// True when the server may have applied the request although the call failed: a transport
    /// error, a server or gateway error (500, 502, 504) that can come after processing, or any
    /// failure after such an attempt ([`ApiError::AfterLostAnswer`]). The caller should read the
    /// object back to learn the outcome. 429 and 503 mean "refused".
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Transport { .. } | ApiError::AfterLostAnswer { .. } => true,
            ApiError::RetriesExhausted { last, .. } | ApiError::Unreachable { last, .. } => {
                last.outcome_unknown()
            }
            ApiError::Interrupted { phase, last, .. } => match phase {
                Phase::BeforeSending => false,
                Phase::InFlight => true,
                Phase::WaitingToRetry => last.as_ref().is_some_and(|last| last.outcome_unknown()),
            },
            _ => self
                .http_status()
                .is_some_and(|status| Outcome::Status(status).may_have_taken_effect()),
        }
    }

    /// The HTTP status of the answer, if the server answered at all.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Status(status) => Some(status.http_status),
            ApiError::S3(status) => Some(status.http_status),
            ApiError::Unexpected { http_status, .. } => Some(*http_status),
            ApiError::Malformed { http_status, .. } => Some(*http_status),
            ApiError::RetriesExhausted { last, .. }
            | ApiError::AfterLostAnswer { last, .. }
            | ApiError::CredentialsRefused { answer: last, .. } => last.http_status(),
            _ => None,
        }
    }
}

/// A decoded error answer of the server (`google.rpc.Status` or Connect error).
///
/// Displays as `invalid_argument: <message> (oidc.ca: not a PEM certificate; ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiStatus {
    /// HTTP status code of the answer.
    pub http_status: u16,
    /// The error code.
    pub code: Code,
    /// The server's message.
    pub message: String,
    /// Structured details (`google.rpc.*` messages).
    pub details: Vec<ErrorDetail>,
}

impl fmt::Display for ApiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(code_name(self.code))?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        let parts: Vec<String> = self
            .details
            .iter()
            .flat_map(ErrorDetail::describe)
            .collect();
        if !parts.is_empty() {
            write!(f, " ({})", parts.join("; "))?;
        }
        Ok(())
    }
}

/// An S3 error answer: `<Error><Code>NoSuchBucket</Code><Message>...</Message></Error>`, or
/// the code S3 gives a bare status (a `HEAD` answer has no body).
///
/// Displays as `NoSuchBucket (HTTP 404): The specified bucket does not exist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Status {
    /// HTTP status code of the answer.
    pub http_status: u16,
    /// The S3 error code, e.g. `NoSuchBucket`, `AccessDenied`.
    pub code: String,
    /// The server's message (may be empty).
    pub message: String,
}

impl fmt::Display for S3Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.http_status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// The gRPC status codes, as used by google.rpc.Status and Connect.
pub use tonic::Code;

/// The Connect (snake_case) name of a code, as error messages show it.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "ok",
        Code::Cancelled => "canceled",
        Code::Unknown => "unknown",
        Code::InvalidArgument => "invalid_argument",
        Code::DeadlineExceeded => "deadline_exceeded",
        Code::NotFound => "not_found",
        Code::AlreadyExists => "already_exists",
        Code::PermissionDenied => "permission_denied",
        Code::ResourceExhausted => "resource_exhausted",
        Code::FailedPrecondition => "failed_precondition",
        Code::Aborted => "aborted",
        Code::OutOfRange => "out_of_range",
        Code::Unimplemented => "unimplemented",
        Code::Internal => "internal",
        Code::Unavailable => "unavailable",
        Code::DataLoss => "data_loss",
        Code::Unauthenticated => "unauthenticated",
    }
}

/// One structured detail of an error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorDetail {
    /// `google.rpc.BadRequest`: which request fields are invalid.
    BadRequest {
        /// `(field, description)` pairs.
        field_violations: Vec<(String, String)>,
    },
    /// `google.rpc.ResourceInfo`: the object the error is about.
    ResourceInfo {
        /// Kind of the object.
        resource_type: String,
        /// Name or id of the object.
        resource_name: String,
        /// Owner of the object, if the server said.
        owner: String,
        /// What went wrong with the object.
        description: String,
    },
    /// `google.rpc.PreconditionFailure`: which preconditions failed.
    PreconditionFailure {
        /// `(type, subject, description)` triples.
        violations: Vec<(String, String, String)>,
    },
    /// `google.rpc.QuotaFailure`: which quotas were exceeded.
    QuotaFailure {
        /// `(subject, description)` pairs.
        violations: Vec<(String, String)>,
    },
    /// Any other detail type, kept by name only.
    Other {
        /// The detail's type name or URL.
        type_url: String,
    },
}

impl ErrorDetail {
    /// Human-readable parts for the error message (none for unknown detail types).
    fn describe(&self) -> Vec<String> {
        match self {
            ErrorDetail::BadRequest { field_violations } => field_violations
                .iter()
                .map(|(field, description)| join_nonempty(&[field], description))
                .collect(),
            ErrorDetail::ResourceInfo {
                resource_type,
                resource_name,
                owner,
                description,
            } => {
                let mut head = resource_type.clone();
                if !resource_name.is_empty() {
                    if !head.is_empty() {
                        head.push(' ');
                    }
                    head.push_str(&format!("{resource_name:?}"));
                }
                if !owner.is_empty() {
                    head.push_str(&format!(" owned by {owner}"));
                }
                let text = join_nonempty(&[head.trim()], description);
                if text.is_empty() {
                    Vec::new()
                } else {
                    vec![text]
                }
            }
            ErrorDetail::PreconditionFailure { violations } => violations
                .iter()
                .map(|(kind, subject, description)| join_nonempty(&[kind, subject], description))
                .collect(),
            ErrorDetail::QuotaFailure { violations } => violations
                .iter()
                .map(|(subject, description)| join_nonempty(&[subject], description))
                .collect(),
            ErrorDetail::Other { .. } => Vec::new(),
        }
    }
}

/// `"a b: description"`, leaving out empty parts.
fn join_nonempty(heads: &[&str], description: &str) -> String {
    let head = heads
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    match (head.is_empty(), description.is_empty()) {
        (false, false) => format!("{head}: {description}"),
        (false, true) => head,
        (true, _) => description.to_string(),
    }
}

#[cfg(test)]
mod tests;
