use serde_json::json;

use super::super::test_server::{Reply, TestServer, TOKEN, USER_AGENT};
use super::*;

#[tokio::test]
async fn list_clusters_sends_get_with_auth_and_reads_items() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"items": [
            {"id": "c1", "name": "one", "zone": "US-EAST-04A", "version": "v1.32",
             "status": "STATUS_RUNNING", "apiServerEndpoint": "c1.k8s.us-east-04a.coreweave.com",
             "vpcId": "", "public": true, "unknownField": {"nested": [1, 2]}},
            {"id": "c2", "status": 1}
        ]}),
    ));
    let clusters = server.client(0).list_clusters().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1beta1/cks/clusters");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("user-agent"), Some(USER_AGENT));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("content-type"), None);
    assert!(request.body.is_empty());

    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[0].name, "one");
    assert_eq!(clusters[0].status, ClusterStatus::Running);
    assert_eq!(
        clusters[0].api_server_endpoint.as_deref(),
        Some("c1.k8s.us-east-04a.coreweave.com")
    );
    assert_eq!(clusters[0].vpc_id, None);
    assert!(clusters[0].public);
    assert_eq!(clusters[1].status, ClusterStatus::Creating);
    assert_eq!(clusters[1].oidc, None);
    assert_eq!(clusters[1].zone, "");
}

#[tokio::test]
async fn an_empty_object_is_an_empty_list_but_an_empty_body_a_page_or_a_stranger_is_an_error() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, json!({})));
    // A field the API may add later, and an empty page token: still the whole list.
    server.push(Reply::json(
        200,
        json!({"items": [{"id": "c1", "name": "one"}], "totalSize": 1, "nextPageToken": ""}),
    ));
    server.push(Reply::json(
        200,
        json!({"nextPageToken": "", "totalSize": 0}),
    ));
    server.push(Reply::text(200, "").header("content-type", "application/json"));
    server.push(Reply::json(
        200,
        json!({"items": [], "nextPageToken": "p2"}),
    ));
    server.push(Reply::json(200, json!({"items": {"id": "c1"}})));
    server.push(Reply::json(200, json!({"clusters": [{"id": "c1"}]})));
    let client = server.client(0);
    assert!(client.list_clusters().await.unwrap().is_empty());
    let clusters = client.list_clusters().await.unwrap();
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0].name, "one");
    assert!(client.list_clusters().await.unwrap().is_empty());
    for problem in [
        "the body is empty",
        "it is one page of several (nextPageToken \"p2\")",
        "invalid type: map, expected a sequence",
        "unknown field `clusters`, expected `items`",
    ] {
        let error = client.list_clusters().await.unwrap_err();
        assert!(matches!(error, ApiError::Malformed { .. }), "{error:?}");
        assert!(error.to_string().contains(problem), "{error}");
    }
}

#[tokio::test]
async fn get_cluster_reads_the_envelope_and_normalises_oidc() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"cluster": {
            "id": "3f2a", "version": "v1.32", "status": "STATUS_UPDATING",
            "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "kube",
                     "usernameClaim": "", "groupsClaim": "groups", "ca": "",
                     "signingAlgorithms": ["SIGNING_ALGORITHM_RS256", ""]}
        }}),
    ));
    let cluster = server.client(0).get_cluster("3f2a").await.unwrap().unwrap();
    assert_eq!(server.requests()[0].path, "/v1beta1/cks/clusters/3f2a");
    assert_eq!(cluster.status, ClusterStatus::Updating);
    assert_eq!(
        cluster.oidc,
        Some(ClusterOidc {
            issuer_url: Some("https://idp.example.com".into()),
            client_id: Some("kube".into()),
            groups_claim: Some("groups".into()),
            signing_algorithms: vec!["SIGNING_ALGORITHM_RS256".into()],
            ..ClusterOidc::default()
        })
    );
}

#[tokio::test]
async fn oidc_with_only_empty_fields_reads_as_none() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"cluster": {"id": "a", "oidc": {
            "issuerUrl": "", "clientId": "", "usernameClaim": "", "usernamePrefix": "",
            "groupsClaim": "", "groupsPrefix": "", "ca": "", "requiredClaim": "",
            "adminGroupBinding": "", "signingAlgorithms": [""]}}}),
    ));
    server.push(Reply::json(
        200,
        json!({"cluster": {"id": "b", "oidc": null, "status": null}}),
    ));
    let client = server.client(0);
    let a = client.get_cluster("a").await.unwrap().unwrap();
    assert_eq!(a.oidc, None);
    assert_eq!(a.status, ClusterStatus::Unspecified);
    let b = client.get_cluster("b").await.unwrap().unwrap();
    assert_eq!(b.oidc, None);
    assert_eq!(b.status, ClusterStatus::Unspecified);
}

#[tokio::test]
async fn get_cluster_is_none_on_not_found_and_errors_otherwise() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        404,
        json!({"code": 5, "message": "cluster not found", "details": [
            {"@type": "type.googleapis.com/google.rpc.ResourceInfo",
             "resourceType": "cluster", "resourceName": "gone"}]}),
    ));
    server.push(Reply::json(403, json!({"code": 7, "message": "no access"})));
    server.push(Reply::text(404, "<html>not found</html>"));
    let client = server.client(0);
    assert_eq!(client.get_cluster("gone").await.unwrap(), None);
    let denied = client.get_cluster("x").await.unwrap_err();
    assert_eq!(denied.code(), Some(super::super::Code::PermissionDenied));
    // A 404 that is not the API's error body (wrong endpoint, proxy) is not "gone".
    let unexpected = client.get_cluster("x").await.unwrap_err();
    assert!(matches!(
        unexpected,
        ApiError::Unexpected {
            http_status: 404,
            ..
        }
    ));
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_and_validated() {
    let server = TestServer::start().await;
    server.push(Reply::json(404, json!({"code": 5, "message": "nope"})));
    let client = server.client(0);
    assert_eq!(client.get_cluster("a/b c?d#e").await.unwrap(), None);
    assert_eq!(
        server.requests()[0].path,
        "/v1beta1/cks/clusters/a%2Fb%20c%3Fd%23e"
    );
    for bad in ["", ".", ".."] {
        assert!(matches!(
            client.get_cluster(bad).await,
            Err(ApiError::InvalidRequest(_))
        ));
    }
    assert_eq!(client.request_count(), 1);
}

fn running_cluster(oidc: Option<ClusterOidc>) -> Cluster {
    Cluster {
        id: "3f2a".into(),
        name: "n".into(),
        zone: "US-EAST-04A".into(),
        version: "v1.32".into(),
        status: ClusterStatus::Running,
        public: true,
        vpc_id: None,
        api_server_endpoint: None,
        oidc,
        created_at: None,
        updated_at: None,
    }
}

fn issuer() -> ClusterOidc {
    ClusterOidc {
        issuer_url: Some("https://idp.example.com".into()),
        client_id: Some("kube".into()),
        groups_claim: Some("groups".into()),
        signing_algorithms: vec!["SIGNING_ALGORITHM_RS256".into()],
        ..ClusterOidc::default()
    }
}

fn change(old: Option<&ClusterOidc>, new: Option<&ClusterOidc>) -> UpdateClusterRequest {
    OidcUpdate::between(old, new)
        .expect("a change")
        .request(&running_cluster(None))
}

fn body(request: &UpdateClusterRequest) -> serde_json::Value {
    serde_json::to_value(request).unwrap()
}

const ALL_TEN: &str = "oidc.issuerUrl,oidc.clientId,oidc.usernameClaim,oidc.usernamePrefix,\
oidc.groupsClaim,oidc.groupsPrefix,oidc.ca,oidc.requiredClaim,oidc.adminGroupBinding,oidc.signingAlgorithms";

#[test]
fn creating_sends_every_set_field_and_masks_all_ten_paths() {
    let request = change(None, Some(&issuer()));
    assert_eq!(
        body(&request),
        json!({"id": "3f2a", "version": "v1.32",
               "updateMask": ALL_TEN,
               "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "kube",
                        "groupsClaim": "groups", "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}})
    );
}

#[test]
fn changing_one_field_sends_the_complete_object_and_masks_all_ten_paths() {
    let new = ClusterOidc {
        client_id: Some("other".into()),
        ..issuer()
    };
    let request = change(Some(&issuer()), Some(&new));
    assert_eq!(
        body(&request),
        json!({"id": "3f2a", "version": "v1.32", "updateMask": ALL_TEN,
               "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "other",
                        "groupsClaim": "groups", "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}})
    );
}

#[test]
fn clearing_one_field_masks_all_ten_and_leaves_it_out_of_the_complete_object() {
    let new = ClusterOidc {
        groups_claim: Some(String::new()),
        ..issuer()
    };
    let request = change(Some(&issuer()), Some(&new));
    assert_eq!(
        body(&request),
        json!({"id": "3f2a", "version": "v1.32", "updateMask": ALL_TEN,
               "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "kube",
                        "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}})
    );
}

#[test]
fn removing_oidc_masks_every_field_without_an_object() {
    let request = change(Some(&issuer()), None);
    assert_eq!(
        body(&request),
        json!({"id": "3f2a", "version": "v1.32", "updateMask": ALL_TEN})
    );
}

#[test]
fn no_change_means_no_request() {
    let spelled_empty = ClusterOidc {
        ca: Some(String::new()),
        ..issuer()
    };
    assert_eq!(
        OidcUpdate::between(Some(&issuer()), Some(&spelled_empty)),
        None
    );
    assert_eq!(OidcUpdate::between(None, None), None);
    assert_eq!(
        OidcUpdate::between(None, Some(&ClusterOidc::default())),
        None
    );
    let nothing = ClusterOidc {
        signing_algorithms: vec![String::new()],
        ..ClusterOidc::default()
    };
    assert_eq!(OidcUpdate::between(Some(&nothing), None), None);
}

proptest::proptest! {
    /// Whatever the old and new blocks, a request that sets OIDC sends the new block whole,
    /// so a field is only ever cleared when the desired block does not set it.
    #[test]
    fn a_field_is_cleared_only_when_the_desired_block_lacks_it(
        old in proptest::option::of(arbitrary_oidc()),
        new in arbitrary_oidc(),
    ) {
        if let Some(update) = OidcUpdate::between(old.as_ref(), Some(&new)) {
            let request = update.request(&running_cluster(old.clone()));
            let sent = request.oidc.as_ref().expect("an object whenever OIDC stays set");
            proptest::prop_assert_eq!(sent, &new);
            let sent = body(&request);
            for path in &request.update_mask {
                let key = path.strip_prefix("oidc.").unwrap();
                let field = OIDC_FIELDS.iter().find(|f| f.path == path).unwrap();
                proptest::prop_assert_eq!(sent["oidc"].get(key).is_some(), (field.is_set)(&new));
            }
            let mut applied = running_cluster(Some(new.clone()));
            proptest::prop_assert!(request.is_applied_to(&applied));
            applied.oidc = old;
            proptest::prop_assert!(!request.is_applied_to(&applied));
        }
    }
}

fn arbitrary_oidc() -> impl proptest::strategy::Strategy<Value = ClusterOidc> {
    use proptest::prelude::*;
    let text = || proptest::option::of(prop_oneof![Just(String::new()), "[a-z]{1,3}"]);
    (
        ("https://[a-z]{1,3}", "[a-z]{1,3}"),
        (text(), text(), text(), text(), text(), text(), text()),
        proptest::collection::vec(Just("SIGNING_ALGORITHM_RS256".to_string()), 0..2),
    )
        .prop_map(
            |((issuer, client), (uc, up, gc, gp, ca, rc, agb), algs)| ClusterOidc {
                issuer_url: Some(issuer),
                client_id: Some(client),
                username_claim: uc,
                username_prefix: up,
                groups_claim: gc,
                groups_prefix: gp,
                ca,
                required_claim: rc,
                admin_group_binding: agb,
                signing_algorithms: algs,
            },
        )
}

#[tokio::test]
async fn update_cluster_patches_the_request_as_built() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"cluster": {"id": "3f2a", "version": "v1.32", "status": "STATUS_UPDATING",
                           "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "kube"}}}),
    ));
    let request = change(None, Some(&issuer()));
    let cluster = server.client(0).update_cluster(&request).await.unwrap();
    assert_eq!(cluster.status, ClusterStatus::Updating);
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "PATCH");
    assert_eq!(sent.path, "/v1beta1/cks/clusters/3f2a");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.json(), body(&request));
}

fn lost() -> Reply {
    Reply::json(502, json!({"code": 14, "message": "bad gateway"}))
}

#[tokio::test]
async fn a_patch_whose_answer_was_lost_but_took_effect_counts_as_done() {
    let server = TestServer::start().await;
    server.push(lost());
    server.push(Reply::json(
        200,
        json!({"cluster": {"id": "3f2a", "version": "v1.32", "status": "STATUS_UPDATING",
               "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "kube", "usernameClaim": "",
                        "groupsClaim": "groups", "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}}}),
    ));
    let request = change(None, Some(&issuer()));
    let cluster = server.client(0).update_cluster(&request).await.unwrap();
    assert_eq!(cluster.status, ClusterStatus::Updating);
    let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PATCH", "GET"]);
}

#[tokio::test]
async fn a_patch_refused_as_busy_after_its_lost_answer_took_effect_counts_as_done() {
    let server = TestServer::start().await;
    server.push(lost());
    // The lost PATCH started the update: the retry meets a busy cluster.
    server.push(Reply::json(
        400,
        json!({"code": 9, "message": "cluster is being updated"}),
    ));
    server.push(Reply::json(
        200,
        json!({"cluster": {"id": "3f2a", "version": "v1.32", "status": "STATUS_UPDATING",
               "oidc": {"issuerUrl": "https://idp.example.com", "clientId": "kube", "usernameClaim": "",
                        "groupsClaim": "groups", "signingAlgorithms": ["SIGNING_ALGORITHM_RS256"]}}}),
    ));
    let request = change(None, Some(&issuer()));
    let cluster = server.client(1).update_cluster(&request).await.unwrap();
    assert_eq!(cluster.status, ClusterStatus::Updating);
    let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PATCH", "PATCH", "GET"]);
}

#[tokio::test]
async fn a_lost_patch_that_did_not_take_effect_keeps_its_error() {
    let server = TestServer::start().await;
    server.push(lost());
    server.push(Reply::json(
        200,
        json!({"cluster": {"id": "3f2a", "version": "v1.32"}}),
    ));
    let request = change(None, Some(&issuer()));
    let error = server.client(0).update_cluster(&request).await.unwrap_err();
    assert!(error.to_string().contains("bad gateway"), "{error}");
}

#[tokio::test]
async fn update_errors_keep_field_violations() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        400,
        json!({"code": 3, "message": "invalid oidc", "details": [
            {"@type": "type.googleapis.com/google.rpc.BadRequest",
             "fieldViolations": [{"field": "oidc.ca", "description": "not a PEM certificate"}]}]}),
    ));
    let new = ClusterOidc {
        ca: Some("bm90IGEgY2VydA==".into()),
        ..issuer()
    };
    let request = change(Some(&issuer()), Some(&new));
    let error = server.client(3).update_cluster(&request).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid_argument: invalid oidc (oidc.ca: not a PEM certificate)"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn status_reads_names_numbers_and_unknown_values() {
    let read = |value: serde_json::Value| serde_json::from_value::<ClusterStatus>(value).unwrap();
    assert_eq!(read(json!("STATUS_FAILED")), ClusterStatus::Failed);
    assert_eq!(
        read(json!("STATUS_PAUSED")),
        ClusterStatus::Other("STATUS_PAUSED".into())
    );
    assert_eq!(read(json!(0)), ClusterStatus::Unspecified);
    assert_eq!(read(json!(2)), ClusterStatus::Running);
    assert_eq!(read(json!(7)), ClusterStatus::Failed);
    assert_eq!(read(json!(42)), ClusterStatus::Other("42".into()));
    assert_eq!(read(json!(-1)), ClusterStatus::Other("-1".into()));
    assert_eq!(
        read(json!(u64::MAX)),
        ClusterStatus::Other(u64::MAX.to_string())
    );
    assert!(serde_json::from_value::<ClusterStatus>(json!([1])).is_err());
    for (name, status) in STATUS_NAMES {
        assert_eq!(status.to_string(), name);
    }
    assert_eq!(ClusterStatus::Other("X".into()).as_str(), "X");
}
