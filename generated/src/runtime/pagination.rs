//! Streams over every item of a paginated list action.

use futures_util::{Stream, StreamExt, stream};

use super::error::Error;

/// The most pages a stream fetches unless the call says otherwise.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// One page as the list action returned it: its items and the total the API reports.
#[derive(Debug)]
pub struct Page<Item> {
    /// The page's items.
    pub items: Vec<Item>,
    /// How many items the whole list has, as the API says (`totalCount`), if it says.
    pub total: Option<u64>,
}

/// A stream of every item of every page, fetching pages on demand.
///
/// `fetch(n)` gets page `n`, starting at `first_page`; `split` takes a page apart into its
/// items and the total count the API reports. The stream ends without an error when
///
/// - as many items as the total count were read (the last page's total: the list may
///   change while it is read), or
/// - a page is empty and the API reported no total, or no more than was read.
///
/// Started past the first page, the items of the pages skipped count as read: as many per
/// page as the longest page seen, never more than the server's page size, so the stream never
/// ends early. Until a full page is followed by another, that count may fall short, so an
/// empty page then ends the stream without the error below.
///
/// It does not end on a page shorter than the size asked for while the total says more items
/// remain (a server may cap the page size), nor, without a total, before an empty page. It
/// ends with [`Error::Pagination`], saying why, when a page repeats the previous one (a server
/// that ignores the page number would otherwise be read forever), when a page is empty while
/// the total says more remain, or after `max_pages` pages. Any other error is yielded once and
/// ends the stream.
pub fn paginate<Item, Fut, F>(
    operation: &'static str,
    first_page: u64,
    max_pages: u64,
    fetch: F,
) -> impl Stream<Item = Result<Item, Error>> + Send
where
    F: FnMut(u64) -> Fut + Send,
    Fut: Future<Output = Result<Page<Item>, Error>> + Send,
    Item: PartialEq + Clone + Send,
{
    struct State<F, Item> {
        fetch: F,
        next_page: Option<u64>,
        fetched: u64,
        yielded: u64,
        /// The longest page seen: the server's page size once any page was full.
        longest: u64,
        /// Pages that had items: from two on, the first was full, so `longest` is exact.
        filled: u64,
        previous: Option<Vec<Item>>,
    }

    impl<F, Item> State<F, Item> {
        /// Items before the first page read, as counted from `longest` (a lower bound).
        fn skipped(&self, first_page: u64) -> u64 {
            first_page.saturating_mul(self.longest)
        }
        /// Whether `skipped` is the exact count, not only a lower bound.
        fn skipped_is_exact(&self, first_page: u64) -> bool {
            first_page == 0 || self.filled >= 2
        }
    }

    let state = State {
        fetch,
        next_page: Some(first_page),
        fetched: 0,
        yielded: 0,
        longest: 0,
        filled: 0,
        previous: None,
    };
    let fail = move |reason: String| vec![Err(Error::Pagination { operation, reason })];
    stream::unfold(state, move |mut state| async move {
        let page = state.next_page?;
        if state.fetched >= max_pages {
            state.next_page = None;
            return Some((
                fail(format!(
                    "stopped after {max_pages} pages ({} items) without reaching the end of the \
                     list; raise the limit with `.max_pages(..)` if the list is that long",
                    state.yielded
                )),
                state,
            ));
        }
        let Page { items, total } = match (state.fetch)(page).await {
            Ok(page) => page,
            Err(err) => {
                state.next_page = None;
                return Some((vec![Err(err)], state));
            }
        };
        state.fetched += 1;
        let count = items.len() as u64;
        if count > 0 && state.previous.as_ref() == Some(&items) {
            state.next_page = None;
            return Some((
                fail(format!(
                    "page {page} repeats page {} item for item; the server seems to ignore the \
                     page number, so the list cannot be read to its end",
                    page.saturating_sub(1)
                )),
                state,
            ));
        }
        if count == 0 {
            state.next_page = None;
            let read = state.skipped(first_page).saturating_add(state.yielded);
            return match total {
                Some(total) if total > read && state.skipped_is_exact(first_page) => Some((
                    fail(format!(
                        "page {page} is empty but the list reports {total} items and only {read} \
                         were read"
                    )),
                    state,
                )),
                _ => None,
            };
        }
        state.yielded = state.yielded.saturating_add(count);
        state.longest = state.longest.max(count);
        state.filled += 1;
        let read = state.skipped(first_page).saturating_add(state.yielded);
        let done = total.is_some_and(|total| read >= total);
        state.next_page = if done { None } else { page.checked_add(1) };
        state.previous = (!done).then(|| items.clone());
        Some((items.into_iter().map(Ok).collect::<Vec<_>>(), state))
    })
    .flat_map(stream::iter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Pages of `sizes` (item `page * 100 + i`), each reporting `total`; returns the items,
    /// the error message if the stream ended with one, and the number of fetches.
    async fn run(
        sizes: &'static [u64],
        total: Option<u64>,
        max_pages: u64,
    ) -> (Vec<u64>, Option<String>, u64) {
        run_from(0, sizes, total, max_pages).await
    }

    /// As [`run`], starting at page `first_page`.
    async fn run_from(
        first_page: u64,
        sizes: &'static [u64],
        total: Option<u64>,
        max_pages: u64,
    ) -> (Vec<u64>, Option<String>, u64) {
        let calls = AtomicU64::new(0);
        let results: Vec<Result<u64, Error>> =
            paginate("things.get", first_page, max_pages, |page| {
                calls.fetch_add(1, Ordering::SeqCst);
                let size = sizes.get(page as usize).copied().unwrap_or(0);
                async move {
                    Ok(Page {
                        items: (0..size).map(|i| page * 100 + i).collect(),
                        total,
                    })
                }
            })
            .collect()
            .await;
        let mut items = Vec::new();
        let mut error = None;
        for result in results {
            match result {
                Ok(item) => items.push(item),
                Err(err) => error = Some(err.to_string()),
            }
        }
        (items, error, calls.into_inner())
    }

    #[tokio::test]
    async fn ends_at_the_total() {
        let (items, error, calls) = run(&[2, 2, 1], Some(5), 100).await;
        assert_eq!(items, [0, 1, 100, 101, 200]);
        assert_eq!((error, calls), (None, 3));
    }

    #[tokio::test]
    async fn a_short_page_does_not_end_it_while_the_total_says_more_remain() {
        // The server caps the page size at 2 although more were asked for.
        let (items, error, calls) = run(&[2, 2, 2], Some(6), 100).await;
        assert_eq!(items.len(), 6);
        assert_eq!((error, calls), (None, 3));
    }

    #[tokio::test]
    async fn without_a_total_it_reads_until_an_empty_page() {
        let (items, error, calls) = run(&[2, 1], None, 100).await;
        assert_eq!(items, [0, 1, 100]);
        assert_eq!((error, calls), (None, 3));
        let (items, error, calls) = run(&[], Some(0), 100).await;
        assert!(items.is_empty());
        assert_eq!((error, calls), (None, 1));
    }

    #[tokio::test]
    async fn an_empty_page_before_the_total_is_an_error() {
        let (items, error, _) = run(&[2, 2], Some(10), 100).await;
        assert_eq!(items.len(), 4);
        let error = error.expect("an error");
        assert!(
            error.contains("reports 10 items and only 4 were read"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn started_past_the_first_page_the_skipped_items_count_as_read() {
        // Five items, two a page: from page 1 the stream reads pages 1 and 2, no more.
        let (items, error, calls) = run_from(1, &[2, 2, 1], Some(5), 100).await;
        assert_eq!(items, [100, 101, 200]);
        assert_eq!((error, calls), (None, 2));
        // From the last page alone the page size is unknown: one empty page more, no error.
        let (items, error, calls) = run_from(2, &[2, 2, 1], Some(5), 100).await;
        assert_eq!(items, [200]);
        assert_eq!((error, calls), (None, 2));
        // Past a full page the count is exact, and a page missing is still an error.
        let (items, error, _) = run_from(1, &[2, 2, 2], Some(9), 100).await;
        assert_eq!(items, [100, 101, 200, 201]);
        let error = error.expect("an error");
        assert!(
            error.contains("reports 9 items and only 6 were read"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_repeated_page_is_an_error_not_a_loop() {
        let calls = AtomicU64::new(0);
        let results: Vec<Result<u64, Error>> = paginate("things.get", 0, 1000, |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async {
                Ok(Page {
                    items: vec![1, 2],
                    total: Some(1_000_000),
                })
            }
        })
        .collect()
        .await;
        assert_eq!(calls.into_inner(), 2);
        assert_eq!(results.len(), 3);
        let error = results[2].as_ref().expect_err("the repeat").to_string();
        assert!(error.contains("page 1 repeats page 0"), "{error}");
    }

    #[tokio::test]
    async fn a_growing_total_is_followed_until_the_page_cap() {
        let calls = AtomicU64::new(0);
        let results: Vec<Result<u64, Error>> = paginate("things.get", 0, 5, |page| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(Page {
                    items: vec![page * 10, page * 10 + 1],
                    total: Some(10 + 10 * n),
                })
            }
        })
        .collect()
        .await;
        assert_eq!(calls.into_inner(), 5);
        let error = results.last().expect("items").as_ref().expect_err("capped");
        assert!(
            error
                .to_string()
                .contains("stopped after 5 pages (10 items)"),
            "{error}"
        );
    }
}
