//! The [`Client`]: configuration, and sending requests with retries.

use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
    USER_AGENT,
};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use super::error::{ApiError, Error, excerpt};
use super::events::{self, EventStream, ServerSentEvent};
use super::multipart::MultipartPart;
use super::request::{Body, Operation, Request, RequestParts};
use super::retry::{RetryPolicy, parse_retry_after};
use super::{ApiInfo, scopes};

/// The environment variable [`Client::from_env`] reads the API token from.
pub const TOKEN_ENV_VAR: &str = "LOSANT_API_TOKEN";
/// The environment variable [`Client::from_env`] reads a base URL from, if set.
pub const URL_ENV_VAR: &str = "LOSANT_API_URL";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_USER_AGENT: &str = concat!("losant-rs/", env!("CARGO_PKG_VERSION"));

fn api_info() -> &'static ApiInfo {
    &crate::api::API_INFO
}

/// A client for the API. Cheap to clone (clones share one connection pool) and usable from
/// many tasks at once.
///
/// ```no_run
/// # fn run() -> Result<(), losant::Error> {
/// use std::time::Duration;
/// use losant::{Client, RetryPolicy};
///
/// let simple = Client::new("my-api-token");
/// let tuned = Client::builder("my-api-token")
///     .timeout(Duration::from_secs(60))
///     .retry(RetryPolicy::default().max_retries(5))
///     .build()?;
/// let from_env = Client::from_env()?; // LOSANT_API_TOKEN, and LOSANT_API_URL if set
/// # let _ = (simple, tuned, from_env);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// `Err` holds why the client could not be set up (only for [`Client::new`], which cannot
    /// fail); every call then reports it as [`Error::Config`].
    http: Result<reqwest::Client, String>,
    /// Without a trailing slash.
    base_url: String,
    /// `Authorization: Bearer <token>`, marked sensitive; `None` for an empty token.
    auth: Option<HeaderValue>,
    /// Accept, User-Agent and the API's headers.
    default_headers: HeaderMap,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    scopes: Option<Vec<String>>,
}

impl Client {
    /// A client with the default settings and the API's default base URL.
    ///
    /// An empty token sends no `Authorization` header (for the few actions that need none).
    /// This cannot fail: if the token cannot be sent in a header (a line break, say), every
    /// call fails with [`Error::Config`]; use [`Client::builder`] to learn that at once.
    pub fn new(token: impl Into<String>) -> Client {
        Client::builder(token)
            .build()
            .unwrap_or_else(|err| match err {
                Error::Config(why) => Client::unusable(why),
                other => Client::unusable(other.to_string()),
            })
    }

    /// A builder to configure the client.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(token.into())
    }

    /// A client configured from the environment: the token from `LOSANT_API_TOKEN` (required)
    /// and the base URL from `LOSANT_API_URL` (optional). See [`ClientBuilder::from_env`] to
    /// change other settings too.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    fn unusable(reason: String) -> Client {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Client {
            inner: Arc::new(Inner {
                http: Err(reason),
                base_url: api_info().base_url.trim_end_matches('/').to_owned(),
                auth: None,
                default_headers,
                timeout: DEFAULT_TIMEOUT,
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                retry: RetryPolicy::default(),
                scopes: None,
            }),
        }
    }

    /// The API settings this client was generated for.
    pub fn api_info(&self) -> &'static ApiInfo {
        api_info()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The token's scopes, when known (given to the builder or read from a JWT token).
    pub fn scopes(&self) -> Option<&[String]> {
        self.inner.scopes.as_deref()
    }

    /// Sends `request` and decodes the JSON answer as `T` (an empty body decodes as JSON
    /// `null`, so `()` and `Option<_>` accept it).
    ///
    /// This is the low-level entry point the generated builders use; call it directly to reach
    /// an action the generated code does not cover.
    ///
    /// In order: problems recorded in the request fail with [`Error::InvalidRequest`], and an
    /// action the token's known scopes do not allow with [`Error::MissingScope`], both without
    /// sending anything. The request is then sent with the token, `Accept: application/json`,
    /// the API's headers and the request's own; failures that may pass on a second try are
    /// retried for idempotent methods following the [`RetryPolicy`]. A non-2xx answer becomes
    /// [`Error::Api`], a 2xx one that is not the expected JSON [`Error::Decode`].
    pub async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        let operation = request.operation().id;
        let (status, body) = self.send(request).await?;
        let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &body
        };
        serde_json::from_slice(json).map_err(|source| Error::Decode {
            operation,
            status,
            excerpt: excerpt(&String::from_utf8_lossy(&body)),
            source,
        })
    }

    /// Sends `request` to a streaming action and returns its server-sent events as they
    /// arrive.
    ///
    /// The request is checked, sent and retried as by [`execute`](Client::execute), but with
    /// `Accept: text/event-stream`, and only until the connection is established: a non-2xx
    /// answer (whose body is read) becomes [`Error::Api`], and the client's timeout applies to
    /// getting the answer's headers, not to the stream. Once a 2xx answer arrives, nothing is
    /// retried.
    ///
    /// The stream parses the body as it arrives: comments (keep-alive lines) are skipped and
    /// multi-line data is joined with `\n`, as the SSE specification says. It ends when the
    /// server closes the connection; a transport error while reading is yielded once as
    /// [`Error::Transport`] and ends it. There is no time limit between two events; wrap the
    /// stream (e.g. with `tokio::time::timeout` around each `next()`) to give up on a silent
    /// server. A `reqwest` client given with [`ClientBuilder::http_client`] that has its own
    /// total timeout ends the stream when it runs out.
    ///
    /// ```no_run
    /// # async fn run(client: losant::Client, request: losant::runtime::Request) -> Result<(), losant::Error> {
    /// use futures_util::StreamExt;
    ///
    /// let mut events = client.execute_events(request).await?;
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     println!("{}: {}", event.event, event.data);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute_events(
        &self,
        request: Request,
    ) -> Result<EventStream<ServerSentEvent>, Error> {
        let prepared = self.prepare(request, "text/event-stream")?;
        let operation = prepared.operation.id;
        let response = self
            .with_retries(prepared.operation, || {
                self.connect_events(operation, prepared.builder())
            })
            .await?;
        Ok(events::response_events(operation, response))
    }

    /// Checks, sends and retries `request`; returns the status and body of a 2xx answer.
    async fn send(&self, request: Request) -> Result<(StatusCode, bytes::Bytes), Error> {
        let prepared = self.prepare(request, "application/json")?;
        let timeout = self.inner.timeout;
        self.with_retries(prepared.operation, || {
            let builder = prepared.builder().timeout(timeout);
            self.attempt(prepared.operation.id, builder)
        })
        .await
    }

    /// Runs the checks done before anything is sent, and works out what to send.
    fn prepare(&self, request: Request, accept: &'static str) -> Result<Prepared, Error> {
        let inner = &*self.inner;
        let op = request.operation();
        let http = inner
            .http
            .as_ref()
            .map_err(|why| Error::Config(why.clone()))?;
        let parts = request
            .into_parts()
            .map_err(|errors| Error::InvalidRequest {
                operation: op.id,
                errors,
            })?;
        if let Some(token_scopes) = &inner.scopes {
            if !op.allows(token_scopes) {
                return Err(Error::MissingScope {
                    operation: op.id,
                    accepted: op.scopes,
                    token_scopes: token_scopes.clone(),
                });
            }
        }
        Ok(Prepared {
            http: http.clone(),
            operation: op,
            url: self.url(op.id, &parts)?,
            headers: self.headers(&parts, accept),
            body: parts.body,
        })
    }

    /// Makes attempts until one succeeds or the failure may not, or should not, be retried:
    /// only idempotent methods are retried, following the [`RetryPolicy`].
    async fn with_retries<T, F, Fut>(
        &self,
        op: &'static Operation,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, (Error, Option<Duration>)>>,
    {
        let policy = &self.inner.retry;
        let mut retry = 0;
        loop {
            let (err, retry_after) = match attempt().await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !op.method.is_idempotent() || !err.is_retryable() || retry >= policy.retries() {
                return Err(err);
            }
            let Some(wait) = policy.delay(retry, retry_after) else {
                return Err(err);
            };
            tokio::time::sleep(wait).await;
            retry += 1;
        }
    }

    /// One attempt; a failure comes with the answer's `Retry-After`, if any.
    async fn attempt(
        &self,
        operation: &'static str,
        builder: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, bytes::Bytes), (Error, Option<Duration>)> {
        let response = builder
            .send()
            .await
            .map_err(|err| (self.transport_error(operation, err), None))?;
        let status = response.status();
        let retry_after = retry_after(&response);
        let body = response
            .bytes()
            .await
            .map_err(|err| (self.transport_error(operation, err), None))?;
        if status.is_success() {
            Ok((status, body))
        } else {
            let err = ApiError::new(operation, status, &body, api_info());
            Err((Error::Api(err), retry_after))
        }
    }

    /// One attempt to open an event stream: the 2xx response, whose body is left unread, or
    /// the failure with the answer's `Retry-After`, if any. The client's timeout covers getting
    /// the headers (and reading the body of an error answer).
    async fn connect_events(
        &self,
        operation: &'static str,
        builder: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, (Error, Option<Duration>)> {
        let timeout = self.inner.timeout;
        let attempt = async {
            let response = builder
                .send()
                .await
                .map_err(|err| (self.transport_error(operation, err), None))?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let retry_after = retry_after(&response);
            let body = response
                .bytes()
                .await
                .map_err(|err| (self.transport_error(operation, err), None))?;
            let err = ApiError::new(operation, status, &body, api_info());
            Err((Error::Api(err), retry_after))
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .unwrap_or_else(|_| {
                Err((
                    Error::Timeout {
                        operation,
                        after: timeout,
                    },
                    None,
                ))
            })
    }

    fn transport_error(&self, operation: &'static str, source: reqwest::Error) -> Error {
        if source.is_timeout() {
            let after = if source.is_connect() {
                self.inner.connect_timeout.min(self.inner.timeout)
            } else {
                self.inner.timeout
            };
            Error::Timeout { operation, after }
        } else {
            Error::Transport { operation, source }
        }
    }

    fn url(&self, operation: &'static str, parts: &RequestParts) -> Result<Url, Error> {
        let text = format!("{}{}", self.inner.base_url, parts.path);
        let mut url = Url::parse(&text).map_err(|err| {
            Error::Config(format!("{operation}: `{text}` is not a valid URL: {err}"))
        })?;
        if !parts.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&parts.query);
        }
        Ok(url)
    }

    fn headers(&self, parts: &RequestParts, accept: &'static str) -> HeaderMap {
        let mut headers = self.inner.default_headers.clone();
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        for (name, value) in &parts.headers {
            headers.insert(name.clone(), value.clone());
        }
        match parts.body {
            Body::Json(_) if !headers.contains_key(CONTENT_TYPE) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            // reqwest sets `multipart/form-data; boundary=...`; another value would be sent
            // alongside it.
            Body::Multipart(_) => {
                headers.remove(CONTENT_TYPE);
            }
            _ => {}
        }
        if let Some(auth) = &self.inner.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        headers
    }
}

/// The `Retry-After` of `response`, if it has a valid one.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()))
}

/// A checked request, ready for as many attempts as it takes.
struct Prepared {
    http: reqwest::Client,
    operation: &'static Operation,
    url: Url,
    headers: HeaderMap,
    body: Body,
}

impl Prepared {
    /// A new builder for one attempt (with a new form for multipart bodies).
    fn builder(&self) -> reqwest::RequestBuilder {
        // The headers are set whole, not merged one by one into an empty map.
        let mut request =
            reqwest::Request::new(self.operation.method.to_reqwest(), self.url.clone());
        *request.headers_mut() = self.headers.clone();
        let builder = reqwest::RequestBuilder::from_parts(self.http.clone(), request);
        match &self.body {
            Body::None => builder,
            Body::Json(json) => builder.body(json.clone()),
            Body::Multipart(parts) => builder.multipart(MultipartPart::form(parts)),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("token", &Redacted(inner.auth.is_some()))
            .field("scopes", &inner.scopes)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("unusable", &inner.http.as_ref().err())
            .finish_non_exhaustive()
    }
}

/// Shows `<redacted>` for a set token, `<none>` for an empty one.
struct Redacted(bool);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "<redacted>" } else { "<none>" })
    }
}

/// Configures a [`Client`]; see [`Client::builder`].
pub struct ClientBuilder {
    token: String,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    scopes: Option<Vec<String>>,
    allow_insecure_http: bool,
}

impl ClientBuilder {
    fn new(token: String) -> Self {
        ClientBuilder {
            token,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http_client: None,
            scopes: None,
            allow_insecure_http: false,
        }
    }

    /// A builder with the token from `LOSANT_API_TOKEN` (required, surrounding whitespace
    /// ignored) and, if set and not empty, the base URL from `LOSANT_API_URL`.
    pub fn from_env() -> Result<ClientBuilder, Error> {
        Self::from_vars(|name| std::env::var_os(name))
    }

    fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<ClientBuilder, Error> {
        let read = |name: &str| match var(name) {
            None => Ok(None),
            Some(value) => match value.into_string() {
                Ok(value) if value.trim().is_empty() => Ok(None),
                Ok(value) => Ok(Some(value.trim().to_owned())),
                Err(_) => Err(Error::Config(format!(
                    "the environment variable {name} is not valid UTF-8"
                ))),
            },
        };
        let token = read(TOKEN_ENV_VAR)?.ok_or_else(|| {
            Error::Config(format!(
                "the environment variable {TOKEN_ENV_VAR} is not set or empty; \
                 set it to a Losant API token"
            ))
        })?;
        let mut builder = ClientBuilder::new(token);
        builder.base_url = read(URL_ENV_VAR)?;
        Ok(builder)
    }

    /// The base URL (default: the API's, `https://api.losant.com`). It may have a path, which
    /// is kept in front of every action's path. Plain `http` is refused unless the host is
    /// loopback (`localhost`, `127.0.0.0/8`, `::1`) or [`allow_insecure_http`] is set.
    ///
    /// [`allow_insecure_http`]: ClientBuilder::allow_insecure_http
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time limit for each attempt of a call, from connecting to reading the whole
    /// answer (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit for connecting (default 10 s). Not applied to a client given with
    /// [`http_client`](ClientBuilder::http_client), which keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// When and how to retry failed calls (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default `losant-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests with this `reqwest` client (its proxy, TLS and pool settings). The
    /// timeout and user agent are still applied to each request; the connect timeout is the
    /// given client's own.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The token's scopes. When known, calls the token may not make fail with
    /// [`Error::MissingScope`] without being sent. By default they are read from the token's
    /// `scope` claim when it is a JWT that has one.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Allows a plain `http` base URL on any host (default false: only loopback hosts). The
    /// token then crosses the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.checked_base_url()?;

        let auth = if self.token.is_empty() {
            None
        } else {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", self.token)).map_err(|_| {
                    Error::Config(
                        "the API token contains characters that cannot be sent in an HTTP \
                         header (line breaks or non-ASCII text); check how it was copied"
                            .to_owned(),
                    )
                })?;
            value.set_sensitive(true);
            Some(value)
        };

        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(format!(
                "the user agent `{}` cannot be sent in an HTTP header",
                self.user_agent.escape_debug()
            ))
        })?;
        default_headers.insert(USER_AGENT, user_agent);
        for &(name, value) in api_info().headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .ok()
                .zip(HeaderValue::from_str(value).ok());
            let Some((name, value)) = header else {
                return Err(Error::Config(format!(
                    "the API header `{name}: {value}` is not a valid HTTP header"
                )));
            };
            default_headers.insert(name, value);
        }

        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|err| Error::Config(format!("could not set up HTTP: {err}")))?,
        };
        let scopes = self.scopes.or_else(|| scopes::jwt_scopes(&self.token));

        Ok(Client {
            inner: Arc::new(Inner {
                http: Ok(http),
                base_url,
                auth,
                default_headers,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                retry: self.retry,
                scopes,
            }),
        })
    }

    /// The base URL without a trailing slash, once checked.
    fn checked_base_url(&self) -> Result<String, Error> {
        let text = self.base_url.as_deref().unwrap_or(api_info().base_url);
        let url = Url::parse(text)
            .map_err(|err| Error::Config(format!("the base URL `{text}` is not valid: {err}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "refusing to send the API token over plain http to `{text}`; use https, \
                     or allow_insecure_http(true) if you really mean to"
                )));
            }
            other => {
                return Err(Error::Config(format!(
                    "the base URL `{text}` must use https, not `{other}`"
                )));
            }
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Config(format!(
                "the base URL `{text}` must not have a query or fragment"
            )));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &Redacted(!self.token.is_empty()))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .field("scopes", &self.scopes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_types_are_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Client>();
        check::<Error>();
        check::<Request>();
    }

    #[test]
    fn default_client_uses_the_api_base_url() {
        let client = Client::new("t");
        assert_eq!(client.base_url(), api_info().base_url.trim_end_matches('/'));
        assert!(client.inner.http.is_ok());
        assert_eq!(client.scopes(), None);
    }

    #[test]
    fn base_urls() {
        let base = |url: &str| {
            Client::builder("t")
                .base_url(url)
                .build()
                .map(|c| c.base_url().to_owned())
        };
        assert_eq!(
            base("https://example.com/api/").ok().as_deref(),
            Some("https://example.com/api")
        );
        assert!(base("http://127.0.0.2:8080").is_ok());
        assert!(base("http://[::1]:8080").is_ok());
        assert!(base("http://LOCALHOST").is_ok());
        assert!(base("http://example.com").is_err());
        assert!(base("ftp://example.com").is_err());
        assert!(base("https://example.com/?a=1").is_err());
        assert!(base("not a url").is_err());
        let insecure = Client::builder("t")
            .base_url("http://example.com")
            .allow_insecure_http(true);
        assert!(insecure.build().is_ok());
    }

    #[test]
    fn a_bad_token_makes_an_unusable_client_not_a_panic() {
        let client = Client::new("sec\nret");
        let err = client.inner.http.as_ref().expect_err("unusable");
        assert!(err.starts_with("the API token contains"), "{err}");
        assert!(!format!("{client:?}").contains("sec"));
    }

    #[test]
    fn env_vars() {
        fn vars(
            token: Option<&'static str>,
            url: Option<&'static str>,
        ) -> impl Fn(&str) -> Option<OsString> {
            move |name| match name {
                TOKEN_ENV_VAR => token.map(OsString::from),
                URL_ENV_VAR => url.map(OsString::from),
                _ => None,
            }
        }
        let err = ClientBuilder::from_vars(vars(Some("  "), None)).expect_err("empty token");
        assert!(err.to_string().contains(TOKEN_ENV_VAR), "{err}");
        assert!(ClientBuilder::from_vars(vars(None, None)).is_err());
        let b =
            ClientBuilder::from_vars(vars(Some(" tok\n"), Some("http://localhost:1"))).expect("ok");
        assert_eq!(b.token, "tok");
        assert_eq!(b.build().expect("valid").base_url(), "http://localhost:1");
    }
}
