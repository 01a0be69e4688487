# `terraform query` lists the buckets whose name starts with "training-";
# `terraform query -generate-config-out=adopted.tf` writes an import and a resource block for each.
list "coreweave_object_storage_bucket" "training" {
  provider         = coreweave
  include_resource = true

  config {
    name_prefix = "training-"
  }
}
