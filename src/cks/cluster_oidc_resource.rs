//! Resource `coreweave_cks_cluster_oidc`: the external OIDC issuer a CKS cluster trusts (seed 004).
//!
//! The OIDC block lives inside the cluster object, so create, update and delete are PATCHes of the
//! cluster, each followed by a wait until the cluster is `STATUS_RUNNING` again. This module only
//! converts between the Terraform state and the client's typed [`ClusterOidc`]; the client
//! ([`OidcUpdate`]) decides what the PATCH carries.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::{Value, ValueEmpty, ValueList, ValueSet};
use tf_plugin_server::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};
use tokio::time::Instant;

use crate::api::cks::{Cluster, ClusterOidc, OidcUpdate};
use crate::cks::wait::{self, ClusterOpError};
use crate::diag;
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, set_of_strings, Attr, Kind};
use crate::timeouts::{self, Operation, Timeouts};
use crate::validate::{self, Scheme};

/// JWA names accepted in `signing_algs`, with their API enum names.
pub const SIGNING_ALGORITHMS: [(&str, &str); 1] = [("RS256", "SIGNING_ALGORITHM_RS256")];

/// State of the resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterOidcState {
    #[serde(default)]
    pub id: Value<String>,
    #[serde(default)]
    pub cluster_id: Value<String>,
    #[serde(default)]
    pub issuer_url: Value<String>,
    #[serde(default)]
    pub client_id: Value<String>,
    #[serde(default)]
    pub username_claim: Value<String>,
    #[serde(default)]
    pub username_prefix: Value<String>,
    #[serde(default)]
    pub groups_claim: Value<String>,
    #[serde(default)]
    pub groups_prefix: Value<String>,
    #[serde(default)]
    pub ca: Value<String>,
    #[serde(default)]
    pub required_claim: Value<String>,
    #[serde(default)]
    pub admin_group_binding: Value<String>,
    #[serde(default)]
    pub signing_algs: ValueSet<String>,
    #[serde(default)]
    pub timeouts: ValueList<Timeouts>,
}

/// A value of the state that cannot be sent: it is unknown, or an algorithm has no API name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{attribute}` is {why}; nothing was sent to the API")]
pub struct NotSendable {
    attribute: &'static str,
    why: &'static str,
}

/// A known string as the API's optional value (`""` and null both mean unset).
fn known(attribute: &'static str, value: &Value<String>) -> Result<Option<String>, NotSendable> {
    match value {
        Value::Value(v) => Ok(Some(v.clone()).filter(|v| !v.is_empty())),
        Value::Null => Ok(None),
        Value::Unknown => Err(NotSendable {
            attribute,
            why: "not known yet",
        }),
    }
}

/// The API's value for a string attribute. Where the API has no value and the prior state had
/// `""`, the empty form is kept so that a configuration spelling out `""` does not diff forever.
fn from_api(value: &Option<String>, prior: &Value<String>) -> Value<String> {
    match (value, prior) {
        (Some(v), _) => Value::Value(v.clone()),
        (None, Value::Value(p)) if p.is_empty() => Value::Value(String::new()),
        (None, _) => Value::Null,
    }
}

impl ClusterOidcState {
    /// The OIDC block this state asks for. Fails, rather than leaving a field out (which would
    /// clear it), for an unknown value or an algorithm without an API name.
    pub fn to_api(&self) -> Result<ClusterOidc, NotSendable> {
        Ok(ClusterOidc {
            issuer_url: known("issuer_url", &self.issuer_url)?,
            client_id: known("client_id", &self.client_id)?,
            username_claim: known("username_claim", &self.username_claim)?,
            username_prefix: known("username_prefix", &self.username_prefix)?,
            groups_claim: known("groups_claim", &self.groups_claim)?,
            groups_prefix: known("groups_prefix", &self.groups_prefix)?,
            ca: known("ca", &self.ca)?,
            required_claim: known("required_claim", &self.required_claim)?,
            admin_group_binding: known("admin_group_binding", &self.admin_group_binding)?,
            signing_algorithms: api_signing_algs(&self.signing_algs)?,
        })
    }

    /// Copies the cluster's OIDC block into this state, keeping empty forms (`""`, `[]`) of the
    /// prior state where the API has no value.
    pub fn set_from_api(&mut self, oidc: &ClusterOidc) {
        self.issuer_url = from_api(&oidc.issuer_url, &self.issuer_url);
        self.client_id = from_api(&oidc.client_id, &self.client_id);
        self.username_claim = from_api(&oidc.username_claim, &self.username_claim);
        self.username_prefix = from_api(&oidc.username_prefix, &self.username_prefix);
        self.groups_claim = from_api(&oidc.groups_claim, &self.groups_claim);
        self.groups_prefix = from_api(&oidc.groups_prefix, &self.groups_prefix);
        self.ca = from_api(&oidc.ca, &self.ca);
        self.required_claim = from_api(&oidc.required_claim, &self.required_claim);
        self.admin_group_binding = from_api(&oidc.admin_group_binding, &self.admin_group_binding);
        let algs: BTreeSet<String> = oidc
            .signing_algorithms
            .iter()
            .map(|a| jwa_name(a))
            .collect();
        self.signing_algs = match (&self.signing_algs, algs.is_empty()) {
            (_, false) => Value::Value(algs),
            (Value::Value(prior), true) if prior.is_empty() => Value::Value(BTreeSet::new()),
            (_, true) => Value::Null,
        };
    }
}

impl ClusterOidcState {
    /// The state of `cluster`'s OIDC settings over `prior` (see [`Self::set_from_api`]); `None`
    /// when the cluster has no OIDC issuer.
    pub fn from_cluster(cluster: &Cluster, prior: Self) -> Option<Self> {
        let oidc = cluster.oidc.as_ref().filter(|o| !o.is_empty())?;
        let mut state = prior;
        state.id = Value::Value(cluster.id.clone());
        state.cluster_id = Value::Value(cluster.id.clone());
        state.set_from_api(oidc);
        if !state.timeouts.is_value() {
            state.timeouts = Value::Value(Vec::new());
        }
        Some(state)
    }

    /// The state of a remote object with no prior state (an import or a list).
    pub fn fresh() -> Self {
        Self {
            timeouts: Value::Value(Vec::new()),
            ..Default::default()
        }
    }
}

/// `RS256` -> `SIGNING_ALGORITHM_RS256`, for every algorithm in the set.
fn api_signing_algs(algs: &ValueSet<String>) -> Result<Vec<String>, NotSendable> {
    let set = match algs {
        Value::Value(set) => set,
        Value::Null => return Ok(Vec::new()),
        Value::Unknown => {
            return Err(NotSendable {
                attribute: "signing_algs",
                why: "not known yet",
            })
        }
    };
    set.iter()
        .map(|jwa| {
            SIGNING_ALGORITHMS
                .iter()
                .find(|(name, _)| name == jwa)
                .map(|(_, api)| api.to_string())
                .ok_or(NotSendable {
                    attribute: "signing_algs",
                    why: "an unsupported algorithm",
                })
        })
        .collect()
}

/// `SIGNING_ALGORITHM_RS256` -> `RS256`; an unknown enum name is shown without its prefix.
fn jwa_name(api: &str) -> String {
    SIGNING_ALGORITHMS
        .iter()
        .find(|(_, a)| *a == api)
        .map_or_else(
            || api.trim_start_matches("SIGNING_ALGORITHM_").to_string(),
            |(jwa, _)| jwa.to_string(),
        )
}

/// Checks every known value; unknown values are checked when they become known.
pub fn check(diags: &mut Diagnostics, state: &ClusterOidcState) -> bool {
    let before = diags.errors.len();
    if let Value::Value(id) = &state.cluster_id {
        if id.trim().is_empty() {
            diag::invalid(
                diags,
                AttributePath::new("cluster_id"),
                "cluster_id",
                "must not be empty",
            );
        }
    }
    if let Value::Value(url) = &state.issuer_url {
        if let Err(e) = validate::issuer_url(url, Scheme::HttpsOnly) {
            diag::invalid(diags, AttributePath::new("issuer_url"), "issuer_url", e);
        }
    }
    if let Value::Value(client_id) = &state.client_id {
        if client_id.trim().is_empty() {
            diag::invalid(
                diags,
                AttributePath::new("client_id"),
                "client_id",
                "must not be empty",
            );
        }
    }
    if let Value::Value(claim) = &state.required_claim {
        if let Err(e) = validate::required_claim(claim) {
            diag::invalid(
                diags,
                AttributePath::new("required_claim"),
                "required_claim",
                e,
            );
        }
    }
    if let Value::Value(ca) = &state.ca {
        if let Err(e) = validate::base64_pem_certificates(ca) {
            diag::invalid(diags, AttributePath::new("ca"), "ca", e);
        }
    }
    if let Value::Value(algs) = &state.signing_algs {
        for alg in algs {
            if !SIGNING_ALGORITHMS.iter().any(|(jwa, _)| jwa == alg) {
                let known: Vec<_> = SIGNING_ALGORITHMS.iter().map(|(jwa, _)| *jwa).collect();
                diag::invalid(
                    diags,
                    AttributePath::new("signing_algs"),
                    "signing_algs",
                    format!(
                        "contains {alg:?}; supported algorithms: {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }
    timeouts::validate(diags, &state.timeouts);
    diags.errors.len() == before
}

fn deadline(state: &ClusterOidcState, op: Operation) -> (Instant, Duration) {
    let timeout = timeouts::get(&state.timeouts, op);
    (Instant::now() + timeout, timeout)
}

/// The resource.
pub struct ClusterOidcResource {
    data: Arc<ProviderData>,
}

impl ClusterOidcResource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = "cks_cluster_oidc";

    /// A resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The resource schema.
    pub fn resource_schema() -> Schema {
        let opt = |name, what: &str| Attr::string(name, Kind::Optional, what);
        schema(block(
            "Configures an external OIDC identity provider (Google, Okta, Entra ID, …) on a CKS cluster, so that its \
             unmanaged API endpoint accepts that provider's tokens. Creating it refuses to overwrite an issuer that is \
             already configured on the cluster: import it instead. Every change (a cluster update, during which the \
             cluster is `STATUS_UPDATING`) waits until the cluster is `STATUS_RUNNING` again.",
            [
                Attr::string("id", Kind::Computed, "Same as `cluster_id`."),
                Attr::string("cluster_id", Kind::Required, "Id of the CKS cluster. Changing it forces a new resource (the OIDC settings move to the other cluster)."),
                Attr::string("issuer_url", Kind::Required, "Issuer URL of the identity provider, exactly as in its tokens' `iss` claim: `https://`, no trailing slash, no query or fragment."),
                Attr::string("client_id", Kind::Required, "Client id the tokens are issued for (their `aud` claim). Must not be empty."),
                opt("username_claim", "Token claim used as the Kubernetes user name, e.g. `email`. The API server's default is `sub`."),
                opt("username_prefix", "Prefix added to user names, e.g. `oidc:`; `-` disables prefixing."),
                opt("groups_claim", "Token claim holding the user's groups, e.g. `groups`."),
                opt("groups_prefix", "Prefix added to group names, e.g. `oidc:`."),
                Attr::string("ca", Kind::Optional, "Base64-encoded PEM certificate(s) of the CA that signed the issuer's TLS certificate, e.g. `filebase64(\"ca.pem\")`. Checked at plan time to decode to at least one PEM certificate."),
                opt("required_claim", "A `key=value` claim every token must carry, e.g. `hd=example.com`: a non-empty claim name, `=`, and a non-empty value (which may itself contain `=`). Empty means none."),
                opt("admin_group_binding", "Group from the identity provider that is bound to cluster-admin."),
                Attr::new("signing_algs", set_of_strings(), Kind::Optional, "Accepted JWA signing algorithms. Only `RS256` is supported today (sent to the API as `SIGNING_ALGORITHM_RS256`)."),
            ],
            [("timeouts", timeouts::nested_block())],
        ))
    }

    /// Reads the cluster's OIDC block into a state; `None` when the cluster or its OIDC is gone.
    async fn read_remote(
        &self,
        diags: &mut Diagnostics,
        cluster_id: &str,
        prior: ClusterOidcState,
    ) -> Option<Option<ClusterOidcState>> {
        let configured = self.data.get(diags)?;
        match configured.client.get_cluster(cluster_id).await {
            Ok(Some(cluster)) => match ClusterOidcState::from_cluster(&cluster, prior) {
                Some(state) => Some(Some(state)),
                None => {
                    tracing::warn!(
                        cluster_id,
                        "the cluster has no OIDC issuer any more; removing it from state"
                    );
                    Some(None)
                }
            },
            Ok(None) => {
                tracing::warn!(
                    cluster_id,
                    "the cluster no longer exists; removing its OIDC settings from state"
                );
                Some(None)
            }
            Err(e) => {
                diag::api_error(diags, format_args!("reading CKS cluster {cluster_id}"), &e);
                None
            }
        }
    }

    /// Sends a PATCH once the cluster is running and waits for it to settle again. Returns
    /// whether the PATCH was accepted (so that state is recorded even when the wait fails).
    async fn patch_and_wait(
        &self,
        diags: &mut Diagnostics,
        doing: &str,
        cluster_id: &str,
        (deadline, timeout): (Instant, Duration),
        update: &OidcUpdate,
    ) -> Option<bool> {
        let configured = self.data.get(diags)?;
        let client = &configured.client;
        let patched = wait::patch_when_running(client, cluster_id, deadline, update).await;
        if let Err(e) = patched {
            report(diags, doing, cluster_id, timeout, &e, false);
            return Some(false);
        }
        if let Err(e) = wait::until_running(client, cluster_id, deadline).await {
            report(diags, doing, cluster_id, timeout, &e, true);
        }
        Some(true)
    }
}

/// The OIDC block of a state, or an error diagnostic (and nothing sent) when it cannot be sent.
fn sendable(
    diags: &mut Diagnostics,
    oidc: Result<ClusterOidc, NotSendable>,
) -> Option<ClusterOidc> {
    oidc.map_err(|e| diags.root_error("Cannot update the cluster's OIDC settings", e.to_string()))
        .ok()
}

fn report(
    diags: &mut Diagnostics,
    doing: &str,
    cluster_id: &str,
    timeout: Duration,
    e: &ClusterOpError,
    accepted: bool,
) {
    let mut detail = e.to_string();
    if let ClusterOpError::Timeout { .. } = e {
        detail.push_str(&format!(
            "\nThe timeout was {timeout:?}; raise it with a `timeouts` block if the cluster needs longer."
        ));
    }
    if accepted {
        detail.push_str(
            "\nThe change was accepted by the API and is recorded in the Terraform state; \
             the next `terraform apply` checks the cluster again and converges.",
        );
    }
    match e {
        ClusterOpError::Api(api) if !accepted => diag::api_error_on(
            diags,
            format_args!("{doing} on CKS cluster {cluster_id}"),
            api,
            OIDC_FIELDS,
        ),
        _ => diags.root_error(format!("Error {doing} on CKS cluster {cluster_id}"), detail),
    }
}

/// The attribute each field of the cluster update's `oidc` object sets.
const OIDC_FIELDS: diag::FieldAttributes = &[
    ("oidc.issuerUrl", "issuer_url"),
    ("oidc.clientId", "client_id"),
    ("oidc.usernameClaim", "username_claim"),
    ("oidc.usernamePrefix", "username_prefix"),
    ("oidc.groupsClaim", "groups_claim"),
    ("oidc.groupsPrefix", "groups_prefix"),
    ("oidc.ca", "ca"),
    ("oidc.requiredClaim", "required_claim"),
    ("oidc.signingAlgorithms", "signing_algs"),
    ("oidc.adminGroupBinding", "admin_group_binding"),
];

#[async_trait]
impl Resource for ClusterOidcResource {
    type State = Option<ClusterOidcState>;
    type PrivateState = ValueEmpty;

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(resource_identity::schema(
            "cluster_id",
            "The CKS cluster id (the import ID).",
        ))
    }

    fn identity(&self, state: &Self::State) -> Option<Identity> {
        resource_identity::of("cluster_id", &state.as_ref()?.cluster_id)
    }

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::resource_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        check(diags, &config.unwrap_or_default()).then_some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: Self::State,
        private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let Some(prior) = state else {
            return Some((None, private_state));
        };
        let cluster_id = prior
            .cluster_id
            .as_ref_option()
            .cloned()
            .unwrap_or_default();
        let state = self.read_remote(diags, &cluster_id, prior).await?;
        Some((state, private_state))
    }

    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State,
        _config_state: Self::State,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        planned.id = planned.cluster_id.clone();
        Some((Some(planned), Value::Null))
    }

    async fn plan_update(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        proposed_state: Self::State,
        _config_state: Self::State,
        prior_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState, Vec<AttributePath>)> {
        let prior = prior_state.unwrap_or_default();
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        let mut replace = Vec::new();
        if planned.cluster_id != prior.cluster_id {
            replace.push(AttributePath::new("cluster_id"));
        }
        planned.id = planned.cluster_id.clone();
        Some((Some(planned), prior_private_state, replace))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        let cluster_id = planned
            .cluster_id
            .as_ref_option()
            .cloned()
            .unwrap_or_default();
        let configured = self.data.get(diags)?;
        let cluster = match configured.client.get_cluster(&cluster_id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                diags.error(
                    "Cluster not found",
                    format!("No CKS cluster has the id {cluster_id:?} in this organization."),
                    AttributePath::new("cluster_id"),
                );
                return None;
            }
            Err(e) => {
                diag::api_error(diags, format_args!("reading CKS cluster {cluster_id}"), &e);
                return None;
            }
        };
        if let Some(existing) = cluster.oidc.as_ref().filter(|o| !o.is_empty()) {
            let issuer = existing.issuer_url.as_deref().unwrap_or("(no issuer URL)");
            diags.error(
                "Cluster already has an OIDC issuer",
                format!(
                    "CKS cluster {cluster_id} already trusts the OIDC issuer {issuer}. The provider does not overwrite \
                     OIDC settings it does not manage; nothing was changed.\n{}",
                    diag::import_hint(
                        ClusterOidcResource::NAME,
                        &cluster_id,
                        diag::Import::InsteadOfCreating,
                    )
                ),
                AttributePath::new("cluster_id"),
            );
            return None;
        }
        let new = sendable(diags, planned.to_api())?;
        let Some(update) = OidcUpdate::between(None, Some(&new)) else {
            return Some((Some(planned), planned_private_state));
        };
        let accepted = self
            .patch_and_wait(
                diags,
                "configuring OIDC",
                &cluster_id,
                deadline(&planned, Operation::Create),
                &update,
            )
            .await?;
        accepted.then_some((Some(planned), planned_private_state))
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        planned_state: Self::State,
        _config_state: Self::State,
        planned_private_state: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let prior = prior_state.unwrap_or_default();
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        let old = sendable(diags, prior.to_api())?;
        let new = sendable(diags, planned.to_api())?;
        let Some(update) = OidcUpdate::between(Some(&old), Some(&new)) else {
            return Some((Some(planned), planned_private_state));
        };
        let cluster_id = planned
            .cluster_id
            .as_ref_option()
            .cloned()
            .unwrap_or_default();
        let accepted = self
            .patch_and_wait(
                diags,
                "updating OIDC",
                &cluster_id,
                deadline(&planned, Operation::Update),
                &update,
            )
            .await?;
        let state = if accepted { planned } else { prior };
        Some((Some(state), planned_private_state))
    }

    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State,
        _planned_private_state: Self::PrivateState,
    ) -> Option<()> {
        let prior = prior_state.unwrap_or_default();
        let cluster_id = prior
            .cluster_id
            .as_ref_option()
            .cloned()
            .unwrap_or_default();
        let configured = self.data.get(diags)?;
        let remote = match configured.client.get_cluster(&cluster_id).await {
            Ok(Some(cluster)) => cluster.oidc,
            Ok(None) => None,
            Err(e) => {
                diag::api_error(diags, format_args!("reading CKS cluster {cluster_id}"), &e);
                return None;
            }
        };
        let Some(update) = OidcUpdate::between(remote.as_ref(), None) else {
            return Some(());
        };
        let before = diags.errors.len();
        self.patch_and_wait(
            diags,
            "removing OIDC",
            &cluster_id,
            deadline(&prior, Operation::Delete),
            &update,
        )
        .await?;
        (diags.errors.len() == before).then_some(())
    }

    async fn import(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State, Self::PrivateState)> {
        let id = id.trim().to_string();
        if id.is_empty() {
            diags.root_error_short("The import id must be the CKS cluster id");
            return None;
        }
        match self
            .read_remote(diags, &id, ClusterOidcState::fresh())
            .await?
        {
            Some(state) => Some((Some(state), Value::Null)),
            None => {
                diags.root_error(
                    "Nothing to import",
                    format!("CKS cluster {id:?} does not exist or has no OIDC issuer configured."),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
