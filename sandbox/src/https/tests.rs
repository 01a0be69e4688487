use std::net::SocketAddr;

use axum::routing::get;
use axum::Extension;

use super::*;
use crate::tls::{server_config, CertificateAuthority, NameSigner};

async fn echo_name(Extension(TlsServerName(name)): Extension<TlsServerName>) -> String {
    name.unwrap_or_else(|| "(none)".into())
}

/// A client that trusts only `ca_pem` and reaches `name` at `addr`.
fn client(ca_pem: &str, name: &str, addr: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .resolve(name, addr)
        .no_proxy()
        .build()
        .unwrap()
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
    let got = client(&ca.pem(), name, addr)
        .get(format!("https://{name}:{}/", addr.port()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(got, name);
    let by_ip = client(&ca.pem(), "unused.test", addr)
        .get(format!("https://127.0.0.1:{}/", addr.port()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(by_ip, "(none)");

    let other = CertificateAuthority::generate("another CA").unwrap();
    let untrusted = client(&other.pem(), name, addr)
        .get(format!("https://{name}:{}/", addr.port()))
        .send()
        .await;
    assert!(untrusted.is_err(), "a client trusting another CA connected");
}
