//! Ephemeral resource `coreweave_cks_kubeconfig` (Terraform >= 1.10): the data source's
//! connection details with the credential itself (the static API token or the workload identity
//! bearer) in `token` and embedded in `kubeconfig`. Terraform keeps nothing it returns in a plan
//! or state file, and opens it afresh in every plan and apply.

use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::{Value, ValueEmpty};
use tf_plugin_server::{Diagnostics, EphemeralResource, Opened};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::cks::kubeconfig::{self, Holder, KubeconfigState};
use crate::cks::kubeconfig_data_source::KubeconfigDataSource;
use crate::provider::ProviderData;
use crate::schema::{Attr, Kind};

/// Values of the ephemeral resource: the data source's, plus `expires_at`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct EphemeralKubeconfigState {
    #[serde(flatten)]
    pub kubeconfig: KubeconfigState,
    #[serde(default)]
    pub expires_at: Value<String>,
}

/// RFC 3339 in UTC, seconds precision.
fn rfc3339(at: SystemTime) -> Option<String> {
    OffsetDateTime::from(at)
        .replace_nanosecond(0)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

/// The ephemeral resource.
pub struct KubeconfigEphemeralResource {
    data: Arc<ProviderData>,
}

impl KubeconfigEphemeralResource {
    /// Type name without the provider prefix (the data source's).
    pub const NAME: &'static str = KubeconfigDataSource::NAME;

    /// An ephemeral resource sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The schema: the data source's, `token` and `kubeconfig` always carrying the credential,
    /// and `expires_at`.
    pub fn ephemeral_resource_schema() -> Schema {
        let mut schema = KubeconfigDataSource::data_source_schema();
        let block = &mut schema.block;
        block.description = tf_plugin_server::schema::Description::markdown(
            "Connection details for a CKS cluster's Kubernetes API with the credential itself, for the \
             `kubernetes` and `helm` providers or a `local-exec` provisioner, like `aws_eks_cluster_auth`. \
             Ephemeral (Terraform >= 1.10): nothing it returns is ever stored in a plan or state file, so \
             `token` and `kubeconfig` always carry the credential: the provider's API token, or with \
             `authentication.workload_identity` the short-lived bearer. Terraform opens it afresh in every plan \
             and every apply; a bearer lasts as long as the API grants it (`expires_at`; the provider asks for \
             one hour), and cannot be replaced during a run, so an apply that runs longer than that needs a \
             static token or a split into shorter applies. For `endpoint = \"unmanaged\"` the token is null and \
             the kubeconfig's `exec` plugin logs in, as for the data source.",
        );
        let replace = |block: &mut tf_plugin_server::schema::Block, attr: Attr| {
            let (name, attribute) = attr.into_parts();
            block.attributes.insert(name.to_string(), attribute);
        };
        replace(
            block,
            Attr::string("token", Kind::Computed, "The bearer token for the managed endpoint: the provider's API token, or with `authentication.workload_identity` the short-lived bearer. Null for the unmanaged endpoint.").sensitive(),
        );
        replace(
            block,
            Attr::string("kubeconfig", Kind::Computed, "A kubeconfig (YAML) with one cluster, user and context, which `kubectl` uses as it is; for the managed endpoint its user carries `token`.").sensitive(),
        );
        replace(
            block,
            Attr::string("expires_at", Kind::Computed, "When `token` expires (RFC 3339); null when it does not (a static API token) or for the unmanaged endpoint."),
        );
        schema
    }
}

#[async_trait]
impl EphemeralResource for KubeconfigEphemeralResource {
    type State = EphemeralKubeconfigState;
    type Private = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::ephemeral_resource_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        kubeconfig::validate(diags, &config.kubeconfig)
    }

    async fn open(
        &self,
        diags: &mut Diagnostics,
        config: Self::State,
    ) -> Option<Opened<Self::State, Self::Private>> {
        let connection =
            kubeconfig::connect(&self.data, diags, &config.kubeconfig, Holder::Ephemeral).await?;
        Some(Opened {
            result: EphemeralKubeconfigState {
                expires_at: connection.expires_at.and_then(rfc3339).into(),
                kubeconfig: connection.into_state(config.kubeconfig),
            },
            renew_at: None,
            private: Value::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_the_data_sources_plus_expires_at() {
        let data_source = KubeconfigDataSource::data_source_schema().block;
        let ephemeral = KubeconfigEphemeralResource::ephemeral_resource_schema().block;
        let mut names: Vec<_> = data_source.attributes.keys().cloned().collect();
        names.push("expires_at".into());
        names.sort();
        let mut got: Vec<_> = ephemeral.attributes.keys().cloned().collect();
        got.sort();
        assert_eq!(got, names);
        assert!(ephemeral.attributes["token"].sensitive);
        assert!(ephemeral.attributes["kubeconfig"].sensitive);
    }

    #[test]
    fn expiry_is_rfc3339_in_whole_seconds() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_795_427_169_500);
        assert_eq!(rfc3339(at).as_deref(), Some("2026-11-23T09:46:09Z"));
    }
}
