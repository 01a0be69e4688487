//! Turning client errors and validation failures into Terraform diagnostics.

use std::fmt::Display;

use tf_provider::{AttributePath, Diagnostics};

use crate::api::ApiError;

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
/// the `import` block, both with the object's import id.
pub fn import_hint(id: &str) -> String {
    format!(
        "To manage it with Terraform, import it instead of creating it:\n  terraform import <resource address> {id}\n\
         or add an `import {{ to = <resource address>, id = \"{id}\" }}` block."
    )
}
