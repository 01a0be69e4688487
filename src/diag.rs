//! Turning client errors and validation failures into Terraform diagnostics.

use std::fmt::Display;

use tf_plugin_server::{AttributePath, Diagnostics};

use crate::api::{ApiError, ErrorDetail, Phase, S3Error};
use crate::provider::PROVIDER_NAME;

/// Reports a failed API call: what the provider was doing, then the server's answer; an
/// interruption (Ctrl-C) as such, with what became of the state.
pub fn api_error(diags: &mut Diagnostics, doing: impl Display, err: &ApiError) {
    match err {
        ApiError::Interrupted { phase, .. } if crate::plugin::interrupt::first_report() => {
            let change = if *phase == Phase::BeforeSending {
                "Nothing was sent."
            } else {
                "If a change was on its way, it may still have reached the API: the next plan \
                 shows what is there."
            };
            diags.root_error(
                "Interrupted",
                format!(
                    "Stopped {doing}: Terraform asked the provider to stop (Ctrl-C). Its state is \
                     unchanged. {change}\n\n{err}"
                ),
            );
        }
        ApiError::Interrupted { .. } => diags.root_error(
            "Interrupted",
            format!("Stopped {doing} (Ctrl-C); its state is unchanged."),
        ),
        _ => diags.root_error(format!("Error {doing}"), err.to_string()),
    }
}

/// Reports a failed S3 call like [`api_error`]: what the provider was doing, then the answer
/// (its S3 code and message); an interruption as such.
pub fn s3_error(diags: &mut Diagnostics, doing: impl Display, err: &S3Error) {
    match err.interruption() {
        Some(interrupted) => api_error(diags, doing, interrupted),
        None => diags.root_error(format!("Error {doing}"), err.to_string()),
    }
}

/// Which attribute each request field of an API call sets: `(field, attribute)` pairs, the field
/// as the API spells it (`oidc.issuerUrl`; the proto's `oidc.issuer_url` matches too). A field
/// also covers what is below it (`policy.statements` covers `policy.statements[2].actions`).
pub type FieldAttributes = &'static [(&'static str, &'static str)];

/// `issuerUrl` and `issuer_url` alike: lower case without underscores.
fn normalized(field: &str) -> String {
    field.replace('_', "").to_ascii_lowercase()
}

/// The attribute a violated request field belongs to.
fn attribute_of(field: &str, fields: FieldAttributes) -> Option<&'static str> {
    let field = normalized(field);
    fields.iter().find_map(|(api, attribute)| {
        let api = normalized(api);
        let covered = field == api
            || field
                .strip_prefix(api.as_str())
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['));
        covered.then_some(*attribute)
    })
}

/// The field violations (`google.rpc.BadRequest`) of a refusal, as `(field, description)`.
fn field_violations(err: &ApiError) -> Vec<(String, String)> {
    err.status()
        .map(|status| {
            status
                .details
                .iter()
                .flat_map(|detail| match detail {
                    ErrorDetail::BadRequest { field_violations } => field_violations.clone(),
                    _ => Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Reports a failed write like [`api_error`], except that a refusal naming invalid request
/// fields becomes one error per field, on the attribute that sets it (`fields`); violations of
/// fields no attribute sets are reported once more as the whole answer.
pub fn api_error_on(
    diags: &mut Diagnostics,
    doing: impl Display,
    err: &ApiError,
    fields: FieldAttributes,
) {
    let violations = field_violations(err);
    let mapped: Vec<_> = violations
        .iter()
        .filter_map(|(field, description)| Some((attribute_of(field, fields)?, field, description)))
        .collect();
    if mapped.is_empty() {
        return api_error(diags, doing, err);
    }
    for (attribute, field, description) in &mapped {
        diags.error(
            format!("Error {doing}"),
            format!("The API refused `{attribute}` (request field `{field}`): {description}"),
            AttributePath::new(*attribute),
        );
    }
    if mapped.len() < violations.len() {
        diags.root_error(format!("Error {doing}"), err.to_string());
    }
}

/// Reports an invalid value on `attribute`.
pub fn invalid(
    diags: &mut Diagnostics,
    attribute: AttributePath,
    what: &str,
    message: impl Display,
) {
    diags.error(
        format!("Invalid {what}"),
        format!("`{what}` {message}"),
        attribute,
    );
}

/// Which resource an import hint puts an existing object into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Import {
    /// The resource that tried to create it: adopt the object instead.
    InsteadOfCreating,
    /// A resource of its own: the resource at hand manages another object.
    IntoItsOwnResource,
}

/// How to adopt an existing remote object: the CLI command for a resource of type
/// `coreweave_<resource>` (e.g. `object_storage_org_policy`) with the object's import id.
/// Terraform does not tell a provider the address of the resource it works on, so the command
/// writes `coreweave_<resource>.<name>` and says where Terraform shows the address.
pub fn import_hint(resource: &str, id: &str, into: Import) -> String {
    let address = format!("{PROVIDER_NAME}_{resource}.<name>");
    match into {
        Import::InsteadOfCreating => format!(
            "To manage it with Terraform, import it instead of creating it:\n  terraform import {address} {id}\n\
             with this resource's address (Terraform shows it with this error) in place of {address}, or write an \
             `import` block with that id."
        ),
        Import::IntoItsOwnResource => format!(
            "To manage it with Terraform, import it into a resource of its own:\n  terraform import {address} {id}\n\
             or write an `import` block with that id."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiStatus, Code};
    use tf_plugin_server::AttributePathStep;

    const FIELDS: FieldAttributes = &[
        ("oidc.issuerUrl", "issuer_url"),
        ("policy.statements", "statements"),
    ];

    fn refusal(violations: &[(&str, &str)]) -> ApiError {
        ApiError::Status(ApiStatus {
            http_status: 400,
            code: Code::InvalidArgument,
            message: "invalid request".into(),
            details: vec![ErrorDetail::BadRequest {
                field_violations: violations
                    .iter()
                    .map(|(f, d)| (f.to_string(), d.to_string()))
                    .collect(),
            }],
        })
    }

    fn on(diags: &Diagnostics) -> Vec<String> {
        diags
            .errors
            .iter()
            .map(|d| match d.attribute.steps.first() {
                Some(AttributePathStep::Attribute(a)) => a.to_string(),
                _ => "(root)".into(),
            })
            .collect()
    }

    #[test]
    fn each_field_violation_lands_on_the_attribute_that_sets_the_field() {
        let mut diags = Diagnostics::default();
        let err = refusal(&[
            ("oidc.issuer_url", "must be https"),
            ("policy.statements[1].actions", "unknown action"),
        ]);
        api_error_on(&mut diags, "updating", &err, FIELDS);
        assert_eq!(on(&diags), ["issuer_url", "statements"]);
        assert!(diags.errors[0].detail.contains("must be https"));
        assert!(diags.errors[1]
            .detail
            .contains("policy.statements[1].actions"));
    }

    #[test]
    fn violations_of_unknown_fields_keep_the_whole_answer_on_the_resource() {
        let mut diags = Diagnostics::default();
        let err = refusal(&[("oidc.issuerUrl", "bad"), ("zone", "bad zone")]);
        api_error_on(&mut diags, "updating", &err, FIELDS);
        assert_eq!(on(&diags), ["issuer_url", "(root)"]);
        assert!(diags.errors[1].detail.contains("bad zone"));
        let mut diags = Diagnostics::default();
        api_error_on(
            &mut diags,
            "updating",
            &refusal(&[("oidc.issuerUrlx", "bad")]),
            FIELDS,
        );
        assert_eq!(on(&diags), ["(root)"]);
    }

    #[test]
    fn the_import_hint_names_the_resource_type_and_the_id_once() {
        for into in [Import::InsteadOfCreating, Import::IntoItsOwnResource] {
            let hint = import_hint("object_storage_org_policy", "p-1", into);
            assert!(
                hint.contains("terraform import coreweave_object_storage_org_policy.<name> p-1\n"),
                "{hint}"
            );
            assert_eq!(hint.matches("p-1").count(), 1, "{hint}");
        }
        let adopting = import_hint("object_storage_wif_config", "u", Import::InsteadOfCreating);
        assert!(adopting.contains("this resource's address"), "{adopting}");
    }
}
