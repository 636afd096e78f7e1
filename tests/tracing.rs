//! What the `tracing` feature of the generated crate records, captured from calls that the
//! test kit answers (no network): one span per call with OpenTelemetry's HTTP client attribute
//! names, an event per attempt and per retry with its wait, give-ups at `debug` or `warn`,
//! bodies only at `trace` level and only when asked, and never the token.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, MutexGuard};

use losant::models::OrganizationPost;
use losant::orgs::{OrgsGetRequest, OrgsPostRequest};
use losant::testing::{MockApi, Reply, TEST_TOKEN};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

// ---------------------------------------------------------------------------------------------
// A subscriber that keeps everything
// ---------------------------------------------------------------------------------------------

/// Records every span and event with its fields as text.
///
/// Written here rather than taken from `tracing-subscriber`: capturing field values needs a
/// `Visit` either way, and what its registry would add (span ids, the current span) is the
/// dozen lines below, without a dependency tree for one test.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Captured>>);

#[derive(Default)]
struct Captured {
    /// Span `i` has id `i + 1`.
    spans: Vec<SpanRecord>,
    events: Vec<EventRecord>,
    /// The spans entered on this (the test's only) thread, innermost last.
    entered: Vec<u64>,
}

#[derive(Debug)]
struct SpanRecord {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

#[derive(Debug)]
struct EventRecord {
    level: Level,
    /// The span id, explicit or current.
    parent: Option<u64>,
    /// The message is the field `message`.
    fields: BTreeMap<String, String>,
}

impl EventRecord {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    fn message(&self) -> &str {
        self.field("message").unwrap_or("")
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Capture {
    fn lock(&self) -> MutexGuard<'_, Captured> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The spans named `name`, with their ids.
    fn spans(&self, name: &str) -> Vec<(u64, BTreeMap<String, String>)> {
        let captured = self.lock();
        captured
            .spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == name)
            .map(|(i, s)| (i as u64 + 1, s.fields.clone()))
            .collect()
    }

    /// The events inside span `id`.
    fn events_of(&self, id: u64) -> Vec<EventRecord> {
        let mut captured = self.lock();
        let (inside, rest) = std::mem::take(&mut captured.events)
            .into_iter()
            .partition(|e| e.parent == Some(id));
        captured.events = rest;
        inside
    }

    /// Every value recorded, of any span or event.
    fn all_values(&self) -> Vec<String> {
        let captured = self.lock();
        let spans = captured.spans.iter().flat_map(|s| s.fields.values());
        let events = captured.events.iter().flat_map(|e| e.fields.values());
        spans.chain(events).cloned().collect()
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        let mut captured = self.lock();
        captured.spans.push(SpanRecord {
            name: span.metadata().name(),
            fields,
        });
        Id::from_u64(captured.spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut captured = self.lock();
        let index = span.into_u64() as usize - 1;
        values.record(&mut Fields(&mut captured.spans[index].fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let mut captured = self.lock();
        let parent = match event.parent() {
            Some(id) => Some(id.into_u64()),
            None if event.is_contextual() => captured.entered.last().copied(),
            None => None,
        };
        captured.events.push(EventRecord {
            level: *event.metadata().level(),
            parent,
            fields,
        });
    }

    fn enter(&self, span: &Id) {
        self.lock().entered.push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut captured = self.lock();
        if let Some(at) = captured
            .entered
            .iter()
            .rposition(|id| *id == span.into_u64())
        {
            captured.entered.remove(at);
        }
    }
}

/// The one call span captured, and the events inside it.
fn the_call(capture: &Capture) -> (BTreeMap<String, String>, Vec<EventRecord>) {
    let spans = capture.spans("http.client");
    let [(id, fields)] = &spans[..] else {
        panic!("one call span expected, got {spans:?}");
    };
    (fields.clone(), capture.events_of(*id))
}

fn assert_fields(fields: &BTreeMap<String, String>, expected: &[(&str, &str)]) {
    for (name, value) in expected {
        assert_eq!(
            fields.get(*name).map(String::as_str),
            Some(*value),
            "field `{name}` in {fields:#?}"
        );
    }
}

fn number(event: &EventRecord, field: &str, range: RangeInclusive<u64>) {
    let value: u64 = event
        .field(field)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number `{field}` in {event:?}"));
    assert!(range.contains(&value), "`{field}` = {value} in {event:?}");
}

fn assert_no_token(capture: &Capture) {
    for value in capture.all_values() {
        assert!(
            !value.contains(TEST_TOKEN),
            "the token was recorded: {value}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_retried_call_is_one_span_with_an_event_per_attempt() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    let mock = MockApi::new();
    mock.expect(OrgsGetRequest::OPERATION)
        .reply(Reply::status(503))
        .reply(Reply::example());

    mock.client().orgs().get().await.unwrap();

    let (span, events) = the_call(&capture);
    assert_fields(
        &span,
        &[
            ("otel.name", "GET /orgs"),
            ("otel.kind", "client"),
            ("operation", "orgs.get"),
            ("http.request.method", "GET"),
            ("url.template", "/orgs"),
            ("url.full", "https://api.losant.com/orgs"),
            ("server.address", "api.losant.com"),
            ("server.port", "443"),
            ("http.request.resend_count", "1"),
            ("http.response.status_code", "200"),
        ],
    );
    assert!(!span.contains_key("error.type"), "{span:#?}");
    assert!(!span.contains_key("otel.status_code"), "{span:#?}");

    let [retrying, succeeded] = &events[..] else {
        panic!("two events expected, got {events:#?}");
    };
    assert_eq!(retrying.level, Level::INFO);
    assert_eq!(retrying.message(), "retrying");
    assert_fields(
        &retrying.fields,
        &[
            ("attempt", "1"),
            ("http.response.status_code", "503"),
            ("error.type", "503"),
        ],
    );
    // The default policy's first wait: 200 ms, jittered down to half.
    number(retrying, "wait_ms", 100..=200);
    assert_eq!(succeeded.level, Level::DEBUG);
    assert_eq!(succeeded.message(), "succeeded");
    assert_fields(
        &succeeded.fields,
        &[("attempt", "2"), ("http.response.status_code", "200")],
    );
    // On the paused clock, the attempt took no time and the call the retry's wait.
    number(succeeded, "elapsed_ms", 0..=0);
    number(succeeded, "total_ms", 100..=200);

    // No body was asked for, and the token is nowhere.
    assert!(events.iter().all(|e| e.field("body").is_none()));
    assert_no_token(&capture);
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn give_ups_are_logged_at_debug_for_a_4xx_and_at_warn_after_retries() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    let mock = MockApi::new();
    mock.expect(OrgsGetRequest::OPERATION)
        .reply(Reply::error(404, "NotFound", "no such thing"))
        .times(1);
    mock.expect(OrgsGetRequest::OPERATION)
        .reply(Reply::status(503))
        .times(4);
    let client = mock.client();

    client.orgs().get().await.unwrap_err();
    let (span, events) = the_call(&capture);
    assert_fields(
        &span,
        &[
            ("error.type", "404"),
            ("otel.status_code", "ERROR"),
            ("http.response.status_code", "404"),
        ],
    );
    let [failed] = &events[..] else {
        panic!("one event expected, got {events:#?}");
    };
    assert_eq!((failed.level, failed.message()), (Level::DEBUG, "failed"));
    assert_fields(&failed.fields, &[("attempts", "1"), ("error.type", "404")]);

    client.orgs().get().await.unwrap_err();
    let spans = capture.spans("http.client");
    let (id, span) = spans.last().expect("a second call span");
    assert_fields(
        span,
        &[("error.type", "503"), ("http.request.resend_count", "3")],
    );
    let events = capture.events_of(*id);
    let retries = events.iter().filter(|e| e.message() == "retrying").count();
    assert_eq!(retries, 3);
    let failed = events.last().expect("a last event");
    assert_eq!((failed.level, failed.message()), (Level::WARN, "failed"));
    assert_fields(&failed.fields, &[("attempts", "4"), ("error.type", "503")]);
    assert_no_token(&capture);
    mock.verify();
}

#[tokio::test]
async fn bodies_are_traced_only_when_asked() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    let mock = MockApi::new();
    mock.expect(OrgsPostRequest::OPERATION).times(1);
    let client = mock.client_builder().trace_bodies(true).build().unwrap();

    let created = client
        .orgs()
        .post(OrganizationPost::new("Acme Sensors".into()))
        .await
        .unwrap();

    let (_, events) = the_call(&capture);
    let body = |message: &str| {
        events
            .iter()
            .find(|e| e.message() == message)
            .unwrap_or_else(|| panic!("no `{message}` event in {events:#?}"))
    };
    let request = body("request body");
    assert_eq!(request.level, Level::TRACE);
    assert_eq!(request.field("body"), Some(r#"{"name":"Acme Sensors"}"#));
    assert_eq!(request.field("http.request.body.size"), Some("23"));
    let response = body("response body");
    assert_eq!(response.level, Level::TRACE);
    let name = created.name.expect("the published example has a name");
    assert!(response.field("body").unwrap_or("").contains(&name));
    assert_no_token(&capture);
    mock.verify();
}
