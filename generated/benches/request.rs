//! Request overhead of the generated client, against a loopback server.
//!
//! ```text
//! cargo bench -p losant --no-default-features --features orgs --bench request
//! ```
//!
//! - `generated_get_orgs`: `client.orgs().get().await` with a [`losant::Client`].
//! - `generated_get_orgs_noop_hook`: the same with a client that has one [`losant::Hook`] that
//!   does nothing: what hooks cost when one is registered (with none, the client skips them).
//! - `handwritten_get_orgs`: the same request (same URL, same headers on the wire) with one
//!   `reqwest::Client`, its body decoded with `serde_json` into the same
//!   [`losant::models::Organizations`]: the difference between the two is the SDK's overhead,
//!   not the model's.
//! - `handwritten_get_orgs_timeout`: the hand-written call with a per-request timeout, which
//!   the generated client always sets (its `timeout` applies to each attempt); it shows what
//!   that timer costs on its own.
//! - `decode_organizations_1000`: `serde_json::from_slice` of a 1,000-item Organizations page,
//!   as the model and, for reference, as a `serde_json::Value` (`decode_value_1000`).
//!
//! The server is a minimal keep-alive HTTP/1.1 responder written here on tokio (wiremock
//! matches and records every request, which would cost more than the client being measured),
//! answering every request with the published `orgs` example (one organization). Server and
//! clients share one current-thread tokio runtime, built once, so a sample is the CPU time of
//! one request on one thread: client, server and the loopback socket. The server's cost is the
//! same for every client. Each client keeps one connection open throughout; the bench checks
//! that, and that they all send the same request, before timing anything.
//!
//! The response bodies are built from Losant's published examples,
//! `third_party/losant-api/apiExamples.json` (Losant's published description, kept in the
//! repository).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use losant::Hook;
use losant::models::Organizations;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

const TOKEN: &str = "tok-bench-2f8a-not-a-jwt";
/// What the generated client sends by default (`losant-rs/<version>`).
const USER_AGENT: &str = concat!("losant-rs/", env!("CARGO_PKG_VERSION"));
/// Requests per sample, and samples, of the request benches.
const REQUEST_SAMPLE_SIZE: u32 = 20;
const REQUEST_SAMPLES: u32 = 1000;

fn main() {
    divan::main();
    if let Some(fixture) = FIXTURE.get() {
        let connections = fixture.server.connections.load(Ordering::SeqCst);
        eprintln!("loopback server: {connections} connection(s) accepted in all");
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture: examples, server, clients
// ---------------------------------------------------------------------------------------------

/// Losant's published examples, one per schema name.
fn examples() -> &'static Value {
    static EXAMPLES: OnceLock<Value> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../third_party/losant-api/apiExamples.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
            panic!(
                "this bench needs Losant's published API examples at {}: {err}",
                path.display()
            )
        });
        serde_json::from_str(&text).expect("apiExamples.json is JSON")
    })
}

fn example(name: &str) -> Value {
    examples()
        .get(name)
        .unwrap_or_else(|| panic!("apiExamples.json has no example named `{name}`"))
        .clone()
}

struct Server {
    /// `http://127.0.0.1:<port>`
    base_url: String,
    connections: AtomicUsize,
    /// While set, the server keeps the head of each request it receives in `heads`.
    record: AtomicBool,
    heads: Mutex<Vec<String>>,
}

/// Starts, on the current runtime, a keep-alive HTTP/1.1 server on loopback that answers every
/// request (bodiless: each ends with an empty line) with `200` and `body`.
async fn start_server(body: &[u8]) -> Arc<Server> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let server = Arc::new(Server {
        base_url: format!("http://{}", listener.local_addr().expect("address")),
        connections: AtomicUsize::new(0),
        record: AtomicBool::new(false),
        heads: Mutex::new(Vec::new()),
    });
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    let response: Arc<[u8]> = response.into();
    let shared = server.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            shared.connections.fetch_add(1, Ordering::SeqCst);
            let (server, response) = (shared.clone(), response.clone());
            tokio::spawn(async move {
                let _ = socket.set_nodelay(true);
                let mut buffer = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    while let Some(end) = find(&buffer, b"\r\n\r\n") {
                        if server.record.load(Ordering::Relaxed) {
                            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
                            server.heads.lock().expect("not poisoned").push(head);
                        }
                        buffer.drain(..end + 4);
                        if socket.write_all(&response).await.is_err() {
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
    server
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

struct Fixture {
    runtime: Runtime,
    server: Arc<Server>,
    generated: losant::Client,
    /// The generated client with one hook that does nothing.
    hooked: losant::Client,
    handwritten: Handwritten,
}

/// A [`Hook`] that does nothing: both methods keep their empty defaults.
struct NoopHook;

impl Hook for NoopHook {}

/// What a hand-written client keeps between calls: one `reqwest::Client`, the base URL and the
/// `Authorization` value.
struct Handwritten {
    http: reqwest::Client,
    base_url: String,
    auth: HeaderValue,
}

impl Handwritten {
    /// `GET /orgs` as one would write it by hand with reqwest and serde_json, sending what the
    /// generated client sends.
    async fn get_orgs(&self, timeout: Option<Duration>) -> Organizations {
        let mut request = self
            .http
            .get(format!("{}/orgs", self.base_url))
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header("accept-version", HeaderValue::from_static("^1.30.0"));
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request
            .send()
            .await
            .expect("the server answers")
            .error_for_status()
            .expect("a 2xx answer");
        let body = response.bytes().await.expect("the whole body");
        serde_json::from_slice(&body).expect("an Organizations page")
    }
}

async fn generated_get_orgs_once(client: &losant::Client) -> Organizations {
    client
        .orgs()
        .get()
        .await
        .expect("the generated call succeeds")
}

/// The runtime, server and clients, set up (and checked) once.
fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(make_fixture)
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn make_fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let body = serde_json::to_vec(&example("orgs")).expect("serializes");
    let server = runtime.block_on(start_server(&body));
    let generated = losant::Client::builder(TOKEN)
        .base_url(&server.base_url)
        .build()
        .expect("loopback http is allowed");
    let hooked = losant::Client::builder(TOKEN)
        .base_url(&server.base_url)
        .hook(NoopHook)
        .build()
        .expect("loopback http is allowed");
    let handwritten = Handwritten {
        http: reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("a reqwest client"),
        base_url: server.base_url.clone(),
        auth: {
            let mut value = HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("ASCII");
            value.set_sensitive(true);
            value
        },
    };

    // The clients must send the same request and decode the same page.
    server.record.store(true, Ordering::SeqCst);
    let from_generated = runtime.block_on(generated_get_orgs_once(&generated));
    let from_hooked = runtime.block_on(generated_get_orgs_once(&hooked));
    let from_handwritten = runtime.block_on(handwritten.get_orgs(None));
    server.record.store(false, Ordering::SeqCst);
    assert_eq!(from_generated, from_handwritten);
    assert_eq!(from_hooked, from_handwritten);
    assert_eq!(from_generated.items.as_deref().map(<[_]>::len), Some(1));
    let heads = std::mem::take(&mut *server.heads.lock().expect("not poisoned"));
    let [generated_head, hooked_head, handwritten_head] = &heads[..] else {
        panic!("expected three requests, got {heads:?}");
    };
    for head in [generated_head, hooked_head] {
        assert_eq!(
            sorted_lines(head),
            sorted_lines(handwritten_head),
            "the clients must send the same request"
        );
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), CONNECTIONS);

    Fixture {
        runtime,
        server,
        generated,
        hooked,
        handwritten,
    }
}

/// The request line and headers, header names in lower case, in a fixed order.
fn sorted_lines(head: &str) -> Vec<String> {
    let mut lines: Vec<String> = head
        .split("\r\n")
        .map(|line| match line.split_once(':') {
            Some((name, value)) => format!("{}:{}", name.to_ascii_lowercase(), value),
            None => line.to_owned(),
        })
        .collect();
    lines.sort();
    lines
}

/// One connection per client: generated, generated with a hook, hand-written.
const CONNECTIONS: usize = 3;

/// Asserts that the benches reused the connections opened while checking the fixture.
fn assert_one_connection_each(fixture: &Fixture) {
    let connections = fixture.server.connections.load(Ordering::SeqCst);
    assert_eq!(
        connections, CONNECTIONS,
        "each client must keep its one connection"
    );
}

// ---------------------------------------------------------------------------------------------
// Request benches
// ---------------------------------------------------------------------------------------------

#[divan::bench(sample_count = REQUEST_SAMPLES, sample_size = REQUEST_SAMPLE_SIZE)]
fn generated_get_orgs(bencher: Bencher) {
    let fixture = fixture();
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        fixture
            .runtime
            .block_on(generated_get_orgs_once(&fixture.generated))
    });
    assert_one_connection_each(fixture);
}

#[divan::bench(sample_count = REQUEST_SAMPLES, sample_size = REQUEST_SAMPLE_SIZE)]
fn generated_get_orgs_noop_hook(bencher: Bencher) {
    let fixture = fixture();
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        fixture
            .runtime
            .block_on(generated_get_orgs_once(&fixture.hooked))
    });
    assert_one_connection_each(fixture);
}

#[divan::bench(sample_count = REQUEST_SAMPLES, sample_size = REQUEST_SAMPLE_SIZE)]
fn handwritten_get_orgs(bencher: Bencher) {
    let fixture = fixture();
    bencher
        .counter(ItemsCount::new(1usize))
        .bench_local(|| fixture.runtime.block_on(fixture.handwritten.get_orgs(None)));
    assert_one_connection_each(fixture);
}

#[divan::bench(sample_count = REQUEST_SAMPLES, sample_size = REQUEST_SAMPLE_SIZE)]
fn handwritten_get_orgs_timeout(bencher: Bencher) {
    let fixture = fixture();
    let timeout = Some(Duration::from_secs(30));
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        fixture
            .runtime
            .block_on(fixture.handwritten.get_orgs(timeout))
    });
    assert_one_connection_each(fixture);
}

// ---------------------------------------------------------------------------------------------
// Decode benches
// ---------------------------------------------------------------------------------------------

/// A 1,000-item Organizations page made of the published `org` example, as JSON bytes.
fn page_1000() -> Vec<u8> {
    let mut page = example("orgs");
    let org = example("org");
    page["items"] = Value::Array(vec![org; 1000]);
    for field in ["count", "perPage", "totalCount"] {
        page[field] = 1000.into();
    }
    serde_json::to_vec(&page).expect("serializes")
}

#[divan::bench(sample_count = 100)]
fn decode_organizations_1000(bencher: Bencher) {
    let bytes = page_1000();
    let page: Organizations = serde_json::from_slice(&bytes).expect("decodes");
    assert_eq!(page.items.as_deref().map(<[_]>::len), Some(1000));
    bencher
        .counter(BytesCount::of_slice(&bytes))
        .bench(|| serde_json::from_slice::<Organizations>(divan::black_box(&bytes)));
}

#[divan::bench(sample_count = 100)]
fn decode_value_1000(bencher: Bencher) {
    let bytes = page_1000();
    bencher
        .counter(BytesCount::of_slice(&bytes))
        .bench(|| serde_json::from_slice::<Value>(divan::black_box(&bytes)));
}
