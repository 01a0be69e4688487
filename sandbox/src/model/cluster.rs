//! The CKS cluster model: status enum, stored form, protojson output and strict input form.

use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;

use crate::model::cluster_oidc::{Oidc, OidcInput};
use crate::model::protojson::non_empty_strings;
use crate::time;
use crate::wire::errors::FieldViolation;

/// `Cluster.Status` enum values, in proto order (numeric value = position).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterStatus {
    /// `STATUS_UNSPECIFIED` (0).
    Unspecified,
    /// `STATUS_CREATING` (1).
    Creating,
    /// `STATUS_RUNNING` (2).
    Running,
    /// `STATUS_UPDATING` (3).
    Updating,
    /// `STATUS_UPGRADING` (4).
    Upgrading,
    /// `STATUS_DELETING` (5).
    Deleting,
    /// `STATUS_DELETED` (6).
    Deleted,
    /// `STATUS_FAILED` (7).
    Failed,
}

const STATUSES: [(ClusterStatus, &str); 8] = [
    (ClusterStatus::Unspecified, "STATUS_UNSPECIFIED"),
    (ClusterStatus::Creating, "STATUS_CREATING"),
    (ClusterStatus::Running, "STATUS_RUNNING"),
    (ClusterStatus::Updating, "STATUS_UPDATING"),
    (ClusterStatus::Upgrading, "STATUS_UPGRADING"),
    (ClusterStatus::Deleting, "STATUS_DELETING"),
    (ClusterStatus::Deleted, "STATUS_DELETED"),
    (ClusterStatus::Failed, "STATUS_FAILED"),
];

impl ClusterStatus {
    /// The enum value name, e.g. `STATUS_RUNNING`.
    pub fn name(self) -> &'static str {
        STATUSES
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, n)| n)
    }

    /// Parses protojson input: the enum name or its number.
    pub fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) => STATUSES.iter().find(|(_, n)| n == s).map(|(s, _)| *s),
            Value::Number(n) => n
                .as_u64()
                .and_then(|i| STATUSES.get(usize::try_from(i).ok()?))
                .map(|(s, _)| *s),
            _ => None,
        }
    }
}

/// A CKS cluster as the sandbox stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `zone`.
    pub zone: String,
    /// `vpcId`.
    pub vpc_id: String,
    /// `version`.
    pub version: String,
    /// `public`.
    pub public: bool,
    /// `oidc`; `None` when unset.
    pub oidc: Option<Oidc>,
    /// `auditPolicy`.
    pub audit_policy: String,
    /// `apiServerEndpoint`.
    pub api_server_endpoint: String,
    /// `createdAt` (RFC 3339).
    pub created_at: String,
    /// `updatedAt` (RFC 3339).
    pub updated_at: String,
    /// Status in force until `status_until` (forever when `None`).
    pub status: ClusterStatus,
    /// When the forced status ends and the cluster reads as `STATUS_RUNNING` again.
    pub status_until: Option<Instant>,
}

impl Cluster {
    /// The status as seen at `now`.
    pub fn status_at(&self, now: Instant) -> ClusterStatus {
        match self.status_until {
            Some(until) if now >= until => ClusterStatus::Running,
            _ => self.status,
        }
    }

    /// protojson form with the status as seen at `now`.
    pub fn to_json(&self, now: Instant) -> Value {
        let mut map = non_empty_strings(&[
            ("id", &self.id),
            ("name", &self.name),
            ("zone", &self.zone),
            ("vpcId", &self.vpc_id),
            ("version", &self.version),
            ("auditPolicy", &self.audit_policy),
            ("apiServerEndpoint", &self.api_server_endpoint),
            ("createdAt", &self.created_at),
            ("updatedAt", &self.updated_at),
        ]);
        map.insert("public".into(), self.public.into());
        if let Some(oidc) = &self.oidc {
            map.insert("oidc".into(), oidc.to_json());
        }
        map.insert("status".into(), self.status_at(now).name().into());
        Value::Object(map)
    }
}

/// The strict JSON input form of a whole cluster (seed files and the admin API).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterInput {
    id: Option<String>,
    name: Option<String>,
    zone: Option<String>,
    #[serde(alias = "vpc_id")]
    vpc_id: Option<String>,
    version: Option<String>,
    public: Option<bool>,
    oidc: Option<OidcInput>,
    #[serde(alias = "audit_policy")]
    audit_policy: Option<String>,
    #[serde(alias = "api_server_endpoint")]
    api_server_endpoint: Option<String>,
    #[serde(alias = "created_at")]
    created_at: Option<String>,
    #[serde(alias = "updated_at")]
    updated_at: Option<String>,
    status: Option<Value>,
}

impl ClusterInput {
    /// Validates and converts; `status` defaults to `STATUS_RUNNING`, timestamps to `now`.
    pub fn into_cluster(self, now: &str) -> Result<Cluster, Vec<FieldViolation>> {
        let mut bad = Vec::new();
        let id = self.id.unwrap_or_default();
        if id.is_empty() {
            bad.push(FieldViolation::required("id"));
        }
        let status = match &self.status {
            None | Some(Value::Null) => ClusterStatus::Running,
            Some(v) => ClusterStatus::from_json(v).unwrap_or_else(|| {
                bad.push(FieldViolation::new(
                    "status",
                    format!("invalid value {v} for enum Cluster.Status"),
                ));
                ClusterStatus::Running
            }),
        };
        let now = now.to_string();
        let mut stamp = |field: &str, value: Option<String>| match value {
            Some(t) if !time::is_rfc3339(&t) => {
                bad.push(FieldViolation::new(field, "must be an RFC 3339 timestamp"));
                t
            }
            Some(t) => t,
            None => now.clone(),
        };
        let created_at = stamp("createdAt", self.created_at);
        let updated_at = stamp("updatedAt", self.updated_at);
        let oidc = match &self.oidc {
            Some(input) => {
                bad.extend(input.enum_violations("oidc"));
                Some(input.to_oidc()).filter(|o| !o.is_empty())
            }
            None => None,
        };
        if let Some(o) = &oidc {
            bad.extend(o.violations("oidc"));
        }
        if !bad.is_empty() {
            return Err(bad);
        }
        Ok(Cluster {
            id,
            name: self.name.unwrap_or_default(),
            zone: self.zone.unwrap_or_default(),
            vpc_id: self.vpc_id.unwrap_or_default(),
            version: self.version.unwrap_or_default(),
            public: self.public.unwrap_or(false),
            oidc,
            audit_policy: self.audit_policy.unwrap_or_default(),
            api_server_endpoint: self.api_server_endpoint.unwrap_or_default(),
            created_at,
            updated_at,
            status,
            status_until: None,
        })
    }
}

#[cfg(test)]
mod tests;
