//! Who the provider acts as: the caller identity data source.

pub mod caller_identity_data_source;
