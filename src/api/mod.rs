//! Typed client for the CoreWeave APIs this provider uses: CKS clusters and AI Object Storage
//! organization access policies (REST JSON), and workload identity federation OIDC
//! configurations (Connect JSON).
//!
//! By concern: the request path ([`client`]), the token and its redaction ([`credentials`]),
//! where the token may go ([`endpoint`]), the error type ([`error`]) and the decoding of error
//! bodies ([`status`]) and of successful ones (`answer`), retries ([`retry`]) and the circuit
//! breaker (`breaker`), protojson helpers, and one file per API (`s3`: AI Object Storage's S3 endpoint) (each of those builds on the client; the client names none of them).

mod answer;
mod breaker;
pub mod cks;
pub mod client;
pub mod credentials;
pub mod cwobject;
pub mod endpoint;
pub mod error;
pub mod identity;
mod protojson;
pub mod retry;
pub mod s3;
mod status;
#[cfg(test)]
pub(crate) mod test_server;
pub mod workload_federation;

pub use answer::Malformation;
pub use breaker::TRIP_AFTER;
pub use cks::{Cluster, ClusterOidc, ClusterStatus, OidcUpdate, UpdateClusterRequest};
pub use client::{
    default_user_agent, ApiClient, BearerSource, BoxFuture, ClientConfig, HandedCredential,
};
pub use credentials::{bearer_header, ApiToken};
pub use cwobject::{AccessPolicy, PolicyStatement, ACCESS_POLICY_VERSION};
pub use endpoint::{check_endpoint, is_loopback_host, EndpointError};
pub use error::{ApiError, ApiStatus, Code, ErrorDetail, Phase, S3Status, Service};
pub use identity::Principal;
pub use retry::RetryPolicy;
pub use s3::{S3Client, S3Code, S3Config, S3Error};
pub use workload_federation::{CreateOidcConfig, OidcConfig, UpdateOidcConfig};
