//! Resource `coreweave_cks_cluster_oidc`: the external OIDC issuer a CKS cluster trusts (seed 004).
//!
//! The OIDC block lives inside the cluster object, so create, update and delete are PATCHes of the
//! cluster with an update mask listing only the OIDC paths that change, each followed by a wait
//! until the cluster is `STATUS_RUNNING` again.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty, ValueList, ValueSet};
use tf_provider::{AttributePath, Diagnostics, Resource};
use tokio::time::Instant;

use crate::api::cks::{oidc_fields, Cluster, ClusterOidc, ClusterOidcPatch, UpdateClusterRequest};
use crate::cks::wait::{self, ClusterOpError};
use crate::diag;
use crate::provider::ProviderData;
use crate::schema::{block, schema, set_of_strings, Attr, Kind};
use crate::timeouts::{self, Operation, Timeouts};
use crate::validate::{self, Scheme};

/// JWA names accepted in `signing_algs`, with their API enum names.
pub const SIGNING_ALGORITHMS: [(&str, &str); 1] = [("RS256", "SIGNING_ALGORITHM_RS256")];

/// Terraform attribute and API field of each optional-or-required string of the OIDC block.
const STRING_FIELDS: [(&str, &str); 9] = [
    ("issuer_url", "issuerUrl"),
    ("client_id", "clientId"),
    ("username_claim", "usernameClaim"),
    ("username_prefix", "usernamePrefix"),
    ("groups_claim", "groupsClaim"),
    ("groups_prefix", "groupsPrefix"),
    ("ca", "ca"),
    ("required_claim", "requiredClaim"),
    ("admin_group_binding", "adminGroupBinding"),
];
const SIGNING_ALGS_FIELD: &str = "signingAlgorithms";

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

impl ClusterOidcState {
    fn strings(&self) -> [&Value<String>; 9] {
        [
            &self.issuer_url,
            &self.client_id,
            &self.username_claim,
            &self.username_prefix,
            &self.groups_claim,
            &self.groups_prefix,
            &self.ca,
            &self.required_claim,
            &self.admin_group_binding,
        ]
    }

    fn strings_mut(&mut self) -> [&mut Value<String>; 9] {
        [
            &mut self.issuer_url,
            &mut self.client_id,
            &mut self.username_claim,
            &mut self.username_prefix,
            &mut self.groups_claim,
            &mut self.groups_prefix,
            &mut self.ca,
            &mut self.required_claim,
            &mut self.admin_group_binding,
        ]
    }

    /// The OIDC block as API fields: only non-empty values (`""` and null both mean unset).
    pub fn api_fields(&self) -> Map<String, Json> {
        let mut map = Map::new();
        for ((_, api), value) in STRING_FIELDS.iter().zip(self.strings()) {
            if let Value::Value(v) = value {
                if !v.is_empty() {
                    map.insert(api.to_string(), Json::String(v.clone()));
                }
            }
        }
        let algs = api_signing_algs(&self.signing_algs);
        if !algs.is_empty() {
            map.insert(
                SIGNING_ALGS_FIELD.into(),
                algs.into_iter().map(Json::String).collect(),
            );
        }
        map
    }

    /// Copies the cluster's OIDC block into this state. Where the API has no value and the
    /// prior state had an empty one (`""`, `[]`), the empty form is kept so that a configuration
    /// that spells out an empty value does not diff forever.
    pub fn set_from_api(&mut self, oidc: &ClusterOidc) {
        let fields = oidc_fields(Some(oidc));
        for ((_, api), slot) in STRING_FIELDS.iter().zip(self.strings_mut()) {
            let from_api = fields.get(*api).and_then(Json::as_str);
            *slot = match (from_api, &*slot) {
                (Some(v), _) => Value::Value(v.to_string()),
                (None, Value::Value(prior)) if prior.is_empty() => Value::Value(String::new()),
                (None, _) => Value::Null,
            };
        }
        let algs: BTreeSet<String> = fields
            .get(SIGNING_ALGS_FIELD)
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).map(jwa_name).collect())
            .unwrap_or_default();
        self.signing_algs = match (&self.signing_algs, algs.is_empty()) {
            (_, false) => Value::Value(algs),
            (Value::Value(prior), true) if prior.is_empty() => Value::Value(BTreeSet::new()),
            (_, true) => Value::Null,
        };
    }
}

/// `RS256` -> `SIGNING_ALGORITHM_RS256`, for every algorithm in the set.
fn api_signing_algs(algs: &ValueSet<String>) -> Vec<String> {
    algs.as_ref_option()
        .map(|set| {
            set.iter()
                .map(|jwa| {
                    SIGNING_ALGORITHMS
                        .iter()
                        .find(|(name, _)| name == jwa)
                        .map_or_else(|| jwa.clone(), |(_, api)| api.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
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

/// The update mask and OIDC body that turn `old` into `new` (paths like `oidc.clientId`).
/// A path whose value is absent from the body clears that field.
pub fn oidc_changes(
    old: &Map<String, Json>,
    new: &Map<String, Json>,
) -> (Vec<String>, Map<String, Json>) {
    let mut mask = Vec::new();
    let mut body = Map::new();
    let fields = STRING_FIELDS
        .iter()
        .map(|(_, api)| *api)
        .chain([SIGNING_ALGS_FIELD]);
    for field in fields {
        if old.get(field) != new.get(field) {
            mask.push(format!("oidc.{field}"));
            if let Some(v) = new.get(field) {
                body.insert(field.to_string(), v.clone());
            }
        }
    }
    (mask, body)
}

/// Every OIDC path, listed with no value to clear the whole block.
pub fn clear_mask() -> Vec<String> {
    STRING_FIELDS
        .iter()
        .map(|(_, api)| format!("oidc.{api}"))
        .chain([format!("oidc.{SIGNING_ALGS_FIELD}")])
        .collect()
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

fn patch_request(
    cluster: &Cluster,
    mask: &[String],
    body: &Map<String, Json>,
) -> UpdateClusterRequest {
    let oidc = (!body.is_empty())
        .then(|| serde_json::from_value::<ClusterOidcPatch>(Json::Object(body.clone())).ok())
        .flatten();
    UpdateClusterRequest {
        id: cluster.id.clone(),
        version: cluster.version.clone(),
        update_mask: mask.to_vec(),
        oidc,
    }
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
             already configured on the cluster: import it instead. Every change PATCHes only the fields that changed \
             and waits until the cluster is `STATUS_RUNNING` again.",
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
            Ok(Some(cluster)) => match cluster.oidc.as_ref().filter(|o| !o.is_empty()) {
                Some(oidc) => {
                    let mut state = prior;
                    state.id = Value::Value(cluster.id.clone());
                    state.cluster_id = Value::Value(cluster.id.clone());
                    state.set_from_api(oidc);
                    if !state.timeouts.is_value() {
                        state.timeouts = Value::Value(Vec::new());
                    }
                    Some(Some(state))
                }
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
        mask: Vec<String>,
        body: Map<String, Json>,
    ) -> Option<bool> {
        let configured = self.data.get(diags)?;
        let client = &configured.client;
        let patched = wait::patch_when_running(client, cluster_id, deadline, |c| {
            patch_request(c, &mask, &body)
        })
        .await;
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
    diags.root_error(format!("Error {doing} on CKS cluster {cluster_id}"), detail);
}

#[async_trait]
impl Resource for ClusterOidcResource {
    type State<'a> = Option<ClusterOidcState>;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::resource_schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        check(diags, &config.unwrap_or_default()).then_some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
        private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
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

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let mut planned = proposed_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        planned.id = planned.cluster_id.clone();
        Some((Some(planned), Value::Null))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        proposed_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)> {
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

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<Self::PrivateState<'a>> {
        Some(prior_private_state)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
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
                    diag::import_hint(&cluster_id)
                ),
                AttributePath::new("cluster_id"),
            );
            return None;
        }
        let (mask, body) = oidc_changes(&Map::new(), &planned.api_fields());
        let accepted = self
            .patch_and_wait(
                diags,
                "configuring OIDC",
                &cluster_id,
                deadline(&planned, Operation::Create),
                mask,
                body,
            )
            .await?;
        accepted.then_some((Some(planned), planned_private_state))
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        planned_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let prior = prior_state.unwrap_or_default();
        let planned = planned_state.unwrap_or_default();
        if !check(diags, &planned) {
            return None;
        }
        let (mask, body) = oidc_changes(&prior.api_fields(), &planned.api_fields());
        if mask.is_empty() {
            return Some((Some(planned), planned_private_state));
        }
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
                mask,
                body,
            )
            .await?;
        let state = if accepted { planned } else { prior };
        Some((Some(state), planned_private_state))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        _planned_private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        let prior = prior_state.unwrap_or_default();
        let cluster_id = prior
            .cluster_id
            .as_ref_option()
            .cloned()
            .unwrap_or_default();
        let configured = self.data.get(diags)?;
        match configured.client.get_cluster(&cluster_id).await {
            Ok(Some(c)) if c.oidc.as_ref().is_some_and(|o| !o.is_empty()) => {}
            Ok(_) => return Some(()),
            Err(e) => {
                diag::api_error(diags, format_args!("reading CKS cluster {cluster_id}"), &e);
                return None;
            }
        }
        let before = diags.errors.len();
        self.patch_and_wait(
            diags,
            "removing OIDC",
            &cluster_id,
            deadline(&prior, Operation::Delete),
            clear_mask(),
            Map::new(),
        )
        .await?;
        (diags.errors.len() == before).then_some(())
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let id = id.trim().to_string();
        if id.is_empty() {
            diags.root_error_short("The import id must be the CKS cluster id");
            return None;
        }
        let prior = ClusterOidcState {
            timeouts: Value::Value(Vec::new()),
            ..Default::default()
        };
        match self.read_remote(diags, &id, prior).await? {
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
mod tests {
    use super::*;

    fn set(v: &str) -> Value<String> {
        Value::Value(v.to_string())
    }

    fn state() -> ClusterOidcState {
        ClusterOidcState {
            cluster_id: set("c1"),
            issuer_url: set("https://accounts.example.com"),
            client_id: set("kubernetes"),
            ..Default::default()
        }
    }

    #[test]
    fn create_masks_only_the_fields_that_are_set() {
        let mut s = state();
        s.signing_algs = Value::Value(BTreeSet::from(["RS256".to_string()]));
        s.username_prefix = set("");
        let (mask, body) = oidc_changes(&Map::new(), &s.api_fields());
        assert_eq!(
            mask,
            ["oidc.issuerUrl", "oidc.clientId", "oidc.signingAlgorithms"]
        );
        assert_eq!(
            body["signingAlgorithms"],
            serde_json::json!(["SIGNING_ALGORITHM_RS256"])
        );
        assert!(!body.contains_key("usernamePrefix"));
    }

    #[test]
    fn update_masks_changed_fields_and_clears_removed_ones() {
        let mut old = state();
        old.username_claim = set("email");
        let mut new = state();
        new.client_id = set("other");
        new.groups_claim = set("groups");
        let (mask, body) = oidc_changes(&old.api_fields(), &new.api_fields());
        assert_eq!(
            mask,
            ["oidc.clientId", "oidc.usernameClaim", "oidc.groupsClaim"]
        );
        assert_eq!(body.len(), 2);
        assert!(
            !body.contains_key("usernameClaim"),
            "a cleared field is in the mask without a value"
        );
    }

    #[test]
    fn no_change_means_an_empty_mask() {
        let (mask, body) = oidc_changes(&state().api_fields(), &state().api_fields());
        assert!(mask.is_empty() && body.is_empty());
    }

    #[test]
    fn clearing_lists_every_oidc_path() {
        let mask = clear_mask();
        assert_eq!(mask.len(), 10);
        assert!(mask.contains(&"oidc.adminGroupBinding".to_string()));
        assert!(mask.contains(&"oidc.signingAlgorithms".to_string()));
    }

    #[test]
    fn validation_names_each_bad_attribute() {
        let mut s = state();
        s.issuer_url = set("https://accounts.example.com/");
        s.client_id = set(" ");
        s.ca = set("bm90IGEgY2VydA==");
        s.signing_algs = Value::Value(BTreeSet::from(["HS256".to_string()]));
        let mut diags = Diagnostics::default();
        assert!(!check(&mut diags, &s));
        let details: Vec<_> = diags.errors.iter().map(|d| d.detail.to_string()).collect();
        assert_eq!(diags.errors.len(), 4, "{details:?}");
        assert!(details
            .iter()
            .any(|d| d.starts_with("`signing_algs` contains \"HS256\"")));
    }

    #[test]
    fn unknown_values_are_not_validated_yet() {
        let s = ClusterOidcState {
            issuer_url: Value::Unknown,
            cluster_id: Value::Unknown,
            ..state()
        };
        let mut diags = Diagnostics::default();
        assert!(check(&mut diags, &s));
    }

    #[test]
    fn jwa_names_map_both_ways() {
        assert_eq!(jwa_name("SIGNING_ALGORITHM_RS256"), "RS256");
        assert_eq!(jwa_name("SIGNING_ALGORITHM_ES256"), "ES256");
        let algs = Value::Value(BTreeSet::from(["RS256".to_string()]));
        assert_eq!(api_signing_algs(&algs), ["SIGNING_ALGORITHM_RS256"]);
    }
}
