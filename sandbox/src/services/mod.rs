//! One handler file per service: each builds its routes from [`crate::paths`].

pub mod admin;
pub mod cks;
pub mod cwobject;
pub mod directory;
pub mod discovery;
pub mod token_exchange;
pub mod whoami;
pub mod workload_federation;
