# The import id is the policy name.
terraform import coreweave_object_storage_org_policy.wif wif-service-account-access
