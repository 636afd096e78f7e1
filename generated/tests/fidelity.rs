//! Never a wrong `Ok`, never a refused valid request: actions whose body depends on the status
//! say which came back, the status and headers and the raw body are reachable, uploads go out
//! part for part as Losant's JS client sends them, enum values from Losant's own examples go
//! out as written, and a broadly scoped token may call the streaming actions.

mod support;

use base64::Engine as _;
use losant::devices::DevicesDeleteResponse;
use losant::{Client, Error, FilePart, RetryPolicy};
use serde_json::{Value, json};
use support::{FaultServer, Reply, json as json_reply, response};

const APP: &str = "575ec8687ae143cd83dc4a97";

fn client(server: &FaultServer) -> Client {
    Client::builder("tok-fidelity")
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid")
}

fn delete_options() -> losant::models::DevicesDeleteOrRestorePost {
    serde_json::from_value(json!({"query": {"name": {"$ne": "My Device"}}})).expect("options")
}

#[tokio::test]
async fn a_job_answer_keeps_its_job_id() {
    // `devices.delete` answers 200 with counts, or 202 when it queued a job. The 202 used to
    // decode "successfully" as empty counts, and the job id was lost.
    let server = FaultServer::start(|_, n| {
        Reply::Close(match n {
            0 => json_reply(
                202,
                &json!({"jobQueued": true, "jobId": "job-123", "success": true}),
            ),
            1 => json_reply(200, &json!({"removed": 3, "failed": 1})),
            _ => json_reply(203, &json!({"something": "else"})),
        })
    })
    .await;
    let client = client(&server);
    let queued = client
        .devices()
        .delete(APP, delete_options())
        .await
        .expect("202");
    match queued {
        DevicesDeleteResponse::Accepted(job) => {
            assert_eq!(job.job_id.as_deref(), Some("job-123"));
            assert_eq!(job.job_queued, Some(true));
        }
        other => panic!("expected the job answer, got {other:?}"),
    }
    let done = client
        .devices()
        .delete(APP, delete_options())
        .await
        .expect("200");
    match done {
        DevicesDeleteResponse::Ok(counts) => {
            assert_eq!((counts.removed, counts.failed), (Some(3.0), Some(1.0)));
        }
        other => panic!("expected the counts, got {other:?}"),
    }
    // A 2xx the spec does not list is kept whole, not forced into a listed shape.
    let other = client
        .devices()
        .delete(APP, delete_options())
        .await
        .expect("203");
    match other {
        DevicesDeleteResponse::Other { status, body } => {
            assert_eq!(status.as_u16(), 203);
            assert_eq!(body, json!({"something": "else"}));
        }
        other => panic!("expected Other, got {other:?}"),
    }
}

#[tokio::test]
async fn status_headers_and_the_raw_body_are_reachable() {
    let server = FaultServer::start(|_, _| {
        Reply::Close(response(
            201,
            &[
                ("content-type", "application/json"),
                ("x-request-id", "abc"),
            ],
            br#"{"id":"575ed6e87ae143cd83dc4aa8","name":"My Org","undeclared":{"kept":true}}"#,
        ))
    })
    .await;
    let client = client(&server);
    let post = || {
        client
            .orgs()
            .post(losant::models::OrganizationPost::new("My Org".into()))
    };
    let response = post().send_with_response().await.expect("201");
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.request_id(), Some("abc"));
    assert_eq!(
        response.name.as_deref(),
        Some("My Org"),
        "derefs to the body"
    );
    let raw = post().send_raw().await.expect("201");
    assert_eq!(raw.status().as_u16(), 201);
    let value: Value = raw.json().expect("JSON");
    assert_eq!(
        value["undeclared"],
        json!({"kept": true}),
        "nothing is lost in the raw body"
    );
}

#[tokio::test]
async fn enum_values_from_losants_examples_go_out_as_written() {
    let server = FaultServer::start(|_, _| {
        Reply::KeepAlive(json_reply(200, &json!({"items": [], "totalCount": 0})))
    })
    .await;
    let client = client(&server);
    use losant::application_api_tokens::ApplicationApiTokensGetFilterField;
    use losant::device_attributes::DeviceAttributesGetSortField;
    use losant::resource_jobs::ResourceJobsGetFilterField;
    let key = ApplicationApiTokensGetFilterField::from("key");
    assert!(
        !matches!(key, ApplicationApiTokensGetFilterField::Unknown(_)),
        "a listed value now"
    );
    client
        .application_api_tokens()
        .get(APP)
        .filter_field(key)
        .send_raw()
        .await
        .expect("sent");
    client
        .device_attributes()
        .get(APP, "575ecf887ae143cd83dc4aa2")
        .sort_field(DeviceAttributesGetSortField::from("status"))
        .send_raw()
        .await
        .expect("sent");
    client
        .resource_jobs()
        .get(APP)
        .filter_field(ResourceJobsGetFilterField::from("device"))
        .send_raw()
        .await
        .expect("sent");
    // A value no spec lists, constructed on purpose, is sent as is too.
    client
        .resource_jobs()
        .get(APP)
        .filter_field(ResourceJobsGetFilterField::Unknown("somethingNew".into()))
        .send_raw()
        .await
        .expect("sent as is");
    let sent: Vec<Vec<(String, String)>> = server.received().iter().map(|r| r.query()).collect();
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert!(
        sent[0].contains(&pair("filterField", "key")),
        "{:?}",
        sent[0]
    );
    assert!(
        sent[1].contains(&pair("sortField", "status")),
        "{:?}",
        sent[1]
    );
    assert!(
        sent[2].contains(&pair("filterField", "device")),
        "{:?}",
        sent[2]
    );
    assert!(
        sent[3].contains(&pair("filterField", "somethingNew")),
        "{:?}",
        sent[3]
    );
}

/// A JWT whose `scope` claim is `scopes` (unsigned: the client only reads the claim).
fn jwt(scopes: &[&str]) -> String {
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({ "scope": scopes }).to_string());
    format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")
}

#[tokio::test]
async fn a_broadly_scoped_token_may_follow_a_device_stream() {
    let server = FaultServer::start(|_, _| {
        Reply::Close(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\nevent: deviceState\ndata: {\"data\":{\"t\":1}}\n\n"
                .to_vec(),
        )
    })
    .await;
    for scope in ["all.Application", "all.Device.read", "device.*"] {
        let client = Client::builder(jwt(&[scope]))
            .base_url(server.url())
            .build()
            .expect("valid");
        assert_eq!(client.scopes(), Some(&[scope.to_owned()][..]));
        let _events = client
            .device()
            .state_stream(APP, "575ecf887ae143cd83dc4aa2")
            .await
            .unwrap_or_else(|err| panic!("{scope}: {err}"));
    }
    // A token for another resource is still refused before anything is sent...
    let before = server.count();
    let narrow = Client::builder(jwt(&["webhooks.get"]))
        .base_url(server.url())
        .build()
        .expect("valid");
    let error = narrow
        .device()
        .state_stream(APP, "575ecf887ae143cd83dc4aa2")
        .await
        .err()
        .expect("refused");
    assert!(matches!(error, Error::MissingScope { .. }), "{error:?}");
    // ...unless the check is turned off: the server then decides.
    let unchecked = Client::builder(jwt(&["webhooks.get"]))
        .base_url(server.url())
        .check_scopes(false)
        .build()
        .expect("valid");
    let _events = unchecked
        .device()
        .state_stream(APP, "575ecf887ae143cd83dc4aa2")
        .await
        .expect("sent");
    assert_eq!(server.count(), before + 1);
}

/// The parts of a captured fixture (`generated/tests/fixtures/multipart/NAME.txt`).
fn fixture_parts(name: &str) -> Vec<losant::runtime::ParsedPart> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/multipart")
        .join(format!("{name}.txt"));
    let text = std::fs::read(&path).expect("fixture");
    let split = text
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header line");
    let content_type = String::from_utf8_lossy(&text[..split]).replace("Content-Type: ", "");
    losant::runtime::parse_multipart(&text[split + 4..], &content_type).expect("the fixture parses")
}

/// The arguments the fixtures were captured with.
fn fixture_args(action: &str) -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multipart/args.json");
    let all: Value = serde_json::from_slice(&std::fs::read(path).expect("args")).expect("JSON");
    all["actions"][action]["params"].clone()
}

fn file(args: &Value, field: &str) -> FilePart {
    let file = &args[field]["file"];
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["base64"].as_str().expect("base64"))
        .expect("valid base64");
    FilePart::new(file["name"].as_str().expect("name").to_owned(), bytes)
}

fn text(args: &Value, field: &str) -> String {
    args[field].as_str().expect("a text argument").to_owned()
}

#[tokio::test]
async fn the_five_uploads_send_what_losants_js_client_sends() {
    let server = FaultServer::start(|_, _| Reply::KeepAlive(json_reply(200, &json!({})))).await;
    let client = client(&server);
    let mut sent = Vec::new();

    let args = fixture_args("application.import");
    client
        .application()
        .import(text(&args, "applicationId"))
        .import_bundle(file(&args, "importBundle"))
        .email(text(&args, "email"))
        .options(serde_json::from_value(args["options"].clone()).expect("options"))
        .send_raw()
        .await
        .expect("sent");
    sent.push("application.import");

    let args = fixture_args("applications.import");
    let flag = |field: &str| text(&args, field) == "true";
    client
        .applications()
        .import()
        .import_bundle(file(&args, "importBundle"))
        .owner_id(text(&args, "ownerId"))
        .owner_type(text(&args, "ownerType").as_str().into())
        .include_devices(flag("includeDevices"))
        .include_data_table_rows(flag("includeDataTableRows"))
        .include_files(flag("includeFiles"))
        .send_raw()
        .await
        .expect("sent");
    sent.push("applications.import");

    let args = fixture_args("file.upload");
    client
        .file()
        .upload(
            text(&args, "applicationId"),
            text(&args, "fileId"),
            file(&args, "file"),
        )
        .send_raw()
        .await
        .expect("sent");
    sent.push("file.upload");

    let args = fixture_args("notebook.upload");
    client
        .notebook()
        .upload(
            text(&args, "applicationId"),
            text(&args, "notebookId"),
            file(&args, "jupyterFile"),
        )
        .send_raw()
        .await
        .expect("sent");
    sent.push("notebook.upload");

    let args = fixture_args("privateFile.upload");
    client
        .private_file()
        .upload(
            text(&args, "applicationId"),
            text(&args, "privateFileId"),
            file(&args, "privateFile"),
        )
        .send_raw()
        .await
        .expect("sent");
    sent.push("privateFile.upload");

    for (request, action) in server.received().iter().zip(sent) {
        let ours = losant::runtime::parse_multipart(
            &request.body,
            request.header("content-type").expect("a content type"),
        )
        .unwrap_or_else(|err| panic!("{action}: our body does not parse: {err}"));
        let names: Vec<&str> = ours.iter().filter_map(|p| p.name()).collect();
        // The JS client (API 1.33) knows fields the 1.30.0 spec does not: compare the fields
        // both send, which the JS client sends in spec order too.
        let theirs: Vec<_> = fixture_parts(action)
            .into_iter()
            .filter(|p| p.name().is_some_and(|n| names.contains(&n)))
            .collect();
        assert_eq!(ours, theirs, "{action}: parts differ from the JS client's");
        assert_eq!(
            request.header("content-length").map(str::to_owned),
            Some(request.body.len().to_string()),
            "{action}: sent with its length"
        );
    }
    assert_eq!(server.count(), 5);
}
