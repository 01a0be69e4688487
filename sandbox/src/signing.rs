//! JWT issuers the sandbox signs for: each has its own RSA key, can mint RS256 tokens, publish
//! its JWKS and verify tokens. Used for the per-cluster service-account issuers and for any other
//! issuer a seed declares (e.g. a CI issuer). Crypto comes from `rsa` and `jsonwebtoken`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::ids;

/// Bits of every generated RSA modulus.
pub const KEY_BITS: usize = 2048;

/// Why an issuer could not be created or a token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// RSA key generation or encoding failed.
    #[error("RSA key: {0}")]
    Key(String),
    /// The claims could not be signed.
    #[error("signing the token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// Why a token did not verify against an issuer's key.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The header names a key that is not in the issuer's JWKS.
    #[error("the token's key id {kid:?} is not in the JWKS of issuer {issuer}")]
    UnknownKey {
        /// The `kid` of the token header (empty when absent).
        kid: String,
        /// The issuer URL.
        issuer: String,
    },
    /// The signature does not match the issuer's key.
    #[error("the token's signature does not verify against the JWKS of issuer {issuer}")]
    BadSignature {
        /// The issuer URL.
        issuer: String,
    },
    /// The header or the claims could not be decoded.
    #[error("the token could not be decoded: {0}")]
    Malformed(String),
}

/// An issuer URL with its own RSA key pair.
pub struct Issuer {
    url: String,
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Value,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("url", &self.url)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// A new issuer for `url` with a freshly generated key.
    pub fn generate(url: impl Into<String>) -> Result<Self, SigningError> {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS)
            .map_err(|e| SigningError::Key(e.to_string()))?;
        Self::from_key(url.into(), &key)
    }

    fn from_key(url: String, key: &RsaPrivateKey) -> Result<Self, SigningError> {
        let der = key
            .to_pkcs1_der()
            .map_err(|e| SigningError::Key(e.to_string()))?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        let kid: String = ids::stream(&n, 10)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let decoding = DecodingKey::from_rsa_components(&n, &e)?;
        let jwk = json!({"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": n, "e": e});
        Ok(Self {
            url,
            kid,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
            jwk,
        })
    }

    /// The issuer URL (the `iss` of the tokens it mints).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key id of its signing key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS document `{"keys":[…]}` with the public key.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk.clone()] })
    }

    /// Signs `claims` with RS256; the header carries this issuer's `kid`.
    pub fn mint(&self, claims: &impl Serialize) -> Result<String, SigningError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// Checks the header's `kid` and the RS256 signature of `token` and decodes its claims.
    /// Time claims and the audience are left to the caller, who reports them in its own terms.
    pub fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<C, VerifyError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(VerifyError::UnknownKey {
                kid: header.kid.unwrap_or_default(),
                issuer: self.url.clone(),
            });
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        jsonwebtoken::decode::<C>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => VerifyError::BadSignature {
                    issuer: self.url.clone(),
                },
                _ => VerifyError::Malformed(e.to_string()),
            })
    }
}

/// The fix for a token sent as `Bearer <JWT>` where the JWT alone is expected (the exchange
/// endpoints, also the one that reads `Authorization`), if `token` starts that way.
pub fn bearer_prefix(token: &str) -> Option<&'static str> {
    token
        .get(..7)
        .filter(|start| start.eq_ignore_ascii_case("bearer "))
        .map(|_| "it starts with \"Bearer \": send the token without \"Bearer \", the JWT alone")
}

/// The issuers of one sandbox, by URL; keys are generated on first use and kept for the
/// lifetime of the process.
#[derive(Debug, Default)]
pub struct Keyring {
    issuers: Mutex<HashMap<String, Arc<Issuer>>>,
}

impl Keyring {
    /// The issuer for `url`, generating its key on first use.
    pub fn issuer(&self, url: &str) -> Result<Arc<Issuer>, SigningError> {
        if let Some(found) = self.lock().get(url) {
            return Ok(found.clone());
        }
        // Generate outside the lock (it takes a while); the first one stored wins.
        let fresh = Arc::new(Issuer::generate(url)?);
        Ok(self.lock().entry(url.to_string()).or_insert(fresh).clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Issuer>>> {
        self.issuers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests;
