//! Every example in `generated/examples/` run against a local server, so that none can rot:
//! each example's work is an `async fn run` in its file, included here as a module (its
//! `main` only reads the environment and prints), and called with a client pointed at a
//! server that answers as Losant would. What the example sent and printed is checked.

mod support;

use std::collections::HashMap;
use std::io::Write as _;

use losant::{Client, ClientBuilder, RetryPolicy};
use serde_json::{Value, json};
use support::{FaultServer, Recorded, Reply};

#[allow(dead_code)]
#[path = "../examples/device_login.rs"]
mod device_login;
#[allow(dead_code)]
#[path = "../examples/follow_device_state.rs"]
mod follow_device_state;
#[allow(dead_code)]
#[path = "../examples/handle_errors.rs"]
mod handle_errors;
#[allow(dead_code)]
#[path = "../examples/list_devices_by_tag.rs"]
mod list_devices_by_tag;
#[allow(dead_code)]
#[path = "../examples/list_orgs.rs"]
mod list_orgs;
#[allow(dead_code)]
#[path = "../examples/report_state.rs"]
mod report_state;
#[allow(dead_code)]
#[path = "../examples/upload_file.rs"]
mod upload_file;
#[allow(dead_code)]
#[path = "../examples/webhook_lifecycle.rs"]
mod webhook_lifecycle;

const APP: &str = "575ec8687ae143cd83dc4a97";
const DEVICE: &str = "575ecf887ae143cd83dc4aa2";
const TOKEN: &str = "example-token";

fn client(server: &FaultServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

fn ok(body: Value) -> Reply {
    Reply::KeepAlive(support::json(200, &body))
}

fn text(out: Vec<u8>) -> String {
    String::from_utf8(out).expect("UTF-8 output")
}

/// The one request with this method and path.
fn request<'a>(received: &'a [Recorded], method: &str, path: &str) -> &'a Recorded {
    let found: Vec<_> = received
        .iter()
        .filter(|r| r.method == method && r.path() == path)
        .collect();
    assert_eq!(found.len(), 1, "one {method} {path} in {received:?}");
    found[0]
}

fn json_body(request: &Recorded) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

#[tokio::test]
async fn list_orgs_follows_every_page() {
    let server = FaultServer::start(|request, _| {
        let page = request.query().into_iter().find(|(k, _)| k == "page");
        match page.as_ref().map(|(_, v)| v.as_str()) {
            Some("0") => ok(json!({
                "items": [
                    {"id": "5a1", "name": "Acme", "members": [{}, {}], "creationDate": "2024-01-02T03:04:05.000Z"},
                    {"id": "5a2", "name": "Globex"},
                ],
                "totalCount": 3,
            })),
            _ => ok(json!({"items": [{"id": "5a3", "name": "Initech"}], "totalCount": 3})),
        }
    })
    .await;
    let mut out = Vec::new();

    let count = list_orgs::run(&client(&server), &mut out)
        .await
        .expect("listed");

    assert_eq!(count, 3);
    assert_eq!(
        text(out),
        "5a1\tAcme\t2 members\tcreated 2024-01-02\n5a2\tGlobex\t- members\tcreated -\n\
         5a3\tInitech\t- members\tcreated -\n"
    );
    assert_eq!(server.count(), 2, "two pages");
}

#[tokio::test]
async fn list_devices_by_tag_filters_by_the_tag_across_pages() {
    let server = FaultServer::start(|request, _| {
        let page = request.query().into_iter().find(|(k, _)| k == "page");
        match page.as_ref().map(|(_, v)| v.as_str()) {
            Some("0") => ok(json!({
                "items": [{"id": "d1", "name": "Boiler"}, {"id": "d2", "name": "Chiller"}],
                "totalCount": 3,
            })),
            _ => ok(json!({"items": [{"id": "d3", "name": "Pump"}], "totalCount": 3})),
        }
    })
    .await;
    let mut out = Vec::new();

    let count = list_devices_by_tag::run(&client(&server), APP, "floor=3", &mut out)
        .await
        .expect("listed");

    assert_eq!(count, 3);
    assert_eq!(text(out), "d1\tBoiler\nd2\tChiller\nd3\tPump\n");
    let received = server.received();
    assert_eq!(received.len(), 2);
    for (n, page) in received.iter().enumerate() {
        assert_eq!(page.path(), format!("/applications/{APP}/devices"));
        let query: HashMap<String, String> = page.query().into_iter().collect();
        assert_eq!(query["tagFilter[0][key]"], "floor");
        assert_eq!(query["tagFilter[0][value]"], "3");
        assert_eq!(query["perPage"], "100");
        assert_eq!(query["page"], n.to_string());
    }
}

#[tokio::test]
async fn report_state_sends_the_state_and_reads_the_last_value_back() {
    let server = FaultServer::start(|request, _| match request.path() {
        p if p.ends_with("/state") => ok(json!({"success": true})),
        _ => ok(json!({
            DEVICE: {"time": "2024-06-01T12:00:00.000Z", "data": {"temperature": 21.5}},
        })),
    })
    .await;

    let line = report_state::run(&client(&server), APP, DEVICE, "temperature", "21.5")
        .await
        .expect("reported");

    assert_eq!(line, "temperature = 21.5 at 2024-06-01 12:00:00 +00:00");
    let received = server.received();
    let state = request(
        &received,
        "POST",
        &format!("/applications/{APP}/devices/{DEVICE}/state"),
    );
    assert_eq!(json_body(state), json!({"data": {"temperature": 21.5}}));
    let query = request(
        &received,
        "POST",
        &format!("/applications/{APP}/data/last-value-query"),
    );
    assert_eq!(
        json_body(query),
        json!({"attribute": "temperature", "deviceIds": [DEVICE]})
    );
}

#[tokio::test]
async fn webhook_lifecycle_creates_renames_and_deletes() {
    let server = FaultServer::start(|request, _| match request.method.as_str() {
        "POST" => Reply::KeepAlive(support::json(
            201,
            &json!({"id": "5f2c1d0e8a4b3c2d1e0f9a8c", "name": "hook"}),
        )),
        "PATCH" => ok(json!({"id": "5f2c1d0e8a4b3c2d1e0f9a8c", "name": "hook (renamed)"})),
        _ => ok(json!({"success": true})),
    })
    .await;

    let steps = webhook_lifecycle::run(&client(&server), APP, "hook")
        .await
        .expect("done");

    assert_eq!(
        steps,
        [
            "created 5f2c1d0e8a4b3c2d1e0f9a8c (hook)",
            "renamed 5f2c1d0e8a4b3c2d1e0f9a8c to hook (renamed)",
            "deleted 5f2c1d0e8a4b3c2d1e0f9a8c: true"
        ]
    );
    let received = server.received();
    let created = request(&received, "POST", &format!("/applications/{APP}/webhooks"));
    assert_eq!(json_body(created)["name"], "hook");
    let patched = request(
        &received,
        "PATCH",
        &format!("/applications/{APP}/webhooks/5f2c1d0e8a4b3c2d1e0f9a8c"),
    );
    assert_eq!(json_body(patched), json!({"name": "hook (renamed)"}));
    request(
        &received,
        "DELETE",
        &format!("/applications/{APP}/webhooks/5f2c1d0e8a4b3c2d1e0f9a8c"),
    );
}

#[tokio::test]
async fn upload_file_creates_the_record_then_sends_the_content_to_storage() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/bucket" => Reply::KeepAlive(support::response(204, &[], b"")),
        _ => {
            let host = request.header("host").expect("a Host header");
            Reply::KeepAlive(support::json(
                201,
                &json!({
                    "id": "f1",
                    "name": "readings.csv",
                    "upload": {"url": format!("http://{host}/bucket"), "fields": {"key": "k"}},
                }),
            ))
        }
    })
    .await;
    let mut file = tempfile::Builder::new()
        .prefix("readings")
        .suffix(".csv")
        .tempfile()
        .expect("a temporary file");
    file.write_all(b"time,value\n1,2.5\n").expect("written");
    let path = file.path().to_str().expect("a UTF-8 path");

    let line = upload_file::run(&client(&server), APP, path, Some("/readings"))
        .await
        .expect("uploaded");

    assert_eq!(
        line,
        "stored readings.csv (17 bytes) as file f1 (204 No Content)"
    );
    let received = server.received();
    let create = request(&received, "POST", &format!("/applications/{APP}/files"));
    assert_eq!(json_body(create)["parentDirectory"], "/readings");
    let upload = request(&received, "POST", "/bucket");
    assert_eq!(upload.header("authorization"), None);
    assert!(
        upload.body.windows(17).any(|w| w == b"time,value\n1,2.5\n"),
        "the file's content was sent"
    );
}

#[tokio::test]
async fn follow_device_state_prints_each_state_as_it_arrives() {
    let stream = "event: deviceState\ndata: {\"time\":\"2024-06-01T12:00:00.000Z\",\"data\":{\"t\":1}}\n\n\
                  : keep-alive\n\n\
                  event: deviceState\ndata: {\"data\":{\"t\":2}}\n\n";
    let server = FaultServer::start(move |_, _| {
        Reply::Close(support::response(
            200,
            &[("content-type", "text/event-stream")],
            stream.as_bytes(),
        ))
    })
    .await;
    let mut out = Vec::new();

    let count = follow_device_state::run(&client(&server), APP, DEVICE, Some(2), &mut out)
        .await
        .expect("followed");

    assert_eq!(count, 2);
    assert_eq!(
        text(out),
        "2024-06-01T12:00:00.000Z\t{\"t\":1.0}\n-\t{\"t\":2.0}\n"
    );
    let received = server.received();
    assert_eq!(
        received[0].path(),
        format!("/applications/{APP}/devices/{DEVICE}/stateStream")
    );
}

#[tokio::test]
async fn handle_errors_explains_each_failure() {
    let server = FaultServer::start(|request, _| {
        if request.path().ends_with("/devices") {
            return Reply::Hang(Vec::new());
        }
        Reply::KeepAlive(support::json(
            404,
            &json!({"type": "NotFound", "message": "Device was not found"}),
        ))
    })
    .await;

    let lines = handle_errors::run(&client(&server), APP).await;

    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("an invalid id: fix the request, nothing was sent: "),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[1],
        "a device that does not exist: not found (Device was not found): check the ids"
    );
    assert!(
        lines[2].starts_with("a call given 1 ms: too slow, give it longer"),
        "{}",
        lines[2]
    );
    assert!(
        server.received().iter().all(|r| !r.path().contains("not")),
        "the invalid id was never sent"
    );
}

#[tokio::test]
async fn device_login_logs_in_from_the_environment_and_reports_as_the_device() {
    let server = FaultServer::start(|request, _| match request.path() {
        "/auth/device" => {
            ok(json!({"token": "device-token", "applicationId": APP, "deviceId": DEVICE}))
        }
        _ => ok(json!({"success": true})),
    })
    .await;
    let url = server.url();
    let vars: HashMap<&str, &str> = HashMap::from([
        ("LOSANT_API_URL", url.as_str()),
        ("LOSANT_DEVICE_ID", DEVICE),
        ("LOSANT_DEVICE_KEY", "the-key"),
        ("LOSANT_DEVICE_SECRET", "the-secret"),
    ]);
    let client = ClientBuilder::from_vars(|name| vars.get(name).map(|v| (*v).to_owned()))
        .expect("configured")
        .build()
        .expect("valid");

    let line = device_login::run(&client, APP, DEVICE)
        .await
        .expect("reported");

    assert_eq!(
        line,
        format!("device {DEVICE} reported its state: accepted")
    );
    let received = server.received();
    let login = request(&received, "POST", "/auth/device");
    assert_eq!(
        json_body(login),
        json!({"deviceId": DEVICE, "key": "the-key", "secret": "the-secret"})
    );
    let state = request(
        &received,
        "POST",
        &format!("/applications/{APP}/devices/{DEVICE}/state"),
    );
    assert_eq!(state.header("authorization"), Some("Bearer device-token"));
    assert_eq!(json_body(state), json!({"data": {"online": true}}));
}

/// No example escapes these tests or the docs: each file in `examples/` is a module of this
/// file, declared in Cargo.toml (with the features it needs) and listed in the README's table.
#[test]
fn every_example_is_run_here_declared_and_listed_in_the_readme() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(dir.join(path)).expect(path);
    let this = read("tests/examples.rs");
    let manifest = read("Cargo.toml");
    let readme = read("../README.md");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("examples"))
        .expect("examples/")
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for name in &names {
        assert!(
            this.contains(&format!("#[path = \"../examples/{name}.rs\"]\nmod {name};"))
                && this.contains(&format!("{name}::run(")),
            "examples/{name}.rs is not run by a test here"
        );
        assert!(
            manifest.contains(&format!(
                "[[example]]\nname = \"{name}\"\nrequired-features"
            )),
            "examples/{name}.rs has no [[example]] with its required features in Cargo.toml"
        );
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "examples/{name}.rs is not in the README's table of examples"
        );
    }
}
