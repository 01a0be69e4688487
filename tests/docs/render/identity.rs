//! The "Identity Schema" section of a resource page: how `import { identity = {...} }` names an
//! object (Terraform 1.12 and later) and what each identity attribute is.

use tf_plugin_server::IdentitySchema;

use super::{one_line, type_label, PROVIDER_NAME};

/// The section; empty for a resource without an identity.
pub fn identity_section(name: &str, identity: Option<&IdentitySchema>) -> String {
    let Some(identity) = identity else {
        return String::new();
    };
    let values: Vec<String> = identity
        .attributes
        .iter()
        .map(|a| format!("    {} = \"...\"", a.name))
        .collect();
    let bullets: Vec<String> = identity
        .attributes
        .iter()
        .map(|a| {
            let need = if a.required_for_import {
                "Required for import"
            } else {
                "Optional for import"
            };
            format!(
                "- `{}` ({}, {need}) {}",
                a.name,
                type_label(&a.attr_type),
                one_line(&a.description)
            )
        })
        .collect();
    format!(
        "## Identity Schema\n\nTerraform 1.12 and later keep this identity beside the state, and import by \
         it as well as by import ID:\n\n```terraform\nimport {{\n  to = {PROVIDER_NAME}_{name}.example\n  \
         identity = {{\n{}\n  }}\n}}\n```\n\n{}",
        values.join("\n"),
        bullets.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tf_plugin_server::IdentityAttribute;

    #[test]
    fn the_section_shows_an_import_block_and_each_attribute() {
        let identity =
            IdentitySchema::new([IdentityAttribute::required_string("name", "The name.")]);
        let text = identity_section("object_storage_thing", Some(&identity));
        assert!(text.starts_with("## Identity Schema\n\n"), "{text}");
        assert!(text.contains(
            "import {\n  to = coreweave_object_storage_thing.example\n  identity = {\n    name = \"...\"\n  }\n}"
        ));
        assert!(text.ends_with("- `name` (String, Required for import) The name."));
        assert_eq!(identity_section("thing", None), "");
    }
}
