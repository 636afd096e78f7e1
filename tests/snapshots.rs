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

// The fixtures below are also compiled with the runtime and used (`tests/compiled/`).

#[test]
fn one_of_and_any_of_unions() {
    insta::assert_snapshot!(fixture("one_of_any_of"));
}

#[test]
fn tagged_unions() {
    insta::assert_snapshot!(fixture("tagged_union"));
}

#[test]
fn all_of_merges() {
    insta::assert_snapshot!(fixture("all_of"));
}

#[test]
fn recursive_schemas() {
    insta::assert_snapshot!(fixture("recursion"));
}

#[test]
fn shared_shapes_with_and_without_a_common_name() {
    insta::assert_snapshot!(fixture("shared_shapes"));
}

#[test]
fn nested_title_colliding_with_a_schema_file() {
    insta::assert_snapshot!(fixture("title_collision"));
}

#[test]
fn nullable_fields_of_patch_bodies_and_responses() {
    insta::assert_snapshot!(fixture("nullable"));
}

#[test]
fn server_sent_events() {
    insta::assert_snapshot!(fixture("sse"));
}

#[test]
fn multipart_uploads() {
    insta::assert_snapshot!(fixture("multipart"));
}

#[test]
fn paginated_lists() {
    insta::assert_snapshot!(fixture("pagination"));
}
