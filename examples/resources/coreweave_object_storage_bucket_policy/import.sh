# The import id is the bucket name.
terraform import coreweave_object_storage_bucket_policy.training_data training-data
