use super::*;
use crate::model::cluster::ClusterInput;
use crate::model::cluster_oidc::Oidc;
use crate::wire::errors::{Code, Detail};
use serde_json::{json, Value};

fn cluster(oidc: Option<Value>) -> Cluster {
    let mut v = json!({"id": "c1", "version": "1.32", "public": true});
    if let Some(o) = oidc {
        v["oidc"] = o;
    }
    serde_json::from_value::<ClusterInput>(v)
        .unwrap()
        .into_cluster("2025-01-15T10:00:00Z")
        .unwrap()
}

fn request(v: Value) -> UpdateClusterRequest {
    serde_json::from_value(v).unwrap()
}

fn update(c: &Cluster, v: Value) -> Result<Cluster, ApiError> {
    let req = request(v);
    let paths = req.plan("c1")?;
    req.check_version(c)?;
    req.apply(c, &paths)
}

fn violated_fields(err: &ApiError) -> Vec<String> {
    match &err.details[..] {
        [Detail::BadRequest(v)] => v.iter().map(|v| v.field.clone()).collect(),
        other => panic!("expected one BadRequest, got {other:?}"),
    }
}

const ISSUER: &str = "https://idp.example.com";

#[test]
fn id_version_and_a_mask_are_required() {
    let err = request(json!({})).plan("c1").unwrap_err();
    assert_eq!(violated_fields(&err), ["id", "version", "updateMask"]);
    let err = request(json!({"id": "c1", "version": "1.32", "updateMask": ""}))
        .plan("c1")
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["updateMask"]);
}

#[test]
fn id_must_match_the_path() {
    let err = request(json!({"id": "other", "version": "1.32", "updateMask": "public"}))
        .plan("c1")
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["id"]);
}

#[test]
fn a_different_version_is_rejected() {
    let err = update(
        &cluster(None),
        json!({"id": "c1", "version": "1.33", "updateMask": "public"}),
    )
    .unwrap_err();
    assert_eq!(violated_fields(&err), ["version"]);
}

#[test]
fn version_in_the_mask_is_rejected() {
    let err = request(json!({"id": "c1", "version": "1.32", "updateMask": "version"}))
        .plan("c1")
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["updateMask"]);
}

#[test]
fn unknown_mask_paths_are_rejected() {
    let err = request(json!({"id": "c1", "version": "1.32", "updateMask": "oidc.caCert"}))
        .plan("c1")
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert_eq!(violated_fields(&err), ["updateMask"]);
}

#[test]
fn mask_accepts_camel_and_snake_case() {
    let paths = parse_mask("oidc.issuer_url,oidc.clientId,audit_policy").unwrap();
    assert_eq!(
        paths,
        [
            MaskPath::OidcField(OidcField::IssuerUrl),
            MaskPath::OidcField(OidcField::ClientId),
            MaskPath::AuditPolicy
        ]
    );
}

#[test]
fn a_masked_path_with_a_value_sets_it() {
    let c = update(
        &cluster(None),
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc.issuerUrl,oidc.clientId",
               "oidc": {"issuerUrl": ISSUER, "clientId": "k"}}),
    )
    .unwrap();
    let o = c.oidc.unwrap();
    assert_eq!((o.issuer_url.as_str(), o.client_id.as_str()), (ISSUER, "k"));
}

#[test]
fn a_masked_path_without_a_value_clears_it() {
    let before = cluster(Some(
        json!({"issuerUrl": ISSUER, "clientId": "k", "usernameClaim": "email"}),
    ));
    let c = update(
        &before,
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc.usernameClaim"}),
    )
    .unwrap();
    assert_eq!(c.oidc.unwrap().username_claim, "");
}

#[test]
fn the_oidc_path_alone_clears_the_whole_block() {
    let before = cluster(Some(json!({"issuerUrl": ISSUER, "clientId": "k"})));
    let c = update(
        &before,
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc"}),
    )
    .unwrap();
    assert!(c.oidc.is_none());
}

#[test]
fn clearing_every_oidc_field_removes_the_block() {
    let before = cluster(Some(json!({"issuerUrl": ISSUER, "clientId": "k"})));
    let c = update(
        &before,
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc.issuer_url,oidc.client_id"}),
    )
    .unwrap();
    assert!(c.oidc.is_none());
}

#[test]
fn a_body_field_the_mask_does_not_name_is_refused() {
    for (mask, unnamed) in [
        ("oidc.issuerUrl", vec!["oidc.clientId", "oidc.groupsClaim"]),
        ("oidc.issuerUrl,oidc.clientId", vec!["oidc.groupsClaim"]),
        (
            "public",
            vec!["oidc.issuerUrl", "oidc.clientId", "oidc.groupsClaim"],
        ),
    ] {
        let err = request(json!({"id": "c1", "version": "1.32", "updateMask": mask,
            "oidc": {"issuerUrl": ISSUER, "clientId": "k", "groupsClaim": "g"}, "public": true}))
        .plan("c1")
        .unwrap_err();
        let mut expected = unnamed;
        if !mask.contains("public") {
            expected.push("public");
        }
        assert_eq!(violated_fields(&err), expected, "{mask}");
    }
    let whole = request(json!({"id": "c1", "version": "1.32", "updateMask": "oidc",
        "oidc": {"issuerUrl": ISSUER, "clientId": "k", "groupsClaim": "g"}}));
    assert_eq!(whole.plan("c1").unwrap(), [MaskPath::Oidc]);
}

#[test]
fn an_oidc_object_without_issuer_or_client_id_is_rejected_whatever_the_mask() {
    let before = cluster(Some(json!({"issuerUrl": ISSUER, "clientId": "k"})));
    for (oidc, missing) in [
        (json!({"clientId": "k2"}), vec!["oidc.issuerUrl"]),
        (
            json!({"issuerUrl": ISSUER, "clientId": ""}),
            vec!["oidc.clientId"],
        ),
        (
            json!({"groupsClaim": "g"}),
            vec!["oidc.issuerUrl", "oidc.clientId"],
        ),
    ] {
        let err = update(
            &before,
            json!({"id": "c1", "version": "1.32", "updateMask": "oidc", "oidc": oidc}),
        )
        .unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        assert_eq!(violated_fields(&err), missing);
    }
}

#[test]
fn all_ten_paths_with_the_complete_object_replace_the_block() {
    let before = cluster(Some(
        json!({"issuerUrl": ISSUER, "clientId": "k", "groupsClaim": "g"}),
    ));
    let all_ten = "oidc.issuerUrl,oidc.clientId,oidc.usernameClaim,oidc.usernamePrefix,\
oidc.groupsClaim,oidc.groupsPrefix,oidc.ca,oidc.requiredClaim,oidc.adminGroupBinding,oidc.signingAlgorithms";
    let c = update(
        &before,
        json!({"id": "c1", "version": "1.32", "updateMask": all_ten,
               "oidc": {"issuerUrl": ISSUER, "clientId": "k2"}}),
    )
    .unwrap();
    assert_eq!(
        c.oidc.unwrap(),
        Oidc {
            issuer_url: ISSUER.into(),
            client_id: "k2".into(),
            ..Oidc::default()
        }
    );
    assert!(c.public, "public not in the mask: unchanged");
    let cleared = update(
        &before,
        json!({"id": "c1", "version": "1.32", "updateMask": all_ten}),
    )
    .unwrap();
    assert!(cleared.oidc.is_none());
}

#[test]
fn the_resulting_oidc_block_is_validated() {
    let err = update(
        &cluster(None),
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc.clientId,oidc.issuerUrl",
               "oidc": {"clientId": "k", "issuerUrl": "http://idp.example.com"}}),
    )
    .unwrap_err();
    assert_eq!(violated_fields(&err), ["oidc.issuerUrl"]);
}

#[test]
fn signing_algorithms_must_be_enum_names() {
    let err = update(
        &cluster(None),
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc",
               "oidc": {"issuerUrl": ISSUER, "clientId": "k", "signingAlgorithms": ["RS256"]}}),
    )
    .unwrap_err();
    assert_eq!(violated_fields(&err), ["oidc.signingAlgorithms[0]"]);
}

#[test]
fn public_in_the_mask_without_a_value_becomes_false() {
    let c = update(
        &cluster(None),
        json!({"id": "c1", "version": "1.32", "updateMask": "public"}),
    )
    .unwrap();
    assert!(!c.public);
}
