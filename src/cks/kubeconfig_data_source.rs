//! Data source `coreweave_cks_kubeconfig`: what the kubernetes and helm providers or kubectl
//! need to reach a CKS cluster (`host`, a short-lived `token`, a whole `kubeconfig`), in the
//! spirit of `aws_eks_cluster_auth`. No long-lived secret lands in state: see
//! [`crate::cks::kubeconfig::render`].

use std::sync::Arc;

use async_trait::async_trait;
use tf_plugin_server::schema::Schema;
use tf_plugin_server::{DataSource, Diagnostics};

use crate::cks::kubeconfig::{self, exec_fields, Holder, KubeconfigState};
use crate::provider::ProviderData;
use crate::schema::{block, field_docs, object_of, schema, Attr, FieldDocs, Kind};

pub struct KubeconfigDataSource {
    data: Arc<ProviderData>,
}

impl KubeconfigDataSource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = "cks_kubeconfig";

    /// A data source sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// What the docs say about the fields of `exec`.
    pub fn field_docs() -> FieldDocs {
        field_docs("exec", &exec_fields())
    }

    /// The data source schema.
    pub fn data_source_schema() -> Schema {
        let exec = object_of(exec_fields());
        schema(block(
            "Connection details for a CKS cluster's Kubernetes API, for the `kubernetes` and `helm` providers or \
             `kubectl`, like `aws_eks_cluster_auth`. **No long-lived secret lands in state**: with a static API \
             token, `token` is null and `kubeconfig` reads the token from `COREWEAVE_API_TOKEN` when kubectl \
             runs (pass the same token to the kubernetes provider from the variable or environment it came \
             from); with `authentication.workload_identity`, `token` is the short-lived bearer and expires as it \
             does. The `unmanaged` endpoint (`api.` + `apiServerEndpoint`, seed 004) takes tokens of the cluster's \
             external OIDC issuer through a credential plugin, by default kubelogin. CKS endpoints are taken to \
             use publicly trusted certificates, so no CA is emitted.",
            [
                Attr::string("cluster_id", Kind::OptionalComputed, "Id of the cluster. Exactly one of `cluster_id` or `name` must be set."),
                Attr::string("name", Kind::OptionalComputed, "Name of the cluster. Exactly one of `cluster_id` or `name` must be set; the name must match exactly one cluster."),
                Attr::string("endpoint", Kind::Optional, "`managed` (default): the CKS endpoint that takes CoreWeave API access tokens. `unmanaged`: the `api.` endpoint that takes tokens of the cluster's external OIDC issuer (see `coreweave_cks_cluster_oidc`)."),
                Attr::new("exec", exec, Kind::Optional, "Only with `endpoint = \"unmanaged\"`: the credential plugin kubectl runs for a token, `{ command, args, env }` (write `args = []` or `env = {}` for none). Default: kubelogin, `kubectl oidc-login get-token --oidc-issuer-url=<issuer> --oidc-client-id=<client id>` (plus `--oidc-extra-scope=email` when the username claim is `email`); add `--oidc-client-secret` here if your identity provider needs one."),
                Attr::string("host", Kind::Computed, "`https://<apiServerEndpoint>`, or `https://api.<apiServerEndpoint>` for the unmanaged endpoint."),
                Attr::string("token", Kind::Computed, "With `authentication.workload_identity` on the managed endpoint: the short-lived bearer token. Otherwise null (no long-lived secret is stored).").sensitive(),
                Attr::string("kubeconfig", Kind::Computed, "A kubeconfig (YAML) with one cluster, user and context, which `kubectl` uses as it is.").sensitive(),
            ],
            [],
        ))
    }
}

#[async_trait]
impl DataSource for KubeconfigDataSource {
    type State = KubeconfigState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::data_source_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        kubeconfig::validate(diags, &config)
    }

    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State> {
        let connection = kubeconfig::connect(&self.data, diags, &config, Holder::State).await?;
        Some(connection.into_state(config))
    }
}
