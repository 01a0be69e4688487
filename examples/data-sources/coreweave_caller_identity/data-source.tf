data "coreweave_caller_identity" "current" {}

output "organization_id" {
  value = data.coreweave_caller_identity.current.organization_id
}

output "principal_id" {
  value = data.coreweave_caller_identity.current.principal_id
}
