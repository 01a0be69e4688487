variable "cluster_id" {
  type        = string
  default     = null
  description = "Id of the CKS cluster. Set exactly one of cluster_id or cluster_name."
}

variable "cluster_name" {
  type        = string
  default     = null
  description = "Name of the CKS cluster. Set exactly one of cluster_id or cluster_name."
}

variable "grants" {
  type = list(object({
    namespace       = string
    service_account = string
    buckets         = list(string)
    actions         = optional(list(string), ["s3:GetObject", "s3:PutObject", "s3:ListBucket"])
    list_buckets    = optional(bool, false)
  }))
  description = "Service accounts that get AI Object Storage access: each gets cwobject:CreateAccessKeyOIDC plus `actions` on each of `buckets` (the bucket and its objects); `list_buckets` also grants s3:ListAllMyBuckets (global, on `*`: what `aws s3 ls` and `aws s3api list-buckets` need)."

  validation {
    condition     = length(var.grants) > 0
    error_message = "grants must name at least one service account."
  }
  validation {
    condition     = alltrue([for g in var.grants : length(g.buckets) > 0 && length(g.actions) > 0])
    error_message = "Each grant needs at least one bucket and one action."
  }
  validation {
    condition     = length(distinct([for g in var.grants : "${g.namespace}/${g.service_account}"])) == length(var.grants)
    error_message = "Each namespace/service_account pair may appear in only one grant."
  }
}

variable "policy_name" {
  type        = string
  default     = "cks-workload-federation"
  description = "Name of the organization access policy the module creates."
}

variable "wif_config_name" {
  type        = string
  default     = null
  description = "Name of the workload identity federation config; defaults to \"cks-<cluster name>\"."
}

variable "audience" {
  type        = string
  default     = null
  description = "Audience of the service account tokens; defaults to the cluster issuer URL, the Pod Identity Webhook's default (seed 001)."
}

variable "active" {
  type        = bool
  default     = true
  description = "Whether AI Object Storage accepts the cluster's tokens; false pauses the federation without removing the grants."
}

variable "api_endpoint" {
  type        = string
  default     = "https://api.coreweave.com"
  description = "CoreWeave API endpoint where pods exchange their tokens (the provider's `endpoint`)."
}

variable "region" {
  type        = string
  default     = "US-EAST-04A"
  description = "The zone pods name as their AWS region (the Pod Identity Webhook's `config.region`; CoreWeave documents upper-case zones)."
}

variable "token_file" {
  type        = string
  default     = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"
  description = "Where a pod's projected service-account token is (the webhook's mount); the AWS SDK sends its content to the token exchange."
}

variable "s3_endpoint" {
  type        = string
  default     = "https://cwobject.com"
  description = "AI Object Storage S3 endpoint pods use."
}

variable "buckets" {
  type = map(object({
    zone          = string
    tags          = optional(map(string))
    force_destroy = optional(bool, false)
  }))
  default     = {}
  description = "Buckets the module creates (`coreweave_object_storage_bucket`), keyed by bucket name: `zone` (e.g. `US-EAST-04A`; changing it replaces the bucket), optional `tags`, and `force_destroy` (default false: destroying a bucket that still holds objects fails, naming how many). Default none: the grants' buckets are expected to exist."
}

variable "bucket_policies" {
  type = map(object({
    json = optional(string)
    statements = optional(list(object({
      sid       = string
      effect    = optional(string, "Allow")
      action    = list(string)
      resource  = optional(list(string))
      principal = optional(map(list(string)), { CW = ["*"] })
      condition = optional(map(map(string)), {})
    })))
    allow_own_organization = optional(bool, true)
  }))
  default     = {}
  description = "Bucket policies the module applies (`coreweave_object_storage_bucket_policy`), keyed by bucket name (one of `buckets` or a bucket that exists already). Each is either `json`, a whole policy document used as written, or `statements`, rendered by `coreweave_object_storage_bucket_policy_document` (checked at plan time): `sid`, `effect` (`Allow` or `Deny`), `action`, `resource` (ARNs; default the bucket and all its objects), `principal` (default `{ CW = [\"*\"] }`) and `condition`. With `statements`, `allow_own_organization` (default true) appends `AllowOwnOrganization`, an Allow of `s3:*` on the bucket and its objects for principals of this organization only (`cw:PrincipalOrgID`): a bucket policy that is present but matches no statement refuses the call, so without it every read the statements do not allow would be refused; with it the organization's access policies decide for this organization, and principals of other organizations are refused. Default none."

  validation {
    condition     = alltrue([for p in values(var.bucket_policies) : (p.json == null) != (p.statements == null)])
    error_message = "Each bucket policy needs exactly one of json or statements."
  }
  validation {
    condition     = alltrue([for p in values(var.bucket_policies) : p.json != null || try(length(p.statements), 0) > 0 || p.allow_own_organization])
    error_message = "A bucket policy of statements needs at least one statement, or allow_own_organization = true."
  }
}
