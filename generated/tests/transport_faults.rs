//! The client against a hostile network, with faults injected at the byte level by a raw TCP
//! server (`support::FaultServer`): redirects, bodies that break off, throttling, outages,
//! silence, huge bodies. No assertion depends on how fast the machine is: time bounds here
//! only catch hangs.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use losant::runtime::{Method, Operation, Request};
use losant::{Client, Error, RetryBudget, RetryPolicy, TimeoutKind};
use serde_json::{Value, json};
use support::{FaultServer, Reply, json as json_reply, response};

/// An operation of `method`, idempotent as `idempotent` says, at `/things`.
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

fn request(op: &'static Operation) -> Request {
    let mut request = Request::new(op);
    if matches!(op.method, Method::Post | Method::Put | Method::Patch) {
        request.json_body(&json!({"state": 1}));
    }
    request
}

/// A client of `server` retrying up to `retries` times after 1 ms.
fn client(server: &FaultServer, retries: u32) -> Client {
    Client::builder("tok-faults")
        .base_url(server.url())
        .retry(
            RetryPolicy::default()
                .max_retries(retries)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .expect("valid configuration")
}

/// Only catches hangs: every call here ends in well under a second on a quiet machine.
async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("the call hung")
}

const METHODS: [Method; 5] = [
    Method::Get,
    Method::Post,
    Method::Put,
    Method::Patch,
    Method::Delete,
];

#[tokio::test]
async fn redirects_are_never_followed_whatever_the_method_status_or_host() {
    let elsewhere =
        FaultServer::start(|_, _| Reply::Close(json_reply(200, &json!({"success": true})))).await;
    let other_host = format!("{}/things", elsewhere.url());
    for status in [301u16, 302, 303, 307, 308] {
        for location in ["/things/moved".to_owned(), other_host.clone()] {
            let location_header = location.clone();
            let server = FaultServer::start(move |_, _| {
                Reply::Close(response(status, &[("location", &location_header)], b""))
            })
            .await;
            for method in METHODS {
                let before = server.count();
                let result =
                    bounded(client(&server, 3).execute::<Value>(request(operation(method, true))))
                        .await;
                match result {
                    Err(Error::Redirect {
                        status: got,
                        location: Some(got_location),
                        ..
                    }) => {
                        assert_eq!(got.as_u16(), status);
                        assert_eq!(got_location, location);
                    }
                    other => panic!("{status} to {location} on {method}: {other:?}"),
                }
                assert_eq!(server.count() - before, 1, "one request, not retried");
                let message = format!("{}", result_error(status, &location));
                assert!(message.contains(&status.to_string()));
            }
        }
    }
    assert_eq!(elsewhere.count(), 0, "nothing reached the other host");
}

fn result_error(status: u16, location: &str) -> Error {
    Error::Redirect {
        operation: "things.act",
        status: reqwest::StatusCode::from_u16(status).expect("valid"),
        location: Some(location.to_owned()),
    }
}

#[tokio::test]
async fn a_write_answered_with_a_redirect_is_an_error_not_a_read() {
    // `device.sendState` answered `301` used to be followed as a GET whose answer decoded as
    // `Success { success: None }`: the state was never sent, and the call said Ok.
    let server = FaultServer::start(|_, _| {
        Reply::Close(response(
            301,
            &[("location", "/applications/A/devices/D")],
            b"",
        ))
    })
    .await;
    let state: losant::models::DeviceStateOrStates =
        serde_json::from_value(json!({"data": {"temperature": 21}})).expect("a state");
    let result = bounded(
        client(&server, 3)
            .device()
            .send_state(
                "575ec8687ae143cd83dc4a97",
                "575ecf887ae143cd83dc4aa2",
                state,
            )
            .send(),
    )
    .await;
    let error = result.expect_err("a redirect");
    assert!(matches!(error, Error::Redirect { .. }), "{error:?}");
    assert!(
        error.to_string().contains("301")
            && error.to_string().contains("/applications/A/devices/D"),
        "{error}"
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "POST");
}

#[tokio::test]
async fn an_http_client_that_follows_redirects_anyway_makes_the_call_fail() {
    let target =
        FaultServer::start(|_, _| Reply::Close(json_reply(200, &json!({"from": "elsewhere"}))))
            .await;
    let location = format!("{}/things", target.url());
    let server = FaultServer::start(move |_, _| {
        Reply::Close(response(307, &[("location", &location)], b""))
    })
    .await;
    let following = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .expect("a reqwest client");
    let client = Client::builder("tok")
        .base_url(server.url())
        .http_client(following)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = bounded(client.execute::<Value>(request(operation(Method::Post, false))))
        .await
        .expect_err("the other host's answer is not returned as Ok");
    assert!(error.to_string().contains("followed a redirect"), "{error}");
}

#[tokio::test]
async fn a_body_cut_short_or_reset_is_retried_for_idempotent_actions() {
    for reset in [false, true] {
        let server = FaultServer::start(move |_, n| {
            let mut bytes = response(200, &[("content-type", "application/json")], &[b' '; 100]);
            bytes.truncate(bytes.len() - 50);
            if n < 2 {
                if reset {
                    Reply::Reset(bytes)
                } else {
                    Reply::Close(bytes)
                }
            } else {
                Reply::Close(json_reply(200, &json!({"ok": true})))
            }
        })
        .await;
        let value: Value =
            bounded(client(&server, 3).execute(request(operation(Method::Get, true))))
                .await
                .unwrap_or_else(|err| panic!("reset={reset}: {err}"));
        assert_eq!(value, json!({"ok": true}));
        assert_eq!(server.count(), 3, "two broken answers, then the good one");
    }
}

#[tokio::test]
async fn a_body_cut_short_is_not_retried_for_a_write_and_says_what_happened() {
    let server = FaultServer::start(|_, _| {
        let mut bytes = response(200, &[], &[b'x'; 100]);
        bytes.truncate(bytes.len() - 50);
        Reply::Close(bytes)
    })
    .await;
    let error =
        bounded(client(&server, 3).execute::<Value>(request(operation(Method::Post, false))))
            .await
            .expect_err("cut short");
    assert_eq!(server.count(), 1);
    match &error {
        Error::Transport {
            source, attempts, ..
        } => {
            assert_eq!(source.kind(), losant::runtime::TransportErrorKind::Body);
            assert_eq!(*attempts, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("broke off"), "{error}");
}

#[tokio::test]
async fn throttling_is_retried_for_every_method_and_5xx_only_for_idempotent_ones() {
    for method in METHODS {
        for (status, retried_for_writes) in
            [(429u16, true), (502, false), (503, false), (504, false)]
        {
            let server = FaultServer::start(move |_, n| {
                if n == 0 {
                    Reply::Close(json_reply(
                        status,
                        &json!({"type": "Busy", "message": "later"}),
                    ))
                } else {
                    Reply::Close(json_reply(200, &json!({})))
                }
            })
            .await;
            let idempotent = !matches!(method, Method::Post | Method::Patch);
            let result = bounded(
                client(&server, 3).execute::<Value>(request(operation(method, idempotent))),
            )
            .await;
            let retried = idempotent || retried_for_writes;
            assert_eq!(result.is_ok(), retried, "{status} on {method}");
            assert_eq!(
                server.count(),
                if retried { 2 } else { 1 },
                "{status} on {method}"
            );
        }
    }
    // A POST the spec marks as only reading (a query) is retried like a GET.
    let server = FaultServer::start(|_, n| {
        Reply::Close(json_reply(if n == 0 { 503 } else { 200 }, &json!({})))
    })
    .await;
    let result =
        bounded(client(&server, 3).execute::<Value>(request(operation(Method::Post, true)))).await;
    assert!(result.is_ok());
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn errors_carry_the_headers_and_the_number_of_attempts() {
    let server = FaultServer::start(|_, _| {
        Reply::Close(response(
            503,
            &[
                ("retry-after", "0"),
                ("x-request-id", "req-77"),
                ("content-type", "application/json"),
            ],
            br#"{"type":"Unavailable","message":"down for maintenance"}"#,
        ))
    })
    .await;
    let error = bounded(client(&server, 2).execute::<Value>(request(operation(Method::Get, true))))
        .await
        .expect_err("always 503");
    let Error::Api(api) = error else {
        panic!("an API error");
    };
    assert_eq!(api.status.as_u16(), 503);
    assert_eq!(api.attempts, 3);
    assert_eq!(api.retry_after(), Some(Duration::ZERO));
    assert_eq!(api.request_id(), Some("req-77"));
    assert_eq!(api.error_type.as_deref(), Some("Unavailable"));
    assert_eq!(api.message.as_deref(), Some("down for maintenance"));
    assert!(api.to_string().contains("after 3 attempts"), "{api}");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn retry_after_in_every_http_date_form_is_honoured() {
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        // A date in the past: retry at once (a wait would show as a timeout of the deadline).
        let server = FaultServer::start(move |_, n| {
            if n == 0 {
                Reply::Close(response(503, &[("retry-after", date)], b""))
            } else {
                Reply::Close(json_reply(200, &json!({})))
            }
        })
        .await;
        let client = Client::builder("t")
            .base_url(server.url())
            .deadline(Duration::from_secs(30))
            .build()
            .expect("valid");
        let result = bounded(client.execute::<Value>(request(operation(Method::Get, true)))).await;
        assert!(result.is_ok(), "{date}: {result:?}");
        assert_eq!(server.count(), 2, "{date}");
    }
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_fails_at_once_instead_of_waiting() {
    let server =
        FaultServer::start(|_, _| Reply::Close(response(503, &[("retry-after", "30")], b""))).await;
    let client = Client::builder("t")
        .base_url(server.url())
        .deadline(Duration::from_secs(5))
        .build()
        .expect("valid");
    let started = std::time::Instant::now();
    let error = bounded(client.execute::<Value>(request(operation(Method::Get, true))))
        .await
        .expect_err("503");
    assert!(
        matches!(error, Error::Api(ref api) if api.attempts == 1),
        "{error:?}"
    );
    assert_eq!(server.count(), 1);
    // It did not sleep the 30 s (a generous bound: only a wait that long would break it).
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[tokio::test]
async fn the_deadline_bounds_every_attempt_and_wait_together() {
    // The server never answers: each attempt times out, and the deadline ends the call.
    let server = FaultServer::start(|_, _| Reply::Hang(Vec::new())).await;
    let client = Client::builder("t")
        .base_url(server.url())
        .timeout(Duration::from_millis(300))
        .deadline(Duration::from_millis(1000))
        .retry(
            RetryPolicy::default()
                .max_retries(100)
                .initial_backoff(Duration::from_millis(1)),
        )
        .retry_budget(RetryBudget::unlimited())
        .build()
        .expect("valid");
    let error = bounded(client.execute::<Value>(request(operation(Method::Get, true))))
        .await
        .expect_err("silent server");
    match error {
        Error::Timeout {
            kind: TimeoutKind::Deadline,
            after,
            attempts,
            ..
        } => {
            assert_eq!(after, Duration::from_millis(1000));
            assert!((2..=5).contains(&attempts), "{attempts} attempts");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_outage_costs_at_most_a_fifth_more_requests_than_calls() {
    let server =
        FaultServer::start(|_, _| Reply::Close(json_reply(503, &json!({"type": "Down"})))).await;
    let client = client(&server, 3);
    let calls = 1000;
    let failures = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let (client, failures) = (client.clone(), failures.clone());
            tokio::spawn(async move {
                if client
                    .execute::<Value>(request(operation(Method::Get, true)))
                    .await
                    .is_err()
                {
                    failures.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    bounded(async {
        for task in tasks {
            task.await.expect("no panic");
        }
    })
    .await;
    assert_eq!(failures.load(Ordering::SeqCst), calls);
    let requests = server.count();
    assert!(
        requests <= calls * 12 / 10,
        "{requests} requests for {calls} calls (without a budget: {})",
        calls * 4
    );
    assert!(requests > calls, "some retries are still made: {requests}");
    assert_eq!(client.retry_budget().available(), Some(0));
}

#[tokio::test]
async fn a_huge_error_body_is_kept_only_in_part() {
    let body = format!(
        "{{\"type\":\"Huge\",\"message\":\"big\",\"pad\":\"{}\"}}",
        "x".repeat(20 * 1024 * 1024)
    );
    let len = body.len() as u64;
    let bytes = Arc::new(response(
        500,
        &[("content-type", "application/json")],
        body.as_bytes(),
    ));
    let server = FaultServer::start(move |_, _| Reply::Close(bytes.to_vec())).await;
    let error = bounded(client(&server, 0).execute::<Value>(request(operation(Method::Get, true))))
        .await
        .expect_err("500");
    let Error::Api(api) = error else {
        panic!("an API error")
    };
    assert_eq!(api.body.len(), 64 * 1024, "the kept part");
    assert_eq!(api.body_len, len, "the real length");
    assert!(api.body_truncated());
    assert_eq!(
        api.error_type.as_deref(),
        Some("Huge"),
        "read from the kept part"
    );
    assert_eq!(api.message.as_deref(), Some("big"));
}

#[tokio::test]
async fn a_response_over_the_size_limit_fails_clearly() {
    let server = FaultServer::start(|_, _| {
        Reply::Close(json_reply(200, &json!({"items": vec!["x"; 10_000]})))
    })
    .await;
    let client = Client::builder("t")
        .base_url(server.url())
        .max_response_bytes(1000)
        .build()
        .expect("valid");
    let error = bounded(client.execute::<Value>(request(operation(Method::Get, true))))
        .await
        .expect_err("too large");
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 1000, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("larger than the limit of 1000 bytes")
    );
}

#[tokio::test]
async fn an_empty_body_where_one_is_promised_is_a_success_that_says_so() {
    // `serde_json::Value` accepts `null`: an empty body decodes as it.
    let server = FaultServer::start(|_, _| Reply::Close(response(204, &[], b""))).await;
    let value: Value =
        bounded(client(&server, 0).execute(request(operation(Method::Delete, true))))
            .await
            .expect("an empty body is null");
    assert_eq!(value, Value::Null);
    #[derive(Debug, serde::Deserialize)]
    struct Thing {
        #[allow(dead_code)]
        id: String,
    }
    let error =
        bounded(client(&server, 0).execute::<Thing>(request(operation(Method::Delete, true))))
            .await
            .expect_err("no body to decode");
    assert!(matches!(error, Error::EmptyBody { .. }), "{error:?}");
    assert!(error.succeeded());
    assert!(error.to_string().contains("the call succeeded"), "{error}");
}

#[tokio::test]
async fn a_token_that_cannot_be_sent_is_refused_with_the_truth() {
    for token in ["sec\nret", "tökén", "two words"] {
        let error = Client::builder(token).build().expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("cannot be sent in an HTTP header"), "{text}");
        assert!(!text.contains(token), "the token is not shown: {text}");
    }
}

#[tokio::test]
async fn bodiless_writes_send_a_zero_content_length() {
    let server = FaultServer::start(|_, _| Reply::Close(json_reply(200, &json!({})))).await;
    for method in [Method::Post, Method::Put, Method::Patch] {
        let _: Value = bounded(client(&server, 0).execute(Request::new(operation(method, true))))
            .await
            .expect("ok");
    }
    let _: Value = bounded(client(&server, 0).execute(Request::new(operation(Method::Get, true))))
        .await
        .expect("ok");
    let received = server.received();
    for recorded in &received[..3] {
        assert_eq!(
            recorded.header("content-length"),
            Some("0"),
            "{}",
            recorded.method
        );
    }
    assert_eq!(
        received[3].header("content-length"),
        None,
        "a GET has no body to announce"
    );
}

const TLS_CA: &[u8] = include_bytes!("fixtures/tls/ca.cert.pem");
const TLS_CERT: &[u8] = include_bytes!("fixtures/tls/localhost.cert.pem");
const TLS_KEY: &[u8] = include_bytes!("fixtures/tls/localhost.key.pem");

/// An HTTPS server on loopback (with the test certificate) answering every request with
/// `answer`; returns its port and a count of the requests it read.
async fn tls_server(answer: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(TLS_CERT)
        .collect::<Result<_, _>>()
        .expect("the test certificate");
    let key = PrivateKeyDer::from_pem_slice(TLS_KEY).expect("the test key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (acceptor, answer, seen) = (acceptor.clone(), answer.clone(), seen.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if tls.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, count)
}

#[tokio::test]
async fn a_redirect_from_https_to_plain_http_is_not_followed() {
    let plain =
        FaultServer::start(|_, _| Reply::Close(json_reply(200, &json!({"trusted": false})))).await;
    let location = format!("{}/things", plain.url());
    let (port, https_requests) = tls_server(response(301, &[("location", &location)], b"")).await;
    // Only this client trusts the test certificate. It is built by reqwest itself, as an
    // application giving its own client with extra roots would: under the default `rustls`
    // feature reqwest has no crypto provider of its own, so the test installs one
    // process-wide, as such an application must (a no-op if one is already installed).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(TLS_CA).expect("PEM"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    let client = Client::builder("tok-https")
        .base_url(format!("https://localhost:{port}"))
        .http_client(trusting)
        .build()
        .expect("valid");
    let error = bounded(client.execute::<Value>(request(operation(Method::Get, true))))
        .await
        .expect_err("a redirect");
    match &error {
        Error::Redirect {
            status,
            location: Some(to),
            ..
        } => {
            assert_eq!(status.as_u16(), 301);
            assert_eq!(*to, location);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(https_requests.load(Ordering::SeqCst), 1);
    assert_eq!(
        plain.count(),
        0,
        "nothing, the token least of all, went over plain http"
    );
}
