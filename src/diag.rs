//! Turning client errors and validation failures into Terraform diagnostics.

use std::fmt::Display;

use tf_provider::{AttributePath, Diagnostics};

use crate::api::ApiError;
use crate::provider::PROVIDER_NAME;

/// Reports a failed API call: what the provider was doing, then the server's answer.
pub fn api_error(diags: &mut Diagnostics, doing: impl Display, err: &ApiError) {
    diags.root_error(format!("Error {doing}"), err.to_string());
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

/// How to adopt an existing remote object instead of creating a new one: the CLI command and
/// the `import` block for a resource of type `coreweave_<resource>` (e.g. `object_storage_org_policy`),
/// both with the object's import id. Terraform does not tell the provider the resource's local name,
/// so the hint writes `<name>`.
pub fn import_hint(resource: &str, id: &str) -> String {
    let address = format!("{PROVIDER_NAME}_{resource}.<name>");
    format!(
        "To manage it with Terraform, import it instead of creating it:\n  terraform import {address} {id}\n\
         or add an `import {{ to = {address}, id = \"{id}\" }}` block."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_hint_names_the_resource_type() {
        let hint = import_hint("object_storage_org_policy", "p");
        assert!(hint.contains("terraform import coreweave_object_storage_org_policy.<name> p\n"));
        assert!(
            hint.contains("import { to = coreweave_object_storage_org_policy.<name>, id = \"p\" }")
        );
    }
}
