//! The `shared_shapes` fixture's generated code (`tests/fixtures/shared_shapes/`), compiled
//! with the runtime and used as a user would: one shape under one property name in two schemas
//! is one type (`Tag`), as are enumerations under one parameter name (`SortDirection`, with
//! every value of both) and a copy of a schema file (`Point`); one shape under a name too
//! generic to stand alone, and one name with two shapes, stay separate types named after their
//! parents.

include!(concat!(env!("OUT_DIR"), "/shared_shapes/crate.rs"));

mod harness;

use std::any::TypeId;

use harness::{Answer, round_trip};
use models::{
    Gateway, GatewaySettings, GatewayStatus, Point, Sensor, SensorSettings, SensorStatus,
    SortDirection, Tag,
};
use serde_json::json;

/// Takes the tags of anything that has them: one type serves both schemas.
fn tag_keys(tags: &[Tag]) -> Vec<&str> {
    tags.iter().map(|t| t.key.as_str()).collect()
}

#[test]
fn one_shape_under_one_name_is_one_type() {
    let gateway: Gateway = round_trip(json!({"tags": [{"key": "floor", "value": "1"}]}));
    let sensor: Sensor = round_trip(json!({"tags": [{"key": "room", "value": "kitchen"}]}));
    assert_eq!(
        tag_keys(gateway.tags.as_deref().unwrap_or_default()),
        ["floor"]
    );
    assert_eq!(
        tag_keys(sensor.tags.as_deref().unwrap_or_default()),
        ["room"]
    );
    // A tag moves from one to the other as it is.
    let moved = Sensor {
        tags: gateway.tags.clone(),
        ..Sensor::default()
    };
    assert_eq!(moved.tags.unwrap()[0], Tag::new("floor".into(), "1".into()));
}

#[test]
fn a_schema_written_out_again_is_the_file_type() {
    let sensor: Sensor = round_trip(json!({"location": {"lat": 52.5, "lng": 13.4}}));
    let location: Option<Point> = sensor.location;
    assert_eq!(location, Some(Point::new(52.5, 13.4)));
}

#[test]
fn shapes_without_a_common_name_stay_apart() {
    // One shape, but `settings` is too generic a name to stand alone: a type per parent.
    assert_ne!(
        TypeId::of::<GatewaySettings>(),
        TypeId::of::<SensorSettings>()
    );
    let gateway: Gateway = round_trip(json!({"settings": {"interval": 30}}));
    let sensor: Sensor = round_trip(json!({"settings": {"interval": 30}}));
    assert_eq!(gateway.settings.and_then(|s| s.interval), Some(30));
    assert_eq!(sensor.settings.and_then(|s| s.interval), Some(30));
    // One name, two shapes: a type per parent, each with its own fields.
    let gateway: Gateway = round_trip(json!({
        "status": {"online": true, "lastSeen": "2024-05-01T12:00:00.000Z"}
    }));
    let sensor: Sensor = round_trip(json!({"status": {"battery": 0.5}}));
    let GatewayStatus { online, last_seen } = gateway.status.unwrap();
    assert_eq!(
        (online, last_seen.map(|t| t.timestamp())),
        (Some(true), Some(1_714_564_800))
    );
    let SensorStatus { battery } = sensor.status.unwrap();
    assert_eq!(battery, Some(0.5));
}

#[tokio::test]
async fn one_sort_direction_for_both_resources() {
    let (client, log) = harness::client(|sent| match sent.path.as_str() {
        "/gateways" => Answer::json(200, json!({"id": "g1"})),
        "/sensors/near" => Answer::json(200, json!({"lat": 1.5, "lng": 2.5})),
        _ => Answer::json(200, json!({"id": "s1"})),
    });
    // The values of both parameters' enumerations, in one type.
    assert_eq!(SortDirection::VALUES, ["asc", "desc", "ASC", "DESC"]);
    let gateway = client
        .gateways()
        .get()
        .sort_direction(SortDirection::Desc)
        .await
        .unwrap();
    let sensor = client
        .sensors()
        .get()
        .sort_direction(SortDirection::DescUpper)
        .await
        .unwrap();
    let near: Point = client.sensors().near().await.unwrap();
    assert_eq!(gateway.id.as_deref(), Some("g1"));
    assert_eq!(sensor.id.as_deref(), Some("s1"));
    assert_eq!(near, Point::new(1.5, 2.5));
    let sent = log.all();
    assert_eq!(sent[0].query("sortDirection"), Some("desc"));
    assert_eq!(sent[1].query("sortDirection"), Some("DESC"));
}
