//! Starting the login path: binds nothing itself (the caller binds, so that the banner can name
//! every address), makes the CAs and certificates, and serves the identity provider, the
//! managed and unmanaged Kubernetes endpoints and the proxy.

use std::sync::Arc;

use axum::Extension;
use tokio::net::TcpListener;

use crate::base_url;
use crate::connection::ConnectionLimits;
use crate::https::serve_https_within;
use crate::login::{EndpointKind, LoginEndpoints};
use crate::services::kubernetes::{self, Listener};
use crate::services::{idp, proxy};
use crate::state::SharedState;
use crate::tls::{
    loopback_names, server_config, CertificateAuthority, FixedCertificate, NameSigner, TlsError,
};

/// The bound listeners of the login path.
#[derive(Debug)]
pub struct LoginListeners {
    /// The identity provider's.
    pub idp: TcpListener,
    /// Every cluster's managed endpoint.
    pub managed: TcpListener,
    /// Every cluster's unmanaged endpoint.
    pub unmanaged: TcpListener,
    /// The CONNECT proxy.
    pub proxy: TcpListener,
}

impl LoginListeners {
    /// Binds the four addresses (`127.0.0.1:0` = any free port).
    pub async fn bind(
        idp: &str,
        managed: &str,
        unmanaged: &str,
        proxy: &str,
    ) -> std::io::Result<Self> {
        Ok(Self {
            idp: TcpListener::bind(idp).await?,
            managed: TcpListener::bind(managed).await?,
            unmanaged: TcpListener::bind(unmanaged).await?,
            proxy: TcpListener::bind(proxy).await?,
        })
    }
}

impl LoginListeners {
    /// The first listener bound to an address other machines can reach, if any.
    pub fn reachable_from_elsewhere(&self) -> std::io::Result<Option<std::net::SocketAddr>> {
        for listener in [&self.idp, &self.managed, &self.unmanaged, &self.proxy] {
            let addr = listener.local_addr()?;
            if !addr.ip().is_loopback() {
                return Ok(Some(addr));
            }
        }
        Ok(None)
    }
}

/// Why the login path did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A listener's address could not be read.
    #[error("listener address: {0}")]
    Address(#[from] std::io::Error),
    /// A certificate could not be made.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Makes the CAs, records the endpoints in `state` and spawns the four servers, each dropping
/// connections that keep it waiting beyond `limits`.
pub fn start(
    state: &SharedState,
    listeners: LoginListeners,
    limits: ConnectionLimits,
) -> Result<LoginEndpoints, StartError> {
    let idp_ca = CertificateAuthority::generate("coreweave-sandbox identity provider CA")?;
    let kubernetes_ca = Arc::new(CertificateAuthority::generate(
        "coreweave-sandbox Kubernetes CA",
    )?);
    let endpoints = LoginEndpoints {
        idp_issuer_url: LoginEndpoints::https_url(listeners.idp.local_addr()?),
        idp_ca_pem: idp_ca.pem(),
        kubernetes_ca_pem: kubernetes_ca.pem(),
        managed: listeners.managed.local_addr()?,
        unmanaged: listeners.unmanaged.local_addr()?,
        proxy: listeners.proxy.local_addr()?,
    };
    // Only the first start counts (a second would describe listeners nobody serves).
    let _ = state.login.set(endpoints.clone());

    let idp_config = server_config(Arc::new(FixedCertificate(idp_ca.issue(&loopback_names())?)))?;
    let idp_app = idp::issuer_routes().with_state(state.clone());
    tokio::spawn(serve_https_within(
        listeners.idp,
        idp_config,
        idp_app,
        limits,
        std::future::pending(),
    ));
    let kubernetes_config = server_config(Arc::new(NameSigner::new(kubernetes_ca)?))?;
    for (listener, kind) in [
        (listeners.managed, EndpointKind::Managed),
        (listeners.unmanaged, EndpointKind::Unmanaged),
    ] {
        let app = kubernetes::routes()
            .layer(Extension(Listener(kind)))
            .with_state(state.clone());
        tokio::spawn(serve_https_within(
            listener,
            kubernetes_config.clone(),
            app,
            limits,
            std::future::pending(),
        ));
    }
    tokio::spawn(proxy::serve_proxy(
        listeners.proxy,
        state.clone(),
        limits,
        std::future::pending(),
    ));
    Ok(endpoints)
}

/// The banner lines naming the login path's URLs.
pub fn banner(endpoints: &LoginEndpoints) -> String {
    format!(
        "identity provider (OIDC issuer): {}\n\
         kubernetes endpoints: managed {}, unmanaged {} (TLS server name <apiServerEndpoint>)\n\
         proxy for the clusters' real names (HTTPS_PROXY): {}\n\
         all endpoints and CAs: GET /_sandbox/endpoints\n",
        endpoints.idp_issuer_url,
        LoginEndpoints::https_url(endpoints.managed),
        LoginEndpoints::https_url(endpoints.unmanaged),
        base_url(endpoints.proxy),
    )
}
