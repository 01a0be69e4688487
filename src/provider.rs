//! The provider: its schema, settings resolution and the API client shared with resources.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{AttributeType, Schema};
use tf_plugin_server::value::Value;
use tf_plugin_server::{AttributePath, Diagnostics, Provider};

use crate::api::{ApiClient, ClientConfig, S3Client, S3Config};
use crate::planned_names::PlannedNames;
use crate::schema::{block, field_docs, object_of, schema, Attr, Field, FieldDocs, Kind};
use crate::settings::{
    self, Environment, Input, ProcessEnvironment, RawSettings, SettingError, Settings,
    ENV_WORKLOAD_IDENTITY_TOKEN,
};
use crate::workload_identity::{BearerCache, WorkloadIdentity};

/// Provider type name.
pub const PROVIDER_NAME: &str = "coreweave";

/// What resources need once the provider is configured.
pub struct Configured {
    /// The API client.
    pub client: ApiClient,
    /// The client of AI Object Storage's S3 endpoint (buckets and bucket policies).
    pub s3: S3Client,
    /// Base URL of cluster issuers, without trailing slash.
    pub oidc_issuer_base_url: String,
}

/// State shared between the provider and its resources: resources are built before `configure`.
#[derive(Default)]
pub struct ProviderData {
    configured: RwLock<Option<Arc<Configured>>>,
    /// The names this process's planned resources create or hold.
    pub planned: PlannedNames,
}

impl ProviderData {
    /// The configured client, if the provider was configured (for checks that may wait until
    /// apply when it was not).
    pub fn configured(&self) -> Option<Arc<Configured>> {
        self.configured.read().ok().and_then(|c| c.clone())
    }

    /// The configured client, or an error diagnostic when the provider was not configured.
    pub fn get(&self, diags: &mut Diagnostics) -> Option<Arc<Configured>> {
        let configured = self.configured();
        if configured.is_none() {
            diags.root_error(
                "Provider not configured",
                "The coreweave provider was not configured before use. This is a bug in the provider or \
                 an unknown provider configuration; check the provider block.",
            );
        }
        configured
    }

    fn set(&self, configured: Configured) {
        if let Ok(mut slot) = self.configured.write() {
            *slot = Some(Arc::new(configured));
        }
    }
}

#[cfg(test)]
impl ProviderData {
    /// Provider data configured with these clients, for the tests of resources.
    pub(crate) fn configured_with(client: ApiClient, s3: S3Client) -> Arc<Self> {
        let data = Self::default();
        data.set(Configured {
            client,
            s3,
            oidc_issuer_base_url: crate::settings::DEFAULT_OIDC_ISSUER_BASE_URL.to_string(),
        });
        Arc::new(data)
    }
}

/// The provider block as Terraform sends it.
#[derive(Serialize, Deserialize, Default)]
pub struct ProviderConfig {
    #[serde(default)]
    pub token: Value<String>,
    #[serde(default)]
    pub authentication: Value<AuthenticationConfig>,
    #[serde(default)]
    pub endpoint: Value<String>,
    #[serde(default)]
    pub s3_endpoint: Value<String>,
    #[serde(default)]
    pub oidc_issuer_base_url: Value<String>,
    #[serde(default)]
    pub request_timeout_seconds: Value<i64>,
    #[serde(default)]
    pub max_retries: Value<i64>,
}

/// `authentication = { workload_identity = { service_account_uid = "..." } }`.
#[derive(Serialize, Deserialize, Default, Clone)]
pub struct AuthenticationConfig {
    #[serde(default)]
    pub workload_identity: Value<WorkloadIdentityConfig>,
}

/// `authentication.workload_identity`.
#[derive(Serialize, Deserialize, Default, Clone)]
pub struct WorkloadIdentityConfig {
    #[serde(default)]
    pub service_account_uid: Value<String>,
}

/// The service account uid the `authentication` block names (`Set(None)`: it names none).
fn authentication(value: &Value<AuthenticationConfig>) -> Input<Option<String>> {
    let workload_identity = match value {
        Value::Null => return Input::Unset,
        Value::Unknown => return Input::Unknown,
        Value::Value(authentication) => &authentication.workload_identity,
    };
    match workload_identity {
        Value::Unknown => Input::Unknown,
        Value::Null => Input::Set(None),
        Value::Value(w) => match &w.service_account_uid {
            Value::Unknown => Input::Unknown,
            Value::Null => Input::Set(None),
            Value::Value(uid) => Input::Set(Some(uid.clone())),
        },
    }
}

/// A provider setting as Terraform sent it, converted to the type the settings hold it in.
fn input<T: Clone + Into<U>, U>(value: &Value<T>) -> Input<U> {
    match value {
        Value::Value(v) => Input::Set(v.clone().into()),
        Value::Null => Input::Unset,
        Value::Unknown => Input::Unknown,
    }
}

impl ProviderConfig {
    fn raw(&self) -> RawSettings {
        RawSettings {
            token: input(&self.token),
            authentication: authentication(&self.authentication),
            endpoint: input(&self.endpoint),
            s3_endpoint: input(&self.s3_endpoint),
            oidc_issuer_base_url: input(&self.oidc_issuer_base_url),
            request_timeout_seconds: input(&self.request_timeout_seconds),
            max_retries: input(&self.max_retries),
        }
    }
}

fn report(diags: &mut Diagnostics, errors: Vec<SettingError>) {
    for e in errors {
        diags.error(e.summary, e.detail, AttributePath::new(e.attribute));
    }
}

/// The fields of `authentication`.
fn authentication_fields() -> Vec<Field> {
    vec![Field::new(
        "workload_identity",
        object_of(workload_identity_fields()),
        "Authenticate as a CoreWeave service account with the CI system's OIDC token, exchanged for short-lived bearer tokens.",
    )]
}

/// The fields of `authentication.workload_identity`.
fn workload_identity_fields() -> Vec<Field> {
    vec![Field::new(
        "service_account_uid",
        AttributeType::String,
        "Uid of the CoreWeave service account whose OIDC trust accepts the CI's tokens (issuer, audience, subject).",
    )]
}

pub use tf_plugin_server::{DataSources, EphemeralResources, Functions, ListResources, Resources};

/// The resources, list resources, data sources, ephemeral resources and functions the provider
/// serves, by name without the provider prefix; given by the registry above them, so that the provider imports none.
pub struct Registry {
    /// Builds every resource.
    pub resources: fn(&Arc<ProviderData>) -> Resources,
    /// Builds every data source.
    pub data_sources: fn(&Arc<ProviderData>) -> DataSources,
    /// Builds every ephemeral resource.
    pub ephemeral_resources: fn(&Arc<ProviderData>) -> EphemeralResources,
    /// Builds every list resource.
    pub list_resources: fn(&Arc<ProviderData>) -> ListResources,
    /// Builds every function.
    pub functions: fn() -> Functions,
}

/// The CoreWeave provider.
pub struct CoreWeaveProvider {
    data: Arc<ProviderData>,
    registry: Registry,
}

impl CoreWeaveProvider {
    /// A provider serving what `registry` lists.
    pub fn new(registry: Registry) -> Self {
        Self {
            data: Arc::default(),
            registry,
        }
    }

    /// What the docs say about the fields of `authentication`.
    pub fn field_docs() -> FieldDocs {
        let mut docs = field_docs("authentication", &authentication_fields());
        docs.extend(field_docs(
            "authentication.workload_identity",
            &workload_identity_fields(),
        ));
        docs
    }

    /// The provider's schema (also used by the docs generator).
    pub fn provider_schema() -> Schema {
        schema(block(
            "Manages CoreWeave CKS cluster OIDC settings and AI Object Storage workload identity federation.",
            [
                Attr::string("token", Kind::Optional, "CoreWeave API access token. Falls back to `COREWEAVE_API_TOKEN`. Needed only when a resource or data source calls the API, so `terraform validate` and provider functions work without it.").sensitive(),
                Attr::new("authentication", object_of(authentication_fields()), Kind::Optional, "Authentication other than `token`: `{ workload_identity = { service_account_uid = \"...\" } }` exchanges the OIDC token a CI system puts into `TFC_WORKLOAD_IDENTITY_TOKEN` (read again at each refresh) for short-lived credentials of that CoreWeave service account, refreshed before they expire. Not together with `token`; `COREWEAVE_API_TOKEN` is then ignored."),
                Attr::string("endpoint", Kind::Optional, "API endpoint. Falls back to `COREWEAVE_API_ENDPOINT`, then `https://api.coreweave.com`. Must be `https://`, except a loopback host (`localhost`, `127.0.0.1`, `[::1]`), which may use `http://` (the local sandbox)."),
                Attr::string("s3_endpoint", Kind::Optional, "AI Object Storage's S3 endpoint, for buckets and bucket policies. Falls back to `COREWEAVE_S3_ENDPOINT`, then `https://cwobject.com`. Must be `https://`, except a loopback host, which may use `http://`; no path. Buckets are addressed as `https://<bucket>.<host>`, or in the path when the host is an IP address or `localhost` (the local sandbox). Calls are signed with short-lived keys (15 minutes) the provider gets from the API with its own credentials and renews; `AWS_*` variables and files are not read."),
                Attr::string("oidc_issuer_base_url", Kind::Optional, "Base URL of the OIDC issuers CKS clusters publish; a cluster's issuer is `<base>/id/<cluster id>`. Falls back to `COREWEAVE_OIDC_ISSUER_BASE_URL`, then `https://oidc.cks.coreweave.com`."),
                Attr::new("request_timeout_seconds", AttributeType::Number, Kind::Optional, "Timeout of each HTTP request, in seconds (1 to 600). Defaults to `30`."),
                Attr::new("max_retries", AttributeType::Number, Kind::Optional, "How many times a request is retried after HTTP 429, 502, 503, 504 or a transport error, with exponential backoff and jitter, honouring `Retry-After` (0 to 30). Defaults to `8`. Once requests have timed out or failed to connect twice in a row, the endpoint counts as down and the other calls of the Terraform operation fail at once."),
            ],
            [],
        ))
    }

    fn client_config(settings: &Settings) -> ClientConfig {
        ClientConfig {
            endpoint: settings.endpoint.clone(),
            token: settings.token.clone(),
            bearer_source: settings.workload_identity.clone().map(
                |service_account_uid| -> Arc<dyn crate::api::BearerSource> {
                    Arc::new(BearerCache::new(WorkloadIdentity {
                        service_account_uid,
                        ci_token: Arc::new(|| ProcessEnvironment.var(ENV_WORKLOAD_IDENTITY_TOKEN)),
                        ci_token_name: ENV_WORKLOAD_IDENTITY_TOKEN.to_string(),
                    }))
                },
            ),
            request_timeout: settings.request_timeout,
            max_retries: settings.max_retries,
            user_agent: crate::api::default_user_agent(),
            stop: crate::plugin::interrupt::global().clone(),
        }
    }
}

impl CoreWeaveProvider {
    fn s3_config(settings: &Settings) -> S3Config {
        S3Config {
            endpoint: settings.s3_endpoint.clone(),
            request_timeout: settings.request_timeout,
            max_retries: settings.max_retries,
            user_agent: crate::api::default_user_agent(),
            stop: crate::plugin::interrupt::global().clone(),
        }
    }
}

#[async_trait]
impl Provider for CoreWeaveProvider {
    type Config = ProviderConfig;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::provider_schema())
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Self::Config) -> Option<()> {
        let errors = settings::validate_configured(&config.raw());
        let ok = errors.is_empty();
        report(diags, errors);
        ok.then_some(())
    }

    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: String,
        config: Self::Config,
    ) -> Option<()> {
        let settings = match settings::resolve(&config.raw(), &ProcessEnvironment) {
            Ok(s) => s,
            Err(errors) => {
                report(diags, errors);
                return None;
            }
        };
        tracing::debug!(
            terraform_version,
            endpoint = settings.endpoint.as_str(),
            s3_endpoint = settings.s3_endpoint.as_str(),
            token_set = settings.token.is_some(),
            workload_identity = settings.workload_identity.as_deref().unwrap_or("none"),
            "configuring provider"
        );
        let clients = ApiClient::new(Self::client_config(&settings)).and_then(|client| {
            let s3 = S3Client::new(client.clone(), Self::s3_config(&settings))?;
            Ok((client, s3))
        });
        match clients {
            Ok((client, s3)) => {
                self.data.set(Configured {
                    client,
                    s3,
                    oidc_issuer_base_url: settings.oidc_issuer_base_url,
                });
                Some(())
            }
            Err(e) => {
                diags.error(
                    "Invalid provider configuration",
                    e.to_string(),
                    AttributePath::new("endpoint"),
                );
                None
            }
        }
    }

    fn resources(&self) -> Resources {
        (self.registry.resources)(&self.data)
    }

    fn data_sources(&self) -> DataSources {
        (self.registry.data_sources)(&self.data)
    }

    fn ephemeral_resources(&self) -> EphemeralResources {
        (self.registry.ephemeral_resources)(&self.data)
    }

    fn list_resources(&self) -> ListResources {
        (self.registry.list_resources)(&self.data)
    }

    fn functions(&self) -> Functions {
        (self.registry.functions)()
    }

    fn stop(&self) {
        crate::plugin::interrupt::global().cancel();
    }
}
