//! go-plugin's `plugin.GRPCController` service: `Shutdown`, which Terraform calls when it is
//! done with the plugin. Two messages and one call, served with tonic's unary server.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tokio_util::sync::CancellationToken;
use tonic::codegen::{http, Body, BoxFuture, Service, StdError};
use tonic::server::{NamedService, UnaryService};

/// go-plugin's `Empty` message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Empty {}

/// The controller: `Shutdown` cancels `shutdown`, and the server drains and exits.
#[derive(Clone)]
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    /// A controller cancelling `shutdown`.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

struct Shutdown(CancellationToken);

impl UnaryService<Empty> for Shutdown {
    type Response = Empty;
    type Future = BoxFuture<tonic::Response<Empty>, tonic::Status>;

    fn call(&mut self, _: tonic::Request<Empty>) -> Self::Future {
        tracing::debug!("Terraform shut the plugin down");
        self.0.cancel();
        Box::pin(async { Ok(tonic::Response::new(Empty {})) })
    }
}

impl<B> Service<http::Request<B>> for Controller
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != "/plugin.GRPCController/Shutdown" {
            let status = tonic::Status::unimplemented("no such method");
            return Box::pin(async move { Ok(status.into_http()) });
        }
        let shutdown = Shutdown(self.shutdown.clone());
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(tonic::codec::ProstCodec::default());
            Ok(grpc.unary(shutdown, request).await)
        })
    }
}

impl NamedService for Controller {
    const NAME: &'static str = "plugin.GRPCController";
}
