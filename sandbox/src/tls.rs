//! Certificate authorities of the sandbox (rcgen) and the rustls server configurations that
//! present their certificates: one CA for the external identity provider, another for the
//! clusters' Kubernetes endpoints, as a private issuer and a cluster would have.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen refused the parameters or failed to sign.
    #[error("certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    /// rustls refused the key.
    #[error("TLS key: {0}")]
    Key(#[from] rustls::Error),
}

/// A self-signed CA that issues server certificates.
pub struct CertificateAuthority {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("subject", &self.cert.params().distinguished_name)
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// A new CA whose subject common name is `common_name`.
    pub fn generate(common_name: &str) -> Result<Self, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self { cert, key })
    }

    /// The CA certificate in PEM form (what a client trusts).
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `names` (DNS names or IP literals) with its key.
    pub fn issue(&self, names: &[String]) -> Result<Arc<CertifiedKey>, TlsError> {
        let mut params = CertificateParams::new(names.to_vec())?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().map_or("coreweave-sandbox", String::as_str),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.cert, &self.key)?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = rustls::crypto::ring::sign::any_supported_type(&der)?;
        Ok(Arc::new(CertifiedKey::new(
            vec![cert.der().clone(), self.cert.der().clone()],
            signing,
        )))
    }
}

/// Presents, for every TLS server name a client asks for, a certificate of `ca` for that name
/// (made on first use); without a server name (an IP literal URL), one for the loopback
/// addresses. Which names are served is the HTTP layer's decision, not the certificate's.
#[derive(Debug)]
pub struct NameSigner {
    ca: Arc<CertificateAuthority>,
    fallback: Arc<CertifiedKey>,
    issued: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl NameSigner {
    /// A signer of names for `ca`.
    pub fn new(ca: Arc<CertificateAuthority>) -> Result<Self, TlsError> {
        let fallback = ca.issue(&loopback_names())?;
        Ok(Self {
            ca,
            fallback,
            issued: Mutex::new(HashMap::new()),
        })
    }

    fn for_name(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        let mut issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = issued.get(name) {
            return Some(found.clone());
        }
        let fresh = self.ca.issue(&[name.to_string()]).ok()?;
        issued.insert(name.to_string(), fresh.clone());
        Some(fresh)
    }
}

impl ResolvesServerCert for NameSigner {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        match hello.server_name() {
            Some(name) => self.for_name(name),
            None => Some(self.fallback.clone()),
        }
    }
}

/// `127.0.0.1`, `::1` and `localhost`.
pub fn loopback_names() -> Vec<String> {
    ["127.0.0.1", "::1", "localhost"].map(String::from).to_vec()
}

/// A server configuration presenting `resolver`'s certificates, HTTP/1.1 only.
pub fn server_config(resolver: Arc<dyn ResolvesServerCert>) -> Result<Arc<ServerConfig>, TlsError> {
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A fixed certificate for every connection.
#[derive(Debug)]
pub struct FixedCertificate(pub Arc<CertifiedKey>);

impl ResolvesServerCert for FixedCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}
