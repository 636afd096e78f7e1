//! The hand-written runtime the generated code calls: the [`Client`] that sends requests, the
//! [`Request`] the generated builders fill in, errors, retries, pagination, client-side
//! validation, the [`Nullable`] tri-state, file uploads ([`FilePart`]) and server-sent events
//! ([`Client::execute_events`]).
//!
//! Most applications only meet [`Client`], [`Error`] and perhaps [`RetryPolicy`]; the rest is
//! public so that the generated modules (and anyone calling an action the generated code does
//! not cover) can build requests with [`Request`] and send them with [`Client::execute`].

mod client;
mod error;
mod events;
mod multipart;
pub mod nullable;
mod pagination;
mod query;
mod request;
mod retry;
mod scopes;
mod string_enum;
mod union;
mod validate;

pub use client::{Client, ClientBuilder, TOKEN_ENV_VAR, URL_ENV_VAR};
pub use error::{ApiError, Error};
pub use events::{EventStream, ServerSentEvent, map_events};
pub use multipart::FilePart;
pub use nullable::Nullable;
pub use pagination::paginate;
pub use query::QueryValue;
pub use request::{Method, Operation, Request};
pub use retry::RetryPolicy;
pub(crate) use string_enum::string_enum;
#[cfg(feature = "schemars")]
pub use string_enum::string_enum_schema;
pub use union::{UnionVariant, decode_union};
pub use validate::{Validate, ValidationError, ValidationErrors, Validator};

/// API-wide settings generated from the spec (`crate::api::API_INFO`).
///
/// The [`Client`] takes its defaults from it: the base URL, the headers sent with every request
/// and the fields of the API's JSON error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiInfo {
    /// The API's title, e.g. `Losant REST API`.
    pub title: &'static str,
    /// The API version the code was generated for.
    pub version: &'static str,
    /// The default base URL, e.g. `https://api.losant.com`.
    pub base_url: &'static str,
    /// Headers sent with every request (e.g. `Accept-Version`); a request's own header of the
    /// same name replaces them.
    pub headers: &'static [(&'static str, &'static str)],
    /// The field of a JSON error body that names the kind of error.
    pub error_type_field: &'static str,
    /// The field of a JSON error body that holds the human-readable message.
    pub error_message_field: &'static str,
}
