//! `encoding-type=url` on object listings: keys, prefixes, delimiters and markers come back
//! percent-encoded, as AWS S3 does, so that keys holding characters XML 1.0 cannot carry
//! (control characters) still list; boto3 asks for it on every listing and decodes. Without
//! it the keys go out as they are, as AWS sends them (and an XML parser may then fail, as
//! AWS documents).

use s3s::dto::{CommonPrefix, EncodingType, Object};

/// Whether a listing asked for `encoding-type=url`.
pub fn requested(encoding: Option<&EncodingType>) -> bool {
    encoding.is_some_and(|e| e.as_str().eq_ignore_ascii_case(EncodingType::URL))
}

/// The `EncodingType` an encoded answer names.
pub fn url() -> Option<EncodingType> {
    Some(EncodingType::from_static(EncodingType::URL))
}

/// Percent-encodes each of `values` in place.
pub fn encode(values: &mut [&mut Option<String>]) {
    for value in values.iter_mut() {
        if let Some(text) = value.as_mut() {
            *text = urlencoding::encode(text).into_owned();
        }
    }
}

/// Percent-encodes the keys of `contents` and the `prefixes` in place.
pub fn encode_listing(
    contents: &mut Option<Vec<Object>>,
    prefixes: &mut Option<Vec<CommonPrefix>>,
) {
    let keys = contents.iter_mut().flatten().map(|object| &mut object.key);
    let common = prefixes
        .iter_mut()
        .flatten()
        .map(|common| &mut common.prefix);
    for value in keys.chain(common) {
        if let Some(text) = value.as_mut() {
            *text = urlencoding::encode(text).into_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_prefixes_are_percent_encoded_only_when_asked() {
        assert!(requested(Some(&EncodingType::from_static("url"))));
        assert!(!requested(None));
        let mut contents = Some(vec![Object {
            key: Some("logs/\u{1}bell\u{7}.txt".into()),
            ..Default::default()
        }]);
        let mut prefixes = Some(vec![CommonPrefix {
            prefix: Some("a b/".into()),
        }]);
        encode_listing(&mut contents, &mut prefixes);
        assert_eq!(
            contents.unwrap()[0].key.as_deref(),
            Some("logs%2F%01bell%07.txt")
        );
        assert_eq!(prefixes.unwrap()[0].prefix.as_deref(), Some("a%20b%2F"));
        let (mut prefix, mut delimiter, mut none) = (Some("x\u{2}".into()), Some("/".into()), None);
        encode(&mut [&mut prefix, &mut delimiter, &mut none]);
        assert_eq!(
            (prefix.as_deref(), delimiter.as_deref(), none),
            (Some("x%02"), Some("%2F"), None)
        );
    }
}
