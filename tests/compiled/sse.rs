//! The `sse` fixture's generated code (`tests/fixtures/sse/`), compiled with the runtime and
//! used as a user would: an action answering with server-sent events returns a stream of
//! them, typed by event name.

include!(concat!(env!("OUT_DIR"), "/sse/crate.rs"));

mod harness;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures_util::StreamExt;
use harness::Answer;
use serde_json::json;
use thing::ThingStreamRequestEvent as Event;

const STREAM: &str = "\
: keep-alive\n\
\n\
event: state\n\
id: 1\n\
data: {\"time\": \"2024-05-01T12:00:00.000Z\", \"data\": {\"temperature\": 21.5}}\n\
\n\
event: command\n\
id: 2\n\
data: {\"name\": \"reboot\",\n\
data:  \"payload\": {\"delay\": 5}}\n\
\n\
event: state\n\
data: not JSON\n\
\n\
event: hello\n\
data: an event the spec does not name\n\
\n";

#[tokio::test]
async fn events_arrive_typed_by_name() {
    let (client, log) = harness::client(|_| Answer::events(STREAM));
    let events: Vec<Result<Event, Error>> = client
        .thing()
        .stream("t1")
        .idle_timeout(Duration::from_secs(60))
        .await
        .unwrap()
        .collect()
        .await;
    let [state, command, broken, other] = events.as_slice() else {
        panic!("four items: {events:?}")
    };

    let Ok(Event::State(state)) = state else {
        panic!("a state: {state:?}")
    };
    let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    assert_eq!(state.time, at);
    assert_eq!(state.data.as_ref().unwrap()["temperature"], 21.5);

    let Ok(Event::Command(command)) = command else {
        panic!("a command: {command:?}")
    };
    assert_eq!(command.name, "reboot");
    assert_eq!(command.payload, Some(json!({"delay": 5})));

    // An event whose data does not decode is an error in its place; the stream goes on.
    assert!(
        matches!(broken, Err(Error::Decode { .. })),
        "undecodable: {broken:?}"
    );
    let Ok(Event::Other(other)) = other else {
        panic!("another event: {other:?}")
    };
    assert_eq!(
        (
            other.event.as_str(),
            other.data.as_str(),
            other.id.as_deref()
        ),
        ("hello", "an event the spec does not name", Some("2"))
    );

    let sent = log.one();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/things/t1/stream")
    );
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
    assert_eq!(sent.query("keepAliveInterval"), None);
}

#[tokio::test]
async fn the_keep_alive_interval_is_sent_when_set() {
    let (client, log) = harness::client(|_| Answer::events(""));
    let events = client
        .thing()
        .stream("t1")
        .keep_alive_interval(5)
        .await
        .unwrap();
    assert_eq!(events.count().await, 0);
    assert_eq!(log.one().query("keepAliveInterval"), Some("5"));
}

#[tokio::test]
async fn an_error_answer_is_an_api_error() {
    let (client, _log) = harness::client(|_| {
        Answer::json(
            404,
            json!({"type": "NotFound", "message": "Thing was not found"}),
        )
    });
    let Err(Error::Api(error)) = client.thing().stream("t9").await else {
        panic!("an API error")
    };
    assert_eq!(error.status.as_u16(), 404);
    assert_eq!(error.error_type.as_deref(), Some("NotFound"));
}
