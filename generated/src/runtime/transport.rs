//! The seam between the [`Client`](super::Client) and the network: a [`Transport`] takes one
//! HTTP request and returns the response's status, headers and body as it arrives.
//!
//! Everything above it (validation, the scope check, encoding, the token, retries, deadlines,
//! redirect refusal, size limits, decoding, pagination, event streams) is the client's and
//! runs unchanged whatever the transport. The default one, [`ReqwestTransport`], sends over
//! `reqwest`; tests give the client an in-process one instead (see `losant::testing`, behind
//! the `test-util` feature), so no socket is needed.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

use super::request::{Method, Operation};

/// A boxed, sendable future, as [`Transport::send`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A response body as it arrives, chunk by chunk.
pub type ResponseBody = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;

/// A streamed request body, chunk by chunk (multipart uploads).
pub type RequestBodyStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// Sends one HTTP request and returns the response as it arrives: the seam between the
/// [`Client`](super::Client) and the network.
///
/// Everything above it (validation, the scope check, encoding, the token, retries, deadlines,
/// redirect refusal, size limits, decoding, pagination, event streams) is the client's and
/// runs unchanged whatever the transport. The default one is [`ReqwestTransport`]; a client
/// is given another with [`ClientBuilder::transport`](super::ClientBuilder::transport).
///
/// A transport must not follow redirects (the client refuses them, naming the status and
/// `Location`), must not retry (the client does, where it is safe), and need not enforce
/// timeouts (the client bounds every attempt and the whole operation).
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`; returns once the response's status and headers have arrived.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// One HTTP request, ready to send: URL with its query, every header (the token included), and
/// the body.
pub struct HttpRequest {
    /// The operation the request is for.
    pub operation: &'static Operation,
    /// Which attempt this is, from 1.
    pub attempt: u32,
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: Url,
    /// Every header to send. The `Authorization` value is marked sensitive.
    pub headers: HeaderMap,
    /// The body.
    pub body: RequestBody,
}

impl fmt::Debug for HttpRequest {
    /// Shows the method, URL, header names and body size, never header values (one is the
    /// token).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("operation", &self.operation.id)
            .field("attempt", &self.attempt)
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &names)
            .field("body", &self.body)
            .finish()
    }
}

/// The body of an [`HttpRequest`].
pub enum RequestBody {
    /// No body.
    Empty,
    /// The whole body (JSON).
    Bytes(Bytes),
    /// A body produced as it is sent (a multipart upload), with its length when known.
    Stream {
        /// The body's chunks.
        stream: RequestBodyStream,
        /// Its length in bytes, when known (sent as `Content-Length`).
        length: Option<u64>,
    },
}

impl RequestBody {
    /// Reads the whole body (for transports that inspect it, such as the test transport).
    pub async fn collect(self) -> std::io::Result<Bytes> {
        match self {
            RequestBody::Empty => Ok(Bytes::new()),
            RequestBody::Bytes(bytes) => Ok(bytes),
            RequestBody::Stream { stream, .. } => {
                let chunks: Vec<Bytes> = stream.try_collect().await?;
                Ok(chunks.concat().into())
            }
        }
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestBody::Empty => f.write_str("Empty"),
            RequestBody::Bytes(bytes) => write!(f, "Bytes(<{} bytes>)", bytes.len()),
            RequestBody::Stream { length, .. } => match length {
                Some(n) => write!(f, "Stream(<{n} bytes>)"),
                None => f.write_str("Stream(<unknown length>)"),
            },
        }
    }
}

/// A response: its status and headers, and its body as it arrives.
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, read by the client as far as it needs.
    pub body: ResponseBody,
}

impl HttpResponse {
    /// A response whose whole body is `body`.
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        let body: Bytes = body.into();
        HttpResponse {
            status,
            headers,
            body: Box::pin(futures_util::stream::iter(
                (!body.is_empty()).then_some(Ok(body)),
            )),
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// When a [`TransportError`] happened, which decides whether a retry is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (DNS, refused, TLS handshake): nothing was sent.
    Connect,
    /// The request failed after the connection was made, before the response's headers
    /// arrived (the server may have received it).
    Request,
    /// The response's body broke off (a reset, or fewer bytes than its `Content-Length`).
    Body,
    /// Anything else (e.g. a redirect that an HTTP client given to the SDK followed on its
    /// own).
    Other,
}

/// Why a [`Transport`] could not complete an exchange.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn StdError + Send + Sync>,
}

impl TransportError {
    /// An error of `kind`, caused by `source`.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            source: source.into(),
        }
    }

    /// When it happened.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether nothing reached the server, so that any request may be sent again.
    pub fn nothing_sent(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }
}

impl fmt::Display for TransportError {
    /// The error followed by its causes, e.g. `error sending request: tcp connect error:
    /// Connection refused`, so that the message says what actually went wrong.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Request => "the request failed",
            TransportErrorKind::Body => "the response body broke off",
            TransportErrorKind::Other => "the exchange failed",
        };
        let mut text = self.source.to_string();
        let mut cause = self.source.source();
        while let Some(err) = cause {
            let part = err.to_string();
            if !text.contains(&part) {
                text.push_str(": ");
                text.push_str(&part);
            }
            cause = err.source();
        }
        write!(f, "{what}: {text}")
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// The default [`Transport`]: a `reqwest` client (one connection pool for every clone of the
/// SDK's client), which follows no redirect.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// Whether the client may follow redirects on its own (one given by the caller), so
    /// that each answer's URL must be compared with the request's.
    check_redirects: bool,
}

impl ReqwestTransport {
    /// A transport over a new `reqwest` client that follows no redirect, with `connect_timeout`
    /// for establishing connections and the TLS backend of the crate's features (see
    /// [`client_builder`](Self::client_builder)).
    pub fn new(connect_timeout: Duration) -> Result<Self, Box<dyn StdError + Send + Sync>> {
        let client = Self::client_builder()?
            .connect_timeout(connect_timeout)
            .build()?;
        Ok(ReqwestTransport {
            client,
            check_redirects: false,
        })
    }

    /// The `reqwest` client builder the SDK starts from: no redirects, and the TLS backend the
    /// crate's features chose (`rustls`, the default: rustls with the *ring* provider and the
    /// platform's trusted roots; `rustls-aws-lc`; `native-tls`). Add your own settings (a
    /// proxy, pool sizes, ...) and give the client to
    /// [`ClientBuilder::http_client`](super::ClientBuilder::http_client).
    ///
    /// Under the `rustls` feature the TLS configuration is built here, whole, so reqwest's
    /// TLS settings (`add_root_certificate`, `min_tls_version`, ...) have no effect on this
    /// builder. For those, install a process-wide rustls provider
    /// (`rustls::crypto::ring::default_provider().install_default()`) and start from
    /// `reqwest::Client::builder()`.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    /// let http = losant::runtime::ReqwestTransport::client_builder()?
    ///     .pool_max_idle_per_host(4)
    ///     .build()?;
    /// let client = losant::Client::builder("my-api-token").http_client(http).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_builder() -> Result<reqwest::ClientBuilder, Box<dyn StdError + Send + Sync>> {
        super::tls::configure(
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()),
        )
    }

    /// The TLS backend this build uses, e.g. `rustls with ring`; `None` when no TLS feature
    /// is on and only plain `http://` works.
    pub fn tls_backend() -> Option<&'static str> {
        super::tls::BACKEND
    }

    /// A transport over a `reqwest` client of your own (its proxy, TLS and pool settings).
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: if it follows a redirect
    /// anyway, the call fails rather than return the other URL's answer.
    pub fn with_client(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            check_redirects: true,
        }
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            // Only a client given by the caller can have followed a redirect: the URL is kept
            // to compare with the answer's only then.
            let sent_to = self.check_redirects.then(|| request.url.clone());
            let mut outgoing = reqwest::Request::new(request.method.to_reqwest(), request.url);
            *outgoing.headers_mut() = request.headers;
            *outgoing.body_mut() = match request.body {
                RequestBody::Empty => None,
                RequestBody::Bytes(bytes) => Some(reqwest::Body::from(bytes)),
                RequestBody::Stream { stream, .. } => Some(reqwest::Body::wrap_stream(stream)),
            };
            let mut response = self.client.execute(outgoing).await.map_err(|err| {
                let kind = if err.is_connect() {
                    TransportErrorKind::Connect
                } else {
                    TransportErrorKind::Request
                };
                TransportError::new(kind, err)
            })?;
            if sent_to.is_some_and(|sent_to| *response.url() != sent_to) {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    format!(
                        "the HTTP client followed a redirect to `{}`; the SDK follows none \
                         (build the reqwest client with redirect::Policy::none())",
                        response.url()
                    ),
                ));
            }
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let body = response.bytes_stream().map(|chunk| {
                chunk.map_err(|err| TransportError::new(TransportErrorKind::Body, err))
            });
            Ok(HttpResponse {
                status,
                headers,
                body: Box::pin(body),
            })
        })
    }
}
