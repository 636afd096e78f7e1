//! Property tests: whatever the spec folder holds, the generator answers with files or with
//! diagnostics, never with a panic; and when it answers with files, they are valid Rust.
//!
//! - arbitrary bytes (and valid files with random byte edits) as a resource file and as a
//!   schema file;
//! - random but plausible specs: resources, actions, parameters and schemas built from a
//!   strategy (names that are keywords, unicode or empty; any method; parameters with random
//!   types, enums and defaults; schemas with nested objects, arrays, `oneOf`/`anyOf`/`allOf`,
//!   `$ref`s to existing and missing schemas; any status code), written out as YAML.
//!
//! By default the properties run a fixed set of cases (a fixed seed, [`SEED`]), so a run on CI
//! is repeatable, plus the saved failures of earlier runs (`tests/no_panic.proptest-regressions`,
//! replayed first). The default number of cases keeps the whole file under 20 s in a debug
//! build. A longer, randomized run is one command (the first variable replaces the default case
//! count of every property here; the second draws a fresh seed):
//!
//! ```text
//! PROPTEST_CASES=100000 NO_PANIC_RANDOM=1 cargo test -p losant-tests --test no_panic --release
//! ```
//!
//! (`PROPTEST_RNG_SEED=N` replays one seed.) A failure prints the smallest input found that
//! still fails (proptest shrinks it) and saves its seed to the regressions file: commit that
//! line with the fix, and every later run replays it. The
//! cases run in a child process, so a stack overflow or a hang (over 10 s) is reported like a
//! panic. Two more environment variables help when tuning the random specs:
//! `NO_PANIC_STATS=1` (with `-- --nocapture`) counts why specs were rejected, and
//! `NO_PANIC_KEEP=FOLDER` leaves the last random spec in FOLDER.

use std::collections::BTreeMap;
use std::fmt::{Debug, Write as _};
use std::path::Path;
use std::sync::Mutex;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

use losant_tests::{options, root};

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 192;

/// The seed of a default run, so that CI runs the same cases every time (`NO_PANIC_RANDOM`
/// draws a fresh one, `PROPTEST_RNG_SEED` sets another).
const SEED: u64 = 0x0005_EED0_F10A;

/// Where failures are saved and replayed from, relative to the workspace root.
const REGRESSIONS: &str = "tests/no_panic.proptest-regressions";

/// The generator runs with the main thread's usual stack, not the 2 MiB of test threads.
const STACK: usize = 8 * 1024 * 1024;

/// A case that takes longer than this is a hang (a case takes milliseconds).
const HANG_GUARD_MS: u32 = 10_000;

/// The configuration of the property named `test` (the `#[test]` function that runs it).
fn config(test: &'static str) -> Config {
    // `Config::default()` reads `PROPTEST_CASES`; only its absence gets our smaller default.
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none()
        && std::env::var_os("NO_PANIC_RANDOM").is_none()
    {
        config.rng_seed = RngSeed::Fixed(SEED);
    }
    // Failures are saved (as seeds) and replayed before the new cases of every later run.
    let regressions = root().join(REGRESSIONS).to_string_lossy().into_owned();
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(Box::leak(
        regressions.into_boxed_str(),
    ))));
    // The cases run in a child process (this test binary, run again for `test`), so that a
    // stack overflow (an abort, which no thread survives) or a hang is reported, with the
    // input that caused it, like a panic.
    config.fork = true;
    config.timeout = HANG_GUARD_MS;
    config.test_name = Some(test);
    // Shrinking a crash starts a process per attempt that crashes: bound the attempts (a
    // failure is reported with the smallest input found by then).
    if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_none() {
        config.max_shrink_iters = 256;
    }
    if std::env::var_os("PROPTEST_MAX_SHRINK_TIME").is_none() {
        config.max_shrink_time = 60_000;
    }
    config
}

/// Runs a property on an 8 MiB thread; panics (failing the test) with proptest's report.
/// `test` is the name of the `#[test]` function that calls this, with its module path.
fn check<S>(
    test: &'static str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
) where
    S: Strategy + Send + 'static,
    S::Value: Debug,
{
    let outcome = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let mut runner = TestRunner::new(config(test));
            runner.run(&strategy, property).map_err(|e| e.to_string())
        })
        .expect("spawn a property thread")
        .join();
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(report)) => panic!("{report}"),
        Err(_) => panic!("the property thread panicked outside a test case"),
    }
}

/// A spec folder with the shared `api.yaml` and `schemas/error.yaml`, plus `files`.
fn spec_dir(files: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let common = root().join("tests/fixtures/common");
    std::fs::create_dir_all(dir.path().join("resources")).expect("resources folder");
    std::fs::create_dir_all(dir.path().join("schemas")).expect("schemas folder");
    std::fs::copy(common.join("api.yaml"), dir.path().join("api.yaml")).expect("api.yaml");
    std::fs::copy(
        common.join("error.yaml"),
        dir.path().join("schemas/error.yaml"),
    )
    .expect("error.yaml");
    for (path, contents) in files {
        std::fs::write(dir.path().join(path), contents).expect("write a spec file");
    }
    dir
}

/// Generates from `dir`: a panic fails the case (proptest catches it), diagnostics pass,
/// files must have distinct paths, each parse as Rust and declare no name twice in a scope.
/// Returns whether files were generated.
fn generate_and_parse(dir: &Path) -> Result<bool, TestCaseError> {
    let files = match restgen::generate(dir, &options()) {
        Ok(files) => files,
        Err(problems) => {
            tally(&problems);
            return Ok(false);
        }
    };
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    if let Some(pair) = paths.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(TestCaseError::fail(format!("two files named {}", pair[0])));
    }
    for file in &files {
        let parsed = syn::parse_file(&file.contents).map_err(|err| {
            TestCaseError::fail(format!(
                "generated {} is not valid Rust: {err}\n{}",
                file.path, file.contents
            ))
        })?;
        if let Some(twice) = declared_twice(&parsed.items, "") {
            return Err(TestCaseError::fail(format!(
                "generated {} declares `{twice}` twice",
                file.path
            )));
        }
    }
    Ok(true)
}

/// The first name declared twice in one scope of a file (modules, structs, enums, unions,
/// traits and type aliases share Rust's type namespace), as `scope::Name`.
fn declared_twice(items: &[syn::Item], scope: &str) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let ident = match item {
            syn::Item::Struct(s) => &s.ident,
            syn::Item::Enum(e) => &e.ident,
            syn::Item::Union(u) => &u.ident,
            syn::Item::Trait(t) => &t.ident,
            syn::Item::Type(t) => &t.ident,
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let inner_scope = format!("{scope}{}::", m.ident);
                    if let Some(twice) = declared_twice(inner, &inner_scope) {
                        return Some(twice);
                    }
                }
                &m.ident
            }
            _ => continue,
        };
        if !seen.insert(ident.to_string()) {
            return Some(format!("{scope}{ident}"));
        }
    }
    None
}

const VALID_RESOURCE: &str = "\
path: /widgets/{widgetId}
path_params:
  - { name: widgetId, type: string, pattern: '^[0-9a-f]{24}$' }
actions:
  get:
    method: GET
    summary: Get a widget
    scopes: [widgets.get]
    query:
      - { name: sortField, type: string, enum: [name, id], default: name }
      - { name: limit, type: integer, minimum: 1, example: 10 }
    responses:
      200: { schema: widget, description: The widget }
    errors:
      404: { schema: error, description: No such widget }
  patch:
    method: PATCH
    summary: Change a widget
    scopes: [widgets.patch]
    body: { name: changes, schema: widget, required: true }
    responses:
      200: { schema: widget, description: The widget }
";

const VALID_SCHEMA: &str = "\
title: Widget
type: object
definitions:
  part: { type: object, properties: { name: { type: string } } }
properties:
  name: { type: string, minLength: 1 }
  kind: { type: string, enum: [a, b, A, ''] }
  count: { type: [integer, 'null'] }
  parts: { type: array, items: { $ref: '#/definitions/part' } }
  parent: { $ref: widget.yaml }
  either: { oneOf: [{ type: string }, { type: integer }] }
  tags: { type: object, additionalProperties: { type: string } }
required: [name]
";

/// Random edits of a byte string: replace, insert, delete or duplicate a few bytes.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let edit = (0u8..4, any::<prop::sample::Index>(), any::<u8>(), 1usize..8);
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for (kind, at, byte, len) in edits {
            let at = at.index(bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 => {
                    let end = (at + len).min(bytes.len());
                    bytes.drain(at..end);
                }
                _ => {
                    let end = (at + len).min(bytes.len());
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
            }
        }
        bytes
    })
}

/// Arbitrary bytes, or a valid file with random edits.
fn file_bytes(valid: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        // Printable ASCII and YAML punctuation, so the parser gets further than byte 1.
        prop::collection::vec(
            prop::sample::select(b"ab: -[]{}#&*!|>'\"%@`\n\t ,?01".to_vec()),
            0..256
        ),
        mutated(valid),
    ]
}

#[test]
fn arbitrary_bytes_as_a_resource_file_never_panic() {
    let schema = VALID_SCHEMA.as_bytes().to_vec();
    let test = concat!(
        module_path!(),
        "::arbitrary_bytes_as_a_resource_file_never_panic"
    );
    check(test, file_bytes(VALID_RESOURCE), move |bytes| {
        let dir = spec_dir(&[
            ("resources/widgets.yaml".into(), bytes),
            ("schemas/widget.yaml".into(), schema.clone()),
        ]);
        generate_and_parse(dir.path()).map(drop)
    });
}

#[test]
fn arbitrary_bytes_as_a_schema_file_never_panic() {
    let resource = VALID_RESOURCE.as_bytes().to_vec();
    let test = concat!(
        module_path!(),
        "::arbitrary_bytes_as_a_schema_file_never_panic"
    );
    check(test, file_bytes(VALID_SCHEMA), move |bytes| {
        let dir = spec_dir(&[
            ("resources/widgets.yaml".into(), resource.clone()),
            ("schemas/widget.yaml".into(), bytes),
        ]);
        generate_and_parse(dir.path()).map(drop)
    });
}

// ----- random but plausible specs -------------------------------------------------------
//
// A spec has dozens of places where a choice can be a mistake; each mistake is made rare
// (weight `RARE` against `common`, and half the specs nearly never err) so that a good
// share of the specs is valid and reaches
// lowering, emitting and formatting, while every kind of mistake still turns up.

/// Weight of a sound choice in a spec that may hold many mistakes, and in one that rarely
/// holds any (a mistake has weight `RARE`). Each spec picks one of the two.
const HOSTILE: u32 = 40;
const CAREFUL: u32 = 2000;
const RARE: u32 = 1;

/// The probability of a mistake, for yes-or-no choices.
fn rare(common: u32) -> f64 {
    f64::from(RARE) / f64::from(common)
}

/// Rewrites `#/definitions/..` references (which a parameter has no file to resolve in) to
/// the same definition in the schema `id`.
fn anchor_refs(value: &mut Value, id: &str) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(r) if key == "$ref" && r.starts_with('#') => {
                        *r = format!("{id}.yaml{r}");
                    }
                    other => anchor_refs(other, id),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| anchor_refs(item, id)),
        _ => {}
    }
}

/// Names for properties, parameters, enum values, actions: mostly fresh identifiers, now and
/// then a hostile one (keywords, empty, symbols, unicode, names that collide once in Rust).
fn name(common: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        common => "[a-z][a-z0-9]{2,7}[A-Z]?[a-z]{0,3}",
        common / 20 => prop::sample::select(vec![
            "type", "self", "Self", "match", "crate", "super", "async", "fn", "loop", "r#type",
            "名前", "größe", "é", "Unknown", "unknown", "value", "Empty", "id", "ID", "2fa",
            "a-b", "a.b", "null", "true",
        ])
        .prop_map(str::to_owned),
        RARE => prop::sample::select(vec!["", " ", "_", "$$", "1", "-1", "sortField", "sort_field"])
            .prop_map(str::to_owned),
        RARE => "\\PC{0,6}",
    ]
}

/// Names usable as file stems (resource names and schema ids).
fn file_stem() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z][a-zA-Z0-9]{0,6}",
        1 => prop::sample::select(vec![
            "type", "self", "Self", "match", "mod", "crate", "super", "api", "models", "error2",
            "2fa", "a-b", "名前", "größe", "_", "Widget", "widget_", "WIDGET",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Any JSON value, for `enum`, `const` and the occasional mistaken `default`.
fn value(common: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..1000).prop_map(Value::from),
        (-1e3f64..1e3).prop_map(Value::from),
        name(common).prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::vec((name(common), inner), 0..3)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A value of the JSON type `ty` (for defaults and examples that fit).
fn value_of(ty: &str, common: u32) -> BoxedStrategy<Value> {
    match ty {
        "string" => name(common).prop_map(Value::from).boxed(),
        "integer" => (-5i64..100).prop_map(Value::from).boxed(),
        "number" => (-5f64..100.0).prop_map(Value::from).boxed(),
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        "null" => Just(Value::Null).boxed(),
        "array" => Just(json!([])).boxed(),
        _ => Just(json!({})).boxed(),
    }
}

/// `Some` with probability `p`.
fn maybe<T: Debug + Clone>(
    p: f64,
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::weighted(p, s)
}

/// Sets `key` on `object` when `value` is some.
fn set(object: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(value), Some(map)) = (value, object.as_object_mut()) {
        map.insert(key.to_owned(), value);
    }
}

const SCALARS: &[&str] = &["string", "integer", "number", "boolean"];

/// A scalar type, a type list, or (rarely) something that is not a type.
fn scalar_type(common: u32) -> impl Strategy<Value = (Value, String)> {
    prop_oneof![
        common => prop::sample::select(SCALARS).prop_map(|t| (json!(t), t.to_owned())),
        4 => prop::sample::select(SCALARS).prop_map(|t| (json!([t, "null"]), t.to_owned())),
        2 => Just((json!(["integer", "string"]), "integer".to_owned())),
        RARE => Just((json!("null"), "null".to_owned())),
        RARE => Just((json!("text"), "string".to_owned())),
        RARE => Just((json!(["string", 42]), "string".to_owned())),
    ]
}

/// A default (or example) that fits `ty`, rarely one that does not.
fn default_for(ty: String, common: u32) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 * common => Just(None),
        3 * common => value_of(&ty, common).prop_map(Some),
        RARE => value(common).prop_map(Some),
    ]
}

/// A `$ref`: to a schema of the spec, a definition, or (rarely) something missing.
fn reference(ids: Vec<String>, common: u32) -> impl Strategy<Value = String> {
    let pick = prop::sample::select(ids);
    prop_oneof![
        common => pick.clone().prop_map(|id| format!("{id}.yaml")),
        8 => Just("#/definitions/d0".to_owned()),
        4 => pick.prop_map(|id| format!("{id}.yaml#/definitions/d0")),
        RARE => Just("missing.yaml".to_owned()),
        RARE => Just("#/definitions/missing".to_owned()),
    ]
}

/// A scalar schema with constraints and a default.
fn scalar_schema(common: u32) -> impl Strategy<Value = Value> {
    scalar_type(common).prop_flat_map(move |(ty, base)| {
        (
            maybe(
                0.2,
                prop::sample::select(vec!["date-time", "email", "uri", "int64"]),
            ),
            maybe(0.2, 0u64..5),
            maybe(
                0.2,
                prop::sample::select(vec!["^[a-z]+$", "(", "(?=x)", ".*", "^\\d{2}$"]),
            ),
            maybe(0.2, -5f64..5.0),
            default_for(base, common),
        )
            .prop_map(move |(format, min_length, pattern, minimum, default)| {
                let mut s = json!({ "type": ty.clone() });
                set(&mut s, "format", format.map(Value::from));
                set(&mut s, "minLength", min_length.map(Value::from));
                set(&mut s, "pattern", pattern.map(Value::from));
                set(&mut s, "minimum", minimum.map(Value::from));
                set(&mut s, "default", default);
                s
            })
    })
}

/// A string enum (maybe nullable, with a default among its values or, rarely, not).
fn string_enum(common: u32) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(name(common), 1..5),
        any::<bool>(),
        prop_oneof![6 * common => Just(0u8), 3 * common => Just(1), RARE => Just(2)],
    )
        .prop_map(|(values, nullable, default)| {
            let first = values[0].clone();
            let mut values: Vec<Value> = values.into_iter().map(Value::from).collect();
            if nullable {
                values.push(Value::Null);
            }
            let mut s = json!({ "type": "string", "enum": values });
            match default {
                1 => set(&mut s, "default", Some(first.into())),
                2 => set(&mut s, "default", Some("not-a-value".into())),
                _ => {}
            }
            s
        })
}

/// A schema: leaves of every type (with enums, formats, constraints and defaults), objects,
/// arrays, maps, `oneOf`/`anyOf`/`allOf` and references.
fn schema(ids: Vec<String>, common: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        8 => scalar_schema(common),
        3 => string_enum(common),
        1 => prop::collection::vec(value(common), 1..4).prop_map(|values| json!({ "enum": values })),
        1 => value(common).prop_map(|v| json!({ "const": v })),
        3 => reference(ids, common).prop_map(|r| json!({ "$ref": r })),
        1 => Just(json!({})),
    ];
    leaf.prop_recursive(4, 24, 4, move |inner| {
        prop_oneof![
            4 => (
                prop::collection::vec((name(common), inner.clone()), 0..5),
                prop::collection::vec(name(common), 0..2),
                maybe(0.3, prop_oneof![any::<bool>().prop_map(Value::from), inner.clone()]),
                prop::bool::weighted(0.2),
                maybe(0.2, name(common)),
            )
                .prop_map(|(props, extra_required, additional, nullable, title)| {
                    // Mostly require properties that exist; rarely one that does not.
                    let mut required: Vec<String> =
                        props.iter().take(1).map(|(n, _)| n.clone()).collect();
                    required.extend(extra_required.into_iter().take(usize::from(props.len() > 3)));
                    let props: Map<String, Value> = props.into_iter().collect();
                    let ty = if nullable { json!(["object", "null"]) } else { json!("object") };
                    let mut s = json!({ "type": ty, "properties": props, "required": required });
                    set(&mut s, "additionalProperties", additional);
                    set(&mut s, "title", title.map(Value::from));
                    s
                }),
            2 => (inner.clone(), maybe(0.3, 0u64..3), any::<bool>()).prop_map(
                |(items, min_items, unique)| {
                    let mut s = json!({ "type": "array", "items": items });
                    set(&mut s, "minItems", min_items.map(Value::from));
                    if unique {
                        set(&mut s, "uniqueItems", Some(Value::Bool(true)));
                    }
                    s
                }
            ),
            1 => inner.clone().prop_map(|v| json!({ "type": "object", "additionalProperties": v })),
            1 => (name(common), inner.clone())
                .prop_map(|(p, v)| json!({ "patternProperties": { p: v } })),
            1 => prop::collection::vec(inner.clone(), 0..4).prop_map(|v| json!({ "oneOf": v })),
            1 => prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({ "anyOf": v })),
            1 => prop::collection::vec(inner, 0..3).prop_map(|v| json!({ "allOf": v })),
        ]
    })
}

/// A named schema file: a schema with (nearly always) a title, maybe with `definitions`.
fn named_schema(ids: Vec<String>, common: u32) -> impl Strategy<Value = Value> {
    (
        schema(ids.clone(), common),
        prop_oneof![common => name(common).prop_map(Some), RARE => Just(None)],
        schema(ids, common),
        maybe(0.2, prop::collection::vec(value(common), 1..3)),
    )
        .prop_map(|(mut s, title, definition, examples)| {
            if !s.is_object() {
                s = json!({});
            }
            set(&mut s, "title", title.map(Value::from));
            // `#/definitions/d0` is referred to from anywhere: it exists in every file.
            set(&mut s, "definitions", Some(json!({ "d0": definition })));
            set(&mut s, "examples", examples.map(Value::from));
            s
        })
}

/// A parameter, with flat keywords or a full `schema`. `global` parameters say `in:`.
fn param(ids: Vec<String>, global: bool, common: u32) -> impl Strategy<Value = Value> {
    let home = ids[0].clone();
    let flat = scalar_type(common).prop_flat_map(move |(ty, base)| {
        (
            Just(ty),
            default_for(base.clone(), common),
            default_for(base, common),
            maybe(0.1, prop::sample::select(vec!["^[a-z]+$", "(", "\\d+"])),
        )
            .prop_map(|(ty, default, example, pattern)| {
                let mut p = json!({ "type": ty });
                set(&mut p, "default", default);
                set(&mut p, "example", example);
                set(&mut p, "pattern", pattern.map(Value::from));
                p
            })
    });
    let location = prop_oneof![
        common => prop::sample::select(vec!["query", "header"]).prop_map(Some),
        RARE => prop::sample::select(vec!["path", "cookie"]).prop_map(Some),
        RARE => Just(None),
    ];
    (
        name(common),
        prop_oneof![
            6 => flat,
            2 => string_enum(common),
            1 => schema(ids.clone(), common).prop_map(|items| json!({ "type": "array", "items": items })),
            1 => schema(ids, common).prop_map(|s| json!({ "schema": s })),
        ],
        (any::<bool>(), prop::bool::weighted(0.1)),
        location,
        maybe(0.5, name(common)),
    )
        .prop_map(
            move |(name, mut p, (required, deprecated), at, description)| {
                set(&mut p, "name", Some(name.into()));
                set(&mut p, "required", Some(required.into()));
                set(&mut p, "deprecated", Some(deprecated.into()));
                set(&mut p, "description", description.map(Value::from));
                if global {
                    set(&mut p, "in", at.map(Value::from));
                }
                anchor_refs(&mut p, &home);
                p
            },
        )
}

/// `{status: {schema, description}}`: `count` entries with statuses from `statuses`.
fn responses(
    ids: Vec<String>,
    common: u32,
    statuses: impl Strategy<Value = u16>,
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = Value> {
    let schema_id = prop_oneof![
        common => prop::sample::select(ids),
        RARE => Just("missing".to_owned()),
    ];
    prop::collection::vec((statuses, schema_id, name(common)), count).prop_map(|list| {
        let map: Map<String, Value> = list
            .into_iter()
            .map(|(status, schema, description)| {
                let response = json!({ "schema": schema, "description": description });
                (status.to_string(), response)
            })
            .collect();
        Value::Object(map)
    })
}

fn action(ids: Vec<String>, common: u32) -> impl Strategy<Value = Value> {
    let method = prop_oneof![
        common => prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
        RARE => prop::sample::select(vec!["FETCH", "get", ""]),
    ];
    let suffix = prop_oneof![
        common => prop::sample::select(vec![
            (None, vec![]),
            (Some("/x"), vec![]),
            (Some("/v/{version}"), vec!["version"]),
            (Some("/{a}/{b}"), vec!["a", "b"]),
        ]),
        RARE => Just((Some("/v/{version}"), vec![])),
        RARE => Just((Some("/{a}"), vec!["a", "b"])),
    ];
    let body = (
        name(common),
        prop_oneof![common => prop::sample::select(ids.clone()), RARE => Just("missing".to_owned())],
        any::<bool>(),
        // Rarely a body on a GET, HEAD or DELETE.
        prop::bool::weighted(rare(common)),
    );
    let success = prop_oneof![
        common => prop::sample::select(vec![200u16, 201, 202, 204, 299]),
        RARE => prop::sample::select(vec![99u16, 404, 700, 0]),
    ];
    let error = prop_oneof![
        common => prop::sample::select(vec![400u16, 401, 404, 409, 500, 599]),
        RARE => prop::sample::select(vec![200u16, 600, 302]),
    ];
    (
        (method, name(common), maybe(0.3, name(common)), suffix),
        prop::collection::vec(name(common), 0..3),
        (
            prop::collection::vec(param(ids.clone(), false, common), 0..4),
            prop::collection::vec(param(ids.clone(), false, common), 0..2),
        ),
        maybe(0.4, body),
        (
            responses(ids.clone(), common, success, 1..3),
            // Rarely an action without a success response.
            prop::bool::weighted(rare(common)),
            responses(ids, common, error, 0..3),
        ),
        // `paginated: true` is nearly always a mistake here (no page parameters).
        (
            prop::bool::weighted(rare(common)),
            prop::bool::weighted(0.1),
        ),
    )
        .prop_map(
            |(
                (method, summary, description, (suffix, suffix_params)),
                scopes,
                (query, headers),
                body,
                (mut responses, no_success, errors),
                (paginated, deprecated),
            )| {
                if no_success {
                    responses = json!({});
                }
                let mut a = json!({
                    "method": method,
                    "summary": summary,
                    "scopes": scopes,
                    "query": query,
                    "headers": headers,
                    "responses": responses,
                    "errors": errors,
                    "paginated": paginated,
                    "deprecated": deprecated,
                });
                set(&mut a, "description", description.map(Value::from));
                set(&mut a, "path", suffix.map(Value::from));
                let params: Vec<Value> = suffix_params
                    .into_iter()
                    .map(|p| json!({ "name": p, "type": "string" }))
                    .collect();
                set(&mut a, "path_params", Some(params.into()));
                if let Some((name, schema, required, anyway)) = body {
                    if anyway || !matches!(method, "GET" | "HEAD" | "DELETE") {
                        let body = json!({ "name": name, "schema": schema, "required": required });
                        set(&mut a, "body", Some(body));
                    }
                }
                a
            },
        )
}

fn resource(ids: Vec<String>, common: u32) -> impl Strategy<Value = Value> {
    let path = prop_oneof![
        common => prop::sample::select(vec![
            ("/things/{thingId}", vec!["thingId"]),
            ("/things", vec![]),
            ("/", vec![]),
            ("/a/{x}/b/{y}", vec!["x", "y"]),
        ]),
        RARE => Just(("/things/{thingId}", vec![])),
        RARE => Just(("/things", vec!["thingId"])),
        RARE => Just(("things", vec![])),
    ];
    (
        path,
        prop::collection::vec((name(common), action(ids, common)), 1..4),
        maybe(0.5, name(common)),
    )
        .prop_map(|((path, params), actions, description)| {
            let params: Vec<Value> = params
                .into_iter()
                .map(|p| json!({ "name": p, "type": "string" }))
                .collect();
            let actions: Map<String, Value> = actions.into_iter().collect();
            let mut r = json!({ "path": path, "path_params": params, "actions": actions });
            set(&mut r, "description", description.map(Value::from));
            r
        })
}

fn api(ids: Vec<String>, common: u32) -> impl Strategy<Value = Value> {
    (
        prop_oneof![common => Just("https://api.example.com"), RARE => Just("api.example.com")],
        prop_oneof![common => Just("bearer"), RARE => Just("basic")],
        prop::collection::vec(param(ids, true, common), 0..3),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(base_url, scheme, global_params, pagination)| {
            let mut a = json!({
                "title": "Random API",
                "version": "1.0.0",
                "base_url": base_url,
                "auth": { "scheme": scheme },
                "global_params": global_params,
                "error": { "schema": "error", "type_field": "type", "message_field": "message" },
            });
            if pagination {
                set(
                    &mut a,
                    "pagination",
                    Some(json!({ "page_param": "page", "per_page_param": "perPage",
                        "items_field": "items", "total_field": "totalCount" })),
                );
            }
            a
        })
}

/// A whole spec: `api.yaml`, schemas and resources, each a YAML value, plus how to write it.
#[derive(Debug, Clone)]
struct RandomSpec {
    api: Value,
    schemas: Vec<(String, Value)>,
    resources: Vec<(String, Value)>,
    block_style: bool,
}

fn random_spec() -> impl Strategy<Value = RandomSpec> {
    let ids = prop::collection::btree_set(file_stem(), 1..4);
    (ids, prop::sample::select(vec![HOSTILE, CAREFUL])).prop_flat_map(|(stems, common)| {
        let mut ids: Vec<String> = stems.into_iter().collect();
        let schema_ids = ids.clone();
        ids.push("error".to_owned());
        (
            api(ids.clone(), common),
            schema_ids
                .into_iter()
                .map(|id| named_schema(ids.clone(), common).prop_map(move |s| (id.clone(), s)))
                .collect::<Vec<_>>(),
            prop::collection::btree_map(file_stem(), resource(ids, common), 1..3),
            any::<bool>(),
        )
            .prop_map(|(api, schemas, resources, block_style)| RandomSpec {
                api,
                schemas,
                resources: resources.into_iter().collect(),
                block_style,
            })
    })
}

/// YAML text of a JSON value. Strings are double-quoted (JSON escapes are YAML escapes);
/// all-digit keys are written plain so status codes read as numbers.
fn yaml(value: &Value, block_style: bool) -> String {
    fn key(k: &str) -> String {
        if !k.is_empty() && k.len() <= 5 && k.bytes().all(|b| b.is_ascii_digit()) {
            k.to_owned()
        } else {
            scalar(&Value::from(k))
        }
    }
    fn scalar(v: &Value) -> String {
        serde_json::to_string(v).unwrap_or_default()
    }
    fn flow(v: &Value, out: &mut String) {
        match v {
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    flow(item, out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{}: ", key(k));
                    flow(item, out);
                }
                out.push('}');
            }
            other => out.push_str(&scalar(other)),
        }
    }
    fn block(v: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match v {
            Value::Object(map) if !map.is_empty() => {
                for (k, item) in map {
                    let _ = write!(out, "{pad}{}:", key(k));
                    nested(item, indent, out);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for item in items {
                    let _ = write!(out, "{pad}-");
                    nested(item, indent, out);
                }
            }
            other => {
                out.push_str(&pad);
                flow(other, out);
                out.push('\n');
            }
        }
    }
    fn nested(v: &Value, indent: usize, out: &mut String) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                block(v, indent + 2, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                block(v, indent + 2, out);
            }
            other => {
                out.push(' ');
                flow(other, out);
                out.push('\n');
            }
        }
    }
    let mut out = String::new();
    if block_style {
        block(value, 0, &mut out);
    } else {
        flow(value, &mut out);
        out.push('\n');
    }
    out
}

/// With `NO_PANIC_STATS` set, counts why specs were rejected (first line of each problem,
/// quoted names left out), to tune the strategies towards specs that generate.
static REASONS: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

fn tally(problems: &restgen::Diagnostics) {
    if std::env::var_os("NO_PANIC_STATS").is_none() {
        return;
    }
    let mut reasons = REASONS.lock().unwrap_or_else(|e| e.into_inner());
    for problem in problems.iter() {
        let mut reason = String::new();
        for (i, part) in problem.message.split('`').enumerate() {
            reason.push_str(if i % 2 == 0 { part } else { "_" });
        }
        *reasons.entry(reason).or_default() += 1;
    }
}

/// With `NO_PANIC_KEEP=FOLDER`, each random spec is copied there before it is generated,
/// so the one that crashed the process (a stack overflow cannot be caught) can be read.
fn keep_last(dir: &Path) {
    if let Some(keep) = std::env::var_os("NO_PANIC_KEEP") {
        let keep = Path::new(&keep);
        let _ = std::fs::remove_dir_all(keep);
        losant_tests::copy_tree(dir, keep);
    }
}

/// The outcome of each random spec, `generated` or `rejected`, one a line. The cases run in
/// a child process, where counters in memory would stay: each case appends its outcome to a
/// file named after the test process, which reads it once the run is over.
fn outcomes_file(test_process: u32) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("losant-no-panic-{test_process}.outcomes"))
}

/// The id of the process running the property: the parent of a forked child (rusty-fork,
/// which proptest forks with, marks its children with `RUSTY_FORK_OCCURS`), else this one.
fn test_process() -> u32 {
    if std::env::var_os("RUSTY_FORK_OCCURS").is_some() {
        std::os::unix::process::parent_id()
    } else {
        std::process::id()
    }
}

fn record_outcome(generated: bool) {
    use std::io::Write as _;
    let line = if generated {
        "generated\n"
    } else {
        "rejected\n"
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(outcomes_file(test_process()));
    if let Ok(mut file) = file {
        let _ = file.write_all(line.as_bytes());
    }
}

/// At least this share of the random specs must generate code, so that lowering, emitting
/// and formatting are exercised, not only the checks (about 60% do with the default seed).
const MIN_GENERATED_SHARE: f64 = 0.3;

#[test]
fn random_plausible_specs_never_panic_and_generate_valid_rust() {
    let test = concat!(
        module_path!(),
        "::random_plausible_specs_never_panic_and_generate_valid_rust"
    );
    let outcomes = outcomes_file(std::process::id());
    let _ = std::fs::remove_file(&outcomes);
    check(test, random_spec(), |spec| {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        files.push((
            "api.yaml".into(),
            yaml(&spec.api, spec.block_style).into_bytes(),
        ));
        for (id, schema) in &spec.schemas {
            let text = yaml(schema, spec.block_style);
            files.push((format!("schemas/{id}.yaml"), text.into_bytes()));
        }
        for (name, resource) in &spec.resources {
            let text = yaml(resource, spec.block_style);
            files.push((format!("resources/{name}.yaml"), text.into_bytes()));
        }
        let dir = spec_dir(&files);
        keep_last(dir.path());
        let generated = generate_and_parse(dir.path())?;
        record_outcome(generated);
        Ok(())
    });
    let text = std::fs::read_to_string(&outcomes).unwrap_or_default();
    let _ = std::fs::remove_file(&outcomes);
    let generated = text.lines().filter(|l| *l == "generated").count();
    let rejected = text.lines().filter(|l| *l == "rejected").count();
    eprintln!("random specs: {generated} generated, {rejected} rejected");
    let reasons = REASONS.lock().unwrap_or_else(|e| e.into_inner());
    let mut reasons: Vec<_> = reasons.iter().collect();
    reasons.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    for (reason, n) in reasons.iter().take(25) {
        eprintln!("{n:6} {reason}");
    }
    let total = generated + rejected;
    assert!(
        total > 0,
        "no outcome was recorded in {}: did the cases run?",
        outcomes.display()
    );
    let share = generated as f64 / total as f64;
    assert!(
        share >= MIN_GENERATED_SHARE,
        "only {generated} of {total} random specs generated code ({:.0}%, at least {:.0}% \
         expected): the strategies make too many mistakes to exercise the generator",
        share * 100.0,
        MIN_GENERATED_SHARE * 100.0
    );
}
