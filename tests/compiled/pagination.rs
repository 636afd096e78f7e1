//! The `pagination` fixture's generated code (`tests/fixtures/pagination/`), compiled with the
//! runtime and used as a user would: a `paginated: true` list action sends one page as any
//! action does, and streams every item of every page with `into_stream`.

include!(concat!(env!("OUT_DIR"), "/pagination/crate.rs"));

mod harness;

use futures_util::TryStreamExt;
use harness::{Answer, Sent};
use models::Item;
use serde_json::json;

/// A server holding `total` items that answers pages of `perPage` (default 100) of them.
fn pages(total: usize) -> impl Fn(&Sent) -> Answer + Send + Sync + 'static {
    move |sent| {
        let page: usize = sent.query("page").map_or(0, |p| p.parse().unwrap());
        let per_page: usize = sent.query("perPage").map_or(100, |p| p.parse().unwrap());
        let items: Vec<_> = (page * per_page..total.min((page + 1) * per_page))
            .map(|i| json!({"id": format!("i{i}"), "name": format!("item {i}")}))
            .collect();
        Answer::json(
            200,
            json!({
                "items": items,
                "count": items.len(),
                "totalCount": total,
                "page": page,
                "perPage": per_page
            }),
        )
    }
}

#[tokio::test]
async fn the_stream_reads_every_page() {
    let (client, log) = harness::client(pages(5));
    let items: Vec<Item> = client
        .items()
        .get()
        .per_page(2)
        .filter("item")
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["i0", "i1", "i2", "i3", "i4"]);
    let sent = log.all();
    let asked: Vec<(Option<&str>, Option<&str>, Option<&str>)> = sent
        .iter()
        .map(|s| (s.query("page"), s.query("perPage"), s.query("filter")))
        .collect();
    assert_eq!(
        asked,
        [
            (Some("0"), Some("2"), Some("item")),
            (Some("1"), Some("2"), Some("item")),
            (Some("2"), Some("2"), Some("item")),
        ]
    );
}

// Started at page 1, the stream counts page 0's items as read (it failed with "page 3 is
// empty but the list reports 5 items and only 3 were read" before).
#[tokio::test]
async fn the_stream_starts_at_the_page_asked_for() {
    let (client, log) = harness::client(pages(5));
    let items: Vec<Item> = client
        .items()
        .get()
        .page(1)
        .per_page(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["i2", "i3", "i4"]);
    assert_eq!(log.all().len(), 2);
}

#[tokio::test]
async fn one_page_is_one_request() {
    let (client, log) = harness::client(pages(5));
    let page = client.items().get().per_page(2).await.unwrap();
    assert_eq!((page.items.len(), page.total_count), (2, 5));
    assert_eq!(page.items[0].name.as_deref(), Some("item 0"));
    assert_eq!(log.one().query("page"), None);
}

#[tokio::test]
async fn a_server_repeating_a_page_ends_the_stream_with_an_error() {
    // It ignores `page`: every answer is the first page, of a total that never comes.
    let (client, _log) =
        harness::client(|_| Answer::json(200, json!({"items": [{"id": "i0"}], "totalCount": 3})));
    let result: Result<Vec<Item>, Error> = client.items().get().into_stream().try_collect().await;
    assert!(
        matches!(result, Err(Error::Pagination { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn max_pages_bounds_the_stream() {
    let (client, log) = harness::client(pages(10));
    let result: Result<Vec<Item>, Error> = client
        .items()
        .get()
        .per_page(2)
        .max_pages(3)
        .into_stream()
        .try_collect()
        .await;
    assert!(
        matches!(result, Err(Error::Pagination { .. })),
        "{result:?}"
    );
    assert_eq!(log.all().len(), 3);
}

#[tokio::test]
async fn page_parameters_are_checked_before_anything_is_sent() {
    let (client, log) = harness::client(pages(5));
    let result = client.items().get().per_page(0).await;
    assert!(
        matches!(result, Err(Error::InvalidRequest { .. })),
        "{result:?}"
    );
    assert!(log.all().is_empty(), "nothing was sent");
}
