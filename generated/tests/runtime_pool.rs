//! One client pools its connections: bursts of 1,000 concurrent requests against a loopback
//! server all succeed over far fewer connections than requests, and requests in a row share one
//! connection. The server counts the TCP connections it accepts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use losant::runtime::{Method, Request};
use losant::{Client, Operation, RetryPolicy};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

static GET: Operation = Operation {
    id: "things.get",
    resource: "things",
    action: "get",
    method: Method::Get,
    path: "/things/{thingId}",
    summary: "Returns a thing",
    scopes: &[],
    idempotent: true,
};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}";

/// A keep-alive HTTP/1.1 server on loopback answering every GET with `{"ok":true}`; returns
/// its address and the number of connections it accepted so far.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // Requests have no body: each ends with an empty line.
                    while let Some(end) = find(&buffer, b"\r\n\r\n") {
                        buffer.drain(..end + 4);
                        if socket.write_all(RESPONSE).await.is_err() {
                            return;
                        }
                    }
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    (address, accepted)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn burst(client: &Client, n: usize) -> usize {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut request = Request::new(&GET);
                request.path_param("thingId", &format!("t{i}"));
                client.execute::<Value>(request).await
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        let value = task.await.expect("task").expect("request succeeds");
        assert_eq!(value, json!({"ok": true}));
        ok += 1;
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_of_a_thousand_requests_share_pooled_connections() {
    let (address, accepted) = counting_server().await;
    let client = Client::builder("pool-token")
        .base_url(address)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration");

    let run = async {
        let first = burst(&client, 1000).await;
        let after_first = accepted.load(Ordering::SeqCst);
        let second = burst(&client, 1000).await;
        let after_second = accepted.load(Ordering::SeqCst);
        (first, second, after_first, after_second)
    };
    let (first, second, after_first, after_second) =
        tokio::time::timeout(Duration::from_secs(120), run)
            .await
            .expect("both bursts finish in time");
    assert_eq!((first, second), (1000, 1000));
    // Connections are reused: 2,000 requests over fewer connections than requests (how many
    // fewer depends on timing; `sequential_requests_reuse_one_connection` pins reuse exactly).
    assert!(after_first >= 1, "{after_first}");
    assert!(
        after_second < 2000,
        "2,000 requests opened {after_second} connections"
    );
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let (address, accepted) = counting_server().await;
    let client = Client::builder("pool-token")
        .base_url(address)
        .build()
        .expect("valid configuration");
    for i in 0..100 {
        let mut request = Request::new(&GET);
        request.path_param("thingId", &format!("t{i}"));
        let value: Value = client.execute(request).await.expect("request succeeds");
        assert_eq!(value, json!({"ok": true}));
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "100 requests in a row share one connection"
    );
}
