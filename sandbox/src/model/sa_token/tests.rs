use super::*;

#[test]
fn service_accounts_are_namespace_slash_name() {
    assert_eq!(
        parse_service_account("default/my-sa"),
        Ok(("default".into(), "my-sa".into()))
    );
    assert!(parse_service_account("my-sa").is_err());
    assert!(parse_service_account("Default/my-sa").is_err());
    assert!(parse_service_account("default/").is_err());
    assert!(parse_service_account("default/a/b").is_err());
}

#[test]
fn requests_name_every_bad_field() {
    let req: TokenRequest =
        serde_json::from_str(r#"{"serviceAccount":"x","ttlSeconds":0}"#).unwrap();
    let err = req.checked(0).unwrap_err();
    assert!(
        err.message.contains("clusterId: is required"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("audience: is required"),
        "{}",
        err.message
    );
    assert!(err.message.contains("ttlSeconds"), "{}", err.message);
    assert!(
        err.message.contains("serviceAccount: must be"),
        "{}",
        err.message
    );
}
