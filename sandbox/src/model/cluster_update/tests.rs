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
        .into_cluster()
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
fn id_and_version_are_required() {
    let err = request(json!({})).plan("c1").unwrap_err();
    assert_eq!(violated_fields(&err), ["id", "version"]);
}

#[test]
fn id_must_match_the_path() {
    let err = request(json!({"id": "other", "version": "1.32"}))
        .plan("c1")
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["id"]);
}

#[test]
fn a_different_version_is_rejected() {
    let err = update(&cluster(None), json!({"id": "c1", "version": "1.33"})).unwrap_err();
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
               "oidc": {"issuerUrl": ISSUER, "clientId": "k", "groupsClaim": "ignored"}}),
    )
    .unwrap();
    let o = c.oidc.unwrap();
    assert_eq!((o.issuer_url.as_str(), o.client_id.as_str()), (ISSUER, "k"));
    assert_eq!(o.groups_claim, "", "not in the mask: not applied");
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
fn without_a_mask_only_fields_present_in_the_body_change() {
    let before = cluster(Some(
        json!({"issuerUrl": ISSUER, "clientId": "k", "groupsClaim": "g"}),
    ));
    let c = update(
        &before,
        json!({"id": "c1", "version": "1.32", "oidc": {"issuerUrl": ISSUER, "clientId": "k2"}}),
    )
    .unwrap();
    assert_eq!(
        c.oidc.unwrap(),
        Oidc {
            issuer_url: ISSUER.into(),
            client_id: "k2".into(),
            groups_claim: "g".into(),
            ..Oidc::default()
        }
    );
    assert!(c.public, "public absent from the body: unchanged");
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
            json!({"id": "c1", "version": "1.32", "updateMask": "oidc.groupsClaim", "oidc": oidc}),
        )
        .unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        assert_eq!(violated_fields(&err), missing);
    }
}

#[test]
fn the_full_object_with_a_one_field_mask_changes_only_that_field() {
    let before = cluster(Some(
        json!({"issuerUrl": ISSUER, "clientId": "k", "groupsClaim": "g"}),
    ));
    let c = update(
        &before,
        json!({"id": "c1", "version": "1.32", "updateMask": "oidc.groupsClaim",
               "oidc": {"issuerUrl": ISSUER, "clientId": "k"}}),
    )
    .unwrap();
    assert_eq!(
        c.oidc.unwrap(),
        Oidc {
            issuer_url: ISSUER.into(),
            client_id: "k".into(),
            ..Oidc::default()
        }
    );
    assert!(c.public, "public absent from the body: unchanged");
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
