//! Clients that log in: with a device's or a user's credentials, through Losant's auth
//! actions, over a local server. The token is kept and used, renewed when it expires, renewed
//! once when the API refuses it, shared by concurrent calls; a failed login is a clear error;
//! secrets appear in no `Debug` output or error; a fixed token works as before.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use losant::models::{DeviceState, DeviceStateOrStates};
use losant::runtime::{
    BoxFuture, HttpRequest, HttpResponse, LoginSession, Transport, TransportError,
};
use losant::{Client, ClientBuilder, DeviceLogin, Error, Login, RetryPolicy, Token, UserLogin};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};
use support::{FaultServer, Recorded, Reply};

const APP: &str = "575ec8687ae143cd83dc4a97";
const DEVICE: &str = "575ecf887ae143cd83dc4aa2";
const KEY: &str = "key-7c1d-access";
const SECRET: &str = "secret-e41b-do-not-print";
const PASSWORD: &str = "password-0a9f-do-not-print";
const TWO_FACTOR: &str = "two-factor-778123";
const STATE_PATH: &str =
    "/applications/575ec8687ae143cd83dc4a97/devices/575ecf887ae143cd83dc4aa2/state";

/// A JWT with these claims (unsigned: the client reads, never verifies, them).
fn jwt(claims: Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.signature",
        b64(&json!({"alg": "HS256"})),
        b64(&claims)
    )
}

/// Seconds since the Unix epoch, `offset` seconds from now.
fn epoch_in(offset: i64) -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    now as i64 + offset
}

/// A device token: JWT number `n` (so tokens differ), with the scope and expiry given.
fn device_token(n: usize, scope: &[&str], exp: i64) -> String {
    jwt(json!({"sub": DEVICE, "n": n, "scope": scope, "exp": exp}))
}

fn login_answer(token: &str) -> Vec<u8> {
    support::json(
        200,
        &json!({
            "applicationId": APP,
            "deviceId": DEVICE,
            "deviceClass": "standalone",
            "token": token,
        }),
    )
}

fn client_for(server: &FaultServer, login: impl Login) -> Client {
    Client::with_login(login)
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

fn device_login() -> DeviceLogin {
    DeviceLogin::new(DEVICE, KEY, SECRET)
}

fn logins(server: &FaultServer) -> Vec<Recorded> {
    server
        .received()
        .into_iter()
        .filter(|r| r.path().starts_with("/auth/"))
        .collect()
}

fn calls(server: &FaultServer) -> Vec<Recorded> {
    server
        .received()
        .into_iter()
        .filter(|r| !r.path().starts_with("/auth/"))
        .collect()
}

/// No secret in the text, nor in its debug form.
fn assert_no_secret(what: &str, text: &str) {
    for secret in [KEY, SECRET, PASSWORD, TWO_FACTOR] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn state() -> DeviceStateOrStates {
    let mut data = std::collections::BTreeMap::new();
    data.insert(
        "temperature".to_owned(),
        serde_json::from_value(json!(21.5)).expect("a number"),
    );
    DeviceStateOrStates::DeviceState(DeviceState::new(data))
}

#[tokio::test]
async fn a_device_logs_in_once_and_its_token_is_used_for_every_call() {
    let token = device_token(1, &["all.Device"], epoch_in(3600));
    let answer = token.clone();
    let server = FaultServer::start(move |request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer(&answer)),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let client = client_for(&server, device_login());

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("first call");
    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("second call");

    let logins = logins(&server);
    assert_eq!(logins.len(), 1, "one login for both calls");
    let login = &logins[0];
    assert_eq!(login.method, "POST");
    assert_eq!(
        login.header("authorization"),
        None,
        "a login carries no token"
    );
    let body: Value = serde_json::from_slice(&login.body).expect("a JSON body");
    assert_eq!(
        body,
        json!({"deviceId": DEVICE, "key": KEY, "secret": SECRET})
    );
    let calls = calls(&server);
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.path(), STATE_PATH);
        assert_eq!(
            call.header("authorization"),
            Some(format!("Bearer {token}").as_str())
        );
    }
}

#[tokio::test]
async fn a_user_logs_in_with_a_two_factor_code_and_a_token_ttl() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/user" => Reply::KeepAlive(support::json(
            200,
            &json!({"userId": "575ed70c7ae143cd83dc4aa9", "token": "opaque-user-token"}),
        )),
        _ => Reply::KeepAlive(support::json(
            200,
            &json!({"items": [], "count": 0, "totalCount": 0}),
        )),
    })
    .await;
    let login = UserLogin::new("me@example.com", PASSWORD)
        .two_factor_code(TWO_FACTOR)
        .token_ttl(Duration::from_secs(3600));
    let client = client_for(&server, login);

    client.orgs().get().await.expect("the call succeeds");

    let login = &logins(&server)[0];
    assert_eq!(login.path(), "/auth/user");
    let body: Value = serde_json::from_slice(&login.body).expect("a JSON body");
    assert_eq!(
        body,
        json!({"email": "me@example.com", "password": PASSWORD, "twoFactorCode": TWO_FACTOR, "tokenTTL": 3600})
    );
    assert_eq!(
        calls(&server)[0].header("authorization"),
        Some("Bearer opaque-user-token")
    );
}

#[tokio::test]
async fn an_expired_token_is_renewed_before_the_next_call() {
    // Each token the server hands out has already expired, so every call needs a new one.
    let issued = AtomicUsize::new(0);
    let server = FaultServer::start(move |request, _| match request.path() {
        "/auth/device" => {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            Reply::KeepAlive(login_answer(&device_token(
                n,
                &["all.Device"],
                epoch_in(-10),
            )))
        }
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let client = client_for(&server, device_login());

    for _ in 0..3 {
        client
            .device()
            .get_state(APP, DEVICE)
            .await
            .expect("the call succeeds");
    }

    assert_eq!(logins(&server).len(), 3, "a login before each call");
    // Each call used the token of the login just before it (the tokens differ by `n`).
    let numbers: Vec<Value> = calls(&server)
        .iter()
        .map(|call| {
            let header = call.header("authorization").expect("a token");
            let payload = header.split('.').nth(1).expect("a JWT");
            let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .expect("base64");
            serde_json::from_slice::<Value>(&claims).expect("JSON claims")["n"].clone()
        })
        .collect();
    assert_eq!(numbers, [json!(1), json!(2), json!(3)]);
}

#[tokio::test]
async fn a_401_mid_way_logs_in_again_and_sends_the_call_once_more() {
    // The server stops accepting the first token after its first use, as when a token is
    // revoked; the second call, a POST, is refused once, then sent again with a new token.
    let first = device_token(1, &["all.Device"], epoch_in(3600));
    let second = device_token(2, &["all.Device"], epoch_in(3600));
    let revoked = format!("Bearer {first}");
    let refuse = revoked.clone();
    let issued = AtomicUsize::new(0);
    let uses = AtomicUsize::new(0);
    let server = FaultServer::start(move |request, _| match request.path() {
        "/auth/device" => match issued.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::KeepAlive(login_answer(&first)),
            _ => Reply::KeepAlive(login_answer(&second)),
        },
        _ if request.header("authorization") == Some(refuse.as_str())
            && uses.fetch_add(1, Ordering::SeqCst) > 0 =>
        {
            Reply::KeepAlive(support::json(
                401,
                &json!({"type": "Unauthorized", "message": "Token revoked"}),
            ))
        }
        _ => Reply::KeepAlive(support::json(200, &json!({"success": true}))),
    })
    .await;
    let client = client_for(&server, device_login());

    client
        .device()
        .get_state(APP, DEVICE)
        .send_raw()
        .await
        .expect("first call");
    let sent = client
        .device()
        .send_state(APP, DEVICE, state())
        .await
        .expect("the POST succeeds after one new login");
    assert_eq!(sent.success, Some(true));

    assert_eq!(logins(&server).len(), 2, "one login more after the 401");
    let calls = calls(&server);
    let sequence: Vec<(&str, bool)> = calls
        .iter()
        .map(|c| {
            (
                c.method.as_str(),
                c.header("authorization") == Some(revoked.as_str()),
            )
        })
        .collect();
    assert_eq!(
        sequence,
        [("GET", true), ("POST", true), ("POST", false)],
        "the POST is sent again, with the new token"
    );
    assert_eq!(calls[1].body, calls[2].body, "the same body both times");
}

#[tokio::test]
async fn a_token_refused_twice_fails_with_the_401_after_one_new_login() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer("opaque")),
        _ => Reply::KeepAlive(support::json(
            401,
            &json!({"type": "Unauthorized", "message": "Nope"}),
        )),
    })
    .await;
    let client = client_for(&server, device_login());

    let err = client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect_err("refused");

    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED), "{err}");
    assert_eq!(logins(&server).len(), 2, "the first login and one more");
    assert_eq!(calls(&server).len(), 2, "the call and one resend");

    // The next call starts afresh: the refused token was forgotten.
    let _ = client.device().get_state(APP, DEVICE).await;
    assert_eq!(logins(&server).len(), 4);
}

#[tokio::test]
async fn concurrent_calls_share_one_login() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer(&device_token(
            1,
            &["all.Device"],
            epoch_in(3600),
        ))),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let client = client_for(&server, device_login());

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.device().get_state(APP, DEVICE).await })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("the task ran")
            .expect("the call succeeds");
    }

    assert_eq!(logins(&server).len(), 1);
    assert_eq!(calls(&server).len(), 20);
}

#[tokio::test]
async fn a_failed_login_is_a_clear_error_that_shows_no_secret() {
    let server = FaultServer::start(|_, _| {
        Reply::KeepAlive(support::json(
            401,
            &json!({"type": "Unauthorized", "message": "Invalid device credentials"}),
        ))
    })
    .await;
    let client = client_for(&server, device_login());

    let err = client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect_err("the login fails");

    let Error::Login {
        operation,
        reason,
        source,
    } = &err
    else {
        panic!("expected a login error, got {err:?}");
    };
    assert_eq!(
        *operation, "device.getState",
        "the call that needed the token"
    );
    assert!(reason.contains("auth.authenticateDevice"), "{reason}");
    let source = source.as_deref().expect("the login's own error");
    assert_eq!(source.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(
        err.to_string(),
        "device.getState: could not log in: auth.authenticateDevice: the API answered \
         401 Unauthorized (Unauthorized): Invalid device credentials"
    );
    assert_no_secret("the error", &err.to_string());
    assert_no_secret("the error's Debug", &format!("{err:?}"));
    assert!(calls(&server).is_empty(), "nothing but the login was sent");
}

#[tokio::test]
async fn a_login_answer_without_a_token_is_an_error_that_does_not_quote_it() {
    let server = FaultServer::start(|_, _| {
        Reply::KeepAlive(support::json(200, &json!({"token": 42, "secret": SECRET})))
    })
    .await;
    let client = client_for(&server, device_login());

    let err = client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect_err("no token");

    assert!(matches!(err, Error::Login { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("`token` member is not a non-empty string"),
        "{err}"
    );
    assert_no_secret("the error", &format!("{err} {err:?}"));
}

#[tokio::test]
async fn the_new_token_s_scopes_are_checked_before_sending() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer(&device_token(
            1,
            &["device.getState"],
            epoch_in(3600),
        ))),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let client = client_for(&server, device_login());

    let err = client
        .device()
        .send_state(APP, DEVICE, state())
        .await
        .expect_err("the token may not send state");
    let Error::MissingScope {
        operation,
        token_scopes,
        ..
    } = &err
    else {
        panic!("expected a missing scope, got {err:?}");
    };
    assert_eq!(*operation, "device.sendState");
    assert_eq!(token_scopes, &["device.getState".to_owned()]);
    assert_eq!(calls(&server).len(), 0, "nothing sent");

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("allowed");
    assert_eq!(logins(&server).len(), 1);
}

#[tokio::test]
async fn requested_scopes_are_sent_and_checked_when_the_token_does_not_say() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer("opaque-token")),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let client = client_for(
        &server,
        device_login().requested_scopes(["device.getState"]),
    );

    let err = client
        .device()
        .send_state(APP, DEVICE, state())
        .await
        .expect_err("not allowed");
    assert!(matches!(err, Error::MissingScope { .. }), "{err:?}");

    let body: Value = serde_json::from_slice(&logins(&server)[0].body).expect("JSON");
    assert_eq!(body["requestedScopes"], json!(["device.getState"]));
}

#[tokio::test]
async fn debug_output_shows_no_secret_before_or_after_login() {
    let token = device_token(1, &["all.Device"], epoch_in(3600));
    let answer = token.clone();
    let server = FaultServer::start(move |request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer(&answer)),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let client = client_for(&server, device_login());
    let before = format!("{client:?}");
    assert!(before.contains(DEVICE), "the device id helps: {before}");
    assert_no_secret("the client's Debug", &before);

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("logged in");
    let after = format!("{client:?}");
    assert_no_secret("the client's Debug", &after);
    assert!(!after.contains(&token), "the token leaked: {after}");
    assert!(after.contains("<redacted>"), "{after}");

    let user = UserLogin::new("me@example.com", PASSWORD).two_factor_code(TWO_FACTOR);
    assert_no_secret("a user login's Debug", &format!("{user:?}"));
    let builder = Client::with_login(user);
    assert_no_secret("a builder's Debug", &format!("{builder:?}"));
}

#[tokio::test]
async fn a_fixed_token_is_sent_as_before_without_any_login() {
    let server = FaultServer::start(|_, _| Reply::KeepAlive(support::json(200, &json!([])))).await;
    let client = Client::builder("fixed-token")
        .base_url(server.url())
        .build()
        .expect("valid configuration");

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("the call succeeds");

    let received = server.received();
    assert_eq!(received.len(), 1, "no login");
    assert_eq!(
        received[0].header("authorization"),
        Some("Bearer fixed-token")
    );
}

// ---- Configuration from the environment -------------------------------------------------

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[tokio::test]
async fn from_env_logs_in_as_a_device_when_its_variables_are_set() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/device" => Reply::KeepAlive(login_answer("device-token")),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let url = server.url();
    let client = ClientBuilder::from_vars(vars(&[
        ("LOSANT_API_URL", &url),
        ("LOSANT_DEVICE_ID", DEVICE),
        ("LOSANT_DEVICE_KEY", KEY),
        ("LOSANT_DEVICE_SECRET", &format!("  {SECRET}\n")),
        ("LOSANT_EMAIL", ""),
    ]))
    .expect("configured")
    .build()
    .expect("valid");
    assert_no_secret("the client's Debug", &format!("{client:?}"));

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("the call succeeds");

    let login = &logins(&server)[0];
    assert_eq!(login.path(), "/auth/device");
    let body: Value = serde_json::from_slice(&login.body).expect("JSON");
    assert_eq!(
        body,
        json!({"deviceId": DEVICE, "key": KEY, "secret": SECRET})
    );
    assert_eq!(
        calls(&server)[0].header("authorization"),
        Some("Bearer device-token")
    );
}

#[tokio::test]
async fn from_env_logs_in_as_a_user_with_the_optional_two_factor_code() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/user" => Reply::KeepAlive(support::json(
            200,
            &json!({"userId": "u", "token": "user-token"}),
        )),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let url = server.url();
    let client = ClientBuilder::from_vars(vars(&[
        ("LOSANT_API_URL", &url),
        ("LOSANT_EMAIL", "me@example.com"),
        ("LOSANT_PASSWORD", PASSWORD),
        ("LOSANT_TWO_FACTOR_CODE", TWO_FACTOR),
    ]))
    .expect("configured")
    .build()
    .expect("valid");

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("the call succeeds");

    let body: Value = serde_json::from_slice(&logins(&server)[0].body).expect("JSON");
    assert_eq!(
        body,
        json!({"email": "me@example.com", "password": PASSWORD, "twoFactorCode": TWO_FACTOR})
    );
}

#[test]
fn from_env_prefers_the_token_and_names_what_is_missing() {
    let token_wins = ClientBuilder::from_vars(vars(&[
        ("LOSANT_API_TOKEN", "the-token"),
        ("LOSANT_DEVICE_ID", DEVICE),
    ]))
    .expect("configured");
    let text = format!("{token_wins:?}");
    assert!(text.contains("token_source: None"), "{text}");

    let partial = ClientBuilder::from_vars(vars(&[
        ("LOSANT_DEVICE_ID", DEVICE),
        ("LOSANT_DEVICE_SECRET", SECRET),
    ]))
    .expect_err("the key is missing")
    .to_string();
    assert_eq!(
        partial,
        "client configuration: LOSANT_DEVICE_ID and LOSANT_DEVICE_SECRET are set for a device \
         login, but LOSANT_DEVICE_KEY is not; set it too, or set LOSANT_API_TOKEN instead"
    );
    assert_no_secret("the error", &partial);

    let nothing = ClientBuilder::from_vars(vars(&[]))
        .expect_err("nothing set")
        .to_string();
    assert_eq!(
        nothing,
        "client configuration: the environment variable LOSANT_API_TOKEN is not set or empty; \
         set it to an API token, or LOSANT_DEVICE_ID, LOSANT_DEVICE_KEY, LOSANT_DEVICE_SECRET \
         to log in as a device, or LOSANT_EMAIL, LOSANT_PASSWORD to log in as a user"
    );
}

// ---- Renewal in time, and shared failures, with time under the test's control -------------

/// An in-process transport (no sockets, so tokio's paused clock moves only when told): answers
/// logins with opaque token `t<n>` and every other request with `[]`, or with `status`.
#[derive(Clone, Default)]
struct Counting {
    logins: Arc<AtomicUsize>,
    tokens_seen: Arc<Mutex<Vec<String>>>,
}

impl Transport for Counting {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let body = if request.url.path().starts_with("/auth/") {
                let n = self.logins.fetch_add(1, Ordering::SeqCst) + 1;
                json!({"token": format!("t{n}")})
            } else {
                let auth = request
                    .headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok());
                self.tokens_seen
                    .lock()
                    .expect("not poisoned")
                    .push(auth.unwrap_or("").to_owned());
                json!([])
            };
            Ok(HttpResponse::new(
                StatusCode::OK,
                HeaderMap::new(),
                body.to_string(),
            ))
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_is_renewed_a_minute_before_its_ttl_runs_out() {
    let transport = Counting::default();
    let client = Client::with_login(device_login().token_ttl(Duration::from_secs(600)))
        .transport(transport.clone())
        .build()
        .expect("valid");
    let call = || client.device().get_state(APP, DEVICE);

    call().await.expect("first call");
    tokio::time::advance(Duration::from_secs(530)).await;
    call().await.expect("still the first token");
    assert_eq!(transport.logins.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(15)).await; // 545 s: within the last minute
    call().await.expect("a new token");
    assert_eq!(transport.logins.load(Ordering::SeqCst), 2);
    assert_eq!(
        *transport.tokens_seen.lock().expect("not poisoned"),
        ["Bearer t1", "Bearer t1", "Bearer t2"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_jwt_is_renewed_before_its_exp() {
    #[derive(Debug)]
    struct Jwt(Arc<AtomicUsize>);
    impl Login for Jwt {
        fn login<'a>(&'a self, _client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move { Token::new(device_token(n, &["all.Device"], epoch_in(3600))) })
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    let client = ClientBuilder::for_api(Client::new("").api_info(), "")
        .login(Jwt(count.clone()))
        .transport(Counting::default())
        .build()
        .expect("valid");

    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("first call");
    tokio::time::advance(Duration::from_secs(3500)).await;
    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("same token");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(50)).await; // 3550 s of 3600: renew
    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("new token");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn calls_waiting_for_a_failing_login_share_its_error() {
    #[derive(Debug)]
    struct Slow {
        attempts: Arc<AtomicUsize>,
        release: Arc<tokio::sync::Notify>,
    }
    impl Login for Slow {
        fn login<'a>(&'a self, _client: &'a Client) -> BoxFuture<'a, Result<Token, Error>> {
            Box::pin(async move {
                self.attempts.fetch_add(1, Ordering::SeqCst);
                self.release.notified().await;
                Err(Error::Config("the identity provider is down".to_owned()))
            })
        }
    }
    let attempts = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(tokio::sync::Notify::new());
    let client = ClientBuilder::for_api(Client::new("").api_info(), "")
        .token_source(LoginSession::new(Slow {
            attempts: attempts.clone(),
            release: release.clone(),
        }))
        .transport(Counting::default())
        .build()
        .expect("valid");

    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.device().get_state(APP, DEVICE).await })
        })
        .collect();
    // Let every call reach the login (the clock is paused: this only lets the tasks run).
    tokio::time::sleep(Duration::from_millis(10)).await;
    release.notify_one();
    for task in tasks {
        let err = task
            .await
            .expect("the task ran")
            .expect_err("the login failed");
        assert!(
            err.to_string()
                .ends_with("could not log in: client configuration: the identity provider is down"),
            "{err}"
        );
    }
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        1,
        "one login for the five calls"
    );
}
