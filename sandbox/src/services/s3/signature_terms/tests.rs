use hyper::header::HeaderValue;
use s3s::S3ErrorCode;

use super::*;

/// 2025-01-15T10:00:00Z.
fn noon() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_736_935_200)
}

fn signed(service: &str, date: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=CWKEY1/20250115/US-EAST-04A/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=00"
    );
    headers.insert(
        "authorization",
        HeaderValue::from_str(&authorization).unwrap(),
    );
    headers.insert("x-amz-date", HeaderValue::from_str(date).unwrap());
    headers
}

fn code(result: S3Result<()>) -> Option<S3ErrorCode> {
    result.err().map(|e| e.code().clone())
}

#[test]
fn a_header_signature_is_good_for_fifteen_minutes_either_way() {
    for date in ["20250115T100000Z", "20250115T101500Z", "20250115T094500Z"] {
        assert_eq!(
            code(check(&signed("s3", date), None, noon())),
            None,
            "{date}"
        );
    }
    for date in ["20250115T101501Z", "20250115T094459Z", "20240115T100000Z"] {
        assert_eq!(
            code(check(&signed("s3", date), None, noon())),
            Some(S3ErrorCode::RequestTimeTooSkewed),
            "{date}"
        );
    }
    let mut undated = signed("s3", "x");
    undated.remove("x-amz-date");
    assert_eq!(
        code(check(&undated, None, noon())),
        Some(S3ErrorCode::AccessDenied)
    );
}

#[test]
fn a_sigv2_header_signature_is_judged_by_its_date_header() {
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_static("AWS CWKEY1:c2ln"));
    headers.insert(
        "date",
        HeaderValue::from_static("Wed, 15 Jan 2025 10:10:00 GMT"),
    );
    assert_eq!(code(check(&headers, None, noon())), None);
    headers.insert(
        "date",
        HeaderValue::from_static("Mon, 15 Jan 2024 10:00:00 GMT"),
    );
    assert_eq!(
        code(check(&headers, None, noon())),
        Some(S3ErrorCode::RequestTimeTooSkewed)
    );
}

#[test]
fn the_scope_must_name_s3() {
    for service in ["sts", "ec2", "S3"] {
        assert_eq!(
            code(check(&signed(service, "20250115T100000Z"), None, noon())),
            Some(S3ErrorCode::AuthorizationHeaderMalformed),
            "{service}"
        );
    }
    let query = |service: &str, expires: u64| {
        format!(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=CWKEY1%2F20250115%2FUS-EAST-04A%2F{service}%2Faws4_request&X-Amz-Date=20250115T100000Z&X-Amz-Expires={expires}&X-Amz-Signature=00"
        )
    };
    let none = HeaderMap::new();
    assert_eq!(code(check(&none, Some(&query("s3", 3600)), noon())), None);
    assert_eq!(
        code(check(&none, Some(&query("sts", 3600)), noon())),
        Some(S3ErrorCode::AuthorizationQueryParametersError)
    );
    assert_eq!(
        code(check(&none, Some(&query("s3", 604_800)), noon())),
        None
    );
    assert_eq!(
        code(check(&none, Some(&query("s3", 604_801)), noon())),
        Some(S3ErrorCode::AuthorizationQueryParametersError)
    );
}
