//! The hand-written runtime the generated code calls: the [`Client`] that sends requests, the
//! [`Request`] the generated builders fill in, errors, retries and their budget, deadlines,
//! pagination, client-side validation, the [`Nullable`] tri-state, file uploads
//! ([`FilePart`]), server-sent events ([`Client::execute_events`]), the [`Transport`] seam,
//! [`Hook`]s, tokens that come from a login ([`TokenSource`], [`LoginSession`]), and (with the
//! `test-util` feature) the `testing` kit.
//!
//! Most applications only meet [`Client`], [`Error`] and perhaps [`RetryPolicy`]; the rest is
//! public so that the generated modules (and anyone calling an action the generated code does
//! not cover) can build requests with [`Request`] and send them with [`Client::execute`].
//!
//! # The contract with the generated code
//!
//! The runtime knows nothing of the API it serves: the generated code hands it everything
//! API-specific as data. It gives the client an [`ApiInfo`] (base URL, fixed headers, the
//! error body's fields, environment variable names, the login actions: all from
//! `spec/api.yaml`), each request
//! an [`Operation`] (method, path template, scopes, idempotency), and each call a decoder. The
//! generated request builders are plain structs with a `client_` field (the [`Client`]), a
//! `call_` field ([`CallOptions`]) and a `request_()` method building the [`Request`], which
//! their `send` methods hand to [`Client::execute_with`], [`Client::execute_raw`] or
//! [`Client::execute_events`]; the runtime's `call_option_setters!` and
//! `event_option_setters!` macros give them the per-call settings. Nothing in the runtime
//! names a generated item.

mod action;
mod auth;
mod client;
pub mod datetime;
mod error;
mod events;
mod hooks;
#[cfg(feature = "schemars")]
mod json_schema;
mod multipart;
pub mod nullable;
mod options;
mod pagination;
mod query;
mod request;
mod response;
mod retry;
mod scopes;
mod sse;
mod string_enum;
#[cfg(feature = "test-util")]
pub mod testing;
mod tls;
mod transport;
mod union;
mod validate;

// `event_option_setters` is unused when no enabled resource has an event stream.
#[allow(unused_imports)]
pub(crate) use action::{call_option_setters, event_option_setters};
pub use auth::{Login, LoginSession, Token, TokenSource, token_from_answer};
pub use client::{Client, ClientBuilder, Decoder};
pub use error::{ApiError, Error, TimeoutKind};
pub use events::{EventStream, ServerSentEvent, map_events};
pub use hooks::{AttemptOutcome, Hook};
#[cfg(feature = "schemars")]
pub use json_schema::{SubschemaFor, json_schema};
pub use multipart::{FilePart, ParsedPart, parse_multipart};
pub use nullable::Nullable;
pub use options::CallOptions;
pub use pagination::{DEFAULT_MAX_PAGES, Page, paginate};
pub use query::QueryValue;
pub use request::{Method, Operation, Request};
pub use response::Response;
pub use retry::{RetryBudget, RetryPolicy};
pub(crate) use string_enum::string_enum;
#[cfg(feature = "schemars")]
pub use string_enum::string_enum_schema;
pub use transport::{
    BoxFuture, HttpRequest, HttpResponse, RequestBody, RequestBodyStream, ReqwestTransport,
    ResponseBody, Transport, TransportError, TransportErrorKind,
};
pub use union::{UnionVariant, decode_listed, decode_union, serialize_tagged};
pub use validate::{Validate, ValidationError, ValidationErrors, Validator};

/// API-wide settings generated from the spec (`spec/api.yaml`).
///
/// The [`Client`] takes its defaults from it: the base URL, the headers sent with every request,
/// the fields of the API's JSON error body and the environment variables
/// `Client::from_env` reads.
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
    /// The environment variable `Client::from_env` reads the token from.
    pub token_env_var: &'static str,
    /// The environment variable `Client::from_env` reads a base URL from, if set.
    pub base_url_env_var: &'static str,
    /// The actions that exchange credentials for a token, in the order `Client::from_env`
    /// tries them when the token variable is not set.
    pub logins: &'static [LoginInfo],
}

/// An action that exchanges credentials for a token, as the spec describes it (`auth.logins`
/// in `spec/api.yaml`).
///
/// [`ClientBuilder::from_env_for`] logs in with the first login whose [`env`](Self::env)
/// variables are all set (when the token variable is not): it sends each variable's value as
/// the JSON body member it is listed under, reads the token from the answer's
/// [`token_field`](Self::token_field), and renews it as a [`LoginSession`] does.
#[derive(Debug, Clone, Copy)]
pub struct LoginInfo {
    /// A short name for this kind of login, e.g. `device`.
    pub name: &'static str,
    /// The login action (it accepts requests without a token).
    pub operation: &'static Operation,
    /// `(body member, environment variable)` pairs, each of which must be set.
    pub env: &'static [(&'static str, &'static str)],
    /// `(body member, environment variable)` pairs sent when the variable is set.
    pub optional_env: &'static [(&'static str, &'static str)],
    /// The member of the action's JSON answer holding the token.
    pub token_field: &'static str,
}

impl PartialEq for LoginInfo {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.operation.id == other.operation.id
            && self.env == other.env
            && self.optional_env == other.optional_env
            && self.token_field == other.token_field
    }
}

impl Eq for LoginInfo {}
