# A bucket policy for the bucket "models": principals of this organization may read it, and no
# one may touch its private/ prefix. Pass `json` to the `policy` of
# coreweave_object_storage_bucket_policy. The plan checks the document as the API would.

data "coreweave_caller_identity" "me" {}

data "coreweave_object_storage_bucket_policy_document" "models" {
  statement {
    sid       = "ReadOwnOrg"
    principal = { CW = ["*"] }
    action    = ["s3:GetObject", "s3:ListBucket"]
    resource  = ["arn:aws:s3:::models", "arn:aws:s3:::models/*"]
    condition = {
      StringEquals = { "cw:PrincipalOrgID" = data.coreweave_caller_identity.me.organization_id }
    }
  }

  statement {
    sid       = "NoPrivate"
    effect    = "Deny"
    principal = { CW = ["*"] }
    action    = ["s3:*"]
    resource  = ["arn:aws:s3:::models/private/*"]
  }
}

output "json" {
  value = data.coreweave_object_storage_bucket_policy_document.models.json
}
