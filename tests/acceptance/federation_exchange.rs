//! The federation works end to end: the module is applied, then service-account tokens minted
//! by the sandbox are exchanged (or refused, saying why) through both exchange endpoints, and
//! `coreweave_object_storage_access_check` gives the same decision for each case.

use serde_json::{json, Value};

use crate::support::sandbox::{CLUSTER_DEMO, CLUSTER_STAGING};
use crate::support::terraform::{functions_supported, org_policy_block, Statement};
use crate::support::{Sandbox, Workspace};

const GRANTED: &str = "default/granted";

fn issuer(cluster: &str) -> String {
    format!("https://oidc.cks.coreweave.com/id/{cluster}")
}

fn principal(cluster: &str, sa: &str) -> String {
    let (ns, name) = sa.split_once('/').unwrap();
    format!("role/{}:system:serviceaccount:{ns}:{name}", issuer(cluster))
}

/// Applies the module to the demo cluster granting `default/granted` (its WIF config `active`
/// or not), one access check per principal of interest, and `extra` HCL.
fn apply(ws: &Workspace, sandbox: &Sandbox, active: bool, extra: &str) -> Value {
    let checks: String = [
        ("granted", principal(CLUSTER_DEMO, GRANTED)),
        ("not_named", principal(CLUSTER_DEMO, "default/someone-else")),
        ("second_cluster", principal(CLUSTER_STAGING, GRANTED)),
    ]
    .iter()
    .map(|(name, who)| {
        format!(
            r#"
data "coreweave_object_storage_access_check" "{name}" {{
  principal  = "{who}"
  actions    = ["cwobject:CreateAccessKeyOIDC"]
  depends_on = [module.federation]
}}
output "{name}" {{ value = data.coreweave_object_storage_access_check.{name}.results[0].decision }}
"#
        )
    })
    .collect();
    ws.write_federation(
        sandbox,
        &format!(
            r#"
  active       = {active}
  grants       = [{{ namespace = "default", service_account = "granted", buckets = ["training-data"] }}]"#
        ),
        &format!("{checks}\n{extra}"),
    );
    ws.apply();
    // Data sources are read again on every plan: this one sees what the first apply created.
    ws.apply();
    ws.outputs()
}

/// Both exchanges answer `status`; a refusal's message contains `why`.
fn assert_exchange(sandbox: &Sandbox, token: &str, status: u16, why: &str) {
    for (got, body) in sandbox.exchange(token) {
        assert_eq!(got, status, "{body}");
        if status != 200 {
            let message = body["message"].as_str().unwrap_or_default();
            assert!(message.contains(why), "{message:?} lacks {why:?}");
        }
    }
}

fn mint(sandbox: &Sandbox, cluster: &str, sa: &str, extra: Value) -> String {
    let mut body = json!({"clusterId": cluster, "serviceAccount": sa, "audience": issuer(cluster)});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    sandbox.token(body)
}

#[test]
fn tokens_are_exchanged_or_refused_and_the_access_check_agrees() {
    if !functions_supported("tokens_are_exchanged_or_refused_and_the_access_check_agrees") {
        return;
    }
    let sandbox = Sandbox::start();
    let ws = Workspace::with_federation_module();
    let out = apply(&ws, &sandbox, true, "");
    assert_eq!(
        out["env"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        format!(
            "{}/v1/cwobject/temporary-credentials/oidc/sandbox-org",
            sandbox.url
        )
    );
    let granted = mint(&sandbox, CLUSTER_DEMO, GRANTED, json!({}));
    let [(_, post), (_, get)] = sandbox.exchange(&granted);
    assert_eq!(
        post["principalName"],
        principal(CLUSTER_DEMO, GRANTED).as_str(),
        "{post}"
    );
    assert!(get["SecretAccessKey"].is_string(), "{get}");
    assert_eq!(out["granted"], "allowed");

    let not_named = mint(&sandbox, CLUSTER_DEMO, "default/someone-else", json!({}));
    assert_exchange(&sandbox, &not_named, 403, "(implicit deny)");
    assert_eq!(out["not_named"], "implicit_deny");

    let second = mint(&sandbox, CLUSTER_STAGING, GRANTED, json!({}));
    assert_exchange(
        &sandbox,
        &second,
        403,
        "no workload identity federation config trusts issuer",
    );
    assert_eq!(out["second_cluster"], "implicit_deny");

    // Refusals for the token itself: the policies would allow the principal, and say so.
    let wrong_audience = sandbox
        .token(json!({"clusterId": CLUSTER_DEMO, "serviceAccount": GRANTED,
                                              "audience": "https://coreweave.com/iam"}));
    assert_exchange(
        &sandbox,
        &wrong_audience,
        403,
        "does not match the workload identity federation config",
    );
    let expired = mint(
        &sandbox,
        CLUSTER_DEMO,
        GRANTED,
        json!({"issuedAt": 1_000_000_000u64}),
    );
    assert_exchange(&sandbox, &expired, 401, "the token expired at");
    let mut forged: Vec<char> = granted.chars().collect();
    let i = forged.len() - 20;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    assert_exchange(&sandbox, &forged, 401, "signature does not verify");
    assert_eq!(out["granted"], "allowed", "the policies are not the reason");

    let deny = org_policy_block(
        "guard",
        "guard",
        Statement {
            name: "no-exchange",
            effect: "Deny",
            action: "cwobject:*",
            resource: "*",
            principal: &principal(CLUSTER_DEMO, GRANTED),
        },
    );
    let out = apply(&ws, &sandbox, true, &deny);
    assert_exchange(
        &sandbox,
        &granted,
        403,
        "by guard/no-exchange (explicit Deny)",
    );
    assert_eq!(out["granted"], "explicit_deny");

    let out = apply(&ws, &sandbox, false, "");
    assert_exchange(&sandbox, &granted, 403, "is not active");
    assert_eq!(out["granted"], "allowed", "the policies are not the reason");
    ws.destroy();
}
