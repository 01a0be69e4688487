# The trust registered for Terraform Cloud runs, found by its unique issuer and audience pair.
data "coreweave_object_storage_wif_config" "terraform_cloud" {
  issuer_url = "https://app.terraform.io"
  audience   = "https://coreweave.com/iam"
}

# Or by id:
# data "coreweave_object_storage_wif_config" "this" {
#   id = "..."
# }

output "wif_config_id" {
  value = data.coreweave_object_storage_wif_config.terraform_cloud.id
}

output "wif_config_active" {
  value = data.coreweave_object_storage_wif_config.terraform_cloud.active
}
