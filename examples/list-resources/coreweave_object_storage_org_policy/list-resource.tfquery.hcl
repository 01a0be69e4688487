# `terraform query` lists the organization access policies whose name starts with "team-";
# `terraform query -generate-config-out=adopted.tf` writes an import and a resource block for each.
list "coreweave_object_storage_org_policy" "team" {
  provider         = coreweave
  include_resource = true

  config {
    name_prefix = "team-"
  }
}
