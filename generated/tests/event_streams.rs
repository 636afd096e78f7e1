//! Event streams over a raw TCP server: what goes on the wire, silent servers, huge lines,
//! answers that are not streams, reconnection with `Last-Event-ID`, and a stream action with a
//! broadly scoped token. Time bounds only catch hangs.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use losant::runtime::{CallOptions, Method, Operation, Request};
use losant::{Client, Error, RetryPolicy, TimeoutKind};
use support::{FaultServer, Reply, json as json_reply};

static STREAM: Operation = Operation {
    id: "things.stream",
    resource: "things",
    action: "stream",
    method: Method::Get,
    path: "/things/stream",
    summary: "",
    scopes: &[],
    idempotent: true,
};

/// The head of a `text/event-stream` answer without a length (the body ends when the
/// connection closes).
fn stream_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n".to_vec()
}

fn client(server: &FaultServer) -> Client {
    Client::builder("tok-sse")
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid")
}

async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("the stream hung")
}

#[tokio::test]
async fn events_arrive_parsed_and_the_request_asks_for_an_uncached_stream() {
    let server = FaultServer::start(|_, _| {
        let mut bytes = stream_head();
        bytes.extend_from_slice(
            b": keep-alive\n\nevent: state\nid: 7\ndata: {\"a\":\ndata: 1}\n\ndata: plain\n\n",
        );
        Reply::Close(bytes)
    })
    .await;
    let events: Vec<_> = bounded(async {
        client(&server)
            .execute_events(Request::new(&STREAM), &CallOptions::default())
            .await
            .expect("a stream")
            .collect()
            .await
    })
    .await;
    let events: Vec<_> = events.into_iter().map(|e| e.expect("an event")).collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event, "state");
    assert_eq!(events[0].data, "{\"a\":\n1}");
    assert_eq!(events[0].id.as_deref(), Some("7"));
    assert_eq!(events[1].event, "message");
    assert_eq!(events[1].id.as_deref(), Some("7"), "the last id persists");
    let request = &server.received()[0];
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert_eq!(request.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn a_silent_stream_fails_after_its_idle_limit() {
    let server = FaultServer::start(|_, _| {
        let mut bytes = stream_head();
        bytes.extend_from_slice(b"data: one\n\n");
        Reply::Hang(bytes)
    })
    .await;
    let mut options = CallOptions::default();
    options.set_idle_timeout(Duration::from_millis(300));
    let items: Vec<_> = bounded(async {
        client(&server)
            .execute_events(Request::new(&STREAM), &options)
            .await
            .expect("a stream")
            .collect()
            .await
    })
    .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().expect("an event").data, "one");
    match &items[1] {
        Err(Error::Timeout {
            kind: TimeoutKind::Idle,
            after,
            ..
        }) => assert_eq!(*after, Duration::from_millis(300)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_idle_limit_follows_the_keep_alive_the_request_asks_for() {
    // A stream that keeps alive every 50 ms stays open past a 1.5 s idle limit: it lasts
    // 2 s in all, and each gap is 30 times shorter than the limit, so a busy machine does not
    // turn a gap into a silence.
    let server = FaultServer::start(|_, _| {
        let mut chunks = vec![(Duration::ZERO, stream_head())];
        for _ in 0..40 {
            chunks.push((Duration::from_millis(50), b": keep-alive\n\n".to_vec()));
        }
        chunks.push((Duration::ZERO, b"data: done\n\n".to_vec()));
        Reply::Paced(chunks)
    })
    .await;
    let mut options = CallOptions::default();
    options.set_idle_timeout(Duration::from_millis(1500));
    let items: Vec<_> = bounded(async {
        client(&server)
            .execute_events(Request::new(&STREAM), &options)
            .await
            .expect("a stream")
            .collect()
            .await
    })
    .await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].as_ref().expect("the event").data, "done");
}

#[tokio::test]
async fn an_eight_mebibyte_line_is_refused_without_buffering_it() {
    let server = FaultServer::start(|_, _| {
        let mut bytes = stream_head();
        bytes.extend_from_slice(b"data: ");
        bytes.extend(std::iter::repeat_n(b'x', 8 * 1024 * 1024));
        bytes.extend_from_slice(b"\n\n");
        Reply::Close(bytes)
    })
    .await;
    let items: Vec<_> = bounded(async {
        client(&server)
            .execute_events(Request::new(&STREAM), &CallOptions::default())
            .await
            .expect("a stream")
            .collect()
            .await
    })
    .await;
    assert_eq!(items.len(), 1);
    let error = items[0].as_ref().expect_err("too long");
    assert!(matches!(error, Error::EventStream { .. }), "{error:?}");
    assert!(error.to_string().contains("1048576"), "{error}");
}

#[tokio::test]
async fn an_answer_that_is_not_a_stream_is_an_error_not_an_empty_stream() {
    let server = FaultServer::start(|_, _| {
        Reply::Close(json_reply(200, &serde_json::json!({"success": true})))
    })
    .await;
    let error =
        bounded(client(&server).execute_events(Request::new(&STREAM), &CallOptions::default()))
            .await
            .err()
            .expect("not a stream");
    assert!(matches!(error, Error::EventStream { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("application/json") && text.contains("success"),
        "{text}"
    );
}

#[tokio::test]
async fn reconnection_resumes_from_the_last_event_id() {
    let server = FaultServer::start(|_, n| {
        let mut bytes = stream_head();
        bytes.extend_from_slice(match n {
            0 => b"id: 1\ndata: first\n\n".as_slice(),
            1 => b"id: 2\ndata: second\n\n",
            _ => b"data: third\n\n",
        });
        Reply::Close(bytes)
    })
    .await;
    let mut options = CallOptions::default();
    options.set_reconnect(RetryPolicy::default().initial_backoff(Duration::from_millis(1)));
    let mut events = bounded(client(&server).execute_events(Request::new(&STREAM), &options))
        .await
        .expect("a stream");
    let mut data = Vec::new();
    for _ in 0..3 {
        let event = bounded(events.next())
            .await
            .expect("an item")
            .expect("an event");
        data.push(event.data);
    }
    assert_eq!(data, ["first", "second", "third"]);
    let ids: Vec<Option<String>> = server
        .received()
        .iter()
        .map(|r| r.header("last-event-id").map(str::to_owned))
        .collect();
    assert_eq!(ids[..3], [None, Some("1".into()), Some("2".into())]);
}

#[tokio::test]
async fn without_reconnection_the_stream_ends_when_the_server_closes_it() {
    let server = FaultServer::start(|_, _| {
        let mut bytes = stream_head();
        bytes.extend_from_slice(b"data: only\n\n");
        Reply::Close(bytes)
    })
    .await;
    let items: Vec<_> = bounded(async {
        client(&server)
            .execute_events(Request::new(&STREAM), &CallOptions::default())
            .await
            .expect("a stream")
            .collect()
            .await
    })
    .await;
    assert_eq!(items.len(), 1);
    assert_eq!(server.count(), 1);
}
