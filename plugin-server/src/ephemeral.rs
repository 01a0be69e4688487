//! Ephemeral resources (Terraform >= 1.10): values opened for one plan or apply, never stored
//! in a plan or state file.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::OffsetDateTime;

use crate::codec;
use crate::codec::decoded;
use crate::diagnostics::Diagnostics;
use crate::proto::DynamicValue;
use crate::resource::{private_from_bytes, private_to_bytes};
use crate::schema::Schema;

/// What an open answers: the values, when to renew, and data kept for renew and close.
pub struct Opened<S, P> {
    /// The result.
    pub result: S,
    /// When Terraform should call renew (a renewal extends a lease; it cannot change `result`).
    pub renew_at: Option<OffsetDateTime>,
    /// Data given back to renew and close.
    pub private: P,
}

/// An ephemeral resource.
#[async_trait]
pub trait EphemeralResource: Send + Sync {
    /// Its values, as in its schema.
    type State: Serialize + DeserializeOwned + Send;
    /// Data kept between open, renew and close (never shown, never stored).
    type Private: Serialize + DeserializeOwned + Send;

    /// The schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Checks a configuration (values may be unknown) without calling any API.
    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()> {
        let _ = (diags, config);
        Some(())
    }

    /// Opens: the configuration with its computed values filled in.
    async fn open(
        &self,
        diags: &mut Diagnostics,
        config: Self::State,
    ) -> Option<Opened<Self::State, Self::Private>>;

    /// Renews what an open leased; the next renewal time, if any.
    async fn renew(
        &self,
        diags: &mut Diagnostics,
        private: Self::Private,
    ) -> Option<(Option<OffsetDateTime>, Self::Private)> {
        let _ = diags;
        Some((None, private))
    }

    /// Closes what an open leased.
    async fn close(&self, diags: &mut Diagnostics, private: Self::Private) -> Option<()> {
        let _ = (diags, private);
        Some(())
    }
}

/// What an encoded open answers.
pub struct OpenedValue {
    /// The result.
    pub result: DynamicValue,
    /// When to renew.
    pub renew_at: Option<OffsetDateTime>,
    /// Private data.
    pub private: Vec<u8>,
}

/// An ephemeral resource behind encoded values, as the server calls it.
#[async_trait]
pub trait DynamicEphemeralResource: Send + Sync {
    /// The schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;
    /// See [`EphemeralResource::validate`].
    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>);
    /// See [`EphemeralResource::open`].
    async fn open(
        &self,
        diags: &mut Diagnostics,
        config: Option<&DynamicValue>,
    ) -> Option<OpenedValue>;
    /// See [`EphemeralResource::renew`].
    async fn renew(
        &self,
        diags: &mut Diagnostics,
        private: &[u8],
    ) -> Option<(Option<OffsetDateTime>, Vec<u8>)>;
    /// See [`EphemeralResource::close`].
    async fn close(&self, diags: &mut Diagnostics, private: &[u8]);
}

#[async_trait]
impl<E: EphemeralResource> DynamicEphemeralResource for E {
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        EphemeralResource::schema(self, diags)
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>) {
        if let Some(config) = decoded(diags, codec::decode(config)) {
            EphemeralResource::validate(self, diags, config).await;
        }
    }

    async fn open(
        &self,
        diags: &mut Diagnostics,
        config: Option<&DynamicValue>,
    ) -> Option<OpenedValue> {
        let config = decoded(diags, codec::decode(config))?;
        let opened = EphemeralResource::open(self, diags, config).await?;
        Some(OpenedValue {
            result: decoded(diags, codec::encode(&opened.result))?,
            renew_at: opened.renew_at,
            private: private_to_bytes(diags, &opened.private)?,
        })
    }

    async fn renew(
        &self,
        diags: &mut Diagnostics,
        private: &[u8],
    ) -> Option<(Option<OffsetDateTime>, Vec<u8>)> {
        let private = private_from_bytes(diags, private)?;
        let (renew_at, private) = EphemeralResource::renew(self, diags, private).await?;
        Some((renew_at, private_to_bytes(diags, &private)?))
    }

    async fn close(&self, diags: &mut Diagnostics, private: &[u8]) {
        if let Some(private) = private_from_bytes(diags, private) {
            EphemeralResource::close(self, diags, private).await;
        }
    }
}
