//! CKS clusters (`coreweave.cks.v1beta1.ClusterService`, REST transcoding under
//! `/v1beta1/cks/clusters`): list, get, and the PATCH that sets a cluster's external OIDC issuer.

use std::fmt;

use reqwest::Method;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::answer::{List, ListItem};
use super::client::path_param;
use super::protojson::{comma_joined, empty_as_none};
use super::{ApiClient, ApiError};

const CLUSTERS: [&str; 3] = ["v1beta1", "cks", "clusters"];

/// A CKS cluster (the fields this provider uses; unknown response fields are ignored).
///
/// Empty strings sent by the server are read as absent (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// Cluster id (a UUID).
    #[serde(default)]
    pub id: String,
    /// Cluster name.
    #[serde(default)]
    pub name: String,
    /// Availability zone, e.g. `US-EAST-04A`.
    #[serde(default)]
    pub zone: String,
    /// Kubernetes version, e.g. `v1.32`.
    #[serde(default)]
    pub version: String,
    /// Lifecycle status.
    #[serde(default)]
    pub status: ClusterStatus,
    /// Whether the API server is public.
    #[serde(default)]
    pub public: bool,
    /// VPC id.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub vpc_id: Option<String>,
    /// Host name of the Kubernetes API server.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub api_server_endpoint: Option<String>,
    /// The external OIDC issuer; `None` when absent, `null`, or every field is empty.
    #[serde(default, deserialize_with = "oidc_or_none")]
    pub oidc: Option<ClusterOidc>,
    /// Creation time (RFC 3339).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub created_at: Option<String>,
    /// Last update time (RFC 3339).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub updated_at: Option<String>,
}

/// The lifecycle status of a cluster. Read from the enum name (`"STATUS_RUNNING"`) or its
/// number; names the client does not know are kept in [`ClusterStatus::Other`].
///
/// The numbers are not published; the client assumes the declaration order of the names
/// (0 = unspecified, 1 = creating, 2 = running, 3 = updating, 4 = upgrading, 5 = deleting,
/// 6 = deleted, 7 = failed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum ClusterStatus {
    /// `STATUS_UNSPECIFIED` (also what an omitted status means).
    #[default]
    Unspecified,
    /// `STATUS_CREATING`.
    Creating,
    /// `STATUS_RUNNING`.
    Running,
    /// `STATUS_UPDATING`.
    Updating,
    /// `STATUS_UPGRADING`.
    Upgrading,
    /// `STATUS_DELETING`.
    Deleting,
    /// `STATUS_DELETED`.
    Deleted,
    /// `STATUS_FAILED`.
    Failed,
    /// A status name (or number) this client does not know.
    Other(String),
}

const STATUS_NAMES: [(&str, ClusterStatus); 8] = [
    ("STATUS_UNSPECIFIED", ClusterStatus::Unspecified),
    ("STATUS_CREATING", ClusterStatus::Creating),
    ("STATUS_RUNNING", ClusterStatus::Running),
    ("STATUS_UPDATING", ClusterStatus::Updating),
    ("STATUS_UPGRADING", ClusterStatus::Upgrading),
    ("STATUS_DELETING", ClusterStatus::Deleting),
    ("STATUS_DELETED", ClusterStatus::Deleted),
    ("STATUS_FAILED", ClusterStatus::Failed),
];

impl ClusterStatus {
    /// The status for an enum name; unknown names become [`ClusterStatus::Other`].
    pub fn from_name(name: &str) -> ClusterStatus {
        STATUS_NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, status)| status.clone())
            .unwrap_or_else(|| ClusterStatus::Other(name.to_string()))
    }

    /// The status for an enum number; unknown numbers become [`ClusterStatus::Other`].
    pub fn from_number(number: i64) -> ClusterStatus {
        usize::try_from(number)
            .ok()
            .and_then(|index| STATUS_NAMES.get(index))
            .map(|(_, status)| status.clone())
            .unwrap_or_else(|| ClusterStatus::Other(number.to_string()))
    }

    /// The enum name, e.g. `STATUS_RUNNING` (the raw value for [`ClusterStatus::Other`]).
    pub fn as_str(&self) -> &str {
        match self {
            ClusterStatus::Other(raw) => raw,
            known => STATUS_NAMES
                .iter()
                .find(|(_, status)| status == known)
                .map_or("STATUS_UNSPECIFIED", |(name, _)| name),
        }
    }
}

impl fmt::Display for ClusterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ClusterStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;

        impl Visitor<'_> for StatusVisitor {
            type Value = ClusterStatus;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cluster status name or number")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<ClusterStatus, E> {
                Ok(ClusterStatus::from_name(name))
            }

            fn visit_i64<E: de::Error>(self, number: i64) -> Result<ClusterStatus, E> {
                Ok(ClusterStatus::from_number(number))
            }

            fn visit_u64<E: de::Error>(self, number: u64) -> Result<ClusterStatus, E> {
                Ok(i64::try_from(number)
                    .map(ClusterStatus::from_number)
                    .unwrap_or_else(|_| ClusterStatus::Other(number.to_string())))
            }

            fn visit_unit<E: de::Error>(self) -> Result<ClusterStatus, E> {
                Ok(ClusterStatus::Unspecified)
            }
        }

        deserializer.deserialize_any(StatusVisitor)
    }
}

/// The external OIDC issuer settings of a cluster (`Cluster.oidc`), both as read and as sent.
/// Every optional string is `None` when the server omitted it or sent `""`. Serializes to the
/// API's camelCase JSON with exactly the set fields (`None`, `""` and `[]` are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterOidc {
    /// Issuer URL (`issuerUrl`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub issuer_url: Option<String>,
    /// Client id / audience (`clientId`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub client_id: Option<String>,
    /// Claim used as the user name (`usernameClaim`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub username_claim: Option<String>,
    /// Prefix of user names (`usernamePrefix`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub username_prefix: Option<String>,
    /// Claim holding the groups (`groupsClaim`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub groups_claim: Option<String>,
    /// Prefix of group names (`groupsPrefix`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub groups_prefix: Option<String>,
    /// Base64-encoded PEM CA of the issuer (`ca`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub ca: Option<String>,
    /// Required `claim=value` (`requiredClaim`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub required_claim: Option<String>,
    /// Group bound to cluster-admin (`adminGroupBinding`).
    #[serde(
        default,
        deserialize_with = "empty_as_none",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub admin_group_binding: Option<String>,
    /// Signing algorithm enum names, e.g. `SIGNING_ALGORITHM_RS256` (empty entries dropped).
    #[serde(
        default,
        deserialize_with = "nonempty_strings",
        skip_serializing_if = "OidcValue::is_unset"
    )]
    pub signing_algorithms: Vec<String>,
}

/// A value of an OIDC field: absent, `""` and `[]` all mean "unset".
trait OidcValue: PartialEq {
    fn is_unset(&self) -> bool;

    /// Whether two values differ, every unset form being equal.
    fn differs(&self, other: &Self) -> bool {
        !(self.is_unset() && other.is_unset()) && self != other
    }
}

impl OidcValue for Option<String> {
    fn is_unset(&self) -> bool {
        self.as_deref().is_none_or(str::is_empty)
    }
}

impl OidcValue for Vec<String> {
    fn is_unset(&self) -> bool {
        self.iter().all(String::is_empty)
    }
}

/// One field of [`ClusterOidc`]: its update-mask path, and how to compare and test it.
struct OidcField {
    path: &'static str,
    is_set: fn(&ClusterOidc) -> bool,
    differs: fn(&ClusterOidc, &ClusterOidc) -> bool,
}

macro_rules! oidc_field {
    ($path:literal, $field:ident) => {
        OidcField {
            path: concat!("oidc.", $path),
            is_set: |o| !o.$field.is_unset(),
            differs: |a, b| a.$field.differs(&b.$field),
        }
    };
}

/// The ten fields of `Cluster.oidc`: the one table every OIDC update is built and checked from.
const OIDC_FIELDS: [OidcField; 10] = [
    oidc_field!("issuerUrl", issuer_url),
    oidc_field!("clientId", client_id),
    oidc_field!("usernameClaim", username_claim),
    oidc_field!("usernamePrefix", username_prefix),
    oidc_field!("groupsClaim", groups_claim),
    oidc_field!("groupsPrefix", groups_prefix),
    oidc_field!("ca", ca),
    oidc_field!("requiredClaim", required_claim),
    oidc_field!("adminGroupBinding", admin_group_binding),
    oidc_field!("signingAlgorithms", signing_algorithms),
];

impl ClusterOidc {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        !OIDC_FIELDS.iter().any(|field| (field.is_set)(self))
    }
}

fn oidc_or_none<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<ClusterOidc>, D::Error> {
    Ok(Option::<ClusterOidc>::deserialize(deserializer)?.filter(|oidc| !oidc.is_empty()))
}

fn nonempty_strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<Option<String>>>::deserialize(deserializer)?
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .filter(|value| !value.is_empty())
        .collect())
}

/// A change of a cluster's OIDC block, built from the block before and after with the one field
/// table; [`OidcUpdate::request`] turns it into the PATCH for the cluster as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcUpdate {
    update_mask: Vec<String>,
    oidc: Option<ClusterOidc>,
}

impl OidcUpdate {
    /// The change from `old` to `new` (`None`: no OIDC), or `None` when no field changes. As
    /// the official provider does (the one pattern proven against the real API), whenever any
    /// field changes it masks **all ten** `oidc.*` paths and sends the complete desired block
    /// (every set field; an unset one is masked and left out, which clears it). Removing OIDC
    /// masks all ten paths and sends no block.
    pub fn between(old: Option<&ClusterOidc>, new: Option<&ClusterOidc>) -> Option<OidcUpdate> {
        let unset = ClusterOidc::default();
        let old = old.unwrap_or(&unset);
        let new = new.filter(|oidc| !oidc.is_empty());
        let changed = OIDC_FIELDS
            .iter()
            .any(|field| (field.differs)(old, new.unwrap_or(&unset)));
        changed.then(|| OidcUpdate {
            update_mask: OIDC_FIELDS.iter().map(|f| f.path.to_string()).collect(),
            oidc: new.cloned(),
        })
    }

    /// The PATCH of this change for `cluster`: its id and its **current** version.
    pub fn request(&self, cluster: &Cluster) -> UpdateClusterRequest {
        UpdateClusterRequest {
            id: cluster.id.clone(),
            version: cluster.version.clone(),
            update_mask: self.update_mask.clone(),
            oidc: self.oidc.clone(),
        }
    }
}

/// `PATCH /v1beta1/cks/clusters/{id}`: `id` and the cluster's current `version` are required by
/// the API; `update_mask` lists camelCase paths (`oidc.issuerUrl`, ...) and is sent as one
/// comma-joined string. Built by [`OidcUpdate::request`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateClusterRequest {
    id: String,
    version: String,
    #[serde(serialize_with = "comma_joined")]
    update_mask: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oidc: Option<ClusterOidc>,
}

impl UpdateClusterRequest {
    /// Whether `cluster` already holds what this request sets: every masked field has the
    /// requested value (used when the answer to the PATCH was lost).
    fn is_applied_to(&self, cluster: &Cluster) -> bool {
        let unset = ClusterOidc::default();
        let have = cluster.oidc.as_ref().unwrap_or(&unset);
        let want = self.oidc.as_ref().unwrap_or(&unset);
        self.update_mask.iter().all(|path| {
            OIDC_FIELDS
                .iter()
                .find(|field| field.path == path)
                .is_some_and(|field| !(field.differs)(have, want))
        })
    }
}

/// `{"items": [...]}`, read as [`List`] reads every list answer.
impl ListItem for Cluster {
    const FIELD: &'static str = "items";
}

#[derive(Deserialize)]
struct ClusterEnvelope {
    cluster: Cluster,
}

impl ApiClient {
    /// `GET /v1beta1/cks/clusters`: every cluster of the organization, all zones.
    pub async fn list_clusters(&self) -> Result<Vec<Cluster>, ApiError> {
        let call = self.rest_call(Method::GET, &CLUSTERS);
        Ok(self.execute::<List<Cluster>>(&call).await?.0)
    }

    /// `GET /v1beta1/cks/clusters/{id}`; `None` when the cluster does not exist.
    pub async fn get_cluster(&self, id: &str) -> Result<Option<Cluster>, ApiError> {
        let call = self.rest_call(Method::GET, &cluster_path(id)?);
        match self.execute::<ClusterEnvelope>(&call).await {
            Ok(envelope) => Ok(Some(envelope.cluster)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `PATCH /v1beta1/cks/clusters/{id}`; returns the cluster as the PATCH left it. When the
    /// answer is lost (the outcome is unknown), the cluster is read again and the PATCH counts
    /// as done if the cluster already holds what it sets; otherwise the original error stands.
    pub async fn update_cluster(
        &self,
        request: &UpdateClusterRequest,
    ) -> Result<Cluster, ApiError> {
        let call = self
            .rest_call(Method::PATCH, &cluster_path(&request.id)?)
            .json(request)?;
        let error = match self.execute::<ClusterEnvelope>(&call).await {
            Ok(envelope) => return Ok(envelope.cluster),
            Err(error) if error.outcome_unknown() => error,
            Err(error) => return Err(error),
        };
        match self.get_cluster(&request.id).await {
            Ok(Some(now)) if request.is_applied_to(&now) => {
                tracing::debug!(
                    target: "coreweave::api",
                    cluster_id = %request.id,
                    %error,
                    "the PATCH took effect although its answer was lost"
                );
                Ok(now)
            }
            _ => Err(error),
        }
    }
}

fn cluster_path(id: &str) -> Result<[&str; 4], ApiError> {
    let [v, cks, clusters] = CLUSTERS;
    Ok([v, cks, clusters, path_param("cluster id", id)?])
}

#[cfg(test)]
mod tests;
