//! The `multipart` fixture's generated code (`tests/fixtures/multipart/`), compiled with the
//! runtime and used as a user would: an upload action takes the required file as an argument
//! and its other form fields (text, and JSON-encoded) as methods, and sends them as one
//! `multipart/form-data` body.

include!(concat!(env!("OUT_DIR"), "/multipart/crate.rs"));

mod harness;

use harness::Answer;
use models::{Upload, UploadOptions};
use runtime::parse_multipart;
use serde_json::json;

#[tokio::test]
async fn the_file_and_the_fields_are_parts_of_one_body() {
    let (client, log) = harness::client(|_| {
        Answer::json(201, json!({"id": "f1", "name": "notes.txt", "size": 11}))
    });
    let file = FilePart::new("notes.txt", "hello world").content_type("text/plain");
    let upload: Upload = client
        .files()
        .upload(file)
        .name("notes.txt")
        .options(UploadOptions {
            overwrite: Some(true),
            tags: Some(vec!["draft".into()]),
        })
        .await
        .unwrap();
    assert_eq!((upload.id.as_deref(), upload.size), (Some("f1"), Some(11)));

    let sent = log.one();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/files/upload")
    );
    let content_type = sent.header("content-type").unwrap().to_owned();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let parts = parse_multipart(&sent.body, &content_type).unwrap();
    let [file, name, options] = parts.as_slice() else {
        panic!("three parts: {parts:?}")
    };
    assert_eq!(
        (file.name(), file.file_name(), file.content_type()),
        (Some("file"), Some("notes.txt"), Some("text/plain"))
    );
    assert_eq!(&file.body[..], b"hello world");
    assert_eq!((name.name(), name.file_name()), (Some("name"), None));
    assert_eq!(&name.body[..], b"notes.txt");
    assert_eq!(options.name(), Some("options"));
    let options: serde_json::Value = serde_json::from_slice(&options.body).unwrap();
    assert_eq!(options, json!({"overwrite": true, "tags": ["draft"]}));
}

#[tokio::test]
async fn optional_fields_left_out_are_not_sent() {
    let (client, log) = harness::client(|_| Answer::json(201, json!({"id": "f2"})));
    client
        .files()
        .upload(FilePart::new("data.bin", vec![0_u8, 255, 1]))
        .await
        .unwrap();
    let sent = log.one();
    let parts = parse_multipart(&sent.body, sent.header("content-type").unwrap()).unwrap();
    let [file] = parts.as_slice() else {
        panic!("one part: {parts:?}")
    };
    assert_eq!(
        (file.name(), file.file_name()),
        (Some("file"), Some("data.bin"))
    );
    assert_eq!(&file.body[..], [0, 255, 1]);
}

#[tokio::test]
async fn form_fields_are_checked_before_anything_is_sent() {
    let (client, log) = harness::client(|_| Answer::json(201, json!({})));
    let result = client
        .files()
        .upload(FilePart::new("a.txt", "a"))
        .name("a name longer than twenty characters")
        .await;
    let Err(Error::InvalidRequest { errors, .. }) = result else {
        panic!("an invalid request: {result:?}")
    };
    assert!(errors.to_string().contains("name"), "{errors}");
    assert!(log.all().is_empty(), "nothing was sent");
}
