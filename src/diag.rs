//! Turning client errors and validation failures into Terraform diagnostics.

use std::fmt::Display;

use tf_plugin_server::{AttributePath, Diagnostics};

use crate::api::{ApiError, Phase};
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
