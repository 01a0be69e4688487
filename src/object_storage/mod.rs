//! AI Object Storage: buckets and bucket policies (resources and a list resource, through the
//! S3 API; the policy documents' rules), workload
//! identity federation configs (resource and lookup) and
//! organization access policies (resources, and list resources for `terraform query`), and what
//! those policies allow (the access check).

/// Type name (without the provider prefix) of the organization access policy resource.
pub const ORG_POLICY: &str = "object_storage_org_policy";
/// Type name (without the provider prefix) of the bucket resource and list resource.
pub const BUCKET: &str = "object_storage_bucket";
/// Type name (without the provider prefix) of the bucket policy resource.
pub const BUCKET_POLICY: &str = "object_storage_bucket_policy";
/// Type name (without the provider prefix) of the WIF config resource and data source.
pub const WIF_CONFIG: &str = "object_storage_wif_config";

pub mod access_check_data_source;
pub mod bucket_list_resource;
pub mod bucket_policy;
pub mod bucket_policy_document_data_source;
pub mod bucket_policy_resource;
pub mod bucket_resource;
pub mod bucket_rules;
pub mod org_policy_list_resource;
pub mod org_policy_resource;
pub mod policy;
pub mod taken_names;
pub mod wif_config_data_source;
pub mod wif_config_list_resource;
pub mod wif_config_resource;
