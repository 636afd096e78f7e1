//! The `all_of` fixture's generated code (`tests/fixtures/all_of/`), compiled with the runtime
//! and used as a user would: `allOf` of a reference and an inline object is one struct with
//! the fields of every part, required where a part requires them, checked as every part says.

include!(concat!(env!("OUT_DIR"), "/all_of/crate.rs"));

mod harness;

use harness::{Answer, round_trip, to_json};
use models::{DeviceBase, DeviceClass, DevicePost, Location};
use serde_json::json;

#[test]
fn the_parts_merge_into_one_struct() {
    // Written out whole, so this fails to compile if a part's field is missing or extra.
    let device = DevicePost {
        name: "Boiler".into(),
        description: Some("In the basement".into()),
        device_class: DeviceClass::Gateway,
        location: Some(Location {
            lat: 52.5,
            lng: 13.4,
            accuracy: Some(3.0),
        }),
    };
    let json = json!({
        "name": "Boiler",
        "description": "In the basement",
        "deviceClass": "gateway",
        "location": {"lat": 52.5, "lng": 13.4, "accuracy": 3.0}
    });
    assert_eq!(to_json(&device), json);
    assert_eq!(round_trip::<DevicePost>(json), device);
    // The referenced part is a type of its own too.
    let base = DeviceBase::new("Boiler".into());
    assert_eq!(to_json(&base), json!({"name": "Boiler"}));
}

#[test]
fn required_fields_come_from_every_part() {
    // `name` from the referenced part, `deviceClass` from the inline one: `new` takes both,
    // and a body without either does not decode.
    let device = DevicePost::new("Boiler".into(), DeviceClass::Standalone);
    assert_eq!(
        to_json(&device),
        json!({"name": "Boiler", "deviceClass": "standalone"})
    );
    assert!(serde_json::from_value::<DevicePost>(json!({"name": "Boiler"})).is_err());
    assert!(serde_json::from_value::<DevicePost>(json!({"deviceClass": "gateway"})).is_err());
    // Likewise in the nested `allOf`: `lat` and `lng` from `point.yaml`.
    let location = Location::new(1.0, 2.0);
    assert_eq!(to_json(&location), json!({"lat": 1.0, "lng": 2.0}));
    // A class the spec does not list is kept.
    let edge: DevicePost = round_trip(json!({"name": "Edge", "deviceClass": "edgeCompute"}));
    assert_eq!(
        edge.device_class,
        DeviceClass::Unknown("edgeCompute".into())
    );
}

#[tokio::test]
async fn the_constraints_of_every_part_are_checked() {
    let (client, log) = harness::client(|sent| Answer::json(201, sent.json()));
    let mut device = DevicePost::new("".into(), DeviceClass::Gateway);
    let mut location = Location::new(52.5, 13.4);
    location.accuracy = Some(-1.0);
    device.location = Some(location);
    let Err(Error::InvalidRequest { errors, .. }) = client.devices().post(device).await else {
        panic!("an invalid request")
    };
    let text = errors.to_string();
    // `minLength` from the referenced part, `minimum` from the nested inline one.
    assert!(text.contains("name"), "{text}");
    assert!(text.contains("location.accuracy"), "{text}");
    assert!(log.all().is_empty(), "nothing was sent");

    let device = DevicePost::new("Boiler".into(), DeviceClass::Gateway);
    let created = client.devices().post(device.clone()).await.unwrap();
    assert_eq!(created, device);
    assert_eq!(
        log.one().json(),
        json!({"name": "Boiler", "deviceClass": "gateway"})
    );
}
