//! What the kubeconfig data source and ephemeral resource share: their inputs and plan-time
//! checks, and [`connect`], which finds the cluster and builds its kubeconfig for the one that
//! holds the credential (see [`render`]).

pub mod render;

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::AttributeType;
use tf_plugin_server::value::Value;
use tf_plugin_server::{AttributePath, Diagnostics};

use crate::api::cks::Cluster;
use crate::api::ApiError;
use crate::cks::cluster_lookup::{find_cluster, lookup};
use crate::provider::{Configured, ProviderData};
use crate::schema::Field;
use render::{Credential, Endpoint, ExecPlugin};

/// The `exec` input: a credential plugin for the unmanaged endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecInput {
    #[serde(default)]
    pub command: Value<String>,
    #[serde(default)]
    pub args: Value<Vec<Value<String>>>,
    #[serde(default)]
    pub env: Value<BTreeMap<String, Value<String>>>,
}

/// State of the data source.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct KubeconfigState {
    #[serde(default)]
    pub cluster_id: Value<String>,
    #[serde(default)]
    pub name: Value<String>,
    #[serde(default)]
    pub endpoint: Value<String>,
    #[serde(default)]
    pub exec: Value<ExecInput>,
    #[serde(default)]
    pub host: Value<String>,
    #[serde(default)]
    pub token: Value<String>,
    #[serde(default)]
    pub kubeconfig: Value<String>,
}

/// A plan-time problem: the attribute and the message.
type Invalid = (AttributePath, String);

/// The endpoint the configuration asks for (`None` while unknown).
fn endpoint_of(state: &KubeconfigState) -> Result<Option<Endpoint>, Invalid> {
    match &state.endpoint {
        Value::Null => Ok(Some(Endpoint::Managed)),
        Value::Unknown => Ok(None),
        Value::Value(text) => Endpoint::parse(text).map(Some).ok_or_else(|| {
            (
                AttributePath::new("endpoint"),
                format!("`endpoint` must be \"managed\" or \"unmanaged\", got {text:?}"),
            )
        }),
    }
}

/// The `exec` override as a plugin (`None` when unset or not yet known).
fn exec_plugin(exec: &Value<ExecInput>) -> Result<Option<ExecPlugin>, Invalid> {
    let Value::Value(exec) = exec else {
        return Ok(None);
    };
    let at = |field: &'static str| AttributePath::new("exec").attribute(field);
    let command = match &exec.command {
        Value::Value(c) if !c.trim().is_empty() => c.clone(),
        Value::Unknown => return Ok(None),
        _ => {
            return Err((
                at("command"),
                "`exec.command` must name the plugin to run".into(),
            ))
        }
    };
    let mut args = Vec::new();
    for arg in exec.args.iter().flatten() {
        match arg {
            Value::Value(a) => args.push(a.clone()),
            Value::Unknown => return Ok(None),
            Value::Null => return Err((at("args"), "`exec.args` must not hold null".into())),
        }
    }
    let mut env = Vec::new();
    for (name, value) in exec.env.iter().flatten() {
        if name.is_empty() || name.contains('=') {
            return Err((
                at("env"),
                format!("`exec.env` has an invalid variable name {name:?}"),
            ));
        }
        match value {
            Value::Value(v) => env.push((name.clone(), v.clone())),
            Value::Unknown => return Ok(None),
            Value::Null => {
                return Err((at("env"), format!("`exec.env[{name:?}]` must not be null")))
            }
        }
    }
    Ok(Some(ExecPlugin {
        command,
        args,
        env,
        interactive: true,
    }))
}

/// Every plan-time check of the inputs.
pub fn check(state: &KubeconfigState) -> Result<(), Invalid> {
    lookup(&state.cluster_id, &state.name).map_err(|(a, m)| (AttributePath::new(a), m))?;
    let endpoint = endpoint_of(state)?;
    if endpoint == Some(Endpoint::Managed) && !state.exec.is_null() {
        return Err((
            AttributePath::new("exec"),
            "`exec` is for the unmanaged endpoint: set `endpoint = \"unmanaged\"`, or remove `exec` \
             (the managed endpoint takes the provider's own credentials)"
                .into(),
        ));
    }
    exec_plugin(&state.exec).map(|_| ())
}

/// The credential for `endpoint` of `cluster`.
/// Who holds the credential a read hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The data source's state: only a credential that expires is stored; the static API token
    /// is read from the environment by an `exec` entry when kubectl runs.
    State,
    /// An ephemeral resource, which no plan or state keeps: the credential itself.
    Ephemeral,
}

/// What a read found: the cluster, where to reach it and with what.
pub struct Connection {
    /// The cluster.
    pub cluster: Cluster,
    /// `https://` + the endpoint.
    pub host: String,
    /// The kubeconfig's user credential.
    pub credential: Credential,
    /// When the bearer in `credential` expires (`None`: it does not, or there is none).
    pub expires_at: Option<SystemTime>,
    /// The kubeconfig document (YAML).
    pub kubeconfig: String,
}

impl Connection {
    /// The inputs `config` with what the read found: the cluster's id and name, `host`, the
    /// bearer token the kubeconfig carries (if it carries one) and the kubeconfig.
    pub fn into_state(self, config: KubeconfigState) -> KubeconfigState {
        KubeconfigState {
            cluster_id: Value::Value(self.cluster.id),
            name: Value::Value(self.cluster.name),
            token: match self.credential {
                Credential::Bearer(token) => Value::Value(token),
                Credential::Exec(_) => Value::Null,
            },
            kubeconfig: Value::Value(self.kubeconfig),
            host: Value::Value(self.host),
            ..config
        }
    }
}

async fn credential(
    configured: &Configured,
    cluster: &Cluster,
    endpoint: Endpoint,
    exec: Option<ExecPlugin>,
    holder: Holder,
) -> Result<(Credential, Option<SystemTime>), (Option<AttributePath>, String)> {
    match endpoint {
        Endpoint::Managed => {
            let handed = match configured.client.handed_credential().await {
                Ok(handed) => Some(handed),
                Err(ApiError::MissingToken) if holder == Holder::State => None,
                Err(e) => {
                    return Err((None, format!("getting the credential for the cluster: {e}")))
                }
            };
            match handed {
                // A credential that expires (the workload identity bearer) may be stored; the
                // static token goes only where nothing is kept.
                Some(handed) if handed.expires_at.is_some() || holder == Holder::Ephemeral => {
                    Ok((Credential::Bearer(handed.token), handed.expires_at))
                }
                _ => Ok((Credential::Exec(render::api_token_plugin()), None)),
            }
        }
        Endpoint::Unmanaged => {
            if let Some(plugin) = exec {
                return Ok((Credential::Exec(plugin), None));
            }
            let oidc = cluster.oidc.as_ref();
            let field =
                |f: Option<&Option<String>>| f.and_then(|v| v.clone()).filter(|v| !v.is_empty());
            match (
                field(oidc.map(|o| &o.issuer_url)),
                field(oidc.map(|o| &o.client_id)),
            ) {
                (Some(issuer), Some(client_id)) => {
                    let claim = field(oidc.map(|o| &o.username_claim)).unwrap_or_default();
                    Ok((
                        Credential::Exec(render::kubelogin_plugin(&issuer, &client_id, &claim)),
                        None,
                    ))
                }
                _ => Err((
                    Some(AttributePath::new("endpoint")),
                    format!(
                        "cluster {} has no external OIDC issuer, so the unmanaged endpoint has no default \
                         credential plugin: configure one with `coreweave_cks_cluster_oidc` (and reference \
                         it, so that this data source is read after it), or set `exec`",
                        cluster.id
                    ),
                )),
            }
        }
    }
}

/// Reads the cluster the inputs name and builds its connection for `holder`; every problem is
/// a diagnostic.
pub async fn connect(
    data: &ProviderData,
    diags: &mut Diagnostics,
    config: &KubeconfigState,
    holder: Holder,
) -> Option<Connection> {
    let checked = check(config).and_then(|()| {
        let lookup = lookup(&config.cluster_id, &config.name)
            .map_err(|(a, m)| (AttributePath::new(a), m))?;
        Ok((lookup, endpoint_of(config)?, exec_plugin(&config.exec)?))
    });
    let (Some(lookup), Some(endpoint), exec) = (match checked {
        Ok(found) => found,
        Err((at, message)) => {
            diags.error("Invalid kubeconfig input", message, at);
            return None;
        }
    }) else {
        diags.root_error_short("The cluster or endpoint is unknown at read time");
        return None;
    };
    let configured = data.get(diags)?;
    let cluster = find_cluster(&configured.client, &lookup, diags).await?;
    let Some(api_server_endpoint) = cluster
        .api_server_endpoint
        .clone()
        .filter(|e| !e.is_empty())
    else {
        diags.root_error(
            "Cluster has no API server endpoint yet",
            format!(
                "CKS cluster {} ({}) reports no apiServerEndpoint; is it still being created?",
                cluster.id, cluster.status
            ),
        );
        return None;
    };
    let (credential, expires_at) =
        match credential(&configured, &cluster, endpoint, exec, holder).await {
            Ok(found) => found,
            Err((Some(at), message)) => {
                diags.error("No credential for this endpoint", message, at);
                return None;
            }
            Err((None, message)) => {
                diags.root_error("No credential for this endpoint", message);
                return None;
            }
        };
    let host = render::host(&api_server_endpoint, endpoint);
    let kubeconfig = render::to_yaml(&render::kubeconfig(
        &cluster.name,
        endpoint,
        &host,
        &credential,
    ));
    Some(Connection {
        cluster,
        host,
        credential,
        expires_at,
        kubeconfig,
    })
}

/// The validation both kinds share: the first problem, on its attribute.
pub fn validate(diags: &mut Diagnostics, config: &KubeconfigState) -> Option<()> {
    match check(config) {
        Ok(()) => Some(()),
        Err((at, message)) => {
            diags.error("Invalid kubeconfig input", message, at);
            None
        }
    }
}

/// The fields of `exec`, the credential plugin kubectl runs.
pub fn exec_fields() -> Vec<Field> {
    vec![
        Field::new(
            "command",
            AttributeType::String,
            "The program kubectl runs for a token, e.g. `kubectl` (for `kubectl oidc-login`).",
        ),
        Field::new(
            "args",
            AttributeType::List(Box::new(AttributeType::String)),
            "Its arguments, in order (`[]` for none).",
        ),
        Field::new(
            "env",
            AttributeType::Map(Box::new(AttributeType::String)),
            "Environment variables set for it (`{}` for none).",
        ),
    ]
}

#[cfg(test)]
mod tests;
