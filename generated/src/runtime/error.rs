//! The errors a call can end with.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::validate::ValidationErrors;

/// Why a call failed. No variant ever holds or prints the API token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a status other than 2xx.
    #[error(transparent)]
    Api(ApiError),

    /// The request could not be sent or its response not read (DNS, connection refused or
    /// reset, TLS, ...).
    #[error("{operation}: could not reach the API: {}", with_causes(source))]
    Transport {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// No complete response arrived in time (see [`ClientBuilder::timeout`]).
    ///
    /// [`ClientBuilder::timeout`]: super::ClientBuilder::timeout
    #[error("{operation}: no response from the API within {after:?}")]
    Timeout {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// The configured time limit that ran out (best effort).
        after: Duration,
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

    /// The request failed client-side checks; nothing was sent.
    #[error("{operation}: invalid request, nothing was sent: {errors}")]
    InvalidRequest {
        /// The operation, e.g. `orgs.get`.
        operation: &'static str,
        /// Every problem found.
        #[source]
        errors: ValidationErrors,
    },

    /// The client's token lacks every scope the operation accepts; nothing was sent.
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

    /// The client is misconfigured (bad base URL, plain `http`, missing environment variable,
    /// ...).
    #[error("client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status of the response, for errors that had one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed: connection problems, timeouts,
    /// and the statuses 429, 502, 503 and 504. The client already retries these for idempotent
    /// methods according to its [`RetryPolicy`](super::RetryPolicy).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => is_retryable_status(e.status),
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => {
                source.is_connect()
                    || source.is_timeout()
                    || source.is_request()
                    || source.is_body()
            }
            _ => false,
        }
    }

    /// The operation that failed, e.g. `orgs.get` (`None` for configuration errors).
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api(e) => Some(e.operation),
            Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Decode { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::MissingScope { operation, .. } => Some(operation),
            Error::Config(_) => None,
        }
    }
}

/// `err` followed by its causes, e.g. `error sending request: tcp connect error: Connection
/// refused`, so that the message says what actually went wrong.
fn with_causes(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(err) = cause {
        let part = err.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = err.source();
    }
    text
}

pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// A non-2xx answer from the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The operation that failed, e.g. `orgs.get`.
    pub operation: &'static str,
    /// The response status.
    pub status: StatusCode,
    /// The error's kind from the JSON body (Losant's `type`, e.g. `NotFound`), if any.
    pub error_type: Option<String>,
    /// The error's message from the JSON body, if any.
    pub message: Option<String>,
    /// The whole response body.
    pub body: String,
}

impl ApiError {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        body: &[u8],
        info: &super::ApiInfo,
    ) -> Self {
        let body = String::from_utf8_lossy(body).into_owned();
        let (error_type, message) = match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(map)) => {
                let text = |field: &str| match map.get(field) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    _ => None,
                };
                (text(info.error_type_field), text(info.error_message_field))
            }
            _ => (None, None),
        };
        ApiError {
            operation,
            status,
            error_type,
            message,
            body,
        }
    }

    /// Decodes the body as `T`, e.g. a generated error model.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.body)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the API answered {}", self.operation, self.status)?;
        if let Some(kind) = &self.error_type {
            write!(f, " ({kind})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")
        } else if !self.body.trim().is_empty() {
            write!(f, ": {}", excerpt(&self.body))
        } else {
            Ok(())
        }
    }
}

impl std::error::Error for ApiError {}

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
