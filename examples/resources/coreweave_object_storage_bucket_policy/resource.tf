resource "coreweave_object_storage_bucket" "training_data" {
  name = "training-data"
  zone = "US-EAST-04A"
}

# Everyone in the organization may manage the bucket and its objects; principals of other
# organizations may not read its objects (organization access policies are evaluated first).
resource "coreweave_object_storage_bucket_policy" "training_data" {
  bucket = coreweave_object_storage_bucket.training_data.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "organization"
        Effect    = "Allow"
        Principal = { CW = "*" }
        Action    = "s3:*"
        Resource = [
          "arn:aws:s3:::${coreweave_object_storage_bucket.training_data.name}",
          "arn:aws:s3:::${coreweave_object_storage_bucket.training_data.name}/*",
        ]
      },
      {
        Sid       = "noOtherOrganizations"
        Effect    = "Deny"
        Principal = { CW = "*" }
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::${coreweave_object_storage_bucket.training_data.name}/*"
        Condition = { StringNotEquals = { "cw:PrincipalOrgID" = var.organization_id } }
      },
    ]
  })
}

variable "organization_id" {
  type        = string
  description = "Your organization id (data.coreweave_caller_identity.this.organization_id)."
  default     = "sandbox-org"
}
