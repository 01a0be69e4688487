//! A provider registry on a loopback port, over HTTPS with a throwaway CA (Terraform trusts it
//! through `SSL_CERT_FILE`), serving one release's files as they are through both protocols
//! Terraform installs providers with:
//!
//! - the provider registry protocol (<https://developer.hashicorp.com/terraform/internals/provider-registry-protocol>):
//!   service discovery at `/.well-known/terraform.json`, the versions of `cwfed/coreweave`, and
//!   the download answer naming the zip, `SHA256SUMS`, its signature and the signing key;
//! - the provider network mirror protocol (<https://developer.hashicorp.com/terraform/internals/provider-network-mirror-protocol>)
//!   under `/mirror/`, for `registry.terraform.io/cwfed/coreweave`.
//!
//! The TLS and HTTP serving is the sandbox's (`coreweave_sandbox::{tls, https}`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use coreweave_sandbox::https::serve_https;
use coreweave_sandbox::tls::{
    loopback_names, server_config, CertificateAuthority, FixedCertificate,
};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::release::{package_h1, platform, signature_name, sums_name, zip_name, Release, VERSION};

/// The namespace and type of the one provider served.
const NAMESPACE: &str = "cwfed";
const TYPE: &str = "coreweave";
/// The provider hostname the mirror serves (the public registry's, as for a published provider).
pub const MIRRORED_HOST: &str = "registry.terraform.io";

/// What the registry knows of the release it serves, as a real registry does: the protocols
/// from its manifest, the zip's digest from its `SHA256SUMS`, and the public key the publisher
/// registered. A release built here has one platform, this machine's.
struct Catalog {
    /// `https://localhost:<port>`.
    base: String,
    files: PathBuf,
    protocols: Vec<String>,
    zip: String,
    shasum: String,
    key_id: String,
    public_key: String,
}

/// A running registry; it stops when dropped.
pub struct Registry {
    /// `localhost:<port>`: the hostname of the provider source addresses it serves.
    host: String,
    ca: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl Registry {
    /// Serves `release`, announcing the key that signed it.
    pub fn serve(release: &Release) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let host = format!("localhost:{port}");
        let catalog = Catalog {
            base: format!("https://{host}"),
            files: release.dir().to_path_buf(),
            protocols: release.protocols(),
            zip: zip_name(),
            shasum: release.sum_of(&zip_name()),
            key_id: release.key.key_id().to_string(),
            public_key: release.key.public_key(),
        };

        let authority = CertificateAuthority::generate("throwaway registry CA").expect("a CA");
        let certificate = authority
            .issue(&loopback_names())
            .expect("a server certificate");
        let tls = server_config(Arc::new(FixedCertificate(certificate))).expect("a TLS config");
        let ca = tempfile::tempdir().expect("temp dir");
        std::fs::write(ca.path().join("ca.pem"), authority.pem()).expect("writing the CA");

        let app = routes(Arc::new(catalog));
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                serve_https(listener, tls, app, async {
                    let _ = stop.await;
                })
                .await;
            });
        });
        Self {
            host,
            ca,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// The provider's source address at this registry, `localhost:<port>/cwfed/coreweave`.
    pub fn source(&self) -> String {
        format!("{}/{NAMESPACE}/{TYPE}", self.host)
    }

    /// The CA certificate (PEM file) that signed the registry's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.ca.path().join("ca.pem")
    }

    /// The environment that makes Terraform trust this registry's CA and no other.
    pub fn trust_env(&self) -> [(&'static str, String); 2] {
        [
            ("SSL_CERT_FILE", self.ca_file().display().to_string()),
            ("SSL_CERT_DIR", self.ca.path().display().to_string()),
        ]
    }

    /// The base URL of the network mirror.
    pub fn mirror_url(&self) -> String {
        format!("https://{}/mirror/", self.host)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

fn routes(catalog: Arc<Catalog>) -> Router {
    Router::new()
        .route("/.well-known/terraform.json", get(discovery))
        .route("/v1/providers/:namespace/:type/versions", get(versions))
        .route(
            "/v1/providers/:namespace/:type/:version/download/:os/:arch",
            get(download),
        )
        .route("/files/:name", get(file))
        .route("/mirror/:hostname/:namespace/:type/:document", get(mirror))
        .with_state(catalog)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"errors": ["Not Found"]})),
    )
        .into_response()
}

fn is_served(namespace: &str, kind: &str) -> bool {
    namespace == NAMESPACE && kind == TYPE
}

async fn discovery() -> Json<Value> {
    Json(json!({"providers.v1": "/v1/providers/"}))
}

async fn versions(
    State(catalog): State<Arc<Catalog>>,
    UrlPath((namespace, kind)): UrlPath<(String, String)>,
) -> Response {
    if !is_served(&namespace, &kind) {
        return not_found();
    }
    let (os, arch) = platform();
    Json(json!({"versions": [{
        "version": VERSION,
        "protocols": catalog.protocols,
        "platforms": [{"os": os, "arch": arch}],
    }]}))
    .into_response()
}

async fn download(
    State(catalog): State<Arc<Catalog>>,
    UrlPath((namespace, kind, version, os, arch)): UrlPath<(
        String,
        String,
        String,
        String,
        String,
    )>,
) -> Response {
    if !is_served(&namespace, &kind)
        || version != VERSION
        || (os.as_str(), arch.as_str()) != platform()
    {
        return not_found();
    }
    let files = format!("{}/files", catalog.base);
    let sums = sums_name();
    Json(json!({
        "protocols": catalog.protocols,
        "os": os,
        "arch": arch,
        "filename": catalog.zip,
        "download_url": format!("{files}/{}", catalog.zip),
        "shasums_url": format!("{files}/{sums}"),
        "shasums_signature_url": format!("{files}/{}", signature_name()),
        "shasum": catalog.shasum,
        "signing_keys": {"gpg_public_keys": [{
            "key_id": catalog.key_id,
            "ascii_armor": catalog.public_key,
            "trust_signature": "",
            "source": "cwfed",
            "source_url": null,
        }]},
    }))
    .into_response()
}

async fn file(State(catalog): State<Arc<Catalog>>, UrlPath(name): UrlPath<String>) -> Response {
    let path = catalog.files.join(&name);
    if name.contains('/') || !path.is_file() {
        return not_found();
    }
    match std::fs::read(&path) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        Err(_) => not_found(),
    }
}

async fn mirror(
    State(catalog): State<Arc<Catalog>>,
    UrlPath((hostname, namespace, kind, document)): UrlPath<(String, String, String, String)>,
) -> Response {
    if hostname != MIRRORED_HOST || !is_served(&namespace, &kind) {
        return not_found();
    }
    if document == "index.json" {
        return Json(json!({"versions": {VERSION: {}}})).into_response();
    }
    if document != format!("{VERSION}.json") {
        return not_found();
    }
    let (os, arch) = platform();
    Json(json!({"archives": {format!("{os}_{arch}"): {
        "url": format!("{}/files/{}", catalog.base, catalog.zip),
        "hashes": [package_h1()],
    }}}))
    .into_response()
}
