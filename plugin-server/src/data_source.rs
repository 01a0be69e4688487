//! Data sources: the typed trait and its type-erased form.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec;
use crate::codec::decoded;
use crate::diagnostics::Diagnostics;
use crate::proto::DynamicValue;
use crate::schema::Schema;

/// A data source: reads something from its configuration.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// Its values, as in its schema.
    type State: Serialize + DeserializeOwned + Send;

    /// The schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Checks a configuration (values may be unknown) without calling any API.
    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        let _ = (diags, config);
        Some(())
    }

    /// Reads: the configuration with its computed attributes filled in.
    async fn read(&self, diags: &mut Diagnostics, config: Self::State) -> Option<Self::State>;
}

/// A data source behind encoded values, as the server calls it.
#[async_trait]
pub trait DynamicDataSource: Send + Sync {
    /// The schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;
    /// See [`DataSource::validate`].
    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>);
    /// See [`DataSource::read`].
    async fn read(
        &self,
        diags: &mut Diagnostics,
        config: Option<&DynamicValue>,
    ) -> Option<DynamicValue>;
}

#[async_trait]
impl<D: DataSource> DynamicDataSource for D {
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        DataSource::schema(self, diags)
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>) {
        if let Some(config) = decoded(diags, codec::decode(config)) {
            DataSource::validate(self, diags, config).await;
        }
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        config: Option<&DynamicValue>,
    ) -> Option<DynamicValue> {
        let config = decoded(diags, codec::decode(config))?;
        let state = DataSource::read(self, diags, config).await?;
        decoded(diags, codec::encode(&state))
    }
}
