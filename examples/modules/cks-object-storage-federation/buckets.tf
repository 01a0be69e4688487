# Buckets and bucket policies, both off by default (`buckets = {}`, `bucket_policies = {}`): a
# call without them plans exactly as before they existed.
#
# CoreWeave decides every S3 call with the organization's access policies first (a Deny there
# refuses, and only an Allow goes on), then with the bucket's policy, if it has one: a matching
# Deny refuses, a matching Allow accepts, and a policy that matches no statement refuses too.

locals {
  # Each statements-form policy with its defaults filled in, plus `AllowOwnOrganization` unless
  # turned off (see the variable's description).
  bucket_policy_statements = {
    for bucket, p in var.bucket_policies : bucket => concat(
      [for s in p.statements : merge(s, {
        resource = coalesce(s.resource, ["arn:aws:s3:::${bucket}", "arn:aws:s3:::${bucket}/*"])
      })],
      p.allow_own_organization ? [{
        sid       = "AllowOwnOrganization"
        effect    = "Allow"
        action    = ["s3:*"]
        resource  = ["arn:aws:s3:::${bucket}", "arn:aws:s3:::${bucket}/*"]
        principal = { CW = ["*"] }
        condition = { StringEquals = { "cw:PrincipalOrgID" = data.coreweave_caller_identity.this.organization_id } }
      }] : [],
    ) if p.statements != null
  }
}

resource "coreweave_object_storage_bucket" "this" {
  for_each = var.buckets

  name          = each.key
  zone          = each.value.zone
  tags          = each.value.tags
  force_destroy = each.value.force_destroy
}

# Renders (and checks at plan time) each policy given as statements.
data "coreweave_object_storage_bucket_policy_document" "this" {
  for_each = local.bucket_policy_statements

  dynamic "statement" {
    for_each = each.value
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      action    = statement.value.action
      resource  = statement.value.resource
      principal = statement.value.principal
      condition = statement.value.condition
    }
  }
}

locals {
  # Each bucket's document: the rendered one of a statements-form policy, else the JSON as given.
  # Known at plan time, so a what-if access check can weigh it before it is applied.
  bucket_policy_documents = {
    for bucket, p in var.bucket_policies : bucket =>
    try(data.coreweave_object_storage_bucket_policy_document.this[bucket].json, p.json)
  }
}

resource "coreweave_object_storage_bucket_policy" "this" {
  for_each = var.bucket_policies

  # A bucket of `buckets` by reference, so that its policy comes after it and goes before it.
  bucket = try(coreweave_object_storage_bucket.this[each.key].name, each.key)
  policy = local.bucket_policy_documents[each.key]
}
