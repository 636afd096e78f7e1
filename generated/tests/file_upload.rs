//! Losant's two-step file upload over a local server that plays both the API and the storage:
//! `files.post` creates the record with the API token, then the file goes to the upload URL
//! with the answer's form fields, without the token; storage errors (S3's XML) are reported
//! with their code and message.

mod support;

use std::io::Write as _;

use losant::runtime::parse_multipart;
use losant::{Client, Error, FilePart, RetryPolicy};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{FaultServer, Recorded, Reply};

const APP: &str = "575ec8687ae143cd83dc4a97";
const TOKEN: &str = "api-token-9d2e";
const FILES_PATH: &str = "/applications/575ec8687ae143cd83dc4a97/files";
const BUCKET_PATH: &str = "/the-bucket";

/// `files.post`'s answer, with an upload URL on `server_url`.
fn created(server_url: &str, upload: bool) -> Value {
    let mut answer = json!({
        "id": "5f2c1d0e8a4b3c2d1e0f9a8b",
        "applicationId": APP,
        "name": "readings.csv",
        "status": "pending",
        "type": "file",
    });
    if upload {
        answer["upload"] = json!({
            "url": format!("{server_url}{BUCKET_PATH}"),
            "fields": {
                "key": "575ec8687ae143cd83dc4a97/data/readings.csv",
                "bucket": "losant-files",
                "Policy": "eyJjb25kaXRpb25zIjpbXX0=",
                "X-Amz-Signature": "a4a411df572c43b4",
            },
        });
    }
    answer
}

/// A server answering `files.post` as Losant does and the upload URL with `storage`.
async fn server(storage: Vec<u8>) -> FaultServer {
    let storage = std::sync::Mutex::new(Some(storage));
    FaultServer::start(move |request, _| match request.path() {
        FILES_PATH => {
            let host = request.header("host").expect("a Host header");
            Reply::Close(support::json(
                201,
                &created(&format!("http://{host}"), true),
            ))
        }
        BUCKET_PATH => Reply::Close(
            storage
                .lock()
                .expect("not poisoned")
                .take()
                .unwrap_or_else(|| support::response(500, &[], b"answered once")),
        ),
        _ => Reply::Close(support::json(404, &json!({"type": "NotFound"}))),
    })
    .await
}

fn client(server: &FaultServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

fn request_to<'a>(received: &'a [Recorded], path: &str) -> &'a Recorded {
    received
        .iter()
        .find(|r| r.path() == path)
        .unwrap_or_else(|| panic!("no request to {path} in {received:?}"))
}

#[tokio::test]
async fn both_steps_stream_the_file_from_disk_and_only_the_first_carries_the_token() {
    let server = server(support::response(204, &[], b"")).await;
    let contents: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut file = tempfile::Builder::new()
        .suffix(".csv")
        .tempfile()
        .expect("a temporary file");
    file.write_all(&contents).expect("written");
    let part = FilePart::from_path(file.path()).await.expect("a file part");

    let uploaded = client(&server)
        .upload_file(APP, part)
        .name("readings.csv")
        .parent_directory("/data")
        .await
        .expect("uploaded");

    assert_eq!(uploaded.storage_status, StatusCode::NO_CONTENT);
    assert_eq!(
        uploaded.file.id.as_deref(),
        Some("5f2c1d0e8a4b3c2d1e0f9a8b")
    );
    let received = server.received();
    assert_eq!(received.len(), 2);

    let create = request_to(&received, FILES_PATH);
    assert_eq!(create.method, "POST");
    assert_eq!(
        create.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let body: Value = serde_json::from_slice(&create.body).expect("JSON");
    assert_eq!(
        body,
        json!({
            "name": "readings.csv",
            "parentDirectory": "/data",
            "type": "file",
            "fileSize": 200000.0,
            "contentType": "text/csv",
        })
    );

    let upload = request_to(&received, BUCKET_PATH);
    assert_eq!(upload.method, "POST");
    assert_eq!(
        upload.header("authorization"),
        None,
        "the token is not for the storage"
    );
    assert_eq!(
        upload.header("accept-version"),
        None,
        "nor are the API's headers"
    );
    let content_type = upload.header("content-type").expect("a content type");
    let parts = parse_multipart(&upload.body, content_type).expect("a multipart body");
    let fields: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|p| (p.name().expect("named"), &p.body[..]))
        .collect();
    assert_eq!(
        fields[..4],
        [
            ("key", &b"575ec8687ae143cd83dc4a97/data/readings.csv"[..]),
            ("bucket", &b"losant-files"[..]),
            ("Policy", &b"eyJjb25kaXRpb25zIjpbXX0="[..]),
            ("X-Amz-Signature", &b"a4a411df572c43b4"[..]),
        ]
    );
    let last = parts.last().expect("the file part");
    assert_eq!(last.name(), Some("file"), "the file comes last");
    assert_eq!(last.content_type(), Some("text/csv"));
    assert_eq!(&last.body[..], &contents[..], "the whole file, unchanged");
}

#[tokio::test]
async fn a_storage_error_reports_its_xml_code_and_message() {
    let xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>EntityTooLarge</Code>\
        <Message>Your proposed upload exceeds the maximum allowed size</Message>\
        <RequestId>4442587FB7D0A2F9</RequestId></Error>";
    let server = server(support::response(
        400,
        &[("content-type", "application/xml")],
        xml,
    ))
    .await;

    let err = client(&server)
        .upload_file(APP, FilePart::new("big.bin", vec![0u8; 64]))
        .await
        .expect_err("the storage refused it");

    let Error::Api(api) = &err else {
        panic!("expected the storage's error, got {err:?}");
    };
    assert_eq!(api.operation, "fileStorage.upload");
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.error_type.as_deref(), Some("EntityTooLarge"));
    assert_eq!(
        err.to_string(),
        "fileStorage.upload: the API answered 400 Bad Request (EntityTooLarge): Your proposed \
         upload exceeds the maximum allowed size"
    );
    assert!(
        api.body.contains("4442587FB7D0A2F9"),
        "the whole document is kept"
    );
}

#[tokio::test]
async fn an_answer_without_an_upload_url_fails_before_any_upload() {
    let server =
        FaultServer::start(|_, _| Reply::Close(support::json(201, &created("", false)))).await;

    let err = client(&server)
        .upload_file(APP, FilePart::new("a.txt", "a"))
        .await
        .expect_err("nowhere to upload to");

    assert!(
        matches!(
            err,
            Error::Decode {
                operation: "files.post",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("the answer has no `upload` member"),
        "{err}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_upload_url_over_plain_http_to_another_host_is_refused() {
    let server =
        FaultServer::start(|_, _| Reply::Close(support::json(201, &created("", false)))).await;
    let upload = serde_json::from_value(json!({"url": "http://storage.example.com/bucket"}))
        .expect("an upload");

    let err = client(&server)
        .send_file_to_storage(&upload, &FilePart::new("a.txt", "a"), &Default::default())
        .await
        .expect_err("refused");

    let Error::InvalidRequest { operation, errors } = &err else {
        panic!("expected an invalid request, got {err:?}");
    };
    assert_eq!(*operation, "fileStorage.upload");
    assert!(errors.to_string().contains("plain http"), "{errors}");
    assert_eq!(server.count(), 0, "nothing sent");
}
