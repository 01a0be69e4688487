//! Every path the sandbox serves, and what it is: the admin API, OIDC discovery, or an API
//! route of a wire family; anonymous or behind a bearer token; a write or a read. The routers
//! in `services/` build their routes from these constants, the gate and the request log ask
//! [`classify`], [`is_anonymous`] and [`is_write`].

use crate::wire::errors::Family;

/// Prefix of the test admin API (no auth, not logged).
pub const ADMIN: &str = "/_sandbox";
/// Prefix of the per-cluster OIDC discovery documents (no auth, not logged).
pub const DISCOVERY: &str = "/id/";
/// A cluster issuer's discovery document.
pub const DISCOVERY_CONFIGURATION: &str = "/id/:cluster_id/.well-known/openid-configuration";
/// A cluster issuer's JWKS.
pub const DISCOVERY_JWKS: &str = "/id/:cluster_id/openid/v1/jwks";

/// The admin call minting tokens of the external identity provider.
pub const IDP_TOKENS: &str = "/_sandbox/idp/tokens";
/// The admin listing of every endpoint and CA.
pub const ENDPOINTS: &str = "/_sandbox/endpoints";
/// The external identity provider's discovery document (on its own HTTPS listener).
pub const IDP_DISCOVERY: &str = "/.well-known/openid-configuration";
/// The external identity provider's JWKS (on its own HTTPS listener).
pub const IDP_JWKS: &str = "/keys";

/// CKS clusters (REST).
pub const CLUSTERS: &str = "/v1beta1/cks/clusters";
/// One CKS cluster (REST).
pub const CLUSTER: &str = "/v1beta1/cks/clusters/:id";
/// Organization access policies (REST).
pub const ACCESS_POLICIES: &str = "/v1/cwobject/access-policy";
/// One organization access policy (REST).
pub const ACCESS_POLICY: &str = "/v1/cwobject/access-policy/:name";
/// CreateAccessKeyFromJWT: an S3 key for the caller (REST).
pub const ACCESS_KEY: &str = "/v1/cwobject/access-key";
/// The caller's identity (REST).
pub const WHOAMI: &str = "/v1beta1/auth/whoami";

/// The anonymous OIDC token exchange for object storage credentials (REST).
pub const OIDC_EXCHANGE: &str = "/v1/cwobject/temporary-credentials/oidc";
/// The anonymous container-credentials form of the exchange (REST).
pub const CONTAINER_CREDENTIALS: &str = "/v1/cwobject/temporary-credentials/oidc/:org_id";

/// Prefix of every Connect procedure.
const CONNECT_PREFIX: &str = "/coreweave.";
/// Path prefix of the workload federation service's procedures (Connect).
pub const WF_SERVICE: &str =
    "/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService";
/// The workload federation procedures that only read.
const WF_READS: [&str; 2] = ["/GetOIDCConfig", "/ListOIDCConfigs"];
/// Path of the directory's token exchange procedure (Connect; anonymous).
pub const EXCHANGE_PATH: &str =
    "/coreweave.directory.v1alpha.InternalDirectoryService/ServiceAccountOidcAuth";

/// What a request path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `/_sandbox/*`: test admin API, not logged; no auth on loopback, the API token when the
    /// sandbox listens beyond it.
    Admin,
    /// `/id/*`: OIDC discovery, no auth, not logged.
    Discovery,
    /// An API route of the given wire format.
    Api(Family),
}

/// Classifies a request path.
pub fn classify(path: &str) -> RouteKind {
    if path == ADMIN
        || path
            .strip_prefix(ADMIN)
            .is_some_and(|rest| rest.starts_with('/'))
    {
        RouteKind::Admin
    } else if path.starts_with(DISCOVERY) {
        RouteKind::Discovery
    } else if path.starts_with(CONNECT_PREFIX) {
        RouteKind::Api(Family::Connect)
    } else {
        RouteKind::Api(Family::Rest)
    }
}

/// The wire family errors on `path` are answered in (REST outside the API).
pub fn family_of(path: &str) -> Family {
    match classify(path) {
        RouteKind::Api(family) => family,
        RouteKind::Admin | RouteKind::Discovery => Family::Rest,
    }
}

/// True for the API paths called without a bearer token: the token exchanges, where the
/// presented token is the credential.
pub fn is_anonymous(path: &str) -> bool {
    path.starts_with(OIDC_EXCHANGE) || path == EXCHANGE_PATH
}

/// True for requests that change state (every non-GET REST call and the Connect writes).
pub fn is_write(method: &str, path: &str) -> bool {
    let connect_read = WF_READS.iter().any(|read| path.ends_with(read)) || path == EXCHANGE_PATH;
    method != "GET" && !connect_read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths_by_family() {
        assert_eq!(classify("/_sandbox/state"), RouteKind::Admin);
        assert_eq!(classify("/id/x/openid/v1/jwks"), RouteKind::Discovery);
        assert_eq!(
            classify("/coreweave.workload_federation.control_plane.v1beta1.WFControlPlaneService/GetOIDCConfig"),
            RouteKind::Api(Family::Connect)
        );
        assert_eq!(
            classify("/v1beta1/cks/clusters"),
            RouteKind::Api(Family::Rest)
        );
    }
}
