//! The provider itself: its configuration and what it serves.

use std::collections::HashMap;

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use crate::data_source::DynamicDataSource;
use crate::diagnostics::Diagnostics;
use crate::ephemeral::DynamicEphemeralResource;
use crate::function::DynamicFunction;
use crate::list::DynamicListResource;
use crate::resource::DynamicResource;
use crate::schema::Schema;

/// Resources by type name without the provider prefix.
pub type Resources = HashMap<String, Box<dyn DynamicResource>>;
/// Data sources by type name without the provider prefix.
pub type DataSources = HashMap<String, Box<dyn DynamicDataSource>>;
/// Ephemeral resources by type name without the provider prefix.
pub type EphemeralResources = HashMap<String, Box<dyn DynamicEphemeralResource>>;
/// List resources by type name without the provider prefix (that of the resource they list).
pub type ListResources = HashMap<String, Box<dyn DynamicListResource>>;
/// Functions by name.
pub type Functions = HashMap<String, Box<dyn DynamicFunction>>;

/// A provider: its `provider` block and the types it serves. The types are asked for once,
/// when the server starts, before Terraform configures the provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The `provider` block's values.
    type Config: DeserializeOwned + Send;

    /// The `provider` block's schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Checks the configuration (values may be unknown).
    async fn validate(&self, diags: &mut Diagnostics, config: Self::Config) -> Option<()>;

    /// Configures the provider before any resource or data source is read.
    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: String,
        config: Self::Config,
    ) -> Option<()>;

    /// The managed resources.
    fn resources(&self) -> Resources;

    /// The data sources.
    fn data_sources(&self) -> DataSources;

    /// The ephemeral resources (Terraform >= 1.10).
    fn ephemeral_resources(&self) -> EphemeralResources {
        EphemeralResources::new()
    }

    /// The list resources (Terraform >= 1.14), each named as the managed resource whose remote
    /// objects it finds; that resource needs an identity.
    fn list_resources(&self) -> ListResources {
        ListResources::new()
    }

    /// The functions (Terraform >= 1.8).
    fn functions(&self) -> Functions {
        Functions::new()
    }

    /// Terraform asked the provider to stop (Ctrl-C): cancel what is in flight. The server keeps
    /// serving, so the operations that stop report how they ended.
    fn stop(&self) {}
}
