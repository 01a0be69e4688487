# The import id is the bucket name.
terraform import coreweave_object_storage_bucket.training_data training-data
