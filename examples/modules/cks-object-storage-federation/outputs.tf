output "issuer_url" {
  description = "The cluster's OIDC issuer URL."
  value       = local.issuer_url
}

output "wif_config_id" {
  description = "Uid of the workload identity federation config."
  value       = coreweave_object_storage_wif_config.this.id
}

output "principals" {
  description = "AI Object Storage principal of each service account, keyed by \"<namespace>/<service account>\"."
  value       = local.principals
}

output "policy_name" {
  description = "Name of the organization access policy."
  value       = coreweave_object_storage_org_policy.this.name
}

output "statement_names" {
  description = "Names of the policy's statements in the order written: `token-exchange`, then `<namespace>-<service account>` for each grant, then `list-all-buckets` if a grant lists buckets. The policy's `statements` is a set, which has no order."
  value       = [for s in local.statements : s.name]
}

output "service_account_annotations" {
  description = "Annotations to put on each granted Kubernetes ServiceAccount so the Pod Identity Webhook injects credentials."
  value       = { "caios.coreweave.com/inject" = "true" }
}

output "organization_id" {
  description = "Organization id for the Pod Identity Webhook chart (`--set config.orgID=...`), which puts it into pods' AWS_CONTAINER_CREDENTIALS_FULL_URI."
  value       = data.coreweave_caller_identity.this.organization_id
}

output "pod_environment" {
  description = "Environment of a pod of a granted service account, all an AWS SDK or CLI needs: AWS_CONTAINER_CREDENTIALS_FULL_URI (the token exchange for this organization) and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the projected token), which the Pod Identity Webhook injects, the region and AWS_ENDPOINT_URL_S3."
  value = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI     = "${trimsuffix(var.api_endpoint, "/")}/v1/cwobject/temporary-credentials/oidc/${data.coreweave_caller_identity.this.organization_id}"
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = var.token_file
    AWS_DEFAULT_REGION                     = var.region
    AWS_REGION                             = var.region
    AWS_ENDPOINT_URL_S3                    = var.s3_endpoint
  }
}

output "exchange_allowed" {
  description = "Whether the organization's access policies let each service account exchange its token (`coreweave_object_storage_access_check`), keyed by \"<namespace>/<service account>\"."
  value       = { for k, check in data.coreweave_object_storage_access_check.exchange : k => check.allowed }
}

output "buckets" {
  description = "The buckets the module created (`buckets`), keyed by name: `zone` and `tags`."
  value       = { for name, b in coreweave_object_storage_bucket.this : name => { zone = b.zone, tags = b.tags } }
}

output "bucket_policies" {
  description = "The policy document of each bucket of `bucket_policies`, keyed by bucket name: the text the module applies, known at plan time (pass it to `coreweave_object_storage_access_check`'s what-if `bucket_policies` to check it before it is applied)."
  value       = local.bucket_policy_documents
}
