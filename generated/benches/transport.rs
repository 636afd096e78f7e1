//! What a hostile or heavy answer costs the client: peak heap of a call that meets a 20 MiB
//! error body, of a 1 GiB upload streamed from a reader, and of an event stream whose line
//! never ends; and how many requests an outage makes of 1,000 calls.
//!
//! `cargo bench -p losant --bench transport` prints one line per case; the figures are in
//! docs/BENCHMARKS.md. The server runs on its own thread and only the client's thread is
//! counted, so the server's buffers do not hide in the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use losant::runtime::{Method, Operation, Request};
use losant::{CallOptions, Client, FilePart, RetryBudget, RetryPolicy};

/// Counts the heap in use by the threads that opted in, and its peak. Rolled by hand because
/// the figure wanted is one thread's peak per case, reset between cases: heap profilers
/// (dhat) report a whole process since start.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted (the client's thread only).
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            IN_USE.fetch_sub(
                layout.size().min(IN_USE.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
        }
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counted() {
            if new_size > layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                let freed = (layout.size() - new_size).min(IN_USE.load(Ordering::Relaxed));
                IN_USE.fetch_sub(freed, Ordering::Relaxed);
            }
        }
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `case` on a current-thread runtime on this thread, counting its heap, and returns
/// the peak above what was in use when it started, with the time it took.
fn measure<F: std::future::Future>(case: impl FnOnce() -> F) -> (usize, Duration, F::Output) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    IN_USE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    COUNTED.with(|c| c.set(true));
    let started = Instant::now();
    let output = runtime.block_on(case());
    let took = started.elapsed();
    COUNTED.with(|c| c.set(false));
    (PEAK.load(Ordering::Relaxed), took, output)
}

const MIB: usize = 1024 * 1024;

/// A server on its own thread answering each connection with `answer`.
fn serve(answer: impl Fn(TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let answer = std::sync::Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = answer.clone();
            std::thread::spawn(move || answer(stream));
        }
    });
    url
}

/// Reads a request's head and returns its `Content-Length` (0 when absent).
fn read_head(stream: &mut TcpStream) -> usize {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head)
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// Writes `len` bytes of `byte` in 64 KiB pieces.
fn write_repeated(stream: &mut TcpStream, byte: u8, len: usize) {
    let piece = vec![byte; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(piece.len());
        if stream.write_all(&piece[..n]).is_err() {
            return;
        }
        left -= n;
    }
}

fn operation(method: Method, idempotent: bool) -> &'static Operation {
    Box::leak(Box::new(Operation {
        id: "bench.call",
        resource: "bench",
        action: "call",
        method,
        path: "/things",
        summary: "",
        scopes: &[],
        idempotent,
    }))
}

fn client(url: &str) -> Client {
    Client::builder("bench-token")
        .base_url(url)
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

/// A 500 answer with a 20 MiB body: the client keeps the first 64 KiB for the error.
fn error_body() {
    let url = serve(|mut stream| {
        read_head(&mut stream);
        let len = 20 * MIB;
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes());
        write_repeated(&mut stream, b' ', len);
    });
    let (peak, took, result) = measure(|| async move {
        client(&url)
            .execute_raw(
                Request::new(operation(Method::Get, true)),
                &CallOptions::default(),
            )
            .await
    });
    assert!(result.is_err(), "a 500 is an error");
    report("20 MiB error body", peak, took);
}

/// A 1 GiB multipart upload read from an async reader.
fn upload() {
    let url = serve(|mut stream| {
        let len = read_head(&mut stream);
        let mut buffer = vec![0u8; 64 * 1024];
        let mut left = len;
        while left > 0 {
            match stream.read(&mut buffer[..left.min(64 * 1024)]) {
                Ok(0) | Err(_) => break,
                Ok(n) => left -= n,
            }
        }
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
        );
    });
    let size: u64 = 1024 * 1024 * 1024;
    let (peak, took, result) = measure(|| async move {
        use tokio::io::AsyncReadExt;
        let reader = tokio::io::repeat(b'x').take(size);
        let mut request = Request::new(operation(Method::Post, false));
        request.multipart_file(
            "file",
            &FilePart::from_reader("big.bin", reader, Some(size)),
        );
        client(&url)
            .execute_raw(request, &CallOptions::default())
            .await
    });
    assert!(result.is_ok(), "{:?}", result.err());
    report("1 GiB upload", peak, took);
}

/// An event stream whose first line is 16 MiB long: the client gives up at 8 MiB.
fn endless_line() {
    let url = serve(|mut stream| {
        read_head(&mut stream);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\ndata: ",
        );
        write_repeated(&mut stream, b'a', 16 * MIB);
    });
    let (peak, took, refused) = measure(|| async move {
        let events = client(&url)
            .execute_events(
                Request::new(operation(Method::Get, true)),
                &CallOptions::default(),
            )
            .await
            .expect("the stream opens");
        let items: Vec<_> = events.collect().await;
        items.iter().any(Result::is_err)
    });
    assert!(refused, "the long line ends the stream with an error");
    report("8 MiB event line refused", peak, took);
}

/// 1,000 concurrent calls against a server answering every request 503: requests sent per
/// call with the default retry policy and budget.
fn outage() {
    let requests = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let url = serve(move |mut stream| {
        read_head(&mut stream);
        counter.fetch_add(1, Ordering::Relaxed);
        let _ = stream.write_all(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
    });
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = Client::builder("bench-token")
        .base_url(&url)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .retry_budget(RetryBudget::default())
        .build()
        .expect("client");
    let calls = 1000;
    runtime.block_on(async {
        let all = (0..calls).map(|_| {
            let client = client.clone();
            async move {
                let _ = client
                    .execute_raw(
                        Request::new(operation(Method::Get, true)),
                        &CallOptions::default(),
                    )
                    .await;
            }
        });
        futures_util::future::join_all(all).await;
    });
    let sent = requests.load(Ordering::Relaxed);
    println!(
        "{:<28} {sent} requests for {calls} calls ({:.2} per call)",
        "outage, 1,000 calls",
        sent as f64 / f64::from(calls)
    );
}

fn report(case: &str, peak: usize, took: Duration) {
    println!(
        "{case:<28} peak heap {:>8.2} MiB   {:>8.1} ms",
        peak as f64 / MIB as f64,
        took.as_secs_f64() * 1000.0
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a test run (`cargo test --benches`) passes nothing to
    // measure, so it only checks that the cases still run, on the smallest one.
    if !std::env::args().any(|a| a == "--bench") {
        endless_line();
        return;
    }
    error_body();
    upload();
    endless_line();
    outage();
}
