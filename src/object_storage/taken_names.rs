//! Diagnostics for names that are already taken: a policy name or a WIF issuer and audience
//! pair that someone else holds, two resources of one configuration creating one policy, and a
//! create that lost a race it could not prevent. One clear sentence per conflict, naming the
//! holder, then what to do.

use tf_plugin_server::{AttributePath, Diagnostics};

use crate::api::cwobject::AccessPolicy;
use crate::api::workload_federation::OidcConfig;
use crate::diag::{self, Import};
use crate::object_storage::{ORG_POLICY, WIF_CONFIG};
use crate::provider::PROVIDER_NAME;

/// `"a", "b"`: the statement names of a policy, to tell it apart.
fn statement_names(policy: &AccessPolicy) -> String {
    let names: Vec<String> = policy
        .statements
        .iter()
        .map(|s| format!("{:?}", s.name))
        .collect();
    names.join(", ")
}

fn policy_type() -> String {
    format!("{PROVIDER_NAME}_{}", ORG_POLICY)
}

/// A create of policy `existing.name`, which already exists.
pub fn policy_exists(diags: &mut Diagnostics, existing: &AccessPolicy) {
    let name = &existing.name;
    diags.error(
        "Organization access policy already exists",
        format!(
            "An organization access policy named {name:?} already exists (statements {}). The provider does not \
             overwrite policies it does not manage (the API's ensure call would replace it), so nothing was changed. \
             To keep both, choose another name.\n{}",
            statement_names(existing),
            diag::import_hint(ORG_POLICY, name, Import::InsteadOfCreating)
        ),
        AttributePath::new("name"),
    );
}

/// A rename of policy `from` onto `existing.name`, which already exists.
pub fn policy_rename_taken(diags: &mut Diagnostics, from: &str, existing: &AccessPolicy) {
    let to = &existing.name;
    diags.error(
        "Policy name already taken",
        format!(
            "Renaming this policy to {to:?} would replace it, but an organization access policy named {to:?} already \
             exists (statements {}): Terraform would delete {from:?} and then fail to create {to:?}. The plan stops \
             here, so nothing was destroyed. Keep the name {from:?} or choose a free one.\n{}",
            statement_names(existing),
            diag::import_hint(ORG_POLICY, to, Import::IntoItsOwnResource)
        ),
        AttributePath::new("name"),
    );
}

/// A second resource of this configuration that creates policy `name`.
pub fn policy_twice_in_configuration(diags: &mut Diagnostics, name: &str) {
    diags.error(
        format!("Two organization access policies named {name:?}"),
        format!(
            "Another {} resource of this configuration also creates a policy named {name:?}. The API holds one policy \
             per name, so the second write would replace the first and every apply would flip between them. Give \
             each resource its own name. Terraform names this resource below; it does not tell providers the \
             addresses of the others, so look for the other one with name = {name:?}.",
            policy_type()
        ),
        AttributePath::new("name"),
    );
}

/// A create of policy `name` while another create of it through this client was under way.
pub fn policy_creating_in_this_run(diags: &mut Diagnostics, name: &str) {
    diags.error(
        format!("Two organization access policies named {name:?}"),
        format!(
            "Another {} of this run is creating the policy {name:?} at this moment, so this one was refused before \
             anything was written: the API holds one policy per name. Give each resource its own name (Terraform does \
             not tell providers resource addresses, so look for the other one with name = {name:?}).",
            policy_type()
        ),
        AttributePath::new("name"),
    );
}

/// A create whose policy was replaced by someone else's statements right after its write.
pub fn policy_replaced(diags: &mut Diagnostics, theirs: &AccessPolicy) {
    let name = &theirs.name;
    diags.error(
        "Organization access policy replaced by someone else",
        format!(
            "The policy {name:?} was written, but the list read right after holds other statements ({}): another \
             Terraform run or tool wrote a policy of the same name at the same moment, and its statements replaced \
             these. The API has no create-only call, so the provider cannot prevent this; it was not saved in state, \
             because the policy is no longer the one this resource describes. Decide which configuration owns \
             {name:?}: keep it there, and choose another name here.",
            statement_names(theirs)
        ),
        AttributePath::new("name"),
    );
}

/// What a WIF config was doing when its issuer and audience pair turned out taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairChange {
    /// Creating a config.
    Create,
    /// Updating a config's issuer or audience.
    Update,
}

/// An issuer and audience pair that `holder` already uses (`None`: the holder is not known);
/// `api_error` is the API's answer when it was the API that refused.
pub fn wif_pair_taken(
    diags: &mut Diagnostics,
    issuer_url: &str,
    audience: &str,
    holder: Option<&OidcConfig>,
    change: PairChange,
    api_error: Option<&str>,
) {
    let pair = format!("issuer {issuer_url:?} and audience {audience:?}");
    let answered = api_error
        .map(|e| format!("\n\nAPI error: {e}"))
        .unwrap_or_default();
    let Some(holder) = holder else {
        diags.error(
            "Issuer and audience already registered",
            format!("Another workload identity federation config already uses {pair}; each pair is unique in the organization.{answered}"),
            AttributePath::new("issuer_url"),
        );
        return;
    };
    let uid = &holder.uid;
    let advice = match change {
        PairChange::Create => diag::import_hint(WIF_CONFIG, uid, Import::InsteadOfCreating),
        PairChange::Update => format!(
            "To keep this config, choose another issuer or audience for this config, or change the other config \
             first.\n{}",
            diag::import_hint(WIF_CONFIG, uid, Import::IntoItsOwnResource)
        ),
    };
    let named = if holder.name.is_empty() {
        String::new()
    } else {
        format!(" ({:?})", holder.name)
    };
    diags.error(
        "Issuer and audience already registered",
        format!(
            "The workload identity federation config {uid}{named} already uses {pair}; each pair is unique in the \
             organization.\n{advice}"
        ),
        AttributePath::new("issuer_url"),
    );
}
