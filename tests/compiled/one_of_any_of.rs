//! The `one_of_any_of` fixture's generated code (`tests/fixtures/one_of_any_of/`), compiled
//! with the runtime and used as a user would: untagged unions of scalars, of a date-time and a
//! number, of objects told apart only by their members, of named schemas, and with `null`.

include!(concat!(env!("OUT_DIR"), "/one_of_any_of/crate.rs"));

mod harness;

use chrono::{TimeZone, Utc};
use harness::{Answer, round_trip, to_json};
use models::{Owner, Reading, ReadingValue, Source, SourceAttribute, SourceDeviceId, Team, Time};
use serde_json::json;

#[test]
fn scalar_unions_are_built_from_their_values() {
    assert_eq!(ReadingValue::from(21.5), ReadingValue::Number(21.5));
    assert_eq!(ReadingValue::from("on"), ReadingValue::String("on".into()));
    assert_eq!(ReadingValue::from(true), ReadingValue::Boolean(true));
    assert_eq!(to_json(&Reading::new(21.5.into())), json!({"value": 21.5}));
    assert_eq!(to_json(&Reading::new("on".into())), json!({"value": "on"}));
    assert_eq!(
        to_json(&Reading::new(false.into())),
        json!({"value": false})
    );

    let number: Reading = round_trip(json!({"value": 21.5}));
    assert_eq!(number.value, ReadingValue::Number(21.5));
    let text: Reading = round_trip(json!({"value": "21.5"}));
    assert_eq!(text.value, ReadingValue::String("21.5".into()));
    let flag: Reading = round_trip(json!({"value": true}));
    assert_eq!(flag.value, ReadingValue::Boolean(true));
    // A value no branch accepts is an error, not a guess.
    assert!(serde_json::from_value::<Reading>(json!({"value": [1]})).is_err());
}

#[test]
fn a_date_time_or_a_number() {
    let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    let mut reading = Reading::new(1.0.into());
    reading.time = Some(at.into());
    assert_eq!(
        to_json(&reading),
        json!({"value": 1.0, "time": "2024-05-01T12:00:00.000Z"})
    );
    reading.time = Some(Time::from(1_714_564_800_000_i64));
    assert_eq!(
        to_json(&reading),
        json!({"value": 1.0, "time": 1_714_564_800_000_i64})
    );

    let text: Reading = round_trip(json!({"value": 1.0, "time": "2024-05-01T12:00:00.000Z"}));
    assert_eq!(text.time, Some(Time::DateTime(at.fixed_offset())));
    let millis: Reading = round_trip(json!({"value": 1.0, "time": 1_714_564_800_000_i64}));
    assert_eq!(millis.time, Some(Time::Integer(1_714_564_800_000)));
    // A string that is no date-time fits neither branch.
    assert!(serde_json::from_value::<Reading>(json!({"value": 1.0, "time": "noon"})).is_err());
}

#[test]
fn object_branches_decode_as_the_one_that_keeps_the_most() {
    // Both branches accept this object (objects allow unknown members); the one that declares
    // `attribute` keeps all of it, so it wins, though it is the second branch.
    let attribute: Reading = round_trip(json!({
        "value": 1.0,
        "source": {"deviceId": "d1", "attribute": "temperature"}
    }));
    assert_eq!(
        attribute.source,
        Some(Source::Attribute(SourceAttribute::new(
            "d1".into(),
            "temperature".into()
        )))
    );
    let device: Reading = round_trip(json!({"value": 1.0, "source": {"deviceId": "d1"}}));
    assert_eq!(
        device.source,
        Some(Source::DeviceId(SourceDeviceId::new("d1".into())))
    );
}

#[test]
fn branches_that_refer_to_named_schemas_are_those_types() {
    let user: Reading = round_trip(json!({
        "value": 1.0,
        "owner": {"userId": "u1", "email": "ada@example.com"}
    }));
    let Some(Owner::User(user)) = user.owner else {
        panic!("a user: {user:?}");
    };
    assert_eq!(user.user_id, "u1");
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));

    let mut team = Team::new("t1".into());
    team.members = Some(vec!["u1".into(), "u2".into()]);
    let mut reading = Reading::new(1.0.into());
    reading.owner = Some(Owner::Team(team.clone()));
    let json = to_json(&reading);
    assert_eq!(
        json,
        json!({"value": 1.0, "owner": {"teamId": "t1", "members": ["u1", "u2"]}})
    );
    let back: Reading = round_trip(json);
    assert_eq!(back.owner, Some(Owner::Team(team)));
    // An object that is neither a user nor a team (each requires its id) is an error.
    assert!(
        serde_json::from_value::<Reading>(json!({"value": 1.0, "owner": {"id": "x"}})).is_err()
    );
}

#[test]
fn a_null_branch_tells_null_from_absent() {
    let null: Reading = round_trip(json!({"value": 1.0, "note": null}));
    assert_eq!(null.note, Some(Nullable::Null));
    let absent: Reading = round_trip(json!({"value": 1.0}));
    assert_eq!(absent.note, None);
    let text: Reading = round_trip(json!({"value": 1.0, "note": "calibrated"}));
    assert_eq!(text.note, Some(Nullable::Value("calibrated".into())));
}

#[tokio::test]
async fn a_union_body_is_sent_and_a_union_answer_decoded() {
    let (client, log) = harness::client(|sent| {
        // The server echoes the reading back, as recorded.
        Answer::json(201, sent.json())
    });
    let mut reading = Reading::new("open".into());
    reading.source = Some(Source::Attribute(SourceAttribute::new(
        "d1".into(),
        "door".into(),
    )));
    let recorded = client.readings().post(reading.clone()).await.unwrap();
    assert_eq!(recorded, reading);
    let sent = log.one();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/readings")
    );
    assert_eq!(
        sent.json(),
        json!({"value": "open", "source": {"deviceId": "d1", "attribute": "door"}})
    );
}
