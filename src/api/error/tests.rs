use super::*;
use crate::api::status::code_for_http_status;

fn status_error(http_status: u16) -> ApiError {
    ApiError::Status(ApiStatus {
        http_status,
        code: code_for_http_status(http_status),
        message: "m".into(),
        details: Vec::new(),
    })
}

#[test]
fn outcome_is_unknown_only_where_the_server_may_have_acted() {
    for status in [500, 502, 504] {
        assert!(status_error(status).outcome_unknown(), "{status}");
    }
    for status in [400, 404, 409, 429, 503] {
        assert!(!status_error(status).outcome_unknown(), "{status}");
    }
    let exhausted = ApiError::RetriesExhausted {
        endpoint: "https://h:443".into(),
        attempts: 3,
        last: Box::new(status_error(502)),
    };
    assert!(exhausted.outcome_unknown());
    assert!(!ApiError::MissingToken.outcome_unknown());
}

#[test]
fn error_helpers_see_through_exhausted_retries() {
    let status = ApiStatus {
        http_status: 404,
        code: Code::NotFound,
        message: "gone".into(),
        details: Vec::new(),
    };
    let error = ApiError::RetriesExhausted {
        endpoint: "https://api.coreweave.com:443".into(),
        attempts: 3,
        last: Box::new(ApiError::Status(status.clone())),
    };
    assert!(error.is_not_found());
    assert_eq!(error.code(), Some(Code::NotFound));
    assert_eq!(error.status(), Some(&status));
    assert_eq!(error.http_status(), Some(404));
    assert_eq!(
        error.to_string(),
        "https://api.coreweave.com:443: giving up after 3 attempts; last answer HTTP 404: not_found: gone"
    );
    assert!(!ApiError::MissingToken.is_not_found());
    assert!(ApiError::MissingToken
        .to_string()
        .contains("COREWEAVE_API_TOKEN"));
}
