//! The retry matrix over real HTTP: each transient failure is retried exactly as many times as
//! the policy says for the actions it is safe for, and never for the others; the default
//! policy makes the documented number of attempts.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use losant::runtime::{AttemptOutcome, Hook, Method, Operation, Request};
use losant::{Client, Error, RetryPolicy};
use serde_json::{Value, json};
use support::{FaultServer, Reply, json as json_reply, response};

fn operation(method: Method, idempotent: bool) -> &'static Operation {
    Box::leak(Box::new(Operation {
        id: "things.act",
        resource: "things",
        action: "act",
        method,
        path: "/things",
        summary: "",
        scopes: &[],
        idempotent,
    }))
}

/// Counts attempts, whatever reached a server.
#[derive(Default, Clone)]
struct Attempts(Arc<AtomicU32>);

impl Hook for Attempts {
    fn after_attempt(&self, _: &AttemptOutcome<'_>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Attempts {
    fn get(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A client of `base` with `policy` (quick waits) and an attempt counter. Its attempts time
/// out after 10 s, which only a hang reaches, so that a slow answer on a busy machine is not
/// taken for a timeout.
fn client(base: &str, policy: RetryPolicy) -> (Client, Attempts) {
    client_timing_out_after(base, policy, Duration::from_secs(10))
}

/// Like [`client`], with attempts that time out after `timeout`.
fn client_timing_out_after(
    base: &str,
    policy: RetryPolicy,
    timeout: Duration,
) -> (Client, Attempts) {
    let attempts = Attempts::default();
    let client = Client::builder("tok")
        .base_url(base)
        .retry(
            policy
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .timeout(timeout)
        .hook(attempts.clone())
        .build()
        .expect("valid configuration");
    (client, attempts)
}

/// A transient failure and how a server (or no server) produces it.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Status(u16),
    Refused,
    Timeout,
}

const FAULTS: [Fault; 6] = [
    Fault::Status(429),
    Fault::Status(502),
    Fault::Status(503),
    Fault::Status(504),
    Fault::Refused,
    Fault::Timeout,
];

/// Whether `fault` may be retried for a non-idempotent request: only when nothing reached the
/// server or it rejected the request unprocessed.
fn safe_for_writes(fault: Fault) -> bool {
    matches!(fault, Fault::Status(429) | Fault::Refused)
}

/// A base URL where every request meets `fault`, and the server behind it (if any).
async fn faulty(fault: Fault) -> (String, Option<FaultServer>) {
    match fault {
        Fault::Status(status) => {
            let server = FaultServer::start(move |_, _| {
                Reply::Close(json_reply(status, &json!({"type": "Transient"})))
            })
            .await;
            (server.url(), Some(server))
        }
        Fault::Timeout => {
            let server = FaultServer::start(|_, _| Reply::Hang(Vec::new())).await;
            (server.url(), Some(server))
        }
        Fault::Refused => {
            // A port that was just free: nothing listens there.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let port = listener.local_addr().expect("address").port();
            drop(listener);
            (format!("http://127.0.0.1:{port}"), None)
        }
    }
}

async fn call(client: &Client, op: &'static Operation) -> Result<Value, Error> {
    let mut request = Request::new(op);
    if op.method != Method::Get {
        request.json_body(&json!({}));
    }
    tokio::time::timeout(Duration::from_secs(60), client.execute(request))
        .await
        .expect("the call hung")
}

#[tokio::test]
async fn each_transient_failure_is_retried_exactly_as_configured_where_safe() {
    for fault in FAULTS {
        for (method, idempotent) in [
            (Method::Get, true),
            (Method::Delete, true),
            (Method::Post, true),
            (Method::Post, false),
            (Method::Patch, false),
        ] {
            let (base, server) = faulty(fault).await;
            // Only the silent server needs a short attempt timeout; it never answers.
            let timeout = match fault {
                Fault::Timeout => Duration::from_millis(300),
                _ => Duration::from_secs(10),
            };
            let (client, attempts) =
                client_timing_out_after(&base, RetryPolicy::default().max_retries(2), timeout);
            let error = call(&client, operation(method, idempotent))
                .await
                .expect_err("always failing");
            let expected = if idempotent || safe_for_writes(fault) {
                3
            } else {
                1
            };
            assert_eq!(
                attempts.get(),
                expected,
                "{fault:?} on {method} (idempotent: {idempotent}): {error}"
            );
            if let Some(server) = server {
                assert_eq!(server.count() as u32, expected, "{fault:?} on {method}");
            }
            assert!(error.is_retryable(), "{fault:?}: {error:?}");
        }
    }
}

#[tokio::test]
async fn the_default_policy_makes_four_attempts() {
    for fault in [Fault::Status(503), Fault::Refused] {
        let (base, _server) = faulty(fault).await;
        let attempts = Attempts::default();
        let client = Client::builder("tok")
            .base_url(&base)
            .hook(attempts.clone())
            .build()
            .expect("valid");
        // The default backoff (200 ms doubling, jittered) is waited for real: about 1.4 s.
        let error = call(&client, operation(Method::Get, true))
            .await
            .expect_err("failing");
        assert_eq!(attempts.get(), 4, "{fault:?}: {error}");
    }
    assert_eq!(RetryPolicy::default().retries(), 3);
}

#[tokio::test]
async fn a_failure_that_passes_is_retried_until_it_does() {
    let server = FaultServer::start(|_, n| {
        if n < 2 {
            Reply::Close(json_reply(503, &json!({})))
        } else {
            Reply::Close(json_reply(200, &json!({"ok": true})))
        }
    })
    .await;
    let (client, attempts) = client(&server.url(), RetryPolicy::default());
    let value = call(&client, operation(Method::Get, true))
        .await
        .expect("third time");
    assert_eq!(value, json!({"ok": true}));
    assert_eq!(attempts.get(), 3);
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400u16, 401, 403, 404, 409, 500] {
        let server =
            FaultServer::start(move |_, _| Reply::Close(json_reply(status, &json!({})))).await;
        let (client, attempts) = client(&server.url(), RetryPolicy::default());
        let error = call(&client, operation(Method::Get, true))
            .await
            .expect_err("error");
        assert_eq!(attempts.get(), 1, "{status}");
        assert!(!error.is_retryable(), "{status}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn retry_after_is_waited_for_and_one_beyond_the_cap_is_not() {
    let server = FaultServer::start(|_, n| {
        if n == 0 {
            Reply::Close(response(503, &[("retry-after", "1")], b""))
        } else {
            Reply::Close(json_reply(200, &json!({})))
        }
    })
    .await;
    let (waiting, attempts) = client(&server.url(), RetryPolicy::default());
    let started = std::time::Instant::now();
    call(&waiting, operation(Method::Get, true))
        .await
        .expect("after the wait");
    assert_eq!(attempts.get(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the server's second was waited for"
    );

    let server =
        FaultServer::start(|_, _| Reply::Close(response(503, &[("retry-after", "120")], b"")))
            .await;
    let (client, attempts) = client(&server.url(), RetryPolicy::default());
    let error = call(&client, operation(Method::Get, true))
        .await
        .expect_err("not waited for");
    assert_eq!(attempts.get(), 1);
    assert!(
        matches!(error, Error::Api(ref api) if api.retry_after() == Some(Duration::from_secs(120)))
    );
}

#[tokio::test]
async fn a_call_can_override_the_clients_policy() {
    let server = FaultServer::start(|_, _| Reply::Close(json_reply(503, &json!({})))).await;
    let (client, attempts) = client(&server.url(), RetryPolicy::default().max_retries(5));
    let mut request = Request::new(operation(Method::Get, true));
    request.query("x", "1");
    let mut options = losant::CallOptions::default();
    options.set_retry(RetryPolicy::none());
    let error = client
        .execute_raw(request, &options)
        .await
        .expect_err("503");
    assert_eq!(attempts.get(), 1, "{error}");
}
