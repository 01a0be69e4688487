//! Where the login path's listeners are and what their clients must trust, fixed at start-up:
//! the external identity provider (its issuer URL and CA) and the clusters' Kubernetes
//! endpoints (the sandbox CA, the managed and unmanaged listeners, the proxy that gives the
//! clusters' real names to those listeners).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::model::cluster::Cluster;

/// The addresses and CAs of the login path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEndpoints {
    /// The identity provider's issuer URL, e.g. `https://127.0.0.1:P`.
    pub idp_issuer_url: String,
    /// PEM of the CA that signed the identity provider's certificate.
    pub idp_ca_pem: String,
    /// PEM of the CA that signs the Kubernetes endpoints' certificates.
    pub kubernetes_ca_pem: String,
    /// The listener of every cluster's managed endpoint.
    pub managed: SocketAddr,
    /// The listener of every cluster's unmanaged endpoint.
    pub unmanaged: SocketAddr,
    /// The HTTP CONNECT proxy that takes `<apiServerEndpoint>` and `api.<apiServerEndpoint>`
    /// to the managed and unmanaged listeners.
    pub proxy: SocketAddr,
}

/// Which of a cluster's two Kubernetes endpoints a listener is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// `https://<apiServerEndpoint>`: CoreWeave API access tokens.
    Managed,
    /// `https://api.<apiServerEndpoint>`: the cluster's OIDC issuer (seed 004).
    Unmanaged,
}

/// The prefix of a cluster's unmanaged endpoint name (seed 004).
pub const UNMANAGED_PREFIX: &str = "api.";

/// The `scheme://` URL clients use for a bound address (an unspecified address becomes
/// loopback).
pub fn listener_url(scheme: &str, addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("{scheme}://{}", SocketAddr::new(ip, addr.port()))
}

impl LoginEndpoints {
    /// `https://` URL of a listener.
    pub fn https_url(addr: SocketAddr) -> String {
        listener_url("https", addr)
    }

    /// The listener of `kind`.
    pub fn listener(&self, kind: EndpointKind) -> SocketAddr {
        match kind {
            EndpointKind::Managed => self.managed,
            EndpointKind::Unmanaged => self.unmanaged,
        }
    }
}

/// The cluster and endpoint kind a host name stands for: `<apiServerEndpoint>` is the managed
/// endpoint, `api.<apiServerEndpoint>` the unmanaged one.
pub fn cluster_by_host<'a>(
    clusters: &'a [Cluster],
    host: &str,
) -> Option<(&'a Cluster, EndpointKind)> {
    let named = |endpoint: &str| {
        clusters
            .iter()
            .find(|c| !c.api_server_endpoint.is_empty() && c.api_server_endpoint == endpoint)
    };
    if let Some(cluster) = named(host) {
        return Some((cluster, EndpointKind::Managed));
    }
    named(host.strip_prefix(UNMANAGED_PREFIX)?).map(|c| (c, EndpointKind::Unmanaged))
}
