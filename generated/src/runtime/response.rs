//! [`Response`]: a call's typed result together with the HTTP status and headers it came with.

use std::ops::Deref;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

/// A successful answer: the HTTP status, the response headers, and the body (decoded, or the
/// raw bytes for `send_raw`).
///
/// Every request builder has `send_with_response()` for the typed body with its status and
/// headers, and `send_raw()` for the bytes as they came (the escape hatch for anything the
/// spec gets wrong). It dereferences to the body, so fields read as on the body itself.
///
/// ```no_run
/// # async fn run(client: losant::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let response = client.orgs().get().send_with_response().await?;
/// println!("{} {:?}", response.status(), response.headers().get("content-type"));
/// let orgs = response.into_body();
///
/// let raw = client.orgs().get().send_raw().await?;
/// let anything: serde_json::Value = raw.json()?;
/// # let _ = (orgs, anything);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    /// A response with this status, headers and body.
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status (a 2xx one).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body, dropping the status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }

    /// The same response with its body mapped by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }

    /// The request id the server gave the exchange, if it sent one (`X-Request-Id` or
    /// `Request-Id`), for support requests and log correlation.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }
}

impl Response<Bytes> {
    /// Decodes the raw body as JSON into `V` (`serde_json::Value` takes anything; an empty body
    /// reads as `null`).
    pub fn json<V: DeserializeOwned>(&self) -> Result<V, serde_json::Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_slice(b"null")
        } else {
            serde_json::from_slice(&self.body)
        }
    }

    /// The raw body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// The first request-id header among the usual names.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    [
        "x-request-id",
        "request-id",
        "x-amzn-requestid",
        "x-amz-request-id",
    ]
    .iter()
    .find_map(|name| headers.get(*name))
    .and_then(|value| value.to_str().ok())
}
