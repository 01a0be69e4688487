//! The XML documents of the S3 calls the provider makes, read and written by `quick-xml`'s
//! serde support.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// The namespace of S3 request documents.
const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// ListBuckets' answer.
#[derive(Debug, Deserialize)]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "Buckets", default)]
    pub buckets: Buckets,
}

/// `<Buckets>`.
#[derive(Debug, Default, Deserialize)]
pub struct Buckets {
    #[serde(rename = "Bucket", default)]
    pub bucket: Vec<BucketEntry>,
}

/// One bucket of ListBuckets.
#[derive(Debug, Deserialize)]
pub struct BucketEntry {
    #[serde(rename = "Name")]
    pub name: String,
}

/// GetBucketLocation's answer: `<LocationConstraint>US-EAST-04A</LocationConstraint>`.
#[derive(Debug, Deserialize)]
pub struct LocationConstraint {
    #[serde(rename = "$text", default)]
    pub zone: String,
}

/// CreateBucket's body.
#[derive(Debug, Serialize)]
#[serde(rename = "CreateBucketConfiguration")]
pub struct CreateBucketConfiguration<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "LocationConstraint")]
    location_constraint: &'a str,
}

impl<'a> CreateBucketConfiguration<'a> {
    /// A bucket in `zone`.
    pub fn new(zone: &'a str) -> Self {
        CreateBucketConfiguration {
            xmlns: XMLNS,
            location_constraint: zone,
        }
    }
}

/// GetBucketTagging's answer and PutBucketTagging's body.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "Tagging")]
pub struct Tagging {
    #[serde(rename = "@xmlns", default, skip_deserializing)]
    xmlns: &'static str,
    #[serde(rename = "TagSet", default)]
    tag_set: TagSet,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TagSet {
    #[serde(rename = "Tag", default)]
    tag: Vec<Tag>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Tag {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value", default)]
    value: String,
}

impl Tagging {
    /// The document of `tags`.
    pub fn new(tags: &BTreeMap<String, String>) -> Self {
        Tagging {
            xmlns: XMLNS,
            tag_set: TagSet {
                tag: tags
                    .iter()
                    .map(|(key, value)| Tag {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            },
        }
    }

    /// The tags.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.tag_set
            .tag
            .into_iter()
            .map(|tag| (tag.key, tag.value))
            .collect()
    }
}

/// ListObjectsV2's answer (the parts the provider uses).
#[derive(Debug, Deserialize)]
pub struct ListBucketResult {
    #[serde(rename = "Contents", default)]
    pub contents: Vec<ObjectEntry>,
    #[serde(rename = "IsTruncated", default)]
    pub is_truncated: bool,
    #[serde(rename = "NextContinuationToken", default)]
    pub next_continuation_token: Option<String>,
}

/// One object of a listing.
#[derive(Debug, Deserialize)]
pub struct ObjectEntry {
    #[serde(rename = "Key")]
    pub key: String,
}

/// A request document as XML text.
pub fn to_xml(document: &impl Serialize) -> Result<Vec<u8>, String> {
    quick_xml::se::to_string(document)
        .map(String::into_bytes)
        .map_err(|e| e.to_string())
}

/// An answer document whose root element is `root`, from XML text (serde alone would take any
/// root: a proxy's HTML page too).
pub fn from_xml<T: serde::de::DeserializeOwned>(root: &str, body: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let found = loop {
        match reader.read_event() {
            Ok(Event::Start(element) | Event::Empty(element)) => {
                break String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
            }
            Ok(Event::Eof) => return Err("an empty document".to_string()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    };
    if found != root {
        return Err(format!("the root element is <{found}>, not <{root}>"));
    }
    quick_xml::de::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_out_and_come_back() {
        let tags = BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("a&b".into(), "<x>".into()),
        ]);
        let xml = String::from_utf8(to_xml(&Tagging::new(&tags)).unwrap()).unwrap();
        assert!(
            xml.starts_with(
                "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag>"
            ),
            "{xml}"
        );
        let back: Tagging = from_xml("Tagging", xml.as_bytes()).unwrap();
        assert_eq!(back.into_map(), tags);
    }

    #[test]
    fn a_create_names_the_zone() {
        let xml =
            String::from_utf8(to_xml(&CreateBucketConfiguration::new("US-EAST-04A")).unwrap())
                .unwrap();
        assert_eq!(
            xml,
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>US-EAST-04A</LocationConstraint></CreateBucketConfiguration>"
        );
    }

    #[test]
    fn answers_are_read_with_or_without_namespace_and_optional_parts() {
        let location: LocationConstraint = from_xml(
            "LocationConstraint",
            br#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">US-EAST-04A</LocationConstraint>"#,
        )
        .unwrap();
        assert_eq!(location.zone, "US-EAST-04A");
        let empty: LocationConstraint =
            from_xml("LocationConstraint", b"<LocationConstraint/>").unwrap();
        assert_eq!(empty.zone, "");
        let list: ListAllMyBucketsResult = from_xml(
            "ListAllMyBucketsResult",
            b"<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets><Bucket><Name>a</Name><CreationDate>2026-01-01T00:00:00Z</CreationDate></Bucket><Bucket><Name>b</Name></Bucket></Buckets></ListAllMyBucketsResult>",
        )
        .unwrap();
        let names: Vec<_> = list
            .buckets
            .bucket
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        let none: ListAllMyBucketsResult = from_xml(
            "ListAllMyBucketsResult",
            b"<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>",
        )
        .unwrap();
        assert!(none.buckets.bucket.is_empty());
        let objects: ListBucketResult = from_xml(
            "ListBucketResult",
            b"<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount><IsTruncated>true</IsTruncated><Contents><Key>k1</Key><Size>3</Size></Contents><NextContinuationToken>t</NextContinuationToken></ListBucketResult>",
        )
        .unwrap();
        assert_eq!(objects.contents.len(), 1);
        assert!(objects.is_truncated);
        assert_eq!(objects.next_continuation_token.as_deref(), Some("t"));
        assert!(
            from_xml::<ListBucketResult>("ListBucketResult", b"<html>x</html>")
                .unwrap_err()
                .contains("<html>")
        );
    }
}
