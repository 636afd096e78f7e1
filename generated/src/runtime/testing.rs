//! Testing code that calls the API, with no network and no socket (the `test-util` feature).
//!
//! A [`MockApi`] is a stand-in for the API that runs in the test's process. Give its client to
//! the code under test ([`MockApi::client`]), say which calls you expect with
//! [`MockApi::expect`] (keyed by the typed operation, the `OPERATION` constant of each request
//! builder, never by a hand-written path), and what each answers ([`Reply`]): the spec's
//! published example for the action (the default), a typed model, an error status, a transport
//! failure, or a sequence of those. Afterwards, look at what was sent ([`MockApi::requests`],
//! [`RecordedRequest`]) and check that every expectation was met ([`MockApi::verify`]).
//!
//! The mock is only a [`Transport`]: everything the client does before and after the network
//! runs unchanged, so a test sees what production would (validation, the scope check, query
//! and path encoding, retries and their waits, deadlines, decoding, pagination, hooks). Retries
//! wait as they would in production; pause tokio's clock (`tokio::time::pause()`, or
//! `#[tokio::test(start_paused = true)]`, with tokio's `test-util` feature) and the waits take
//! no time.
//!
//! ```
//! use futures_util::TryStreamExt;
//! use losant::orgs::OrgsGetRequest;
//! use losant::testing::{MockApi, Reply};
//!
//! // The code under test: the names of every organization, across pages.
//! async fn org_names(client: &losant::Client) -> Result<Vec<String>, losant::Error> {
//!     let orgs: Vec<_> = client.orgs().get().per_page(2).into_stream().try_collect().await?;
//!     Ok(orgs.into_iter().filter_map(|org| org.name).collect())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockApi::new();
//! let page = |names: &[&str], total: usize| {
//!     let items: Vec<_> = names.iter().map(|n| serde_json::json!({ "name": n })).collect();
//!     Reply::json(&serde_json::json!({ "items": items, "totalCount": total }))
//! };
//! mock.expect(OrgsGetRequest::OPERATION)
//!     .query("page", 0)
//!     .reply(page(&["Acme", "Globex"], 3));
//! mock.expect(OrgsGetRequest::OPERATION)
//!     .query("page", 1)
//!     .reply(page(&["Initech"], 3));
//!
//! let names = org_names(&mock.client()).await.unwrap();
//!
//! assert_eq!(names, ["Acme", "Globex", "Initech"]);
//! let sent = mock.requests(OrgsGetRequest::OPERATION);
//! assert_eq!(sent.len(), 2);
//! assert_eq!(sent[1].query("perPage").as_deref(), Some("2"));
//! mock.verify(); // every expectation met, nothing unexpected
//! # }
//! ```
//!
//! An expectation with no reply of its own answers with the spec's published example, and one
//! with several replies gives them in turn (the last one repeats):
//!
//! ```
//! use losant::orgs::OrgsGetRequest;
//! use losant::testing::{MockApi, Reply};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! tokio::time::pause(); // the retry's wait takes no time
//! let mock = MockApi::new();
//! let list = mock
//!     .expect(OrgsGetRequest::OPERATION)
//!     .reply(Reply::status(503))     // the first attempt
//!     .reply(Reply::example());      // the retry: the spec's example page
//!
//! let page = mock.client().orgs().get().await.unwrap();
//!
//! assert_eq!(page.items.map(|items| items.len()), Some(1));
//! assert_eq!(list.calls(), 2);
//! mock.verify();
//!
//! // An error status, with the API's error body:
//! let mock = MockApi::new();
//! mock.expect(OrgsGetRequest::OPERATION)
//!     .reply(Reply::error(400, "Validation", "perPage must be at most 1000"));
//! match mock.client().orgs().get().per_page(5000).await {
//!     Err(losant::Error::Api(api)) => {
//!         assert_eq!(api.status, 400);
//!         assert_eq!(api.message.as_deref(), Some("perPage must be at most 1000"));
//!     }
//!     other => panic!("expected an API error, got {other:?}"),
//! }
//! # }
//! ```
//!
//! A request that no expectation matches fails the call with [`Error::Transport`] whose
//! message names the request's method, path and operation and lists every expectation with
//! why it did not match; [`verify`](MockApi::verify) reports it too, so it fails the test even
//! when the code under test swallows the error. A `MockApi` dropped without
//! [`verify`](MockApi::verify) or [`check`](MockApi::check) having been called verifies itself,
//! so a forgotten check still fails the test.
//!
//! [`Error::Transport`]: crate::Error::Transport

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::percent_decode_str;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ApiInfo;
use super::client::{Client, ClientBuilder};
use super::request::{Method, Operation};
use super::transport::{
    BoxFuture, HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind,
};

/// The token of the clients a [`MockApi`] makes ([`MockApi::client`]).
pub const TEST_TOKEN: &str = "test-token";

/// One documented answer of an action with its published example, as the generated code lists
/// them for [`MockApi::for_api`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExampleResponse {
    /// The operation's id, e.g. `orgs.get`.
    pub operation: &'static str,
    /// The answer's status.
    pub status: u16,
    /// Its body.
    pub body: ExampleBody,
}

/// The body of an [`ExampleResponse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleBody {
    /// The status has no body.
    Empty,
    /// The published example of the body's schema, as JSON text.
    Json(&'static str),
    /// The status has a JSON body, but its schema publishes no example: a test must give the
    /// body itself ([`Reply::json`]).
    Unpublished,
    /// The status answers a server-sent event stream (the example is an empty one).
    EventStream,
}

/// An in-process stand-in for the API: expectations keyed by operation, the requests it
/// received, and a check that the two agree. See the [module documentation](self).
///
/// The generated code gives it a constructor for its API, `MockApi::new()`, which knows the
/// spec's published examples.
pub struct MockApi {
    state: Arc<State>,
}

/// What a [`MockApi`] and its transports share.
struct State {
    api: &'static ApiInfo,
    examples: &'static [ExampleResponse],
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    rules: Vec<Rule>,
    /// Every request received, in order, matched or not.
    requests: Vec<RecordedRequest>,
    /// Requests no expectation matched, with the explanation their call failed with.
    unexpected: Vec<String>,
    /// Replies that could not be given (an example the spec does not publish).
    problems: Vec<String>,
    /// Whether `verify` or `check` was called (then dropping the mock checks nothing).
    checked: bool,
}

impl MockApi {
    /// A mock of the API described by `api`, answering with `examples` where an expectation
    /// gives no reply of its own. The generated `MockApi::new()` calls this with the spec's
    /// examples; call it yourself only for a hand-made API description.
    pub fn for_api(api: &'static ApiInfo, examples: &'static [ExampleResponse]) -> MockApi {
        MockApi {
            state: Arc::new(State {
                api,
                examples,
                inner: Mutex::new(Inner::default()),
            }),
        }
    }

    /// A client that sends every request to this mock, with the API's defaults otherwise (its
    /// base URL, retry policy, timeouts) and the token [`TEST_TOKEN`].
    pub fn client(&self) -> Client {
        self.client_builder().build_or_unusable()
    }

    /// A builder for a client that sends every request to this mock (token [`TEST_TOKEN`]),
    /// to change other settings first: `.retry(..)`, `.scopes(..)`, `.hook(..)`, ...
    pub fn client_builder(&self) -> ClientBuilder {
        ClientBuilder::for_api(self.state.api, TEST_TOKEN).transport(self.transport())
    }

    /// The [`Transport`] that answers for this mock, for a client configured some other way
    /// (`ClientBuilder::transport`).
    pub fn transport(&self) -> MockTransport {
        MockTransport {
            state: self.state.clone(),
        }
    }

    /// Expects calls of `operation` (a request builder's `OPERATION`, e.g.
    /// `OrgsGetRequest::OPERATION`) and returns the expectation, to narrow which requests it
    /// matches, give its replies and say how many calls it expects.
    ///
    /// By default it matches every request of the operation, answers with the spec's published
    /// example and expects at least one call (at least one per reply when it has several).
    /// Expectations are tried in the order they were made; the first that matches a request
    /// and has calls left answers it.
    pub fn expect(&self, operation: &'static Operation) -> Expectation {
        let mut inner = self.state.lock();
        inner.rules.push(Rule {
            operation,
            matchers: Vec::new(),
            replies: Vec::new(),
            min: None,
            max: None,
            requests: Vec::new(),
        });
        Expectation {
            state: self.state.clone(),
            index: inner.rules.len() - 1,
        }
    }

    /// The requests of `operation` received so far, matched or not, in the order they came
    /// (each retry is a request of its own).
    pub fn requests(&self, operation: &'static Operation) -> Vec<RecordedRequest> {
        self.state
            .lock()
            .requests
            .iter()
            .filter(|r| r.operation.id == operation.id)
            .cloned()
            .collect()
    }

    /// Every request received so far, of any operation, in the order they came.
    pub fn all_requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().requests.clone()
    }

    /// Checks that every expectation got the calls it expects, that every request matched one
    /// and that every reply could be given; panics with a report of each problem otherwise.
    #[track_caller]
    pub fn verify(&self) {
        if let Err(report) = self.check() {
            panic!("{report}");
        }
    }

    /// [`verify`](MockApi::verify) without the panic: the report of what went wrong, if
    /// anything did. Either marks the mock as checked, so that dropping it checks nothing more.
    pub fn check(&self) -> Result<(), String> {
        let mut inner = self.state.lock();
        inner.checked = true;
        inner.report()
    }
}

impl Drop for MockApi {
    /// Verifies the expectations unless [`verify`](MockApi::verify) or
    /// [`check`](MockApi::check) was called, or the thread is already panicking.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let result = {
            let inner = self.state.lock();
            if inner.checked {
                Ok(())
            } else {
                inner.report()
            }
        };
        if let Err(report) = result {
            panic!("{report}\n(reported when the MockApi was dropped without verify())");
        }
    }
}

impl fmt::Debug for MockApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.state.lock();
        f.debug_struct("MockApi")
            .field("api", &self.state.api.title)
            .field("expectations", &inner.rules.len())
            .field("requests", &inner.requests.len())
            .field("unexpected", &inner.unexpected.len())
            .finish()
    }
}

impl State {
    /// The shared state; a panic elsewhere while it was held leaves it usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records `request` and finds its reply, or explains why no expectation matches it.
    fn route(&self, request: RecordedRequest) -> Result<Reply, String> {
        let mut inner = self.lock();
        let found = inner
            .rules
            .iter()
            .position(|rule| rule.admits(&request).is_ok());
        inner.requests.push(request.clone());
        let Some(index) = found else {
            let mut message = format!(
                "no expectation of the mock API matches {} {} ({}, attempt {})",
                request.method,
                request.path_and_query(),
                request.operation.id,
                request.attempt
            );
            if inner.rules.is_empty() {
                message.push_str("; no expectation was set (MockApi::expect)");
            } else {
                message.push_str("; the expectations:");
                for (i, rule) in inner.rules.iter().enumerate() {
                    let why = match rule.admits(&request) {
                        Ok(()) => "matches".to_owned(),
                        Err(why) => why,
                    };
                    message.push_str(&format!("\n  #{} {}: {why}", i + 1, rule));
                }
            }
            inner.unexpected.push(message.clone());
            return Err(message);
        };
        let rule = &mut inner.rules[index];
        let reply = rule
            .replies
            .get(rule.requests.len())
            .or(rule.replies.last())
            .cloned()
            .unwrap_or_else(Reply::example);
        rule.requests.push(request);
        Ok(reply)
    }

    /// The response `reply` gives to a request of `operation`.
    fn answer(
        &self,
        operation: &'static Operation,
        reply: &Reply,
    ) -> Result<HttpResponse, TransportError> {
        let (status, content_type, body) = match &reply.kind {
            ReplyKind::Example(status) => self.example(operation, *status).map_err(|problem| {
                self.lock().problems.push(problem.clone());
                TransportError::new(TransportErrorKind::Other, problem)
            })?,
            ReplyKind::Body {
                status,
                content_type,
                body,
            } => (*status, content_type.clone(), body.clone()),
            ReplyKind::Error {
                status,
                error_type,
                message,
            } => {
                let mut fields = serde_json::Map::new();
                fields.insert(self.api.error_type_field.into(), error_type.clone().into());
                fields.insert(self.api.error_message_field.into(), message.clone().into());
                let body = Value::Object(fields).to_string();
                (*status, Some(JSON.into()), Bytes::from(body))
            }
            ReplyKind::Fail(kind) if *kind != TransportErrorKind::Body => {
                return Err(TransportError::new(
                    *kind,
                    format!("a {kind:?} failure the test asked the mock API for"),
                ));
            }
            ReplyKind::Fail(_) => (StatusCode::OK, Some(JSON.into()), Bytes::new()),
        };
        let status = reply.status.unwrap_or(status);
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type.and_then(|t| HeaderValue::from_str(&t).ok()) {
            headers.insert(CONTENT_TYPE, value);
        }
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        for (name, value) in &reply.headers {
            headers.insert(name.clone(), value.clone());
        }
        if matches!(reply.kind, ReplyKind::Fail(TransportErrorKind::Body)) {
            // The head arrives, then the body breaks off.
            let broken = TransportError::new(
                TransportErrorKind::Body,
                "the body broke off, as the test asked the mock API",
            );
            let mut response = HttpResponse::new(status, headers, Bytes::new());
            response.body = Box::pin(futures_util::stream::iter([Err(broken)]));
            return Ok(response);
        }
        Ok(HttpResponse::new(status, headers, body))
    }

    /// The published example of `operation` (its usual success, or the answer of `status`):
    /// status, content type and body.
    fn example(
        &self,
        operation: &'static Operation,
        status: Option<u16>,
    ) -> Result<(StatusCode, Option<String>, Bytes), String> {
        let mut answers = self.examples.iter().filter(|e| e.operation == operation.id);
        let found = match status {
            None => answers.next(),
            Some(status) => answers.find(|e| e.status == status),
        };
        let what = match status {
            None => String::new(),
            Some(status) => format!(" with status {status}"),
        };
        let Some(found) = found else {
            return Err(format!(
                "{} ({} {}) documents no answer{what}, so the mock API has no example to give; \
                 give the reply yourself (Reply::json, Reply::status, Reply::error)",
                operation.id, operation.method, operation.path
            ));
        };
        let status = StatusCode::from_u16(found.status).map_err(|err| {
            format!(
                "{}: the example's status {}: {err}",
                operation.id, found.status
            )
        })?;
        Ok(match found.body {
            ExampleBody::Empty => (status, None, Bytes::new()),
            ExampleBody::Json(text) => (
                status,
                Some(JSON.into()),
                Bytes::from_static(text.as_bytes()),
            ),
            ExampleBody::EventStream => (status, Some("text/event-stream".into()), Bytes::new()),
            ExampleBody::Unpublished => {
                return Err(format!(
                    "the spec publishes no example of the {} answer of {} ({} {}); give the \
                     body yourself (Reply::json)",
                    found.status, operation.id, operation.method, operation.path
                ));
            }
        })
    }
}

const JSON: &str = "application/json";

impl Inner {
    /// Every problem: unmet expectations, unexpected requests, replies that could not be
    /// given.
    fn report(&self) -> Result<(), String> {
        let unmet: Vec<String> = self
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, rule)| {
                let calls = rule.requests.len();
                let (min, max) = rule.bounds();
                let met = calls >= min && max.is_none_or(|max| calls <= max);
                (!met).then(|| {
                    format!(
                        "  #{} {}: expected {}, got {calls}",
                        i + 1,
                        rule,
                        rule.expected()
                    )
                })
            })
            .collect();
        if unmet.is_empty() && self.unexpected.is_empty() && self.problems.is_empty() {
            return Ok(());
        }
        let mut report = String::from("the mock API's expectations were not met");
        if !unmet.is_empty() {
            report.push_str(&format!("\nunmet expectations ({}):\n", unmet.len()));
            report.push_str(&unmet.join("\n"));
        }
        if !self.unexpected.is_empty() {
            report.push_str(&format!(
                "\nunexpected requests ({}):",
                self.unexpected.len()
            ));
            for message in &self.unexpected {
                report.push_str("\n  ");
                report.push_str(&message.replace('\n', "\n  "));
            }
        }
        if !self.problems.is_empty() {
            report.push_str(&format!(
                "\nreplies that could not be given ({}):",
                self.problems.len()
            ));
            for problem in &self.problems {
                report.push_str("\n  ");
                report.push_str(problem);
            }
        }
        Err(report)
    }
}

/// The [`Transport`] of a [`MockApi`]: answers each request in the process, as the mock's
/// expectations say. Cheap to clone; clones share the mock.
#[derive(Clone)]
pub struct MockTransport {
    state: Arc<State>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport")
            .field("api", &self.state.api.title)
            .finish_non_exhaustive()
    }
}

impl Transport for MockTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let HttpRequest {
                operation,
                attempt,
                method,
                url,
                headers,
                body,
            } = request;
            let body = body
                .collect()
                .await
                .map_err(|err| TransportError::new(TransportErrorKind::Request, err))?;
            let recorded = RecordedRequest {
                operation,
                attempt,
                method,
                url,
                headers,
                body,
            };
            let reply = self
                .state
                .route(recorded)
                .map_err(|message| TransportError::new(TransportErrorKind::Other, message))?;
            if let Some(delay) = reply.delay {
                tokio::time::sleep(delay).await;
            }
            self.state.answer(operation, &reply)
        })
    }
}

/// One expectation of a [`MockApi`], made by [`MockApi::expect`]: which requests of its
/// operation it matches, what it answers, and how many calls it expects.
///
/// Its methods change the expectation in place and return it, so they chain; keep it to ask
/// afterwards how it was called ([`calls`](Expectation::calls),
/// [`requests`](Expectation::requests)). Clones refer to the same expectation.
#[derive(Clone)]
pub struct Expectation {
    state: Arc<State>,
    index: usize,
}

impl Expectation {
    fn update(self, change: impl FnOnce(&mut Rule)) -> Self {
        change(&mut self.state.lock().rules[self.index]);
        self
    }

    fn matcher(self, matcher: Matcher) -> Self {
        self.update(|rule| rule.matchers.push(matcher))
    }

    /// Matches only requests whose path parameter `name` (as the spec names it, e.g.
    /// `applicationId`) is `value`, compared after percent-decoding.
    ///
    /// # Panics
    ///
    /// When the operation's path has no parameter `name`: such an expectation could never
    /// match.
    #[track_caller]
    pub fn path_param(self, name: &str, value: impl fmt::Display) -> Self {
        let operation = self.state.lock().rules[self.index].operation;
        assert!(
            operation.path.contains(&format!("{{{name}}}")),
            "`{name}` is not a path parameter of {} ({})",
            operation.id,
            operation.path
        );
        self.matcher(Matcher::PathParam(name.to_owned(), value.to_string()))
    }

    /// Matches only requests with the query parameter `name` (its name on the wire, e.g.
    /// `perPage`) set to `value` (among its values, for a parameter sent more than once).
    pub fn query(self, name: &str, value: impl fmt::Display) -> Self {
        self.matcher(Matcher::Query(name.to_owned(), value.to_string()))
    }

    /// Matches only requests without the query parameter `name`.
    pub fn no_query(self, name: &str) -> Self {
        self.matcher(Matcher::NoQuery(name.to_owned()))
    }

    /// Matches only requests whose header `name` (any case) is `value`.
    pub fn header(self, name: &str, value: impl fmt::Display) -> Self {
        self.matcher(Matcher::Header(
            name.to_ascii_lowercase(),
            value.to_string(),
        ))
    }

    /// Matches only requests whose body is JSON equal to `body` serialized (members in any
    /// order): a model, or a `serde_json::json!` value.
    ///
    /// # Panics
    ///
    /// When `body` cannot be serialized as JSON.
    #[track_caller]
    pub fn json_body(self, body: impl Serialize) -> Self {
        let body = serde_json::to_value(body)
            .unwrap_or_else(|err| panic!("the expected body cannot be serialized: {err}"));
        self.matcher(Matcher::JsonBody(body))
    }

    /// Matches only requests for which `predicate` is true; `description` says what it
    /// checks, in reports.
    pub fn matching(
        self,
        description: &str,
        predicate: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.matcher(Matcher::Custom(description.to_owned(), Arc::new(predicate)))
    }

    /// Adds a reply: the first call gets the first reply, the second the second, and so on;
    /// once they are used up, the last one answers every further call. Without any reply, the
    /// expectation answers with the spec's published example ([`Reply::example`]).
    pub fn reply(self, reply: Reply) -> Self {
        self.update(|rule| rule.replies.push(reply))
    }

    /// Expects exactly `n` calls, and answers no more: a further matching request goes to the
    /// next expectation that matches it, or is unexpected.
    pub fn times(self, n: usize) -> Self {
        self.update(|rule| {
            rule.min = Some(n);
            rule.max = Some(n);
        })
    }

    /// Expects at least `n` calls (`0` makes the expectation optional).
    pub fn at_least(self, n: usize) -> Self {
        self.update(|rule| rule.min = Some(n))
    }

    /// Answers at most `n` calls (and expects none unless [`at_least`](Expectation::at_least)
    /// says otherwise); further matching requests go to the next expectation.
    pub fn at_most(self, n: usize) -> Self {
        self.update(|rule| rule.max = Some(n))
    }

    /// How many requests this expectation has answered.
    pub fn calls(&self) -> usize {
        self.state.lock().rules[self.index].requests.len()
    }

    /// The requests this expectation has answered, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().rules[self.index].requests.clone()
    }
}

impl fmt::Debug for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.state.lock();
        write!(
            f,
            "Expectation(#{} {})",
            self.index + 1,
            inner.rules[self.index]
        )
    }
}

/// What one [`Expectation`] is, inside the shared state.
struct Rule {
    operation: &'static Operation,
    matchers: Vec<Matcher>,
    replies: Vec<Reply>,
    /// Calls expected at least and at most, when set.
    min: Option<usize>,
    max: Option<usize>,
    /// The requests it answered.
    requests: Vec<RecordedRequest>,
}

impl Rule {
    /// Whether this rule answers `request`, or why not.
    fn admits(&self, request: &RecordedRequest) -> Result<(), String> {
        if request.operation.id != self.operation.id {
            return Err(format!("not this operation ({})", request.operation.id));
        }
        if let Some(max) = self.max {
            if self.requests.len() >= max {
                return Err(format!("already answered its {max} call(s)"));
            }
        }
        self.matchers
            .iter()
            .try_for_each(|matcher| matcher.check(request))
    }

    /// The calls it expects, at least and at most: by default at least one per reply.
    fn bounds(&self) -> (usize, Option<usize>) {
        let default_min = if self.max.is_some() {
            0
        } else {
            self.replies.len().max(1)
        };
        (self.min.unwrap_or(default_min), self.max)
    }

    fn expected(&self) -> String {
        match self.bounds() {
            (min, Some(max)) if min == max => format!("exactly {min} call(s)"),
            (0, Some(max)) => format!("at most {max} call(s)"),
            (min, Some(max)) => format!("{min} to {max} calls"),
            (min, None) => format!("at least {min} call(s)"),
        }
    }
}

impl fmt::Display for Rule {
    /// `orgs.get (GET /orgs) where query page = "1"`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.operation;
        write!(f, "{} ({} {})", op.id, op.method, op.path)?;
        for (i, matcher) in self.matchers.iter().enumerate() {
            f.write_str(if i == 0 { " where " } else { ", " })?;
            write!(f, "{matcher}")?;
        }
        Ok(())
    }
}

/// One condition of an [`Expectation`] on a request.
#[derive(Clone)]
enum Matcher {
    PathParam(String, String),
    Query(String, String),
    NoQuery(String),
    /// Lower-case name, value.
    Header(String, String),
    JsonBody(Value),
    Custom(String, Arc<dyn Fn(&RecordedRequest) -> bool + Send + Sync>),
}

impl Matcher {
    /// Whether `request` meets it, or how it does not.
    fn check(&self, request: &RecordedRequest) -> Result<(), String> {
        match self {
            Matcher::PathParam(name, value) => match request.path_param(name) {
                Some(sent) if sent == *value => Ok(()),
                Some(sent) => Err(format!("path {name} is {sent:?}, not {value:?}")),
                None => Err(format!("the path has no {name}")),
            },
            Matcher::Query(name, value) => {
                let sent = request.query_all(name);
                if sent.iter().any(|s| s == value) {
                    Ok(())
                } else if sent.is_empty() {
                    Err(format!("query {name} was not sent (expected {value:?})"))
                } else {
                    Err(format!("query {name} is {sent:?}, not {value:?}"))
                }
            }
            Matcher::NoQuery(name) => match request.query(name) {
                None => Ok(()),
                Some(sent) => Err(format!("query {name} was sent ({sent:?})")),
            },
            Matcher::Header(name, value) => match request.header(name) {
                Some(sent) if sent == value => Ok(()),
                Some(_) if name == "authorization" => {
                    Err("the authorization header differs".to_owned())
                }
                Some(sent) => Err(format!("header {name} is {sent:?}, not {value:?}")),
                None => Err(format!("header {name} was not sent")),
            },
            Matcher::JsonBody(expected) => match request.json() {
                Some(sent) if sent == *expected => Ok(()),
                Some(sent) => Err(format!("the JSON body is {sent}, not {expected}")),
                None => Err(format!("the body is not JSON (expected {expected})")),
            },
            Matcher::Custom(description, predicate) => {
                if predicate(request) {
                    Ok(())
                } else {
                    Err(format!("not {description}"))
                }
            }
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::PathParam(name, value) => write!(f, "path {name} = {value:?}"),
            Matcher::Query(name, value) => write!(f, "query {name} = {value:?}"),
            Matcher::NoQuery(name) => write!(f, "no query {name}"),
            Matcher::Header(name, _) if name == "authorization" => {
                f.write_str("header authorization = <redacted>")
            }
            Matcher::Header(name, value) => write!(f, "header {name} = {value:?}"),
            Matcher::JsonBody(body) => write!(f, "JSON body = {body}"),
            Matcher::Custom(description, _) => f.write_str(description),
        }
    }
}

/// What a [`MockApi`] answers to one call: build it with one of the constructors, then adjust
/// it with the `with_` methods and [`after`](Reply::after).
///
/// ```
/// use std::time::Duration;
/// use losant::testing::Reply;
///
/// let throttled = Reply::error(429, "TooManyRequests", "slow down").with_header("Retry-After", "2");
/// let created = Reply::json(&serde_json::json!({ "id": "575ec8687ae143cd83dc4a97" })).with_status(201);
/// let slow = Reply::example().after(Duration::from_secs(45)); // beyond the 30 s attempt timeout
/// # let _ = (throttled, created, slow);
/// ```
#[derive(Debug, Clone)]
pub struct Reply {
    kind: ReplyKind,
    /// Replaces the status the kind gives.
    status: Option<StatusCode>,
    headers: Vec<(reqwest::header::HeaderName, HeaderValue)>,
    delay: Option<Duration>,
}

#[derive(Debug, Clone)]
enum ReplyKind {
    /// The published example: the operation's usual success, or the answer of this status.
    Example(Option<u16>),
    Body {
        status: StatusCode,
        content_type: Option<String>,
        body: Bytes,
    },
    /// The API's error body, with the field names its description gives.
    Error {
        status: StatusCode,
        error_type: String,
        message: String,
    },
    /// A transport failure of this kind.
    Fail(TransportErrorKind),
}

impl Reply {
    fn of(kind: ReplyKind) -> Reply {
        Reply {
            kind,
            status: None,
            headers: Vec::new(),
            delay: None,
        }
    }

    /// The spec's published example of the operation's usual success answer (the status its
    /// request builder decodes), with `Content-Type: application/json`: what an expectation
    /// answers when it has no reply. A call fails, and [`MockApi::verify`] reports it, when
    /// the spec publishes no example for it.
    pub fn example() -> Reply {
        Reply::of(ReplyKind::Example(None))
    }

    /// The spec's published example of the operation's answer with `status`: another success
    /// status (`202` for a job queued), or a documented error (`400`, `404`).
    pub fn example_status(status: u16) -> Reply {
        Reply::of(ReplyKind::Example(Some(status)))
    }

    /// `200 OK` with `body` as JSON: a model of the crate (`losant::models::...`) or a
    /// `serde_json::json!` value.
    ///
    /// # Panics
    ///
    /// When `body` cannot be serialized as JSON.
    #[track_caller]
    pub fn json(body: impl Serialize) -> Reply {
        let body = serde_json::to_vec(&body)
            .unwrap_or_else(|err| panic!("the reply body cannot be serialized: {err}"));
        Reply::of(ReplyKind::Body {
            status: StatusCode::OK,
            content_type: Some(JSON.into()),
            body: body.into(),
        })
    }

    /// `status` with no body (`204`, or a bare `503`).
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status (100 to 999).
    #[track_caller]
    pub fn status(status: u16) -> Reply {
        Reply::of(ReplyKind::Body {
            status: status_code(status),
            content_type: None,
            body: Bytes::new(),
        })
    }

    /// An error answer as the API gives them: `status` with a JSON body holding the kind of
    /// error and the message, in the fields the API's description names (for Losant, `type`
    /// and `message`). The call fails with `Error::Api` carrying both.
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status (100 to 999).
    #[track_caller]
    pub fn error(status: u16, error_type: &str, message: &str) -> Reply {
        Reply::of(ReplyKind::Error {
            status: status_code(status),
            error_type: error_type.to_owned(),
            message: message.to_owned(),
        })
    }

    /// `status` with `body` as it is, sent as `content_type`: anything the other constructors
    /// do not make (a body that does not decode, or `text/event-stream` events).
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status (100 to 999).
    #[track_caller]
    pub fn body(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply::of(ReplyKind::Body {
            status: status_code(status),
            content_type: Some(content_type.to_owned()),
            body: body.into(),
        })
    }

    /// A network failure instead of an answer: [`TransportErrorKind::Connect`] (nothing was
    /// sent: every action is retried), [`TransportErrorKind::Request`] (the request may have
    /// arrived: only idempotent actions are retried), [`TransportErrorKind::Body`] (the
    /// answer's head arrives with the status set by [`with_status`](Reply::with_status),
    /// default 200, then its body breaks off).
    pub fn transport_error(kind: TransportErrorKind) -> Reply {
        Reply::of(ReplyKind::Fail(kind))
    }

    /// Answers with `status` instead.
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status (100 to 999).
    #[track_caller]
    pub fn with_status(mut self, status: u16) -> Reply {
        self.status = Some(status_code(status));
        self
    }

    /// Adds a response header (`Retry-After`, `X-Request-Id`, ...), replacing one of the same
    /// name.
    ///
    /// # Panics
    ///
    /// When `name` or `value` cannot be sent in an HTTP header.
    #[track_caller]
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|err| panic!("`{name}` is not a header name: {err}"));
        let value = HeaderValue::from_str(value)
            .unwrap_or_else(|err| panic!("`{value}` is not a header value: {err}"));
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value));
        self
    }

    /// Answers after `delay` (on tokio's clock, so a paused clock makes it instant): for
    /// attempt timeouts and deadlines.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

#[track_caller]
fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status)
        .unwrap_or_else(|_| panic!("{status} is not an HTTP status (100 to 999)"))
}

/// A request a [`MockApi`] received, as the client sent it: for assertions on what the code
/// under test sent.
#[derive(Clone)]
pub struct RecordedRequest {
    operation: &'static Operation,
    attempt: u32,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Bytes,
}

impl RecordedRequest {
    /// The operation it was for.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Which attempt of its call it was, from 1 (a retry is 2, ...).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The whole URL, base and query included.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL's path, percent-encoded as sent (e.g. `/applications/575e.../devices`).
    pub fn path(&self) -> &str {
        self.url.path()
    }

    fn path_and_query(&self) -> String {
        match self.url.query() {
            Some(query) => format!("{}?{query}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }

    /// The path parameter `name` (as the spec names it, e.g. `applicationId`), decoded; read
    /// by laying the operation's path template over the end of the URL's path.
    pub fn path_param(&self, name: &str) -> Option<String> {
        self.path_params().remove(name)
    }

    /// Every path parameter by name, decoded.
    pub fn path_params(&self) -> BTreeMap<String, String> {
        let template: Vec<&str> = self.operation.path.split('/').collect();
        let sent: Vec<&str> = self.url.path().split('/').collect();
        let Some(skip) = sent.len().checked_sub(template.len()) else {
            return BTreeMap::new();
        };
        template
            .iter()
            .zip(&sent[skip..])
            .filter_map(|(part, segment)| {
                let name = part.strip_prefix('{')?.strip_suffix('}')?;
                let value = percent_decode_str(segment).decode_utf8_lossy();
                Some((name.to_owned(), value.into_owned()))
            })
            .collect()
    }

    /// The query pairs as sent, decoded, in order (a structured value in bracket form is
    /// several pairs: `tagFilter[0][key]`, ...).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.url.query_pairs().into_owned().collect()
    }

    /// The first value of the query parameter `name`, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Every value of the query parameter `name`, decoded, in order.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.url
            .query_pairs()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .collect()
    }

    /// Every header sent (the token's `Authorization` included, marked sensitive).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The header `name` (any case), when it was sent as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body's bytes as sent (empty when there was none; a multipart upload whole).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as a JSON value, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body decoded as `T`, e.g. the request's model, to compare it typed.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl fmt::Debug for RecordedRequest {
    /// Shows every header but the value of `Authorization` (the token), and the body as text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if *name == AUTHORIZATION {
                    "<redacted>"
                } else {
                    value.to_str().unwrap_or("<binary>")
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("operation", &self.operation.id)
            .field("attempt", &self.attempt)
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}
