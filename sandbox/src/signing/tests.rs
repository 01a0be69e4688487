use super::*;
use serde::Deserialize;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Claims {
    iss: String,
    sub: String,
}

fn claims() -> Claims {
    Claims {
        iss: "https://issuer.example".into(),
        sub: "me".into(),
    }
}

/// The token with one character in the middle of its signature changed.
fn tamper(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() - 20;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[test]
fn a_minted_token_verifies_and_names_its_key() {
    let issuer = Issuer::generate("https://issuer.example").unwrap();
    let token = issuer.mint(&claims()).unwrap();
    assert_eq!(issuer.verify::<Claims>(&token).unwrap(), claims());
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), Some(issuer.kid()));
    let jwk = &issuer.jwks()["keys"][0];
    assert_eq!(jwk["kid"], issuer.kid());
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(jwk["n"].as_str().unwrap())
            .unwrap()
            .len(),
        KEY_BITS / 8
    );
}

#[test]
fn another_issuers_key_or_a_tampered_signature_fails() {
    let keyring = Keyring::default();
    let a = keyring.issuer("https://a.example").unwrap();
    let b = keyring.issuer("https://b.example").unwrap();
    assert!(Arc::ptr_eq(
        &a,
        &keyring.issuer("https://a.example").unwrap()
    ));
    assert_ne!(a.kid(), b.kid());
    let token = b.mint(&claims()).unwrap();
    assert!(matches!(
        a.verify::<Claims>(&token),
        Err(VerifyError::UnknownKey { .. })
    ));
    let tampered = tamper(&a.mint(&claims()).unwrap());
    assert_eq!(
        a.verify::<Claims>(&tampered),
        Err(VerifyError::BadSignature {
            issuer: "https://a.example".into()
        })
    );
    assert!(matches!(
        a.verify::<Claims>("not.a.jwt"),
        Err(VerifyError::Malformed(_))
    ));
}

#[test]
fn a_bearer_prefix_is_named_with_the_fix() {
    for token in ["Bearer eyJ.a.b", "bearer eyJ.a.b"] {
        assert!(bearer_prefix(token)
            .unwrap()
            .contains("send the token without \"Bearer \""));
    }
    assert_eq!(bearer_prefix("eyJ.a.b"), None);
    assert_eq!(bearer_prefix("Bear"), None);
}
