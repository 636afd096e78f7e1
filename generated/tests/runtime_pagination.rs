//! Streaming every item of a paginated action, fetching exactly the pages needed.

use futures_util::{StreamExt, TryStreamExt};
use losant::runtime::{Method, Request, paginate};
use losant::{Client, Error, Operation, RetryPolicy};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

static LIST: Operation = Operation {
    id: "things.get",
    resource: "things",
    action: "get",
    method: Method::Get,
    path: "/things",
    summary: "",
    scopes: &[],
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    items: Vec<u32>,
    total_count: Option<u64>,
}

fn split(page: Page) -> (Vec<u32>, Option<u64>) {
    (page.items, page.total_count)
}

/// Page `page` answers `items` (with `totalCount` when given), expected `expect` times.
async fn page(server: &MockServer, page: u64, items: &[u32], total: Option<u64>, expect: u64) {
    let mut body = json!({ "items": items, "perPage": 2 });
    if let Some(total) = total {
        body["totalCount"] = json!(total);
    }
    Mock::given(method("GET"))
        .and(query_param("page", page.to_string()))
        .and(query_param("perPage", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(expect)
        .mount(server)
        .await;
}

/// Streams all items, 2 per page, reading or ignoring `totalCount`.
async fn all_items(server: &MockServer, use_total: bool) -> Vec<Result<u32, Error>> {
    let client = Client::builder("token")
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration");
    let fetch = move |n: u64| {
        let client = client.clone();
        async move {
            let mut request = Request::new(&LIST);
            request.query("page", &n);
            request.query("perPage", &2u64);
            client.execute::<Page>(request).await
        }
    };
    let split = if use_total {
        split
    } else {
        |page: Page| (page.items, None)
    };
    paginate(0, Some(2), fetch, split).collect().await
}

fn ok(items: Vec<Result<u32, Error>>) -> Vec<u32> {
    items
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("no error")
}

#[tokio::test]
async fn three_pages_and_not_one_more() {
    let server = MockServer::start().await;
    page(&server, 0, &[1, 2], Some(6), 1).await;
    page(&server, 1, &[3, 4], Some(6), 1).await;
    page(&server, 2, &[5, 6], Some(6), 1).await;
    page(&server, 3, &[], Some(6), 0).await;

    assert_eq!(ok(all_items(&server, true).await), [1, 2, 3, 4, 5, 6]);
}

#[tokio::test]
async fn an_empty_list_is_one_request() {
    let server = MockServer::start().await;
    page(&server, 0, &[], Some(0), 1).await;
    page(&server, 1, &[], Some(0), 0).await;

    assert_eq!(ok(all_items(&server, true).await), [] as [u32; 0]);
}

#[tokio::test]
async fn without_a_total_a_short_page_or_an_empty_one_ends_the_list() {
    let server = MockServer::start().await;
    page(&server, 0, &[1, 2], None, 1).await;
    page(&server, 1, &[3], None, 1).await;
    page(&server, 2, &[], None, 0).await;
    assert_eq!(ok(all_items(&server, false).await), [1, 2, 3]);

    let server = MockServer::start().await;
    page(&server, 0, &[1, 2], None, 1).await;
    page(&server, 1, &[], None, 1).await;
    page(&server, 2, &[], None, 0).await;
    assert_eq!(ok(all_items(&server, false).await), [1, 2]);
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = MockServer::start().await;
    page(&server, 0, &[1, 2], Some(6), 1).await;
    Mock::given(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    page(&server, 2, &[5, 6], Some(6), 0).await;

    let items = all_items(&server, true).await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[..2]
            .iter()
            .map(|i| *i.as_ref().expect("ok"))
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        items[2]
            .as_ref()
            .err()
            .and_then(Error::status)
            .map(|s| s.as_u16()),
        Some(500)
    );

    // The same through `try_collect`, as an application would.
    let server = MockServer::start().await;
    Mock::given(query_param("page", "0"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let stream = futures_util::stream::iter(all_items(&server, true).await);
    assert!(stream.try_collect::<Vec<u32>>().await.is_err());
}
