# The import id is the CKS cluster id.
terraform import coreweave_cks_cluster_oidc.google 3f2a0c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5b
