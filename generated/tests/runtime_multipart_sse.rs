//! The runtime's `multipart/form-data` uploads and server-sent event streams, against a local
//! mock server (wiremock) or, to control exactly when each byte of a stream goes out, a raw
//! HTTP/1.1 server on a loopback `TcpListener`.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use losant::runtime::{CallOptions, EventStream, Method, Request, map_events};
use losant::{Client, Error, FilePart, Operation, RetryPolicy, ServerSentEvent};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-5e1d-very-secret";

/// Every test gives up after this long instead of hanging.
const LIMIT: Duration = Duration::from_secs(20);

static UPLOAD: Operation = Operation {
    id: "things.upload",
    resource: "things",
    action: "upload",
    method: Method::Post,
    path: "/things/{thingId}/files",
    summary: "Uploads files",
    scopes: &["all.User", "things.upload"],
    idempotent: false,
};

static REPLACE: Operation = Operation {
    id: "things.replace",
    resource: "things",
    action: "replace",
    method: Method::Put,
    path: "/things/{thingId}/files",
    summary: "Replaces files",
    scopes: &[],
    idempotent: true,
};

static STREAM: Operation = Operation {
    id: "things.stream",
    resource: "things",
    action: "stream",
    method: Method::Get,
    path: "/things/{thingId}/stream",
    summary: "Streams a thing's state",
    scopes: &["all.User", "things.stream"],
    idempotent: true,
};

fn client_for(base_url: &str, retries: u32) -> Client {
    let retry = RetryPolicy::default()
        .max_retries(retries)
        .initial_backoff(Duration::from_millis(5))
        .jitter(false);
    Client::builder(TOKEN)
        .base_url(base_url)
        .retry(retry)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("valid configuration")
}

fn request(operation: &'static Operation) -> Request {
    let mut request = Request::new(operation);
    request.path_param("thingId", "t1");
    request
}

/// Runs `test` with a time limit.
async fn limited<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, test)
        .await
        .expect("the test finished in time")
}

/// The token must appear in no error message and no debug output.
fn assert_no_token(value: &(impl std::fmt::Display + Debug)) {
    for text in [value.to_string(), format!("{value:?}")] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data

/// A part of a received `multipart/form-data` body.
#[derive(Debug, PartialEq)]
struct ReceivedPart {
    /// The part's header lines, e.g. `Content-Disposition: form-data; name="a"`.
    headers: Vec<String>,
    content: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts, checking its framing.
fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<ReceivedPart> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not a multipart content type: {content_type}"));
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    assert!(
        body.starts_with(delimiter),
        "the body starts with the boundary"
    );
    let mut parts = Vec::new();
    let mut at = delimiter.len();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            assert_eq!(rest, b"--\r\n", "the body ends with the closing delimiter");
            return parts;
        }
        assert!(
            rest.starts_with(b"\r\n"),
            "a line break follows each delimiter"
        );
        let start = at + 2;
        let next = [b"\r\n".as_slice(), delimiter].concat();
        let end = find(body, &next, start).expect("each part ends with a delimiter");
        let part = &body[start..end];
        let split = find(part, b"\r\n\r\n", 0).expect("headers and content");
        let headers = String::from_utf8(part[..split].to_vec()).expect("ASCII headers");
        parts.push(ReceivedPart {
            headers: headers.split("\r\n").map(str::to_owned).collect(),
            content: part[split + 4..].to_vec(),
        });
        at = end + next.len();
    }
}

/// Bytes that are not UTF-8 and hold line breaks and dashes, as a boundary would.
fn awkward_bytes() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\xff\xfe\r\n--not-a-boundary\r\n\r\n".to_vec();
    bytes.extend((0..100_000u32).map(|i| (i % 251) as u8));
    bytes
}

fn received_parts(received: &wiremock::Request) -> Vec<ReceivedPart> {
    let content_types: Vec<_> = received.headers.get_all("content-type").iter().collect();
    assert_eq!(
        content_types.len(),
        1,
        "one Content-Type: {content_types:?}"
    );
    let content_type = content_types[0].to_str().expect("ASCII");
    parse_multipart(content_type, &received.body)
}

#[tokio::test]
async fn multipart_requests_send_text_and_file_parts() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/things/t1/files"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"ok": true})))
            .expect(1)
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 0);
        let bytes = awkward_bytes();
        let file = FilePart::new("photo 1.png", bytes.clone()).content_type("image/png");
        let plain = FilePart::new("notes.txt", "just text");

        let mut upload = request(&UPLOAD);
        upload.multipart_text("description", "Front door, «night»");
        upload.multipart_file("file", &file);
        upload.multipart_file("notes", &plain);
        // A Content-Type of the request's own would break the boundary: it is not sent.
        upload.header("Content-Type", "application/json");
        let debug = format!("{upload:?}");
        assert!(
            debug.contains(&format!("<{} bytes>", bytes.len())),
            "{debug}"
        );
        assert!(
            debug.len() < 2_000,
            "the bytes are not dumped: {} chars",
            debug.len()
        );

        let answer: serde_json::Value = client.execute(upload).await.expect("uploaded");
        assert_eq!(answer, json!({"ok": true}));

        let received = server.received_requests().await.expect("recording");
        assert_eq!(received.len(), 1);
        let sent = &received[0];
        let content_type = sent.headers["content-type"].to_str().expect("ASCII");
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        assert_eq!(
            sent.headers["content-length"].to_str().expect("ASCII"),
            sent.body.len().to_string(),
            "the length is known, so the form is not sent chunked"
        );
        assert_eq!(
            sent.headers["authorization"],
            format!("Bearer {TOKEN}").as_str()
        );
        assert_eq!(sent.headers["accept"], "application/json");

        let parts = received_parts(sent);
        assert_eq!(
            parts,
            [
                ReceivedPart {
                    headers: vec![r#"Content-Disposition: form-data; name="description""#.into()],
                    content: "Front door, «night»".as_bytes().to_vec(),
                },
                ReceivedPart {
                    headers: vec![
                        r#"Content-Disposition: form-data; name="file"; filename="photo 1.png""#
                            .into(),
                        "Content-Type: image/png".into(),
                    ],
                    content: bytes,
                },
                ReceivedPart {
                    // Without a content type, the one its name suggests, as the JS client does.
                    headers: vec![
                        r#"Content-Disposition: form-data; name="notes"; filename="notes.txt""#
                            .into(),
                        "Content-Type: text/plain".into(),
                    ],
                    content: b"just text".to_vec(),
                },
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_retried_multipart_request_sends_the_whole_form_again() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path("/things/t1/files"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 2);
        let bytes = awkward_bytes();
        let mut replace = request(&REPLACE);
        replace.multipart_text("kind", "firmware");
        replace.multipart_file(
            "file",
            &FilePart::new("fw.bin", bytes.clone()).content_type("application/octet-stream"),
        );

        let answer: serde_json::Value = client.execute(replace).await.expect("second try");
        assert_eq!(answer, json!({"ok": true}));

        let received = server.received_requests().await.expect("recording");
        assert_eq!(received.len(), 2, "one retry after the 503");
        let first = received_parts(&received[0]);
        let second = received_parts(&received[1]);
        assert_eq!(first.len(), 2);
        assert_eq!(first[1].content, bytes);
        assert_eq!(first, second, "the retry carries the same parts");
    })
    .await;
}

#[tokio::test]
async fn file_parts_are_read_from_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file_path = dir.path().join("readings.csv");
    std::fs::write(&file_path, b"t,v\n1,2\n").expect("written");
    let file = FilePart::from_path(&file_path).await.expect("read");
    assert_eq!(file.file_name(), "readings.csv");
    assert_eq!(file.mime_type(), Some("text/csv"));
    assert_eq!(file.size(), Some(8));

    let unknown = dir.path().join("blob.unknownext");
    std::fs::write(&unknown, [0u8, 1, 2]).expect("written");
    let file = FilePart::from_path(&unknown).await.expect("read");
    assert_eq!(file.file_name(), "blob.unknownext");
    assert_eq!(file.mime_type(), None);
    let shown = format!("{file:?}");
    assert!(
        shown.contains("size: <3 bytes>") && shown.contains("blob.unknownext"),
        "{shown}"
    );

    let missing = FilePart::from_path(dir.path().join("missing.bin")).await;
    assert_eq!(
        missing.err().map(|err| err.kind()),
        Some(std::io::ErrorKind::NotFound)
    );
    let no_name = FilePart::from_path(dir.path().join("..")).await;
    assert_eq!(
        no_name.err().map(|err| err.kind()),
        Some(std::io::ErrorKind::InvalidInput)
    );
}

#[tokio::test]
async fn invalid_multipart_requests_send_nothing() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 0);

        let mut both = request(&UPLOAD);
        both.json_body(&json!({"name": "x"}));
        both.multipart_text("name", "x");
        let err = client.execute::<()>(both).await.expect_err("invalid");
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("both a JSON body and multipart form parts"),
            "{err}"
        );

        let mut bad = request(&UPLOAD);
        bad.multipart_file(
            "file",
            &FilePart::new("a.txt", "x").content_type("not a type"),
        );
        bad.multipart_file("other", &FilePart::new("b\r\nX-Injected: 1", "x"));
        let err = client.execute::<()>(bad).await.expect_err("invalid");
        let text = err.to_string();
        assert!(
            text.contains("`file`: the content type `not a type`"),
            "{text}"
        );
        assert!(text.contains("`other`: the file name"), "{text}");
        assert_no_token(&err);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Server-sent events

/// A loopback HTTP/1.1 server for one connection: it reads the request's head, then lets
/// `respond` write whatever it likes. The task returns the request head.
async fn raw_server<F, Fut>(respond: F) -> (String, JoinHandle<String>)
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("a connection");
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while find(&head, b"\r\n\r\n", 0).is_none() {
            let n = socket.read(&mut buf).await.expect("read");
            assert!(n > 0, "the request head ended early");
            head.extend_from_slice(&buf[..n]);
        }
        respond(socket).await;
        String::from_utf8_lossy(&head).into_owned()
    });
    (url, task)
}

const SSE_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                        Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";

/// Writes `data` as one HTTP chunk and flushes it.
async fn send_chunk(socket: &mut TcpStream, data: &str) {
    let chunk = format!("{:x}\r\n{data}\r\n", data.len());
    socket.write_all(chunk.as_bytes()).await.expect("write");
    socket.flush().await.expect("flush");
}

async fn end_chunks(socket: &mut TcpStream) {
    socket.write_all(b"0\r\n\r\n").await.expect("write");
    socket.flush().await.expect("flush");
}

fn event(name: &str, data: &str, id: Option<&str>) -> ServerSentEvent {
    ServerSentEvent {
        event: name.to_owned(),
        data: data.to_owned(),
        id: id.map(str::to_owned),
    }
}

async fn next_event(events: &mut EventStream<ServerSentEvent>) -> ServerSentEvent {
    match events.next().await {
        Some(Ok(event)) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

#[tokio::test]
async fn events_arrive_as_they_are_sent() {
    limited(async {
        let (go_on, go) = oneshot::channel::<()>();
        let (url, server) = raw_server(move |mut socket| async move {
            socket.write_all(SSE_HEAD.as_bytes()).await.expect("write");
            send_chunk(&mut socket, "event: deviceState\ndata: {\"a\":1}\n\n").await;
            // Nothing more until the client has the first event.
            go.await.expect("the client went on");
            send_chunk(&mut socket, ": keepalive\n\n").await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            // A multi-line event split in the middle of a line, with CRLF line ends.
            send_chunk(&mut socket, "data: line o").await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            send_chunk(&mut socket, "ne\r\ndata: line two\r\nid: 7\r\n\r\n").await;
            send_chunk(&mut socket, "data: {\"b\":2}\n\n").await;
            end_chunks(&mut socket).await;
        })
        .await;
        let client = client_for(&url, 0);

        let mut events = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .expect("connected");
        assert_eq!(
            next_event(&mut events).await,
            event("deviceState", r#"{"a":1}"#, None),
            "the first event arrives while the server still holds back the rest"
        );
        go_on.send(()).expect("the server waits");
        let rest: Vec<_> = events.collect().await;
        let rest: Vec<_> = rest.into_iter().map(|e| e.expect("an event")).collect();
        assert_eq!(
            rest,
            [
                event("message", "line one\nline two", Some("7")),
                // The last event ID carries over, as the SSE specification says.
                event("message", r#"{"b":2}"#, Some("7")),
            ]
        );

        let head = server.await.expect("server").to_ascii_lowercase();
        assert!(
            head.starts_with("get /things/t1/stream http/1.1\r\n"),
            "{head}"
        );
        assert!(head.contains("\r\naccept: text/event-stream\r\n"), "{head}");
        assert!(!head.contains("application/json"), "{head}");
        assert!(
            head.contains(&format!(
                "\r\nauthorization: bearer {}\r\n",
                TOKEN.to_ascii_lowercase()
            )),
            "{head}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_client_timeout_does_not_cut_a_long_stream() {
    limited(async {
        let (url, _server) = raw_server(|mut socket| async move {
            socket.write_all(SSE_HEAD.as_bytes()).await.expect("write");
            // 1.5 s in all, past the 1 s timeout, in gaps ten times shorter than it.
            for n in 0..15 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                send_chunk(&mut socket, &format!("data: {n}\n\n")).await;
            }
            end_chunks(&mut socket).await;
        })
        .await;
        let client = Client::builder(TOKEN)
            .base_url(&url)
            .timeout(Duration::from_secs(1))
            .build()
            .expect("valid");
        let events = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .expect("connected");
        let data: Vec<_> = events.map(|e| e.expect("an event").data).collect().await;
        let expected: Vec<String> = (0..15).map(|n| n.to_string()).collect();
        assert_eq!(data, expected);
    })
    .await;
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    limited(async {
        let (url, _server) = raw_server(|socket| async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(socket);
        })
        .await;
        let client = Client::builder(TOKEN)
            .base_url(&url)
            .timeout(Duration::from_millis(200))
            .retry(RetryPolicy::none())
            .build()
            .expect("valid");
        let err = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .err()
            .expect("timed out");
        assert!(
            matches!(err, Error::Timeout { operation: "things.stream", after, .. } if after == Duration::from_millis(200)),
            "{err:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_broken_connection_ends_the_stream_with_one_transport_error() {
    limited(async {
        let (url, _server) = raw_server(|mut socket| async move {
            socket.write_all(SSE_HEAD.as_bytes()).await.expect("write");
            send_chunk(&mut socket, "data: first\n\n").await;
            // A chunk cut short, then the connection closes.
            socket.write_all(b"40\r\ndata: cut").await.expect("write");
            socket.flush().await.expect("flush");
        })
        .await;
        let client = client_for(&url, 3);
        let items: Vec<_> = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .expect("connected")
            .collect()
            .await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(
            items[0].as_ref().ok(),
            Some(&event("message", "first", None))
        );
        let err = items[1].as_ref().expect_err("an error");
        assert!(
            matches!(
                err,
                Error::Transport {
                    operation: "things.stream",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_no_token(err);
    })
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_replaced_not_a_stall() {
    limited(async {
        let (url, _server) = raw_server(|mut socket| async move {
            socket.write_all(SSE_HEAD.as_bytes()).await.expect("write");
            let mut body = b"data: a\xffb\n\n".to_vec();
            body.extend_from_slice(b"data: after\n\n");
            let mut chunk = format!("{:x}\r\n", body.len()).into_bytes();
            chunk.extend_from_slice(&body);
            chunk.extend_from_slice(b"\r\n0\r\n\r\n");
            socket.write_all(&chunk).await.expect("write");
            socket.flush().await.expect("flush");
        })
        .await;
        let client = client_for(&url, 0);
        let data: Vec<_> = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .expect("connected")
            .map(|e| e.expect("an event").data)
            .collect()
            .await;
        assert_eq!(data, ["a\u{fffd}b", "after"]);
    })
    .await;
}

fn sse(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "text/event-stream")
}

#[tokio::test]
async fn an_error_status_is_an_api_error() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(404)
                    .set_body_json(json!({"type": "NotFound", "message": "No such thing"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 3);
        let err = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .err()
            .expect("an error");
        let Error::Api(api) = &err else {
            panic!("expected an API error, got {err:?}");
        };
        assert_eq!(api.status, 404);
        assert_eq!(api.error_type.as_deref(), Some("NotFound"));
        assert_eq!(api.message.as_deref(), Some("No such thing"));
        assert_no_token(&err);
    })
    .await;
}

#[tokio::test]
async fn connecting_is_retried_like_execute() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(2)
            .with_priority(1)
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/things/t1/stream"))
            .respond_with(sse("event: ping\ndata: {}\n\n"))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 3);
        let events: Vec<_> = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .expect("third try")
            .collect()
            .await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].as_ref().ok(), Some(&event("ping", "{}", None)));
    })
    .await;
}

/// What the generated code decodes each event of a streaming action into.
#[derive(Debug, PartialEq)]
enum Update {
    State { a: u32 },
    Other(serde_json::Value),
}

fn decode_update(event: &ServerSentEvent) -> Result<Update, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct State {
        a: u32,
    }
    match event.event.as_str() {
        "deviceState" => {
            serde_json::from_str::<State>(&event.data).map(|s| Update::State { a: s.a })
        }
        _ => serde_json::from_str(&event.data).map(Update::Other),
    }
}

#[tokio::test]
async fn map_events_decodes_each_event_and_goes_on_after_a_bad_one() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(sse(concat!(
                "event: deviceState\ndata: {\"a\":1}\n\n",
                ": keepalive\n\n",
                "event: deviceState\ndata: {\"a\": \"not a number\"}\n\n",
                "data: [1, 2]\n\n",
            )))
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 0);
        let events = client
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .expect("connected");
        let items: Vec<_> = map_events(events, "things.stream", decode_update)
            .collect()
            .await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[0].as_ref().ok(), Some(&Update::State { a: 1 }));
        match &items[1] {
            Err(Error::Decode {
                operation,
                status,
                excerpt,
                ..
            }) => {
                assert_eq!(*operation, "things.stream");
                assert_eq!(*status, 200);
                assert_eq!(excerpt, r#"{"a": "not a number"}"#);
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert_eq!(items[2].as_ref().ok(), Some(&Update::Other(json!([1, 2]))));
    })
    .await;
}

#[tokio::test]
async fn scope_and_validation_failures_send_nothing() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(sse("data: x\n\n"))
            .expect(0)
            .mount(&server)
            .await;

        let scoped = Client::builder(TOKEN)
            .base_url(server.uri())
            .scopes(["things.get"])
            .build()
            .expect("valid");
        let err = scoped
            .execute_events(request(&STREAM), &CallOptions::default())
            .await
            .err()
            .expect("missing scope");
        assert!(
            matches!(
                err,
                Error::MissingScope {
                    operation: "things.stream",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_no_token(&err);

        let client = client_for(&server.uri(), 0);
        let unset = Request::new(&STREAM); // `thingId` is never set
        let err = client
            .execute_events(unset, &CallOptions::default())
            .await
            .err()
            .expect("invalid");
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
        assert!(err.to_string().contains("`thingId`"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn event_streams_can_move_between_tasks() {
    limited(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(sse("data: 1\n\ndata: 2\n\n"))
            .mount(&server)
            .await;
        let client = client_for(&server.uri(), 0);
        let task = tokio::spawn(async move {
            let events = client
                .execute_events(request(&STREAM), &CallOptions::default())
                .await?;
            let numbers = map_events(events, "things.stream", |e| {
                serde_json::from_str::<u32>(&e.data)
            });
            Ok::<_, Error>(tokio::spawn(numbers.collect::<Vec<_>>()))
        });
        let numbers = task.await.expect("joined").expect("connected");
        let numbers: Vec<_> = numbers
            .await
            .expect("joined")
            .into_iter()
            .map(|n| n.expect("a number"))
            .collect();
        assert_eq!(numbers, [1, 2]);
    })
    .await;
}
