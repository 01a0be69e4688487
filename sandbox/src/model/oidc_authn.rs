//! THE authenticator of a cluster's unmanaged endpoint: kube-apiserver's OIDC token
//! authenticator (`staging/src/k8s.io/apiserver/plugin/pkg/authenticator/token/oidc/oidc.go`
//! over go-oidc's `IDTokenVerifier.Verify`) as a pure function of the cluster's `oidc`
//! configuration, the bearer token, the issuer's keys and the time.
//!
//! Username prefix: the cluster's `oidc` fields map one to one onto kube-apiserver's legacy
//! `--oidc-*` flags (`pkg/kubeapiserver/options/authentication.go`), and the API offers no
//! structured `AuthenticationConfiguration`, so the legacy flag rule is emulated: an empty
//! `usernamePrefix` means "flag not given" and becomes `<issuerUrl>#` unless the username claim
//! is `email`; `-` means no prefix. Which mode CKS runs is not public; this is the documented
//! behaviour of the flags the fields are named after.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::model::cluster_oidc::{Oidc, SIGNING_ALGORITHM_RS256};

/// The group kube-apiserver adds to every authenticated user (`group.NewAuthenticatedGroupAdder`).
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";

/// How far in the future go-oidc still accepts a `nbf` (its fixed one-minute leeway).
pub const NBF_LEEWAY_SECONDS: u64 = 60;

/// Who a token authenticates as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The username RBAC sees (prefix applied).
    pub username: String,
    /// The groups RBAC sees (prefix applied), ending with [`AUTHENTICATED_GROUP`].
    pub groups: Vec<String>,
}

/// Why a token was refused; the text is what the sandbox logs (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The cluster has no external OIDC issuer configured.
    #[error("the cluster has no OIDC issuer configured")]
    NotConfigured,
    /// Not three base64url parts with a JSON payload.
    #[error("oidc: malformed jwt: {0}")]
    Malformed(String),
    /// The token's `iss` is not the configured issuer: the OIDC authenticator does not handle it.
    #[error("token issuer {got:?} is not the configured issuer {expected:?}")]
    OtherIssuer {
        /// The configured `issuerUrl`.
        expected: String,
        /// The token's `iss` (empty when absent).
        got: String,
    },
    /// The issuer's discovery document or JWKS could not be fetched or trusted.
    #[error("oidc: fetching the issuer's keys: {0}")]
    KeysUnavailable(String),
    /// `aud` does not contain the client id.
    #[error("oidc: expected audience {expected:?} got {got}")]
    Audience {
        /// The configured `clientId`.
        expected: String,
        /// The token's `aud`, as JSON.
        got: String,
    },
    /// `exp` is in the past, or absent.
    #[error("oidc: token is expired (Token Expiry: {expiry})")]
    Expired {
        /// The token's `exp` (0 when absent).
        expiry: u64,
    },
    /// `nbf` is later than now plus the leeway.
    #[error("oidc: current time {now} before the nbf (not before) time: {nbf}")]
    NotYetValid {
        /// The time of the check.
        now: u64,
        /// The token's `nbf`.
        nbf: u64,
    },
    /// The header's `alg` is not among the configured signing algorithms.
    #[error("oidc: id token signed with unsupported algorithm, expected {allowed:?} got {got:?}")]
    Algorithm {
        /// The allowed JWA names.
        allowed: Vec<String>,
        /// The token header's `alg`.
        got: String,
    },
    /// No key of the issuer's JWKS verifies the signature.
    #[error("oidc: failed to verify signature: {0}")]
    Signature(String),
    /// The username claim is absent.
    #[error("oidc: parse username claims {0:?}: claim not present")]
    UsernameMissing(String),
    /// The username claim is not a string.
    #[error("oidc: parse username claims {0:?}: not a string")]
    UsernameNotString(String),
    /// `email_verified` is present and not a boolean.
    #[error("oidc: parse 'email_verified' claim: not a boolean")]
    EmailVerifiedNotBool,
    /// `email_verified` is `false` while the username claim is `email`.
    #[error("oidc: email not verified")]
    EmailNotVerified,
    /// The groups claim is neither a string nor an array of strings.
    #[error("oidc: parse groups claim {0:?}: not a string or an array of strings")]
    Groups(String),
    /// A required claim is absent.
    #[error("oidc: required claim {0} not present in ID token")]
    RequiredClaimMissing(String),
    /// A required claim has another value (or is not a string).
    #[error("oidc: required claim {claim} value does not match. Got = {got}, want = {want}")]
    RequiredClaimValue {
        /// The claim name.
        claim: String,
        /// The token's value, as JSON.
        got: String,
        /// The configured value.
        want: String,
    },
    /// `requiredClaim` is not `key=value[,key=value…]`.
    #[error("invalid requiredClaim {0:?}: expected key=value pairs separated by commas")]
    RequiredClaimConfig(String),
}

/// The token's unverified `iss`, to decide whether the issuer's keys are worth fetching
/// (kube-apiserver's `hasCorrectIssuer` reads it the same way).
pub fn claimed_issuer(token: &str) -> Option<String> {
    payload(token).ok()?.get("iss")?.as_str().map(String::from)
}

/// The JWA names `config` allows (`RS256` when none is set).
pub fn allowed_algorithms(config: &Oidc) -> Vec<String> {
    if config.signing_algorithms.is_empty() {
        return vec!["RS256".into()];
    }
    config
        .signing_algorithms
        .iter()
        .map(|name| match name.as_str() {
            SIGNING_ALGORITHM_RS256 => "RS256".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// Authenticates `token` as kube-apiserver does with `config` as its `--oidc-*` flags, `keys`
/// as the issuer's JWKS and `now` as the time (Unix seconds).
pub fn authenticate(
    config: Option<&Oidc>,
    token: &str,
    keys: &JwkSet,
    now: u64,
) -> Result<UserInfo, Refusal> {
    let config = config.ok_or(Refusal::NotConfigured)?;
    let required = required_claims(&config.required_claim)?;
    let claims = payload(token)?;
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if issuer != config.issuer_url {
        return Err(Refusal::OtherIssuer {
            expected: config.issuer_url.clone(),
            got: issuer.to_string(),
        });
    }
    check_audience(&claims, &config.client_id)?;
    check_times(&claims, now)?;
    verify_signature(token, keys, &allowed_algorithms(config))?;
    let username = username(config, &claims)?;
    let mut groups = groups(config, &claims)?;
    for (claim, want) in required {
        match claims.get(claim) {
            None => return Err(Refusal::RequiredClaimMissing(claim.to_string())),
            Some(Value::String(got)) if got == want => {}
            Some(got) => {
                return Err(Refusal::RequiredClaimValue {
                    claim: claim.to_string(),
                    got: got.to_string(),
                    want: want.to_string(),
                })
            }
        }
    }
    groups.push(AUTHENTICATED_GROUP.to_string());
    Ok(UserInfo { username, groups })
}

/// The decoded JSON payload of a three-part JWT.
fn payload(token: &str) -> Result<Map<String, Value>, Refusal> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(Refusal::Malformed(format!(
            "expected 3 parts, got {}",
            parts.len()
        )));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .map_err(|e| Refusal::Malformed(format!("payload is not base64url: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Refusal::Malformed(format!("payload is not a JSON object: {e}")))
}

/// `--oidc-required-claim` pairs: `key=value`, several separated by commas.
fn required_claims(text: &str) -> Result<Vec<(&str, &str)>, Refusal> {
    text.split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok((key.trim(), value.trim())),
            _ => Err(Refusal::RequiredClaimConfig(text.to_string())),
        })
        .collect()
}

fn check_audience(claims: &Map<String, Value>, client_id: &str) -> Result<(), Refusal> {
    let aud = claims.get("aud").cloned().unwrap_or(Value::Null);
    let contains = match &aud {
        Value::String(one) => one == client_id,
        Value::Array(many) => many.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if contains {
        Ok(())
    } else {
        Err(Refusal::Audience {
            expected: client_id.to_string(),
            got: aud.to_string(),
        })
    }
}

/// A NumericDate claim as whole seconds (go-oidc accepts integers and fractions).
fn seconds(claims: &Map<String, Value>, name: &str) -> Option<u64> {
    let value = claims.get(name)?;
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

fn check_times(claims: &Map<String, Value>, now: u64) -> Result<(), Refusal> {
    let expiry = seconds(claims, "exp").unwrap_or(0);
    if expiry < now {
        return Err(Refusal::Expired { expiry });
    }
    if let Some(nbf) = seconds(claims, "nbf") {
        if now + NBF_LEEWAY_SECONDS < nbf {
            return Err(Refusal::NotYetValid { now, nbf });
        }
    }
    Ok(())
}

fn verify_signature(token: &str, keys: &JwkSet, allowed: &[String]) -> Result<(), Refusal> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| Refusal::Malformed(format!("header: {e}")))?;
    let alg = format!("{:?}", header.alg);
    if !allowed.contains(&alg) {
        return Err(Refusal::Algorithm {
            allowed: allowed.to_vec(),
            got: alg,
        });
    }
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    // go-oidc tries every key when the header names none, else the key with that id.
    let candidates = keys
        .keys
        .iter()
        .filter(|k| header.kid.is_none() || k.common.key_id == header.kid);
    let mut last = format!(
        "no key in the issuer's JWKS has id {:?}",
        header.kid.clone().unwrap_or_default()
    );
    for jwk in candidates {
        let verified = DecodingKey::from_jwk(jwk)
            .and_then(|key| jsonwebtoken::decode::<Value>(token, &key, &validation));
        match verified {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(Refusal::Signature(last))
}

fn username(config: &Oidc, claims: &Map<String, Value>) -> Result<String, Refusal> {
    let claim = match config.username_claim.as_str() {
        "" => "sub",
        other => other,
    };
    let name = match claims.get(claim) {
        None => return Err(Refusal::UsernameMissing(claim.to_string())),
        Some(Value::String(name)) => name.clone(),
        Some(_) => return Err(Refusal::UsernameNotString(claim.to_string())),
    };
    if claim == "email" {
        match claims.get("email_verified") {
            None | Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => return Err(Refusal::EmailNotVerified),
            Some(_) => return Err(Refusal::EmailVerifiedNotBool),
        }
    }
    let prefix = match config.username_prefix.as_str() {
        "-" => String::new(),
        "" if claim == "email" => String::new(),
        "" => format!("{}#", config.issuer_url),
        given => given.to_string(),
    };
    Ok(format!("{prefix}{name}"))
}

fn groups(config: &Oidc, claims: &Map<String, Value>) -> Result<Vec<String>, Refusal> {
    if config.groups_claim.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = match claims.get(&config.groups_claim) {
        None => Vec::new(),
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()
            .ok_or_else(|| Refusal::Groups(config.groups_claim.clone()))?,
        Some(_) => return Err(Refusal::Groups(config.groups_claim.clone())),
    };
    Ok(names
        .into_iter()
        .map(|g| format!("{}{g}", config.groups_prefix))
        .collect())
}

#[cfg(test)]
mod tests;
