use std::net::SocketAddr;

use axum::routing::get;
use axum::Extension;

use super::*;
use crate::tls::{server_config, CertificateAuthority, NameSigner};

async fn echo_name(Extension(TlsServerName(name)): Extension<TlsServerName>) -> String {
    name.unwrap_or_else(|| "(none)".into())
}

/// `GET https://{host}:{port}/` by a client that trusts only `ca_pem` and finds `name` at
/// `addr`: the answer's text.
async fn get_text(
    ca_pem: &str,
    name: &str,
    host: &str,
    addr: SocketAddr,
) -> reqwest::Result<String> {
    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .resolve(name, addr)
        .no_proxy()
        .build()
        .unwrap();
    let url = format!("https://{host}:{}/", addr.port());
    client.get(url).send().await?.text().await
}

#[tokio::test]
async fn a_client_trusting_the_ca_reaches_any_name_and_the_handler_learns_it() {
    let ca = Arc::new(CertificateAuthority::generate("test CA").unwrap());
    let config = server_config(Arc::new(NameSigner::new(ca.clone()).unwrap())).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/", get(echo_name));
    tokio::spawn(serve_https(listener, config, app, std::future::pending()));

    let name = "c1.k8s.sandbox.test";
    let by_name = get_text(&ca.pem(), name, name, addr).await.unwrap();
    assert_eq!(by_name, name);
    let by_ip = get_text(&ca.pem(), name, "127.0.0.1", addr).await.unwrap();
    assert_eq!(by_ip, "(none)");

    let other = CertificateAuthority::generate("another CA").unwrap();
    let untrusted = get_text(&other.pem(), name, name, addr).await;
    assert!(untrusted.is_err(), "a client trusting another CA connected");
}
