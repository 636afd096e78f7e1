//! The TLS backend of the default transport, as the crate's features choose it.
//!
//! | feature | backend | builds |
//! |---|---|---|
//! | `rustls` (default) | rustls with the *ring* crypto provider, the platform's trusted roots | no C library beyond *ring*'s small one |
//! | `rustls-aws-lc` | rustls with *aws-lc-rs* (reqwest's own default) | `aws-lc-sys`: a C library, CMake-free but slow to compile |
//! | `native-tls` | the platform's TLS (OpenSSL on Linux, Secure Transport, SChannel) | links the system library |
//!
//! An alternative chosen explicitly wins over the default: `native-tls` over both rustls
//! features, `rustls-aws-lc` over `rustls` (as reqwest itself prefers native-tls when both are
//! compiled in). With none of them, the client speaks plain HTTP only, and building one for an
//! `https://` base URL fails with [`Error::Config`](super::Error::Config).
//!
//! reqwest 0.13 offers rustls with *aws-lc-rs* (`rustls`) or with no crypto provider at all
//! (`rustls-no-provider`, which panics when a client is built unless the application installed
//! a process-wide provider). So that a library need not install a process-wide default (which
//! is the application's choice to make), the `rustls` feature builds the `rustls::ClientConfig`
//! itself, with the provider the application installed if it did, *ring* otherwise, and the
//! same certificate verification reqwest uses by default (`rustls-platform-verifier`: the
//! operating system's trusted roots), and hands it to reqwest whole.

use std::error::Error as StdError;

/// The backend the default transport uses, named for messages (`None`: plain HTTP only).
pub(crate) const BACKEND: Option<&str> = if cfg!(feature = "native-tls") {
    Some("native-tls")
} else if cfg!(feature = "rustls-aws-lc") {
    Some("rustls with aws-lc-rs")
} else if cfg!(feature = "rustls") {
    Some("rustls with ring")
} else {
    None
};

/// `builder` with the TLS backend the features chose.
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, Box<dyn StdError + Send + Sync>> {
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls-aws-lc", not(feature = "native-tls")))]
    let builder = builder.tls_backend_rustls();
    #[cfg(all(
        feature = "rustls",
        not(any(feature = "native-tls", feature = "rustls-aws-lc"))
    ))]
    let builder = builder.tls_backend_preconfigured(rustls_ring::client_config(Vec::new())?);
    Ok(builder)
}

#[cfg(all(
    feature = "rustls",
    not(any(feature = "native-tls", feature = "rustls-aws-lc"))
))]
mod rustls_ring {
    use std::sync::Arc;

    use rustls::ClientConfig;
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::CertificateDer;

    /// The rustls configuration of the `rustls` feature: the process-wide provider if the
    /// application installed one, *ring* otherwise; the platform verifier, with `extra_roots`
    /// trusted besides the system's; HTTP/2 and HTTP/1.1 offered by ALPN, as reqwest does.
    pub(super) fn client_config(
        extra_roots: Vec<CertificateDer<'static>>,
    ) -> Result<ClientConfig, rustls::Error> {
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
        let verifier = if extra_roots.is_empty() {
            rustls_platform_verifier::Verifier::new(provider.clone())?
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())?
        };
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous() // a custom verifier: the platform's, which does verify
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }

    #[cfg(test)]
    mod tests {
        use std::sync::Arc;

        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        use super::client_config;

        const CA: &[u8] = include_bytes!("../../tests/fixtures/tls/ca.cert.pem");
        const CERT: &[u8] = include_bytes!("../../tests/fixtures/tls/localhost.cert.pem");
        const KEY: &[u8] = include_bytes!("../../tests/fixtures/tls/localhost.key.pem");

        #[test]
        fn the_config_offers_http2_and_uses_a_provider_without_installing_one() {
            let config = client_config(Vec::new()).expect("a config");
            assert_eq!(config.alpn_protocols, [&b"h2"[..], &b"http/1.1"[..]]);
            assert!(!config.crypto_provider().cipher_suites.is_empty());
            assert!(
                rustls::crypto::CryptoProvider::get_default().is_none(),
                "no process-wide provider was installed behind the application's back"
            );
        }

        /// A whole HTTPS exchange through reqwest with this configuration: the handshake
        /// with *ring*, the platform verifier trusting the test CA, and an answer read.
        #[tokio::test]
        async fn an_https_request_succeeds_with_the_ring_configuration() {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT)
                .collect::<Result<_, _>>()
                .expect("the test certificate");
            let key = PrivateKeyDer::from_pem_slice(KEY).expect("the test key");
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut server = rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .expect("a server config");
            server.alpn_protocols = vec![b"http/1.1".to_vec()];
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let port = listener.local_addr().expect("address").port();
            tokio::spawn(async move {
                let (socket, _) = listener.accept().await.expect("a connection");
                let mut tls = acceptor.accept(socket).await.expect("a TLS handshake");
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    assert_eq!(tls.read(&mut byte).await.expect("read"), 1);
                    head.push(byte[0]);
                }
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                tls.write_all(answer).await.expect("write");
                tls.shutdown().await.expect("shutdown");
            });

            let ca = CertificateDer::from_pem_slice(CA).expect("the test CA");
            let client = reqwest::Client::builder()
                .tls_backend_preconfigured(client_config(vec![ca]).expect("a config"))
                .build()
                .expect("a reqwest client");
            let response = tokio::time::timeout(
                std::time::Duration::from_secs(30),
                client.get(format!("https://localhost:{port}/")).send(),
            )
            .await
            .expect("no hang")
            .expect("an answer over TLS");
            assert_eq!(response.status(), 200);
            assert_eq!(response.text().await.expect("a body"), "ok");
        }
    }
}
