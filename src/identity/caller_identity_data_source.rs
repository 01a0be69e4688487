//! Data source `coreweave_caller_identity`: the principal and organization behind the
//! provider's credentials (`GET /v1beta1/auth/whoami`).

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{DataSource, Diagnostics};

use crate::api::Principal;
use crate::diag;
use crate::provider::ProviderData;
use crate::schema::{block, schema, Attr, Kind};

/// State of the data source.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CallerIdentityState {
    #[serde(default)]
    pub organization_id: Value<String>,
    #[serde(default)]
    pub principal_id: Value<String>,
}

impl From<Principal> for CallerIdentityState {
    fn from(principal: Principal) -> Self {
        Self {
            organization_id: Value::Value(principal.org_uid),
            principal_id: Value::Value(principal.uid),
        }
    }
}

/// The data source.
pub struct CallerIdentityDataSource {
    data: Arc<ProviderData>,
}

impl CallerIdentityDataSource {
    /// Type name without the provider prefix.
    pub const NAME: &'static str = "caller_identity";

    /// A data source sharing the provider's configured client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The data source schema.
    pub fn data_source_schema() -> Schema {
        schema(block(
            "The principal the provider authenticates as and its organization. The organization id is what \
             pods need in `AWS_CONTAINER_CREDENTIALS_FULL_URI` to exchange their service account tokens for \
             AI Object Storage credentials.",
            [
                Attr::string("organization_id", Kind::Computed, "Id of the organization the credentials belong to."),
                Attr::string("principal_id", Kind::Computed, "Id of the user or service account the credentials belong to."),
            ],
            [],
        ))
    }
}

#[async_trait]
impl DataSource for CallerIdentityDataSource {
    type State = CallerIdentityState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::data_source_schema())
    }

    async fn read(&self, diags: &mut Diagnostics, _config: Self::State) -> Option<Self::State> {
        let configured = self.data.get(diags)?;
        match configured.client.whoami().await {
            Ok(principal) => Some(principal.into()),
            Err(e) => {
                diag::api_error(diags, "reading the caller identity", &e);
                None
            }
        }
    }
}
