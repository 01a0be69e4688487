//! The authenticator's case table: every rule of kube-apiserver's OIDC authenticator that the
//! cluster's `oidc` fields control, each case naming where the rule comes from.

use std::sync::OnceLock;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};

use super::*;
use crate::signing::Issuer;

const ISSUER: &str = "https://idp.sandbox.test";
const NOW: u64 = 1_800_000_000;

fn issuer() -> &'static Issuer {
    static ISSUER_KEY: OnceLock<Issuer> = OnceLock::new();
    ISSUER_KEY.get_or_init(|| Issuer::generate(ISSUER).expect("issuer key"))
}

fn other_issuer() -> &'static Issuer {
    static OTHER_KEY: OnceLock<Issuer> = OnceLock::new();
    OTHER_KEY.get_or_init(|| Issuer::generate(ISSUER).expect("other key"))
}

fn keys() -> JwkSet {
    serde_json::from_value(issuer().jwks()).expect("JWKS")
}

/// The configuration most cases start from: email usernames, prefixed groups, one required
/// claim (seed 004's shape).
fn config() -> Oidc {
    Oidc {
        issuer_url: ISSUER.into(),
        client_id: "kubernetes".into(),
        username_claim: "email".into(),
        groups_claim: "groups".into(),
        groups_prefix: "oidc:".into(),
        required_claim: "tenant=acme".into(),
        ..Oidc::default()
    }
}

/// Claims that pass [`config`].
fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": "kubernetes", "sub": "u-1", "email": "alice@example.com",
        "email_verified": true, "groups": ["admins", "dev"], "tenant": "acme",
        "iat": NOW - 10, "exp": NOW + 600,
    })
}

fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("object") {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

enum Token {
    Signed(Value),
    SignedByOtherKey(Value),
    Hs256(Value),
    Raw(&'static str),
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Signed(c) => issuer().mint(c).unwrap(),
            Token::SignedByOtherKey(c) => other_issuer().mint(c).unwrap(),
            Token::Hs256(c) => {
                jsonwebtoken::encode(&Header::default(), c, &EncodingKey::from_secret(b"s"))
                    .unwrap()
            }
            Token::Raw(t) => t.to_string(),
        }
    }
}

struct Case {
    name: &'static str,
    source: &'static str,
    config: Option<Oidc>,
    token: Token,
    /// `Ok((username, groups))` or `Err(start of the refusal's text)`.
    expect: Result<(&'static str, &'static [&'static str]), &'static str>,
}

const GO_OIDC: &str = "go-oidc v3 verify.go IDTokenVerifier.Verify";
const OIDC_GO: &str = "apiserver plugin/pkg/authenticator/token/oidc/oidc.go";
const FLAGS: &str = "pkg/kubeapiserver/options/authentication.go --oidc-* flag help";

fn cases() -> Vec<Case> {
    let c = config;
    vec![
        Case {
            name: "a valid token maps email, prefixed groups and system:authenticated",
            source: OIDC_GO,
            config: Some(c()),
            token: Token::Signed(claims()),
            expect: Ok((
                "alice@example.com",
                &["oidc:admins", "oidc:dev", "system:authenticated"],
            )),
        },
        Case {
            name: "no oidc block: nothing authenticates",
            source: "CKS: the unmanaged endpoint's OIDC authenticator exists only with oidc set",
            config: None,
            token: Token::Signed(claims()),
            expect: Err("the cluster has no OIDC issuer configured"),
        },
        Case {
            name: "not a three-part JWT",
            source: "oidc.go hasCorrectIssuer: strings.Split(token, \".\") must give 3 parts",
            config: Some(c()),
            token: Token::Raw("abc.def"),
            expect: Err("oidc: malformed jwt: expected 3 parts, got 2"),
        },
        Case {
            name: "another issuer's token is not this authenticator's",
            source: "oidc.go hasCorrectIssuer: iss must equal --oidc-issuer-url exactly",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"iss": "https://other.example"}))),
            expect: Err("token issuer \"https://other.example\" is not the configured issuer"),
        },
        Case {
            name: "issuer with a trailing slash is another issuer",
            source: "oidc.go hasCorrectIssuer (string equality, no normalisation)",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"iss": format!("{ISSUER}/")}))),
            expect: Err("token issuer"),
        },
        Case {
            name: "audience must contain the client id",
            source: GO_OIDC,
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"aud": "someone-else"}))),
            expect: Err("oidc: expected audience \"kubernetes\" got \"someone-else\""),
        },
        Case {
            name: "audience as an array containing the client id",
            source: GO_OIDC,
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"aud": ["x", "kubernetes"]}))),
            expect: Ok((
                "alice@example.com",
                &["oidc:admins", "oidc:dev", "system:authenticated"],
            )),
        },
        Case {
            name: "expired token",
            source: GO_OIDC,
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"exp": NOW - 1}))),
            expect: Err("oidc: token is expired"),
        },
        Case {
            name: "a token without exp is expired",
            source: "go-oidc: a zero Expiry is before now",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"exp": null}))),
            expect: Err("oidc: token is expired (Token Expiry: 0)"),
        },
        Case {
            name: "nbf beyond now plus the one-minute leeway",
            source: GO_OIDC,
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"nbf": NOW + 61}))),
            expect: Err("oidc: current time"),
        },
        Case {
            name: "nbf within the leeway is accepted; iat is not checked",
            source: GO_OIDC,
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"nbf": NOW + 60, "iat": NOW + 3600}))),
            expect: Ok((
                "alice@example.com",
                &["oidc:admins", "oidc:dev", "system:authenticated"],
            )),
        },
        Case {
            name: "alg not among the signing algorithms (default RS256)",
            source: "go-oidc supportedSigAlgs; --oidc-signing-algs default RS256",
            config: Some(c()),
            token: Token::Hs256(claims()),
            expect: Err("oidc: id token signed with unsupported algorithm, expected [\"RS256\"] got \"HS256\""),
        },
        Case {
            name: "signed by a key the issuer's JWKS does not hold",
            source: "go-oidc RemoteKeySet.VerifySignature",
            config: Some(c()),
            token: Token::SignedByOtherKey(claims()),
            expect: Err("oidc: failed to verify signature"),
        },
        Case {
            name: "username claim defaults to sub, prefixed with the issuer URL and #",
            source: FLAGS,
            config: Some(Oidc {
                username_claim: String::new(),
                ..c()
            }),
            token: Token::Signed(claims()),
            expect: Ok((
                "https://idp.sandbox.test#u-1",
                &["oidc:admins", "oidc:dev", "system:authenticated"],
            )),
        },
        Case {
            name: "username prefix '-' means no prefix",
            source: FLAGS,
            config: Some(Oidc {
                username_claim: "sub".into(),
                username_prefix: "-".into(),
                ..c()
            }),
            token: Token::Signed(claims()),
            expect: Ok(("u-1", &["oidc:admins", "oidc:dev", "system:authenticated"])),
        },
        Case {
            name: "an explicit username prefix applies to email too",
            source: FLAGS,
            config: Some(Oidc {
                username_prefix: "oidc:".into(),
                ..c()
            }),
            token: Token::Signed(claims()),
            expect: Ok((
                "oidc:alice@example.com",
                &["oidc:admins", "oidc:dev", "system:authenticated"],
            )),
        },
        Case {
            name: "username claim absent",
            source: "oidc.go getUsername: unmarshalClaim",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"email": null}))),
            expect: Err("oidc: parse username claims \"email\": claim not present"),
        },
        Case {
            name: "username claim must be a string",
            source: "oidc.go getUsername: unmarshalClaim into a string",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"email": 7}))),
            expect: Err("oidc: parse username claims \"email\": not a string"),
        },
        Case {
            name: "email_verified=false refuses an email username",
            source: "oidc.go getUsername: email_verified must be true when present",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"email_verified": false}))),
            expect: Err("oidc: email not verified"),
        },
        Case {
            name: "email_verified absent is accepted",
            source: "oidc.go getUsername: checked only when present",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"email_verified": null}))),
            expect: Ok((
                "alice@example.com",
                &["oidc:admins", "oidc:dev", "system:authenticated"],
            )),
        },
        Case {
            name: "email_verified as a string is refused",
            source: "oidc.go getUsername: unmarshalClaim into a bool",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"email_verified": "true"}))),
            expect: Err("oidc: parse 'email_verified' claim"),
        },
        Case {
            name: "email_verified is ignored when the username claim is not email",
            source: "oidc.go getUsername",
            config: Some(Oidc {
                username_claim: "sub".into(),
                username_prefix: "-".into(),
                ..c()
            }),
            token: Token::Signed(with(claims(), json!({"email_verified": false}))),
            expect: Ok(("u-1", &["oidc:admins", "oidc:dev", "system:authenticated"])),
        },
        Case {
            name: "groups claim as a single string",
            source: "oidc.go getGroups: stringOrArray",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"groups": "admins"}))),
            expect: Ok(("alice@example.com", &["oidc:admins", "system:authenticated"])),
        },
        Case {
            name: "groups claim absent gives no groups",
            source: "oidc.go getGroups: only when the claim is present",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"groups": null}))),
            expect: Ok(("alice@example.com", &["system:authenticated"])),
        },
        Case {
            name: "groups claim of another type is refused",
            source: "oidc.go getGroups: stringOrArray unmarshal",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"groups": [1, 2]}))),
            expect: Err("oidc: parse groups claim \"groups\""),
        },
        Case {
            name: "no groups claim configured: the token's groups are ignored",
            source: FLAGS,
            config: Some(Oidc {
                groups_claim: String::new(),
                ..c()
            }),
            token: Token::Signed(claims()),
            expect: Ok(("alice@example.com", &["system:authenticated"])),
        },
        Case {
            name: "required claim absent",
            source: "oidc.go: --oidc-required-claim",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"tenant": null}))),
            expect: Err("oidc: required claim tenant not present in ID token"),
        },
        Case {
            name: "required claim with another value",
            source: "oidc.go: --oidc-required-claim",
            config: Some(c()),
            token: Token::Signed(with(claims(), json!({"tenant": "evil"}))),
            expect: Err(
                "oidc: required claim tenant value does not match. Got = \"evil\", want = acme",
            ),
        },
        Case {
            name: "every required claim is checked",
            source: "oidc.go: --oidc-required-claim is a map (key=value,key=value)",
            config: Some(Oidc {
                required_claim: "tenant=acme,hd=example.com".into(),
                ..c()
            }),
            token: Token::Signed(claims()),
            expect: Err("oidc: required claim hd not present in ID token"),
        },
    ]
}

#[test]
fn every_case_of_the_table() {
    let keys = keys();
    let mut failures = Vec::new();
    for case in cases() {
        let got = authenticate(case.config.as_ref(), &case.token.text(), &keys, NOW);
        let ok = match (&case.expect, &got) {
            (Ok((name, groups)), Ok(user)) => user.username == *name && user.groups == *groups,
            (Err(start), Err(refusal)) => refusal.to_string().starts_with(start),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{} [{}]: expected {:?}, got {:?}",
                case.name,
                case.source,
                case.expect,
                got.map_err(|r| r.to_string())
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn claimed_issuer_reads_the_unverified_iss() {
    let token = issuer().mint(&claims()).unwrap();
    assert_eq!(claimed_issuer(&token).as_deref(), Some(ISSUER));
    assert_eq!(claimed_issuer("a.b"), None);
}

#[test]
fn an_empty_jwks_verifies_nothing() {
    let token = issuer().mint(&claims()).unwrap();
    let empty = JwkSet { keys: Vec::new() };
    let refusal = authenticate(Some(&config()), &token, &empty, NOW).unwrap_err();
    assert!(matches!(refusal, Refusal::Signature(_)), "{refusal}");
}

#[test]
fn a_malformed_required_claim_setting_refuses_every_token() {
    let bad = Oidc {
        required_claim: "tenant".into(),
        ..config()
    };
    let token = issuer().mint(&claims()).unwrap();
    assert_eq!(
        authenticate(Some(&bad), &token, &keys(), NOW),
        Err(Refusal::RequiredClaimConfig("tenant".into()))
    );
}
