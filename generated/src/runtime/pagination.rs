//! Streams over every item of a paginated list action.

use futures_util::{Stream, StreamExt, stream};

use super::error::Error;

/// A stream of every item of every page, fetching pages on demand.
///
/// `fetch(n)` gets page `n`, starting at `first_page`; `split` takes a page apart into its
/// items and the total count the API reports, if any. The stream stops, without fetching
/// further, after an empty page, once as many items as the total count were yielded, or after a
/// page shorter than `per_page` (when known). An error is yielded once and ends the stream.
pub fn paginate<Page, Item, Fut, F>(
    first_page: u64,
    per_page: Option<u64>,
    fetch: F,
    split: fn(Page) -> (Vec<Item>, Option<u64>),
) -> impl Stream<Item = Result<Item, Error>> + Send
where
    F: FnMut(u64) -> Fut + Send,
    Fut: Future<Output = Result<Page, Error>> + Send,
    Page: Send,
    Item: Send,
{
    struct State<F> {
        fetch: F,
        next_page: Option<u64>,
        yielded: u64,
    }

    let state = State {
        fetch,
        next_page: Some(first_page),
        yielded: 0,
    };
    stream::unfold(state, move |mut state| async move {
        let page = state.next_page?;
        let (items, total) = match (state.fetch)(page).await {
            Ok(page) => split(page),
            Err(err) => {
                state.next_page = None;
                return Some((vec![Err(err)], state));
            }
        };
        let count = items.len() as u64;
        state.yielded = state.yielded.saturating_add(count);
        let done = count == 0
            || total.is_some_and(|total| state.yielded >= total)
            || per_page.is_some_and(|per_page| count < per_page);
        state.next_page = if done { None } else { page.checked_add(1) };
        Some((items.into_iter().map(Ok).collect::<Vec<_>>(), state))
    })
    .flat_map(stream::iter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    async fn pages(
        sizes: &'static [u64],
        total: Option<u64>,
        per_page: Option<u64>,
    ) -> (Vec<u64>, u64) {
        let calls = AtomicU64::new(0);
        let items = paginate(
            0,
            per_page,
            |page| {
                calls.fetch_add(1, Ordering::SeqCst);
                let size = sizes.get(page as usize).copied().unwrap_or(0);
                async move { Ok::<_, Error>(((0..size).map(|i| page * 10 + i).collect(), total)) }
            },
            |(items, total): (Vec<u64>, Option<u64>)| (items, total),
        )
        .map(|item| item.expect("no error"))
        .collect::<Vec<_>>()
        .await;
        (items, calls.into_inner())
    }

    #[tokio::test]
    async fn stops_exactly() {
        assert_eq!(
            pages(&[2, 2, 1], Some(5), Some(2)).await,
            (vec![0, 1, 10, 11, 20], 3)
        );
        assert_eq!(pages(&[2, 2], Some(4), None).await, (vec![0, 1, 10, 11], 2));
        assert_eq!(pages(&[2, 2], None, Some(2)).await, (vec![0, 1, 10, 11], 3));
        assert_eq!(pages(&[], Some(0), Some(2)).await, (vec![], 1));
    }
}
