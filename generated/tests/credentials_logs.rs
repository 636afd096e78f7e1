//! What a client that logs in writes to its logs (the `tracing` feature): through a login, a
//! token refused mid-way and renewed, and a failed login, no key, secret or token appears in
//! any span field or event. In a test binary of its own: a `tracing` subscriber set for one
//! thread sees every callsite only if no other test registers them meanwhile.
#![cfg(feature = "tracing")]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use losant::{Client, DeviceLogin, Error, RetryPolicy};
use serde_json::{Value, json};
use support::{FaultServer, Reply};

const APP: &str = "575ec8687ae143cd83dc4a97";
const DEVICE: &str = "575ecf887ae143cd83dc4aa2";
const KEY: &str = "key-7c1d-access";
const SECRET: &str = "secret-e41b-do-not-print";

/// A device token numbered `n`, an unsigned JWT that expires in an hour.
fn device_token(n: usize) -> String {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 3600;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let claims = json!({"sub": DEVICE, "n": n, "scope": ["all.Device"], "exp": exp});
    format!(
        "{}.{}.signature",
        b64(&json!({"alg": "HS256"})),
        b64(&claims)
    )
}

fn login_answer(token: &str) -> Vec<u8> {
    support::json(
        200,
        &json!({"applicationId": APP, "deviceId": DEVICE, "deviceClass": "standalone", "token": token}),
    )
}

fn client_for(server: &FaultServer) -> Client {
    Client::with_login(DeviceLogin::new(DEVICE, KEY, SECRET))
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

/// Every span field and event the runtime logs (with the `tracing` feature), as text.
#[derive(Clone, Default)]
struct Captured {
    text: Arc<Mutex<String>>,
    next_id: Arc<AtomicUsize>,
}

impl Captured {
    fn push(&self, values: impl FnOnce(&mut dyn tracing::field::Visit)) {
        struct Writer<'a>(&'a mut String);
        impl tracing::field::Visit for Writer<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut text = self.text.lock().expect("not poisoned");
        values(&mut Writer(&mut text));
        text.push('\n');
    }
}

impl tracing::Subscriber for Captured {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.push(|visit| span.record(visit));
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        self.push(|visit| values.record(visit));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        self.push(|visit| event.record(visit));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn logs_show_no_secret_nor_token_through_login_renewal_and_a_failed_login() {
    let first = device_token(1);
    let second = device_token(2);
    let (answer_first, answer_second) = (first.clone(), second.clone());
    let refuse = format!("Bearer {first}");
    let issued = AtomicUsize::new(0);
    let server = FaultServer::start(move |request, _| match request.path() {
        "/auth/device" => match issued.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::KeepAlive(login_answer(&answer_first)),
            1 => Reply::KeepAlive(login_answer(&answer_second)),
            _ => Reply::KeepAlive(support::json(
                401,
                &json!({"type": "Unauthorized", "message": "Invalid device credentials"}),
            )),
        },
        _ if request.header("authorization") == Some(refuse.as_str()) => Reply::KeepAlive(
            support::json(401, &json!({"type": "Unauthorized", "message": "Expired"})),
        ),
        _ => Reply::KeepAlive(support::json(200, &json!([]))),
    })
    .await;
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(captured.clone());

    // Logs in, is refused, logs in again, succeeds.
    let client = client_for(&server);
    client
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect("the call succeeds with the second token");
    // A new client whose login fails (the server refuses every later login).
    let failing = client_for(&server);
    let err = failing
        .device()
        .get_state(APP, DEVICE)
        .await
        .expect_err("the login fails");
    assert!(matches!(err, Error::Login { .. }), "{err:?}");

    let logs = captured.text.lock().expect("not poisoned").clone();
    assert!(
        logs.contains("auth.authenticateDevice") && logs.contains("refused the token"),
        "the capture sees the logins and the renewal: {logs}"
    );
    assert!(logs.contains("Invalid device credentials"), "{logs}");
    for secret in [KEY, SECRET] {
        assert!(!logs.contains(secret), "a secret was logged: {logs}");
    }
    for token in [&first, &second] {
        assert!(!logs.contains(token.as_str()), "a token was logged: {logs}");
    }
}
