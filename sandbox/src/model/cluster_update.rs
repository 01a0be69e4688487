//! UpdateCluster (`PATCH /v1beta1/cks/clusters/{id}`) request checks and field-mask semantics.

use serde::Deserialize;

use crate::model::cluster::Cluster;
use crate::model::cluster_oidc::{OidcField, OidcInput};
use crate::wire::errors::{ApiError, FieldViolation};

/// The strict UpdateClusterRequest body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateClusterRequest {
    id: Option<String>,
    version: Option<String>,
    #[serde(alias = "update_mask")]
    update_mask: Option<String>,
    oidc: Option<OidcInput>,
    public: Option<bool>,
    #[serde(alias = "audit_policy")]
    audit_policy: Option<String>,
}

/// One field-mask path the sandbox can update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskPath {
    /// `oidc`: the whole block.
    Oidc,
    /// `oidc.<field>`.
    OidcField(OidcField),
    /// `public`.
    Public,
    /// `auditPolicy`.
    AuditPolicy,
}

const ALLOWED: &str = "oidc, oidc.issuerUrl, oidc.clientId, oidc.usernameClaim, \
oidc.usernamePrefix, oidc.groupsClaim, oidc.groupsPrefix, oidc.ca, oidc.requiredClaim, \
oidc.signingAlgorithms, oidc.adminGroupBinding, public, auditPolicy";

fn parse_path(path: &str) -> Result<MaskPath, String> {
    match path {
        "oidc" => Ok(MaskPath::Oidc),
        "public" => Ok(MaskPath::Public),
        "auditPolicy" | "audit_policy" => Ok(MaskPath::AuditPolicy),
        "version" => Err(
            "\"version\" cannot be updated here: cluster upgrades are not \
                          supported by the sandbox"
                .into(),
        ),
        other => other
            .strip_prefix("oidc.")
            .and_then(OidcField::parse)
            .map(MaskPath::OidcField)
            .ok_or_else(|| format!("unsupported path {other:?}; allowed paths: {ALLOWED}")),
    }
}

/// Parses a comma-separated FieldMask string (camelCase or snake_case paths).
pub fn parse_mask(mask: &str) -> Result<Vec<MaskPath>, ApiError> {
    let violations: Vec<FieldViolation> = mask
        .split(',')
        .filter_map(|p| parse_path(p).err())
        .map(|why| FieldViolation::new("updateMask", why))
        .collect();
    if !violations.is_empty() {
        return Err(ApiError::invalid(violations));
    }
    Ok(mask.split(',').filter_map(|p| parse_path(p).ok()).collect())
}

impl UpdateClusterRequest {
    /// Request-level checks (no cluster needed): `id` and `version` present, `id` equals the
    /// path id, a mask of valid paths that names every field the body sets (the official
    /// provider's newer fake refuses an empty mask and an "unmasked" body field), valid enum
    /// values. Returns the paths to apply.
    pub fn plan(&self, path_id: &str) -> Result<Vec<MaskPath>, ApiError> {
        let mut bad = Vec::new();
        match self.id.as_deref() {
            None | Some("") => bad.push(FieldViolation::required("id")),
            Some(id) if id != path_id => bad.push(FieldViolation::new(
                "id",
                format!("{id:?} does not match the cluster id in the path {path_id:?}"),
            )),
            Some(_) => {}
        }
        if self.version.as_deref().unwrap_or_default().is_empty() {
            bad.push(FieldViolation::required("version"));
        }
        let mask = self.update_mask.as_deref().unwrap_or_default();
        if mask.is_empty() {
            bad.push(FieldViolation::new(
                "updateMask",
                "must name at least one path",
            ));
        }
        if let Some(oidc) = &self.oidc {
            bad.extend(oidc.presence_violations("oidc"));
            bad.extend(oidc.enum_violations("oidc"));
        }
        if !bad.is_empty() {
            return Err(ApiError::invalid(bad));
        }
        let paths = parse_mask(mask)?;
        let unmasked = self.unmasked_fields(&paths);
        if !unmasked.is_empty() {
            return Err(ApiError::invalid(unmasked));
        }
        Ok(paths)
    }

    /// The body fields that no path of the mask names.
    fn unmasked_fields(&self, paths: &[MaskPath]) -> Vec<FieldViolation> {
        let unmasked = |field: String| {
            FieldViolation::new(field, "is set in the body but not named in updateMask")
        };
        let mut bad = Vec::new();
        if let Some(oidc) = self
            .oidc
            .as_ref()
            .filter(|_| !paths.contains(&MaskPath::Oidc))
        {
            bad.extend(
                oidc.present_fields()
                    .into_iter()
                    .filter(|field| !paths.contains(&MaskPath::OidcField(*field)))
                    .map(|field| unmasked(format!("oidc.{}", field.json_name()))),
            );
        }
        if self.public.is_some() && !paths.contains(&MaskPath::Public) {
            bad.push(unmasked("public".into()));
        }
        if self.audit_policy.is_some() && !paths.contains(&MaskPath::AuditPolicy) {
            bad.push(unmasked("auditPolicy".into()));
        }
        bad
    }

    /// The version must be the cluster's current one (upgrades are out of scope).
    pub fn check_version(&self, cluster: &Cluster) -> Result<(), ApiError> {
        let version = self.version.as_deref().unwrap_or_default();
        if version == cluster.version {
            return Ok(());
        }
        Err(ApiError::invalid_field(
            "version",
            format!(
                "{version:?} differs from the cluster's current version {:?}; upgrades are \
                 not supported by the sandbox",
                cluster.version
            ),
        ))
    }

    /// Applies `paths` to a copy of `cluster` and validates the resulting OIDC block.
    pub fn apply(&self, cluster: &Cluster, paths: &[MaskPath]) -> Result<Cluster, ApiError> {
        let mut updated = cluster.clone();
        let mut oidc = cluster.oidc.clone().unwrap_or_default();
        for path in paths {
            match path {
                MaskPath::Oidc => {
                    oidc = self
                        .oidc
                        .as_ref()
                        .map(OidcInput::to_oidc)
                        .unwrap_or_default();
                }
                MaskPath::OidcField(field) => oidc.copy_field(*field, self.oidc.as_ref()),
                MaskPath::Public => updated.public = self.public.unwrap_or(false),
                MaskPath::AuditPolicy => {
                    updated.audit_policy = self.audit_policy.clone().unwrap_or_default();
                }
            }
        }
        if oidc.is_empty() {
            updated.oidc = None;
        } else {
            let violations = oidc.violations("oidc");
            if !violations.is_empty() {
                return Err(ApiError::invalid(violations));
            }
            updated.oidc = Some(oidc);
        }
        Ok(updated)
    }
}

#[cfg(test)]
mod tests;
