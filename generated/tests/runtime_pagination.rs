//! Streaming every item of a generated list action (`devices.get`) over real HTTP: exactly
//! the pages needed, and never a partial answer reported as complete (a server that caps the
//! page size, a `totalCount` that lies or grows, a page served twice).

use std::time::Duration;

use futures_util::StreamExt;
use losant::{Client, Error, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP: &str = "575ec8687ae143cd83dc4a97";

fn device(n: u64) -> Value {
    json!({ "deviceId": format!("{n:024x}"), "name": format!("device {n}") })
}

/// Page `page` of the device list answers `ids` (with `totalCount` when given), `expect` times.
async fn page(
    server: &MockServer,
    page: u64,
    ids: std::ops::Range<u64>,
    total: Option<u64>,
    expect: u64,
) {
    let mut body = json!({ "items": ids.map(device).collect::<Vec<_>>(), "perPage": 100 });
    if let Some(total) = total {
        body["totalCount"] = json!(total);
    }
    Mock::given(method("GET"))
        .and(path(format!("/applications/{APP}/devices")))
        .and(query_param("page", page.to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(expect)
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> Client {
    Client::builder("token")
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

/// Every item the stream yields, and the error that ended it, if any.
async fn read_all(client: &Client, max_pages: Option<u64>) -> (Vec<String>, Option<Error>) {
    let mut request = client.devices().get(APP).per_page(100);
    if let Some(max) = max_pages {
        request = request.max_pages(max);
    }
    let mut stream = std::pin::pin!(request.into_stream());
    let mut names = Vec::new();
    let result = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(device) => names.push(device.name.unwrap_or_default()),
                Err(err) => return Some(err),
            }
        }
        None
    })
    .await
    .expect("the stream ended");
    (names, result)
}

#[tokio::test]
async fn reads_every_page_and_not_one_more() {
    let server = MockServer::start().await;
    page(&server, 0, 0..100, Some(250), 1).await;
    page(&server, 1, 100..200, Some(250), 1).await;
    page(&server, 2, 200..250, Some(250), 1).await;
    let (names, error) = read_all(&client(&server), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(names.len(), 250);
    assert_eq!(names[249], "device 249");
    server.verify().await;
}

#[tokio::test]
async fn a_server_capping_the_page_size_is_read_to_the_end() {
    // 200 devices, 100 asked per page, the server sends 50 at a time.
    let server = MockServer::start().await;
    for n in 0..4 {
        page(&server, n, n * 50..n * 50 + 50, Some(200), 1).await;
    }
    let (names, error) = read_all(&client(&server), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(names.len(), 200, "not 50 and a silent stop");
    server.verify().await;
}

#[tokio::test]
async fn a_total_the_pages_do_not_reach_is_an_error_not_a_partial_ok() {
    let server = MockServer::start().await;
    page(&server, 0, 0..100, Some(300), 1).await;
    page(&server, 1, 100..150, Some(300), 1).await;
    page(&server, 2, 0..0, Some(300), 1).await;
    let (names, error) = read_all(&client(&server), None).await;
    assert_eq!(names.len(), 150);
    let error = error.expect("the list ended before its total");
    assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("reports 300 items and only 150 were read"),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_serving_the_same_page_forever_is_left() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": (0..100).map(device).collect::<Vec<_>>(),
            "totalCount": 1_000_000,
        })))
        .expect(2)
        .mount(&server)
        .await;
    let (names, error) = read_all(&client(&server), None).await;
    assert_eq!(names.len(), 100);
    let error = error.expect("a repeated page");
    assert!(error.to_string().contains("repeats"), "{error}");
    server.verify().await;
}

#[tokio::test]
async fn a_growing_total_stops_at_the_page_limit_with_an_error() {
    let server = MockServer::start().await;
    for n in 0..5 {
        // Each page says there are more than read so far.
        page(&server, n, n * 100..n * 100 + 100, Some((n + 2) * 100), 1).await;
    }
    let (names, error) = read_all(&client(&server), Some(5)).await;
    assert_eq!(names.len(), 500);
    let error = error.expect("the page limit");
    assert!(
        error.to_string().contains("stopped after 5 pages"),
        "{error}"
    );
    server.verify().await;
}

#[tokio::test]
async fn without_a_total_the_list_ends_at_an_empty_page() {
    let server = MockServer::start().await;
    page(&server, 0, 0..100, None, 1).await;
    page(&server, 1, 100..130, None, 1).await;
    page(&server, 2, 0..0, None, 1).await;
    let (names, error) = read_all(&client(&server), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(names.len(), 130);
    server.verify().await;
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = MockServer::start().await;
    page(&server, 0, 0..100, Some(300), 1).await;
    Mock::given(method("GET"))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"type": "NotFound", "message": "gone"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let items: Vec<Result<_, Error>> = client(&server)
        .devices()
        .get(APP)
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 101);
    assert!(matches!(items[100], Err(Error::Api(ref e)) if e.status == 404));
    assert!(items.iter().take(100).all(Result::is_ok));
    server.verify().await;
}
