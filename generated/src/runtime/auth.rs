//! Where the client's bearer token comes from: a fixed token, or a [`TokenSource`] the client
//! asks before each attempt, such as a [`LoginSession`] that logs in through the API.
//!
//! Everything here is generic: what a login sends and where its answer keeps the token is the
//! [`Login`]'s business (a hand-written one, or the spec's logins read from the environment by
//! [`ClientBuilder::from_env_for`](super::ClientBuilder::from_env_for)).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use super::client::Client;
use super::error::Error;
use super::options::CallOptions;
use super::request::Request;
use super::transport::BoxFuture;
use super::{LoginInfo, scopes};

/// How long before its expiry a [`LoginSession`] renews a token, by default.
const DEFAULT_RENEW_BEFORE: Duration = Duration::from_secs(60);

/// Tells tokens apart, so that the API refusing one token does not discard a newer one.
static NEXT_TOKEN_ID: AtomicU64 = AtomicU64::new(1);

/// A bearer token, with what is known of it: when it expires and which scopes it has.
///
/// Its `Debug` output never shows the token itself.
///
/// ```
/// use std::time::Duration;
/// use losant::runtime::Token;
///
/// let token = Token::new("an-opaque-token")?
///     .with_expiry_in(Duration::from_secs(3600))
///     .with_scopes(["all.Device"]);
/// assert_eq!(token.scopes(), Some(&["all.Device".to_owned()][..]));
/// assert!(!format!("{token:?}").contains("opaque"));
/// # Ok::<(), losant::Error>(())
/// ```
#[derive(Clone)]
pub struct Token {
    /// `Bearer <token>`, marked sensitive.
    header: HeaderValue,
    obtained_at: Instant,
    expires_at: Option<Instant>,
    scopes: Option<Arc<[String]>>,
    id: u64,
}

impl Token {
    /// A token as the API handed it out. When it is a JWT, its `scope` claim gives its scopes
    /// and its `exp` claim its expiry (read without checking the signature: they only serve to
    /// renew the token in time and to refuse calls it may not make before sending them).
    ///
    /// Fails with [`Error::Config`] when the token is empty or cannot be sent in an HTTP
    /// header (spaces, line breaks, non-ASCII text); the message never includes the token.
    pub fn new(token: impl Into<String>) -> Result<Token, Error> {
        let token = token.into();
        let header = bearer_header(&token)?;
        let obtained_at = Instant::now();
        let expires_at = scopes::jwt_expiry(&token).map(|at| {
            let left = at
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            obtained_at + left
        });
        Ok(Token {
            header,
            obtained_at,
            expires_at,
            scopes: scopes::jwt_scopes(&token).map(Into::into),
            id: NEXT_TOKEN_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Says the token expires `lifetime` from now (for a token that is not a JWT, or whose
    /// lifetime the login was told).
    pub fn with_expiry_in(mut self, lifetime: Duration) -> Self {
        self.expires_at = Some(Instant::now() + lifetime);
        self
    }

    /// Says which scopes the token has (replacing those read from a JWT), so that calls it
    /// may not make fail with [`Error::MissingScope`] without being sent.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// When the token expires, if known (a `tokio` instant, so that tests can move time on).
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// The token's scopes, if known.
    pub fn scopes(&self) -> Option<&[String]> {
        self.scopes.as_deref()
    }

    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }

    /// Whether the token may still be used `margin` before its expiry. The margin shrinks to
    /// half the token's lifetime for short-lived tokens, so that they are used at all.
    fn usable(&self, margin: Duration, now: Instant) -> bool {
        let Some(expires_at) = self.expires_at else {
            return true;
        };
        let lifetime = expires_at.saturating_duration_since(self.obtained_at);
        now + margin.min(lifetime / 2) < expires_at
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let left = self
            .expires_at
            .map(|at| at.saturating_duration_since(Instant::now()));
        f.debug_struct("Token")
            .field("token", &format_args!("<redacted>"))
            .field("expires_in", &left)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// `Bearer <token>` as a sensitive header value, or why it cannot be one (without the token).
pub(crate) fn bearer_header(token: &str) -> Result<HeaderValue, Error> {
    if token.is_empty() {
        return Err(Error::Config("the API token is empty".to_owned()));
    }
    let visible = token.bytes().all(|b| (0x21..0x7f).contains(&b));
    let value = HeaderValue::from_str(&format!("Bearer {token}"))
        .ok()
        .filter(|_| visible);
    let Some(mut value) = value else {
        return Err(Error::Config(
            "the API token contains characters that cannot be sent in an HTTP header \
             (spaces, line breaks or non-ASCII text); check how it was copied"
                .to_owned(),
        ));
    };
    value.set_sensitive(true);
    Ok(value)
}

/// Gives the [`Client`] the token for each attempt, instead of a fixed one; see
/// [`ClientBuilder::token_source`](super::ClientBuilder::token_source).
///
/// The client asks for a token before every attempt of every call (so a token that expired
/// between two retries is replaced), checks the call against the token's
/// [scopes](Token::scopes), and when the API answers `401 Unauthorized` tells the source with
/// [`refused`](TokenSource::refused) and, if it says so, sends the call once more with a new
/// token (a 401 means the request was refused unprocessed, so even a `POST` is sent again).
///
/// Implementations must redact secrets in their `Debug` output: the client's `Debug` shows it.
/// [`LoginSession`] is the implementation for APIs that hand out tokens through a login.
pub trait TokenSource: fmt::Debug + Send + Sync + 'static {
    /// The token to send now. `client` has the settings of the client asking but sends no
    /// token: use it for a login request (the asking client would ask this source again).
    /// An error fails the call with [`Error::Login`], nothing sent.
    fn token<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<Token, Error>>;

    /// The API refused `token` (it answered 401). Returns whether asking again may give a
    /// token it accepts, in which case the call is sent once more; a source should forget
    /// `token` then.
    fn refused(&self, token: &Token) -> bool;
}

/// Obtains a new token, typically by sending credentials to the API's login action. A
/// [`LoginSession`] decides when to.
///
/// Implementations must redact secrets in their `Debug` output.
pub trait Login: fmt::Debug + Send + Sync + 'static {
    /// Logs in through `client`, which sends no token, and returns the new token.
    fn login<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<Token, Error>>;
}

/// A [`TokenSource`] that logs in with a [`Login`] when it needs a token: on first use, when
/// the token is about to expire, and after the API refused it. Calls made meanwhile share one
/// login.
///
/// - The token is kept and given to every call until `renew_before` (60 s by default, at most
///   half the token's lifetime) before its [expiry](Token::expires_at); a token of unknown
///   expiry is kept until the API refuses it.
/// - Calls that need a token while a login is under way wait for it and use its token; if it
///   fails, they fail with its error too rather than each log in again. The next call tries
///   again.
/// - A login that failed is not remembered beyond the calls that waited for it: each later call
///   logs in anew.
///
/// ```no_run
/// use losant::runtime::{BoxFuture, Client, Login, LoginSession, Token};
/// # use losant::Error;
///
/// #[derive(Debug)]
/// struct Fixed;
///
/// impl Login for Fixed {
///     fn login<'a>(&'a self, _client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
///         Box::pin(async { Token::new("from-somewhere") })
///     }
/// }
///
/// # fn build() -> Result<Client, Error> {
/// let client = Client::builder("").token_source(LoginSession::new(Fixed)).build()?;
/// # Ok(client)
/// # }
/// ```
pub struct LoginSession<L> {
    login: L,
    renew_before: Duration,
    state: Mutex<SessionState>,
    /// Held while logging in, so that concurrent calls wait for one login.
    flight: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct SessionState {
    token: Option<Token>,
    /// How many logins were made (to tell a waiter whether one happened while it waited).
    logins: u64,
    /// Why the last login failed, if it did.
    failure: Option<String>,
}

impl<L: Login> LoginSession<L> {
    /// A session that logs in with `login` when it needs a token.
    pub fn new(login: L) -> Self {
        LoginSession {
            login,
            renew_before: DEFAULT_RENEW_BEFORE,
            state: Mutex::new(SessionState::default()),
            flight: tokio::sync::Mutex::new(()),
        }
    }

    /// How long before a token's expiry to log in again (default 60 s; at most half the
    /// token's lifetime is used).
    pub fn renew_before(mut self, margin: Duration) -> Self {
        self.renew_before = margin;
        self
    }

    /// The login.
    pub fn login(&self) -> &L {
        &self.login
    }

    fn state(&self) -> std::sync::MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept token, if it may still be used.
    fn usable(&self) -> Option<Token> {
        let now = Instant::now();
        self.state()
            .token
            .as_ref()
            .filter(|token| token.usable(self.renew_before, now))
            .cloned()
    }

    async fn token_or_login(&self, client: &Client) -> Result<Token, Error> {
        if let Some(token) = self.usable() {
            return Ok(token);
        }
        let seen = self.state().logins;
        let _flight = self.flight.lock().await;
        if let Some(token) = self.usable() {
            return Ok(token);
        }
        {
            let state = self.state();
            if state.logins != seen {
                if let Some(reason) = &state.failure {
                    // The login this call waited for failed: report it rather than try again
                    // at once (with wrong credentials, N concurrent calls would make N logins).
                    return Err(Error::Login {
                        operation: "",
                        reason: reason.clone(),
                        source: None,
                    });
                }
            }
        }
        let result = self.login.login(client).await;
        let mut state = self.state();
        state.logins += 1;
        match result {
            Ok(token) => {
                state.token = Some(token.clone());
                state.failure = None;
                Ok(token)
            }
            Err(error) => {
                state.token = None;
                state.failure = Some(login_reason(&error));
                Err(error)
            }
        }
    }
}

impl<L: Login> TokenSource for LoginSession<L> {
    fn token<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
        Box::pin(self.token_or_login(client))
    }

    fn refused(&self, token: &Token) -> bool {
        let mut state = self.state();
        if state.token.as_ref().is_some_and(|kept| kept.id == token.id) {
            state.token = None;
        }
        true
    }
}

impl<L: fmt::Debug> fmt::Debug for LoginSession<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .token
            .clone();
        f.debug_struct("LoginSession")
            .field("login", &self.login)
            .field("token", &token)
            .field("renew_before", &self.renew_before)
            .finish()
    }
}

/// The reason an [`Error::Login`] gives for `error`, the error of a login or of a token source.
pub(crate) fn login_reason(error: &Error) -> String {
    match error {
        Error::Login { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// The token in member `field` of a login's JSON answer `body`, for the login action
/// `operation`. Errors say what was wrong with the answer, never what it held (it may hold a
/// token).
pub fn token_from_answer(
    operation: &'static str,
    body: &[u8],
    field: &str,
) -> Result<Token, Error> {
    let fail = |reason: String| Error::Login {
        operation,
        reason,
        source: None,
    };
    let answer: serde_json::Value = serde_json::from_slice(body).map_err(|err| {
        fail(format!(
            "{operation}: the answer is not JSON (at line {}, column {})",
            err.line(),
            err.column()
        ))
    })?;
    match answer.get(field) {
        Some(serde_json::Value::String(token)) if !token.is_empty() => Token::new(token.as_str())
            .map_err(|err| {
                fail(format!(
                    "{operation}: the token in the answer is unusable: {}",
                    login_reason(&err)
                ))
            }),
        Some(_) => Err(fail(format!(
            "{operation}: the answer's `{field}` member is not a non-empty string"
        ))),
        None => Err(fail(format!(
            "{operation}: the answer has no `{field}` member holding a token"
        ))),
    }
}

/// The spec's login read from the environment: its body members and their values.
pub(crate) struct EnvLogin {
    pub(crate) info: &'static LoginInfo,
    /// Body member and value, in the spec's order.
    pub(crate) members: Vec<(&'static str, String)>,
}

impl Login for EnvLogin {
    fn login<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
        Box::pin(async move {
            let operation = self.info.operation;
            let body: serde_json::Map<String, serde_json::Value> = self
                .members
                .iter()
                .map(|(member, value)| ((*member).to_owned(), value.as_str().into()))
                .collect();
            let mut request = Request::new(operation);
            request.json_body(&body);
            let answer = client.execute_raw(request, &CallOptions::default()).await?;
            token_from_answer(operation.id, answer.body(), self.info.token_field)
        })
    }
}

impl fmt::Debug for EnvLogin {
    /// The login's name, action and the variables read, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let read: Vec<&str> = self
            .info
            .env
            .iter()
            .chain(self.info.optional_env)
            .filter(|(member, _)| self.members.iter().any(|(m, _)| m == member))
            .map(|(_, variable)| *variable)
            .collect();
        f.debug_struct("EnvLogin")
            .field("login", &self.info.name)
            .field("action", &self.info.operation.id)
            .field("from", &read)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokens_are_renewed_within_the_margin_or_half_their_lifetime() {
        let long = Token::new("t")
            .unwrap()
            .with_expiry_in(Duration::from_secs(3600));
        let now = Instant::now();
        let margin = Duration::from_secs(60);
        assert!(long.usable(margin, now + Duration::from_secs(3539)));
        assert!(!long.usable(margin, now + Duration::from_secs(3540)));
        let short = Token::new("t")
            .unwrap()
            .with_expiry_in(Duration::from_secs(10));
        assert!(short.usable(margin, now + Duration::from_secs(4)));
        assert!(!short.usable(margin, now + Duration::from_secs(5)));
        assert!(
            Token::new("t")
                .unwrap()
                .usable(margin, now + Duration::from_secs(1 << 30))
        );
    }

    #[test]
    fn bad_tokens_are_refused_without_showing_them() {
        for bad in ["", "has space-secret", "line\nsecret"] {
            let err = Token::new(bad).expect_err("refused").to_string();
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[test]
    fn answers_without_a_token_are_errors_that_do_not_quote_the_answer() {
        let err = |body: &str| {
            token_from_answer("auth.x", body.as_bytes(), "token")
                .expect_err("no token")
                .to_string()
        };
        assert!(err("not json secret").contains("not JSON"));
        assert!(err(r#"{"other":"secret"}"#).contains("no `token` member"));
        let wrong = err(r#"{"token":["secret"]}"#);
        assert!(
            wrong.contains("not a non-empty string") && !wrong.contains("secret"),
            "{wrong}"
        );
        assert!(token_from_answer("auth.x", br#"{"token":"abc"}"#, "token").is_ok());
    }
}
