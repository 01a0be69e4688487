//! Test harness: a sandbox process on a free port, and a Terraform working directory that
//! drives the freshly built provider through `dev_overrides`, and the real kubectl; a signed
//! release of the provider (`release`, `gpg`) and a local provider registry serving it
//! (`registry`); buckets through the S3 endpoint (`buckets`).

pub mod aws;
pub mod buckets;
pub mod clients;
pub mod gpg;
pub mod kubectl;
pub mod login;
pub mod loopback;
pub mod registry;
pub mod release;
pub mod sandbox;
pub mod terraform;

pub use sandbox::Sandbox;
pub use terraform::Workspace;
