//! The [`Client`]: configuration, and sending requests with retries, deadlines and limits.

use std::ffi::OsString;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName,
    HeaderValue, LOCATION, RETRY_AFTER, USER_AGENT,
};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::auth::{self, EnvLogin, Login, LoginSession, Token, TokenSource};
use super::error::{ApiError, Error, TimeoutKind, error_fields, excerpt};
use super::events::{self, EventStream, EventStreamSettings, ServerSentEvent};
use super::hooks::{AttemptOutcome, Hook};
use super::options::CallOptions;
use super::request::{Body, Method, Operation, Request, RequestParts};
use super::response::Response;
use super::retry::{RetryBudget, RetryPolicy, parse_retry_after};
use super::transport::{
    HttpRequest, HttpResponse, RequestBody, ReqwestTransport, Transport, TransportError,
    TransportErrorKind,
};
use super::validate::{ValidationErrors, Validator};
use super::{ApiInfo, scopes};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_ERROR_BODY: usize = 64 * 1024;
const DEFAULT_USER_AGENT: &str = concat!("losant-rs/", env!("CARGO_PKG_VERSION"));

/// Decodes a 2xx body (never empty: an empty body is offered as `null`) by its status.
pub type Decoder<T> = fn(StatusCode, &[u8]) -> Result<T, serde_json::Error>;

/// A client for the API. Cheap to clone (clones share one connection pool and one retry
/// budget) and usable from many tasks at once.
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
    api: &'static ApiInfo,
    /// `Err` holds why the client could not be set up (only for [`Client::new`], which cannot
    /// fail); every call then reports it as [`Error::Config`].
    transport: Result<Arc<dyn Transport>, String>,
    /// Without a trailing slash.
    base_url: String,
    /// Where the token comes from.
    auth: Auth,
    /// The same settings without a token (see [`Client::without_token`]), made when first
    /// needed.
    without_token: OnceLock<Client>,
    /// Accept, User-Agent, the API's headers and a fixed token's `Authorization`.
    default_headers: HeaderMap,
    timeout: Duration,
    deadline: Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    /// The scopes given to the builder, else those of a fixed JWT token.
    scopes: Option<Vec<String>>,
    check_scopes: bool,
    allow_insecure_http: bool,
    max_response_bytes: Option<u64>,
    max_error_body: usize,
    hooks: Vec<Arc<dyn Hook>>,
    /// Whether bodies are logged at `trace` level (read only with the `tracing` feature).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    trace_bodies: bool,
}

/// Where a client's token comes from.
#[derive(Clone)]
enum Auth {
    /// A fixed token: `Authorization: Bearer <token>`, marked sensitive; `None` for an empty
    /// token (no header is sent).
    Fixed(Option<HeaderValue>),
    /// A source asked before each attempt.
    Source(Arc<dyn TokenSource>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Fixed(header) => Redacted(header.is_some()).fmt(f),
            Auth::Source(source) => source.fmt(f),
        }
    }
}

impl Client {
    /// A client for `api` that cannot be used: every call fails with [`Error::Config`] naming
    /// `reason` (what [`ClientBuilder::build_or_unusable`] returns on a bad configuration).
    fn unusable(api: &'static ApiInfo, reason: String) -> Client {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Client {
            inner: Arc::new(Inner {
                api,
                transport: Err(reason),
                base_url: api.base_url.trim_end_matches('/').to_owned(),
                auth: Auth::Fixed(None),
                without_token: OnceLock::new(),
                default_headers,
                timeout: DEFAULT_TIMEOUT,
                deadline: DEFAULT_DEADLINE,
                retry: RetryPolicy::default(),
                budget: RetryBudget::default(),
                scopes: None,
                check_scopes: true,
                allow_insecure_http: false,
                max_response_bytes: None,
                max_error_body: DEFAULT_MAX_ERROR_BODY,
                hooks: Vec::new(),
                trace_bodies: false,
            }),
        }
    }

    /// A client with this one's settings (transport and connection pool, retry budget, time
    /// limits, hooks) that sends no token: what a [`TokenSource`] logs in with. For a client
    /// without a token, the client itself.
    pub fn without_token(&self) -> Client {
        let inner = &*self.inner;
        if matches!(inner.auth, Auth::Fixed(None)) {
            return self.clone();
        }
        inner
            .without_token
            .get_or_init(|| Client {
                inner: Arc::new(Inner {
                    api: inner.api,
                    transport: inner.transport.clone(),
                    base_url: inner.base_url.clone(),
                    auth: Auth::Fixed(None),
                    without_token: OnceLock::new(),
                    default_headers: inner.default_headers.clone(),
                    timeout: inner.timeout,
                    deadline: inner.deadline,
                    retry: inner.retry.clone(),
                    budget: inner.budget.clone(),
                    scopes: None,
                    check_scopes: inner.check_scopes,
                    allow_insecure_http: inner.allow_insecure_http,
                    max_response_bytes: inner.max_response_bytes,
                    max_error_body: inner.max_error_body,
                    hooks: inner.hooks.clone(),
                    trace_bodies: inner.trace_bodies,
                }),
            })
            .clone()
    }

    /// The API settings this client was made for.
    pub fn api_info(&self) -> &'static ApiInfo {
        self.inner.api
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The token's scopes, when known: given to the builder, or read from a fixed JWT token.
    /// (For a client whose tokens come from a [`TokenSource`], each token's own scopes are
    /// checked as it is used, unless the builder was given scopes.)
    pub fn scopes(&self) -> Option<&[String]> {
        self.inner.scopes.as_deref()
    }

    /// The retry budget the client's calls share.
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    /// Sends `request` and decodes the JSON answer as `T`.
    ///
    /// This is the low-level entry point for an action the generated code does not cover
    /// (the generated builders call [`execute_with`](Client::execute_with)). An empty body
    /// decodes as JSON `null`, so `()` and `Option<_>` accept it; for other types it is
    /// [`Error::EmptyBody`].
    pub async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        self.execute_with(request, &CallOptions::default(), |_, body| {
            serde_json::from_slice(body)
        })
        .await
        .map(Response::into_body)
    }

    /// Sends `request` with the per-call `options` and decodes the 2xx answer with `decode`
    /// (which sees the status, so that an action answering different bodies by status can
    /// say which came back).
    ///
    /// In order: problems recorded in the request fail with [`Error::InvalidRequest`], and an
    /// action the token's known scopes do not allow with [`Error::MissingScope`], both without
    /// sending anything. The request is then sent with the token, `Accept: application/json`,
    /// the API's headers and the request's own. Failures that may pass on a second try are
    /// retried where that is safe (see [`RetryPolicy`]), within the retry budget and the
    /// deadline. A redirect is [`Error::Redirect`], a 4xx or 5xx answer [`Error::Api`], a 2xx
    /// one that `decode` rejects [`Error::Decode`] (or [`Error::EmptyBody`] when it was empty).
    pub async fn execute_with<T>(
        &self,
        request: Request,
        options: &CallOptions,
        decode: Decoder<T>,
    ) -> Result<Response<T>, Error> {
        let (operation, raw) = self.raw(request, options).await?;
        let (status, headers, body) = raw.into_parts();
        let empty = body.iter().all(u8::is_ascii_whitespace);
        let decoded = if empty {
            decode(status, b"null").map_err(|_| Error::EmptyBody {
                operation,
                status,
                headers: Box::new(headers.clone()),
            })?
        } else {
            decode(status, &body).map_err(|source| Error::Decode {
                operation,
                status,
                excerpt: excerpt(&String::from_utf8_lossy(&body)),
                source,
            })?
        };
        Ok(Response::new(status, headers, decoded))
    }

    /// Sends `request` like [`execute_with`](Client::execute_with) but returns the 2xx body
    /// as it came, undecoded: the escape hatch for an answer the spec does not describe.
    pub async fn execute_raw(
        &self,
        request: Request,
        options: &CallOptions,
    ) -> Result<Response<Bytes>, Error> {
        self.raw(request, options)
            .await
            .map(|(_, response)| response)
    }

    /// What a generated builder's `send_with_response` returns: [`execute_with`] as a future
    /// that owns the client and the options (so `Send + 'static`), so that the builder's own
    /// method is a plain `fn`.
    /// One generic `async` body here, instead of one per action in the generated code, keeps
    /// the crate cheap to type-check (each `async fn` is a state machine of its own).
    ///
    /// [`execute_with`]: Client::execute_with
    pub(crate) async fn send_with_response<T>(
        self,
        request: Request,
        options: CallOptions,
        decode: Decoder<T>,
    ) -> Result<Response<T>, Error> {
        self.execute_with(request, &options, decode).await
    }

    /// What a generated builder's `send` returns: the decoded body of
    /// [`send_with_response`](Client::send_with_response).
    pub(crate) async fn send<T>(
        self,
        request: Request,
        options: CallOptions,
        decode: Decoder<T>,
    ) -> Result<T, Error> {
        self.execute_with(request, &options, decode)
            .await
            .map(Response::into_body)
    }

    /// What a generated builder's `send_raw` returns: [`execute_raw`](Client::execute_raw)
    /// as a future that owns the client and the options.
    pub(crate) async fn send_raw(
        self,
        request: Request,
        options: CallOptions,
    ) -> Result<Response<Bytes>, Error> {
        self.execute_raw(request, &options).await
    }

    /// [`execute_raw`](Client::execute_raw), with the operation's id.
    async fn raw(
        &self,
        request: Request,
        options: &CallOptions,
    ) -> Result<(&'static str, Response<Bytes>), Error> {
        let prepared = self.prepare(request, options, "application/json")?;
        let limit = self.inner.max_response_bytes;
        let operation = prepared.operation.id;
        #[cfg(feature = "tracing")]
        let trace_bodies = self.inner.trace_bodies;
        let response = self
            .run(&prepared, options, None, |response| async move {
                let HttpResponse {
                    status,
                    headers,
                    mut body,
                } = response;
                let bytes = read_body(operation, &headers, &mut body, limit).await?;
                #[cfg(feature = "tracing")]
                if trace_bodies {
                    trace_body("response body", &bytes);
                }
                Ok(Response::new(status, headers, bytes))
            })
            .await?;
        Ok((operation, response))
    }

    /// Sends `request` to a streaming action and returns its server-sent events as they
    /// arrive.
    ///
    /// The request is checked, sent and retried as by [`execute_with`](Client::execute_with),
    /// with `Accept: text/event-stream` and `Cache-Control: no-cache`, until a 2xx answer
    /// arrives; one that is not `text/event-stream` is [`Error::EventStream`]. The stream
    /// parses the body as it arrives (linear in its size, each line and event bounded):
    /// comments (keep-alive lines) are skipped, multi-line data is joined with `\n`, as the
    /// SSE specification says. It fails with [`Error::Timeout`] ([`TimeoutKind::Idle`]) when
    /// the server sends nothing, not even a keep-alive, for longer than the idle limit
    /// (derived from the keep-alive interval the request asks for, or set per call). It ends
    /// when the server closes the connection, unless the call asked to reconnect
    /// (`.reconnect(..)` on the builder): it then sends the request again with the last
    /// event id as `Last-Event-ID`.
    ///
    /// ```no_run
    /// # async fn run(client: losant::Client, request: losant::runtime::Request) -> Result<(), losant::Error> {
    /// use futures_util::StreamExt;
    ///
    /// let options = losant::runtime::CallOptions::default();
    /// let mut events = client.execute_events(request, &options).await?;
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
        options: &CallOptions,
    ) -> Result<EventStream<ServerSentEvent>, Error> {
        let keep_alive = request.keep_alive_hint();
        let prepared = Arc::new(self.prepare(request, options, "text/event-stream")?);
        let settings = EventStreamSettings::new(keep_alive, options);
        let first = self.connect_events(&prepared, options, None).await?;
        Ok(events::follow(
            self.clone(),
            prepared,
            options.clone(),
            settings,
            first,
        ))
    }

    /// Sends a prepared event-stream request (with `Last-Event-ID` when resuming) and returns
    /// the 2xx `text/event-stream` answer.
    pub(crate) async fn connect_events(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
        last_event_id: Option<&str>,
    ) -> Result<HttpResponse, Error> {
        let resume = last_event_id
            .filter(|id| !id.is_empty())
            .and_then(|id| HeaderValue::from_str(id).ok())
            .map(|id| (HeaderName::from_static("last-event-id"), id));
        let operation = prepared.operation.id;
        self.run(prepared, options, resume.as_ref(), |response| async move {
            let content_type = response
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let is_stream = content_type
                .split(';')
                .next()
                .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/event-stream"));
            if is_stream {
                return Ok(response);
            }
            let HttpResponse {
                headers, mut body, ..
            } = response;
            let start = read_body(operation, &headers, &mut body, Some(4096))
                .await
                .unwrap_or_default();
            Err(Failure::Final(Error::EventStream {
                operation,
                reason: format!(
                    "the API answered {} with `{}` instead of an event stream (`text/event-stream`); \
                     it starts with: {}",
                    response.status,
                    if content_type.is_empty() { "no content type" } else { &content_type },
                    excerpt(&String::from_utf8_lossy(&start))
                ),
            }))
        })
        .await
    }

    /// Runs the checks done before anything is sent, and works out what to send.
    fn prepare(
        &self,
        request: Request,
        options: &CallOptions,
        accept: &'static str,
    ) -> Result<Prepared, Error> {
        let inner = &*self.inner;
        let op = request.operation();
        let transport = inner
            .transport
            .as_ref()
            .map_err(|why| Error::Config(why.clone()))?;
        let parts = request.into_parts().and_then(|parts| {
            if options.problems.is_empty() {
                return Ok(parts);
            }
            let mut v = Validator::new();
            for (name, problem) in &options.problems {
                v.field(name, |v| v.error(problem.clone()));
            }
            v.finish().map(|()| parts)
        });
        let parts = parts.map_err(|errors| Error::InvalidRequest {
            operation: op.id,
            errors,
        })?;
        // A request to a URL outside the API (one the API handed out) is sent without the
        // token, so the token's scopes do not matter to it.
        let external = parts.url.is_some();
        if inner.check_scopes && !external {
            if let Some(token_scopes) = &inner.scopes {
                check_scopes(op, token_scopes)?;
            }
        }
        let url = self.url(op.id, &parts)?;
        let overridden = options
            .headers
            .iter()
            .any(|(name, _)| name == AUTHORIZATION);
        let source = match &inner.auth {
            Auth::Source(source) if !external && !overridden => Some(source.clone()),
            _ => None,
        };
        let headers = self.headers(op, &parts, options, accept);
        Ok(Prepared {
            transport: transport.clone(),
            operation: op,
            parts,
            accept,
            ready: Mutex::new(Some((url, headers))),
            source,
        })
    }

    /// The token for the next attempt of `prepared`'s call, from its source, within the
    /// call's deadline; checked against the call's scopes when the client was given none.
    async fn token_for(
        &self,
        source: &dyn TokenSource,
        op: &'static Operation,
        deadline: Instant,
        deadline_after: Duration,
        attempts: u32,
    ) -> Result<Token, Error> {
        let inner = &*self.inner;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let login_client = self.without_token();
        let token = match tokio::time::timeout(remaining, source.token(&login_client)).await {
            Ok(Ok(token)) => token,
            Ok(Err(error)) => {
                // Whatever the source failed with, the call reports it as a failed login.
                let (reason, source) = match error {
                    Error::Login { reason, source, .. } => (reason, source),
                    other => (auth::login_reason(&other), Some(Box::new(other))),
                };
                return Err(Error::Login {
                    operation: op.id,
                    reason,
                    source,
                });
            }
            Err(_) => {
                return Err(Error::Timeout {
                    operation: op.id,
                    kind: TimeoutKind::Deadline,
                    after: deadline_after,
                    attempts,
                });
            }
        };
        if inner.check_scopes && inner.scopes.is_none() {
            if let Some(token_scopes) = token.scopes() {
                check_scopes(op, token_scopes)?;
            }
        }
        Ok(token)
    }

    /// Makes attempts until one succeeds or the failure may not, or should not, be retried.
    /// `extra` is a header to add to every attempt (`Last-Event-ID` when resuming a stream);
    /// `on_success` takes a 2xx response apart (reading its body as far as it needs).
    async fn run<T, F, Fut>(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
        extra: Option<&(HeaderName, HeaderValue)>,
        mut on_success: F,
    ) -> Result<T, Error>
    where
        F: FnMut(HttpResponse) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let inner = &*self.inner;
        let op = prepared.operation;
        let policy = options.retry.as_ref().unwrap_or(&inner.retry);
        let timeout = options.timeout.unwrap_or(inner.timeout);
        let deadline_after = options.deadline.unwrap_or(inner.deadline);
        let started = Instant::now();
        let deadline = started + deadline_after;
        // One span per call, its attributes named as OpenTelemetry's HTTP client conventions
        // name them (`otel.*` are what tracing-opentelemetry reads for the span's name, kind
        // and status). `url.full` holds no secret: the token travels in a header.
        #[cfg(feature = "tracing")]
        let span = tracing::info_span!(
            "http.client",
            otel.name = %format_args!("{} {}", op.method, op.path),
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            operation = op.id,
            http.request.method = op.method.as_str(),
            url.template = op.path,
            url.full = tracing::field::Empty,
            server.address = tracing::field::Empty,
            server.port = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        #[cfg(feature = "tracing")]
        if !span.is_disabled() {
            if let Ok(url) = self.url(op.id, &prepared.parts) {
                span.record("url.full", tracing::field::display(&url));
                span.record("server.address", url.host_str().unwrap_or(""));
                if let Some(port) = url.port_or_known_default() {
                    span.record("server.port", port);
                }
            }
        }
        let mut attempt = 0u32;
        let mut retries = 0u32;
        let mut last_cost = None;
        let source = prepared.source.as_deref();
        // Whether the call was already sent again after the API refused its token.
        let mut renewed = false;
        loop {
            attempt += 1;
            let token = match source {
                None => None,
                Some(source) => match self
                    .token_for(source, op, deadline, deadline_after, attempt - 1)
                    .await
                {
                    Ok(token) => Some(token),
                    Err(error) => {
                        #[cfg(feature = "tracing")]
                        give_up(&span, &error, attempt - 1, started);
                        return Err(error);
                    }
                },
            };
            // The first attempt of a call without a login starts when the call did.
            let now = if attempt == 1 && source.is_none() {
                started
            } else {
                Instant::now()
            };
            let remaining = deadline.saturating_duration_since(now);
            let limit = timeout.min(remaining);
            let by_deadline = remaining <= timeout;
            let attempt_started = now;
            #[cfg(feature = "tracing")]
            if attempt > 1 {
                span.record("http.request.resend_count", attempt - 1);
            }
            let result = {
                let auth = token.as_ref().map(Token::header);
                let fut = self.attempt(prepared, options, attempt, extra, auth, &mut on_success);
                #[cfg(feature = "tracing")]
                let fut = tracing::Instrument::instrument(fut, span.clone());
                tokio::time::timeout(limit, fut).await
            };
            let failure = match result {
                Ok(Ok((value, status, headers))) => {
                    inner.budget.succeeded(last_cost);
                    self.after_attempt(
                        op,
                        attempt,
                        Some(status),
                        headers.as_ref(),
                        None,
                        attempt_started,
                    );
                    #[cfg(feature = "tracing")]
                    {
                        span.record("http.response.status_code", status.as_u16());
                        tracing::debug!(
                            parent: &span,
                            attempt,
                            http.response.status_code = status.as_u16(),
                            elapsed_ms = attempt_started.elapsed().as_millis() as u64,
                            total_ms = started.elapsed().as_millis() as u64,
                            "succeeded"
                        );
                    }
                    return Ok(value);
                }
                Ok(Err(failure)) => failure,
                Err(_) if by_deadline => {
                    let error = Error::Timeout {
                        operation: op.id,
                        kind: TimeoutKind::Deadline,
                        after: deadline_after,
                        attempts: attempt,
                    };
                    self.after_attempt(op, attempt, None, None, Some(&error), attempt_started);
                    #[cfg(feature = "tracing")]
                    give_up(&span, &error, attempt, started);
                    return Err(error);
                }
                Err(_) => Failure::Retry {
                    error: Error::Timeout {
                        operation: op.id,
                        kind: TimeoutKind::Attempt,
                        after: timeout,
                        attempts: attempt,
                    },
                    when: RetryWhen::Idempotent,
                    retry_after: None,
                    timed_out: true,
                },
            };
            let (error, when, retry_after, timed_out) = match failure {
                Failure::Final(error) => {
                    self.after_attempt(
                        op,
                        attempt,
                        error.status(),
                        None,
                        Some(&error),
                        attempt_started,
                    );
                    // A 401 to a token from a source: the source forgets the token, and the
                    // call is sent once more with a new one (the API refused the request
                    // unprocessed, so this is safe for every method).
                    let refused = error.status() == Some(StatusCode::UNAUTHORIZED)
                        && match (source, &token) {
                            (Some(source), Some(token)) => source.refused(token),
                            _ => false,
                        };
                    if refused && !renewed && prepared.replayable() {
                        renewed = true;
                        #[cfg(feature = "tracing")]
                        tracing::info!(parent: &span, attempt, "the API refused the token; sending again with a new one");
                        continue;
                    }
                    #[cfg(feature = "tracing")]
                    give_up(&span, &error, attempt, started);
                    return Err(error);
                }
                Failure::Retry {
                    error,
                    when,
                    retry_after,
                    timed_out,
                } => (error, when, retry_after, timed_out),
            };
            let headers = match &error {
                Error::Api(api) => Some(&api.headers),
                _ => None,
            };
            self.after_attempt(
                op,
                attempt,
                error.status(),
                headers,
                Some(&error),
                attempt_started,
            );
            let safe = match when {
                RetryWhen::Always => true,
                RetryWhen::Idempotent => op.idempotent,
            };
            let wait = (safe && retries < policy.retries() && prepared.replayable())
                .then(|| policy.delay(retries, retry_after))
                .flatten()
                .filter(|wait| Instant::now() + *wait < deadline);
            let Some(wait) = wait else {
                #[cfg(feature = "tracing")]
                give_up(&span, &error, attempt, started);
                return Err(error);
            };
            let Some(cost) = inner.budget.try_acquire(timed_out) else {
                #[cfg(feature = "tracing")]
                {
                    tracing::warn!(parent: &span, attempt, %error, "not retried: the client's retry budget is spent");
                    give_up(&span, &error, attempt, started);
                }
                return Err(error);
            };
            #[cfg(feature = "tracing")]
            tracing::info!(
                parent: &span,
                attempt,
                http.response.status_code = error.status().map(|s| s.as_u16()),
                error.type = error_type(&error).as_ref(),
                wait_ms = wait.as_millis() as u64,
                %error,
                "retrying"
            );
            last_cost = Some(cost);
            retries += 1;
            tokio::time::sleep(wait).await;
        }
    }

    fn after_attempt(
        &self,
        operation: &'static Operation,
        attempt: u32,
        status: Option<StatusCode>,
        headers: Option<&HeaderMap>,
        error: Option<&Error>,
        started: Instant,
    ) {
        if self.inner.hooks.is_empty() {
            return;
        }
        let outcome = AttemptOutcome {
            operation,
            attempt,
            status,
            headers,
            error,
            elapsed: started.elapsed(),
        };
        for hook in &self.inner.hooks {
            hook.after_attempt(&outcome);
        }
    }

    /// One attempt: sends the request and sorts the answer into success, a failure that may
    /// be retried, and one that may not.
    async fn attempt<T, F, Fut>(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
        attempt: u32,
        extra: Option<&(HeaderName, HeaderValue)>,
        auth: Option<&HeaderValue>,
        on_success: &mut F,
    ) -> Result<(T, StatusCode, Option<HeaderMap>), Failure>
    where
        F: FnMut(HttpResponse) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let op = prepared.operation;
        let mut request = self.http_request(prepared, options, attempt)?;
        if let Some((name, value)) = extra {
            request.headers.insert(name.clone(), value.clone());
        }
        if let Some(auth) = auth {
            request.headers.insert(AUTHORIZATION, auth.clone());
        }
        for hook in &self.inner.hooks {
            hook.before_attempt(&mut request);
        }
        #[cfg(feature = "tracing")]
        if self.inner.trace_bodies {
            if let RequestBody::Bytes(body) = &request.body {
                trace_body("request body", body);
            }
        }
        let response = prepared
            .transport
            .send(request)
            .await
            .map_err(|source| transport_failure(op.id, attempt, source))?;
        let status = response.status;
        if status.is_success() {
            // The headers are kept for the hooks' `after_attempt`: copied only when there are
            // hooks to see them.
            let headers = (!self.inner.hooks.is_empty()).then(|| response.headers.clone());
            let value = on_success(response)
                .await
                .map_err(|failure| match failure {
                    Failure::Retry {
                        error: Error::Transport { source, .. },
                        ..
                    } => transport_failure(op.id, attempt, source),
                    other => other,
                })?;
            return Ok((value, status, headers));
        }
        if status.is_redirection() {
            let location = response
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Err(Failure::Final(Error::Redirect {
                operation: op.id,
                status,
                location,
            }));
        }
        let HttpResponse {
            headers, mut body, ..
        } = response;
        let error = self
            .api_error(op.id, status, headers, &mut body, attempt)
            .await?;
        let retry_after = error
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let when = match status.as_u16() {
            // Rejected before any processing (Losant documents it for throttled requests),
            // so safe to send again whatever the method.
            429 => Some(RetryWhen::Always),
            502..=504 => Some(RetryWhen::Idempotent),
            _ => None,
        };
        Err(match when {
            Some(when) => Failure::Retry {
                error: Error::Api(Box::new(error)),
                when,
                retry_after,
                timed_out: false,
            },
            None => Failure::Final(Error::Api(Box::new(error))),
        })
    }

    /// Reads a 4xx/5xx answer: at most `max_error_body` bytes of the body are kept (the rest
    /// is read and counted, so the connection can be reused), and the error's kind and message
    /// are read from them without building a tree.
    async fn api_error(
        &self,
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: &mut super::transport::ResponseBody,
        attempt: u32,
    ) -> Result<ApiError, Failure> {
        let keep = self.inner.max_error_body;
        let limit = self.inner.max_response_bytes;
        let mut kept = BytesMut::new();
        let mut total: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|source| transport_failure(operation, attempt, source))?;
            total = total.saturating_add(chunk.len() as u64);
            if kept.len() < keep {
                let room = keep - kept.len();
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            if limit.is_some_and(|limit| total > limit) {
                break;
            }
        }
        #[cfg(feature = "tracing")]
        if self.inner.trace_bodies {
            trace_body("error body", &kept);
        }
        let api = self.inner.api;
        let (error_type, message) =
            error_fields(&kept, api.error_type_field, api.error_message_field);
        Ok(ApiError {
            operation,
            status,
            error_type,
            message,
            body: String::from_utf8_lossy(&kept).into_owned(),
            body_len: total,
            headers,
            attempts: attempt,
        })
    }

    fn url(&self, operation: &'static str, parts: &RequestParts) -> Result<Url, Error> {
        let mut url = match &parts.url {
            Some(text) => {
                let invalid = |problem: String| Error::InvalidRequest {
                    operation,
                    errors: ValidationErrors::one("url", problem),
                };
                let url = Url::parse(text)
                    .map_err(|err| invalid(format!("`{text}` is not a valid URL: {err}")))?;
                check_scheme(&url, self.inner.allow_insecure_http)
                    .map_err(|why| invalid(format!("`{text}` {why}")))?;
                url
            }
            None => {
                let text = format!("{}{}", self.inner.base_url, parts.path);
                Url::parse(&text).map_err(|err| {
                    Error::Config(format!("{operation}: `{text}` is not a valid URL: {err}"))
                })?
            }
        };
        if !parts.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&parts.query);
        }
        Ok(url)
    }

    fn headers(
        &self,
        op: &'static Operation,
        parts: &RequestParts,
        options: &CallOptions,
        accept: &'static str,
    ) -> HeaderMap {
        let mut headers = self.inner.default_headers.clone();
        let external = parts.url.is_some();
        if external {
            // The API's own headers, and the token kept among the defaults, are for the API,
            // not for a URL it handed out.
            for (name, _) in self.inner.api.headers {
                headers.remove(*name);
            }
            headers.remove(AUTHORIZATION);
        }
        // The defaults already accept JSON.
        if accept != "application/json" {
            headers.insert(ACCEPT, HeaderValue::from_static(accept));
        }
        if accept == "text/event-stream" {
            // As the EventSource standard's fetch does: no cache between us and the API may
            // answer a stream.
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        for (name, value) in parts.headers.iter().chain(&options.headers) {
            headers.insert(name.clone(), value.clone());
        }
        match &parts.body {
            Body::Json(_) if !headers.contains_key(CONTENT_TYPE) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Body::Json(_) => {}
            Body::Multipart(form) => {
                if let Ok(value) = HeaderValue::from_str(&form.content_type()) {
                    headers.insert(CONTENT_TYPE, value);
                }
                if let Some(length) = form.content_length() {
                    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
                }
            }
            // RFC 9110: a request whose method defines a body sends `Content-Length: 0` when
            // it has none (some proxies answer 411 otherwise).
            Body::None if matches!(op.method, Method::Post | Method::Put | Method::Patch) => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            Body::None => {}
        }
        // A fixed token is among the defaults; a request's own `Authorization` header does not
        // replace it, only a per-call one does. (A token from a source is added per attempt.)
        if let (false, Auth::Fixed(Some(auth))) = (external, &self.inner.auth) {
            let own = |headers: &[(HeaderName, HeaderValue)]| {
                headers.iter().any(|(name, _)| name == AUTHORIZATION)
            };
            if own(&parts.headers) && !own(&options.headers) {
                headers.insert(AUTHORIZATION, auth.clone());
            }
        }
        headers
    }
}

/// [`Error::MissingScope`] when no scope of the token allows `op`.
fn check_scopes(op: &'static Operation, token_scopes: &[String]) -> Result<(), Error> {
    if op.allows(token_scopes) {
        return Ok(());
    }
    Err(Error::MissingScope {
        operation: op.id,
        accepted: op.scopes,
        token_scopes: token_scopes.to_vec(),
    })
}

/// Whether requests may go to `url`: `https`, or plain `http` to a loopback host or when
/// `allow_insecure_http`; else what is wrong, to follow the URL in a message.
fn check_scheme(url: &Url, allow_insecure_http: bool) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(url) => Ok(()),
        "http" => Err(
            "uses plain http; use https, or allow_insecure_http(true) if you really mean to"
                .to_owned(),
        ),
        other => Err(format!("must use https, not `{other}`")),
    }
}

/// Reads a whole 2xx body, failing with [`Error::ResponseTooLarge`] beyond `limit`.
async fn read_body(
    operation: &'static str,
    headers: &HeaderMap,
    body: &mut super::transport::ResponseBody,
    limit: Option<u64>,
) -> Result<Bytes, Failure> {
    let declared = || {
        headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let (Some(limit), Some(declared)) = (limit, limit.and_then(|_| declared())) {
        if declared > limit {
            return Err(Failure::Final(Error::ResponseTooLarge { operation, limit }));
        }
    }
    let broken = |source| Failure::Retry {
        error: Error::Transport {
            operation,
            attempts: 0,
            source,
        },
        when: RetryWhen::Idempotent,
        retry_after: None,
        timed_out: false,
    };
    let too_large = |size: usize| match limit {
        Some(limit) if size as u64 > limit => {
            Err(Failure::Final(Error::ResponseTooLarge { operation, limit }))
        }
        _ => Ok(()),
    };
    // A body that arrives in one chunk (most answers) is returned as it came, uncopied.
    let Some(first) = body.next().await.transpose().map_err(broken)? else {
        return Ok(Bytes::new());
    };
    too_large(first.len())?;
    let Some(second) = body.next().await.transpose().map_err(broken)? else {
        return Ok(first);
    };
    let capacity = declared().map_or(0, |n| n.min(1 << 20) as usize);
    let mut out = BytesMut::with_capacity(capacity.max(first.len() + second.len()));
    out.extend_from_slice(&first);
    too_large(out.len() + second.len())?;
    out.extend_from_slice(&second);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(broken)?;
        too_large(out.len() + chunk.len())?;
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// How a transport error is retried: one that sent nothing may be retried for every method;
/// one after sending only for idempotent actions.
fn transport_failure(operation: &'static str, attempts: u32, source: TransportError) -> Failure {
    let when = match source.kind() {
        TransportErrorKind::Connect => Some(RetryWhen::Always),
        TransportErrorKind::Request | TransportErrorKind::Body => Some(RetryWhen::Idempotent),
        _ => None,
    };
    let error = Error::Transport {
        operation,
        attempts,
        source,
    };
    match when {
        Some(when) => Failure::Retry {
            error,
            when,
            retry_after: None,
            timed_out: false,
        },
        None => Failure::Final(error),
    }
}

/// Logs `body` at `trace` level (asked for with `ClientBuilder::trace_bodies`): at most its
/// first 16 KiB as text, and its size (`http.request.body.size` for the request's body,
/// `http.response.body.size` for an answer's).
#[cfg(feature = "tracing")]
fn trace_body(what: &'static str, body: &[u8]) {
    const SHOWN: usize = 16 * 1024;
    let text = String::from_utf8_lossy(&body[..body.len().min(SHOWN)]);
    let size = body.len() as u64;
    if what == "request body" {
        tracing::trace!(http.request.body.size = size, body = %text, "{what}");
    } else {
        tracing::trace!(http.response.body.size = size, body = %text, "{what}");
    }
}

/// Records a call's failure on its span, and logs it: at `debug` for an answer the caller is
/// expected to handle (a 4xx other than 429: a missing device, a bad request), at `warn` for
/// what is an operational problem (5xx, 429, timeouts, transport failures, a spent budget).
#[cfg(feature = "tracing")]
fn give_up(span: &tracing::Span, error: &Error, attempts: u32, started: Instant) {
    let kind = error_type(error);
    span.record("error.type", kind.as_ref());
    span.record("otel.status_code", "ERROR");
    if let Some(status) = error.status() {
        span.record("http.response.status_code", status.as_u16());
    }
    let total_ms = started.elapsed().as_millis() as u64;
    let expected = matches!(error, Error::Api(api)
        if api.status.is_client_error() && api.status != StatusCode::TOO_MANY_REQUESTS);
    if expected {
        tracing::debug!(parent: span, attempts, error.type = kind.as_ref(), total_ms, %error, "failed");
    } else {
        tracing::warn!(parent: span, attempts, error.type = kind.as_ref(), total_ms, %error, "failed");
    }
}

/// OpenTelemetry's `error.type`: the status code for an error answer, else a short name of
/// the kind of failure.
#[cfg(feature = "tracing")]
fn error_type(error: &Error) -> std::borrow::Cow<'static, str> {
    if let Error::Api(api) = error {
        return api.status.as_str().to_owned().into();
    }
    match error {
        Error::Api(_) => "api",
        Error::Transport { .. } => "transport",
        Error::Timeout { .. } => "timeout",
        Error::Redirect { .. } => "redirect",
        Error::Decode { .. } | Error::EmptyBody { .. } => "decode",
        Error::ResponseTooLarge { .. } => "response_too_large",
        Error::EventStream { .. } => "event_stream",
        Error::Pagination { .. } => "pagination",
        Error::InvalidRequest { .. } => "invalid_request",
        Error::MissingScope { .. } => "missing_scope",
        Error::Login { .. } => "login",
        Error::Config(_) => "config",
    }
    .into()
}

/// Why an attempt failed, and whether another may be made.
pub(crate) enum Failure {
    /// Not worth retrying.
    Final(Error),
    /// May pass on another try.
    Retry {
        error: Error,
        when: RetryWhen,
        retry_after: Option<Duration>,
        timed_out: bool,
    },
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Final(error)
    }
}

/// Which actions a retryable failure may be retried for.
#[derive(Clone, Copy)]
pub(crate) enum RetryWhen {
    /// Every action: nothing reached the server, or it rejected the request unprocessed.
    Always,
    /// Idempotent actions only: the server may have acted on the request.
    Idempotent,
}

/// A checked request, ready for as many attempts as it takes.
pub(crate) struct Prepared {
    transport: Arc<dyn Transport>,
    pub(crate) operation: &'static Operation,
    /// What the request is made of, to build it again for another attempt.
    parts: RequestParts,
    /// The `Accept` value.
    accept: &'static str,
    /// The URL and headers built by `prepare`, until the first attempt takes them: a call
    /// sent once builds them once, and only a retry (or a stream's reconnection) builds them
    /// again from `parts`.
    ready: Mutex<Option<(Url, HeaderMap)>>,
    /// Where each attempt's token comes from, when the client has a source, the request goes
    /// to the API and the call did not set its own `Authorization`.
    source: Option<Arc<dyn TokenSource>>,
}

impl Client {
    /// The request of one attempt (with a fresh body stream for a multipart body).
    fn http_request(
        &self,
        prepared: &Prepared,
        options: &CallOptions,
        attempt: u32,
    ) -> Result<HttpRequest, Failure> {
        let op = prepared.operation;
        let ready = prepared
            .ready
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let (url, headers) = match ready {
            Some(ready) => ready,
            None => (
                self.url(op.id, &prepared.parts)?,
                self.headers(op, &prepared.parts, options, prepared.accept),
            ),
        };
        let body = match &prepared.parts.body {
            Body::None => RequestBody::Empty,
            Body::Json(json) => RequestBody::Bytes(json.clone()),
            Body::Multipart(form) => {
                let stream = form.stream().map_err(|err| {
                    Failure::Final(Error::Config(format!(
                        "{}: the upload cannot be sent again: {err}",
                        op.id
                    )))
                })?;
                let stream = stream.map(|chunk| chunk);
                RequestBody::Stream {
                    stream: Box::pin(stream),
                    length: form.content_length(),
                }
            }
        };
        Ok(HttpRequest {
            operation: op,
            attempt,
            method: op.method,
            url,
            headers,
            body,
        })
    }
}

impl Prepared {
    /// Whether the body can be sent again (an upload from a reader can be sent once).
    fn replayable(&self) -> bool {
        match &self.parts.body {
            Body::Multipart(form) => form.is_replayable(),
            _ => true,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("token", &inner.auth)
            .field("scopes", &inner.scopes)
            .field("timeout", &inner.timeout)
            .field("deadline", &inner.deadline)
            .field("retry", &inner.retry)
            .field("hooks", &inner.hooks.len())
            .field("unusable", &inner.transport.as_ref().err())
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

/// Configures a [`Client`]; see `Client::builder`.
pub struct ClientBuilder {
    api: &'static ApiInfo,
    token: String,
    token_source: Option<Arc<dyn TokenSource>>,
    base_url: Option<String>,
    timeout: Duration,
    deadline: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    budget: RetryBudget,
    user_agent: String,
    transport: Option<Arc<dyn Transport>>,
    http_client: Option<reqwest::Client>,
    scopes: Option<Vec<String>>,
    check_scopes: bool,
    allow_insecure_http: bool,
    max_response_bytes: Option<u64>,
    max_error_body: usize,
    hooks: Vec<Arc<dyn Hook>>,
    trace_bodies: bool,
}

impl ClientBuilder {
    /// A builder for a client of `api` (the generated `API_INFO`) with `token`; the generated
    /// `Client::builder` calls this.
    pub fn for_api(api: &'static ApiInfo, token: impl Into<String>) -> Self {
        ClientBuilder {
            api,
            token: token.into(),
            token_source: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            budget: RetryBudget::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            transport: None,
            http_client: None,
            scopes: None,
            check_scopes: true,
            allow_insecure_http: false,
            max_response_bytes: None,
            max_error_body: DEFAULT_MAX_ERROR_BODY,
            hooks: Vec::new(),
            trace_bodies: false,
        }
    }

    /// A builder for `api` configured from the environment: the token from the variable the
    /// API names (`LOSANT_API_TOKEN`; surrounding whitespace ignored) and, if set and not
    /// empty, the base URL from its URL variable (`LOSANT_API_URL`).
    ///
    /// When the token variable is not set, the client logs in with the first of the API's
    /// [logins](ApiInfo::logins) whose variables are all set (each value trimmed), in a
    /// [`LoginSession`]: when it first needs a token, again before the token expires, and
    /// once after the API refuses it. A login whose variables are only partly set is an error
    /// naming the missing ones, as is no token and no login at all.
    pub fn from_env_for(api: &'static ApiInfo) -> Result<ClientBuilder, Error> {
        Self::from_os_vars(api, |name| std::env::var_os(name))
    }

    /// Like [`from_env_for`](ClientBuilder::from_env_for), reading each variable through
    /// `var` instead of the process environment: for tests, or settings kept elsewhere.
    pub fn from_vars_for(
        api: &'static ApiInfo,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<ClientBuilder, Error> {
        Self::from_os_vars(api, |name| var(name).map(OsString::from))
    }

    fn from_os_vars(
        api: &'static ApiInfo,
        var: impl Fn(&str) -> Option<OsString>,
    ) -> Result<ClientBuilder, Error> {
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
        let base_url = read(api.base_url_env_var)?;
        if let Some(token) = read(api.token_env_var)? {
            let mut builder = ClientBuilder::for_api(api, token);
            builder.base_url = base_url;
            return Ok(builder);
        }
        for login in api.logins {
            let mut members = Vec::new();
            let mut missing = Vec::new();
            for &(member, variable) in login.env {
                match read(variable)? {
                    Some(value) => members.push((member, value)),
                    None => missing.push(variable),
                }
            }
            if members.is_empty() {
                continue;
            }
            if !missing.is_empty() {
                let set: Vec<&str> = login
                    .env
                    .iter()
                    .filter(|(_, v)| !missing.contains(v))
                    .map(|(_, v)| *v)
                    .collect();
                let verb = |n: usize| if n == 1 { "is" } else { "are" };
                return Err(Error::Config(format!(
                    "{} {} set for a {} login, but {} {} not; set {} too, or set {} instead",
                    set.join(" and "),
                    verb(set.len()),
                    login.name,
                    missing.join(" and "),
                    verb(missing.len()),
                    if missing.len() == 1 { "it" } else { "them" },
                    api.token_env_var
                )));
            }
            for &(member, variable) in login.optional_env {
                if let Some(value) = read(variable)? {
                    members.push((member, value));
                }
            }
            let mut builder = ClientBuilder::for_api(api, "");
            builder.base_url = base_url;
            return Ok(builder.login(EnvLogin {
                info: login,
                members,
            }));
        }
        let mut message = format!(
            "the environment variable {} is not set or empty; set it to an API token",
            api.token_env_var
        );
        for login in api.logins {
            let vars: Vec<&str> = login.env.iter().map(|(_, v)| *v).collect();
            message.push_str(&format!(
                ", or {} to log in as a {}",
                vars.join(", "),
                login.name
            ));
        }
        Err(Error::Config(message))
    }

    /// Takes each attempt's token from `source` instead of the fixed token given to the
    /// builder (which is then not used): see [`TokenSource`].
    pub fn token_source(mut self, source: impl TokenSource) -> Self {
        self.token_source = Some(Arc::new(source));
        self
    }

    /// Logs in with `login` when a token is needed, instead of using the fixed token: the
    /// token is kept, renewed before it expires, and renewed once when the API refuses it;
    /// concurrent calls share one login. Short for
    /// `.token_source(LoginSession::new(login))`; see [`LoginSession`].
    pub fn login(self, login: impl Login) -> Self {
        self.token_source(LoginSession::new(login))
    }

    /// The base URL (default: the API's). It may have a path, which is kept in front of every
    /// action's path. Plain `http` is refused unless the host is loopback (`localhost`,
    /// `127.0.0.0/8`, `::1`) or [`allow_insecure_http`] is set.
    ///
    /// [`allow_insecure_http`]: ClientBuilder::allow_insecure_http
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time limit of each attempt of a call, from sending to reading the whole answer
    /// (default 30 s). See also [`deadline`](ClientBuilder::deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit of a whole call: every attempt and every wait between them, a server's
    /// `Retry-After` included (default 120 s). No retry is started that could not finish in
    /// time; when it runs out the call fails with [`Error::Timeout`]
    /// ([`TimeoutKind::Deadline`]). Event streams are bounded by it until they are
    /// established, not afterwards.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
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

    /// How many retries the client's calls may spend together (default
    /// [`RetryBudget::default`]: 500 tokens, 5 a retry).
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The `User-Agent` header (default `losant-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests with this `reqwest` client (its proxy, TLS and pool settings). Build it
    /// with `redirect(reqwest::redirect::Policy::none())`; a redirect it follows on its own
    /// makes the call fail. Its connect timeout is its own.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sends requests through `transport` instead of HTTP over the network: for tests (see
    /// `losant::testing`) or an HTTP stack of your own. Everything else (checks, retries,
    /// deadlines, decoding) is unchanged.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
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

    /// Whether to refuse, before sending, a call that the token's known scopes do not allow
    /// (default true). Turn it off when a token is accepted for more than the spec lists.
    pub fn check_scopes(mut self, check: bool) -> Self {
        self.check_scopes = check;
        self
    }

    /// Allows a plain `http` base URL on any host (default false: only loopback hosts). The
    /// token then crosses the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest response body the client reads, in bytes (default: no limit). A larger
    /// one fails with [`Error::ResponseTooLarge`] as soon as it is known to be larger.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// How much of an error response's body [`ApiError`] keeps, in bytes (default 64 KiB);
    /// the rest is read and counted ([`ApiError::body_len`]), not kept.
    pub fn max_error_body(mut self, bytes: usize) -> Self {
        self.max_error_body = bytes;
        self
    }

    /// Adds a [`Hook`] that runs around every attempt.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// With the `tracing` feature, also logs each request's JSON body and each answer's body
    /// (at most 16 KiB of each, with its full size) as `trace`-level events of the call's span
    /// (default false; without the feature it does nothing). Off by default because bodies can
    /// hold secrets: the API's answers include tokens and keys. Headers are never logged, so
    /// neither is the client's token; multipart uploads and event streams are not logged.
    pub fn trace_bodies(mut self, trace: bool) -> Self {
        self.trace_bodies = trace;
        self
    }

    /// Builds the client, or an unusable one whose every call fails with [`Error::Config`]
    /// saying why (for infallible constructors such as `Client::new`).
    pub fn build_or_unusable(self) -> Client {
        let api = self.api;
        self.build().unwrap_or_else(|err| match err {
            Error::Config(why) => Client::unusable(api, why),
            other => Client::unusable(api, other.to_string()),
        })
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.checked_base_url()?;

        let auth = match &self.token_source {
            Some(source) => Auth::Source(source.clone()),
            None if self.token.is_empty() => Auth::Fixed(None),
            None => Auth::Fixed(Some(auth::bearer_header(&self.token)?)),
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
        for &(name, value) in self.api.headers {
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
        if let Auth::Fixed(Some(header)) = &auth {
            default_headers.insert(AUTHORIZATION, header.clone());
        }

        let transport: Arc<dyn Transport> = match (self.transport, self.http_client) {
            (Some(transport), _) => transport,
            (None, Some(client)) => Arc::new(ReqwestTransport::with_client(client)),
            (None, None)
                if base_url.starts_with("https:") && ReqwestTransport::tls_backend().is_none() =>
            {
                return Err(Error::Config(
                    "this build of losant has no TLS backend, so it cannot reach an https:// URL: \
                     enable its `rustls` feature (the default), `native-tls` or `rustls-aws-lc`"
                        .to_owned(),
                ));
            }
            (None, None) => Arc::new(
                ReqwestTransport::new(self.connect_timeout)
                    .map_err(|err| Error::Config(format!("could not set up HTTP: {err}")))?,
            ),
        };
        let scopes = match auth {
            Auth::Fixed(_) => self.scopes.or_else(|| scopes::jwt_scopes(&self.token)),
            Auth::Source(_) => self.scopes,
        };

        Ok(Client {
            inner: Arc::new(Inner {
                api: self.api,
                transport: Ok(transport),
                base_url,
                auth,
                without_token: OnceLock::new(),
                default_headers,
                timeout: self.timeout,
                deadline: self.deadline,
                retry: self.retry,
                budget: self.budget,
                scopes,
                check_scopes: self.check_scopes,
                allow_insecure_http: self.allow_insecure_http,
                max_response_bytes: self.max_response_bytes,
                max_error_body: self.max_error_body,
                hooks: self.hooks,
                trace_bodies: self.trace_bodies,
            }),
        })
    }

    /// The base URL without a trailing slash, once checked.
    fn checked_base_url(&self) -> Result<String, Error> {
        let text = self.base_url.as_deref().unwrap_or(self.api.base_url);
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
            .field("token_source", &self.token_source)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("budget", &self.budget)
            .field("user_agent", &self.user_agent)
            .field("transport", &self.transport.is_some())
            .field("http_client", &self.http_client.is_some())
            .field("scopes", &self.scopes)
            .field("check_scopes", &self.check_scopes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_error_body", &self.max_error_body)
            .field("hooks", &self.hooks.len())
            .field("trace_bodies", &self.trace_bodies)
            .finish()
    }
}
