//! go-plugin's AutoMTLS: Terraform passes its client certificate in `PLUGIN_CLIENT_CERT`; the
//! plugin makes a self-signed server certificate, announces it in the handshake line, and
//! accepts exactly Terraform's certificate as a client (nothing else, not even one it signed).

use std::sync::Arc;

use anyhow::{Context, Result};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// The server side of AutoMTLS: the TLS configuration and the certificate to announce.
pub struct AutoMtls {
    /// The rustls configuration (HTTP/2 only).
    pub config: Arc<rustls::ServerConfig>,
    /// The server certificate, DER, for the handshake line.
    pub certificate: Vec<u8>,
}

/// Accepts exactly one client certificate, byte for byte.
struct PinnedClient {
    certificate: CertificateDer<'static>,
    /// The certificate's key when it is P-521 (ring's verifiers have no P-521).
    p521: Option<p521::ecdsa::VerifyingKey>,
    provider: Arc<CryptoProvider>,
}

impl std::fmt::Debug for PinnedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinnedClient")
            .field("p521", &self.p521.is_some())
            .finish_non_exhaustive()
    }
}

/// The P-521 public key of a DER certificate, if its key is one.
fn p521_key(certificate: &[u8]) -> Option<p521::ecdsa::VerifyingKey> {
    use x509_cert::der::Decode;
    let parsed = x509_cert::Certificate::from_der(certificate).ok()?;
    let key = parsed
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key;
    p521::ecdsa::VerifyingKey::from_sec1_bytes(key.raw_bytes()).ok()
}

/// rustls's TLS 1.2 or 1.3 handshake signature check with a provider's algorithms.
type RingVerify = fn(
    &[u8],
    &CertificateDer<'_>,
    &DigitallySignedStruct,
    &rustls::crypto::WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, rustls::Error>;

impl PinnedClient {
    /// Checks a handshake signature: P-521 with our own verifier, anything else with ring's.
    fn verify(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
        ring: RingVerify,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if dss.scheme != SignatureScheme::ECDSA_NISTP521_SHA512 {
            return ring(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            );
        }
        use p521::ecdsa::signature::Verifier;
        let bad = || rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature);
        let key = self
            .p521
            .as_ref()
            .filter(|_| cert.as_ref() == self.certificate.as_ref());
        let key = key.ok_or_else(bad)?;
        let signature = p521::ecdsa::Signature::from_der(dss.signature()).map_err(|_| bad())?;
        key.verify(message, &signature).map_err(|_| bad())?;
        Ok(HandshakeSignatureValid::assertion())
    }
}

impl ClientCertVerifier for PinnedClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verify(message, cert, dss, verify_tls12_signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verify(message, cert, dss, verify_tls13_signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self
            .provider
            .signature_verification_algorithms
            .supported_schemes();
        if self.p521.is_some() {
            schemes.push(SignatureScheme::ECDSA_NISTP521_SHA512);
        }
        schemes
    }
}

/// A self-signed certificate as go-plugin makes one: `localhost`, a CA of itself, for server and
/// client authentication, valid from a minute ago for a year.
fn server_certificate() -> Result<(Vec<u8>, Vec<u8>)> {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::OrganizationName, "HashiCorp");
    name.push(rcgen::DnType::CommonName, "localhost");
    params.distinguished_name = name;
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::days(365);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let certificate = params.self_signed(&key)?;
    Ok((certificate.der().to_vec(), key.serialize_der()))
}

impl AutoMtls {
    /// The configuration pinning the client certificate `client_pem` (PEM, as Terraform
    /// passes it).
    pub fn new(client_pem: &str) -> Result<Self> {
        let client = CertificateDer::from_pem_slice(client_pem.as_bytes())
            .context("PLUGIN_CLIENT_CERT is not a PEM certificate")?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let (certificate, key) = server_certificate().context("making the server certificate")?;
        let verifier = PinnedClient {
            p521: p521_key(client.as_ref()),
            certificate: client,
            provider: provider.clone(),
        };
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(
                vec![CertificateDer::from(certificate.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            certificate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate() -> (Vec<u8>, String) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.der().to_vec(), cert.pem())
    }

    #[test]
    fn only_the_announced_client_certificate_is_accepted() {
        let (terraform, terraform_pem) = certificate();
        let (other, _) = certificate();
        let verifier = PinnedClient {
            p521: p521_key(&terraform),
            certificate: CertificateDer::from_pem_slice(terraform_pem.as_bytes()).unwrap(),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        };
        let now = UnixTime::now();
        assert!(verifier
            .verify_client_cert(&CertificateDer::from(terraform), &[], now)
            .is_ok());
        assert!(verifier
            .verify_client_cert(&CertificateDer::from(other), &[], now)
            .is_err());
        assert!(verifier.client_auth_mandatory());
        // A P-256 key is no P-521 key: ring's verifiers check its signatures.
        assert!(verifier.p521.is_none());
        assert!(!verifier
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn the_server_certificate_is_announced_and_a_bad_client_pem_refused() {
        let (_, pem) = certificate();
        let mtls = AutoMtls::new(&pem).unwrap();
        assert!(!mtls.certificate.is_empty());
        assert_eq!(mtls.config.alpn_protocols, vec![b"h2".to_vec()]);
        assert!(AutoMtls::new("not a certificate").is_err());
    }
}
