//! Terraform provider for CoreWeave CKS OIDC and AI Object Storage workload identity federation.

pub mod api;
#[cfg(test)]
mod case_table;
pub mod cks;
pub mod diag;
pub mod functions;
pub mod identity;
pub mod object_storage;
pub mod planned_names;
pub mod plugin;
#[cfg(test)]
mod proptests;
pub mod provider;
pub mod registry;
pub mod resource_identity;
pub mod schema;
pub mod settings;
pub mod shared_list;
#[cfg(test)]
mod test_log;
pub mod timeouts;
pub mod validate;
pub mod workload_identity;

use std::process::ExitCode;

use crate::plugin::{interrupt, logging};
use crate::provider::PROVIDER_NAME;

/// go-plugin's magic cookie that Terraform sets when it launches a provider.
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// Entry point of the provider binary.
pub fn run() -> ExitCode {
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
    let served = runtime.block_on(async {
        interrupt::stop_on_sigint();
        tf_plugin_server::serve(PROVIDER_NAME, registry::provider()).await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("provider server failed: {e:#}");
            ExitCode::from(1)
        }
    }
}
