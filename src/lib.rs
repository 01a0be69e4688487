//! Terraform provider for CoreWeave CKS OIDC and AI Object Storage workload identity federation.

pub mod api;
pub mod cks;
pub mod diag;
pub mod functions;
pub mod handshake;
pub mod identity;
pub mod interrupt;
pub mod logging;
pub mod object_storage;
#[cfg(test)]
mod proptests;
pub mod provider;
pub mod schema;
pub mod settings;
#[cfg(test)]
mod test_log;
pub mod timeouts;
pub mod validate;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;

use tf_provider::{DynamicDataSource, DynamicResource};

use crate::cks::cluster_issuer::ClusterIssuerDataSource;
use crate::cks::cluster_oidc::ClusterOidcResource;
use crate::identity::caller_identity::CallerIdentityDataSource;
use crate::object_storage::access_check::AccessCheckDataSource;
use crate::object_storage::org_policy::OrgPolicyResource;
use crate::object_storage::wif_config::WifConfigResource;
use crate::object_storage::wif_config_lookup::WifConfigLookupDataSource;
use crate::provider::{CoreWeaveProvider, ProviderData, PROVIDER_NAME};

/// go-plugin's magic cookie that Terraform sets when it launches a provider.
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// Resources by type name without the provider prefix.
pub fn resources(data: &Arc<ProviderData>) -> HashMap<String, Box<dyn DynamicResource>> {
    let mut map: HashMap<String, Box<dyn DynamicResource>> = HashMap::new();
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
    map
}

/// Data sources by type name without the provider prefix.
pub fn data_sources(data: &Arc<ProviderData>) -> HashMap<String, Box<dyn DynamicDataSource>> {
    let mut map: HashMap<String, Box<dyn DynamicDataSource>> = HashMap::new();
    map.insert(
        ClusterIssuerDataSource::NAME.into(),
        Box::new(ClusterIssuerDataSource::new(data.clone())),
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
        WifConfigLookupDataSource::NAME.into(),
        Box::new(WifConfigLookupDataSource::new(data.clone())),
    );
    map
}

/// Entry point of the provider binary.
pub fn run() -> ExitCode {
    // tf-provider puts a backtrace into every diagnostic when backtraces are enabled.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    // tf-provider installs its own global subscriber (and panics) when this is set.
    std::env::remove_var("PLUGIN_LOG_FILE");
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("terraform-provider-coreweave {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if std::env::var(MAGIC_COOKIE.0).ok().as_deref() != Some(MAGIC_COOKIE.1) {
        eprintln!(
            "This binary is a plugin for Terraform and OpenTofu. It is not meant to be run directly;\n\
             install it (make install) and run `terraform init`, or see the README."
        );
        return ExitCode::from(1);
    }
    logging::init();
    interrupt::ignore_sigint();
    if let Err(e) = handshake::install() {
        tracing::warn!("stdout handshake shim not installed, plans will be slower: {e:#}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(tf_provider::serve(
        PROVIDER_NAME,
        CoreWeaveProvider::default(),
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("provider server failed: {e:#}");
            ExitCode::from(1)
        }
    }
}
