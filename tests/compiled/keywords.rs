//! The `keywords` fixture's generated code (`tests/fixtures/keywords/`), compiled with the
//! runtime and used as a user would: properties, parameters and actions named by Rust keywords
//! (`type`, `self`, `async`, `fn`, `gen`, `loop`, `struct`, `where`) or by words that are no
//! identifier at all (`2fa`, `content-type`) get Rust names that compile, and keep their wire
//! names on the wire, both ways.

include!(concat!(env!("OUT_DIR"), "/keywords/crate.rs"));

mod harness;

use harness::{Answer, round_trip, to_json};
use models::Match;
use serde_json::json;

#[test]
fn keyword_properties_keep_their_wire_names() {
    let json = json!({
        "type": "t",
        "self": "s",
        "async": true,
        "fn": 3,
        "gen": "g",
        "2fa": false,
        "content-type": "text/plain"
    });
    let decoded = round_trip::<Match>(json.clone());
    assert_eq!(decoded.type_.as_deref(), Some("t"));
    assert_eq!(decoded.self_.as_deref(), Some("s"));
    assert_eq!(decoded.async_, Some(true));
    assert_eq!(decoded.fn_, Some(3));
    assert_eq!(decoded.gen_.as_deref(), Some("g"));
    assert_eq!(decoded._2fa, Some(false));
    assert_eq!(decoded.content_type.as_deref(), Some("text/plain"));
    assert_eq!(to_json(&decoded), json);
}

/// The JSON Schema of the type names the same wire names as its serde code (with `--features
/// schemars`).
#[cfg(feature = "schemars")]
#[test]
fn keyword_properties_keep_their_wire_names_in_the_json_schema() {
    let schema = schemars::schema_for!(Match).to_value();
    let names: Vec<&String> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .collect();
    let mut expected = vec!["type", "self", "async", "fn", "gen", "2fa", "content-type"];
    let mut names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
    names.sort_unstable();
    expected.sort_unstable();
    assert_eq!(names, expected, "{schema}");
}

#[tokio::test]
async fn keyword_parameters_and_actions_send_their_wire_names() {
    let (client, log) = harness::client(|_| Answer::json(200, json!({"self": "me"})));
    let found = client
        .type_()
        .loop_type("a struct")
        .where_("here")
        .self_("me")
        .x_request_id("r-1")
        .await
        .expect("the request succeeds");
    assert_eq!(found.self_.as_deref(), Some("me"));
    let sent = log.one();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/type/a%20struct")
    );
    assert_eq!(sent.query("where"), Some("here"));
    assert_eq!(sent.query("self"), Some("me"));
    assert_eq!(sent.header("x-request-id"), Some("r-1"));
}
