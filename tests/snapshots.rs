//! Snapshot tests of the generator's output: the seed spec in `spec/` and small fixture specs
//! under `tests/fixtures/`, each focused on one feature. A change to the output shows as a
//! snapshot diff to review (`cargo insta review`), never as a silent change.

use losant_tests::{generate_fixture, options, render, root};

fn fixture(name: &str) -> String {
    generate_fixture(name)
        .unwrap_or_else(|problems| panic!("fixture `{name}` should generate:\n{problems}"))
}

/// The seed resources' part of the output for `spec/`: their modules and the models named
/// after their schemas (the whole API's output is far too large to review as a snapshot).
#[test]
fn seed_spec() {
    let files = restgen::generate(&root().join("spec"), &options()).expect("spec/ generates");
    let seed_files = [
        "instance_org.rs",
        "orgs.rs",
        "models/error.rs",
        "models/instance_organization.rs",
        "models/instance_owned_organization_patch.rs",
        "models/organization.rs",
        "models/organization_post.rs",
        "models/organizations.rs",
        "models/success.rs",
    ];
    let seed: Vec<_> = files
        .into_iter()
        .filter(|f| seed_files.contains(&f.path.as_str()))
        .collect();
    assert_eq!(seed.len(), seed_files.len(), "every seed file is generated");
    insta::assert_snapshot!(render(&seed));
}

#[test]
fn enums() {
    insta::assert_snapshot!(fixture("enum"));
}

#[test]
fn nested_objects_arrays_and_maps() {
    insta::assert_snapshot!(fixture("nested_object"));
}

#[test]
fn optional_required_and_nullable_fields() {
    insta::assert_snapshot!(fixture("optional_required"));
}

#[test]
fn path_params() {
    insta::assert_snapshot!(fixture("path_params"));
}

#[test]
fn request_bodies() {
    insta::assert_snapshot!(fixture("body"));
}

#[test]
fn rust_keywords_and_non_identifier_names() {
    insta::assert_snapshot!(fixture("keywords"));
}
