//! Server-sent events (`text/event-stream`), for the actions that stream: the events as they
//! arrive, parsed by `eventsource-stream`, and [`map_events`] to decode them.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt, stream};
use reqwest::StatusCode;

use super::error::{Error, excerpt};

/// A stream of items from a streaming action, each as it arrives. An error ends it: after an
/// `Err` item (other than a [`map_events`] decode failure) it yields nothing more.
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

impl From<eventsource_stream::Event> for ServerSentEvent {
    fn from(event: eventsource_stream::Event) -> Self {
        ServerSentEvent {
            event: event.event,
            data: event.data,
            id: Some(event.id).filter(|id| !id.is_empty()),
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
    decode: fn(&ServerSentEvent) -> Result<T, serde_json::Error>,
) -> EventStream<T> {
    let operation = registered_operation(&*events).unwrap_or(UNKNOWN_OPERATION);
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

/// The operation named in errors of a stream that [`map_events`] did not get from
/// [`Client::execute_events`](super::Client::execute_events).
const UNKNOWN_OPERATION: &str = "(event stream)";

/// The events of a 2xx `response` to `operation`, parsed as they arrive.
pub(crate) fn response_events(
    operation: &'static str,
    response: reqwest::Response,
) -> EventStream<ServerSentEvent> {
    let status = response.status();
    let mut decoder = LossyUtf8::default();
    let text = response
        .bytes_stream()
        .map(move |chunk| chunk.map(|bytes| decoder.decode(&bytes)));
    let parsed = Box::pin(eventsource_stream::EventStream::new(text));
    // Ends after the first error, dropping (and so closing) the response.
    let events = stream::unfold(Some(parsed), move |state| async move {
        let mut parsed = state?;
        match parsed.next().await? {
            Ok(event) => Some((Ok(ServerSentEvent::from(event)), Some(parsed))),
            Err(err) => Some((Err(stream_error(operation, status, err)), None)),
        }
    });
    Tagged::boxed(operation, Box::pin(events))
}

fn stream_error(
    operation: &'static str,
    status: StatusCode,
    err: eventsource_stream::EventStreamError<reqwest::Error>,
) -> Error {
    use eventsource_stream::EventStreamError;
    let malformed = |what: String, input: &str| Error::Decode {
        operation,
        status,
        excerpt: excerpt(input),
        source: serde::de::Error::custom(what),
    };
    match err {
        EventStreamError::Transport(source) => Error::Transport { operation, source },
        // Neither can happen (the text is decoded lossily before parsing, and every line
        // parses), but a stream that cannot be read further is reported, not a panic.
        EventStreamError::Utf8(err) => {
            malformed(format!("the event stream is not UTF-8: {err}"), "")
        }
        EventStreamError::Parser(err) => malformed(
            format!("the event stream is malformed: {:?}", err.code),
            &err.input,
        ),
    }
}

/// Decodes a byte stream as UTF-8 chunk by chunk, replacing invalid sequences with U+FFFD as
/// the SSE specification asks, and holding back a character split between chunks.
///
/// `eventsource-stream` decodes by itself too, but keeps an invalid byte in its buffer forever
/// and so would stall at the first one.
#[derive(Default)]
struct LossyUtf8 {
    pending: Vec<u8>,
}

impl LossyUtf8 {
    fn decode(&mut self, chunk: &[u8]) -> String {
        self.pending.extend_from_slice(chunk);
        let mut text = String::with_capacity(self.pending.len());
        let mut rest = self.pending.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    rest = &[];
                    break;
                }
                Err(err) => {
                    let (valid, after) = rest.split_at(err.valid_up_to());
                    text.push_str(&String::from_utf8_lossy(valid));
                    match err.error_len() {
                        Some(len) => {
                            text.push(char::REPLACEMENT_CHARACTER);
                            rest = after.get(len..).unwrap_or_default();
                        }
                        // An incomplete character at the end: wait for the rest of it.
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        let done = self.pending.len() - rest.len();
        self.pending.drain(..done);
        text
    }
}

/// The operation of each live stream made by [`response_events`], by the stream's address, so
/// that [`map_events`] (whose signature the generated code fixes) can name it in its errors.
static OPERATIONS: Mutex<BTreeMap<usize, &'static str>> = Mutex::new(BTreeMap::new());

fn registered_operation(
    stream: &(dyn Stream<Item = Result<ServerSentEvent, Error>> + Send),
) -> Option<&'static str> {
    let key = std::ptr::from_ref(stream).cast::<()>().addr();
    OPERATIONS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .copied()
}

/// An event stream registered in [`OPERATIONS`] while it lives.
struct Tagged {
    inner: EventStream<ServerSentEvent>,
}

impl Tagged {
    fn boxed(
        operation: &'static str,
        inner: EventStream<ServerSentEvent>,
    ) -> EventStream<ServerSentEvent> {
        // Registered once boxed, at the address it keeps until dropped.
        let tagged = Box::pin(Tagged { inner });
        let key = std::ptr::from_ref::<Tagged>(&*tagged).cast::<()>().addr();
        OPERATIONS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, operation);
        tagged
    }
}

impl Drop for Tagged {
    fn drop(&mut self) {
        let key = std::ptr::from_ref::<Tagged>(self).cast::<()>().addr();
        OPERATIONS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
    }
}

impl Stream for Tagged {
    type Item = Result<ServerSentEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_utf8_keeps_split_characters_and_replaces_invalid_bytes() {
        let mut d = LossyUtf8::default();
        let thumbs = "👍".as_bytes();
        assert_eq!(d.decode(&thumbs[..2]), "");
        assert_eq!(d.decode(&thumbs[2..]), "👍");
        assert_eq!(d.decode(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(d.decode(b"\xff"), "\u{fffd}");
        assert_eq!(d.decode(b"ok"), "ok");
        assert_eq!(d.decode(b"\xe2\x82"), "");
        assert_eq!(d.decode(b"\xac!"), "€!");
    }

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
        let items: Vec<_> = map_events(events, decode).collect().await;
        assert!(matches!(items[0], Ok(1)));
        match &items[1] {
            Err(Error::Decode {
                operation,
                status,
                excerpt,
                ..
            }) => {
                assert_eq!(*operation, UNKNOWN_OPERATION);
                assert_eq!(*status, StatusCode::OK);
                assert_eq!(excerpt, "nope");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(matches!(items[2], Ok(3)));
    }

    #[tokio::test]
    async fn tagged_streams_name_their_operation_while_they_live() {
        let tagged = Tagged::boxed("things.stream", raw(vec![Ok(event("x", "oops"))]));
        assert_eq!(registered_operation(&*tagged), Some("things.stream"));
        let decode = |e: &ServerSentEvent| serde_json::from_str::<u32>(&e.data);
        let items: Vec<_> = map_events(tagged, decode).collect().await;
        assert_eq!(
            items[0].as_ref().err().and_then(Error::operation),
            Some("things.stream")
        );
        let count = OPERATIONS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|op| **op == "things.stream")
            .count();
        assert_eq!(count, 0, "dropped streams are unregistered");
    }
}
