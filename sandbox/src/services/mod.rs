//! One handler file per service: each builds its routes from [`crate::paths`]. The login
//! path's services (identity provider, Kubernetes endpoints, proxy) serve their own listeners,
//! which [`start`] starts; the S3 endpoint, a folder of its own, too.

pub mod admin;
pub mod cks;
pub mod cwobject;
pub mod directory;
pub mod discovery;
pub mod endpoints;
pub mod idp;
pub mod kubernetes;
pub mod proxy;
pub mod s3;
pub mod start;
pub mod token_exchange;
pub mod whoami;
pub mod workload_federation;
