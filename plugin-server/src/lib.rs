//! A Terraform plugin-protocol server (tfplugin 6.10) of our own.
//!
//! A provider implements [`Provider`] and, for each type it serves, [`Resource`] (with an
//! optional identity), [`ListResource`], [`DataSource`], [`EphemeralResource`] or [`Function`]
//! over serde structs of [`Value`]s; [`serve`] does the rest: go-plugin's handshake and AutoMTLS, `TCP_NODELAY`, the MessagePack
//! and JSON codec with unknown values, schemas, diagnostics with attribute paths, `StopProvider`
//! (which cancels what is in flight and keeps serving) and the controller's shutdown.

mod answers;
pub mod codec;
mod controller;
pub mod data_source;
pub mod diagnostics;
pub mod ephemeral;
pub mod function;
pub mod identity;
pub mod list;
pub mod provider;
pub mod resource;
pub mod schema;
mod serve;
mod server;
mod tls;
pub mod value;

/// The generated tfplugin6 messages and service (from `magma-protocol`).
pub use magma_protocol::tfplugin6 as proto;

pub use data_source::{DataSource, DynamicDataSource};
pub use diagnostics::{AttributePath, AttributePathStep, Diagnostic, Diagnostics};
pub use ephemeral::{DynamicEphemeralResource, EphemeralResource, Opened};
pub use function::{DynamicFunction, Function};
pub use identity::{Identity, IdentityAttribute, IdentitySchema};
pub use list::{DynamicListResource, ListResource, Listed};
pub use provider::{
    DataSources, EphemeralResources, Functions, ListResources, Provider, Resources,
};
pub use resource::{DynamicResource, Resource};
pub use serve::{handshake_line, serve};
pub use value::{
    Value, ValueBool, ValueEmpty, ValueList, ValueMap, ValueNumber, ValueSet, ValueString,
};
