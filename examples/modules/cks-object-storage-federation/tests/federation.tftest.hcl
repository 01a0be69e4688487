# `terraform test` for the module, against the local sandbox (the acceptance suite runs it with
# COREWEAVE_API_ENDPOINT and COREWEAVE_API_TOKEN pointing at coreweave-sandbox).

provider "coreweave" {}

variables {
  cluster_name = "demo"
  policy_name  = "tftest-federation"
  grants = [
    { namespace = "default", service_account = "app", buckets = ["training-data"] },
  ]
}

run "federates_the_cluster" {
  assert {
    condition     = output.principals["default/app"] == "role/${output.issuer_url}:system:serviceaccount:default:app"
    error_message = "The principal of default/app is not role/<issuer>:system:serviceaccount:default:app."
  }
  assert {
    condition     = output.exchange_allowed["default/app"]
    error_message = "The organization's policies do not let default/app exchange its token."
  }
  assert {
    condition     = output.pod_environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == "https://api.coreweave.com/v1/cwobject/temporary-credentials/oidc/${output.organization_id}"
    error_message = "AWS_CONTAINER_CREDENTIALS_FULL_URI does not end with the organization id."
  }
  assert {
    condition     = output.pod_environment["AWS_ENDPOINT_URL_S3"] == "https://cwobject.com"
    error_message = "The S3 endpoint is not AI Object Storage's."
  }
  assert {
    condition     = output.service_account_annotations["caios.coreweave.com/inject"] == "true"
    error_message = "The ServiceAccount annotation for the Pod Identity Webhook is missing."
  }
}

run "pausing_keeps_the_grants" {
  variables {
    active = false
  }
  assert {
    condition     = output.exchange_allowed["default/app"]
    error_message = "Pausing the WIF config changed the policy."
  }
}

run "creates_buckets_and_their_policies" {
  variables {
    buckets = {
      "tftest-bucket" = { zone = "US-EAST-04A", tags = { team = "ml" } }
    }
    bucket_policies = {
      "tftest-bucket" = {
        statements = [{
          sid      = "DenyPrivate"
          effect   = "Deny"
          action   = ["s3:GetObject"]
          resource = ["arn:aws:s3:::tftest-bucket/private/*"]
        }]
      }
    }
  }
  assert {
    condition     = output.buckets["tftest-bucket"].zone == "US-EAST-04A" && output.buckets["tftest-bucket"].tags["team"] == "ml"
    error_message = "The bucket was not created in its zone with its tags."
  }
  assert {
    condition     = [for s in jsondecode(output.bucket_policies["tftest-bucket"]).Statement : s.Sid] == ["DenyPrivate", "AllowOwnOrganization"]
    error_message = "The bucket policy is not the statements given followed by AllowOwnOrganization."
  }
  assert {
    condition     = jsondecode(output.bucket_policies["tftest-bucket"]).Statement[1].Condition.StringEquals["cw:PrincipalOrgID"] == [output.organization_id]
    error_message = "AllowOwnOrganization does not name this organization."
  }
}

run "a_bucket_policy_is_json_or_statements" {
  command = plan
  variables {
    bucket_policies = {
      "tftest-bucket" = { json = "{}", statements = [] }
    }
  }
  expect_failures = [var.bucket_policies]
}
