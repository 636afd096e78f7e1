//! Operations (one per API action) and the requests built for them.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{HeaderName, HeaderValue};

use std::time::Duration;

use bytes::Bytes;

use super::multipart::{FilePart, MultipartBody, MultipartPart};
use super::query::QueryValue;
use super::validate::Validator;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method's name as sent on the wire, e.g. `"GET"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Whether sending the request twice has the same effect as sending it once, so that the
    /// client may retry it after a failure: the idempotent methods of RFC 9110 (`GET`, `HEAD`,
    /// `PUT`, `DELETE`, `OPTIONS`); never `POST` or `PATCH`.
    pub const fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
            Method::Options => reqwest::Method::OPTIONS,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One action of the API, e.g. `orgs.get`. The generated code holds one `static` per action.
#[derive(Debug)]
pub struct Operation {
    /// `resource.action`, e.g. `"orgs.get"`.
    pub id: &'static str,
    /// The resource, e.g. `"orgs"`.
    pub resource: &'static str,
    /// The action, e.g. `"get"`.
    pub action: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `"/instances/{instanceId}/orgs/{orgId}"`.
    pub path: &'static str,
    /// A one-line description.
    pub summary: &'static str,
    /// The token scopes the API accepts for this action; a token needs at least one of them.
    /// An empty list means the action needs no particular scope.
    pub scopes: &'static [&'static str],
    /// Whether sending the request twice has the same effect as sending it once: true for the
    /// idempotent methods, and for the `POST`s the spec marks as only reading (queries). The
    /// client retries failures after sending (5xx, timeouts, broken connections) only for
    /// these.
    pub idempotent: bool,
}

impl Operation {
    /// Whether a token with `token_scopes` may call this action: true when the action needs no
    /// scope or when the token has at least one of the accepted scopes.
    pub fn allows<S: AsRef<str>>(&self, token_scopes: &[S]) -> bool {
        super::scopes::allows(self.scopes, token_scopes)
    }
}

/// Bytes that are percent-encoded in a path segment: everything but RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A request for one [`Operation`], filled in by the generated builders and sent with
/// [`Client::execute`](super::Client::execute).
///
/// It carries at most one kind of body: JSON ([`json_body`](Request::json_body)) or
/// `multipart/form-data` parts ([`multipart_text`](Request::multipart_text),
/// [`multipart_file`](Request::multipart_file)).
///
/// Problems found while building it (a path parameter that cannot be sent, a header value with
/// a line break, a body that does not serialize, both a JSON body and form parts, failed
/// [`validate`](Request::validate) checks) are recorded and reported by `execute` as
/// [`Error::InvalidRequest`](super::Error) before anything is sent.
#[derive(Debug)]
pub struct Request {
    operation: &'static Operation,
    path: String,
    /// An absolute URL outside the API, instead of the base URL and `path`.
    url: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Bytes>,
    multipart: Vec<MultipartPart>,
    keep_alive: Option<Duration>,
    validator: Validator,
}

impl Request {
    /// Starts a request for `operation`.
    pub fn new(operation: &'static Operation) -> Self {
        Request {
            operation,
            path: operation.path.to_owned(),
            url: None,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            multipart: Vec::new(),
            keep_alive: None,
            validator: Validator::new(),
        }
    }

    /// Starts a request for `operation` to `url`, an absolute URL outside the API: one the API
    /// handed out, such as a pre-signed upload URL.
    ///
    /// It is sent like any request (checks, retries, time limits, hooks, the client's
    /// transport), but without the client's token and without the API's fixed headers, and
    /// `operation`'s path and scopes are not used. As for the base URL, the URL must be
    /// `https`, or plain `http` to a loopback host (or with
    /// [`allow_insecure_http`](super::ClientBuilder::allow_insecure_http)); otherwise the call
    /// fails with [`Error::InvalidRequest`](super::Error::InvalidRequest).
    pub fn to_url(operation: &'static Operation, url: impl Into<String>) -> Self {
        let mut request = Request::new(operation);
        request.path = String::new();
        request.url = Some(url.into());
        request
    }

    /// The absolute URL given to [`to_url`](Request::to_url), if any.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The operation this request is for.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// The path so far: the operation's template with the path parameters set until now
    /// substituted.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query pairs added so far, not yet percent-encoded.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The JSON body, if one was set.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Substitutes `{name}` in the path template with `value`, percent-encoded as exactly one
    /// path segment (`/`, `?`, `#`, `%`, spaces, non-ASCII text and so on are encoded).
    ///
    /// `""`, `"."` and `".."` cannot be sent as a segment (URL parsers drop or resolve them, even
    /// percent-encoded), so they are recorded as validation errors, as is a `name` that the
    /// template does not contain.
    pub fn path_param(&mut self, name: &'static str, value: &str) {
        let placeholder = format!("{{{name}}}");
        if !self.path.contains(&placeholder) {
            self.validator.field(name, |v| {
                v.error("is not a parameter of this action's path");
            });
            return;
        }
        if matches!(value, "" | "." | "..") {
            self.validator.field(name, |v| {
                v.error(format!(
                    "`{value}` cannot be used as a path segment (it must not be empty, `.` or `..`)"
                ));
            });
            // The request is not sent; drop the placeholder so it is not also reported as unset.
            self.path = self.path.replace(&placeholder, "");
            return;
        }
        let encoded = utf8_percent_encode(value, PATH_SEGMENT).to_string();
        self.path = self.path.replace(&placeholder, &encoded);
    }

    /// Adds `value` to the query string under `name`; see [`QueryValue`] for how each type is
    /// written.
    pub fn query<V: QueryValue + ?Sized>(&mut self, name: &str, value: &V) {
        value.append_query(name, &mut self.query);
    }

    /// Adds a structured value to the query string in bracket form, as the official clients
    /// send nested query values: `tagFilter[0][key]=k&tagFilter[0][value]=v`. Scalars are
    /// written as they are and `null`s are left out.
    pub fn query_deep(&mut self, name: &str, value: &serde_json::Value) {
        super::query::append_deep(name, value, &mut self.query);
    }

    /// Sets a header of this request, replacing a default header of the same name (such as
    /// `Accept-Version`). A value that cannot be sent in a header (e.g. one with a line break)
    /// is recorded as a validation error.
    pub fn header(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        let parsed = HeaderName::from_bytes(name.as_bytes()).map(|name| {
            let value = HeaderValue::from_str(&value);
            (name, value)
        });
        match parsed {
            Ok((name, Ok(value))) => {
                self.headers.retain(|(n, _)| *n != name);
                self.headers.push((name, value));
            }
            Ok((_, Err(_))) => self.validator.field(name, |v| {
                v.error("header values must be visible ASCII text without line breaks");
            }),
            Err(_) => self.validator.field(name, |v| {
                v.error("is not a valid HTTP header name");
            }),
        }
    }

    /// Sets the JSON body (sent with `Content-Type: application/json`). A value that cannot be
    /// serialized is recorded and reported when the request is executed.
    pub fn json_body<T: serde::Serialize + ?Sized>(&mut self, body: &T) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes.into()),
            Err(err) => self.validator.field("body", |v| {
                v.error(format!("cannot be serialized as JSON: {err}"));
            }),
        }
    }

    /// Adds a text field to the `multipart/form-data` body.
    ///
    /// A request with form parts is sent as `multipart/form-data` (the `Content-Type`, with its
    /// boundary, is set when it is sent); it cannot also have a JSON body.
    pub fn multipart_text(&mut self, name: &str, value: impl Into<String>) {
        self.multipart.push(MultipartPart::Text {
            name: name.to_owned(),
            value: value.into(),
        });
    }

    /// Adds a file to the `multipart/form-data` body under the field `name`, with its file name
    /// and content type. A file name with control characters (line breaks) or a content type
    /// that is not a valid MIME type is recorded as a validation error.
    pub fn multipart_file(&mut self, name: &str, file: &FilePart) {
        if let Some(problem) = MultipartPart::check_file(file) {
            self.validator.field(name, |v| v.error(problem));
            return;
        }
        self.multipart.push(MultipartPart::File {
            name: name.to_owned(),
            file: file.clone(),
        });
    }

    /// The keep-alive interval set with [`event_keep_alive`](Request::event_keep_alive).
    pub fn keep_alive_hint(&self) -> Option<Duration> {
        self.keep_alive
    }

    /// For an event stream: the keep-alive interval the request asks the server for, from
    /// which the client derives how long the stream may stay silent before it is given up.
    pub fn event_keep_alive(&mut self, interval: Duration) {
        self.keep_alive = Some(interval);
    }

    /// Runs client-side checks; any error they record makes `execute` fail with
    /// [`Error::InvalidRequest`](super::Error::InvalidRequest) without sending anything.
    pub fn validate(&mut self, check: impl FnOnce(&mut Validator)) {
        check(&mut self.validator);
    }

    /// Checks that every path parameter was set, then takes the request apart for sending.
    pub(crate) fn into_parts(mut self) -> Result<RequestParts, super::ValidationErrors> {
        let mut rest = self.path.as_str();
        let mut missing = Vec::new();
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('}') else { break };
            missing.push(after[..end].to_owned());
            rest = &after[end + 1..];
        }
        for name in missing {
            self.validator.field(&name, |v| {
                v.error("is a required path parameter but was not set");
            });
        }
        let body = match (self.body, self.multipart.is_empty()) {
            (None, true) => Body::None,
            (Some(json), true) => Body::Json(json),
            (None, false) => Body::Multipart(MultipartBody::new(self.multipart)),
            (Some(_), false) => {
                self.validator.field("body", |v| {
                    v.error("a request cannot have both a JSON body and multipart form parts");
                });
                Body::None
            }
        };
        self.validator.finish()?;
        Ok(RequestParts {
            path: self.path,
            url: self.url,
            query: self.query,
            headers: self.headers,
            body,
        })
    }
}

/// A request that passed its checks, ready to send.
pub(crate) struct RequestParts {
    pub(crate) path: String,
    pub(crate) url: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Body,
}

/// What a request sends as its body.
pub(crate) enum Body {
    /// Nothing.
    None,
    /// JSON, sent with `Content-Type: application/json`.
    Json(Bytes),
    /// A `multipart/form-data` body, encoded anew for each attempt.
    Multipart(MultipartBody),
}

#[cfg(test)]
mod tests {
    use super::*;

    static OP: Operation = Operation {
        id: "things.get",
        resource: "things",
        action: "get",
        method: Method::Get,
        path: "/a/{a}/b/{b}",
        summary: "",
        scopes: &[],
        idempotent: true,
    };

    #[test]
    fn path_params_are_single_encoded_segments() {
        let mut r = Request::new(&OP);
        r.path_param("a", "x/y?z#%é ");
        r.path_param("b", "...~_-");
        assert_eq!(r.path(), "/a/x%2Fy%3Fz%23%25%C3%A9%20/b/...~_-");
        assert!(r.into_parts().is_ok());
    }

    #[test]
    fn json_and_multipart_bodies_exclude_each_other() {
        let mut r = Request::new(&OP);
        r.path_param("a", "1");
        r.path_param("b", "2");
        r.json_body(&serde_json::json!({"x": 1}));
        r.multipart_text("field", "value");
        let text = r.into_parts().err().expect("invalid").to_string();
        assert!(text.contains("both a JSON body and multipart"), "{text}");
    }

    #[test]
    fn unsafe_or_missing_path_params_are_errors() {
        let mut r = Request::new(&OP);
        r.path_param("a", "..");
        r.path_param("nope", "x");
        let errors = r.into_parts().err().expect("invalid");
        let text = errors.to_string();
        assert!(text.starts_with("3 problems"), "{text}");
        assert!(text.contains("`a`: `..` cannot"), "{text}");
        assert!(text.contains("`nope`"), "{text}");
        assert!(text.contains("`b`: is a required path parameter"), "{text}");
    }
}
