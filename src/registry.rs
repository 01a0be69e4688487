//! The registry: every resource, list resource, data source and function by name, and the
//! provider built with them. It sits above the resources (which import the provider's shared data below them), so
//! that the provider itself never imports a feature module.

use std::sync::Arc;

use crate::cks::cluster_issuer_data_source::ClusterIssuerDataSource;
use crate::cks::cluster_oidc_list_resource::ClusterOidcListResource;
use crate::cks::cluster_oidc_resource::ClusterOidcResource;
use crate::cks::kubeconfig_data_source::KubeconfigDataSource;
use crate::cks::kubeconfig_ephemeral_resource::KubeconfigEphemeralResource;
use crate::functions::ServiceAccountPrincipal;
use crate::identity::caller_identity_data_source::CallerIdentityDataSource;
use crate::object_storage::access_check_data_source::AccessCheckDataSource;
use crate::object_storage::bucket_list_resource::BucketListResource;
use crate::object_storage::bucket_policy_document_data_source::BucketPolicyDocumentDataSource;
use crate::object_storage::bucket_policy_resource::BucketPolicyResource;
use crate::object_storage::bucket_resource::BucketResource;
use crate::object_storage::org_policy_list_resource::OrgPolicyListResource;
use crate::object_storage::org_policy_resource::OrgPolicyResource;
use crate::object_storage::wif_config_data_source::WifConfigLookupDataSource;
use crate::object_storage::wif_config_list_resource::WifConfigListResource;
use crate::object_storage::wif_config_resource::WifConfigResource;
use crate::provider::{
    CoreWeaveProvider, DataSources, EphemeralResources, Functions, ListResources, ProviderData,
    Registry, Resources,
};
use crate::schema::FieldDocs;

/// The provider, with this registry.
pub fn provider() -> CoreWeaveProvider {
    CoreWeaveProvider::new(Registry {
        resources,
        data_sources,
        ephemeral_resources,
        list_resources,
        functions,
    })
}

/// Resources by type name without the provider prefix.
pub fn resources(data: &Arc<ProviderData>) -> Resources {
    let mut map = Resources::new();
    map.insert(
        ClusterOidcResource::NAME.into(),
        Box::new(ClusterOidcResource::new(data.clone())),
    );
    map.insert(
        WifConfigResource::NAME.into(),
        Box::new(WifConfigResource::new(data.clone())),
    );
    map.insert(
        OrgPolicyResource::NAME.into(),
        Box::new(OrgPolicyResource::new(data.clone())),
    );
    map.insert(
        BucketResource::NAME.into(),
        Box::new(BucketResource::new(data.clone())),
    );
    map.insert(
        BucketPolicyResource::NAME.into(),
        Box::new(BucketPolicyResource::new(data.clone())),
    );
    map
}

/// List resources (Terraform >= 1.14) by type name without the provider prefix: that of the
/// resource whose objects each finds.
pub fn list_resources(data: &Arc<ProviderData>) -> ListResources {
    let mut map = ListResources::new();
    map.insert(
        ClusterOidcListResource::NAME.into(),
        Box::new(ClusterOidcListResource::new(data.clone())),
    );
    map.insert(
        WifConfigListResource::NAME.into(),
        Box::new(WifConfigListResource::new(data.clone())),
    );
    map.insert(
        OrgPolicyListResource::NAME.into(),
        Box::new(OrgPolicyListResource::new(data.clone())),
    );
    map.insert(
        BucketListResource::NAME.into(),
        Box::new(BucketListResource::new(data.clone())),
    );
    map
}

/// Data sources by type name without the provider prefix.
pub fn data_sources(data: &Arc<ProviderData>) -> DataSources {
    let mut map = DataSources::new();
    map.insert(
        ClusterIssuerDataSource::NAME.into(),
        Box::new(ClusterIssuerDataSource::new(data.clone())),
    );
    map.insert(
        KubeconfigDataSource::NAME.into(),
        Box::new(KubeconfigDataSource::new(data.clone())),
    );
    map.insert(
        CallerIdentityDataSource::NAME.into(),
        Box::new(CallerIdentityDataSource::new(data.clone())),
    );
    map.insert(
        AccessCheckDataSource::NAME.into(),
        Box::new(AccessCheckDataSource::new(data.clone())),
    );
    map.insert(
        BucketPolicyDocumentDataSource::NAME.into(),
        Box::new(BucketPolicyDocumentDataSource),
    );
    map.insert(
        WifConfigLookupDataSource::NAME.into(),
        Box::new(WifConfigLookupDataSource::new(data.clone())),
    );
    map
}

/// Ephemeral resources by type name without the provider prefix.
pub fn ephemeral_resources(data: &Arc<ProviderData>) -> EphemeralResources {
    let mut map = EphemeralResources::new();
    map.insert(
        KubeconfigEphemeralResource::NAME.into(),
        Box::new(KubeconfigEphemeralResource::new(data.clone())),
    );
    map
}

/// Provider functions by name.
pub fn functions() -> Functions {
    let mut map = Functions::new();
    map.insert(
        ServiceAccountPrincipal::NAME.into(),
        Box::new(ServiceAccountPrincipal),
    );
    map
}

/// What the docs say about the fields of object-typed attributes (see [`FieldDocs`]), for the
/// resources and data sources that have such attributes, by type name without the prefix.
pub struct TypeFieldDocs {
    /// Of resources.
    pub resources: Vec<(&'static str, FieldDocs)>,
    /// Of data sources.
    pub data_sources: Vec<(&'static str, FieldDocs)>,
    /// Of ephemeral resources.
    pub ephemeral_resources: Vec<(&'static str, FieldDocs)>,
}

/// The object fields' descriptions of every resource and data source that has object fields.
pub fn field_docs() -> TypeFieldDocs {
    TypeFieldDocs {
        resources: vec![(OrgPolicyResource::NAME, OrgPolicyResource::field_docs())],
        data_sources: vec![
            (
                AccessCheckDataSource::NAME,
                AccessCheckDataSource::field_docs(),
            ),
            (
                KubeconfigDataSource::NAME,
                KubeconfigDataSource::field_docs(),
            ),
        ],
        ephemeral_resources: vec![(
            KubeconfigEphemeralResource::NAME,
            KubeconfigDataSource::field_docs(),
        )],
    }
}
