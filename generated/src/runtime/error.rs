//! The errors a call can end with.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::retry::parse_retry_after;
use super::transport::{TransportError, TransportErrorKind};
use super::validate::ValidationErrors;

/// Why a call failed. No variant ever holds or prints the API token or other credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a 4xx or 5xx status (boxed: it holds the response's headers and
    /// the start of its body).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request could not be sent or its response not read (DNS, connection refused or
    /// reset, TLS, a body that broke off, ...).
    #[error("{operation}: could not reach the API after {attempts} attempt(s): {source}")]
    Transport {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: TransportError,
    },

    /// A time limit ran out (see [`TimeoutKind`]).
    #[error("{operation}: {kind} of {after:?} ran out after {attempts} attempt(s)")]
    Timeout {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// Which limit.
        kind: TimeoutKind,
        /// The configured limit that ran out.
        after: Duration,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The API answered with a redirect. The client follows none: a redirected write would
    /// be replayed as a read (or to another host), and its answer is not the action's. The
    /// base URL is probably wrong (e.g. `http` where the API wants `https`, or a missing path).
    #[error(
        "{operation}: the API answered {status} with a redirect to {}; redirects are not \
         followed (check the base URL)",
        location.as_deref().map_or("an unspecified location".to_owned(), |l| format!("`{l}`"))
    )]
    Redirect {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The 3xx status.
        status: StatusCode,
        /// The `Location` header, if any.
        location: Option<String>,
    },

    /// A 2xx response whose body is not the JSON the operation returns.
    #[error(
        "{operation}: the API answered {status} with a body that could not be decoded ({source}); it starts with: {excerpt}"
    )]
    Decode {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The response status.
        status: StatusCode,
        /// The start of the body (at most 200 characters).
        excerpt: String,
        /// What was wrong with it.
        #[source]
        source: serde_json::Error,
    },

    /// The API answered a 2xx status with no body where the action documents one: the call
    /// succeeded (a deletion, say, took place), but there is no value to return. Use
    /// `send_raw()` to accept either.
    #[error(
        "{operation}: the API answered {status} with an empty body; the call succeeded, but the \
         action documents a body to return"
    )]
    EmptyBody {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The 2xx status.
        status: StatusCode,
        /// The response headers.
        headers: Box<HeaderMap>,
    },

    /// The response was larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)); it
    /// was not read further.
    #[error("{operation}: the response is larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The limit.
        limit: u64,
    },

    /// An event stream could not be followed: the answer was not `text/event-stream`, or a
    /// line or event exceeded its size limit.
    #[error("{operation}: {reason}")]
    EventStream {
        /// The operation, e.g. `device.stateStream`.
        operation: &'static str,
        /// What went wrong.
        reason: String,
    },

    /// Paging through a list could not finish with a complete answer: the server repeated a
    /// page, stopped before its own total, or the page limit was reached.
    #[error("{operation}: {reason}")]
    Pagination {
        /// The operation, e.g. `devices.get`.
        operation: &'static str,
        /// What went wrong.
        reason: String,
    },

    /// The request failed client-side checks; nothing was sent.
    #[error("{operation}: invalid request, nothing was sent: {errors}")]
    InvalidRequest {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// Every problem found.
        #[source]
        errors: ValidationErrors,
    },

    /// The client's token lacks every scope the operation accepts; nothing was sent. (Turn
    /// the check off with [`ClientBuilder::check_scopes`](super::ClientBuilder::check_scopes).)
    #[error(
        "{operation}: the API token has none of the scopes this action accepts, nothing was sent \
         (accepted: {}; the token has: {})",
        accepted.join(", "),
        if token_scopes.is_empty() { "no scopes".to_owned() } else { token_scopes.join(", ") }
    )]
    MissingScope {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The scopes the operation accepts.
        accepted: &'static [&'static str],
        /// The scopes the client's token has.
        token_scopes: Vec<String>,
    },

    /// Logging in (or renewing the token) failed; nothing else was sent.
    #[error("{operation}: could not log in: {reason}")]
    Login {
        /// The operation that needed the token.
        operation: &'static str,
        /// Why the login failed (never the credentials).
        reason: String,
        /// The login's own error, when it has one.
        #[source]
        source: Option<Box<Error>>,
    },

    /// The client is misconfigured (bad base URL, plain `http`, missing environment variable,
    /// ...).
    #[error("client configuration: {0}")]
    Config(String),
}

/// Which time limit a [`Error::Timeout`] hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt: from sending to reading the whole answer
    /// ([`ClientBuilder::timeout`](super::ClientBuilder::timeout)).
    Attempt,
    /// The whole operation: every attempt and every wait between them
    /// ([`ClientBuilder::deadline`](super::ClientBuilder::deadline)).
    Deadline,
    /// An event stream that sent nothing, not even a keep-alive, for this long.
    Idle,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Attempt => "the time limit of one attempt",
            TimeoutKind::Deadline => "the deadline of the operation",
            TimeoutKind::Idle => "the idle limit of the event stream",
        })
    }
}

impl Error {
    /// The HTTP status of the response, for errors that had one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. }
            | Error::EmptyBody { status, .. }
            | Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the call reached the API and succeeded although no value could be returned
    /// ([`Error::EmptyBody`]).
    pub fn succeeded(&self) -> bool {
        matches!(self, Error::EmptyBody { .. })
    }

    /// Whether trying the same call again later may succeed: connection problems, timeouts,
    /// and the statuses 429, 502, 503 and 504. The client already retries these where it is
    /// safe, following its [`RetryPolicy`](super::RetryPolicy).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => is_retryable_status(e.status),
            Error::Timeout { kind, .. } => *kind != TimeoutKind::Deadline,
            Error::Transport { source, .. } => source.kind() != TransportErrorKind::Other,
            _ => false,
        }
    }

    /// The operation that failed, e.g. `orgs.get` (`None` for configuration errors).
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api(e) => Some(e.operation),
            Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Redirect { operation, .. }
            | Error::Decode { operation, .. }
            | Error::EmptyBody { operation, .. }
            | Error::ResponseTooLarge { operation, .. }
            | Error::EventStream { operation, .. }
            | Error::Pagination { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::MissingScope { operation, .. }
            | Error::Login { operation, .. } => Some(operation),
            Error::Config(_) => None,
        }
    }
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// A 4xx or 5xx answer from the API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that failed, e.g. `orgs.get`.
    pub operation: &'static str,
    /// The response status.
    pub status: StatusCode,
    /// The error's kind from the JSON body (Losant's `type`, e.g. `NotFound`), if any.
    pub error_type: Option<String>,
    /// The error's message from the JSON body, if any.
    pub message: Option<String>,
    /// The response body, at most the client's
    /// [`max_error_body`](super::ClientBuilder::max_error_body) bytes of it (64 KiB by
    /// default), with invalid UTF-8 replaced.
    pub body: String,
    /// The body's real length in bytes (more than `body.len()` when it was cut).
    pub body_len: u64,
    /// The response headers (`Retry-After`, a request id, ...).
    pub headers: HeaderMap,
    /// How many attempts were made (more than 1 when retries also failed).
    pub attempts: u32,
}

impl ApiError {
    /// Decodes the body as `T`, e.g. a generated error model.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// Whether the body was cut to the client's limit.
    pub fn body_truncated(&self) -> bool {
        self.body_len > self.body.len() as u64
    }

    /// How long the API asked to wait before trying again (`Retry-After`, in seconds or as an
    /// HTTP date), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()))
    }

    /// The request id the server gave the exchange, if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        super::response::request_id(&self.headers)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the API answered {}", self.operation, self.status)?;
        if let Some(kind) = &self.error_type {
            write!(f, " ({kind})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        } else if !self.body.trim().is_empty() {
            write!(f, ": {}", excerpt(&self.body))?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The `type` and `message` members of a JSON error body, read without building a tree of
/// the whole body: members other than the two wanted are skipped, and a body cut short still
/// yields what was read before the cut.
pub(crate) fn error_fields(
    body: &[u8],
    type_field: &str,
    message_field: &str,
) -> (Option<String>, Option<String>) {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Fields<'a> {
        names: [&'a str; 2],
        found: &'a mut [Option<String>; 2],
    }

    impl<'de> DeserializeSeed<'de> for Fields<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Fields<'_> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match self.names.iter().position(|n| *n == key) {
                    Some(i) => {
                        // Only a string counts; any other value is skipped.
                        let value: serde_json::Value = map.next_value()?;
                        if let serde_json::Value::String(text) = value {
                            self.found[i] = Some(text);
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    }

    let mut found = [None, None];
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    // A body that is not JSON, or is cut short, keeps what was found before the problem.
    let _ = Fields {
        names: [type_field, message_field],
        found: &mut found,
    }
    .deserialize(&mut deserializer);
    let [error_type, message] = found;
    (error_type, message)
}

/// `text` if it has at most 200 characters, else its first 199 and `…`.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().nth(MAX).is_none() {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_fields_are_read_without_a_tree_and_from_a_cut_body() {
        let body = br#"{"pad":[1,2,{"x":"y"}],"type":"NotFound","n":3,"message":"No such org"}"#;
        assert_eq!(
            error_fields(body, "type", "message"),
            (Some("NotFound".into()), Some("No such org".into()))
        );
        let cut = br#"{"type":"Validation","message":"bad","rest":[1,2,3"#;
        assert_eq!(
            error_fields(cut, "type", "message"),
            (Some("Validation".into()), Some("bad".into()))
        );
        assert_eq!(error_fields(b"<html>", "type", "message"), (None, None));
        assert_eq!(
            error_fields(br#"{"type":7,"message":"m"}"#, "type", "message"),
            (None, Some("m".into()))
        );
        assert_eq!(error_fields(b"[]", "type", "message"), (None, None));
    }

    #[test]
    fn excerpts_are_cut_at_200_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(300);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.ends_with('…'));
    }
}
