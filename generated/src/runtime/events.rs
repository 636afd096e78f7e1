//! Server-sent events (`text/event-stream`), for the actions that stream: the events as they
//! arrive (parsed by [`sse`](super::sse), bounded and linear), an idle limit, reconnection on
//! request, and [`map_events`] to decode them.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt, stream};
use reqwest::StatusCode;

use super::client::{Client, Prepared};
use super::error::{Error, TimeoutKind, excerpt};
use super::options::CallOptions;
use super::retry::RetryPolicy;
use super::sse::{ParsedEvent, SseLimits, SseParser};
use super::transport::{HttpResponse, ResponseBody};

/// A stream of items from a streaming action, each as it arrives. An error ends it (after an
/// `Err` item other than a [`map_events`] decode failure it yields nothing more).
pub type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// One event of a `text/event-stream` response, as the SSE specification defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSentEvent {
    /// The event's name (its `event:` field); `"message"` when the stream gives none.
    pub event: String,
    /// The event's data: its `data:` lines joined with `\n`.
    pub data: String,
    /// The last event ID the stream set (`id:` field), if any.
    pub id: Option<String>,
}

impl From<ParsedEvent> for ServerSentEvent {
    fn from(event: ParsedEvent) -> Self {
        ServerSentEvent {
            event: event.event,
            data: event.data,
            id: event.id,
        }
    }
}

/// Maps each event of `events` through `decode`; the generated code decodes the JSON data by
/// the event's name.
///
/// An event that `decode` rejects yields [`Error::Decode`] (status 200, the start of the data)
/// for that item, and the stream goes on with the next event. Errors of `events` itself pass
/// through unchanged.
pub fn map_events<T: Send + 'static>(
    events: EventStream<ServerSentEvent>,
    operation: &'static str,
    decode: fn(&ServerSentEvent) -> Result<T, serde_json::Error>,
) -> EventStream<T> {
    Box::pin(events.map(move |item| {
        item.and_then(|event| {
            decode(&event).map_err(|source| Error::Decode {
                operation,
                status: StatusCode::OK,
                excerpt: excerpt(&event.data),
                source,
            })
        })
    }))
}

/// How long a stream may stay silent when the request names no keep-alive interval.
const DEFAULT_IDLE: Duration = Duration::from_secs(60);

/// How a followed stream behaves: its idle limit, parser limits and reconnection.
#[derive(Debug, Clone)]
pub(crate) struct EventStreamSettings {
    idle: Duration,
    limits: SseLimits,
    reconnect: Option<RetryPolicy>,
}

impl EventStreamSettings {
    /// The idle limit is the call's own, else three keep-alive intervals plus 5 s of slack
    /// (for a busy network or machine), else 60 s.
    pub(crate) fn new(keep_alive: Option<Duration>, options: &CallOptions) -> Self {
        let idle = options.idle_timeout.unwrap_or_else(|| {
            keep_alive.map_or(DEFAULT_IDLE, |k| {
                k.saturating_mul(3) + Duration::from_secs(5)
            })
        });
        EventStreamSettings {
            idle,
            limits: SseLimits::default(),
            reconnect: options.reconnect.clone(),
        }
    }
}

struct Follow {
    client: Client,
    prepared: Arc<Prepared>,
    options: CallOptions,
    settings: EventStreamSettings,
    parser: SseParser,
    body: Option<ResponseBody>,
    /// Reconnections in a row that brought no event.
    failures: u32,
    /// The reconnection time a previous connection's stream asked for (`retry:`).
    reconnection: Option<Duration>,
    /// An error to yield once the events completed before it are out.
    pending: Option<Error>,
    done: bool,
}

/// The events of the 2xx `text/event-stream` response `first`, parsed as they arrive; with
/// reconnection on, the request is sent again (with `Last-Event-ID`) when the stream ends,
/// breaks or stays silent too long.
pub(crate) fn follow(
    client: Client,
    prepared: Arc<Prepared>,
    options: CallOptions,
    settings: EventStreamSettings,
    first: HttpResponse,
) -> EventStream<ServerSentEvent> {
    let state = Follow {
        client,
        prepared,
        options,
        parser: SseParser::new(settings.limits),
        settings,
        body: Some(first.body),
        failures: 0,
        reconnection: None,
        pending: None,
        done: false,
    };
    Box::pin(stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    }))
}

impl Follow {
    async fn next(&mut self) -> Option<Result<ServerSentEvent, Error>> {
        let operation = self.prepared.operation.id;
        loop {
            if let Some(event) = self.parser.next_event() {
                self.failures = 0;
                return Some(Ok(event.into()));
            }
            if let Some(error) = self.pending.take() {
                self.done = true;
                return Some(Err(error));
            }
            if self.done {
                return None;
            }
            let Some(body) = self.body.as_mut() else {
                if let Err(error) = self.reconnect().await {
                    self.done = true;
                    return Some(Err(error));
                }
                continue;
            };
            let idle = self.settings.idle;
            let broke = match tokio::time::timeout(idle, body.next()).await {
                Ok(Some(Ok(chunk))) => {
                    if let Err(err) = self.parser.push(&chunk) {
                        self.body = None;
                        self.pending = Some(Error::EventStream {
                            operation,
                            reason: err.to_string(),
                        });
                    }
                    continue;
                }
                Ok(None) => None,
                Ok(Some(Err(source))) => Some(Error::Transport {
                    operation,
                    attempts: 1,
                    source,
                }),
                Err(_) => Some(Error::Timeout {
                    operation,
                    kind: TimeoutKind::Idle,
                    after: idle,
                    attempts: 1,
                }),
            };
            self.body = None;
            if self.settings.reconnect.is_none() {
                // The server closed the stream (an end, not an error), or it broke.
                self.done = true;
                return broke.map(Err);
            }
        }
    }

    /// Sends the request again after a wait (the stream's `retry:` time, else the policy's
    /// backoff), resuming from the last event id; fails once the policy's retries in a row
    /// are spent or the failure is not one to retry.
    async fn reconnect(&mut self) -> Result<(), Error> {
        let operation = self.prepared.operation.id;
        let Some(policy) = self.settings.reconnect.clone() else {
            return Err(Error::EventStream {
                operation,
                reason: "the stream ended".into(),
            });
        };
        loop {
            if self.failures >= policy.retries() {
                return Err(Error::EventStream {
                    operation,
                    reason: format!(
                        "the stream could not be resumed after {} reconnection(s) without an event",
                        self.failures
                    ),
                });
            }
            self.reconnection = self.parser.reconnection_time().or(self.reconnection);
            let wait = self
                .reconnection
                .map(|t| t.min(Duration::from_secs(60)))
                .or_else(|| policy.delay(self.failures, None))
                .unwrap_or_default();
            self.failures += 1;
            tokio::time::sleep(wait).await;
            let last_id = self.parser.last_event_id().to_owned();
            match self
                .client
                .connect_events(&self.prepared, &self.options, Some(&last_id))
                .await
            {
                Ok(response) => {
                    self.parser = SseParser::new(self.settings.limits);
                    self.parser.set_last_event_id(&last_id);
                    self.body = Some(response.body);
                    return Ok(());
                }
                Err(error) if error.is_retryable() => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(events: Vec<Result<ServerSentEvent, Error>>) -> EventStream<ServerSentEvent> {
        Box::pin(stream::iter(events))
    }

    fn event(event: &str, data: &str) -> ServerSentEvent {
        ServerSentEvent {
            event: event.to_owned(),
            data: data.to_owned(),
            id: None,
        }
    }

    #[tokio::test]
    async fn map_events_reports_bad_items_and_goes_on() {
        let decode = |e: &ServerSentEvent| serde_json::from_str::<u32>(&e.data);
        let events = raw(vec![
            Ok(event("message", "1")),
            Ok(event("message", "nope")),
            Ok(event("message", "3")),
        ]);
        let items: Vec<_> = map_events(events, "things.stream", decode).collect().await;
        assert!(matches!(items[0], Ok(1)));
        match &items[1] {
            Err(Error::Decode {
                operation,
                status,
                excerpt,
                ..
            }) => {
                assert_eq!(*operation, "things.stream");
                assert_eq!(*status, StatusCode::OK);
                assert_eq!(excerpt, "nope");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(matches!(items[2], Ok(3)));
    }

    #[test]
    fn the_idle_limit_follows_the_keep_alive_interval() {
        let options = CallOptions::default();
        let two = EventStreamSettings::new(Some(Duration::from_secs(2)), &options);
        assert_eq!(two.idle, Duration::from_secs(11));
        assert_eq!(EventStreamSettings::new(None, &options).idle, DEFAULT_IDLE);
        let mut own = CallOptions::default();
        own.set_idle_timeout(Duration::from_secs(1));
        assert_eq!(
            EventStreamSettings::new(Some(Duration::from_secs(2)), &own).idle,
            Duration::from_secs(1)
        );
    }
}
