//! The test kit (`losant::testing`, feature `test-util`) used the way an application's own
//! tests would use it: the code under test is ordinary code taking a `losant::Client`, and
//! each test gives it the client of a `MockApi`, with no network and no socket. The real
//! request path runs underneath: validation, the scope check, query encoding, retries (on a
//! paused tokio clock, so no test waits), pagination and decoding.

use std::time::Duration;

use futures_util::TryStreamExt;
use losant::device::DevicePatchRequest;
use losant::devices::DevicesGetRequest;
use losant::models::{Device, DevicePatch, Devices, TagMatch};
use losant::runtime::{Method, TransportErrorKind};
use losant::testing::{MockApi, Reply};
use losant::{Client, Error, RetryPolicy};
use serde_json::json;

const APP: &str = "575ec8687ae143cd83dc4a97";
const DEVICE: &str = "575ecf887ae143cd83dc4aa2";

// ---------------------------------------------------------------------------------------------
// The code under test: what an application built on the SDK might have.
// ---------------------------------------------------------------------------------------------

/// The names of every device of `app` tagged `floor` = `floor`, across all pages.
async fn devices_on_floor(client: &Client, app: &str, floor: u32) -> Result<Vec<String>, Error> {
    let on_floor = TagMatch {
        key: Some("floor".into()),
        value: Some(floor.to_string()),
    };
    let devices: Vec<Device> = client
        .devices()
        .get(app)
        .tag_filter(vec![on_floor])
        .per_page(2)
        .into_stream()
        .try_collect()
        .await?;
    Ok(devices.into_iter().filter_map(|d| d.name).collect())
}

/// Renames a device; `Ok(false)` when the API says there is no such device.
async fn rename_device(
    client: &Client,
    app: &str,
    device: &str,
    name: &str,
) -> Result<bool, Error> {
    let patch = DevicePatch {
        name: Some(name.into()),
        ..Default::default()
    };
    match client.device().patch(app, device, patch).await {
        Ok(_) => Ok(true),
        Err(Error::Api(api)) if api.status == 404 => Ok(false),
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers of the tests
// ---------------------------------------------------------------------------------------------

fn device(name: &str) -> Device {
    Device {
        name: Some(name.into()),
        ..Default::default()
    }
}

/// A page of the device list: `names`, out of `total`.
fn page(names: &[&str], total: i64) -> Devices {
    Devices {
        items: Some(names.iter().map(|n| device(n)).collect()),
        count: Some(names.len() as i64),
        total_count: Some(total),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// A paginated list
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn lists_devices_across_every_page() {
    let mock = MockApi::new();
    mock.expect(DevicesGetRequest::OPERATION)
        .reply(Reply::json(page(&["lobby", "hall"], 3)))
        .reply(Reply::json(page(&["stairs"], 3)))
        .times(2);

    let names = devices_on_floor(&mock.client(), APP, 3).await.unwrap();

    assert_eq!(names, ["lobby", "hall", "stairs"]);
    let sent = mock.requests(DevicesGetRequest::OPERATION);
    let pages: Vec<_> = sent.iter().map(|r| r.query("page")).collect();
    assert_eq!(pages, [Some("0".into()), Some("1".into())]);
    for request in &sent {
        assert_eq!(request.method(), Method::Get);
        assert_eq!(request.path_param("applicationId").as_deref(), Some(APP));
        assert_eq!(request.query("perPage").as_deref(), Some("2"));
        // The tag filter went out in the bracket form Losant reads.
        assert_eq!(request.query("tagFilter[0][key]").as_deref(), Some("floor"));
        assert_eq!(request.query("tagFilter[0][value]").as_deref(), Some("3"));
    }
    mock.verify();
}

#[tokio::test]
async fn an_expectation_without_a_reply_answers_the_published_example() {
    let mock = MockApi::new();
    let list = mock.expect(DevicesGetRequest::OPERATION);

    let page = mock.client().devices().get(APP).await.unwrap();

    // Losant's published `devices` example: one device of application 575ec868...
    let devices = page.items.expect("the example lists devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].application_id.as_deref(), Some(APP));
    assert!(devices[0].name.is_some());
    assert_eq!(list.calls(), 1);
    mock.verify();
}

#[tokio::test]
async fn expectations_match_on_parameters_and_are_tried_in_order() {
    let mock = MockApi::new();
    let other_app = "575ec8687ae143cd83dc4a98";
    let first = mock
        .expect(DevicesGetRequest::OPERATION)
        .path_param("applicationId", APP)
        .query("page", 1)
        .reply(Reply::json(page(&["second page"], 3)));
    let second = mock
        .expect(DevicesGetRequest::OPERATION)
        .path_param("applicationId", other_app)
        .reply(Reply::json(page(&["other app"], 1)));

    let client = mock.client();
    let other = client.devices().get(other_app).await.unwrap();
    let paged = client.devices().get(APP).page(1).await.unwrap();

    assert_eq!(other.items.unwrap()[0].name.as_deref(), Some("other app"));
    assert_eq!(paged.items.unwrap()[0].name.as_deref(), Some("second page"));
    assert_eq!((first.calls(), second.calls()), (1, 1));
    mock.verify();
}

// ---------------------------------------------------------------------------------------------
// A PATCH
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn renames_a_device_with_a_patch() {
    let mock = MockApi::new();
    mock.expect(DevicePatchRequest::OPERATION)
        .path_param("applicationId", APP)
        .path_param("deviceId", DEVICE)
        .json_body(json!({ "name": "Lobby sensor" }))
        .times(1);

    let renamed = rename_device(&mock.client(), APP, DEVICE, "Lobby sensor").await;

    assert!(renamed.unwrap());
    let [sent] = &mock.requests(DevicePatchRequest::OPERATION)[..] else {
        panic!("one request expected");
    };
    assert_eq!(sent.method(), Method::Patch);
    assert_eq!(
        sent.path(),
        format!("/applications/{APP}/devices/{DEVICE}").as_str()
    );
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), Some("Bearer test-token"));
    // Only the field that was set goes out: the others are left alone, not cleared.
    let body: DevicePatch = sent.decode().unwrap();
    assert_eq!(
        body,
        DevicePatch {
            name: Some("Lobby sensor".into()),
            ..Default::default()
        }
    );
    mock.verify();
}

#[tokio::test]
async fn an_invalid_patch_is_refused_before_anything_is_sent() {
    let mock = MockApi::new();
    let patch = DevicePatch {
        name: Some(String::new()), // the spec says at least one character
        ..Default::default()
    };

    let result = mock.client().device().patch(APP, DEVICE, patch).await;

    assert!(
        matches!(result, Err(Error::InvalidRequest { .. })),
        "{result:?}"
    );
    assert!(mock.all_requests().is_empty());
    mock.verify();
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_missing_device_is_an_api_error() {
    let mock = MockApi::new();
    mock.expect(DevicePatchRequest::OPERATION)
        .reply(Reply::error(404, "NotFound", "Device was not found"));

    // The code under test maps the 404 to `false`...
    let renamed = rename_device(&mock.client(), APP, DEVICE, "x").await;
    assert!(!renamed.unwrap());

    // ...because the SDK reports it as `Error::Api` with the API's type and message.
    let direct = mock
        .client()
        .device()
        .patch(APP, DEVICE, DevicePatch::default())
        .await;
    let Err(Error::Api(api)) = direct else {
        panic!("expected Error::Api, got {direct:?}");
    };
    assert_eq!(api.status, 404);
    assert_eq!(api.error_type.as_deref(), Some("NotFound"));
    assert_eq!(api.message.as_deref(), Some("Device was not found"));
    assert_eq!(api.attempts, 1, "a 404 is not retried");
    mock.verify();
}

#[tokio::test]
async fn a_documented_error_answers_its_published_example() {
    let mock = MockApi::new();
    mock.expect(DevicesGetRequest::OPERATION)
        .reply(Reply::example_status(400));

    let result = mock.client().devices().get(APP).await;

    let Err(Error::Api(api)) = result else {
        panic!("expected Error::Api, got {result:?}");
    };
    assert_eq!(api.status, 400);
    // Losant's published `error` example.
    assert!(api.error_type.is_some(), "{api:?}");
    assert!(api.message.is_some(), "{api:?}");
    mock.verify();
}

#[tokio::test]
async fn a_token_without_the_scope_sends_nothing() {
    let mock = MockApi::new();
    let client = mock
        .client_builder()
        .scopes(["all.Application.read"])
        .build()
        .unwrap();

    let result = rename_device(&client, APP, DEVICE, "x").await;

    assert!(
        matches!(result, Err(Error::MissingScope { .. })),
        "{result:?}"
    );
    assert!(mock.all_requests().is_empty());
    mock.verify();
}

// ---------------------------------------------------------------------------------------------
// Retries, on tokio's paused clock
// ---------------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_503_is_retried_and_the_list_still_completes() {
    let mock = MockApi::new();
    let list = mock
        .expect(DevicesGetRequest::OPERATION)
        .reply(Reply::status(503))
        .reply(Reply::json(page(&["lobby"], 1)));
    let started = tokio::time::Instant::now();

    let names = devices_on_floor(&mock.client(), APP, 3).await.unwrap();

    assert_eq!(names, ["lobby"]);
    let attempts: Vec<u32> = list.requests().iter().map(|r| r.attempt()).collect();
    assert_eq!(attempts, [1, 2]);
    // The default policy waits 200 ms, jittered down to half, before the first retry; on the
    // paused clock that wait passed without the test waiting for it.
    let waited = started.elapsed();
    assert!(
        (Duration::from_millis(100)..=Duration::from_millis(200)).contains(&waited),
        "{waited:?}"
    );
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn a_patch_answered_503_is_not_sent_again() {
    let mock = MockApi::new();
    mock.expect(DevicePatchRequest::OPERATION)
        .reply(Reply::status(503))
        .times(1);

    let result = rename_device(&mock.client(), APP, DEVICE, "x").await;

    // The server may have applied it: the SDK does not replay a PATCH.
    let Err(Error::Api(api)) = result else {
        panic!("expected Error::Api, got {result:?}");
    };
    assert_eq!((api.status.as_u16(), api.attempts), (503, 1));
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn a_connection_failure_is_retried_and_a_slow_answer_times_out() {
    let mock = MockApi::new();
    mock.expect(DevicePatchRequest::OPERATION)
        .reply(Reply::transport_error(TransportErrorKind::Connect))
        .reply(Reply::example())
        .times(2);
    // Nothing reached the server, so even a PATCH is sent again.
    assert!(
        rename_device(&mock.client(), APP, DEVICE, "x")
            .await
            .unwrap()
    );

    mock.expect(DevicesGetRequest::OPERATION)
        .reply(Reply::example().after(Duration::from_secs(45)));
    let client = mock
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let result = client.devices().get(APP).await;
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    mock.verify();
}

// ---------------------------------------------------------------------------------------------
// What the kit reports
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unexpected_request_fails_the_call_and_the_verification() {
    let mock = MockApi::new();
    mock.expect(DevicesGetRequest::OPERATION)
        .path_param("applicationId", APP)
        .at_least(0);

    let result = rename_device(&mock.client(), APP, DEVICE, "x").await;

    let Err(error @ Error::Transport { .. }) = result else {
        panic!("expected Error::Transport, got {result:?}");
    };
    let message = error.to_string();
    for part in [
        "no expectation of the mock API matches",
        &format!("PATCH /applications/{APP}/devices/{DEVICE}"),
        "(device.patch, attempt 1)",
        "#1 devices.get (GET /applications/{applicationId}/devices) where path applicationId",
        "not this operation (device.patch)",
    ] {
        assert!(message.contains(part), "`{part}` not in: {message}");
    }
    assert_eq!(mock.requests(DevicePatchRequest::OPERATION).len(), 1);
    let report = mock.check().unwrap_err();
    assert!(report.contains("unexpected requests (1)"), "{report}");
    assert!(report.contains("PATCH /applications/"), "{report}");
}

#[tokio::test]
async fn unmet_expectations_are_reported() {
    let mock = MockApi::new();
    mock.expect(DevicesGetRequest::OPERATION).times(2);
    mock.expect(DevicePatchRequest::OPERATION)
        .json_body(json!({ "name": "never sent" }));

    mock.client().devices().get(APP).await.unwrap();

    let report = mock.check().unwrap_err();
    assert!(report.contains("unmet expectations (2)"), "{report}");
    assert!(
        report.contains(
            "#1 devices.get (GET /applications/{applicationId}/devices): expected exactly 2 call(s), got 1"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            r#"where JSON body = {"name":"never sent"}: expected at least 1 call(s), got 0"#
        ),
        "{report}"
    );
}

#[test]
#[should_panic(expected = "expected at least 1 call(s), got 0")]
fn a_mock_dropped_without_verify_still_checks() {
    let mock = MockApi::new();
    mock.expect(DevicesGetRequest::OPERATION);
}
