//! The `title_collision` fixture's generated code (`tests/fixtures/title_collision/`),
//! compiled with the runtime and used as a user would: a nested schema titled `Workflow`, like
//! the schema file `workflow.yaml`, does not take the file's name; the file's type is
//! `Workflow` wherever the file is used, and the nested one is named after its parent.

include!(concat!(env!("OUT_DIR"), "/title_collision/crate.rs"));

mod harness;

use harness::{Answer, round_trip};
use models::{Credential, CredentialLinkedResource, Workflow};
use serde_json::json;

/// What a user writes once for the workflows they meet, wherever they come from.
fn enabled_names(workflows: &[Workflow]) -> Vec<&str> {
    workflows
        .iter()
        .filter(|w| w.enabled == Some(true))
        .filter_map(|w| w.name.as_deref())
        .collect()
}

#[test]
fn the_file_keeps_its_name_and_the_nested_title_yields() {
    let credential: Credential = round_trip(json!({
        "name": "mqtt",
        "linkedResource": {"workflowId": "w1", "version": "develop"},
        "usedBy": [
            {"id": "w1", "name": "Alerts", "enabled": true},
            {"id": "w2", "name": "Reports", "enabled": false}
        ]
    }));
    // The nested `Workflow` is the credential's linked resource, with its own fields.
    let CredentialLinkedResource {
        workflow_id,
        version,
    } = credential.linked_resource.clone().unwrap();
    assert_eq!(
        (workflow_id.as_deref(), version.as_deref()),
        (Some("w1"), Some("develop"))
    );
    // `usedBy` holds the file's `Workflow`s.
    assert_eq!(
        enabled_names(credential.used_by.as_deref().unwrap_or_default()),
        ["Alerts"]
    );
}

#[tokio::test]
async fn both_resources_answer_with_the_types_of_their_files() {
    let (client, _log) = harness::client(|sent| match sent.path.as_str() {
        "/workflows/w1" => {
            Answer::json(200, json!({"id": "w1", "name": "Alerts", "enabled": true}))
        }
        _ => Answer::json(200, json!({"name": "mqtt", "usedBy": [{"id": "w1"}]})),
    });
    let workflow: Workflow = client.workflow().get("w1").await.unwrap();
    let credential: Credential = client.credential().get("c1").await.unwrap();
    assert_eq!(enabled_names(std::slice::from_ref(&workflow)), ["Alerts"]);
    assert_eq!(
        credential.used_by.unwrap()[0].id.as_deref(),
        workflow.id.as_deref()
    );
}
