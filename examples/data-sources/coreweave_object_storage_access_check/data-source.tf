# Would the cluster's service account be allowed to exchange its token for AI Object Storage
# credentials, and to read the training data? Both layers are weighed: the organization's access
# policies, then the policy of the bucket (each result says which one decided, `decided_by`).

variable "cluster_id" {
  type = string
}

data "coreweave_cks_cluster_issuer" "this" {
  cluster_id = var.cluster_id
}

locals {
  # role/<issuer>:system:serviceaccount:default:my-object-storage-sa (Terraform 1.8 or later).
  principal = provider::coreweave::service_account_principal(
    data.coreweave_cks_cluster_issuer.this.issuer_url, "default", "my-object-storage-sa"
  )
}

# A postcondition fails the plan when the token exchange is not allowed.
data "coreweave_object_storage_access_check" "exchange" {
  principal = local.principal
  actions   = ["cwobject:CreateAccessKeyOIDC"]

  lifecycle {
    postcondition {
      condition     = self.allowed
      error_message = "default/my-object-storage-sa may not exchange its token for AI Object Storage credentials: ${join(", ", [for r in self.results : "${r.action} on ${r.resource} is ${r.decision}"])}."
    }
  }
}

# A check block warns on every plan and apply when the reads are not allowed.
check "training_data_readable" {
  data "coreweave_object_storage_access_check" "reads" {
    principal = local.principal
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["training-data", "training-data/weights.bin"]
  }

  assert {
    condition     = data.coreweave_object_storage_access_check.reads.allowed
    error_message = "default/my-object-storage-sa cannot read training-data: ${join(", ", [for r in data.coreweave_object_storage_access_check.reads.results : "${r.action} on ${r.resource} is ${r.decision} (${r.decided_by})" if r.decision != "allowed"])}."
  }
}
