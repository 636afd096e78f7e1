//! Logging in to Losant with a device's or a user's credentials instead of an API token.
//!
//! Losant hands out tokens for credentials through its auth actions: `auth.authenticateDevice`
//! takes a device's id with an access key and secret, `auth.authenticateUser` a user's email
//! and password (and a two-factor code when the account has two-factor authentication on).
//! [`DeviceLogin`] and [`UserLogin`] send them through those actions; given to a client with
//! [`Client::with_login`] (or [`ClientBuilder::login`]), they log in when the client first
//! needs a token, and again before the token expires and once after the API refuses it, without
//! rebuilding the client. Concurrent calls share one login (see
//! [`LoginSession`](crate::runtime::LoginSession)).
//!
//! ```no_run
//! # async fn run() -> Result<(), losant::Error> {
//! use std::time::Duration;
//! use losant::{Client, DeviceLogin};
//!
//! let login = DeviceLogin::new("575ecf887ae143cd83dc4aa2", "my-access-key", "my-access-secret")
//!     .token_ttl(Duration::from_secs(24 * 3600));
//! let client = Client::with_login(login).build()?;
//! let state = client
//!     .device()
//!     .get_state("575ec8687ae143cd83dc4a97", "575ecf887ae143cd83dc4aa2")
//!     .await?; // logs in first
//! # let _ = state;
//! # Ok(())
//! # }
//! ```
//!
//! [`Client::from_env`] logs in the same way when `LOSANT_API_TOKEN` is not set and the
//! variables of a device login (`LOSANT_DEVICE_ID`, `LOSANT_DEVICE_KEY`,
//! `LOSANT_DEVICE_SECRET`) or a user login (`LOSANT_EMAIL`, `LOSANT_PASSWORD`, and
//! `LOSANT_TWO_FACTOR_CODE` if set) are.
//!
//! The token's expiry is its JWT `exp` claim, else the [`token_ttl`](DeviceLogin::token_ttl)
//! asked for; its scopes, which the client checks calls against before sending them, are its
//! JWT `scope` claim, else the [requested scopes](DeviceLogin::requested_scopes). Keys,
//! secrets, passwords, two-factor codes and tokens never appear in `Debug` output or errors.

use std::fmt;
use std::time::Duration;

use crate::models::{DeviceCredentials, DeviceCredentialsRequestedScope, UserCredentials};
use crate::runtime::{BoxFuture, Client, ClientBuilder, Error, Login, Token, token_from_answer};

/// The member of Losant's login answers (`AuthenticatedDevice`, `AuthenticatedUser`) that
/// holds the token.
const TOKEN_FIELD: &str = "token";

impl Client {
    /// A builder for a client that logs in with `login` ([`DeviceLogin`], [`UserLogin`], or
    /// any [`Login`]) instead of using a fixed token: when it first needs a token, again
    /// before the token expires, and once after the API refuses it.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), losant::Error> {
    /// use losant::{Client, UserLogin};
    ///
    /// let client = Client::with_login(UserLogin::new("me@example.com", "my password")).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_login(login: impl Login) -> ClientBuilder {
        ClientBuilder::for_api(&crate::api::API_INFO, "").login(login)
    }
}

/// Shows `<redacted>` in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Logs in as a device, with its id and an application access key and secret that may
/// authenticate it (`POST /auth/device`, `auth.authenticateDevice`).
///
/// Losant gives the token the scope `all.Device` unless
/// [`requested_scopes`](DeviceLogin::requested_scopes) asks for fewer. The login takes no
/// application id: the device id says which device, and so which application, it is.
///
/// Its `Debug` output shows the device id, never the key or secret.
#[derive(Clone)]
pub struct DeviceLogin {
    device_id: String,
    key: String,
    secret: String,
    token_ttl: Option<Duration>,
    requested_scopes: Option<Vec<String>>,
}

impl DeviceLogin {
    /// A login for device `device_id` with an access key and its secret.
    pub fn new(
        device_id: impl Into<String>,
        key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        DeviceLogin {
            device_id: device_id.into(),
            key: key.into(),
            secret: secret.into(),
            token_ttl: None,
            requested_scopes: None,
        }
    }

    /// Asks for tokens that live `ttl` (Losant's `tokenTTL`, in whole seconds). When the
    /// token carries no expiry of its own, the client renews it before `ttl` runs out.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = Some(ttl);
        self
    }

    /// Asks for a token with only these scopes (e.g. `device.sendState`); calls they do not
    /// allow then fail with [`Error::MissingScope`] without being sent. An unknown scope is
    /// sent as given, and the API rejects the login.
    pub fn requested_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.requested_scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The device this login is for.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }
}

impl Login for DeviceLogin {
    fn login<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
        Box::pin(async move {
            let mut credentials = DeviceCredentials::new(self.device_id.clone());
            credentials.key = Some(self.key.clone());
            credentials.secret = Some(self.secret.clone());
            credentials.token_ttl = self.token_ttl.map(ttl_seconds);
            credentials.requested_scopes = self.requested_scopes.as_ref().map(|scopes| {
                scopes
                    .iter()
                    .map(|scope| DeviceCredentialsRequestedScope::from(scope.as_str()))
                    .collect()
            });
            let request = client.auth().authenticate_device(credentials);
            let operation = crate::auth::AuthAuthenticateDeviceRequest::OPERATION.id;
            let answer = request.send_raw().await?;
            let token = token_from_answer(operation, answer.body(), TOKEN_FIELD)?;
            Ok(complete(
                token,
                self.token_ttl,
                self.requested_scopes.as_deref(),
            ))
        })
    }
}

impl fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceLogin")
            .field("device_id", &self.device_id)
            .field("key", &Redacted)
            .field("secret", &Redacted)
            .field("token_ttl", &self.token_ttl)
            .field("requested_scopes", &self.requested_scopes)
            .finish()
    }
}

/// Logs in as a user, with an email address and password (`POST /auth/user`,
/// `auth.authenticateUser`).
///
/// Losant gives the token the scope `all.User` unless
/// [`requested_scopes`](UserLogin::requested_scopes) asks for fewer.
///
/// Its `Debug` output shows the email address, never the password or two-factor code.
#[derive(Clone)]
pub struct UserLogin {
    email: String,
    password: String,
    two_factor_code: Option<String>,
    token_ttl: Option<Duration>,
    requested_scopes: Option<Vec<String>>,
}

impl UserLogin {
    /// A login for the user with `email` and `password`.
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> Self {
        UserLogin {
            email: email.into(),
            password: password.into(),
            two_factor_code: None,
            token_ttl: None,
            requested_scopes: None,
        }
    }

    /// The two-factor authentication code to send, for an account that has two-factor
    /// authentication on. Such a code is valid for a short time only, so a later login (to
    /// renew an expired token) fails with it: ask for a [`token_ttl`](UserLogin::token_ttl)
    /// as long as the client's work, or use an API token.
    pub fn two_factor_code(mut self, code: impl Into<String>) -> Self {
        self.two_factor_code = Some(code.into());
        self
    }

    /// Asks for tokens that live `ttl` (Losant's `tokenTTL`, in whole seconds). When the
    /// token carries no expiry of its own, the client renews it before `ttl` runs out.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = Some(ttl);
        self
    }

    /// Asks for a token with only these scopes (e.g. `all.User.read`); calls they do not
    /// allow then fail with [`Error::MissingScope`] without being sent.
    pub fn requested_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.requested_scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The email address this login is for.
    pub fn email(&self) -> &str {
        &self.email
    }
}

impl Login for UserLogin {
    fn login<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
        Box::pin(async move {
            let operation = crate::auth::AuthAuthenticateUserRequest::OPERATION.id;
            let mut credentials = UserCredentials::new(self.email.clone(), self.password.clone());
            credentials.two_factor_code = self.two_factor_code.clone();
            credentials.token_ttl = self.token_ttl.map(ttl_seconds);
            if let Some(scopes) = &self.requested_scopes {
                // A requested scope is one of several string enums; decoding picks the one
                // that lists it (any string decodes, as an unknown value if need be).
                let decoded = scopes
                    .iter()
                    .map(|scope| serde_json::from_value(scope.as_str().into()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|err| Error::Login {
                        operation,
                        reason: format!("a requested scope cannot be sent: {err}"),
                        source: None,
                    })?;
                credentials.requested_scopes = Some(decoded);
            }
            let answer = client
                .auth()
                .authenticate_user(credentials)
                .send_raw()
                .await?;
            let token = token_from_answer(operation, answer.body(), TOKEN_FIELD)?;
            Ok(complete(
                token,
                self.token_ttl,
                self.requested_scopes.as_deref(),
            ))
        })
    }
}

impl fmt::Debug for UserLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserLogin")
            .field("email", &self.email)
            .field("password", &Redacted)
            .field(
                "two_factor_code",
                &self.two_factor_code.as_ref().map(|_| Redacted),
            )
            .field("token_ttl", &self.token_ttl)
            .field("requested_scopes", &self.requested_scopes)
            .finish()
    }
}

/// Losant's `tokenTTL`: whole seconds, at least 1.
fn ttl_seconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX)
}

/// What the token does not say of itself, from what the login asked for: its expiry from the
/// TTL, its scopes from the requested ones.
fn complete(mut token: Token, ttl: Option<Duration>, requested: Option<&[String]>) -> Token {
    if let (None, Some(ttl)) = (token.expires_at(), ttl) {
        token = token.with_expiry_in(ttl);
    }
    if let (None, Some(scopes)) = (token.scopes(), requested) {
        token = token.with_scopes(scopes.iter().cloned());
    }
    token
}
