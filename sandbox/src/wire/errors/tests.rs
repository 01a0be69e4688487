use super::*;
use base64::Engine;

#[test]
fn rest_body_carries_the_numeric_code_and_typed_details() {
    let err = ApiError::invalid_field("oidc.ca", "not a certificate");
    assert_eq!(
        err.rest_body(),
        json!({"code": 3, "message": "invalid request: oidc.ca: not a certificate",
               "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [{"field": "oidc.ca", "description": "not a certificate"}]}]})
    );
}

#[test]
fn connect_body_encodes_resource_info_as_unpadded_base64_protobuf() {
    let err = ApiError::not_found("OIDCConfig", "u1", "gone".into());
    let body = err.connect_body();
    assert_eq!(body["code"], "not_found");
    let detail = &body["details"][0];
    assert_eq!(detail["type"], "google.rpc.ResourceInfo");
    let value = detail["value"].as_str().unwrap();
    assert!(!value.ends_with('='));
    let bytes = STANDARD_NO_PAD.decode(value).unwrap();
    assert_eq!(
        pb::ResourceInfo::decode(bytes.as_slice()).unwrap(),
        pb::ResourceInfo {
            resource_type: "OIDCConfig".into(),
            resource_name: "u1".into(),
            owner: String::new(),
            description: "gone".into(),
        }
    );
    assert_eq!(detail["debug"]["resourceName"], "u1");
}

#[test]
fn connect_body_without_details_has_no_details_key() {
    let body = ApiError::unauthenticated().connect_body();
    assert_eq!(body["code"], "unauthenticated");
    assert!(body.get("details").is_none());
}

#[test]
fn http_statuses_follow_the_standard_mapping() {
    assert_eq!(
        Code::FailedPrecondition.http_status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(Code::AlreadyExists.http_status(), StatusCode::CONFLICT);
    assert_eq!(
        Code::ResourceExhausted.http_status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        Code::Unimplemented.http_status(),
        StatusCode::NOT_IMPLEMENTED
    );
}
