//! What the tests of `tests/compiled/` share (each includes this file as `mod harness` and
//! uses what it needs): an in-process [`Transport`] that records every request and answers it
//! with a function of the test's, so that the generated request builders run the whole client
//! (validation, encoding, decoding, pagination, event streams) with no socket; and JSON
//! round trips.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::runtime::{
    BoxFuture, HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind,
};

/// A request as the transport received it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL's path.
    pub path: String,
    /// The query's pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Every header.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: bytes::Bytes,
}

impl Sent {
    /// The value of query parameter `name`, if sent (the first, if several).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of header `name`, if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// An answer: status, content type and body.
#[derive(Debug, Clone)]
pub struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Answer {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Answer {
            status,
            content_type: "application/json",
            body: body.to_string().into_bytes(),
        }
    }

    /// `200` with a `text/event-stream` body.
    pub fn events(text: &str) -> Self {
        Answer {
            status: 200,
            content_type: "text/event-stream",
            body: text.as_bytes().to_vec(),
        }
    }
}

/// What the test answers each request with.
type Handler = dyn Fn(&Sent) -> Answer + Send + Sync;

/// The transport: answers with the handler, records what was sent.
struct Mock {
    handler: Box<Handler>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl Transport for Mock {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let body = request
                .body
                .collect()
                .await
                .map_err(|err| TransportError::new(TransportErrorKind::Request, err))?;
            let sent = Sent {
                method: request.method.as_str().to_owned(),
                path: request.url.path().to_owned(),
                query: request
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
                headers: request.headers,
                body,
            };
            let answer = (self.handler)(&sent);
            self.sent.lock().expect("not poisoned").push(sent);
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
            let status = StatusCode::from_u16(answer.status).expect("a valid status");
            Ok(HttpResponse::new(status, headers, answer.body))
        })
    }
}

/// The requests a [`client`] sent, in order.
#[derive(Debug, Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Sent>>>);

impl Log {
    /// Every request sent so far.
    pub fn all(&self) -> Vec<Sent> {
        self.0.lock().expect("not poisoned").clone()
    }

    /// The only request sent; fails when there were none or several.
    pub fn one(&self) -> Sent {
        let all = self.all();
        assert_eq!(all.len(), 1, "one request expected: {all:?}");
        all.into_iter().next().expect("one request")
    }
}

/// A client whose every request `handler` answers in process, and the log of what it sent.
pub fn client(handler: impl Fn(&Sent) -> Answer + Send + Sync + 'static) -> (crate::Client, Log) {
    let log = Log::default();
    let transport = Mock {
        handler: Box::new(handler),
        sent: log.0.clone(),
    };
    let client = crate::Client::builder("test-token")
        .transport(transport)
        .build()
        .expect("the client builds");
    (client, log)
}

/// `value` as JSON.
pub fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("the value encodes")
}

/// `json` decoded as a `T`, after checking that it encodes back to the same JSON.
pub fn round_trip<T: Serialize + DeserializeOwned>(json: serde_json::Value) -> T {
    let value: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|err| panic!("{json} should decode: {err}"));
    assert_eq!(to_json(&value), json, "encoded back unchanged");
    value
}
