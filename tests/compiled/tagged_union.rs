//! The `tagged_union` fixture's generated code (`tests/fixtures/tagged_union/`), compiled with
//! the runtime and used as a user would: unions told apart by one tag property (`Trigger`) and
//! by two (`UpdateOperation`), with a variant per tag value, a unit variant, and `Other` for
//! what no branch describes.

include!(concat!(env!("OUT_DIR"), "/tagged_union/crate.rs"));

mod harness;

use harness::{Answer, round_trip, to_json};
use models::{
    Trigger, TriggerDevice, TriggerTimer, TriggerWebhook, UpdateOperation,
    UpdateOperationSetDescription, UpdateOperationSetName, UpdateOperationTag, Workflow,
    WorkflowPatch,
};
use serde_json::json;

#[test]
fn each_variant_is_written_with_its_tag() {
    let cases = [
        (
            Trigger::Webhook(TriggerWebhook::new("https://example.com/hook".into())),
            json!({"type": "webhook", "url": "https://example.com/hook"}),
        ),
        (
            Trigger::Timer(TriggerTimer::new(60)),
            json!({"type": "timer", "seconds": 60}),
        ),
        // One branch allows two tag values: a variant each, sharing one payload type.
        (
            Trigger::DeviceId(TriggerDevice::new("d1".into())),
            json!({"type": "deviceId", "value": "d1"}),
        ),
        (
            Trigger::DeviceTag(TriggerDevice::new("floor=1".into())),
            json!({"type": "deviceTag", "value": "floor=1"}),
        ),
        // A branch with nothing but its tag.
        (Trigger::Manual, json!({"type": "manual"})),
    ];
    for (trigger, json) in cases {
        assert_eq!(to_json(&trigger), json);
        assert_eq!(round_trip::<Trigger>(json), trigger);
    }
}

#[test]
fn two_tags_name_the_variant() {
    let cases = [
        (
            UpdateOperation::SetName(UpdateOperationSetName::new("Boiler".into())),
            json!({"operation": "set", "target": "name", "value": "Boiler"}),
        ),
        (
            UpdateOperation::SetDescription(UpdateOperationSetDescription::new("".into())),
            json!({"operation": "set", "target": "description", "value": ""}),
        ),
        (
            UpdateOperation::AddTag(UpdateOperationTag {
                key: "floor".into(),
                value: Some("1".into()),
            }),
            json!({"operation": "add", "target": "tag", "key": "floor", "value": "1"}),
        ),
        (
            UpdateOperation::RemoveTag(UpdateOperationTag::new("floor".into())),
            json!({"operation": "remove", "target": "tag", "key": "floor"}),
        ),
    ];
    for (operation, json) in cases {
        assert_eq!(to_json(&operation), json);
        assert_eq!(round_trip::<UpdateOperation>(json), operation);
    }
}

#[test]
fn values_no_branch_describes_are_kept_as_they_came() {
    // A tag value the spec does not list, and a combination of known values no branch has.
    for json in [
        json!({"type": "cron", "expression": "0 * * * *"}),
        json!({"type": 7}),
        json!({"url": "https://example.com/hook"}),
    ] {
        assert_eq!(round_trip::<Trigger>(json.clone()), Trigger::Other(json));
    }
    let json = json!({"operation": "add", "target": "name", "value": "x"});
    assert_eq!(
        round_trip::<UpdateOperation>(json.clone()),
        UpdateOperation::Other(json)
    );
    // A known tag with a body that does not fit its branch is an error, not `Other`.
    assert!(serde_json::from_value::<Trigger>(json!({"type": "timer"})).is_err());
}

#[tokio::test]
async fn a_patch_of_tagged_unions_is_validated_and_sent() {
    let (client, log) = harness::client(|sent| {
        let body = sent.json();
        Answer::json(
            200,
            json!({"name": "Nightly", "triggers": body["triggers"].clone()}),
        )
    });
    let mut changes = WorkflowPatch::new(vec![
        UpdateOperation::SetName(UpdateOperationSetName::new("Nightly".into())),
        UpdateOperation::RemoveTag(UpdateOperationTag::new("draft".into())),
    ]);
    changes.triggers = Some(vec![
        Trigger::Timer(TriggerTimer::new(86_400)),
        Trigger::Manual,
    ]);
    let workflow: Workflow = client.workflow().patch("w1", changes).await.unwrap();
    assert_eq!(workflow.name.as_deref(), Some("Nightly"));
    assert_eq!(
        workflow.triggers,
        Some(vec![
            Trigger::Timer(TriggerTimer::new(86_400)),
            Trigger::Manual
        ])
    );
    let sent = log.one();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("PATCH", "/workflows/w1")
    );
    assert_eq!(
        sent.json(),
        json!({
            "operations": [
                {"operation": "set", "target": "name", "value": "Nightly"},
                {"operation": "remove", "target": "tag", "key": "draft"}
            ],
            "triggers": [{"type": "timer", "seconds": 86_400}, {"type": "manual"}]
        })
    );
}

#[tokio::test]
async fn each_variant_is_checked_by_its_own_branch() {
    let (client, log) = harness::client(|_| Answer::json(200, json!({})));
    // `set name` needs a value of at least one character; `set description` does not.
    let mut changes = WorkflowPatch::new(vec![
        UpdateOperation::SetDescription(UpdateOperationSetDescription::new("".into())),
        UpdateOperation::SetName(UpdateOperationSetName::new("".into())),
    ]);
    changes.triggers = Some(vec![Trigger::Timer(TriggerTimer::new(0))]);
    let Err(Error::InvalidRequest { errors, .. }) = client.workflow().patch("w1", changes).await
    else {
        panic!("an invalid request")
    };
    let text = errors.to_string();
    assert!(text.contains("operations[1].value"), "{text}");
    assert!(text.contains("triggers[0].seconds"), "{text}");
    assert!(!text.contains("operations[0]"), "{text}");
    assert!(log.all().is_empty(), "nothing was sent");
}
