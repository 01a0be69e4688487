//! The login outcome with the real kubectl (issue 18, seed 004 steps 5-6): the cluster's
//! unmanaged endpoint authenticates tokens of an external issuer by the `oidc` block that
//! `coreweave_cks_cluster_oidc` writes, and `admin_group_binding` decides who may list nodes.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::support::login::{idp, last_refusal, user_of, ClusterLogin, UNAUTHORIZED};
use crate::support::sandbox::{CLUSTER_DEMO, TOKEN};
use crate::support::{Sandbox, Workspace};

/// The OIDC resource on the demo cluster, trusting the sandbox's identity provider.
fn oidc_config(sandbox: &Sandbox, extra: &str) -> String {
    let (issuer, _) = idp(sandbox);
    format!(
        "resource \"coreweave_cks_cluster_oidc\" \"idp\" {{\n  cluster_id = \"{CLUSTER_DEMO}\"\n  issuer_url = \"{issuer}\"\n  client_id = \"kubernetes\"\n  groups_claim = \"groups\"\n  groups_prefix = \"oidc:\"\n  required_claim = \"tenant=acme\"\n  admin_group_binding = \"oidc:admins\"\n{extra}\n}}\n"
    )
}

fn with_ca(sandbox: &Sandbox) -> String {
    format!("  ca = \"{}\"", idp(sandbox).1)
}

/// Claims of a person in `groups` that pass the configuration above.
fn person(name: &str, groups: &[&str]) -> Value {
    json!({
        "aud": "kubernetes", "sub": format!("u-{name}"), "email": format!("{name}@example.com"),
        "email_verified": true, "groups": groups, "tenant": "acme",
    })
}

fn apply(sandbox: &Sandbox, ws: &Workspace, extra: &str) {
    ws.write(sandbox, &oidc_config(sandbox, extra));
    ws.apply();
}

/// A sandbox whose demo cluster trusts its identity provider (its CA given, then `extra`
/// settings), and the cluster's login path.
fn trusting(extra: &str) -> (Sandbox, Workspace, ClusterLogin) {
    let sandbox = Sandbox::start();
    let ws = Workspace::new();
    apply(&sandbox, &ws, &format!("{extra}{}", with_ca(&sandbox)));
    let login = ClusterLogin::new(&sandbox, CLUSTER_DEMO);
    (sandbox, ws, login)
}

/// [`trusting`] with email usernames.
fn configured() -> (Sandbox, Workspace, ClusterLogin) {
    trusting("  username_claim = \"email\"\n")
}

/// A token of alice, in the group `admins`.
fn alice_admin(sandbox: &Sandbox) -> String {
    sandbox.idp_token(person("alice", &["admins"]))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn whoami_shows_the_mapped_user_and_only_the_admin_group_lists_nodes() {
    let (sandbox, _ws, login) = configured();

    let alice = sandbox.idp_token(person("alice", &["admins", "dev"]));
    assert_eq!(
        user_of(&login.whoami(&alice).json()),
        (
            "alice@example.com".to_string(),
            vec![
                "oidc:admins".to_string(),
                "oidc:dev".to_string(),
                "system:authenticated".to_string()
            ]
        )
    );
    let nodes = login.get_nodes(&alice).success();
    assert!(
        nodes.contains("demo-node-1") && nodes.contains("Ready"),
        "{nodes}"
    );

    let bob = sandbox.idp_token(person("bob", &["dev"]));
    assert_eq!(user_of(&login.whoami(&bob).json()).0, "bob@example.com");
    let forbidden = login.get_nodes(&bob).failure();
    assert!(
        forbidden.contains(
            "Error from server (Forbidden): nodes is forbidden: User \"bob@example.com\" cannot list resource \"nodes\""
        ),
        "{forbidden}"
    );
    assert!(last_refusal(&sandbox).contains("not bound to cluster-admin"));
}

#[test]
fn wrong_audience_missing_claim_unverified_email_expiry_and_another_issuer_are_refused() {
    let (sandbox, _ws, login) = configured();
    let bad = |changes: Value| {
        let mut claims = person("mallory", &["admins"]);
        for (k, v) in changes.as_object().unwrap() {
            claims[k] = v.clone();
        }
        sandbox.idp_token(claims)
    };
    let another_issuer =
        sandbox.ci_token(json!({"subject": "u-mallory", "audience": "kubernetes"}));
    let cases = [
        (
            "wrong audience",
            bad(json!({"aud": "someone-else"})),
            "oidc: expected audience \"kubernetes\"",
        ),
        (
            "missing required claim",
            bad(json!({"tenant": null})),
            "oidc: required claim tenant not present",
        ),
        (
            "email_verified=false",
            bad(json!({"email_verified": false})),
            "oidc: email not verified",
        ),
        (
            "expired",
            bad(json!({"iat": now() - 7200, "exp": now() - 60})),
            "oidc: token is expired",
        ),
        (
            "another issuer's token",
            another_issuer,
            "is not the configured issuer",
        ),
        ("the API token", TOKEN.to_string(), "oidc: malformed jwt"),
    ];
    for (case, token, reason) in cases {
        let stderr = login.whoami(&token).failure();
        assert!(stderr.contains(UNAUTHORIZED), "{case}: {stderr}");
        let logged = last_refusal(&sandbox);
        assert!(logged.contains(reason), "{case}: logged {logged:?}");
        assert!(
            !logged.contains(&token),
            "{case}: the token reached the log"
        );
    }
    let good = alice_admin(&sandbox);
    assert_eq!(user_of(&login.whoami(&good).json()).0, "alice@example.com");
}

#[test]
fn the_managed_endpoint_takes_the_api_token_and_refuses_oidc_tokens() {
    let (sandbox, _ws, login) = trusting("");
    let review = login
        .run(false, TOKEN, &["auth", "whoami", "-o", "json"])
        .json();
    assert_eq!(user_of(&review).0, "sandbox-user");
    assert!(login
        .run(false, TOKEN, &["get", "nodes"])
        .success()
        .contains("demo-node-2"));
    let oidc_token = alice_admin(&sandbox);
    let stderr = login.run(false, &oidc_token, &["auth", "whoami"]).failure();
    assert!(stderr.contains(UNAUTHORIZED), "{stderr}");
    assert!(last_refusal(&sandbox).contains("the managed endpoint does not accept OIDC tokens"));
}

#[test]
fn an_in_place_update_of_username_claim_and_prefix_changes_the_user_at_once() {
    let (sandbox, ws, login) = configured();
    let ca = with_ca(&sandbox);
    let token = alice_admin(&sandbox);
    assert_eq!(user_of(&login.whoami(&token).json()).0, "alice@example.com");

    ws.write(
        &sandbox,
        &oidc_config(
            &sandbox,
            &format!("  username_claim = \"sub\"\n  username_prefix = \"idp:\"\n{ca}"),
        ),
    );
    let plan = ws.plan();
    assert!(
        plan.stdout.contains("1 to change, 0 to destroy"),
        "an in-place update: {}",
        plan.stdout
    );
    ws.apply();
    assert_eq!(user_of(&login.whoami(&token).json()).0, "idp:u-alice");

    // No prefix set with a non-email claim: kube-apiserver's legacy rule prefixes the issuer.
    ws.write(
        &sandbox,
        &oidc_config(&sandbox, &format!("  username_claim = \"sub\"\n{ca}")),
    );
    ws.apply();
    let (issuer, _) = idp(&sandbox);
    assert_eq!(
        user_of(&login.whoami(&token).json()).0,
        format!("{issuer}#u-alice")
    );
}

#[test]
fn removing_ca_makes_the_private_issuer_untrusted() {
    let (sandbox, ws, login) = trusting("");
    let token = alice_admin(&sandbox);
    assert!(login.get_nodes(&token).success().contains("demo-node-1"));

    apply(&sandbox, &ws, "");
    assert_eq!(sandbox.cluster(CLUSTER_DEMO)["oidc"].get("ca"), None);
    let stderr = login.get_nodes(&token).failure();
    assert!(stderr.contains(UNAUTHORIZED), "{stderr}");
    let logged = last_refusal(&sandbox);
    assert!(
        logged.contains("oidc: fetching the issuer's keys") && logged.contains("certificate"),
        "{logged}"
    );
}

#[test]
fn destroy_locks_the_issuers_users_out() {
    let (sandbox, ws, login) = trusting("");
    let token = alice_admin(&sandbox);
    login.whoami(&token).success();

    ws.destroy();
    let stderr = login.whoami(&token).failure();
    assert!(stderr.contains(UNAUTHORIZED), "{stderr}");
    assert_eq!(
        last_refusal(&sandbox),
        "the cluster has no OIDC issuer configured"
    );
}

/// `token` with its header's key id replaced by `kid` (the signature no longer matches).
fn forged(token: &str, kid: &str) -> String {
    use base64::Engine;
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid}).to_string();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header);
    let (_, rest) = token.split_once('.').expect("a JWT");
    format!("{header}.{rest}")
}

#[test]
fn forged_tokens_naming_the_issuer_make_one_fetch_of_its_keys() {
    let (sandbox, _ws, login) = configured();
    let alice = alice_admin(&sandbox);
    for n in 0..20 {
        let refused = login
            .whoami(&forged(&alice, &format!("forged-{n}")))
            .failure();
        assert!(refused.contains(UNAUTHORIZED), "{refused}");
    }
    assert_eq!(user_of(&login.whoami(&alice).json()).0, "alice@example.com");
    assert_eq!(
        sandbox.state()["issuerKeyFetches"],
        1,
        "one fetch of discovery and keys for 21 tokens"
    );
}
