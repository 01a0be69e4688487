//! One HTTP attempt of a call: the request with its headers, the answer read within limits,
//! abandoned at once when Terraform asks the provider to stop or the breaker trips, and every
//! failure classified for the retry loop in [`super`] and logged (never with the token).

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};

use super::{
    describe, is_dead_endpoint, redact, Answer, ApiClient, ApiError, AttemptFailure, Call, Phase,
    Protocol, MAX_ERROR_BODY_BYTES,
};
use crate::api::retry::{self, Outcome};
use crate::api::status::{connect_error, rest_error, s3_error};

impl ApiClient {
    /// One HTTP exchange, logged.
    pub(super) async fn attempt(
        &self,
        call: &Call,
        authorization: Option<&HeaderValue>,
        retry: u32,
    ) -> Result<Answer, AttemptFailure> {
        let abandoned = |error| AttemptFailure {
            error,
            outcome: Outcome::Interrupted,
            retry_after: None,
        };
        if self.inner.stop.is_cancelled() {
            return Err(abandoned(ApiError::Interrupted {
                phase: Phase::BeforeSending,
                request: describe(call),
                last: None,
            }));
        }
        if self.inner.breaker.cause().is_some() {
            return Err(abandoned(self.tripped()));
        }
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), call.url.clone());
        if call.protocol != Protocol::S3 {
            request = request.header(ACCEPT, "application/json");
        }
        for (name, value) in &call.headers {
            request = request.header(name, value.clone());
        }
        if let Some(authorization) = authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        if call.protocol == Protocol::Connect {
            request = request.header("connect-protocol-version", "1");
        }
        if let Some(body) = &call.body {
            if call.protocol != Protocol::S3 {
                request = request.header(CONTENT_TYPE, "application/json");
            }
            request = request.body(body.clone());
        }
        let started = Instant::now();
        let result = tokio::select! {
            result = self.exchange(call, request) => result,
            () = self.inner.stop.cancelled() => Err(abandoned(ApiError::Interrupted {
                phase: Phase::InFlight,
                request: describe(call),
                last: None,
            })),
            () = self.inner.breaker.tripped() => Err(abandoned(self.tripped())),
        };
        match &result {
            Err(failed) if is_dead_endpoint(&failed.error) => {
                self.inner.breaker.failed(&failed.error);
            }
            Err(AttemptFailure {
                outcome: Outcome::Status(_),
                ..
            })
            | Ok(_) => self.inner.breaker.answered(),
            Err(_) => {}
        }
        let status = match &result {
            Ok(answer) => answer.status.to_string(),
            Err(failed) => match failed.outcome {
                Outcome::Status(status) => status.to_string(),
                Outcome::ConnectFailed => "connect-error".to_string(),
                Outcome::Interrupted => match &failed.error {
                    ApiError::Transport {
                        timed_out: true, ..
                    } => "timeout".to_string(),
                    ApiError::Interrupted { .. } => "interrupted".to_string(),
                    ApiError::Unreachable { .. } => "abandoned".to_string(),
                    _ => "transport-error".to_string(),
                },
            },
        };
        tracing::debug!(
            target: "coreweave::api",
            method = %call.method,
            path = call.path(),
            status = %status,
            duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempt = retry + 1,
            "CoreWeave API request"
        );
        result
    }

    async fn exchange(
        &self,
        call: &Call,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, AttemptFailure> {
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(call, e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| retry::parse_retry_after(value, SystemTime::now()));
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let success = (200..300).contains(&status);
        let limit = if success {
            self.inner.max_answer_bytes
        } else {
            MAX_ERROR_BODY_BYTES
        };
        let (body, truncated) = read_limited(response, limit)
            .await
            .map_err(|e| self.transport_failure(call, e))?;
        if success && !truncated {
            return Ok(Answer {
                status,
                content_type,
                body,
            });
        }
        let error = if success {
            ApiError::Unexpected {
                http_status: status,
                body: format!(
                    "the answer is larger than {} MiB",
                    self.inner.max_answer_bytes / (1024 * 1024)
                ),
                path: call.path().to_string(),
            }
        } else {
            let text = self.redact(String::from_utf8_lossy(&body));
            match call.protocol {
                Protocol::Rest => rest_error(status, &text, call.path()),
                Protocol::Connect => connect_error(status, &text, call.path()),
                Protocol::S3 => s3_error(status, &text, call.path()),
            }
        };
        Err(AttemptFailure {
            error,
            outcome: Outcome::Status(status),
            retry_after,
        })
    }

    fn transport_failure(&self, call: &Call, error: reqwest::Error) -> AttemptFailure {
        let timed_out = error.is_timeout();
        let outcome = if error.is_connect() {
            Outcome::ConnectFailed
        } else {
            Outcome::Interrupted
        };
        let detail = if timed_out {
            format!("no answer within {:?}", self.inner.request_timeout)
        } else {
            let mut innermost: &dyn std::error::Error = &error;
            while let Some(source) = innermost.source() {
                innermost = source;
            }
            let what = if outcome == Outcome::ConnectFailed {
                "connection failed"
            } else {
                "request failed"
            };
            format!("{what}: {}", self.redact(Cow::Owned(innermost.to_string())))
        };
        AttemptFailure {
            error: ApiError::Transport {
                method: call.method.to_string(),
                url_path: call.path().to_string(),
                detail,
                timed_out,
                source: Arc::new(error),
            },
            outcome,
            retry_after: None,
        }
    }

    /// Replaces any occurrence of a secret (the token, CI tokens, bearers) in server text.
    fn redact(&self, text: Cow<'_, str>) -> String {
        let mut secrets: Vec<String> = self
            .inner
            .token
            .iter()
            .map(|t| t.expose().to_string())
            .collect();
        if let Some(source) = &self.inner.bearer_source {
            secrets.extend(source.secrets());
        }
        redact(text, &secrets)
    }
}

/// Reads at most `limit` bytes of the body; the flag tells whether more was left unread.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}
