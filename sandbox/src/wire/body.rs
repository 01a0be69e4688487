//! Strict decoding of JSON request bodies (protojson-like: unknown and duplicate fields are
//! errors, because every input type denies unknown fields and serde rejects repeated keys).

use serde::de::DeserializeOwned;

use crate::wire::errors::{ApiError, Code};

/// Decodes `bytes` as `T`, turning any problem into `INVALID_ARGUMENT`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            Code::InvalidArgument,
            "invalid request body: empty payload is not a JSON object",
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(Code::InvalidArgument, format!("invalid request body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Probe {
        #[serde(alias = "issuer_url")]
        issuer_url: Option<String>,
    }

    #[test]
    fn accepts_both_json_and_proto_names() {
        let a: Probe = parse_json(br#"{"issuerUrl":"a"}"#).unwrap();
        let b: Probe = parse_json(br#"{"issuer_url":"b"}"#).unwrap();
        assert_eq!(
            (a.issuer_url.unwrap(), b.issuer_url.unwrap()),
            ("a".into(), "b".into())
        );
    }

    #[test]
    fn rejects_the_same_field_under_both_names() {
        let err = parse_json::<Probe>(br#"{"issuerUrl":"a","issuer_url":"b"}"#).unwrap_err();
        assert!(err.message.contains("duplicate field"), "{}", err.message);
    }

    #[test]
    fn rejects_unknown_fields() {
        let err = parse_json::<Probe>(br#"{"issuerURL":"a"}"#).unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
        assert!(
            err.message.contains("unknown field `issuerURL`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn rejects_an_empty_body() {
        assert!(parse_json::<Probe>(b"").is_err());
    }

    #[test]
    fn null_means_absent() {
        let p: Probe = parse_json(br#"{"issuerUrl":null}"#).unwrap();
        assert!(p.issuer_url.is_none());
    }
}
