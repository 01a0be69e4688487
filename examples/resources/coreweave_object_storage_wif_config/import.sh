# The import id is the configuration's uid.
terraform import coreweave_object_storage_wif_config.cluster 7d9e2f10-5a4b-4c3d-9e8f-1a2b3c4d5e6f
