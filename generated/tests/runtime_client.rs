//! The runtime's client against a local mock server: what goes on the wire, how answers and
//! failures are reported, and that the token never leaks.

use std::fmt::Debug;
use std::time::Duration;

use base64::Engine as _;
use losant::runtime::{Method, Request};
use losant::{Client, Error, Operation, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-3f9a-very-secret";

static GET: Operation = Operation {
    id: "things.get",
    resource: "things",
    action: "get",
    method: Method::Get,
    path: "/things/{thingId}",
    summary: "Returns a thing",
    scopes: &["all.User", "things.get"],
    idempotent: true,
};

static POST: Operation = Operation {
    id: "things.post",
    resource: "things",
    action: "post",
    method: Method::Post,
    path: "/things",
    summary: "Creates a thing",
    scopes: &["all.User", "things.post"],
    idempotent: false,
};

fn client(server: &MockServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

fn get(id: &str) -> Request {
    let mut request = Request::new(&GET);
    request.path_param("thingId", id);
    request
}

/// The token must appear in no error message and no debug output.
fn assert_no_token(value: &(impl std::fmt::Display + Debug)) {
    for text in [value.to_string(), format!("{value:?}")] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
}

fn jwt(claims: Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.c2ln", b64(&json!({"alg": "HS256"})), b64(&claims))
}

#[tokio::test]
async fn sends_auth_accept_api_and_request_headers_and_json_only_with_a_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let (version_header, version) = client.api_info().headers[0];
    Mock::given(method("GET"))
        .and(path("/things/abc"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .and(header(version_header, version))
        .and(header("losantdomain", "example.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "abc"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/things"))
        .and(header("content-type", "application/json"))
        .and(header(version_header, "^9"))
        .and(body_json(json!({"name": "n"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "new"})))
        .expect(1)
        .mount(&server)
        .await;

    let mut request = get("abc");
    request.header("losantdomain", "example.com");
    let thing: Value = client.execute(request).await.expect("200");
    assert_eq!(thing, json!({"id": "abc"}));

    let mut request = Request::new(&POST);
    request.json_body(&json!({"name": "n"}));
    request.header(version_header, "^9"); // a request's header replaces the API's
    let thing: Value = client.execute(request).await.expect("201");
    assert_eq!(thing, json!({"id": "new"}));

    let received = server.received_requests().await.expect("recording");
    let ua = received[0].headers["user-agent"].to_str().expect("ascii");
    assert!(ua.starts_with("losant-rs/"), "{ua}");
    assert!(!received[0].headers.contains_key("content-type"));
    assert_eq!(
        received[1].headers.get_all(version_header).iter().count(),
        1
    );
}

#[tokio::test]
async fn path_params_are_one_encoded_segment_and_dot_segments_are_refused() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = client(&server);

    for id in ["../x", "a/b", "?#% é", "..."] {
        let _: Value = client.execute(get(id)).await.expect("sent");
    }
    let paths: Vec<String> = (server.received_requests().await.expect("recording"))
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/things/..%2Fx",
            "/things/a%2Fb",
            "/things/%3F%23%25%20%C3%A9",
            "/things/..."
        ]
    );

    server.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    for id in ["..", ".", ""] {
        let err = client.execute::<Value>(get(id)).await.expect_err("refused");
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
        assert!(err.to_string().contains("`thingId`"), "{err}");
    }
    let mut request = get("ok");
    request.validate(|v| v.field("name", |v| v.min_length("", 1)));
    let err = client.execute::<Value>(request).await.expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "things.get: invalid request, nothing was sent: 1 problem: `name`: must be at least 1 \
         character long (it has 0)"
    );
    assert_no_token(&err);
}

#[tokio::test]
async fn query_values_use_bracket_form_and_json_for_objects() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let mut request = get("x");
    request.query("tags", &vec!["a b", "c&d"]);
    request.query("filter", &json!({"name": {"$eq": "x"}}));
    request.query("page", &2u64);
    request.query("_links", &true);
    let _: Value = client(&server).execute(request).await.expect("sent");

    let received = server.received_requests().await.expect("recording");
    let raw = received[0].url.query().expect("query").to_owned();
    let pairs: Vec<(String, String)> = received[0].url.query_pairs().into_owned().collect();
    let expected = [
        ("tags[0]", "a b"),
        ("tags[1]", "c&d"),
        ("filter", r#"{"name":{"$eq":"x"}}"#),
        ("page", "2"),
        ("_links", "true"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(pairs, expected, "{raw}");
    assert!(!raw.contains(['{', '"', ' ', '[']), "{raw}");
}

#[tokio::test]
async fn api_errors_carry_status_type_message_and_body() {
    let server = MockServer::start().await;
    let body = json!({"type": "NotFound", "message": "Thing was not found"});
    Mock::given(path("/things/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(&body))
        .mount(&server)
        .await;
    Mock::given(path("/things/broken"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .mount(&server)
        .await;
    let client = client(&server);

    let err = client
        .execute::<Value>(get("missing"))
        .await
        .expect_err("404");
    assert_no_token(&err);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "things.get: the API answered 404 Not Found (NotFound): Thing was not found"
    );
    let Error::Api(api) = err else {
        panic!("not an API error")
    };
    assert_eq!(api.error_type.as_deref(), Some("NotFound"));
    assert_eq!(api.message.as_deref(), Some("Thing was not found"));
    assert_eq!(api.decode::<Value>().expect("json"), body);

    let err = client
        .execute::<Value>(get("broken"))
        .await
        .expect_err("500");
    assert_eq!(
        err.to_string(),
        "things.get: the API answered 500 Internal Server Error: upstream exploded"
    );
}

#[tokio::test]
async fn bodies_that_do_not_decode_report_an_excerpt_and_empty_bodies_are_null() {
    let server = MockServer::start().await;
    let html = format!("<html>{}</html>", "x".repeat(500));
    Mock::given(path("/things/html"))
        .respond_with(ResponseTemplate::new(200).set_body_string(html.clone()))
        .mount(&server)
        .await;
    Mock::given(path("/things/empty"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);

    let err = client
        .execute::<Value>(get("html"))
        .await
        .expect_err("not json");
    assert_no_token(&err);
    let Error::Decode {
        status, excerpt, ..
    } = &err
    else {
        panic!("not a decode error: {err:?}")
    };
    assert_eq!(status.as_u16(), 200);
    assert!(excerpt.chars().count() <= 200 && excerpt.starts_with("<html>xxx"));
    assert!(
        err.to_string()
            .contains("things.get: the API answered 200 OK")
    );

    let nothing: Option<Value> = client.execute(get("empty")).await.expect("empty body");
    assert_eq!(nothing, None);
    let (): () = client.execute(get("empty")).await.expect("empty body");
}

#[tokio::test]
async fn missing_scopes_fail_without_traffic() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let build =
        |builder: losant::ClientBuilder| builder.base_url(server.uri()).build().expect("ok");

    let explicit = build(Client::builder(TOKEN).scopes(["devices.get"]));
    let err = explicit
        .execute::<Value>(get("x"))
        .await
        .expect_err("scope");
    assert_no_token(&err);
    assert_eq!(
        err.to_string(),
        "things.get: the API token has none of the scopes this action accepts, nothing was sent \
         (accepted: all.User, things.get; the token has: devices.get)"
    );

    let from_jwt = build(Client::builder(jwt(json!({"scope": ["devices.get"]}))));
    assert_eq!(from_jwt.scopes(), Some(&["devices.get".to_owned()][..]));
    let err = from_jwt
        .execute::<Value>(get("x"))
        .await
        .expect_err("scope");
    assert!(matches!(err, Error::MissingScope { .. }), "{err:?}");

    // The one request that reaches the server: a JWT whose space-separated scopes allow it.
    let allowed = build(Client::builder(jwt(
        json!({"scope": "devices.get things.get"}),
    )));
    let _: Value = allowed.execute(get("x")).await.expect("allowed");
}

#[tokio::test]
async fn configuration_is_checked_and_the_token_stays_hidden() {
    let builder = Client::builder(TOKEN).base_url("http://api.example.com");
    assert_no_token(&format_args!("{builder:?}"));
    let err = builder.build().expect_err("plain http off loopback");
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("plain http"), "{err}");
    assert_no_token(&err);

    let client = Client::builder(TOKEN)
        .base_url("http://127.0.0.1:9/")
        .build()
        .expect("loopback http is fine");
    let debug = format!("{client:?}");
    assert!(
        debug.contains("<redacted>") && debug.contains("http://127.0.0.1:9"),
        "{debug}"
    );
    assert_no_token(&format_args!("{debug}"));

    // Nothing listens on a port just freed: a transport error, retryable, without the token.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let client = Client::builder(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .expect("ok");
    let err = client
        .execute::<Value>(get("x"))
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .starts_with("things.get: could not reach the API"),
        "{err}"
    );
    assert_no_token(&err);
}

#[tokio::test]
async fn slow_answers_time_out() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .expect("ok");

    // The answer comes after 5 s: an error (not that answer) shows the 200 ms limit cut it,
    // with no measure of how long the test took.
    let err = client
        .execute::<Value>(get("x"))
        .await
        .expect_err("timeout");
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_no_token(&err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_through_one_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1000)
        .mount(&server)
        .await;
    let client = client(&server);

    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .execute::<Value>(get(&format!("t{i}")))
                    .await
                    .map(|v| v == json!({"ok": true}))
            })
        })
        .collect();
    let all = async {
        let mut ok = 0;
        for task in tasks {
            if task.await.expect("task").expect("request") {
                ok += 1;
            }
        }
        ok
    };
    let ok = tokio::time::timeout(Duration::from_secs(60), all)
        .await
        .expect("finished in time");
    assert_eq!(ok, 1000);
}
