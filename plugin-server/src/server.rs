//! The tfplugin6 `Provider` service: each call decoded, handed to the provider's typed
//! resources, data sources, ephemeral resources and functions, and answered with their
//! diagnostics. What the provider announces in its schema is served (resource identity and list
//! resources included); Terraform never calls the rest (actions, state stores, moves, config
//! generation), which answer `Unimplemented`.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::answers::{
    capabilities, import_by, lookup, prefixed, said_why, timestamp, unimplemented_rpcs,
};
use crate::codec;
use crate::codec::decoded;
use crate::data_source::DynamicDataSource;
use crate::diagnostics::Diagnostics;
use crate::ephemeral::DynamicEphemeralResource;
use crate::function::DynamicFunction;
use crate::identity;
use crate::list::{DynamicListResource, ListRequest};
use crate::proto;
use crate::proto::provider_server::Provider as ProviderService;
use crate::provider::Provider;
use crate::resource::{DynamicResource, Stored};
use crate::schema::Schema;

type Answer<T> = Result<Response<T>, Status>;
type Stream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

/// The provider and what it serves, by full type name (`<provider>_<type>`).
pub(crate) struct Server<P: Provider> {
    provider: P,
    resources: HashMap<String, Box<dyn DynamicResource>>,
    data_sources: HashMap<String, Box<dyn DynamicDataSource>>,
    ephemeral_resources: HashMap<String, Box<dyn DynamicEphemeralResource>>,
    list_resources: HashMap<String, Box<dyn DynamicListResource>>,
    functions: HashMap<String, Box<dyn DynamicFunction>>,
    /// Cancelled when Terraform asks the plugin process to shut down.
    pub(crate) shutdown: CancellationToken,
}

impl<P: Provider> Server<P> {
    /// The server of `provider`, whose types are named `<name>_<type>`.
    pub(crate) fn new(name: &str, provider: P) -> Arc<Self> {
        Arc::new(Self {
            resources: prefixed(name, provider.resources()),
            data_sources: prefixed(name, provider.data_sources()),
            ephemeral_resources: prefixed(name, provider.ephemeral_resources()),
            list_resources: prefixed(name, provider.list_resources()),
            functions: provider.functions(),
            provider,
            shutdown: CancellationToken::new(),
        })
    }

    fn schemas<T: ?Sized>(
        diags: &mut Diagnostics,
        map: &HashMap<String, Box<T>>,
        schema: impl Fn(&T, &mut Diagnostics) -> Option<Schema>,
    ) -> HashMap<String, proto::Schema> {
        map.iter()
            .filter_map(|(name, t)| Some((name.clone(), schema(t, diags)?.to_proto())))
            .collect()
    }

    fn resource(&self, diags: &mut Diagnostics, name: &str) -> Option<&dyn DynamicResource> {
        lookup(diags, &self.resources, "resource type", name)
    }

    fn data_source(&self, diags: &mut Diagnostics, name: &str) -> Option<&dyn DynamicDataSource> {
        lookup(diags, &self.data_sources, "data source", name)
    }

    fn ephemeral_resource(
        &self,
        diags: &mut Diagnostics,
        name: &str,
    ) -> Option<&dyn DynamicEphemeralResource> {
        lookup(
            diags,
            &self.ephemeral_resources,
            "ephemeral resource type",
            name,
        )
    }

    fn list_resource(
        &self,
        diags: &mut Diagnostics,
        name: &str,
    ) -> Option<&dyn DynamicListResource> {
        lookup(diags, &self.list_resources, "list resource type", name)
    }

    fn function(&self, diags: &mut Diagnostics, name: &str) -> Option<&dyn DynamicFunction> {
        lookup(diags, &self.functions, "function", name)
    }

    fn function_schemas(&self, diags: &mut Diagnostics) -> HashMap<String, proto::Function> {
        self.functions
            .iter()
            .filter_map(|(name, f)| Some((name.clone(), f.schema(diags)?.to_proto())))
            .collect()
    }
}

#[tonic::async_trait]
impl<P: Provider> ProviderService for Server<P> {
    async fn get_metadata(
        &self,
        _: Request<proto::get_metadata::Request>,
    ) -> Answer<proto::get_metadata::Response> {
        use proto::get_metadata as m;
        let names = |map: Vec<&String>| {
            let mut names: Vec<String> = map.into_iter().cloned().collect();
            names.sort();
            names
        };
        Ok(Response::new(m::Response {
            server_capabilities: Some(capabilities()),
            resources: names(self.resources.keys().collect())
                .into_iter()
                .map(|type_name| m::ResourceMetadata { type_name })
                .collect(),
            data_sources: names(self.data_sources.keys().collect())
                .into_iter()
                .map(|type_name| m::DataSourceMetadata { type_name })
                .collect(),
            ephemeral_resources: names(self.ephemeral_resources.keys().collect())
                .into_iter()
                .map(|type_name| m::EphemeralMetadata { type_name })
                .collect(),
            list_resources: names(self.list_resources.keys().collect())
                .into_iter()
                .map(|type_name| m::ListResourceMetadata { type_name })
                .collect(),
            functions: names(self.functions.keys().collect())
                .into_iter()
                .map(|name| m::FunctionMetadata { name })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Answer<proto::get_provider_schema::Response> {
        let mut diags = Diagnostics::default();
        let provider = self.provider.schema(&mut diags).map(|s| s.to_proto());
        let resource_schemas =
            Server::<P>::schemas(&mut diags, &self.resources, |r, d| r.schema(d));
        let data_source_schemas =
            Server::<P>::schemas(&mut diags, &self.data_sources, |r, d| r.schema(d));
        let ephemeral_resource_schemas =
            Server::<P>::schemas(&mut diags, &self.ephemeral_resources, |r, d| r.schema(d));
        let list_resource_schemas =
            Server::<P>::schemas(&mut diags, &self.list_resources, |r, d| r.schema(d));
        let functions = self.function_schemas(&mut diags);
        Ok(Response::new(proto::get_provider_schema::Response {
            provider,
            resource_schemas,
            data_source_schemas,
            ephemeral_resource_schemas,
            list_resource_schemas,
            functions,
            server_capabilities: Some(capabilities()),
            diagnostics: diags.to_proto(),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<proto::validate_provider_config::Request>,
    ) -> Answer<proto::validate_provider_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(config) = decoded(&mut diags, codec::decode(request.config.as_ref())) {
            self.provider.validate(&mut diags, config).await;
        }
        Ok(Response::new(proto::validate_provider_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<proto::validate_resource_config::Request>,
    ) -> Answer<proto::validate_resource_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(r) = self.resource(&mut diags, &request.type_name) {
            r.validate(&mut diags, request.config.as_ref()).await;
        }
        Ok(Response::new(proto::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<proto::validate_data_resource_config::Request>,
    ) -> Answer<proto::validate_data_resource_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(d) = self.data_source(&mut diags, &request.type_name) {
            d.validate(&mut diags, request.config.as_ref()).await;
        }
        Ok(Response::new(
            proto::validate_data_resource_config::Response {
                diagnostics: diags.to_proto(),
            },
        ))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> Answer<proto::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let upgraded = match self.resource(&mut diags, &request.type_name) {
            Some(r) => {
                let json = request.raw_state.map(|s| s.json).unwrap_or_default();
                let stored = if json.is_empty() {
                    Ok(serde_json::Value::Null)
                } else {
                    serde_json::from_slice(&json).map_err(codec::CodecError::from)
                };
                match decoded(&mut diags, stored) {
                    Some(stored) => r.upgrade(&mut diags, request.version, stored).await,
                    None => None,
                }
            }
            None => None,
        };
        let upgraded_state = said_why(&mut diags, upgraded);
        Ok(Response::new(proto::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<proto::configure_provider::Request>,
    ) -> Answer<proto::configure_provider::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(config) = decoded(&mut diags, codec::decode(request.config.as_ref())) {
            let configured = self
                .provider
                .configure(&mut diags, request.terraform_version, config)
                .await;
            said_why(&mut diags, configured);
        }
        Ok(Response::new(proto::configure_provider::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<proto::read_resource::Request>,
    ) -> Answer<proto::read_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let read = match self.resource(&mut diags, &request.type_name) {
            Some(r) => {
                r.read(&mut diags, request.current_state.as_ref(), &request.private)
                    .await
            }
            None => None,
        };
        let read = said_why(&mut diags, read);
        Ok(Response::new(proto::read_resource::Response {
            new_identity: read.as_ref().and_then(|r| r.identity.clone()),
            new_state: read.as_ref().map(|r| r.state.clone()),
            private: read.map(|r| r.private).unwrap_or_default(),
            diagnostics: diags.to_proto(),
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<proto::plan_resource_change::Request>,
    ) -> Answer<proto::plan_resource_change::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let planned = match self.resource(&mut diags, &request.type_name) {
            Some(r) => {
                r.plan(
                    &mut diags,
                    request.prior_state.as_ref(),
                    request.proposed_new_state.as_ref(),
                    request.config.as_ref(),
                    &request.prior_private,
                )
                .await
            }
            None => None,
        };
        let mut response = proto::plan_resource_change::Response::default();
        if let Some(planned) = said_why(&mut diags, planned) {
            response.planned_state = Some(planned.state);
            response.planned_private = planned.private;
            // An update or destroy keeps the identity: what names the object never changes in
            // place (a change of it replaces the object, planned again as a create).
            response.planned_identity = planned.identity.or(request.prior_identity);
            response.requires_replace = planned
                .requires_replace
                .iter()
                .filter_map(|p| p.to_proto())
                .collect();
        }
        response.diagnostics = diags.to_proto();
        Ok(Response::new(response))
    }

    async fn apply_resource_change(
        &self,
        request: Request<proto::apply_resource_change::Request>,
    ) -> Answer<proto::apply_resource_change::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let applied = match self.resource(&mut diags, &request.type_name) {
            Some(r) => {
                r.apply(
                    &mut diags,
                    request.prior_state.as_ref(),
                    request.planned_state.as_ref(),
                    request.config.as_ref(),
                    &request.planned_private,
                )
                .await
            }
            None => None,
        };
        let applied = said_why(&mut diags, applied);
        Ok(Response::new(proto::apply_resource_change::Response {
            new_identity: applied.as_ref().and_then(|a| a.identity.clone()),
            new_state: applied.as_ref().map(|a| a.state.clone()),
            private: applied.map(|a| a.private).unwrap_or_default(),
            diagnostics: diags.to_proto(),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<proto::import_resource_state::Request>,
    ) -> Answer<proto::import_resource_state::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let imported = match self.resource(&mut diags, &request.type_name) {
            Some(r) => match import_by(&mut diags, &request) {
                Some(by) => r.import(&mut diags, by).await,
                None => None,
            },
            None => None,
        };
        let imported_resources = said_why(&mut diags, imported)
            .map(
                |imported: Stored| proto::import_resource_state::ImportedResource {
                    type_name: request.type_name.clone(),
                    state: Some(imported.state),
                    private: imported.private,
                    identity: imported.identity,
                },
            )
            .into_iter()
            .collect();
        Ok(Response::new(proto::import_resource_state::Response {
            imported_resources,
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<proto::read_data_source::Request>,
    ) -> Answer<proto::read_data_source::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let state = match self.data_source(&mut diags, &request.type_name) {
            Some(d) => d.read(&mut diags, request.config.as_ref()).await,
            None => None,
        };
        let state = said_why(&mut diags, state);
        Ok(Response::new(proto::read_data_source::Response {
            state,
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<proto::validate_ephemeral_resource_config::Request>,
    ) -> Answer<proto::validate_ephemeral_resource_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(e) = self.ephemeral_resource(&mut diags, &request.type_name) {
            e.validate(&mut diags, request.config.as_ref()).await;
        }
        Ok(Response::new(
            proto::validate_ephemeral_resource_config::Response {
                diagnostics: diags.to_proto(),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<proto::open_ephemeral_resource::Request>,
    ) -> Answer<proto::open_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let opened = match self.ephemeral_resource(&mut diags, &request.type_name) {
            Some(e) => e.open(&mut diags, request.config.as_ref()).await,
            None => None,
        };
        let mut response = proto::open_ephemeral_resource::Response::default();
        if let Some(opened) = said_why(&mut diags, opened) {
            response.result = Some(opened.result);
            response.renew_at = opened.renew_at.map(timestamp);
            response.private = Some(opened.private);
        }
        response.diagnostics = diags.to_proto();
        Ok(Response::new(response))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<proto::renew_ephemeral_resource::Request>,
    ) -> Answer<proto::renew_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let renewed = match self.ephemeral_resource(&mut diags, &request.type_name) {
            Some(e) => {
                e.renew(&mut diags, request.private.as_deref().unwrap_or_default())
                    .await
            }
            None => None,
        };
        let (renew_at, private) = said_why(&mut diags, renewed).unzip();
        Ok(Response::new(proto::renew_ephemeral_resource::Response {
            renew_at: renew_at.flatten().map(timestamp),
            private,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<proto::close_ephemeral_resource::Request>,
    ) -> Answer<proto::close_ephemeral_resource::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(e) = self.ephemeral_resource(&mut diags, &request.type_name) {
            e.close(&mut diags, request.private.as_deref().unwrap_or_default())
                .await;
        }
        Ok(Response::new(proto::close_ephemeral_resource::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<proto::get_functions::Request>,
    ) -> Answer<proto::get_functions::Response> {
        let mut diags = Diagnostics::default();
        let functions = self.function_schemas(&mut diags);
        Ok(Response::new(proto::get_functions::Response {
            functions,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<proto::call_function::Request>,
    ) -> Answer<proto::call_function::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let result = match self.function(&mut diags, &request.name) {
            Some(f) => f.call(&mut diags, &request.arguments).await,
            None => None,
        };
        let result = said_why(&mut diags, result);
        Ok(Response::new(proto::call_function::Response {
            error: diags.to_function_error(),
            result: result.filter(|_| !diags.has_errors()),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<proto::stop_provider::Request>,
    ) -> Answer<proto::stop_provider::Response> {
        tracing::info!("Terraform asked the provider to stop; interrupting long operations");
        self.provider.stop();
        Ok(Response::new(proto::stop_provider::Response::default()))
    }

    type ListResourceStream = Stream<proto::list_resource::Event>;
    type ReadStateBytesStream = Stream<proto::read_state_bytes::Response>;
    type InvokeActionStream = Stream<proto::invoke_action::Event>;

    async fn get_resource_identity_schemas(
        &self,
        _: Request<proto::get_resource_identity_schemas::Request>,
    ) -> Answer<proto::get_resource_identity_schemas::Response> {
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, r)| Some((name.clone(), r.identity_schema()?.to_proto())))
            .collect();
        Ok(Response::new(
            proto::get_resource_identity_schemas::Response {
                identity_schemas,
                diagnostics: Vec::new(),
            },
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<proto::upgrade_resource_identity::Request>,
    ) -> Answer<proto::upgrade_resource_identity::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let schema = self
            .resource(&mut diags, &request.type_name)
            .map(|r| r.identity_schema());
        let upgraded = match schema {
            Some(Some(schema)) => identity::upgrade(
                &mut diags,
                &schema,
                request.version,
                request.raw_identity.map(|raw| raw.json).unwrap_or_default(),
            ),
            Some(None) => {
                diags.root_error(
                    "No resource identity",
                    format!("The resource type {:?} has no identity.", request.type_name),
                );
                None
            }
            None => None,
        };
        let upgraded_identity = said_why(&mut diags, upgraded);
        Ok(Response::new(proto::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<proto::validate_list_resource_config::Request>,
    ) -> Answer<proto::validate_list_resource_config::Response> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(l) = self.list_resource(&mut diags, &request.type_name) {
            l.validate(&mut diags, request.config.as_ref()).await;
        }
        Ok(Response::new(
            proto::validate_list_resource_config::Response {
                diagnostics: diags.to_proto(),
            },
        ))
    }

    async fn list_resource(
        &self,
        request: Request<proto::list_resource::Request>,
    ) -> Answer<Self::ListResourceStream> {
        let request = request.into_inner();
        let mut diags = Diagnostics::default();
        let events = match self.list_resource(&mut diags, &request.type_name) {
            Some(l) => {
                l.list(ListRequest {
                    config: request.config.as_ref(),
                    include_resource: request.include_resource_object,
                    limit: request.limit,
                })
                .await
            }
            None => vec![proto::list_resource::Event {
                diagnostic: diags.to_proto(),
                ..Default::default()
            }],
        };
        let stream = tokio_stream::iter(events.into_iter().map(Ok));
        Ok(Response::new(Box::pin(stream)))
    }

    async fn read_state_bytes(
        &self,
        _: Request<proto::read_state_bytes::Request>,
    ) -> Answer<Self::ReadStateBytesStream> {
        Err(Status::unimplemented(
            "read_state_bytes is not served by this provider",
        ))
    }

    async fn invoke_action(
        &self,
        _: Request<proto::invoke_action::Request>,
    ) -> Answer<Self::InvokeActionStream> {
        Err(Status::unimplemented(
            "invoke_action is not served by this provider",
        ))
    }

    async fn write_state_bytes(
        &self,
        _: Request<tonic::Streaming<proto::write_state_bytes::RequestChunk>>,
    ) -> Answer<proto::write_state_bytes::Response> {
        Err(Status::unimplemented(
            "write_state_bytes is not served by this provider",
        ))
    }

    unimplemented_rpcs! {
        move_resource_state(move_resource_state) -> proto::move_resource_state::Response;
        generate_resource_config(generate_resource_config) -> proto::generate_resource_config::Response;
        validate_state_store_config(validate_state_store) -> proto::validate_state_store::Response;
        configure_state_store(configure_state_store) -> proto::configure_state_store::Response;
        lock_state(lock_state) -> proto::lock_state::Response;
        unlock_state(unlock_state) -> proto::unlock_state::Response;
        get_states(get_states) -> proto::get_states::Response;
        delete_state(delete_state) -> proto::delete_state::Response;
        plan_action(plan_action) -> proto::plan_action::Response;
        validate_action_config(validate_action_config) -> proto::validate_action_config::Response;
    }
}
