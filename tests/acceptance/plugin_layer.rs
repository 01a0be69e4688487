//! The plugin layer itself, through `terraform-provider-nullbench` (a provider on the layer that
//! does no I/O): nested attributes, which the old layer could not serve to Terraform 1.15, work
//! on every supported Terraform: apply, read back, plan empty, change in place.

use crate::support::terraform::provider_dir;
use crate::support::Workspace;

fn nullbench_workspace() -> Workspace {
    let binary = provider_dir().join("terraform-provider-nullbench");
    assert!(
        binary.exists(),
        "{} is missing: `cargo build --workspace` builds it",
        binary.display()
    );
    let ws = Workspace::new();
    ws.set_cli_config(&format!(
        "provider_installation {{\n  dev_overrides {{\n    \"cwfed/nullbench\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        provider_dir().display()
    ));
    ws
}

fn config(mode: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    nullbench = {{ source = "cwfed/nullbench" }}
  }}
}}

resource "nullbench_thing" "nested" {{
  input    = "a"
  settings = {{ mode = "{mode}", level = 3 }}
}}

resource "nullbench_thing" "without" {{
  input = "b"
}}
"#
    )
}

#[test]
fn nested_attributes_apply_read_back_and_plan_empty() {
    let ws = nullbench_workspace();
    ws.write_raw(&config("fast"));
    ws.apply();
    let nested = ws.state_of("nullbench_thing.nested");
    assert_eq!(nested["settings"]["mode"], "fast", "{nested}");
    assert_eq!(nested["settings"]["level"], 3, "{nested}");
    assert_eq!(nested["id"], "a");
    let without = ws.state_of("nullbench_thing.without");
    assert!(without["settings"].is_null(), "{without}");
    ws.assert_no_changes();

    ws.write_raw(&config("slow"));
    let plan = ws.plan();
    assert!(
        plan.output().contains("~ settings") && plan.output().contains("\"slow\""),
        "{}",
        plan.output()
    );
    ws.apply();
    assert_eq!(
        ws.state_of("nullbench_thing.nested")["settings"]["mode"],
        "slow"
    );
    ws.assert_no_changes();
}
