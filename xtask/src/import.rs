//! `cargo xtask import [--from DIR] [--to DIR] [--check] [--force]`: converts Losant's published
//! API description (by default `third_party/losant-api`, the copy kept in the repository:
//! `apiInfo.json`, `globalParams.json`, `schemas/*.json`, `apiExamples.json`, `docs/*.md`) into
//! spec YAML: `resources/NAME.yaml` and
//! `schemas/ID.yaml` under `spec/`, in the format people write by hand (ARCHITECTURE.md, "The
//! spec format"). `api.yaml` is hand-written and never written; the import only checks that
//! `globalParams.json` names the same global parameters (name and location) as its
//! `global_params`, and fails, writing nothing, when they differ.
//!
//! # Hand-edit policy
//!
//! Every file the import writes starts with a marker line,
//! `# @imported by cargo xtask import from losant-api (SOURCES); sha256:HASH`, where `HASH` is
//! the SHA-256 of the rest of the file. The next line says that hand edits are kept only if the
//! marker is removed. For each file the import produces:
//!
//! - a target file that does not exist is written;
//! - a target file that starts with the marker and still hashes to the recorded hash (an
//!   untouched import) is overwritten when the new content differs, and left alone otherwise;
//! - a target file that starts with the marker but no longer matches its hash (someone edited an
//!   imported file) is not overwritten: it is reported as a conflict, and the import exits
//!   non-zero. `--force` overwrites such files;
//! - a target file without the marker is hand-written (e.g. `spec/resources/orgs.yaml`): it is
//!   never overwritten, not even with `--force`. It is reported as a conflict together with what
//!   the import would add to it (for a resource: the actions it lacks, and for the actions it
//!   has, the scopes and parameters it lacks). That is a note, not a failure: the import
//!   succeeds, and merging what it would add is left to the person who owns the file.
//!
//! Files under `resources/` and `schemas/` that carry the marker but are no longer produced are
//! removed (reported); if such a file was edited (hash mismatch) it is kept and reported as a
//! conflict unless `--force`. Files without the marker are never removed.
//!
//! `--check` writes nothing and exits non-zero when anything would change (files to write or
//! remove, and edited imported files); hand-written files are reported as notes only. Running
//! the import twice changes nothing the second time: the output is deterministic (the JSON's
//! key order is kept, files are visited in sorted order).
//!
//! # Normalizations
//!
//! Losant's data contains a few things the spec loader rejects. The import repairs them, counts
//! each repair, and describes it in an `# import: ...` comment block at the top of the file:
//!
//! 1. keywords that are not among the JSON Schema (draft-07) keywords the loader knows (the fields
//!    of `restgen::spec::Schema`) are dropped: draft-07 ignores unknown keywords. Two kinds are
//!    repaired first, since dropping them would lose what they say:
//!    - property schemas misplaced as keywords (an integration's `status` written as
//!      `{lastKeepAlive: {...}, connectInfo: {...}}` without `properties`; `instanceNodes`
//!      inside its sibling `customNodes`) move into the `properties` they belong to;
//!    - Losant's `min`/`max` (Joi's bounds) become `minLength`/`maxLength` on strings,
//!      `minItems`/`maxItems` on arrays and `minimum`/`maximum` on numbers;
//! 2. `anyOf`/`oneOf`/`allOf` lists holding a nested list are flattened;
//! 3. numeric keywords written as strings (`maxItems: "10"`) become numbers;
//! 4. a schema misplaced as a `properties` map (`properties: {title: "...", type: object,
//!    properties: {...}}`, whose string values are not schemas) is unwrapped: its keywords move
//!    up into the schema holding it (any other non-schema property value is dropped);
//! 5. `$ref: "#/definitions/X"` where the file has no definition `X` names Losant's shared
//!    definitions, which are our schema files: it becomes `$ref: X.yaml`;
//! 6. (in resource files) a parameter's `default` or `example` that is not one of its own `enum`
//!    values is added to the enum and kept: Losant's own examples send it (`filterField=key`
//!    where the enum is `name, status`), so a client that refused it would refuse a request the
//!    API serves;
//! 7. a list schema whose items `$ref` the list itself (`instanceAuditLogs`, which would nest
//!    lists forever) gets its item schema (`instanceAuditLog`) instead;
//! 8. in examples, Losant's placeholders `{"$ref": "#/examples/X"}` become its example of `X`
//!    (of the item, where one names the list it sits in); then every member an example shows
//!    that its schema does not declare is declared there, typed from the example (see
//!    [`examples`]): a typed client would drop it otherwise.
//!
//! # Marks
//!
//! Beyond Losant's data, the import marks actions by rules and lists kept in
//! [`marks`] (each mark on a `POST` or stream, and each list action left unmarked, is noted at
//! the top of its resource file):
//!
//! - every list action (it takes `page` and `perPage`) whose 200 response has an array
//!   `items` and a number `totalCount` is `paginated: true`; the others are listed with why;
//! - the `POST`s that only read (queries) are `idempotent: true`;
//! - the server-sent-event streams, which Losant's pages leave out, get the scopes of the read
//!   they continue instead of only their own `resource.action` scope.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::Instant;

use regex::Regex;
use serde_json::{Map, Value as Json};

mod examples;
mod marks;

use marks::Pagination;
use serde_yaml::{Mapping, Value as Yaml};
use sha2::{Digest, Sha256};

/// The first line of every imported file starts with this.
pub const MARKER: &str = "# @imported by cargo xtask import";
/// The second line of every imported file.
const HAND_EDIT_NOTE: &str = "# Hand edits are kept only if you delete the line above; \
    until then `cargo xtask import` may overwrite or remove this file.";

/// The JSON Schema keywords the spec loader knows: exactly the fields of
/// `restgen::spec::Schema` (a test checks this against `generator/src/spec.rs`).
pub const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "$comment",
    "title",
    "description",
    "type",
    "format",
    "enum",
    "const",
    "default",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "definitions",
];

/// Keywords whose value is a non-negative integer.
const INTEGER_KEYWORDS: &[&str] = &[
    "minProperties",
    "maxProperties",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
];
/// Keywords whose value is a number.
const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

fn is_keyword(key: &str) -> bool {
    KEYWORDS.contains(&key)
}

// ------------------------------------------------------------------------------------------
// Command line
// ------------------------------------------------------------------------------------------

/// The command's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The losant-api folder.
    pub from: PathBuf,
    /// The spec folder to write into.
    pub to: PathBuf,
    /// Write nothing; fail when anything would change.
    pub check: bool,
    /// Overwrite imported files that were edited by hand.
    pub force: bool,
}

/// Where Losant's published description is read from unless `--from` says otherwise: the copy
/// kept in the repository (relative to the workspace root).
const DEFAULT_SOURCE: &str = "third_party/losant-api";

const USAGE: &str = "usage: cargo xtask import [--from DIR] [--to DIR] [--check] [--force]";

/// Parses the arguments after `import`; `root` is the workspace root (for the defaults).
pub fn parse_args(args: &[&str], root: &Path) -> Result<Options, String> {
    let mut options = Options {
        from: root.join(DEFAULT_SOURCE),
        to: root.join("spec"),
        check: false,
        force: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--check" => options.check = true,
            "--force" => options.force = true,
            "--from" | "--to" => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a folder"))?;
                let dir = PathBuf::from(value);
                if *arg == "--from" {
                    options.from = dir;
                } else {
                    options.to = dir;
                }
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

/// Runs `cargo xtask import ARGS`, printing what it does.
pub fn main(args: &[&str], root: &Path) -> ExitCode {
    let options = match parse_args(args, root) {
        Ok(options) => options,
        Err(err) => {
            eprintln!("error: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let (report, ok) = match run(&options) {
        Ok(outcome) => (outcome.report(&options), outcome.succeeded(&options)),
        Err(err) => (format!("error: {err}\nnothing was written\n"), false),
    };
    let elapsed = start.elapsed();
    if ok {
        print!("{report}");
        println!("done in {:.2} s", elapsed.as_secs_f64());
        ExitCode::SUCCESS
    } else {
        eprint!("{report}");
        eprintln!("failed after {:.2} s", elapsed.as_secs_f64());
        ExitCode::FAILURE
    }
}

/// Converts `options.from` and brings `options.to` in line with it (see the module docs).
pub fn run(options: &Options) -> Result<Outcome, String> {
    let source = Source::load(&options.from)?;
    let mut notes = marks::stale_post_entries(&source.api_info);
    match check_global_params(&source.global_params, &options.to.join("api.yaml"))? {
        GlobalParams::Match => {}
        GlobalParams::NoApiFile => notes.push(format!(
            "{} does not exist: global parameters not checked",
            options.to.join("api.yaml").display()
        )),
    }
    let import = convert(&source)?;
    let mut outcome = sync(&options.to, &import, options.check, options.force)
        .map_err(|e| format!("cannot update {}: {e}", options.to.display()))?;
    outcome.notes.splice(0..0, notes);
    Ok(outcome)
}

// ------------------------------------------------------------------------------------------
// Source data
// ------------------------------------------------------------------------------------------

/// Losant's API description, as read from disk.
pub struct Source {
    /// `apiInfo.json`: resources by name, in order.
    pub api_info: Map<String, Json>,
    /// `globalParams.json`.
    pub global_params: Vec<Json>,
    /// `schemas/*.json` by id, sorted.
    pub schemas: BTreeMap<String, Json>,
    /// `apiExamples.json`.
    pub examples: Map<String, Json>,
    /// `docs/*.md` by file name (`orgs.md`), sorted.
    pub docs: BTreeMap<String, String>,
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn list_dir(dir: &Path, ext: &str) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(stem) = name.strip_suffix(ext) {
            if !stem.is_empty() && !stem.starts_with('.') {
                out.push((stem.to_string(), path.clone()));
            }
        }
    }
    out.sort();
    Ok(out)
}

impl Source {
    /// Reads the folder.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let object = |v: Json, what: &str| match v {
            Json::Object(m) => Ok(m),
            _ => Err(format!("{what}: expected a JSON object")),
        };
        let api_info = object(read_json(&dir.join("apiInfo.json"))?, "apiInfo.json")?;
        let global_params = match read_json(&dir.join("globalParams.json"))? {
            Json::Array(items) => items,
            _ => return Err("globalParams.json: expected a JSON array".into()),
        };
        let examples = object(
            read_json(&dir.join("apiExamples.json"))?,
            "apiExamples.json",
        )?;
        let mut schemas = BTreeMap::new();
        for (id, path) in list_dir(&dir.join("schemas"), ".json")? {
            schemas.insert(id, read_json(&path)?);
        }
        let mut docs = BTreeMap::new();
        for (name, path) in list_dir(&dir.join("docs"), ".md")? {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            docs.insert(format!("{name}.md"), text);
        }
        Ok(Source {
            api_info,
            global_params,
            schemas,
            examples,
            docs,
        })
    }
}

/// Result of comparing `globalParams.json` with `api.yaml`.
#[derive(Debug, PartialEq, Eq)]
pub enum GlobalParams {
    /// Same names and locations.
    Match,
    /// There is no `api.yaml` to compare with.
    NoApiFile,
}

/// Checks that `api.yaml`'s `global_params` have the names and locations of `globalParams.json`.
pub fn check_global_params(losant: &[Json], api_file: &Path) -> Result<GlobalParams, String> {
    let text = match fs::read_to_string(api_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(GlobalParams::NoApiFile),
        Err(e) => return Err(format!("cannot read {}: {e}", api_file.display())),
    };
    let api: Yaml =
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", api_file.display()))?;
    let ours: BTreeMap<String, String> = api
        .get("global_params")
        .and_then(Yaml::as_sequence)
        .into_iter()
        .flatten()
        .map(|p| {
            let field = |k: &str| p.get(k).and_then(Yaml::as_str).unwrap_or("").to_string();
            (field("name"), field("in"))
        })
        .collect();
    let theirs: BTreeMap<String, String> = losant
        .iter()
        .map(|p| {
            let field = |k: &str| p.get(k).and_then(Json::as_str).unwrap_or("").to_string();
            (field("name"), field("in"))
        })
        .collect();
    let mut problems = Vec::new();
    for (name, location) in &theirs {
        match ours.get(name) {
            None => problems.push(format!(
                "`{name}` (in: {location}) is in globalParams.json but not in api.yaml"
            )),
            Some(l) if l != location => problems.push(format!(
                "`{name}` is in: {location} in globalParams.json but in: {l} in api.yaml"
            )),
            Some(_) => {}
        }
    }
    for (name, location) in &ours {
        if !theirs.contains_key(name) {
            problems.push(format!(
                "`{name}` (in: {location}) is in api.yaml but not in globalParams.json"
            ));
        }
    }
    if problems.is_empty() {
        Ok(GlobalParams::Match)
    } else {
        Err(format!(
            "{}'s global_params differ from globalParams.json:\n  {}",
            api_file.display(),
            problems.join("\n  ")
        ))
    }
}

// ------------------------------------------------------------------------------------------
// Scopes and titles from docs/*.md
// ------------------------------------------------------------------------------------------

static SCOPES_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)at least one of the following scopes:\s*(.*?)\.\s*(?:\n|$)").unwrap()
});
static SCHEMA_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]+)\]\(\.\./lib/schemas/(\w+)\.json\)").unwrap());

/// The accepted scopes of each action documented in a resource page (`docs/RESOURCE.md`): for
/// the section whose JavaScript snippet calls `client.RESOURCE.ACTION(`, the list after "at
/// least one of the following scopes:" up to the final period, split on commas and "or"; an
/// empty list when the section has no such sentence (e.g. "No api access token is required").
pub fn parse_scopes(resource: &str, page: &str) -> BTreeMap<String, Vec<String>> {
    let call = Regex::new(&format!(r"client\.{}\.(\w+)\(", regex::escape(resource))).unwrap();
    let mut out = BTreeMap::new();
    for section in page.split("\n## ").skip(1) {
        let Some(action) = call.captures(section) else {
            continue;
        };
        let scopes = SCOPES_SENTENCE
            .captures(section)
            .map(|m| split_scopes(&m[1]))
            .unwrap_or_default();
        out.insert(action[1].to_string(), scopes);
    }
    out
}

/// `a, b, c, or d` (possibly over several lines) -> `[a, b, c, d]`.
pub fn split_scopes(list: &str) -> Vec<String> {
    list.split(',')
        .flat_map(|part| {
            let part = format!(
                " {} ",
                part.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            part.split(" or ")
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Schema titles from the docs' links `[Title](../lib/schemas/ID.json)`: id -> (title, doc
/// file). The first link in sorted file order wins.
pub fn doc_titles(docs: &BTreeMap<String, String>) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for (file, text) in docs {
        for m in SCHEMA_LINK.captures_iter(text) {
            out.entry(m[2].to_string())
                .or_insert_with(|| (m[1].to_string(), file.clone()));
        }
    }
    out
}

/// `applicationApiTokenPost` -> `Application Api Token Post` (words split before capitals,
/// each capitalised like Python's `str.title`).
pub fn id_to_title(id: &str) -> String {
    let mut spaced = String::new();
    for (i, c) in id.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    let mut out = String::new();
    let mut after_letter = false;
    for c in spaced.chars() {
        if after_letter {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        after_letter = c.is_alphabetic();
    }
    out
}

// ------------------------------------------------------------------------------------------
// Resources
// ------------------------------------------------------------------------------------------

fn ykey(s: &str) -> Yaml {
    Yaml::String(s.to_string())
}

fn to_yaml(value: &Json) -> Yaml {
    serde_yaml::to_value(value).unwrap_or(Yaml::Null)
}

/// The id a `$ref` names: its last path segment (`#/definitions/orgPost` -> `orgPost`).
fn ref_id(schema: Option<&Json>) -> Result<String, String> {
    schema
        .and_then(|s| s.get("$ref"))
        .and_then(Json::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
        .ok_or_else(|| "expected a schema with a `$ref`".to_string())
}

/// The value as the string a string parameter would take: strings as they are, `true`,
/// numbers as written, anything else as JSON.
fn stringify(value: &Json) -> Json {
    match value {
        Json::String(_) => value.clone(),
        Json::Bool(b) => Json::String(b.to_string()),
        Json::Number(n) => Json::String(n.to_string()),
        other => Json::String(other.to_string()),
    }
}

/// The type to declare for a Losant parameter: Losant declares many numeric and boolean query
/// parameters `type: string`; those whose default and example are all numbers are `integer`
/// (`number` if one is fractional), all booleans `boolean`.
pub fn infer_type(param: &Map<String, Json>) -> Option<String> {
    let ty = param.get("type").and_then(Json::as_str)?;
    let values: Vec<&Json> = ["default", "example"]
        .iter()
        .filter_map(|k| param.get(*k))
        .collect();
    if ty == "string" && !param.contains_key("enum") && !values.is_empty() {
        if values.iter().all(|v| v.is_boolean()) {
            return Some("boolean".into());
        }
        if values.iter().all(|v| v.is_number()) {
            let integral = values
                .iter()
                .all(|v| v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0));
            return Some(if integral { "integer" } else { "number" }.into());
        }
    }
    Some(ty.to_string())
}

/// A Losant parameter as a spec parameter; `path` is where it will be (for the notes of
/// repairs, added to `norms`).
pub fn convert_param(
    param: &Map<String, Json>,
    path: &str,
    norms: &mut Vec<Normalization>,
) -> Result<Mapping, String> {
    let mut out = Mapping::new();
    let name = param
        .get("name")
        .and_then(Json::as_str)
        .ok_or("a parameter without a name")?;
    out.insert(ykey("name"), ykey(name));
    let mut ty = None;
    if let Some(schema) = param.get("schema") {
        let id = ref_id(Some(schema)).map_err(|e| format!("parameter `{name}`: {e}"))?;
        let mut reference = Mapping::new();
        reference.insert(ykey("$ref"), Yaml::String(format!("{id}.yaml")));
        out.insert(ykey("schema"), Yaml::Mapping(reference));
        // Losant's object-typed (advanced query) parameters go out as one JSON value.
        if param.get("type").and_then(Json::as_str) == Some("object") {
            out.insert(ykey("encoding"), ykey("json"));
        }
    } else if let Some(t) = infer_type(param) {
        out.insert(ykey("type"), ykey(&t));
        if t == "array" {
            let mut items = Mapping::new();
            items.insert(ykey("type"), ykey("string"));
            out.insert(ykey("items"), Yaml::Mapping(items));
        }
        ty = Some(t);
    }
    let mut enum_values = match param.get("enum") {
        Some(Json::Array(values)) => Some(values.iter().map(stringify).collect::<Vec<Json>>()),
        _ => None,
    };
    let mut values = Vec::new();
    for key in ["default", "example"] {
        if let Some(v) = param.get(key) {
            let v = if ty.as_deref() == Some("string") || enum_values.is_some() {
                stringify(v)
            } else {
                v.clone()
            };
            // Losant's own default or example is a value its server takes (the examples of
            // eight list actions filter or sort by a field the enum omits, e.g. `key`): the
            // enum is what is incomplete, so the value joins it rather than being dropped.
            if let Some(allowed) = enum_values.as_mut().filter(|e| !e.contains(&v)) {
                let before: Vec<String> = allowed.iter().map(Json::to_string).collect();
                norms.push(Normalization {
                    kind: NormKind::EnumValueAdded,
                    text: format!(
                        "Losant's {key} of parameter {name} at {} uses {v}, which its enum ({}) \
                         omits: added to the enum, {key} kept",
                        at(path),
                        before.join(", ")
                    ),
                });
                allowed.push(v.clone());
            }
            values.push((key, v));
        }
    }
    if let Some(allowed) = enum_values {
        out.insert(ykey("enum"), to_yaml(&Json::Array(allowed)));
    }
    for (key, v) in values {
        out.insert(ykey(key), to_yaml(&v));
    }
    for key in ["pattern", "minLength", "maxLength"] {
        if let Some(v) = param.get(key) {
            out.insert(ykey(key), to_yaml(v));
        }
    }
    for key in ["required", "deprecated"] {
        if param.get(key).and_then(Json::as_bool) == Some(true) {
            out.insert(ykey(key), Yaml::Bool(true));
        }
    }
    if let Some(d) = param.get("description") {
        out.insert(ykey("description"), to_yaml(d));
    }
    Ok(out)
}

/// The parameters of `params` that are `in: location`; `list` is where they will be.
fn params_in(
    params: &[Json],
    location: &str,
    list: &str,
    norms: &mut Vec<Normalization>,
) -> Result<Vec<Mapping>, String> {
    params
        .iter()
        .filter_map(Json::as_object)
        .filter(|p| p.get("in").and_then(Json::as_str) == Some(location))
        .enumerate()
        .map(|(i, p)| {
            let mut param = convert_param(p, &format!("{list}[{i}]"), norms)?;
            if location == "path" {
                param.shift_remove("required");
            }
            Ok(param)
        })
        .collect()
}

fn seq(params: Vec<Mapping>) -> Yaml {
    Yaml::Sequence(params.into_iter().map(Yaml::Mapping).collect())
}

fn str_field<'a>(m: &'a Map<String, Json>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Json::as_str).filter(|s| !s.is_empty())
}

/// One response, success or error.
fn convert_response(response: &Map<String, Json>) -> Result<Mapping, String> {
    let mut out = Mapping::new();
    if let Some(schema) = response.get("schema") {
        out.insert(ykey("schema"), Yaml::String(ref_id(Some(schema))?));
    }
    if let Some(Json::Object(events)) = response.get("sseEvents") {
        let mut map = Mapping::new();
        for (name, event) in events {
            let mut e = Mapping::new();
            e.insert(ykey("schema"), Yaml::String(ref_id(event.get("schema"))?));
            let description = event.get("description").and_then(Json::as_str);
            e.insert(ykey("description"), ykey(description.unwrap_or("")));
            map.insert(ykey(name), Yaml::Mapping(e));
        }
        out.insert(ykey("events"), Yaml::Mapping(map));
    }
    let description = response.get("description").and_then(Json::as_str);
    out.insert(ykey("description"), ykey(description.unwrap_or("")));
    Ok(out)
}

/// What converting an action consults beyond the action itself.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The resource's name.
    pub resource: &'a str,
    /// The resource's actions in `apiInfo.json`.
    pub actions: &'a Map<String, Json>,
    /// The scopes its page documents, by action.
    pub scopes: &'a BTreeMap<String, Vec<String>>,
    /// All schema files by id, normalized.
    pub schemas: &'a BTreeMap<String, Json>,
}

/// One action.
fn convert_action(
    name: &str,
    action: &Map<String, Json>,
    ctx: Context<'_>,
    norms: &mut Vec<Normalization>,
) -> Result<Mapping, String> {
    let here = format!("actions.{name}");
    let mut out = Mapping::new();
    let method = str_field(action, "method").ok_or("no method")?;
    out.insert(ykey("method"), ykey(method));
    let summary = str_field(action, "summary");
    let description = str_field(action, "description");
    out.insert(
        ykey("summary"),
        ykey(summary.or(description).unwrap_or(name)),
    );
    if let (Some(_), Some(d)) = (summary, description) {
        out.insert(ykey("description"), ykey(d));
    }
    if let Some(path) = str_field(action, "path") {
        out.insert(ykey("path"), ykey(path));
    }
    let empty = Vec::new();
    let params = match action.get("params") {
        Some(Json::Array(p)) => p,
        _ => &empty,
    };
    let path_params = params_in(params, "path", &join(&here, "path_params"), norms)?;
    if !path_params.is_empty() {
        out.insert(ykey("path_params"), seq(path_params));
    }
    let stream = action.get("sseStream").and_then(Json::as_bool) == Some(true);
    let derived = match ctx.scopes.get(name) {
        None if stream => marks::stream_scopes(ctx.resource, name, ctx.actions, ctx.scopes),
        _ => None,
    };
    let scopes: Vec<Yaml> = match (ctx.scopes.get(name), derived) {
        (Some(s), _) => s.iter().map(|s| ykey(s)).collect(),
        (None, Some((list, why))) => {
            let auth: Vec<&str> = match action.get("auth") {
                Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            norms.push(Normalization {
                kind: NormKind::StreamScopes,
                text: format!(
                    "{here}.scopes derived: Losant lists only {} for this server-sent-event \
                     stream and its page leaves it out; {why} (see xtask/src/import/marks.rs, \
                     stream_scopes)",
                    auth.join(", ")
                ),
            });
            list.iter().map(|s| ykey(s)).collect()
        }
        // Not documented: the one scope apiInfo.json gives.
        (None, None) => match action.get("auth") {
            Some(auth) => match to_yaml(auth) {
                Yaml::Sequence(s) => s,
                _ => Vec::new(),
            },
            None => Vec::new(),
        },
    };
    out.insert(ykey("scopes"), Yaml::Sequence(scopes));
    let query_names: Vec<&str> = params
        .iter()
        .filter(|p| p.get("in").and_then(Json::as_str) == Some("query"))
        .filter_map(|p| p.get("name").and_then(Json::as_str))
        .collect();
    let response = action
        .get("responses")
        .and_then(|r| r.get("200"))
        .and_then(|r| ref_id(r.get("schema")).ok());
    match marks::pagination(&query_names, response.as_deref(), ctx.schemas) {
        Pagination::NotAList => {}
        Pagination::Paginated => {
            out.insert(ykey("paginated"), Yaml::Bool(true));
        }
        Pagination::Unmarked(why) => norms.push(Normalization {
            kind: NormKind::NotPaginated,
            text: format!(
                "{here} is not marked paginated although it takes {} and {}: {why}",
                marks::PAGE_PARAM,
                marks::PER_PAGE_PARAM
            ),
        }),
    }
    if let Some(why) = marks::idempotent(ctx.resource, name) {
        out.insert(ykey("idempotent"), Yaml::Bool(true));
        norms.push(Normalization {
            kind: NormKind::Idempotent,
            text: format!(
                "{here} marked idempotent: true, a POST that only reads, so the client may retry \
                 it like a GET: {why} (see xtask/src/import/marks.rs, IDEMPOTENT_POSTS)"
            ),
        });
    }
    for (flag, key) in [
        ("denyOauthTokens", "deny_oauth_tokens"),
        ("allowUnverified", "allow_unverified"),
    ] {
        if action.get(flag).and_then(Json::as_bool) == Some(true) {
            out.insert(ykey(key), Yaml::Bool(true));
        }
    }
    for (location, key) in [
        ("query", "query"),
        ("header", "headers"),
        ("multipart", "multipart"),
    ] {
        let list = params_in(params, location, &join(&here, key), norms)?;
        if !list.is_empty() {
            out.insert(ykey(key), seq(list));
        }
    }
    let body = params
        .iter()
        .filter_map(Json::as_object)
        .find(|p| p.get("in").and_then(Json::as_str) == Some("body"));
    if let Some(b) = body {
        let mut m = Mapping::new();
        let name = b.get("name").and_then(Json::as_str).unwrap_or("body");
        m.insert(ykey("name"), ykey(name));
        let schema = ref_id(b.get("schema")).map_err(|e| format!("body: {e}"))?;
        m.insert(ykey("schema"), Yaml::String(schema));
        if b.get("required").and_then(Json::as_bool) == Some(true) {
            m.insert(ykey("required"), Yaml::Bool(true));
        }
        if let Some(d) = str_field(b, "description") {
            m.insert(ykey("description"), ykey(d));
        }
        out.insert(ykey("body"), Yaml::Mapping(m));
    }
    let (mut responses, mut errors) = (Mapping::new(), Mapping::new());
    if let Some(Json::Object(map)) = action.get("responses") {
        for (status, response) in map {
            let code: u16 = status
                .parse()
                .map_err(|_| format!("response status `{status}` is not a number"))?;
            let response = response
                .as_object()
                .ok_or_else(|| format!("response {status}: expected an object"))?;
            let target = if code < 300 {
                &mut responses
            } else {
                &mut errors
            };
            target.insert(
                Yaml::Number(code.into()),
                Yaml::Mapping(
                    convert_response(response).map_err(|e| format!("response {status}: {e}"))?,
                ),
            );
        }
    }
    out.insert(ykey("responses"), Yaml::Mapping(responses));
    if !errors.is_empty() {
        out.insert(ykey("errors"), Yaml::Mapping(errors));
    }
    Ok(out)
}

/// One resource of `apiInfo.json` as a resource file's content, and its action names; repairs
/// are added to `norms`. `name` is its name, `scopes` the scopes its page documents and
/// `schemas` all schema files (normalized).
pub fn convert_resource(
    name: &str,
    resource: &Map<String, Json>,
    scopes: &BTreeMap<String, Vec<String>>,
    schemas: &BTreeMap<String, Json>,
    norms: &mut Vec<Normalization>,
) -> Result<(Mapping, Vec<String>), String> {
    let mut out = Mapping::new();
    let path = resource
        .get("path")
        .and_then(Json::as_str)
        .ok_or("no path")?;
    out.insert(ykey("path"), ykey(path));
    if let Some(Json::Array(params)) = resource.get("params") {
        let path_params = params_in(params, "path", "path_params", norms)?;
        if !path_params.is_empty() {
            out.insert(ykey("path_params"), seq(path_params));
        }
    }
    let mut actions = Mapping::new();
    let mut names = Vec::new();
    if let Some(Json::Object(map)) = resource.get("actions") {
        let ctx = Context {
            resource: name,
            actions: map,
            scopes,
            schemas,
        };
        for (action_name, action) in map {
            let action = action
                .as_object()
                .ok_or_else(|| format!("action {action_name}: expected an object"))?;
            let converted = convert_action(action_name, action, ctx, norms)
                .map_err(|e| format!("action {action_name}: {e}"))?;
            actions.insert(ykey(action_name), Yaml::Mapping(converted));
            names.push(action_name.clone());
        }
    }
    out.insert(ykey("actions"), Yaml::Mapping(actions));
    Ok((out, names))
}

// ------------------------------------------------------------------------------------------
// Schemas and their normalizations
// ------------------------------------------------------------------------------------------

/// A kind of repair of Losant's schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NormKind {
    /// An unknown keyword dropped.
    UnknownKeyword,
    /// A property schema misplaced as a keyword moved into `properties`.
    MisplacedProperty,
    /// Losant's `min`/`max` made the JSON Schema bound they mean.
    MinMax,
    /// A nested list in `anyOf`/`oneOf`/`allOf` flattened.
    NestedList,
    /// A numeric keyword written as a string made a number.
    NumericString,
    /// A schema misplaced as a `properties` map unwrapped.
    MisplacedSchema,
    /// A non-schema value in a `properties` map dropped.
    NonSchemaProperty,
    /// A `$ref` to Losant's shared definitions pointed at the schema file.
    SharedRef,
    /// A list's items that named the list itself pointed at the item schema.
    SelfRef,
    /// A placeholder in an example (`{"$ref": "#/examples/X"}`) replaced by Losant's example.
    ExamplePlaceholder,
    /// A member of a published example declared in its schema.
    ExampleMember,
    /// A parameter's default or example that is not one of its enum values added to the enum.
    EnumValueAdded,
    /// A list action left unmarked: its response cannot be paged through.
    NotPaginated,
    /// A `POST` that only reads marked `idempotent: true`.
    Idempotent,
    /// A stream's scopes derived from its siblings'.
    StreamScopes,
}

impl NormKind {
    /// How the summary names the kind (with a count before it).
    pub fn label(self) -> &'static str {
        match self {
            NormKind::UnknownKeyword => "unknown keywords dropped",
            NormKind::MisplacedProperty => "misplaced property schemas moved into properties",
            NormKind::MinMax => "min/max made minLength/maxLength/minimum/maximum",
            NormKind::NestedList => "nested anyOf/oneOf/allOf lists flattened",
            NormKind::NumericString => "numeric strings made numbers",
            NormKind::MisplacedSchema => "misplaced schemas unwrapped",
            NormKind::NonSchemaProperty => "non-schema property values dropped",
            NormKind::SharedRef => "$refs to shared definitions made file references",
            NormKind::SelfRef => "list items naming the list itself pointed at the item schema",
            NormKind::ExamplePlaceholder => "example placeholders replaced by Losant's examples",
            NormKind::ExampleMember => "members of published examples declared",
            NormKind::EnumValueAdded => "enum values added (parameter defaults/examples used them)",
            NormKind::NotPaginated => {
                "list actions not marked paginated (response lacks items/totalCount)"
            }
            NormKind::Idempotent => "read-only POSTs marked idempotent",
            NormKind::StreamScopes => "stream actions given their siblings' scopes",
        }
    }
}

/// One repair, with the comment line that describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalization {
    /// Its kind.
    pub kind: NormKind,
    /// What was done, where, and why (one line).
    pub text: String,
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the root".into()
    } else {
        path.to_string()
    }
}

fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}.{segment}")
    }
}

/// Normalizes one schema document in place (see the module docs), recording each repair.
pub struct Normalizer<'a> {
    /// The id of the schema file being normalized.
    pub id: &'a str,
    /// Ids of all schema files (for `$ref` rewriting).
    pub ids: &'a BTreeSet<String>,
    /// The names of the document's own `definitions`.
    local_definitions: BTreeSet<String>,
    /// The repairs made so far.
    pub done: Vec<Normalization>,
}

impl<'a> Normalizer<'a> {
    /// Normalizes `root`, the whole schema file `id`.
    pub fn run(root: &mut Json, id: &'a str, ids: &'a BTreeSet<String>) -> Vec<Normalization> {
        let local_definitions = root
            .get("definitions")
            .and_then(Json::as_object)
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        let mut n = Normalizer {
            id,
            ids,
            local_definitions,
            done: Vec::new(),
        };
        n.schema(root, "");
        n.done
    }

    fn note(&mut self, kind: NormKind, text: String) {
        self.done.push(Normalization { kind, text });
    }

    fn schema(&mut self, node: &mut Json, path: &str) {
        let Json::Object(map) = node else {
            return;
        };
        self.misplaced_properties(map, path);
        self.stray_property_schemas(map, path);
        self.min_max(map, path);
        let old = std::mem::take(map);
        for (key, mut value) in old {
            if !is_keyword(&key) {
                self.note(
                    NormKind::UnknownKeyword,
                    format!(
                        "dropped unknown keyword {key:?} at {} (not a JSON Schema keyword; \
                         draft-07 ignores it)",
                        at(path)
                    ),
                );
                continue;
            }
            let here = join(path, &key);
            match key.as_str() {
                "properties" | "patternProperties" | "definitions" => {
                    if let Json::Object(subs) = &mut value {
                        for (name, sub) in subs.iter_mut() {
                            self.schema(sub, &join(&here, name));
                        }
                    }
                }
                "additionalProperties" | "additionalItems" | "propertyNames" | "not" => {
                    self.schema(&mut value, &here);
                }
                "items" => match &mut value {
                    Json::Array(items) => {
                        for (i, item) in items.iter_mut().enumerate() {
                            self.schema(item, &format!("{here}[{i}]"));
                        }
                    }
                    other => self.schema(other, &here),
                },
                "oneOf" | "anyOf" | "allOf" => {
                    if let Json::Array(items) = &mut value {
                        if items.iter().any(Json::is_array) {
                            *items = flatten(std::mem::take(items));
                            self.note(
                                NormKind::NestedList,
                                format!(
                                    "flattened a list nested in {key} at {} (a list is not a \
                                     schema; its schemas became alternatives of {key})",
                                    at(path)
                                ),
                            );
                        }
                        for (i, item) in items.iter_mut().enumerate() {
                            self.schema(item, &format!("{here}[{i}]"));
                        }
                    }
                }
                "$ref" => self.shared_ref(&mut value, path),
                k if INTEGER_KEYWORDS.contains(&k) || NUMBER_KEYWORDS.contains(&k) => {
                    if let Some(number) = numeric(&value, INTEGER_KEYWORDS.contains(&k)) {
                        self.note(
                            NormKind::NumericString,
                            format!(
                                "{key} {value} at {} made the number {number} (draft-07 wants \
                                 a number)",
                                at(path)
                            ),
                        );
                        value = number;
                    }
                }
                _ => {}
            }
            map.insert(key, value);
        }
    }

    /// `properties` whose values are not all schemas: a schema misplaced one level down.
    fn misplaced_properties(&mut self, map: &mut Map<String, Json>, path: &str) {
        let Some(Json::Object(props)) = map.get("properties") else {
            return;
        };
        let is_schema = |v: &Json| v.is_object() || v.is_boolean();
        if props.values().all(is_schema) {
            return;
        }
        let unwrappable = props.iter().all(|(k, v)| {
            is_keyword(k) && (k == "properties" || map.get(k).is_none_or(|mine| mine == v))
        });
        let here = join(path, "properties");
        if unwrappable {
            let props = props.clone();
            let moved: Vec<String> = props.keys().cloned().collect();
            let old = std::mem::take(map);
            for (key, value) in old {
                if key == "properties" {
                    for (k, v) in &props {
                        if k == "properties" || !map.contains_key(k) {
                            map.insert(k.clone(), v.clone());
                        }
                    }
                } else if !map.contains_key(&key) {
                    map.insert(key, value);
                }
            }
            self.note(
                NormKind::MisplacedSchema,
                format!(
                    "unwrapped a schema misplaced as {here} (its keywords {} moved up to {}; \
                     string values are not property schemas)",
                    moved.join(", "),
                    at(path)
                ),
            );
        } else if let Some(Json::Object(props)) = map.get_mut("properties") {
            let bad: Vec<String> = props
                .iter()
                .filter(|(_, v)| !is_schema(v))
                .map(|(k, _)| k.clone())
                .collect();
            props.retain(|_, v| is_schema(v));
            for name in bad {
                self.note(
                    NormKind::NonSchemaProperty,
                    format!("dropped property {name:?} at {here} (its value is not a schema)"),
                );
            }
        }
    }

    /// Property schemas written beside `properties` instead of inside it (unknown keywords
    /// whose values are schemas). Draft-07 ignores them, so a client would drop what the server
    /// sends there; they are moved where they belong:
    ///
    /// - into this schema's own `properties` when it describes an object (`type: object`,
    ///   or `properties`, or no type and nothing that says otherwise: Losant's integration
    ///   `status` is a bare `{lastKeepAlive: {...}, connectInfo: {...}}`, its properties
    ///   written without `properties`);
    /// - into the `properties` of the object holding this schema, beside it, when this schema
    ///   is one of those properties and does not describe an object (Losant closed a brace too
    ///   late: `customNodes: {type: array, items: {...}, instanceNodes: {...}}`, where
    ///   `instanceNodes` is `customNodes`' sibling, as the palette response shows).
    ///
    /// A name that is already a property is left alone (and dropped as an unknown keyword).
    fn stray_property_schemas(&mut self, map: &mut Map<String, Json>, path: &str) {
        // Siblings misplaced inside a property that is not an object move up to here.
        if object_like(map) {
            let here = join(path, "properties");
            let mut lifted = Vec::new();
            if let Some(Json::Object(props)) = map.get_mut("properties") {
                let names: Vec<String> = props.keys().cloned().collect();
                for name in names {
                    let Some(Json::Object(prop)) = props.get_mut(&name) else {
                        continue;
                    };
                    if object_like(prop) {
                        continue;
                    }
                    for key in stray_schema_keys(prop) {
                        let value = prop.shift_remove(&key).unwrap_or_default();
                        lifted.push((name.clone(), key, value));
                    }
                }
            }
            for (beside, key, value) in lifted {
                let Some(Json::Object(props)) = map.get_mut("properties") else {
                    break;
                };
                let from = join(&here, &beside);
                if props.contains_key(&key) {
                    self.note(
                        NormKind::UnknownKeyword,
                        format!(
                            "dropped unknown keyword {key:?} at {from} (a property schema \
                             misplaced inside {beside:?}, but {here} already has {key:?})"
                        ),
                    );
                    continue;
                }
                let index = props
                    .keys()
                    .position(|k| *k == beside)
                    .map_or(props.len(), |i| i + 1);
                props.shift_insert(index, key.clone(), value);
                self.note(
                    NormKind::MisplacedProperty,
                    format!(
                        "moved the property schema {key:?} misplaced inside {from} (which is not \
                         an object) up to {here}, beside {beside:?} (draft-07 would ignore it \
                         there)"
                    ),
                );
            }
        }
        // This schema's own.
        if !object_like(map) {
            return;
        }
        let strays = stray_schema_keys(map);
        if strays.is_empty() {
            return;
        }
        let bare = !map.contains_key("properties");
        let here = join(path, "properties");
        for key in strays {
            let value = map.shift_remove(&key).unwrap_or_default();
            let props = map
                .entry("properties")
                .or_insert_with(|| Json::Object(Map::new()));
            let Json::Object(props) = props else {
                continue;
            };
            if props.contains_key(&key) {
                self.note(
                    NormKind::UnknownKeyword,
                    format!(
                        "dropped unknown keyword {key:?} at {} (a property schema misplaced \
                         beside properties, but {here} already has {key:?})",
                        at(path)
                    ),
                );
                continue;
            }
            props.insert(key.clone(), value);
            let why = if bare {
                "Losant wrote this object's property schemas without `properties`"
            } else {
                "Losant put it beside `properties`"
            };
            self.note(
                NormKind::MisplacedProperty,
                format!(
                    "moved the property schema {key:?} misplaced as a keyword of {} into {here} \
                     ({why}; draft-07 would ignore it)",
                    at(path)
                ),
            );
        }
    }

    /// Losant's `min`/`max` (not JSON Schema keywords) carry their Joi meaning: the bounds of a
    /// string's length, an array's item count or a number's value. They become `minLength`/
    /// `maxLength`, `minItems`/`maxItems` or `minimum`/`maximum` where the schema's type says
    /// which and the keyword is not already there (else they are dropped as unknown keywords).
    fn min_max(&mut self, map: &mut Map<String, Json>, path: &str) {
        let types: Vec<&str> = match map.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(list)) => list.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        let (lower, upper, what) = match types.as_slice() {
            ["string"] => ("minLength", "maxLength", "a string's length"),
            ["array"] => ("minItems", "maxItems", "an array's item count"),
            ["integer" | "number"] => ("minimum", "maximum", "a number's value"),
            _ => return,
        };
        let integral = lower != "minimum";
        for (key, keyword) in [("min", lower), ("max", upper)] {
            let Some(value) = map.get(key) else { continue };
            let fits = if integral {
                value.is_u64()
            } else {
                value.is_number()
            };
            if !fits || map.contains_key(keyword) {
                continue;
            }
            let value = map.shift_remove(key).unwrap_or_default();
            self.note(
                NormKind::MinMax,
                format!(
                    "{key} {value} at {} made {keyword} {value} (Losant's schemas come from Joi, \
                     where {key} bounds {what}; draft-07 ignores {key})",
                    at(path)
                ),
            );
            map.insert(keyword.to_string(), value);
        }
    }

    fn shared_ref(&mut self, value: &mut Json, path: &str) {
        let Some(target) = value
            .as_str()
            .and_then(|r| r.strip_prefix("#/definitions/"))
        else {
            return;
        };
        if target.contains('/')
            || self.local_definitions.contains(target)
            || !self.ids.contains(target)
        {
            return;
        }
        // A list whose items name the list itself (`instanceAuditLogs` items `$ref:
        // "#/definitions/instanceAuditLogs"`) would nest lists in lists forever; its items are
        // single records, which the item schema (`instanceAuditLog`) describes (Losant's
        // examples of both lists hold such records; the spec's example test checks them).
        if target == self.id && path == "properties.items.items" {
            if let Some(item) = item_id(target, |id| self.ids.contains(id)) {
                let new = format!("{item}.yaml");
                self.note(
                    NormKind::SelfRef,
                    format!(
                        "$ref {value} at {path} made {new:?} (the items of this list named the \
                         list itself, which nests lists forever; its item schema is {item})"
                    ),
                );
                *value = Json::String(new);
                return;
            }
        }
        let new = format!("{target}.yaml");
        self.note(
            NormKind::SharedRef,
            format!(
                "$ref {value} at {} made {new:?} (Losant's shared definitions are our schema \
                 files)",
                at(path)
            ),
        );
        *value = Json::String(new);
    }
}

/// The id of the item schema of the list schema `list` (`instanceAuditLogs` ->
/// `instanceAuditLog`), if `exists` says there is one.
pub fn item_id(list: &str, exists: impl Fn(&str) -> bool) -> Option<&str> {
    list.strip_suffix('s').filter(|item| exists(item))
}

/// Whether a schema describes an object (so that members may be its properties): `type`
/// says `object`, or it has `properties`, or it has no `type` and nothing that makes it
/// something else (items, a list of values, a reference, alternatives).
fn object_like(map: &Map<String, Json>) -> bool {
    match map.get("type") {
        Some(Json::String(t)) => t == "object",
        Some(Json::Array(types)) => types.iter().any(|t| t == "object"),
        Some(_) => false,
        None => {
            map.contains_key("properties")
                || ![
                    "items", "enum", "const", "$ref", "oneOf", "anyOf", "allOf", "not",
                ]
                .iter()
                .any(|k| map.contains_key(*k))
        }
    }
}

/// Whether a value is a schema by its looks: an object with at least one JSON Schema keyword
/// (`{type: string}`, `{properties: {...}}`), as opposed to Losant's `min: 4`.
fn schema_like(value: &Json) -> bool {
    value
        .as_object()
        .is_some_and(|m| m.keys().any(|k| is_keyword(k)))
}

/// The unknown keywords of a schema whose values are schemas: property schemas misplaced.
fn stray_schema_keys(map: &Map<String, Json>) -> Vec<String> {
    map.iter()
        .filter(|(k, v)| !is_keyword(k) && schema_like(v))
        .map(|(k, _)| k.clone())
        .collect()
}

fn flatten(items: Vec<Json>) -> Vec<Json> {
    items
        .into_iter()
        .flat_map(|item| match item {
            Json::Array(inner) => flatten(inner),
            other => vec![other],
        })
        .collect()
}

/// A numeric keyword's value written as a string, as a number.
fn numeric(value: &Json, integer: bool) -> Option<Json> {
    let s = value.as_str()?.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Some(Json::from(n));
    }
    if integer {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(Json::from(n));
    }
    s.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Json::Number)
}

/// Calls `f` on every schema nested in `node` (not `node` itself), with its path.
fn visit_subschemas(node: &Json, path: &str, f: &mut dyn FnMut(&Map<String, Json>, &str)) {
    let Json::Object(map) = node else {
        return;
    };
    let mut visit = |sub: &Json, p: String| {
        if let Json::Object(m) = sub {
            f(m, &p);
            visit_subschemas(sub, &p, f);
        }
    };
    for (key, value) in map {
        let here = join(path, key);
        match (key.as_str(), value) {
            ("properties" | "patternProperties" | "definitions", Json::Object(subs)) => {
                for (name, sub) in subs {
                    visit(sub, join(&here, name));
                }
            }
            ("additionalProperties" | "additionalItems" | "propertyNames" | "not", sub) => {
                visit(sub, here);
            }
            ("items" | "oneOf" | "anyOf" | "allOf", Json::Array(items)) => {
                for (i, sub) in items.iter().enumerate() {
                    visit(sub, format!("{here}[{i}]"));
                }
            }
            ("items", sub) => visit(sub, here),
            _ => {}
        }
    }
}

// ------------------------------------------------------------------------------------------
// The whole conversion
// ------------------------------------------------------------------------------------------

/// What a produced file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A resource, with its action names (in order) and its content (to compare with a
    /// hand-written file).
    Resource {
        /// The action names.
        actions: Vec<String>,
        /// The file's YAML value.
        content: Mapping,
    },
    /// A schema.
    Schema,
}

/// One file the import produces.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// Path relative to the spec folder (`resources/orgs.yaml`).
    pub path: PathBuf,
    /// The whole text, marker line included.
    pub text: String,
    /// What it is.
    pub kind: FileKind,
    /// The repairs made to it.
    pub normalizations: Vec<Normalization>,
}

/// Everything the import produces, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// The files.
    pub files: Vec<OutFile>,
}

/// Makes a file's text: marker line (with the hash of the rest), hand-edit note, `# import:`
/// notes, then the YAML.
pub fn render(sources: &[String], notes: &[String], yaml: &Yaml) -> Result<String, String> {
    let mut rest = String::new();
    rest.push_str(HAND_EDIT_NOTE);
    rest.push('\n');
    for note in notes {
        let _ = writeln!(rest, "# import: {}", note.replace(['\n', '\r'], " "));
    }
    rest.push_str(&serde_yaml::to_string(yaml).map_err(|e| e.to_string())?);
    Ok(format!(
        "{MARKER} from losant-api ({}); sha256:{}\n{rest}",
        sources.join(", "),
        sha256_hex(&rest)
    ))
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Whether `text` is an imported file (marker line), and if so whether it still matches its
/// hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// No marker: written by hand.
    HandWritten,
    /// Marker, hash matches.
    Imported,
    /// Marker, hash does not match: edited by hand.
    EditedImport,
}

/// Classifies a file's text.
pub fn provenance(text: &str) -> Provenance {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if !first.starts_with(MARKER) {
        return Provenance::HandWritten;
    }
    match first.rsplit_once("sha256:") {
        Some((_, hash)) if hash.trim() == sha256_hex(rest) => Provenance::Imported,
        _ => Provenance::EditedImport,
    }
}

/// Converts the whole source, in memory.
pub fn convert(source: &Source) -> Result<Import, String> {
    let ids: BTreeSet<String> = source.schemas.keys().cloned().collect();
    let mut normalized = BTreeMap::new();
    for (id, schema) in &source.schemas {
        let mut schema = schema.clone();
        let done = Normalizer::run(&mut schema, id, &ids);
        normalized.insert(id.clone(), (schema, done));
    }
    let schemas: BTreeMap<String, Json> = normalized
        .iter()
        .map(|(id, (schema, _))| (id.clone(), schema.clone()))
        .collect();

    let mut files = Vec::new();
    for (name, resource) in &source.api_info {
        let resource = resource
            .as_object()
            .ok_or_else(|| format!("apiInfo.json: resource {name}: expected an object"))?;
        let doc_file = format!("{name}.md");
        let scopes = source
            .docs
            .get(&doc_file)
            .map(|page| parse_scopes(name, page))
            .unwrap_or_default();
        let mut norms = Vec::new();
        let (content, actions) = convert_resource(name, resource, &scopes, &schemas, &mut norms)
            .map_err(|e| format!("apiInfo.json: resource {name}: {e}"))?;
        let mut sources = vec!["apiInfo.json".to_string()];
        if source.docs.contains_key(&doc_file) {
            sources.push(format!("docs/{doc_file}"));
        }
        let notes: Vec<String> = norms.iter().map(|n| n.text.clone()).collect();
        let text = render(&sources, &notes, &Yaml::Mapping(content.clone()))?;
        files.push(OutFile {
            path: PathBuf::from(format!("resources/{name}.yaml")),
            text,
            kind: FileKind::Resource { actions, content },
            normalizations: norms,
        });
    }

    // Descriptions of inline schemas by title (first in id order, then document order).
    let mut inline: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for (id, (schema, _)) in &normalized {
        visit_subschemas(schema, "", &mut |sub, path| {
            if let (Some(Json::String(t)), Some(Json::String(d))) =
                (sub.get("title"), sub.get("description"))
            {
                inline
                    .entry(t.clone())
                    .or_insert_with(|| (d.clone(), id.clone(), path.to_string()));
            }
        });
    }
    // The examples (Losant's placeholders in them resolved), then every member they show that
    // their schemas lack declared where they show it (see `examples`).
    let mut later: BTreeMap<String, Vec<Normalization>> = BTreeMap::new();
    let mut docs: BTreeMap<String, Json> = BTreeMap::new();
    for (id, (schema, _)) in &normalized {
        let mut doc = schema.clone();
        if let (Some(example), Json::Object(map)) = (source.examples.get(id), &mut doc) {
            let mut example = example.clone();
            for text in examples::resolve_placeholders(&mut example, id, &source.examples) {
                later.entry(id.clone()).or_default().push(Normalization {
                    kind: NormKind::ExamplePlaceholder,
                    text,
                });
            }
            map.insert("examples".into(), Json::Array(vec![example]));
        }
        docs.insert(id.clone(), doc);
    }
    for d in examples::declare(&mut docs) {
        later
            .entry(d.place.file.clone())
            .or_default()
            .push(Normalization {
                kind: NormKind::ExampleMember,
                text: format!(
                    "declared {:?} as {} at {}: Losant's examples have it ({}) but the schema \
                     did not, so a typed client would drop it",
                    d.member,
                    d.schema,
                    d.place.dotted(),
                    d.seen.join(", ")
                ),
            });
    }
    let titles = doc_titles(&source.docs);
    for (id, (_, mut done)) in normalized {
        let Some(Json::Object(mut schema)) = docs.remove(&id) else {
            return Err(format!("schemas/{id}.json: expected a JSON object"));
        };
        done.extend(later.remove(&id).unwrap_or_default());
        let mut sources = vec![format!("schemas/{id}.json")];
        let mut notes: Vec<String> = done.iter().map(|n| n.text.clone()).collect();
        let mut out = Map::new();
        if let Some(meta) = schema.shift_remove("$schema") {
            out.insert("$schema".into(), meta);
        }
        let own_title = schema.shift_remove("title");
        let title = if let Some((title, doc)) = titles.get(&id) {
            sources.push(format!("docs/{doc}"));
            title.clone()
        } else if let Some(Json::String(t)) = own_title {
            t
        } else {
            id_to_title(&id)
        };
        out.insert("title".into(), Json::String(title.clone()));
        if let Some(d) = schema.shift_remove("description") {
            out.insert("description".into(), d);
        } else if let Some((d, other, path)) = inline.get(&title) {
            out.insert("description".into(), Json::String(d.clone()));
            if *other != id {
                sources.push(format!("schemas/{other}.json"));
            }
            notes.push(format!(
                "description taken from the inline schema titled {title:?} in \
                 schemas/{other}.json at {path}"
            ));
        }
        let examples = schema.shift_remove("examples");
        out.extend(schema);
        if examples.is_some() || done.iter().any(|n| n.kind == NormKind::ExampleMember) {
            sources.push("apiExamples.json".into());
        }
        if let Some(examples) = examples {
            out.insert("examples".into(), examples);
        }
        let text = render(&sources, &notes, &to_yaml(&Json::Object(out)))?;
        files.push(OutFile {
            path: PathBuf::from(format!("schemas/{id}.yaml")),
            text,
            kind: FileKind::Schema,
            normalizations: done,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Import { files })
}

// ------------------------------------------------------------------------------------------
// Bringing the spec folder in line
// ------------------------------------------------------------------------------------------

/// Why a file was not written (or removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// An imported file edited by hand (hash mismatch); `forced` when `--force` overwrote it
    /// (or removed it, when no longer produced).
    Edited {
        /// Whether `--force` overwrote (or removed) it anyway.
        forced: bool,
        /// Whether the import no longer produces it (it would be removed).
        stale: bool,
    },
    /// A hand-written file (no marker); `adds` lists what the import would add to it.
    HandWritten {
        /// Facts the import has that the file lacks.
        adds: Vec<String>,
    },
}

/// What the import changed (or, with `--check`, would change).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Produced files.
    pub files: Vec<OutFile>,
    /// Files written that did not exist.
    pub created: Vec<PathBuf>,
    /// Files overwritten (untouched imports with new content, or forced edited ones).
    pub updated: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: Vec<PathBuf>,
    /// Imported files removed because no longer produced.
    pub removed: Vec<PathBuf>,
    /// Files not written or not removed, and why.
    pub conflicts: Vec<(PathBuf, Conflict)>,
    /// Remarks printed first.
    pub notes: Vec<String>,
}

/// Brings `to` in line with `import` (see the module docs); in `check` mode writes nothing.
pub fn sync(to: &Path, import: &Import, check: bool, force: bool) -> std::io::Result<Outcome> {
    let mut outcome = Outcome {
        files: import.files.clone(),
        ..Outcome::default()
    };
    let write = |path: &Path, text: &str| -> std::io::Result<()> {
        if check {
            Ok(())
        } else {
            restgen::write::write_atomically(&to.join(path), text.as_bytes())
        }
    };
    for file in &import.files {
        let current = match fs::read_to_string(to.join(&file.path)) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let Some(current) = current else {
            write(&file.path, &file.text)?;
            outcome.created.push(file.path.clone());
            continue;
        };
        if current == file.text {
            outcome.unchanged.push(file.path.clone());
            continue;
        }
        match provenance(&current) {
            Provenance::Imported => {
                write(&file.path, &file.text)?;
                outcome.updated.push(file.path.clone());
            }
            Provenance::EditedImport => {
                if force {
                    write(&file.path, &file.text)?;
                    outcome.updated.push(file.path.clone());
                }
                let conflict = Conflict::Edited {
                    forced: force,
                    stale: false,
                };
                outcome.conflicts.push((file.path.clone(), conflict));
            }
            Provenance::HandWritten => {
                let adds = match &file.kind {
                    FileKind::Resource { content, .. } => hand_written_gaps(&current, content),
                    FileKind::Schema => Vec::new(),
                };
                let conflict = Conflict::HandWritten { adds };
                outcome.conflicts.push((file.path.clone(), conflict));
            }
        }
    }
    let produced: BTreeSet<&PathBuf> = import.files.iter().map(|f| &f.path).collect();
    for dir in ["resources", "schemas"] {
        let Ok(entries) = fs::read_dir(to.join(dir)) else {
            continue;
        };
        let mut stale = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = PathBuf::from(dir).join(&name);
            if !name.ends_with(".yaml") || name.starts_with('.') || produced.contains(&path) {
                continue;
            }
            if !entry.file_type()?.is_file() {
                continue;
            }
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            match provenance(&text) {
                Provenance::HandWritten => {}
                Provenance::Imported => stale.push((path, false)),
                Provenance::EditedImport => stale.push((path, true)),
            }
        }
        stale.sort();
        for (path, edited) in stale {
            if edited {
                outcome.conflicts.push((
                    path.clone(),
                    Conflict::Edited {
                        forced: force,
                        stale: true,
                    },
                ));
                if !force {
                    continue;
                }
            }
            if !check {
                fs::remove_file(to.join(&path))?;
            }
            outcome.removed.push(path);
        }
    }
    Ok(outcome)
}

/// What an imported resource has that a hand-written resource file lacks: actions, and for the
/// actions it has, scopes, `paginated`/`idempotent` marks and parameters.
pub fn hand_written_gaps(hand_text: &str, imported: &Mapping) -> Vec<String> {
    let Ok(hand) = serde_yaml::from_str::<Yaml>(hand_text) else {
        return vec!["(the hand-written file is not valid YAML; not compared)".into()];
    };
    let empty = Mapping::new();
    let actions = |doc: &Yaml| -> Mapping {
        doc.get("actions")
            .and_then(Yaml::as_mapping)
            .cloned()
            .unwrap_or_default()
    };
    let hand_actions = actions(&hand);
    let ours = actions(&Yaml::Mapping(imported.clone()));
    let mut gaps = Vec::new();
    let missing: Vec<&str> = ours
        .keys()
        .filter_map(Yaml::as_str)
        .filter(|name| !hand_actions.contains_key(*name))
        .collect();
    if !missing.is_empty() {
        gaps.push(format!("actions {}", missing.join(", ")));
    }
    let strings = |v: Option<&Yaml>| -> Vec<String> {
        v.and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let names = |v: Option<&Yaml>| -> Vec<String> {
        v.and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("name").and_then(Yaml::as_str).map(str::to_string))
            .collect()
    };
    for (name, action) in &ours {
        let Some(name) = name.as_str() else { continue };
        let Some(theirs) = hand_actions.get(name) else {
            continue;
        };
        let theirs = theirs.as_mapping().unwrap_or(&empty);
        let scopes: Vec<String> = strings(action.get("scopes"))
            .into_iter()
            .filter(|s| !strings(theirs.get("scopes")).contains(s))
            .collect();
        if !scopes.is_empty() {
            gaps.push(format!("{name}: scopes {}", scopes.join(", ")));
        }
        for flag in ["paginated", "idempotent"] {
            let set = |a: &Mapping| a.get(flag).and_then(Yaml::as_bool) == Some(true);
            if action.as_mapping().is_some_and(set) && !set(theirs) {
                gaps.push(format!("{name}: {flag}: true"));
            }
        }
        for key in ["path_params", "query", "headers", "multipart"] {
            let params: Vec<String> = names(action.get(key))
                .into_iter()
                .filter(|p| !names(theirs.get(key)).contains(p))
                .collect();
            if !params.is_empty() {
                gaps.push(format!("{name}: {key} {}", params.join(", ")));
            }
        }
    }
    gaps
}

impl Outcome {
    /// Whether the command succeeds (see the module docs).
    pub fn succeeded(&self, options: &Options) -> bool {
        let edited = self
            .conflicts
            .iter()
            .any(|(_, c)| matches!(c, Conflict::Edited { forced: false, .. }));
        if options.check {
            !edited && self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty()
        } else {
            // Hand-written files are kept by design: a note, not a failure.
            !edited
        }
    }

    /// The command's report.
    pub fn report(&self, options: &Options) -> String {
        let mut out = String::new();
        let to = &options.to;
        let show = |p: &Path| to.join(p).display().to_string();
        let verb =
            |done: &'static str, would: &'static str| if options.check { would } else { done };
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for path in &self.created {
            let _ = writeln!(out, "{} {} (new)", verb("wrote", "would write"), show(path));
        }
        for path in &self.updated {
            let _ = writeln!(out, "{} {}", verb("updated", "would update"), show(path));
        }
        for path in &self.removed {
            let _ = writeln!(
                out,
                "{} {} (no longer imported)",
                verb("removed", "would remove"),
                show(path)
            );
        }
        for (path, conflict) in &self.conflicts {
            match conflict {
                Conflict::Edited { forced, stale } => {
                    let what = if *stale { "removed" } else { "overwritten" };
                    let how = if *forced {
                        format!("{what} because of --force")
                    } else {
                        format!("kept; --force to have it {what}")
                    };
                    let _ = writeln!(
                        out,
                        "conflict: {} is an imported file edited by hand (its hash no longer \
                         matches): {how}",
                        show(path)
                    );
                }
                Conflict::HandWritten { adds } => {
                    let _ = writeln!(
                        out,
                        "note: {} is hand-written (no import marker): kept",
                        show(path)
                    );
                    for add in adds {
                        let _ = writeln!(out, "    the import would add {add}");
                    }
                }
            }
        }

        let is_resource = |p: &PathBuf| p.starts_with("resources");
        let actions_of = |paths: &[PathBuf]| -> usize {
            self.files
                .iter()
                .filter(|f| paths.contains(&f.path))
                .map(|f| match &f.kind {
                    FileKind::Resource { actions, .. } => actions.len(),
                    FileKind::Schema => 0,
                })
                .sum()
        };
        let split = |paths: &[PathBuf]| -> (Vec<PathBuf>, Vec<PathBuf>) {
            paths.iter().cloned().partition(is_resource)
        };
        let written: Vec<PathBuf> = self.created.iter().chain(&self.updated).cloned().collect();
        let (res_written, schema_written) = split(&written);
        let (res_unchanged, schema_unchanged) = split(&self.unchanged);
        let conflicted: Vec<PathBuf> = self.conflicts.iter().map(|(p, _)| p.clone()).collect();
        let (res_conflicts, schema_conflicts) = split(&conflicted);
        let total_resources = self.files.iter().filter(|f| is_resource(&f.path)).count();
        let total_actions: usize = actions_of(
            &self
                .files
                .iter()
                .map(|f| f.path.clone())
                .collect::<Vec<_>>(),
        );
        let _ = writeln!(
            out,
            "import from {} into {}: {} resources ({} actions), {} schemas",
            options.from.display(),
            to.display(),
            total_resources,
            total_actions,
            self.files.len() - total_resources
        );
        let written_word = verb("written", "to write");
        let _ = writeln!(
            out,
            "  resources: {} {written_word} ({} actions), {} unchanged, {} conflicts",
            res_written.len(),
            actions_of(&res_written),
            res_unchanged.len(),
            res_conflicts.len()
        );
        let _ = writeln!(
            out,
            "  schemas:   {} {written_word}, {} unchanged, {} conflicts",
            schema_written.len(),
            schema_unchanged.len(),
            schema_conflicts.len()
        );
        let _ = writeln!(
            out,
            "  new: {}, updated: {}, removed: {}",
            self.created.len(),
            self.updated.len(),
            self.removed.len()
        );
        let paginated: usize = self
            .files
            .iter()
            .filter_map(|f| match &f.kind {
                FileKind::Resource { content, .. } => content.get("actions")?.as_mapping(),
                FileKind::Schema => None,
            })
            .flat_map(|actions| actions.values())
            .filter(|a| a.get("paginated").and_then(Yaml::as_bool) == Some(true))
            .count();
        let _ = writeln!(out, "  list actions marked paginated: {paginated}");
        let mut kinds: BTreeMap<NormKind, (usize, BTreeSet<&Path>)> = BTreeMap::new();
        for file in &self.files {
            for n in &file.normalizations {
                let entry = kinds.entry(n.kind).or_default();
                entry.0 += 1;
                entry.1.insert(&file.path);
            }
        }
        let total: usize = kinds.values().map(|(n, _)| n).sum();
        let files: BTreeSet<&Path> = kinds.values().flat_map(|(_, f)| f.clone()).collect();
        let _ = writeln!(
            out,
            "  normalizations of Losant's data: {total} in {} (each described at the top of \
             its file)",
            plural(files.len(), "file")
        );
        for (kind, (count, files)) in &kinds {
            let files = plural(files.len(), "file");
            let _ = writeln!(out, "    {count} {} (in {files})", kind.label());
        }
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Json) -> Map<String, Json> {
        match v {
            Json::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn yaml_of(m: &Mapping) -> String {
        serde_yaml::to_string(m).unwrap()
    }

    // --- scopes ------------------------------------------------------------------------

    const PAGE: &str = "# Orgs Actions\n\nintro\n\n## Get\n\nReturns orgs\n\n```javascript\n\
        console.log(await client.orgs.get(params));\n```\n\n#### Authentication\n\
        The client must be configured with a valid api access token to call this\n\
        action. The token must include at least one of the following scopes:\n\
        all.User, all.User.read, only.User,\nonly.User.read, orgs.*, or orgs.get.\n\n\
        #### Available Parameters\n\n| a | b |\n\n## Post\n\n```javascript\n\
        console.log(await client.orgs.post(params));\n```\n\n#### Authentication\n\
        The token must include at least one of the following scopes:\n\
        orgs.* or orgs.post.\n\n## Login\n\n```javascript\nawait client.orgs.login(params);\n\
        ```\n\n#### Authentication\nNo api access token is required to call this action.\n\n\
        ## Other\n\n```javascript\nawait client.other.get(params);\n```\n";

    #[test]
    fn scopes_are_the_full_documented_list() {
        let scopes = parse_scopes("orgs", PAGE);
        assert_eq!(
            scopes["get"],
            [
                "all.User",
                "all.User.read",
                "only.User",
                "only.User.read",
                "orgs.*",
                "orgs.get"
            ]
        );
        assert_eq!(scopes["post"], ["orgs.*", "orgs.post"]);
        assert_eq!(scopes["login"], Vec::<String>::new());
        assert_eq!(scopes.len(), 3, "another resource's snippet is not ours");
    }

    #[test]
    fn scope_lists_split_on_commas_and_or() {
        assert_eq!(split_scopes("a.b"), ["a.b"]);
        assert_eq!(split_scopes("a.*, or a.get"), ["a.*", "a.get"]);
        assert_eq!(split_scopes("a, b,\n  c or d"), ["a", "b", "c", "d"]);
        // `or` inside a scope name is not a separator.
        assert_eq!(split_scopes("orgs.order, or x"), ["orgs.order", "x"]);
    }

    #[test]
    fn titles_come_from_doc_links_then_id() {
        let mut docs = BTreeMap::new();
        docs.insert(
            "b.md".to_string(),
            "| 200 | [Organizations](../lib/schemas/orgs.json) | x |".to_string(),
        );
        docs.insert(
            "a.md".to_string(),
            "[Orgs A](../lib/schemas/orgs.json) [Error](../lib/schemas/error.json)".to_string(),
        );
        let titles = doc_titles(&docs);
        assert_eq!(titles["orgs"], ("Orgs A".to_string(), "a.md".to_string()));
        assert_eq!(titles["error"].0, "Error");
        assert_eq!(
            id_to_title("applicationApiTokenPost"),
            "Application Api Token Post"
        );
        assert_eq!(id_to_title("oauth2Client"), "Oauth2 Client");
        assert_eq!(id_to_title("x2y"), "X2Y");
        assert_eq!(id_to_title("userPost"), "User Post");
    }

    // --- parameters --------------------------------------------------------------------

    #[test]
    fn numeric_and_boolean_strings_get_their_wire_type() {
        let p = |v: Json| infer_type(&obj(v));
        let t = |s: &str| Some(s.to_string());
        assert_eq!(
            p(json!({"type": "string", "default": 0, "example": 10})),
            t("integer")
        );
        assert_eq!(p(json!({"type": "string", "example": 1.5})), t("number"));
        assert_eq!(
            p(json!({"type": "string", "default": 2, "example": 0.5})),
            t("number")
        );
        assert_eq!(p(json!({"type": "string", "example": true})), t("boolean"));
        assert_eq!(
            p(json!({"type": "string", "default": false, "example": 1})),
            t("string")
        );
        assert_eq!(
            p(json!({"type": "string", "default": "now", "example": 5})),
            t("string")
        );
        assert_eq!(
            p(json!({"type": "string", "enum": [1, 2], "example": 1})),
            t("string")
        );
        assert_eq!(p(json!({"type": "string"})), t("string"));
        assert_eq!(p(json!({"type": "object", "example": 1})), t("object"));
        assert_eq!(p(json!({"name": "x"})), None);
    }

    #[test]
    fn parameters_convert_like_the_reference() {
        let mut norms = Vec::new();
        let mut convert_param = |p: &Map<String, Json>| convert_param(p, "query[0]", &mut norms);
        let q = convert_param(&obj(json!({
            "default": 100, "description": "How many", "example": 10, "in": "query",
            "name": "perPage", "type": "string"
        })))
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: perPage\ntype: integer\ndefault: 100\nexample: 10\ndescription: How many\n"
        );
        let q = convert_param(&obj(json!({
            "name": "month", "in": "query", "type": "string", "default": "now",
            "example": 1609459204518_u64, "required": true, "pattern": "^x$", "minLength": 1
        })))
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: month\ntype: string\ndefault: now\nexample: '1609459204518'\npattern: ^x$\n\
             minLength: 1\nrequired: true\n"
        );
        let q = convert_param(&obj(json!({
            "name": "level", "in": "query", "type": "number", "enum": [1, true, "x"],
            "example": 1, "deprecated": false
        })))
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: level\ntype: number\nenum:\n- '1'\n- 'true'\n- x\nexample: '1'\n"
        );
        let q = convert_param(&obj(json!({
            "name": "ids", "in": "query", "type": "array", "description": "d"
        })))
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: ids\ntype: array\nitems:\n  type: string\ndescription: d\n"
        );
        let q = convert_param(&obj(json!({
            "name": "query", "in": "query", "schema": {"$ref": "#/definitions/advancedQuery"}
        })))
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: query\nschema:\n  $ref: advancedQuery.yaml\n"
        );
        let q = convert_param(&obj(json!({
            "name": "query", "in": "query", "type": "object",
            "schema": {"$ref": "#/definitions/advancedQuery"}
        })))
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: query\nschema:\n  $ref: advancedQuery.yaml\nencoding: json\n"
        );
        assert!(norms.is_empty());
    }

    #[test]
    fn defaults_and_examples_outside_the_enum_join_it() {
        let mut norms = Vec::new();
        let q = convert_param(
            &obj(json!({"name": "sortField", "in": "query", "type": "string",
                "enum": ["name", "dataType"], "default": "name", "example": "status"})),
            "actions.get.query[0]",
            &mut norms,
        )
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: sortField\ntype: string\nenum:\n- name\n- dataType\n- status\ndefault: name\n\
             example: status\n"
        );
        assert_eq!(norms.len(), 1);
        assert_eq!(norms[0].kind, NormKind::EnumValueAdded);
        assert_eq!(
            norms[0].text,
            "Losant's example of parameter sortField at actions.get.query[0] uses \"status\", \
             which its enum (\"name\", \"dataType\") omits: added to the enum, example kept"
        );
        // A default and an example both outside: each added once, in order.
        let mut norms = Vec::new();
        let q = convert_param(
            &obj(json!({"name": "f", "in": "query", "type": "string",
                "enum": ["a"], "default": "b", "example": "b"})),
            "query[0]",
            &mut norms,
        )
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: f\ntype: string\nenum:\n- a\n- b\ndefault: b\nexample: b\n"
        );
        assert_eq!(norms.len(), 1);
    }

    #[test]
    fn actions_convert_with_responses_events_and_flags() {
        let action = obj(json!({
            "method": "GET", "description": "Long", "path": "/x/{xId}",
            "auth": ["r.stream"], "denyOauthTokens": true, "allowUnverified": true,
            "params": [
                {"name": "xId", "in": "path", "type": "string", "required": true},
                {"name": "file", "in": "multipart", "type": "file", "required": true},
                {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/post"},
                 "required": true, "description": ""}
            ],
            "responses": {
                "200": {"description": "Stream", "sseEvents": {"msg": {
                    "description": "One", "schema": {"$ref": "#/definitions/m"}}}},
                "404": {"description": "Missing", "schema": {"$ref": "#/definitions/error"}}
            }
        }));
        let empty = BTreeMap::new();
        let none = Map::new();
        let ctx = |scopes| Context {
            resource: "r",
            actions: &none,
            scopes,
            schemas: &empty,
        };
        let undocumented = BTreeMap::new();
        let out = convert_action("stream", &action, ctx(&undocumented), &mut Vec::new()).unwrap();
        assert_eq!(
            yaml_of(&out),
            "method: GET\nsummary: Long\npath: /x/{xId}\npath_params:\n- name: xId\n  \
             type: string\nscopes:\n- r.stream\ndeny_oauth_tokens: true\nallow_unverified: true\n\
             multipart:\n- name: file\n  type: file\n  required: true\nbody:\n  name: body\n  \
             schema: post\n  required: true\nresponses:\n  200:\n    events:\n      msg:\n        \
             schema: m\n        description: One\n    description: Stream\nerrors:\n  404:\n    \
             schema: error\n    description: Missing\n"
        );
        let documented = BTreeMap::from([("x".to_string(), vec!["a".to_string()])]);
        let out = convert_action(
            "x",
            &obj(json!({"method": "GET", "summary": "S",
            "description": "D", "responses": {}})),
            ctx(&documented),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(
            yaml_of(&out),
            "method: GET\nsummary: S\ndescription: D\nscopes:\n- a\nresponses: {}\n"
        );
    }

    #[test]
    fn actions_are_marked_paginated_idempotent_and_streams_scoped() {
        let schemas = BTreeMap::from([
            (
                "things".to_string(),
                json!({"type": "object", "properties": {"items": {"type": "array"},
                    "totalCount": {"type": "integer"}}}),
            ),
            (
                "thing".to_string(),
                json!({"type": "object", "properties": {"id": {"type": "string"}}}),
            ),
        ]);
        let actions = obj(json!({
            "get": {"method": "GET", "auth": ["data.get"]},
            "lastValueQuery": {"method": "POST"},
            "stateStream": {"method": "GET", "sseStream": true}
        }));
        let scopes = BTreeMap::from([(
            "get".to_string(),
            vec!["all.Application".to_string(), "data.get".to_string()],
        )]);
        let ctx = Context {
            resource: "data",
            actions: &actions,
            scopes: &scopes,
            schemas: &schemas,
        };
        let list = |schema: &str| {
            obj(json!({"method": "GET", "summary": "List", "params": [
                {"name": "page", "in": "query", "type": "string"},
                {"name": "perPage", "in": "query", "type": "string"}],
                "responses": {"200": {"description": "", "schema": {"$ref": format!("#/definitions/{schema}")}}}}))
        };
        let mut norms = Vec::new();
        let out = convert_action("get", &list("things"), ctx, &mut norms).unwrap();
        assert!(yaml_of(&out).contains("- data.get\npaginated: true\nquery:\n"));
        assert!(norms.is_empty());
        let out = convert_action("get", &list("thing"), ctx, &mut norms).unwrap();
        assert!(!yaml_of(&out).contains("paginated"));
        assert_eq!(norms[0].kind, NormKind::NotPaginated);
        assert_eq!(
            norms[0].text,
            "actions.get is not marked paginated although it takes page and perPage: its 200 \
             response thing has no field items and no field totalCount (the list schema things \
             has both: Losant may have meant it; not changed)"
        );

        let mut norms = Vec::new();
        let post = obj(json!({"method": "POST", "summary": "Q", "responses": {}}));
        let out = convert_action("lastValueQuery", &post, ctx, &mut norms).unwrap();
        assert_eq!(
            yaml_of(&out),
            "method: POST\nsummary: Q\nscopes: []\nidempotent: true\nresponses: {}\n"
        );
        assert_eq!(norms[0].kind, NormKind::Idempotent);
        assert!(
            norms[0].text.starts_with(
                "actions.lastValueQuery marked idempotent: true, a POST that only reads"
            )
        );

        let mut norms = Vec::new();
        let stream = obj(json!({"method": "GET", "summary": "S", "sseStream": true,
            "auth": ["data.stateStream"], "responses": {}}));
        let out = convert_action("stateStream", &stream, ctx, &mut norms).unwrap();
        assert!(yaml_of(&out).contains("scopes:\n- all.Application\n- data.stateStream\n"));
        assert_eq!(norms[0].kind, NormKind::StreamScopes);
        assert!(norms[0].text.starts_with(
            "actions.stateStream.scopes derived: Losant lists only data.stateStream for this \
             server-sent-event stream and its page leaves it out; no data action reads"
        ));
    }

    // --- normalizations ------------------------------------------------------------------

    fn normalize(mut v: Json) -> (Json, Vec<Normalization>) {
        let ids: BTreeSet<String> = [
            "shared".to_string(),
            "things".to_string(),
            "thing".to_string(),
        ]
        .into();
        let done = Normalizer::run(&mut v, "things", &ids);
        (v, done)
    }

    #[test]
    fn unknown_keywords_are_dropped_and_reported() {
        let (v, done) = normalize(json!({
            "type": "object",
            "properties": {"a": {"min": 0, "x-note": "n", "type": "boolean"}},
            "hint": 3,
            "enum": [{"min": 1}]
        }));
        assert_eq!(
            v,
            json!({"type": "object", "properties": {"a": {"type": "boolean"}},
                   "enum": [{"min": 1}]})
        );
        let texts: Vec<&str> = done.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "dropped unknown keyword \"min\" at properties.a (not a JSON Schema keyword; \
                 draft-07 ignores it)",
                "dropped unknown keyword \"x-note\" at properties.a (not a JSON Schema \
                 keyword; draft-07 ignores it)",
                "dropped unknown keyword \"hint\" at the root (not a JSON Schema keyword; \
                 draft-07 ignores it)",
            ]
        );
        assert!(done.iter().all(|n| n.kind == NormKind::UnknownKeyword));
    }

    #[test]
    fn min_and_max_become_the_bounds_they_mean() {
        let (v, done) = normalize(json!({"properties": {
            "key": {"type": "string", "min": 4, "max": 128},
            "delay": {"type": "integer", "min": 0, "max": 60000},
            "ratio": {"type": ["number", "null"], "min": -1.5},
            "tags": {"type": "array", "max": 10},
            "both": {"type": "string", "min": 1, "minLength": 2},
            "odd": {"type": "string", "min": -1},
            "any": {"min": 1}
        }}));
        assert_eq!(
            v,
            json!({"properties": {
                "key": {"type": "string", "minLength": 4, "maxLength": 128},
                "delay": {"type": "integer", "minimum": 0, "maximum": 60000},
                "ratio": {"type": ["number", "null"], "minimum": -1.5},
                "tags": {"type": "array", "maxItems": 10},
                "both": {"type": "string", "minLength": 2},
                "odd": {"type": "string"},
                "any": {}
            }})
        );
        let kinds: Vec<NormKind> = done.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [
                [NormKind::MinMax; 6].as_slice(),
                &[NormKind::UnknownKeyword; 3]
            ]
            .concat()
        );
        assert_eq!(
            done[0].text,
            "min 4 at properties.key made minLength 4 (Losant's schemas come from Joi, where min \
             bounds a string's length; draft-07 ignores min)"
        );
        assert!(done[6].text.contains("\"min\" at properties.both"));
    }

    #[test]
    fn misplaced_property_schemas_move_into_properties() {
        // Beside `properties` of an object; and an object written without `properties`.
        let (v, done) = normalize(json!({
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "status": {
                    "lastKeepAlive": {"type": ["number"]},
                    "connectInfo": {"type": "object", "properties": {"ts": {"type": "number"}}}
                }
            },
            "retryDelay": {"type": "integer", "min": 0},
            "id": {"type": "number"}
        }));
        assert_eq!(
            v,
            json!({"type": "object", "properties": {
                "id": {"type": "string"},
                "status": {"properties": {
                    "lastKeepAlive": {"type": ["number"]},
                    "connectInfo": {"type": "object", "properties": {"ts": {"type": "number"}}}
                }},
                "retryDelay": {"type": "integer", "minimum": 0}
            }})
        );
        let texts: Vec<&str> = done.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts[0],
            "moved the property schema \"retryDelay\" misplaced as a keyword of the root into \
             properties (Losant put it beside `properties`; draft-07 would ignore it)"
        );
        assert_eq!(done[1].kind, NormKind::UnknownKeyword);
        assert!(texts[1].contains("\"id\" at the root (a property schema misplaced"));
        assert_eq!(
            texts[2],
            "moved the property schema \"lastKeepAlive\" misplaced as a keyword of \
             properties.status into properties.status.properties (Losant wrote this object's \
             property schemas without `properties`; draft-07 would ignore it)"
        );
        assert_eq!(done.len(), 5, "{texts:?}");
        assert_eq!(
            done[4].kind,
            NormKind::MinMax,
            "moved schemas are normalized too"
        );

        // A sibling misplaced inside a property that is not an object moves up beside it.
        let (v, done) = normalize(json!({"type": "object", "properties": {
            "customNodes": {"type": "array", "items": {"type": "object"},
                            "instanceNodes": {"type": "array"}},
            "applicationId": {"type": "string"}
        }}));
        let names: Vec<&String> = v["properties"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["customNodes", "instanceNodes", "applicationId"]);
        assert_eq!(
            v["properties"]["customNodes"],
            json!({"type": "array", "items": {"type": "object"}})
        );
        assert_eq!(
            done[0].text,
            "moved the property schema \"instanceNodes\" misplaced inside \
             properties.customNodes (which is not an object) up to properties, beside \
             \"customNodes\" (draft-07 would ignore it there)"
        );
        assert_eq!(done[0].kind, NormKind::MisplacedProperty);
        // Inside an array's items that are not objects there is nowhere to go: dropped.
        let (v, done) = normalize(json!({"type": "array", "items": {"type": "string",
            "other": {"type": "string"}}}));
        assert_eq!(v, json!({"type": "array", "items": {"type": "string"}}));
        assert_eq!(done[0].kind, NormKind::UnknownKeyword);
    }

    #[test]
    fn nested_composition_lists_are_flattened() {
        let (v, done) = normalize(json!({
            "patternProperties": {"^a$": {"anyOf": [
                [{"type": "string"}, [{"type": "number"}]], {"type": "null", "x": 1}
            ]}}
        }));
        assert_eq!(
            v,
            json!({"patternProperties": {"^a$": {"anyOf": [
                {"type": "string"}, {"type": "number"}, {"type": "null"}
            ]}}})
        );
        let kinds: Vec<NormKind> = done.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [NormKind::NestedList, NormKind::UnknownKeyword]);
        assert!(done[0].text.contains("anyOf at patternProperties.^a$"));
        assert!(done[1].text.contains("at patternProperties.^a$.anyOf[2]"));
    }

    #[test]
    fn numeric_strings_become_numbers() {
        let (v, done) = normalize(json!({
            "properties": {"members": {"type": "array", "maxItems": "10", "minItems": "x"}},
            "items": [{"minimum": "-1.5", "maximum": "3"}]
        }));
        assert_eq!(
            v,
            json!({"properties": {"members": {"type": "array", "maxItems": 10, "minItems": "x"}},
                   "items": [{"minimum": -1.5, "maximum": 3}]})
        );
        assert_eq!(done.len(), 3);
        assert_eq!(
            done[0].text,
            "maxItems \"10\" at properties.members made the number 10 (draft-07 wants a number)"
        );
        assert!(done.iter().all(|n| n.kind == NormKind::NumericString));
    }

    #[test]
    fn misplaced_schemas_are_unwrapped() {
        let (v, done) = normalize(json!({
            "type": "array",
            "items": {"type": "object", "properties": {
                "title": "Invite", "description": "An invite", "type": "object",
                "properties": {"id": {"type": "string"}}
            }}
        }));
        assert_eq!(
            v,
            json!({"type": "array", "items": {"type": "object", "title": "Invite",
                "description": "An invite", "properties": {"id": {"type": "string"}}}})
        );
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].kind, NormKind::MisplacedSchema);
        // Not a schema's keywords: the non-schema values are dropped instead.
        let (v, done) = normalize(json!({"properties": {"a": "x", "b": {"type": "string"}}}));
        assert_eq!(v, json!({"properties": {"b": {"type": "string"}}}));
        assert_eq!(done[0].kind, NormKind::NonSchemaProperty);
    }

    #[test]
    fn shared_definition_refs_point_at_schema_files() {
        let (v, done) = normalize(json!({
            "definitions": {"local": {"type": "string"}},
            "properties": {
                "a": {"$ref": "#/definitions/shared"},
                "b": {"$ref": "#/definitions/local"},
                "c": {"$ref": "#/definitions/unknown"}
            }
        }));
        assert_eq!(v["properties"]["a"]["$ref"], "shared.yaml");
        assert_eq!(v["properties"]["b"]["$ref"], "#/definitions/local");
        assert_eq!(v["properties"]["c"]["$ref"], "#/definitions/unknown");
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].kind, NormKind::SharedRef);
    }

    #[test]
    fn list_items_naming_the_list_name_the_item_schema() {
        // `normalize` runs on the file `things`; `thing` exists.
        let (v, done) = normalize(json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/definitions/things"}},
            "$and": {"type": "array", "items": {"$ref": "#/definitions/things"}}
        }}));
        assert_eq!(v["properties"]["items"]["items"]["$ref"], "thing.yaml");
        assert_eq!(
            v["properties"]["$and"]["items"]["$ref"], "things.yaml",
            "recursion elsewhere is meant (advanced queries nest)"
        );
        assert_eq!(done[0].kind, NormKind::SelfRef);
        assert_eq!(
            done[0].text,
            "$ref \"#/definitions/things\" at properties.items.items made \"thing.yaml\" (the \
             items of this list named the list itself, which nests lists forever; its item \
             schema is thing)"
        );
        assert_eq!(done[1].kind, NormKind::SharedRef);
        assert_eq!(item_id("things", |_| false), None);
    }

    #[test]
    fn keyword_list_is_the_loaders() {
        // Every `Schema` field of generator/src/spec.rs, by its serialized name.
        let spec = include_str!("../../generator/src/spec.rs");
        let body = spec
            .split("pub struct Schema {")
            .nth(1)
            .and_then(|s| s.split("\n}").next())
            .expect("struct Schema in spec.rs");
        let mut names = BTreeSet::new();
        let mut rename = None;
        for line in body.lines().map(str::trim) {
            if let Some(r) = line.split("rename = \"").nth(1) {
                rename = r.split('"').next().map(str::to_string);
            } else if let Some(field) = line.strip_prefix("pub ") {
                let field = field.split(':').next().unwrap().trim().to_string();
                names.insert(rename.take().unwrap_or(field));
            }
        }
        let ours: BTreeSet<String> = KEYWORDS.iter().map(|s| s.to_string()).collect();
        assert_eq!(ours, names);
    }

    // --- files and the hand-edit policy -----------------------------------------------

    #[test]
    fn marker_hash_detects_edits() {
        let text = render(&["apiInfo.json".into()], &["a note".into()], &Yaml::Null).unwrap();
        assert!(text.starts_with(MARKER));
        assert!(text.contains("\n# import: a note\n"));
        assert_eq!(provenance(&text), Provenance::Imported);
        assert_eq!(
            provenance(&text.replace("null", "~")),
            Provenance::EditedImport
        );
        assert_eq!(provenance("path: /x\n"), Provenance::HandWritten);
    }

    /// A tiny losant-api folder.
    fn fixture(dir: &Path) {
        let w = |p: &str, s: &str| {
            let path = dir.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, s).unwrap();
        };
        w(
            "apiInfo.json",
            r##"{
  "orgs": {"path": "/orgs", "actions": {
    "get": {"method": "GET", "summary": "List", "auth": ["orgs.get"],
      "params": [{"name": "page", "in": "query", "type": "string", "default": 0},
                 {"name": "perPage", "in": "query", "type": "string", "default": 100}],
      "responses": {"200": {"description": "Orgs", "schema": {"$ref": "#/definitions/orgs"}},
                    "400": {"description": "Bad", "schema": {"$ref": "#/definitions/error"}}}},
    "post": {"method": "POST", "summary": "Create", "auth": ["orgs.post"],
      "params": [{"name": "org", "in": "body", "required": true,
                  "schema": {"$ref": "#/definitions/org"}}],
      "responses": {"201": {"description": "Made", "schema": {"$ref": "#/definitions/org"}}}}
  }},
  "org": {"path": "/orgs/{orgId}",
    "params": [{"name": "orgId", "in": "path", "type": "string", "required": true}],
    "actions": {"get": {"method": "GET", "summary": "One", "auth": ["org.get"],
      "responses": {"200": {"description": "Org", "schema": {"$ref": "#/definitions/org"}}}}}}
}"##,
        );
        w(
            "globalParams.json",
            r#"[{"name": "_links", "in": "query", "type": "boolean"}]"#,
        );
        w(
            "apiExamples.json",
            r#"{"org": {"id": "1", "name": "Acme"}}"#,
        );
        w(
            "schemas/org.json",
            r##"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string", "min": 1}}}"##,
        );
        w(
            "schemas/orgs.json",
            r##"{"type": "object", "properties": {"items": {"type": "array",
                "items": {"$ref": "#/definitions/org"}}, "totalCount": {"type": "integer"}}}"##,
        );
        w(
            "schemas/error.json",
            r#"{"title": "Error", "description": "An error", "type": "object"}"#,
        );
        w(
            "docs/orgs.md",
            "# Orgs\n\n## Get\n\n```javascript\nclient.orgs.get(params);\n```\n\n\
             The token must include at least one of the following scopes:\n\
             all.User, orgs.*, or orgs.get.\n\n| 200 | [Organizations](../lib/schemas/orgs.json) |\n\n\
             ## Post\n\n```javascript\nclient.orgs.post(params);\n```\n\n\
             The token must include at least one of the following scopes:\n\
             all.User, orgs.*, or orgs.post.\n\n| 201 | [Organization](../lib/schemas/org.json) |\n",
        );
        w(
            "docs/org.md",
            "# Org\n\n## Get\n\n```javascript\nclient.org.get(p);\n```\n\n",
        );
    }

    fn options(from: &Path, to: &Path) -> Options {
        Options {
            from: from.to_path_buf(),
            to: to.to_path_buf(),
            check: false,
            force: false,
        }
    }

    fn tree(dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for sub in ["resources", "schemas"] {
            for entry in fs::read_dir(dir.join(sub)).into_iter().flatten().flatten() {
                let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
                out.insert(name, fs::read_to_string(entry.path()).unwrap());
            }
        }
        out
    }

    #[test]
    fn imports_a_small_description() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        let outcome = run(&opts).unwrap();
        assert!(outcome.succeeded(&opts));
        assert_eq!(outcome.created.len(), 5);
        assert!(outcome.notes[0].contains("global parameters not checked"));
        let files = tree(to.path());
        let orgs = &files["resources/orgs.yaml"];
        assert!(orgs.starts_with(
            "# @imported by cargo xtask import from losant-api (apiInfo.json, docs/orgs.md); \
             sha256:"
        ));
        let body = orgs.split_once("\n# Hand edits").unwrap().1;
        let body = body.split_once('\n').unwrap().1;
        assert_eq!(
            body,
            "path: /orgs\nactions:\n  get:\n    method: GET\n    summary: List\n    scopes:\n    \
             - all.User\n    - orgs.*\n    - orgs.get\n    paginated: true\n    query:\n    \
             - name: page\n      type: integer\n      default: 0\n    - name: perPage\n      \
             type: integer\n      default: 100\n    responses:\n      200:\n        schema: orgs\n        \
             description: Orgs\n    errors:\n      400:\n        schema: error\n        \
             description: Bad\n  post:\n    method: POST\n    summary: Create\n    scopes:\n    \
             - all.User\n    - orgs.*\n    - orgs.post\n    body:\n      name: org\n      \
             schema: org\n      required: true\n    responses:\n      201:\n        schema: org\n        \
             description: Made\n"
        );
        let org = &files["resources/org.yaml"];
        assert!(org.contains("path_params:\n- name: orgId\n  type: string\nactions:"));
        assert!(
            org.contains("scopes: []"),
            "documented without a scopes sentence"
        );
        let schema = &files["schemas/org.yaml"];
        assert!(schema.contains("(schemas/org.json, docs/orgs.md, apiExamples.json); sha256:"));
        assert!(schema.contains(
            "# import: min 1 at properties.name made minLength 1 (Losant's schemas come from \
             Joi, where min bounds a string's length; draft-07 ignores min)\n\
             $schema: http://json-schema.org/draft-07/schema#\ntitle: Organization\ntype: object\n"
        ));
        assert!(schema.ends_with("examples:\n- id: '1'\n  name: Acme\n"));
        let orgs_schema = &files["schemas/orgs.yaml"];
        assert!(orgs_schema.contains("title: Organizations\n"));
        assert!(orgs_schema.contains("$ref: org.yaml\n"));
        let error = &files["schemas/error.yaml"];
        assert!(error.contains("title: Error\ndescription: An error\ntype: object\n"));
        let report = outcome.report(&opts);
        assert!(report.contains("  resources: 2 written (3 actions), 0 unchanged, 0 conflicts"));
        assert!(
            report.contains("    1 min/max made minLength/maxLength/minimum/maximum (in 1 file)")
        );
    }

    #[test]
    fn rerun_changes_nothing_and_output_is_deterministic() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        run(&opts).unwrap();
        let first = tree(to.path());
        let again = run(&opts).unwrap();
        assert!(again.created.is_empty() && again.updated.is_empty());
        assert!(again.removed.is_empty() && again.conflicts.is_empty());
        assert_eq!(again.unchanged.len(), 5);
        assert_eq!(tree(to.path()), first);
        let check = Options {
            check: true,
            ..opts.clone()
        };
        assert!(run(&check).unwrap().succeeded(&check));
        // A second folder gets byte-identical files.
        let other = tempfile::tempdir().unwrap();
        run(&options(src.path(), other.path())).unwrap();
        assert_eq!(tree(other.path()), first);
    }

    #[test]
    fn updates_untouched_imports_and_keeps_edited_ones() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        run(&opts).unwrap();
        // The source changes: an untouched import is overwritten.
        let info = src.path().join("apiInfo.json");
        let text = fs::read_to_string(&info).unwrap();
        fs::write(&info, text.replace("\"One\"", "\"Get one\"")).unwrap();
        let check = Options {
            check: true,
            ..opts.clone()
        };
        let would = run(&check).unwrap();
        assert_eq!(would.updated, [PathBuf::from("resources/org.yaml")]);
        assert!(!would.succeeded(&check));
        let outcome = run(&opts).unwrap();
        assert_eq!(outcome.updated, [PathBuf::from("resources/org.yaml")]);
        assert!(tree(to.path())["resources/org.yaml"].contains("summary: Get one"));

        // Someone edits an imported file: kept, reported, non-zero exit.
        let path = to.path().join("resources/org.yaml");
        let edited = fs::read_to_string(&path)
            .unwrap()
            .replace("Get one", "Mine");
        fs::write(&path, &edited).unwrap();
        fs::write(&info, text.replace("\"One\"", "\"Fetch\"")).unwrap();
        let outcome = run(&opts).unwrap();
        assert_eq!(
            outcome.conflicts,
            [(
                PathBuf::from("resources/org.yaml"),
                Conflict::Edited {
                    forced: false,
                    stale: false
                }
            )]
        );
        assert!(!outcome.succeeded(&opts));
        assert_eq!(fs::read_to_string(&path).unwrap(), edited);
        assert!(!run(&check).unwrap().succeeded(&check));
        // --force overwrites it.
        let force = Options {
            force: true,
            ..opts.clone()
        };
        let outcome = run(&force).unwrap();
        assert!(outcome.succeeded(&force));
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("summary: Fetch")
        );
    }

    #[test]
    fn hand_written_files_are_never_touched() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let hand = "# Orgs, by hand.\npath: /orgs\nactions:\n  get:\n    method: GET\n    \
                    summary: List\n    scopes: [orgs.get]\n    responses: {}\n";
        let schema = "# by hand\ntitle: Error\ntype: object\n";
        fs::create_dir_all(to.path().join("resources")).unwrap();
        fs::create_dir_all(to.path().join("schemas")).unwrap();
        fs::write(to.path().join("resources/orgs.yaml"), hand).unwrap();
        fs::write(to.path().join("resources/legacy.yaml"), hand).unwrap();
        fs::write(to.path().join("schemas/error.yaml"), schema).unwrap();
        for force in [false, true] {
            let opts = Options {
                force,
                ..options(src.path(), to.path())
            };
            let outcome = run(&opts).unwrap();
            assert!(
                outcome.succeeded(&opts),
                "hand-written files are a note, not a failure"
            );
            assert_eq!(
                outcome.conflicts[0],
                (
                    PathBuf::from("resources/orgs.yaml"),
                    Conflict::HandWritten {
                        adds: vec![
                            "actions post".into(),
                            "get: scopes all.User, orgs.*".into(),
                            "get: paginated: true".into(),
                            "get: query page, perPage".into()
                        ]
                    }
                )
            );
            assert_eq!(
                outcome.conflicts[1],
                (
                    PathBuf::from("schemas/error.yaml"),
                    Conflict::HandWritten { adds: vec![] }
                )
            );
            let report = outcome.report(&opts);
            assert!(report.contains("is hand-written (no import marker): kept"));
            assert!(report.contains("    the import would add actions post\n"));
            let files = tree(to.path());
            assert_eq!(files["resources/orgs.yaml"], hand);
            assert_eq!(files["resources/legacy.yaml"], hand, "never removed");
            assert_eq!(files["schemas/error.yaml"], schema);
        }
        // --check: hand-written files are notes; nothing else would change.
        let check = Options {
            check: true,
            ..options(src.path(), to.path())
        };
        let outcome = run(&check).unwrap();
        assert!(outcome.succeeded(&check));
        assert!(outcome.report(&check).contains("note: "));
    }

    #[test]
    fn stale_imports_are_removed() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        run(&opts).unwrap();
        // An earlier import produced a schema that is gone now; another was edited since.
        let text = render(&["schemas/old.json".into()], &[], &Yaml::Null).unwrap();
        fs::write(to.path().join("schemas/old.yaml"), &text).unwrap();
        let edited = format!("{text}# mine\n");
        fs::write(to.path().join("schemas/older.yaml"), &edited).unwrap();
        let check = Options {
            check: true,
            ..opts.clone()
        };
        let would = run(&check).unwrap();
        assert_eq!(would.removed, [PathBuf::from("schemas/old.yaml")]);
        assert!(to.path().join("schemas/old.yaml").exists());
        let outcome = run(&opts).unwrap();
        assert_eq!(outcome.removed, [PathBuf::from("schemas/old.yaml")]);
        assert!(!to.path().join("schemas/old.yaml").exists());
        assert_eq!(
            outcome.conflicts,
            [(
                PathBuf::from("schemas/older.yaml"),
                Conflict::Edited {
                    forced: false,
                    stale: true
                }
            )]
        );
        assert!(to.path().join("schemas/older.yaml").exists());
        let force = Options {
            force: true,
            ..opts
        };
        assert_eq!(
            run(&force).unwrap().removed,
            [PathBuf::from("schemas/older.yaml")]
        );
        assert!(!to.path().join("schemas/older.yaml").exists());
    }

    #[test]
    fn global_params_must_match_api_yaml() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let api = to.path().join("api.yaml");
        fs::write(&api, "global_params:\n  - name: _links\n    in: query\n").unwrap();
        fs::write(
            &api,
            "global_params:\n  - name: _links\n    in: header\n  - name: x\n    in: query\n",
        )
        .unwrap();
        let opts = options(src.path(), to.path());
        let err = run(&opts).unwrap_err();
        assert!(err.contains("`_links` is in: query in globalParams.json but in: header"));
        assert!(err.contains("`x` (in: query) is in api.yaml but not in globalParams.json"));
        assert!(tree(to.path()).is_empty(), "nothing written");
        fs::write(&api, "global_params:\n  - name: _links\n    in: query\n").unwrap();
        assert!(run(&opts).unwrap().notes.is_empty());
        assert_eq!(tree(to.path()).len(), 5);
    }

    #[test]
    fn arguments() {
        let root = Path::new("/ws");
        let o = parse_args(&[], root).unwrap();
        assert_eq!(o.from, Path::new("/ws/third_party/losant-api"));
        assert_eq!(o.to, Path::new("/ws/spec"));
        let o = parse_args(&["--to", "/t", "--check", "--force", "--from", "f"], root).unwrap();
        assert_eq!(
            (o.to.as_path(), o.from.as_path(), o.check, o.force),
            (Path::new("/t"), Path::new("f"), true, true)
        );
        assert!(parse_args(&["--to"], root).is_err());
        assert!(parse_args(&["--bogus"], root).is_err());
    }
}
