//! Retries: which failures are retried, how often, and how long the client waits.

use std::time::{Duration, Instant};

use losant::runtime::{Method, Request};
use losant::{Client, Error, Operation, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET: Operation = Operation {
    id: "things.get",
    resource: "things",
    action: "get",
    method: Method::Get,
    path: "/things",
    summary: "",
    scopes: &[],
};

static POST: Operation = Operation {
    id: "things.post",
    resource: "things",
    action: "post",
    method: Method::Post,
    path: "/things",
    summary: "",
    scopes: &[],
};

/// Up to `retries` quick retries without jitter.
fn client(server: &MockServer, retries: u32) -> Client {
    let policy = RetryPolicy::default()
        .max_retries(retries)
        .initial_backoff(Duration::from_millis(5))
        .jitter(false);
    Client::builder("token")
        .base_url(server.uri())
        .retry(policy)
        .build()
        .expect("valid configuration")
}

/// Answers `failure` `times` times, then 200 `{"ok": true}`.
async fn fail_then_succeed(server: &MockServer, failure: ResponseTemplate, times: u64) {
    Mock::given(any())
        .respond_with(failure)
        .up_to_n_times(times)
        .with_priority(1)
        .expect(times)
        .mount(server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .with_priority(2)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.expect("recording").len()
}

#[tokio::test]
async fn get_is_retried_after_503_until_it_succeeds() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, ResponseTemplate::new(503), 2).await;

    let answer: Value = client(&server, 3)
        .execute(Request::new(&GET))
        .await
        .expect("third attempt succeeds");
    assert_eq!(answer, json!({"ok": true}));
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn post_is_never_retried() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, ResponseTemplate::new(503), 1).await;

    let mut request = Request::new(&POST);
    request.json_body(&json!({"name": "n"}));
    let err = client(&server, 3)
        .execute::<Value>(request)
        .await
        .expect_err("not retried");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(
        err.is_retryable(),
        "retryable in itself, but POST is not idempotent"
    );
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    let busy = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    fail_then_succeed(&server, busy, 1).await;

    let started = Instant::now();
    let _: Value = client(&server, 3)
        .execute(Request::new(&GET))
        .await
        .expect("second attempt succeeds");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let server = MockServer::start().await;
    let busy = ResponseTemplate::new(429).insert_header("Retry-After", "3600");
    fail_then_succeed(&server, busy, 1).await;

    let started = Instant::now();
    let err = client(&server, 3)
        .execute::<Value>(Request::new(&GET))
        .await
        .expect_err("not retried");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn exhausted_retries_return_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(502).set_body_json(json!({"message": "bad gateway"})))
        .expect(3)
        .mount(&server)
        .await;

    let err = client(&server, 2)
        .execute::<Value>(Request::new(&GET))
        .await
        .expect_err("always 502");
    let Error::Api(api) = &err else {
        panic!("not an API error: {err:?}")
    };
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.message.as_deref(), Some("bad gateway"));
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn other_client_errors_are_not_retried() {
    let server = MockServer::start().await;
    fail_then_succeed(&server, ResponseTemplate::new(400), 1).await;

    let err = client(&server, 3)
        .execute::<Value>(Request::new(&GET))
        .await
        .expect_err("400");
    assert!(!err.is_retryable());
    assert_eq!(requests(&server).await, 1);
}
