//! The `recursion` fixture's generated code (`tests/fixtures/recursion/`), compiled with the
//! runtime and used as a user would: a schema that refers to itself through an array and an
//! optional property (`Folder`), and one that does through a union and `#/definitions`
//! (`Expression`), boxed only where a value would otherwise hold itself.

include!(concat!(env!("OUT_DIR"), "/recursion/crate.rs"));

mod harness;

use harness::{Answer, round_trip, to_json};
use models::{Combination, Expression, Folder};
use serde_json::json;

fn folder(name: &str, children: Vec<Folder>) -> Folder {
    let mut folder = Folder::new(name.into());
    folder.children = (!children.is_empty()).then_some(children);
    folder
}

#[test]
fn a_tree_of_folders() {
    let mut photos = folder(
        "photos",
        vec![folder("2023", vec![]), folder("2024", vec![])],
    );
    // A folder holds its parent through a box (it would hold itself otherwise), its children
    // through a vector (which needs none).
    photos.parent = Some(Box::new(Folder::new("home".into())));
    let json = json!({
        "name": "photos",
        "parent": {"name": "home"},
        "children": [{"name": "2023"}, {"name": "2024"}]
    });
    assert_eq!(to_json(&photos), json);
    assert_eq!(round_trip::<Folder>(json), photos);
}

#[test]
fn deep_trees_decode() {
    let mut json = json!({"name": "leaf"});
    for depth in 0..40 {
        json =
            json!({"name": format!("level {depth}"), "children": [json], "parent": {"name": "up"}});
    }
    let mut folder: Folder = round_trip(json);
    let mut depth = 0;
    while let Some(mut children) = folder.children.take() {
        assert_eq!(
            folder.parent.as_deref().map(|p| p.name.as_str()),
            Some("up")
        );
        folder = children.remove(0);
        depth += 1;
    }
    assert_eq!((depth, folder.name.as_str()), (40, "leaf"));
}

#[test]
fn expressions_nest_through_a_union() {
    let expression = Expression::Combination(Combination {
        and: Some(vec![
            "tagged".into(),
            Expression::Combination(Combination {
                not: Some(Box::new("archived".into())),
                ..Combination::default()
            }),
        ]),
        not: None,
    });
    let json = json!({"and": ["tagged", {"not": "archived"}]});
    assert_eq!(to_json(&expression), json);
    assert_eq!(round_trip::<Expression>(json), expression);
    assert_eq!(round_trip::<Expression>(json!("x")), Expression::from("x"));
}

#[tokio::test]
async fn a_recursive_body_is_sent_and_a_recursive_answer_decoded() {
    let (client, log) = harness::client(|_| {
        Answer::json(
            200,
            json!({"name": "/", "children": [{"name": "docs", "children": [{"name": "a"}]}]}),
        )
    });
    let query = Expression::Combination(Combination {
        not: Some(Box::new(Expression::Combination(Combination {
            not: Some(Box::new("hidden".into())),
            ..Combination::default()
        }))),
        ..Combination::default()
    });
    let root = client.folders().search(query).await.unwrap();
    assert_eq!(
        root,
        folder("/", vec![folder("docs", vec![folder("a", vec![])])])
    );
    let sent = log.one();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/folders/search")
    );
    assert_eq!(sent.json(), json!({"not": {"not": "hidden"}}));
}
