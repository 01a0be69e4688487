use super::*;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn status_of(error: ApiError) -> ApiStatus {
    match error {
        ApiError::Status(status) => status,
        other => panic!("expected a status, got {other:?}"),
    }
}

#[test]
fn rest_status_with_bad_request_and_resource_info_displays_every_violation() {
    let body = r#"{"code":3,"message":"invalid OIDC configuration","details":[
        {"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[
            {"field":"oidc.ca","description":"not a PEM certificate"},
            {"field":"oidc.issuerUrl","description":"must be https"}]},
        {"@type":"type.googleapis.com/google.rpc.ResourceInfo","resourceType":"cluster",
         "resourceName":"3f2a","description":"cluster is updating"}]}"#;
    let status = status_of(rest_error(400, body, "/v1beta1/cks/clusters/3f2a"));
    assert_eq!(status.code, Code::InvalidArgument);
    assert_eq!(status.http_status, 400);
    assert_eq!(
        status.details[0],
        ErrorDetail::BadRequest {
            field_violations: vec![
                ("oidc.ca".into(), "not a PEM certificate".into()),
                ("oidc.issuerUrl".into(), "must be https".into()),
            ]
        }
    );
    assert_eq!(
        status.to_string(),
        "invalid_argument: invalid OIDC configuration (oidc.ca: not a PEM certificate; \
         oidc.issuerUrl: must be https; cluster \"3f2a\": cluster is updating)"
    );
}

#[test]
fn rest_status_precondition_and_quota_details_decode() {
    let body = r#"{"code":9,"message":"busy","details":[
        {"@type":"type.googleapis.com/google.rpc.PreconditionFailure","violations":[
            {"type":"STATE","subject":"cluster/abc","description":"cluster is not running"}]},
        {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
            {"subject":"org","description":"too many policies"}]},
        {"@type":"type.googleapis.com/google.rpc.DebugInfo","detail":"x"}]}"#;
    let status = status_of(rest_error(400, body, "/p"));
    assert_eq!(status.code, Code::FailedPrecondition);
    assert_eq!(
        status.details,
        vec![
            ErrorDetail::PreconditionFailure {
                violations: vec![(
                    "STATE".into(),
                    "cluster/abc".into(),
                    "cluster is not running".into()
                )]
            },
            ErrorDetail::QuotaFailure {
                violations: vec![("org".into(), "too many policies".into())]
            },
            ErrorDetail::Other {
                type_url: "type.googleapis.com/google.rpc.DebugInfo".into()
            },
        ]
    );
    assert_eq!(
        status.to_string(),
        "failed_precondition: busy (STATE cluster/abc: cluster is not running; org: too many policies)"
    );
}

#[test]
fn rest_status_accepts_string_codes_and_unknown_numbers() {
    let status = status_of(rest_error(
        404,
        r#"{"code":"NOT_FOUND","message":"gone"}"#,
        "/p",
    ));
    assert_eq!(status.code, Code::NotFound);
    let status = status_of(rest_error(500, r#"{"code":99}"#, "/p"));
    assert_eq!(status.code, Code::Unknown);
    assert_eq!(status.to_string(), "unknown");
}

#[test]
fn rest_non_status_bodies_are_unexpected_with_a_bounded_snippet() {
    let html = format!("<html>{}</html>", "x".repeat(5000));
    match rest_error(502, &html, "/v1/cwobject/access-policy") {
        ApiError::Unexpected {
            http_status,
            body,
            path,
        } => {
            assert_eq!(http_status, 502);
            assert_eq!(body.chars().count(), SNIPPET_CHARS);
            assert!(body.starts_with("<html>xxx"));
            assert_eq!(path, "/v1/cwobject/access-policy");
        }
        other => panic!("unexpected {other:?}"),
    }
    for body in [
        "",
        "null",
        "[]",
        r#"{"message":"no code"}"#,
        r#"{"code":0}"#,
        r#"{"code":true}"#,
    ] {
        assert!(
            matches!(rest_error(500, body, "/p"), ApiError::Unexpected { .. }),
            "{body}"
        );
    }
    assert!(matches!(
        rest_error(302, r#"{"code":5}"#, "/p"),
        ApiError::Unexpected {
            http_status: 302,
            ..
        }
    ));
    let empty = rest_error(503, "  ", "/p");
    assert_eq!(
        empty.to_string(),
        "unexpected HTTP 503 answer to /p: (empty body)"
    );
}

#[test]
fn connect_error_details_decode_from_base64_protobuf_padded_or_not() {
    let resource = pb::ResourceInfo {
        resource_type: "oidc_config".into(),
        resource_name: "cfg-123".into(),
        description: "no such config".into(),
        ..Default::default()
    };
    let bad_request = pb::BadRequest {
        field_violations: vec![
            pb::bad_request::FieldViolation {
                field: "issuer_url".into(),
                description: "must be https".into(),
            },
            pb::bad_request::FieldViolation {
                field: "name".into(),
                description: "too long".into(),
            },
        ],
    };
    let precondition = pb::PreconditionFailure {
        violations: vec![pb::precondition_failure::Violation {
            r#type: "STATE".into(),
            subject: "cfg".into(),
            description: "deactivated".into(),
        }],
    };
    let quota = pb::QuotaFailure {
        violations: vec![pb::quota_failure::Violation {
            subject: "org".into(),
            description: "too many configs".into(),
        }],
    };
    let body = serde_json::json!({
        "code": "not_found",
        "message": "config not found",
        "details": [
            {"type": "google.rpc.ResourceInfo", "value": STANDARD_NO_PAD.encode(resource.encode_to_vec())},
            {"type": "google.rpc.BadRequest", "value": STANDARD.encode(bad_request.encode_to_vec())},
            {"type": "google.rpc.PreconditionFailure", "value": STANDARD_NO_PAD.encode(precondition.encode_to_vec()),
             "debug": {"violations": []}},
            {"type": "type.googleapis.com/google.rpc.QuotaFailure", "value": URL_SAFE_NO_PAD.encode(quota.encode_to_vec())},
            {"type": "google.rpc.ErrorInfo", "value": ""}
        ]
    })
    .to_string();
    let status = status_of(connect_error(404, &body, "/svc/GetOIDCConfig"));
    assert_eq!(status.code, Code::NotFound);
    assert_eq!(
        status.details,
        vec![
            ErrorDetail::ResourceInfo {
                resource_type: "oidc_config".into(),
                resource_name: "cfg-123".into(),
                owner: String::new(),
                description: "no such config".into(),
            },
            ErrorDetail::BadRequest {
                field_violations: vec![
                    ("issuer_url".into(), "must be https".into()),
                    ("name".into(), "too long".into()),
                ]
            },
            ErrorDetail::PreconditionFailure {
                violations: vec![("STATE".into(), "cfg".into(), "deactivated".into())]
            },
            ErrorDetail::QuotaFailure {
                violations: vec![("org".into(), "too many configs".into())]
            },
            ErrorDetail::Other {
                type_url: "google.rpc.ErrorInfo".into()
            },
        ]
    );
    assert_eq!(
        status.to_string(),
        "not_found: config not found (oidc_config \"cfg-123\": no such config; \
         issuer_url: must be https; name: too long; STATE cfg: deactivated; org: too many configs)"
    );
}

#[test]
fn connect_detail_falls_back_to_debug_json_when_value_is_garbage() {
    let body = r#"{"code":"invalid_argument","message":"bad","details":[
        {"type":"google.rpc.BadRequest","value":"!!!not base64!!!",
         "debug":{"fieldViolations":[{"field":"audience","description":"empty"}]}},
        {"type":"google.rpc.ResourceInfo","value":"/w"}]}"#;
    let status = status_of(connect_error(400, body, "/p"));
    assert_eq!(
        status.details,
        vec![
            ErrorDetail::BadRequest {
                field_violations: vec![("audience".into(), "empty".into())]
            },
            ErrorDetail::Other {
                type_url: "google.rpc.ResourceInfo".into()
            },
        ]
    );
}

#[test]
fn connect_non_connect_bodies_get_the_code_of_their_http_status() {
    let cases = [
        (404, Code::Unimplemented),
        (429, Code::Unavailable),
        (502, Code::Unavailable),
        (503, Code::Unavailable),
        (504, Code::Unavailable),
        (401, Code::Unauthenticated),
        (403, Code::PermissionDenied),
        (400, Code::Internal),
        (500, Code::Unknown),
    ];
    for (http_status, code) in cases {
        let status = status_of(connect_error(http_status, "<html>oops</html>", "/p"));
        assert_eq!(status.code, code, "{http_status}");
        assert_eq!(
            status.message,
            format!("HTTP {http_status}: <html>oops</html>")
        );
    }
    assert_eq!(status_of(connect_error(503, "", "/p")).message, "HTTP 503");
    assert!(matches!(
        connect_error(301, "", "/p"),
        ApiError::Unexpected {
            http_status: 301,
            ..
        }
    ));
}

#[test]
fn code_names_round_trip_and_numbers_map() {
    for number in 1..=16 {
        let code = code_from_number(number).unwrap();
        assert_eq!(code_from_name(code_name(code)), Some(code));
        assert_eq!(code_from_name(&code_name(code).to_uppercase()), Some(code));
    }
    assert_eq!(code_from_number(0), None);
    assert_eq!(code_from_number(5), Some(Code::NotFound));
    assert_eq!(code_from_number(2), Some(Code::Unknown));
    assert_eq!(code_from_name("ok"), None);
    assert_eq!(code_name(Code::ResourceExhausted), "resource_exhausted");
}

#[test]
fn protobuf_details_skip_unknown_fields_and_reject_malformed_bytes() {
    // ResourceInfo with an unknown varint field 7 and fixed32 field 8 after its fields.
    let mut bytes = pb::ResourceInfo {
        resource_type: "t".into(),
        resource_name: "n".into(),
        ..Default::default()
    }
    .encode_to_vec();
    bytes.extend_from_slice(&[7 << 3, 0x96, 0x01]);
    bytes.extend_from_slice(&[8 << 3 | 5, 1, 2, 3, 4]);
    assert_eq!(
        proto_detail("google.rpc.ResourceInfo", &bytes),
        Some(ErrorDetail::ResourceInfo {
            resource_type: "t".into(),
            resource_name: "n".into(),
            owner: String::new(),
            description: String::new(),
        })
    );
    let hello = pb::ResourceInfo {
        resource_type: "hello".into(),
        ..Default::default()
    }
    .encode_to_vec();
    let truncated = &hello[..4];
    assert_eq!(proto_detail("google.rpc.ResourceInfo", truncated), None);
    // A varint where a string is expected.
    assert_eq!(proto_detail("google.rpc.ResourceInfo", &[1 << 3, 1]), None);
    // A group (wire type 3) and field number 0 are rejected.
    assert_eq!(proto_detail("google.rpc.ResourceInfo", &[1 << 3 | 3]), None);
    assert_eq!(proto_detail("google.rpc.ResourceInfo", &[2, 0]), None);
    // A string that is not UTF-8.
    assert_eq!(
        proto_detail("google.rpc.ResourceInfo", &[1 << 3 | 2, 1, 0xff]),
        None
    );
    // An over-long varint and a huge length never panic.
    assert_eq!(
        proto_detail(
            "google.rpc.BadRequest",
            &[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        ),
        None
    );
    assert_eq!(
        proto_detail(
            "google.rpc.BadRequest",
            &[0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        ),
        None
    );
}

#[test]
fn random_bytes_never_panic_the_decoders() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let types = [
        "google.rpc.BadRequest",
        "google.rpc.ResourceInfo",
        "google.rpc.PreconditionFailure",
        "google.rpc.QuotaFailure",
    ];
    for round in 0..4000 {
        let len = rng.gen_range(0..64);
        let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let _ = proto_detail(types[round % types.len()], &bytes);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = rest_error(400 + (round % 200) as u16, &text, "/p");
        let _ = connect_error(400 + (round % 200) as u16, &text, "/p");
        let wrapped = serde_json::json!({
            "code": "internal",
            "details": [{"type": types[round % types.len()], "value": STANDARD.encode(&bytes)}]
        })
        .to_string();
        let _ = connect_error(500, &wrapped, "/p");
    }
}

#[test]
fn random_json_shapes_never_panic_the_decoders() {
    let mut rng = StdRng::seed_from_u64(7);
    let atoms = [
        "null",
        "1",
        "-3",
        "1e400",
        "\"x\"",
        "[]",
        "{}",
        "true",
        "5",
        "\"not_found\"",
        r#"{"@type":"google.rpc.BadRequest","fieldViolations":3}"#,
        r#"{"type":"google.rpc.BadRequest","value":5,"debug":[]}"#,
        r#"[{"field":1}]"#,
    ];
    for _ in 0..2000 {
        let pick = |rng: &mut StdRng| atoms[rng.gen_range(0..atoms.len())];
        let body = format!(
            r#"{{"code":{},"message":{},"details":[{},{}],"fieldViolations":{}}}"#,
            pick(&mut rng),
            pick(&mut rng),
            pick(&mut rng),
            pick(&mut rng),
            pick(&mut rng)
        );
        let _ = rest_error(400, &body, "/p").to_string();
        let _ = connect_error(400, &body, "/p").to_string();
    }
}
