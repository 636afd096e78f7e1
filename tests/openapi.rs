//! The OpenAPI document `generated/openapi/` is what `spec/` exports, it describes every
//! action of the spec (method, path, parameters, statuses), and a real OpenAPI validator
//! accepts it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use losant_tests::{options, root};
use restgen::spec::Spec;
use serde_json::Value;

fn spec() -> Spec {
    restgen::load::load_dir(&root().join("spec"))
        .unwrap_or_else(|problems| panic!("spec/ should load:\n{problems}"))
}

fn committed(name: &str) -> String {
    let path = output_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}; run `cargo xtask codegen`",
            path.display()
        )
    })
}

fn output_dir() -> PathBuf {
    root().join("generated/openapi")
}

fn committed_document() -> Value {
    serde_json::from_str(&committed(restgen::openapi::JSON_FILE)).expect("openapi.json is JSON")
}

#[test]
fn the_committed_document_is_current() {
    let files = restgen::openapi::files(&spec(), &options())
        .unwrap_or_else(|problems| panic!("spec/ should export:\n{problems}"));
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        names,
        [restgen::openapi::JSON_FILE, restgen::openapi::YAML_FILE]
    );
    for file in &files {
        assert!(
            committed(&file.path) == file.contents,
            "generated/openapi/{} is stale: run `cargo xtask codegen`",
            file.path
        );
    }
    // The YAML document is the JSON one.
    let yaml: Value = serde_yaml::from_str(&files[1].contents).expect("openapi.yaml is YAML");
    assert!(
        yaml == committed_document(),
        "openapi.yaml and openapi.json differ"
    );
}

/// (name, location, required) of a parameter, following a `$ref` into
/// `components.parameters`.
fn parameter(doc: &Value, p: &Value) -> (String, String, bool) {
    let p = match p.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let key = reference
                .strip_prefix("#/components/parameters/")
                .unwrap_or_else(|| panic!("unexpected parameter reference {reference}"));
            &doc["components"]["parameters"][key]
        }
        None => p,
    };
    (
        p["name"].as_str().expect("a parameter name").to_owned(),
        p["in"].as_str().expect("a parameter location").to_owned(),
        p.get("required").and_then(Value::as_bool).unwrap_or(false),
    )
}

#[test]
fn every_action_round_trips() {
    let spec = spec();
    let doc = committed_document();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["version"], spec.api.version.as_str());
    assert_eq!(doc["servers"][0]["url"], spec.api.base_url.as_str());

    let globals: Vec<(String, String, bool)> = spec
        .api
        .headers
        .iter()
        .map(|h| (h.name.clone(), "header".to_owned(), false))
        .chain(spec.api.global_params.iter().map(|p| {
            (
                p.name.clone(),
                p.location.clone().unwrap_or_default(),
                p.required,
            )
        }))
        .collect();

    let mut expected_operations = BTreeSet::new();
    for resource in &spec.resources {
        for (name, action) in &resource.body.actions {
            let id = format!("{}.{name}", resource.name);
            let path = format!(
                "{}{}",
                resource.body.path,
                action.path.as_deref().unwrap_or("")
            );
            let method = action.method.to_ascii_lowercase();
            let op = &doc["paths"][&path][&method];
            assert!(op.is_object(), "{id}: no operation {method} {path}");
            assert_eq!(op["operationId"], id.as_str(), "{method} {path}");
            expected_operations.insert((path.clone(), method.clone()));

            let mut expected: Vec<(String, String, bool)> = Vec::new();
            for p in resource.body.path_params.iter().chain(&action.path_params) {
                expected.push((p.name.clone(), "path".into(), true));
            }
            for (location, list) in [("query", &action.query), ("header", &action.headers)] {
                for p in list {
                    expected.push((p.name.clone(), location.into(), p.required));
                }
            }
            expected.extend(globals.iter().cloned());
            let actual: Vec<(String, String, bool)> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().map(|p| parameter(&doc, p)).collect())
                .unwrap_or_default();
            assert_eq!(actual, expected, "{id}: parameters");

            let statuses: BTreeSet<String> = action
                .responses
                .keys()
                .chain(action.errors.keys())
                .map(u16::to_string)
                .collect();
            let actual: BTreeSet<String> = op["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            assert_eq!(actual, statuses, "{id}: response statuses");

            let scopes: Vec<&str> = op["x-scopes"]
                .as_array()
                .map(|s| s.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert_eq!(scopes, action.scopes, "{id}: scopes");

            let content = &op["requestBody"]["content"];
            match (&action.body, action.multipart.is_empty()) {
                (Some(body), _) => assert_eq!(
                    content["application/json"]["schema"]["$ref"],
                    format!(
                        "#/components/schemas/{}",
                        restgen::openapi::component_name(&body.schema)
                    )
                    .as_str(),
                    "{id}: body"
                ),
                (None, false) => {
                    let properties = &content["multipart/form-data"]["schema"]["properties"];
                    for part in &action.multipart {
                        assert!(
                            properties[&part.name].is_object(),
                            "{id}: part {}",
                            part.name
                        );
                    }
                }
                (None, true) => assert!(op.get("requestBody").is_none(), "{id}: no body"),
            }
        }
    }

    // Nothing but the spec's actions, and all of them.
    let actual_operations: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("a path item")
                .keys()
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    assert_eq!(actual_operations, expected_operations);
    assert_eq!(spec.resources.len(), 99, "resources");
    assert_eq!(actual_operations.len(), 375, "operations");
    assert_eq!(doc["tags"].as_array().map(Vec::len), Some(99), "tags");

    // Every schema file has a component, and there is nothing else there.
    let components: BTreeSet<String> = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .keys()
        .cloned()
        .collect();
    for schema in &spec.schemas {
        let name = restgen::openapi::component_name(&schema.id);
        assert!(components.contains(&name), "no component for {}", schema.id);
    }
    assert_eq!(components, restgen::openapi::components(&spec));
    assert_eq!(spec.schemas.len(), 335, "schemas");

    // Every reference resolves.
    let mut refs = BTreeMap::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs.keys() {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("reference {reference} is not local"));
        assert!(
            doc.pointer(pointer).is_some(),
            "reference {reference} does not resolve"
        );
    }
}

fn collect_refs(value: &Value, out: &mut BTreeMap<String, usize>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(reference)) => {
                        *out.entry(reference.clone()).or_default() += 1
                    }
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Runs `openapi-spec-validator` (Python; `.ci/run` installs it) on the committed document.
/// Without it the test fails on CI (`CI` set) and is skipped, with a note, elsewhere.
#[test]
fn a_real_validator_accepts_the_document() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let available = Command::new(&python)
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !available {
        let note = format!(
            "openapi-spec-validator is not installed for `{python}`: \
             `{python} -m pip install openapi-spec-validator` to run this test"
        );
        assert!(std::env::var_os("CI").is_none(), "{note} (required on CI)");
        eprintln!("note: skipped: {note}");
        return;
    }
    let file = output_dir().join(restgen::openapi::JSON_FILE);
    let out = Command::new(&python)
        .args(["-m", "openapi_spec_validator", "--schema", "3.0"])
        .arg(&file)
        .output()
        .expect("run the validator");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("OK"),
        "openapi-spec-validator rejects {}:\n{stdout}\n{stderr}",
        file.display()
    );
}
