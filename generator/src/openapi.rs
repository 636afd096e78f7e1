//! Export: the spec as one [OpenAPI 3.0.3](https://spec.openapis.org/oas/v3.0.3) document,
//! for tools that read OpenAPI (Swagger UI, Redoc, schemathesis, other generators).
//!
//! The document is built from the checked spec alone, in a fixed order (resources by name,
//! actions in spec order, schemas by id), so the same spec always gives the same text.
//!
//! | spec | OpenAPI |
//! |---|---|
//! | `api.yaml` `title`, `description`, `version` | `info` (plus `info.x-generated`, naming the source and the regenerate command) |
//! | `base_url` | `servers[0].url` |
//! | `auth: {scheme: bearer}` | `components.securitySchemes.bearerAuth` (`type: http`), required by every operation through the root `security` |
//! | `headers` (fixed values) and `global_params` | `components.parameters`, each referenced (`$ref`) from every operation; a fixed header is an optional header parameter whose `enum` and `default` are its value |
//! | `error`, `pagination` | the root extensions `x-error-body` and `x-pagination`; `paginated: true` is `x-paginated`, `idempotent: true` is `x-idempotent` |
//! | a resource | a tag (its name and description) |
//! | an action | an operation at the resource's path plus the action's suffix, `operationId` `resource.action`, tagged with its resource |
//! | `scopes`, `deny_oauth_tokens`, `allow_unverified` | `x-scopes` (a token needs one of them), `x-deny-oauth-tokens`, `x-allow-unverified` |
//! | path, query and header parameters | parameters with their schema (default in it), `example`, `required`, `deprecated` |
//! | `encoding: json` | `content: {application/json: {schema}}` instead of `schema` |
//! | structured query values in bracket form (the default) | `style: deepObject, explode: true` |
//! | `body` | `requestBody` with `application/json` content (`x-body-name` keeps its name) |
//! | `multipart` | `requestBody` with `multipart/form-data` content: an object schema, one property per part, files as `type: string, format: binary`, `encoding.<part>.contentType: application/json` for `encoding: json` parts |
//! | `responses`, `errors` | `responses` by status, in status order, `application/json` content when they have a schema |
//! | `events` (server-sent events) | `text/event-stream` content whose schema is a string, with `x-events` naming each event's description and data schema |
//! | `schemas/ID.yaml` | `components.schemas.ID` (`examples[0]` as `example`); `definitions` hoisted to `components.schemas.ID.NAME` |
//!
//! JSON Schema draft-07 and the OpenAPI 3.0 schema dialect differ; each schema is converted
//! so that it accepts the same values wherever 3.0 can say so:
//!
//! - `type: [T, "null"]` becomes `type: T, nullable: true`; a list of several types becomes
//!   `anyOf` with one branch per type, each type's own keywords (`maxLength`, `items`,
//!   `properties`, ...) moved into its branch and `nullable: true` on every branch when
//!   `null` is listed;
//! - in `oneOf`/`anyOf`, a branch that is only `type: "null"` is dropped and another branch,
//!   one with a `type`, becomes `nullable` (with `null` added to its `enum`); a union left
//!   with one branch is that branch. Where no branch can take it (a `$ref` or untyped
//!   branch), the null branch stays as `{type: string, nullable: true, enum: [null]}`, the
//!   3.0 way of saying "only null"; a schema that is only `type: "null"` is written so too;
//! - `const: v` becomes `enum: [v]`;
//! - `$ref` with sibling keywords (which 3.0 ignores) becomes `allOf: [{$ref}]` plus the
//!   siblings; references become `#/components/schemas/NAME`;
//! - `examples` becomes `example` (the first; all of them in `x-examples` when several);
//!   an example or default holding an object with a `$ref` key is left out, since OpenAPI
//!   tools (Swagger UI among them) take every `$ref` for a reference, even in an example
//!   (an `enum` value holding one is kept: it constrains);
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` (draft-06 and later) become `minimum`/
//!   `maximum` with the 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`;
//! - `type: array` without `items` gets `items: {}` (3.0 requires `items`);
//! - `$schema` and `$id` are dropped (component names replace ids), `$comment` is kept as
//!   `x-comment`, and `definitions` are hoisted into `components.schemas` (a `definitions`
//!   below the root of a file cannot be referenced and is dropped).
//!
//! What 3.0 cannot express, and how it is approximated (the document then accepts a little
//! more, or, for `patternProperties` without `additionalProperties`, a little less, than the
//! spec):
//!
//! - `patternProperties`: 3.0 cannot constrain property names. The pattern schemas become
//!   `additionalProperties` (one schema, or `anyOf` of them and of a schema-valued
//!   `additionalProperties`); the original is kept in `x-patternProperties`. Property names
//!   are not checked against the patterns; where the spec left other names unconstrained,
//!   the document describes the map as the patterns do. An explicit `additionalProperties:
//!   true` stays.
//! - `propertyNames`: kept only as `x-propertyNames`.
//! - tuple `items` (a list) and `additionalItems`: `items` becomes `anyOf` of the tuple's
//!   schemas (and of `additionalItems` when it is a schema; `{}` when further items are
//!   free), `maxItems` is capped at the tuple's length when `additionalItems: false`, and the
//!   tuple is kept in `x-tupleItems`. Positions are not checked.
//! - bracket-form query values: OpenAPI defines `deepObject` for objects only; arrays and
//!   nested values go out in bracket form (`name[0][key]=v`), which 3.0 has no style for.
//! - server-sent events: 3.0 has no event-stream schema; the events are in `x-events`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{
    Action, BoolOrSchema, Items, Param, QueryEncoding, Resource, Response, Schema, Spec, TypeName,
    TypeSet,
};
use crate::{GeneratedFile, Options};

/// The OpenAPI version of the document.
pub const OPENAPI_VERSION: &str = "3.0.3";

/// Name of the JSON document among the files [`files`] returns.
pub const JSON_FILE: &str = "openapi.json";

/// Name of the YAML document among the files [`files`] returns.
pub const YAML_FILE: &str = "openapi.yaml";

/// Where a schema's `$ref` points in the document: `#/components/schemas/` and its name.
const SCHEMAS: &str = "#/components/schemas/";

/// Where a global parameter's `$ref` points: `#/components/parameters/` and its name.
const PARAMETERS: &str = "#/components/parameters/";

/// The keywords that describe a value without constraining it: a schema holding only these
/// can take the keywords of another schema without changing what either accepts.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "example",
    "x-examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "x-comment",
];

/// The OpenAPI document of a checked spec (see the module docs for the mapping). Returns
/// every problem found (a reference that does not resolve, two operations on one method
/// and path, component names that collide) instead of a document.
pub fn document(spec: &Spec, options: &Options) -> Result<Value, Diagnostics> {
    let mut exporter = Exporter::new(spec);
    let doc = exporter.document(options);
    exporter
        .problems
        .with_sources(&spec.sources)
        .into_result(doc)
}

/// The document as [`JSON_FILE`] (pretty-printed) and [`YAML_FILE`] (under a comment
/// saying it is generated), after checking the spec.
pub fn files(spec: &Spec, options: &Options) -> Result<Vec<GeneratedFile>, Diagnostics> {
    crate::check::check(spec).map_err(|problems| problems.with_sources(&spec.sources))?;
    let doc = document(spec, options)?;
    let yaml = to_yaml(&doc, options).map_err(Diagnostics::from)?;
    Ok(vec![
        GeneratedFile {
            path: JSON_FILE.into(),
            contents: to_json(&doc),
        },
        GeneratedFile {
            path: YAML_FILE.into(),
            contents: yaml,
        },
    ])
}

/// The document as pretty-printed JSON, with a final newline.
pub fn to_json(doc: &Value) -> String {
    // Serialising a `Value` to a string cannot fail: its keys are strings.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The document as YAML, under a comment saying it is generated and how to regenerate it.
pub fn to_yaml(doc: &Value, options: &Options) -> Result<String, Diagnostic> {
    let body = serde_yaml::to_string(doc)
        .map_err(|err| Diagnostic::new(format!("cannot write the document as YAML: {err}")))?;
    Ok(format!(
        "# @generated by restgen from `{}`. Do not edit by hand:\n\
         # change the spec and run `{}` to regenerate.\n{body}",
        options.source, options.regenerate_with
    ))
}

/// The component name (`components.schemas` key) of the schema with this id: the id, with
/// every character OpenAPI does not allow in a component name (`[a-zA-Z0-9.\-_]`) made `_`.
pub fn component_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() { "_".into() } else { name }
}

/// The `operationId` of an action: `resource.action`.
pub fn operation_id(resource: &str, action: &str) -> String {
    format!("{resource}.{action}")
}

/// The name of the security scheme for an auth scheme (`bearer` -> `bearerAuth`).
fn security_scheme_name(scheme: &str) -> String {
    component_name(&format!("{scheme}Auth"))
}

/// Where a schema sits: its file (for problems) and the id of the schema file that `#`
/// references resolve against (none for parameter schemas, which live in resource files).
#[derive(Clone, Copy)]
struct Cx<'c> {
    file: &'c Path,
    root: Option<&'c str>,
}

/// A `oneOf`/`anyOf` list after conversion: still a list, or one schema standing for it.
enum Union {
    List(Vec<Value>),
    Single(Value),
}

struct Exporter<'a> {
    spec: &'a Spec,
    /// (schema id, names of nested `definitions` from its root) -> component name.
    components: BTreeMap<(String, Vec<String>), String>,
    problems: Diagnostics,
}

impl<'a> Exporter<'a> {
    fn new(spec: &'a Spec) -> Self {
        let mut exporter = Exporter {
            spec,
            components: BTreeMap::new(),
            problems: Diagnostics::new(),
        };
        let mut taken: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        for named in &spec.schemas {
            let mut found = Vec::new();
            collect_definitions(&named.schema, &component_name(&named.id), &[], &mut found);
            for (defs, name) in found {
                let at = defs
                    .iter()
                    .map(|d| format!("definitions.{d}"))
                    .collect::<Vec<_>>()
                    .join(".");
                if let Some((other_file, other_at)) = taken.get(&name) {
                    exporter.problems.push(
                        Diagnostic::new(format!(
                            "the OpenAPI component name `{name}` would be used twice (also by `{}`{})",
                            other_file.display(),
                            if other_at.is_empty() {
                                String::new()
                            } else {
                                format!(" at `{other_at}`")
                            }
                        ))
                        .in_file(&named.file)
                        .at(at)
                        .help("rename one of the schema files or definitions"),
                    );
                    continue;
                }
                taken.insert(name.clone(), (named.file.clone(), at));
                exporter.components.insert((named.id.clone(), defs), name);
            }
        }
        exporter
    }

    fn problem(&mut self, file: &Path, at: &str, message: String) {
        self.problems
            .push(Diagnostic::new(message).in_file(file).at(at));
    }

    fn document(&mut self, options: &Options) -> Value {
        let spec = self.spec;
        let api = &spec.api;
        let mut doc = Map::new();
        doc.insert("openapi".into(), OPENAPI_VERSION.into());

        let mut info = Map::new();
        info.insert("title".into(), api.title.clone().into());
        if let Some(description) = &api.description {
            info.insert("description".into(), description.clone().into());
        }
        info.insert("version".into(), api.version.clone().into());
        info.insert(
            "x-generated".into(),
            format!(
                "Generated by restgen from `{}`; do not edit by hand: change the spec and run `{}`.",
                options.source, options.regenerate_with
            )
            .into(),
        );
        doc.insert("info".into(), info.into());
        doc.insert("servers".into(), json!([{ "url": api.base_url }]));
        let scheme = security_scheme_name(&api.auth.scheme);
        doc.insert("security".into(), json!([{ scheme.clone(): [] }]));

        let tags: Vec<Value> = spec
            .resources
            .iter()
            .map(|r| {
                let mut tag = Map::new();
                tag.insert("name".into(), r.name.clone().into());
                if let Some(description) = &r.body.description {
                    tag.insert("description".into(), description.clone().into());
                }
                Value::Object(tag)
            })
            .collect();
        doc.insert("tags".into(), tags.into());

        let (parameters, global_refs) = self.global_parameters();
        doc.insert("paths".into(), self.paths(&global_refs).into());

        let mut components = Map::new();
        components.insert("schemas".into(), self.schemas().into());
        if !parameters.is_empty() {
            components.insert("parameters".into(), parameters.into());
        }
        let security = match api.auth.scheme.as_str() {
            "bearer" | "basic" => json!({ "type": "http", "scheme": api.auth.scheme }),
            other => {
                self.problem(
                    Path::new("api.yaml"),
                    "auth.scheme",
                    format!("auth scheme `{other}` has no OpenAPI security scheme"),
                );
                json!({})
            }
        };
        components.insert("securitySchemes".into(), json!({ scheme: security }));
        doc.insert("components".into(), components.into());

        if let Some(pagination) = &api.pagination {
            doc.insert(
                "x-pagination".into(),
                json!({
                    "pageParam": pagination.page_param,
                    "perPageParam": pagination.per_page_param,
                    "itemsField": pagination.items_field,
                    "totalField": pagination.total_field,
                }),
            );
        }
        let error_schema =
            self.schema_ref(&api.error.schema, Path::new("api.yaml"), "error.schema");
        doc.insert(
            "x-error-body".into(),
            json!({
                "schema": error_schema,
                "typeField": api.error.type_field,
                "messageField": api.error.message_field,
            }),
        );
        Value::Object(doc)
    }

    /// `components.parameters` (fixed headers, then global parameters) and the `$ref`s
    /// every operation lists.
    fn global_parameters(&mut self) -> (Map<String, Value>, Vec<Value>) {
        let api = &self.spec.api;
        let file = Path::new("api.yaml");
        let mut components = Map::new();
        let mut refs = Vec::new();
        let mut add = |exporter: &mut Self, key: String, at: String, parameter: Value| {
            if components.contains_key(&key) {
                exporter.problem(
                    file,
                    &at,
                    format!("the OpenAPI parameter name `{key}` would be used twice"),
                );
                return;
            }
            refs.push(json!({ "$ref": format!("{PARAMETERS}{key}") }));
            components.insert(key, parameter);
        };
        for (i, header) in api.headers.iter().enumerate() {
            let mut parameter = Map::new();
            parameter.insert("name".into(), header.name.clone().into());
            parameter.insert("in".into(), "header".into());
            if let Some(description) = &header.description {
                parameter.insert("description".into(), description.clone().into());
            }
            parameter.insert(
                "schema".into(),
                json!({ "type": "string", "enum": [header.value], "default": header.value }),
            );
            parameter.insert("example".into(), header.value.clone().into());
            add(
                self,
                component_name(&header.name),
                format!("headers[{i}]"),
                parameter.into(),
            );
        }
        for (i, p) in api.global_params.iter().enumerate() {
            let at = format!("global_params[{i}]");
            let location = p.location.clone().unwrap_or_else(|| "query".into());
            let parameter = self.parameter(p, &location, file, &at);
            add(self, component_name(&p.name), at, parameter);
        }
        (components, refs)
    }

    /// `paths`: each resource's actions by path and method.
    fn paths(&mut self, global_refs: &[Value]) -> Map<String, Value> {
        let spec = self.spec;
        let mut paths: IndexMap<String, Map<String, Value>> = IndexMap::new();
        let mut owners: BTreeMap<(String, String), String> = BTreeMap::new();
        for resource in &spec.resources {
            for (name, action) in &resource.body.actions {
                let path = format!(
                    "{}{}",
                    resource.body.path,
                    action.path.as_deref().unwrap_or("")
                );
                let method = action.method.to_ascii_lowercase();
                let id = operation_id(&resource.name, name);
                if let Some(other) = owners.insert((path.clone(), method.clone()), id.clone()) {
                    self.problem(
                        &resource.file,
                        &format!("actions.{name}"),
                        format!(
                            "{} {path} is also the operation `{other}`: OpenAPI allows one operation per method and path",
                            action.method
                        ),
                    );
                    continue;
                }
                let operation = self.operation(resource, name, action, global_refs);
                paths.entry(path).or_default().insert(method, operation);
            }
        }
        paths
            .into_iter()
            .map(|(path, item)| (path, Value::Object(item)))
            .collect()
    }

    fn operation(
        &mut self,
        resource: &Resource,
        name: &str,
        action: &Action,
        global_refs: &[Value],
    ) -> Value {
        let file = resource.file.as_path();
        let at = |key: &str| format!("actions.{name}.{key}");
        let mut op = Map::new();
        op.insert("tags".into(), json!([resource.name]));
        op.insert("summary".into(), action.summary.clone().into());
        if let Some(description) = &action.description {
            op.insert("description".into(), description.clone().into());
        }
        op.insert(
            "operationId".into(),
            operation_id(&resource.name, name).into(),
        );

        let mut parameters = Vec::new();
        for (i, p) in resource.body.path_params.iter().enumerate() {
            parameters.push(self.parameter(p, "path", file, &format!("path_params[{i}]")));
        }
        for (list, location, params) in [
            ("path_params", "path", &action.path_params),
            ("query", "query", &action.query),
            ("headers", "header", &action.headers),
        ] {
            for (i, p) in params.iter().enumerate() {
                parameters.push(self.parameter(p, location, file, &at(&format!("{list}[{i}]"))));
            }
        }
        parameters.extend(global_refs.iter().cloned());
        if !parameters.is_empty() {
            op.insert("parameters".into(), parameters.into());
        }

        if let Some(body) = &action.body {
            let schema = self.schema_ref(&body.schema, file, &at("body.schema"));
            let mut request = Map::new();
            if let Some(description) = &body.description {
                request.insert("description".into(), description.clone().into());
            }
            request.insert(
                "content".into(),
                json!({ "application/json": { "schema": schema } }),
            );
            if body.required {
                request.insert("required".into(), true.into());
            }
            request.insert("x-body-name".into(), body.name.clone().into());
            op.insert("requestBody".into(), request.into());
        } else if !action.multipart.is_empty() {
            let request = self.multipart(&action.multipart, file, &at("multipart"));
            op.insert("requestBody".into(), request);
        }

        let mut statuses: BTreeMap<u16, (&str, &Response)> = BTreeMap::new();
        for (list, responses) in [("responses", &action.responses), ("errors", &action.errors)] {
            for (status, response) in responses {
                if statuses.insert(*status, (list, response)).is_some() {
                    self.problem(
                        file,
                        &at(&format!("{list}.{status}")),
                        format!("status {status} is given twice"),
                    );
                }
            }
        }
        let mut responses = Map::new();
        for (status, (list, response)) in statuses {
            let value = self.response(response, file, &at(&format!("{list}.{status}")));
            responses.insert(status.to_string(), value);
        }
        op.insert("responses".into(), responses.into());
        if action.deprecated {
            op.insert("deprecated".into(), true.into());
        }
        op.insert("x-scopes".into(), json!(action.scopes));
        if action.idempotent {
            op.insert("x-idempotent".into(), true.into());
        }
        if action.paginated {
            op.insert("x-paginated".into(), true.into());
        }
        if action.deny_oauth_tokens {
            op.insert("x-deny-oauth-tokens".into(), true.into());
        }
        if action.allow_unverified {
            op.insert("x-allow-unverified".into(), true.into());
        }
        Value::Object(op)
    }

    fn response(&mut self, response: &Response, file: &Path, at: &str) -> Value {
        let mut out = Map::new();
        out.insert("description".into(), response.description.clone().into());
        if let Some(schema) = &response.schema {
            let schema = self.schema_ref(schema, file, &format!("{at}.schema"));
            out.insert(
                "content".into(),
                json!({ "application/json": { "schema": schema } }),
            );
        } else if !response.events.is_empty() {
            let mut events = Map::new();
            for (name, event) in &response.events {
                let mut value = Map::new();
                if let Some(description) = &event.description {
                    value.insert("description".into(), description.clone().into());
                }
                let schema =
                    self.schema_ref(&event.schema, file, &format!("{at}.events.{name}.schema"));
                value.insert("schema".into(), schema);
                events.insert(name.clone(), value.into());
            }
            out.insert(
                "content".into(),
                json!({
                    "text/event-stream": {
                        "schema": {
                            "type": "string",
                            "description": "A stream of server-sent events; each event's `data` is JSON, described by event name in `x-events`.",
                        },
                        "x-events": events,
                    }
                }),
            );
        }
        Value::Object(out)
    }

    fn multipart(&mut self, parts: &[Param], file: &Path, at: &str) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for (i, p) in parts.iter().enumerate() {
            let mut schema = p.value_schema();
            if schema.default.is_none() {
                schema.default.clone_from(&p.default);
            }
            if schema.deprecated.is_none() && p.deprecated {
                schema.deprecated = Some(true);
            }
            let cx = Cx { file, root: None };
            let mut value = self.schema(&schema, cx, &format!("{at}[{i}]"));
            let example = p.example.as_ref().filter(|v| !holds_ref(v));
            if let (Some(example), Value::Object(map)) = (example, &mut value) {
                if !map.contains_key("example") && !map.contains_key("$ref") {
                    map.insert("example".into(), example.clone());
                }
            }
            properties.insert(p.name.clone(), value);
            if p.required {
                required.push(Value::from(p.name.clone()));
            }
            if p.encoding == Some(QueryEncoding::Json) {
                encoding.insert(p.name.clone(), json!({ "contentType": "application/json" }));
            }
        }
        let mut schema = Map::new();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), properties.into());
        if !required.is_empty() {
            schema.insert("required".into(), required.clone().into());
        }
        let mut media = Map::new();
        media.insert("schema".into(), schema.into());
        if !encoding.is_empty() {
            media.insert("encoding".into(), encoding.into());
        }
        let mut request = Map::new();
        request.insert(
            "content".into(),
            json!({ "multipart/form-data": Value::Object(media) }),
        );
        if !required.is_empty() {
            request.insert("required".into(), true.into());
        }
        Value::Object(request)
    }

    /// A path, query or header parameter (`location`), with its value's schema.
    fn parameter(&mut self, p: &Param, location: &str, file: &Path, at: &str) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), p.name.clone().into());
        out.insert("in".into(), location.into());
        if let Some(description) = &p.description {
            out.insert("description".into(), description.clone().into());
        }
        if location == "path" || p.required {
            out.insert("required".into(), true.into());
        }
        if p.deprecated {
            out.insert("deprecated".into(), true.into());
        }
        let mut schema = p.value_schema();
        // Said once, on the parameter.
        if schema.description == p.description {
            schema.description = None;
        }
        if schema.default.is_none() {
            schema.default.clone_from(&p.default);
        }
        let cx = Cx { file, root: None };
        let value = self.schema(&schema, cx, &format!("{at}.schema"));
        let structured = self.structured(&schema, None, 0);
        match p.encoding {
            Some(QueryEncoding::Json) => {
                let mut media = Map::new();
                media.insert("schema".into(), value);
                if let Some(example) = p.example.as_ref().filter(|v| !holds_ref(v)) {
                    media.insert("example".into(), example.clone());
                }
                out.insert(
                    "content".into(),
                    json!({ "application/json": Value::Object(media) }),
                );
                return Value::Object(out);
            }
            Some(QueryEncoding::Brackets) => {
                out.insert("style".into(), "deepObject".into());
                out.insert("explode".into(), true.into());
            }
            None if location == "query" && structured => {
                out.insert("style".into(), "deepObject".into());
                out.insert("explode".into(), true.into());
            }
            None => {}
        }
        out.insert("schema".into(), value);
        if let Some(example) = p.example.as_ref().filter(|v| !holds_ref(v)) {
            out.insert("example".into(), example.clone());
        }
        Value::Object(out)
    }

    /// Whether values of `s` can be objects or arrays (and so go out in bracket form).
    fn structured(&self, s: &Schema, root: Option<&str>, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        let typed = s.ty.as_ref().is_some_and(|t| {
            t.names()
                .iter()
                .any(|n| matches!(n, TypeName::Object | TypeName::Array))
        });
        if typed || s.properties.is_some() || s.items.is_some() {
            return true;
        }
        if let Some(reference) = &s.reference {
            if let Some((id, target)) = self.target(reference, root) {
                if self.structured(target, Some(id), depth + 1) {
                    return true;
                }
            }
        }
        [&s.one_of, &s.any_of, &s.all_of]
            .into_iter()
            .flatten()
            .flatten()
            .any(|sub| self.structured(sub, root, depth + 1))
    }

    /// The schema a reference points to, with the id of its file.
    fn target(&self, reference: &'a str, root: Option<&'a str>) -> Option<(&'a str, &'a Schema)> {
        let target = crate::resolve::resolve(self.spec, root.unwrap_or(""), reference).ok()?;
        Some((target.root, target.schema))
    }

    /// `{$ref}` to the component of the schema file `id`.
    fn schema_ref(&mut self, id: &str, file: &Path, at: &str) -> Value {
        match self.components.get(&(id.to_owned(), Vec::new())) {
            Some(name) => json!({ "$ref": format!("{SCHEMAS}{name}") }),
            None => {
                self.problem(
                    file,
                    at,
                    format!("schema `{id}` does not exist in `schemas/`"),
                );
                json!({})
            }
        }
    }

    /// `{$ref}` to the component a JSON Schema reference points to.
    fn reference(&mut self, reference: &str, cx: Cx, at: &str) -> Value {
        let key = crate::resolve::resolve(self.spec, cx.root.unwrap_or(""), reference).map(|t| {
            let defs: Vec<String> = t.definitions.iter().map(|d| (*d).to_owned()).collect();
            (t.root.to_owned(), defs)
        });
        match key.map(|key| self.components.get(&key)) {
            Ok(Some(name)) => json!({ "$ref": format!("{SCHEMAS}{name}") }),
            Ok(None) => {
                self.problem(
                    cx.file,
                    at,
                    format!("reference `{reference}` does not resolve to a schema"),
                );
                json!({})
            }
            Err(message) => {
                self.problem(cx.file, at, message);
                json!({})
            }
        }
    }

    /// `components.schemas`: every schema file, each followed by its hoisted definitions.
    fn schemas(&mut self) -> Map<String, Value> {
        let mut out = Map::new();
        for named in &self.spec.schemas {
            let cx = Cx {
                file: &named.file,
                root: Some(&named.id),
            };
            let mut found = Vec::new();
            collect_definitions(&named.schema, "", &[], &mut found);
            for (defs, _) in found {
                let Some(name) = self.components.get(&(named.id.clone(), defs.clone())) else {
                    // A name collision, already reported.
                    continue;
                };
                let name = name.clone();
                let mut schema = &named.schema;
                for def in &defs {
                    match schema.definitions.as_ref().and_then(|d| d.get(def)) {
                        Some(next) => schema = next,
                        None => break,
                    }
                }
                let at = defs
                    .iter()
                    .map(|d| format!("definitions.{d}"))
                    .collect::<Vec<_>>()
                    .join(".");
                let value = self.schema(schema, cx, &at);
                out.insert(name, value);
            }
        }
        out
    }

    /// One schema, converted to the OpenAPI 3.0 dialect (see the module docs). The keywords
    /// of each type are converted on their own ([`string_keywords`], [`Self::number_keywords`],
    /// [`Self::array_keywords`], [`Self::object_keywords`]), then placed by the schema's types
    /// ([`layout`]); values ([`values`]), unions ([`Self::unions`]), references and `allOf`
    /// ([`Self::references`]), `not` and annotations ([`annotations`]) follow, and
    /// [`merge_hoisted`] and [`finish`] put the parts together.
    fn schema(&mut self, s: &Schema, cx: Cx, at: &str) -> Value {
        // Every keyword is named, so a keyword added to `Schema` must be handled: each is
        // listed with the function that converts it.
        let Schema {
            // Dropped (component names replace ids); `definitions` are hoisted by `schemas`.
            meta_schema: _,
            id: _,
            definitions: _,
            // `references`
            reference: _,
            all_of: _,
            // `annotations`
            comment: _,
            read_only: _,
            write_only: _,
            deprecated: _,
            examples: _,
            // here
            title: _,
            description: _,
            not: _,
            // `layout`
            ty: _,
            format: _,
            // `values`
            enum_values: _,
            const_value: _,
            default: _,
            // `object_keywords`
            properties: _,
            required: _,
            additional_properties: _,
            pattern_properties: _,
            property_names: _,
            min_properties: _,
            max_properties: _,
            // `array_keywords`
            items: _,
            additional_items: _,
            min_items: _,
            max_items: _,
            unique_items: _,
            // `string_keywords`
            min_length: _,
            max_length: _,
            pattern: _,
            // `number_keywords`
            minimum: _,
            maximum: _,
            exclusive_minimum: _,
            exclusive_maximum: _,
            multiple_of: _,
            // `unions`
            one_of: _,
            any_of: _,
        } = s;
        let groups = Groups {
            strings: string_keywords(s),
            numbers: self.number_keywords(s, cx, at),
            arrays: self.array_keywords(s, cx, at),
            objects: self.object_keywords(s, cx, at),
        };
        let mut out = Map::new();
        if let Some(title) = &s.title {
            out.insert("title".into(), title.clone().into());
        }
        if let Some(description) = &s.description {
            out.insert("description".into(), description.clone().into());
        }
        let layout = layout(s.ty.as_ref(), s.format.as_ref(), groups, &mut out);
        if let Some(format) = layout.format {
            out.insert("format".into(), format.into());
        }
        let mut all_of_extra = values(s, layout.only_null, &mut out);
        for group in layout.leftovers {
            out.extend(group);
        }
        let hoisted = self.unions(s, layout.branches, cx, at, &mut out, &mut all_of_extra);
        let mut all = self.references(s, cx, at);
        if let Some(not) = &s.not {
            let value = self.schema(not, cx, &child(at, "not"));
            out.insert("not".into(), value);
        }
        annotations(s, &mut out);
        merge_hoisted(&mut out, hoisted, all.is_empty(), &mut all_of_extra);
        all.extend(all_of_extra);
        finish(s.reference.is_some(), out, all)
    }

    /// The number keywords: `minimum`/`maximum` with the 3.0 boolean exclusive flags (from
    /// draft-07's numeric exclusive bounds, the stricter bound winning) and `multipleOf`.
    fn number_keywords(&mut self, s: &Schema, cx: Cx, at: &str) -> Map<String, Value> {
        let mut numbers = Map::new();
        let (low, low_exclusive) = bound(s.minimum, s.exclusive_minimum, true);
        if let Some(low) = low {
            numbers.insert(
                "minimum".into(),
                self.number(low, cx.file, &child(at, "minimum")),
            );
            if low_exclusive {
                numbers.insert("exclusiveMinimum".into(), true.into());
            }
        }
        let (high, high_exclusive) = bound(s.maximum, s.exclusive_maximum, false);
        if let Some(high) = high {
            numbers.insert(
                "maximum".into(),
                self.number(high, cx.file, &child(at, "maximum")),
            );
            if high_exclusive {
                numbers.insert("exclusiveMaximum".into(), true.into());
            }
        }
        if let Some(v) = s.multiple_of {
            numbers.insert(
                "multipleOf".into(),
                self.number(v, cx.file, &child(at, "multipleOf")),
            );
        }
        numbers
    }

    /// The array keywords: `items` converted (a tuple approximated, see the module docs),
    /// `minItems`, `maxItems` (capped at a closed tuple's length) and `uniqueItems`.
    fn array_keywords(&mut self, s: &Schema, cx: Cx, at: &str) -> Map<String, Value> {
        let mut arrays = Map::new();
        let mut max_items = s.max_items;
        match &s.items {
            Some(Items::One(item)) => {
                let value = self.schema(item, cx, &child(at, "items"));
                arrays.insert("items".into(), value);
            }
            Some(Items::Tuple(tuple)) => {
                let mut branches: Vec<Value> = tuple
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.schema(item, cx, &child(at, &format!("items[{i}]"))))
                    .collect();
                let kept = branches.clone();
                match &s.additional_items {
                    Some(BoolOrSchema::Bool(false)) => {
                        let n = tuple.len() as u64;
                        max_items = Some(max_items.map_or(n, |m| m.min(n)));
                    }
                    Some(BoolOrSchema::Schema(extra)) => {
                        branches.push(self.schema(extra, cx, &child(at, "additionalItems")));
                    }
                    // Items after the tuple may be anything.
                    Some(BoolOrSchema::Bool(true)) | None => branches.push(json!({})),
                }
                let item = match branches.len() {
                    1 => branches.pop().unwrap_or_default(),
                    _ => json!({ "anyOf": branches }),
                };
                arrays.insert("items".into(), item);
                arrays.insert("x-tupleItems".into(), kept.into());
            }
            // `additionalItems` without a tuple `items` has no effect.
            None => {}
        }
        if let Some(v) = s.min_items {
            arrays.insert("minItems".into(), v.into());
        }
        if let Some(v) = max_items {
            arrays.insert("maxItems".into(), v.into());
        }
        if let Some(v) = s.unique_items {
            arrays.insert("uniqueItems".into(), v.into());
        }
        arrays
    }

    /// The object keywords: `properties` converted, a non-empty `required`,
    /// `additionalProperties` (standing in for `patternProperties`, kept in
    /// `x-patternProperties`), `propertyNames` as `x-propertyNames`, `minProperties` and
    /// `maxProperties`.
    fn object_keywords(&mut self, s: &Schema, cx: Cx, at: &str) -> Map<String, Value> {
        let mut objects = Map::new();
        if let Some(properties) = &s.properties {
            let mut out = Map::new();
            for (name, sub) in properties {
                let value = self.schema(sub, cx, &child(at, &format!("properties.{name}")));
                out.insert(name.clone(), value);
            }
            objects.insert("properties".into(), out.into());
        }
        if let Some(required) = &s.required {
            if !required.is_empty() {
                objects.insert("required".into(), json!(required));
            }
        }
        let additional = match &s.additional_properties {
            Some(BoolOrSchema::Bool(b)) => Some(Value::Bool(*b)),
            Some(BoolOrSchema::Schema(sub)) => {
                Some(self.schema(sub, cx, &child(at, "additionalProperties")))
            }
            None => None,
        };
        match &s.pattern_properties {
            Some(patterns) if !patterns.is_empty() => {
                let mut kept = Map::new();
                let mut values = Vec::new();
                for (pattern, sub) in patterns {
                    let value =
                        self.schema(sub, cx, &child(at, &format!("patternProperties.{pattern}")));
                    values.push(value.clone());
                    kept.insert(pattern.clone(), value);
                }
                let fallback = match additional {
                    Some(Value::Bool(true)) => Value::Bool(true),
                    Some(Value::Bool(_)) | None => union_of(values),
                    Some(other) => {
                        values.push(other);
                        union_of(values)
                    }
                };
                objects.insert("additionalProperties".into(), fallback);
                objects.insert("x-patternProperties".into(), kept.into());
            }
            _ => {
                if let Some(additional) = additional {
                    objects.insert("additionalProperties".into(), additional);
                }
            }
        }
        if let Some(names) = &s.property_names {
            let value = self.schema(names, cx, &child(at, "propertyNames"));
            objects.insert("x-propertyNames".into(), value);
        }
        if let Some(v) = s.min_properties {
            objects.insert("minProperties".into(), v.into());
        }
        if let Some(v) = s.max_properties {
            objects.insert("maxProperties".into(), v.into());
        }
        objects
    }

    /// The union keywords: the type branches of a schema with several types (in `allOf` when
    /// the schema has an `anyOf` of its own), then `oneOf` and `anyOf` converted
    /// ([`Self::union`]). A union that came down to one schema is returned, for
    /// [`merge_hoisted`].
    fn unions(
        &mut self,
        s: &Schema,
        type_branches: Option<Vec<Value>>,
        cx: Cx,
        at: &str,
        out: &mut Map<String, Value>,
        all_of_extra: &mut Vec<Value>,
    ) -> Vec<Value> {
        let mut hoisted = Vec::new();
        if let Some(branches) = type_branches {
            if s.any_of.is_some() {
                all_of_extra.push(json!({ "anyOf": branches }));
            } else {
                out.insert("anyOf".into(), branches.into());
            }
        }
        for (key, list, exclusive) in [("oneOf", &s.one_of, true), ("anyOf", &s.any_of, false)] {
            let Some(list) = list else { continue };
            match self.union(list, exclusive, cx, &child(at, key)) {
                Union::List(branches) => {
                    out.insert(key.into(), branches.into());
                }
                Union::Single(one) => hoisted.push(one),
            }
        }
        hoisted
    }

    /// The parts of the future `allOf`: the `$ref` (a component reference) and the schemas of
    /// `allOf`, converted.
    fn references(&mut self, s: &Schema, cx: Cx, at: &str) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        if let Some(reference) = &s.reference {
            all.push(self.reference(reference, cx, &child(at, "$ref")));
        }
        if let Some(list) = &s.all_of {
            for (i, sub) in list.iter().enumerate() {
                all.push(self.schema(sub, cx, &child(at, &format!("allOf[{i}]"))));
            }
        }
        all
    }

    /// A `oneOf` (`exclusive`) or `anyOf` list; a branch that is only `null` becomes
    /// `nullable` on a typed branch when one can take it without changing what is accepted.
    fn union(&mut self, list: &[Schema], exclusive: bool, cx: Cx, at: &str) -> Union {
        let converted: Vec<(bool, Value)> = list
            .iter()
            .enumerate()
            .map(|(i, s)| (is_null_only(s), self.schema(s, cx, &format!("{at}[{i}]"))))
            .collect();
        let nulls = converted.iter().filter(|(null, _)| *null).count();
        let keep = |converted: Vec<(bool, Value)>| {
            Union::List(converted.into_iter().map(|(_, v)| v).collect())
        };
        if nulls == 0 || nulls == list.len() || (exclusive && nulls > 1) {
            return keep(converted);
        }
        // Every other branch must be typed (not a `$ref` or a composition, which might take
        // null too) and not already nullable, so that null still matches exactly one.
        let simple = converted.iter().filter(|(null, _)| !null).all(|(_, v)| {
            v.get("type").is_some_and(Value::is_string)
                && v.get("nullable") != Some(&Value::Bool(true))
                && v.get("allOf").is_none()
                && v.get("oneOf").is_none()
                && v.get("anyOf").is_none()
        });
        if !simple {
            return keep(converted);
        }
        let mut others: Vec<Value> = converted
            .into_iter()
            .filter(|(null, _)| !null)
            .map(|(_, v)| v)
            .collect();
        if let Some(Value::Object(first)) = others.first_mut() {
            let mut with_null = Map::new();
            for (key, value) in std::mem::take(first) {
                let is_type = key == "type";
                with_null.insert(key, value);
                if is_type {
                    with_null.insert("nullable".into(), true.into());
                }
            }
            if let Some(Value::Array(values)) = with_null.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            *first = with_null;
        }
        match others.len() {
            1 => Union::Single(others.pop().unwrap_or_default()),
            _ => Union::List(others),
        }
    }

    /// A number as JSON: integral values without a fraction (`3600`, not `3600.0`).
    fn number(&mut self, x: f64, file: &Path, at: &str) -> Value {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if x.fract() == 0.0 && x.abs() <= EXACT {
            return Value::from(x as i64);
        }
        match serde_json::Number::from_f64(x) {
            Some(n) => Value::Number(n),
            None => {
                self.problem(file, at, format!("{x} is not a number JSON can hold"));
                Value::Null
            }
        }
    }
}

/// `at.key`, or `key` at a schema's root: where a keyword's problems are reported.
fn child(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// The keywords of one type each, converted, before the schema's types say where they go:
/// into the schema itself, or into their type's `anyOf` branch when it lists several types.
struct Groups {
    /// `minLength`, `maxLength`, `pattern`.
    strings: Map<String, Value>,
    /// `minimum`, `maximum`, their exclusive flags, `multipleOf`.
    numbers: Map<String, Value>,
    /// `items`, `x-tupleItems`, `minItems`, `maxItems`, `uniqueItems`.
    arrays: Map<String, Value>,
    /// `properties`, `required`, `additionalProperties`, `x-patternProperties`,
    /// `x-propertyNames`, `minProperties`, `maxProperties`.
    objects: Map<String, Value>,
}

/// Where [`layout`] put a schema's types, format and keyword groups.
struct Layout {
    /// The `format` left for the schema itself (none when it went into the type branches).
    format: Option<String>,
    /// One `anyOf` branch per type, when the schema lists several.
    branches: Option<Vec<Value>>,
    /// The keyword groups that stay in the schema itself, in the order they are written.
    leftovers: Vec<Map<String, Value>>,
    /// Whether the schema's type is only `null`.
    only_null: bool,
}

/// The string keywords: `minLength`, `maxLength` and `pattern`, as they are.
fn string_keywords(s: &Schema) -> Map<String, Value> {
    let mut strings = Map::new();
    if let Some(v) = s.min_length {
        strings.insert("minLength".into(), v.into());
    }
    if let Some(v) = s.max_length {
        strings.insert("maxLength".into(), v.into());
    }
    if let Some(v) = &s.pattern {
        strings.insert("pattern".into(), v.clone().into());
    }
    strings
}

/// Nullability: the types a schema lists, each once, without `null`, and whether `null` was
/// among them (it becomes `nullable`).
fn type_names(ty: Option<&TypeSet>) -> (Vec<TypeName>, bool) {
    let mut types: Vec<TypeName> = Vec::new();
    for t in ty.map(TypeSet::names).unwrap_or_default() {
        if !types.contains(&t) {
            types.push(t);
        }
    }
    let nullable = types.contains(&TypeName::Null);
    types.retain(|t| *t != TypeName::Null);
    (types, nullable)
}

/// The type: one (nullable or not), only null, or several (one `anyOf` branch each, see
/// [`several_types`]). Writes `type` and `nullable` into `out`; a single type's implied
/// format is used when the schema has none, and a lone `array` gets `items: {}`.
fn layout(
    ty: Option<&TypeSet>,
    format: Option<&String>,
    groups: Groups,
    out: &mut Map<String, Value>,
) -> Layout {
    let (types, nullable) = type_names(ty);
    let mut format = format.cloned();
    let Groups {
        strings,
        numbers,
        mut arrays,
        objects,
    } = groups;
    match types.as_slice() {
        [] => {
            if nullable {
                // Only null: the 3.0 way is a nullable type whose one allowed value is null.
                out.insert("type".into(), "string".into());
                out.insert("nullable".into(), true.into());
            }
            Layout {
                format,
                branches: None,
                leftovers: vec![strings, numbers, arrays, objects],
                only_null: nullable,
            }
        }
        [one] => {
            let (name, file_format) = type_name(*one);
            out.insert("type".into(), name.into());
            if nullable {
                out.insert("nullable".into(), true.into());
            }
            if format.is_none() {
                format = file_format.map(str::to_owned);
            }
            if *one == TypeName::Array && !arrays.contains_key("items") {
                arrays.shift_insert(0, "items".into(), json!({}));
            }
            Layout {
                format,
                branches: None,
                leftovers: vec![strings, numbers, arrays, objects],
                only_null: false,
            }
        }
        several => several_types(
            several,
            nullable,
            format,
            Groups {
                strings,
                numbers,
                arrays,
                objects,
            },
        ),
    }
}

/// Several types: one `anyOf` branch per type, each `nullable` when `null` was listed, with
/// its own keyword group and the format where it applies (strings first, else numbers); the
/// groups of types not listed have no effect and stay in the schema itself, as in the spec.
fn several_types(
    several: &[TypeName],
    nullable: bool,
    format: Option<String>,
    groups: Groups,
) -> Layout {
    let has = |t: TypeName| several.contains(&t);
    let format_goes_to = if has(TypeName::String) || has(TypeName::File) {
        Some(TypeName::String)
    } else if has(TypeName::Number) || has(TypeName::Integer) {
        Some(TypeName::Number)
    } else {
        None
    };
    let mut branches = Vec::new();
    for t in several {
        let (name, file_format) = type_name(*t);
        let mut branch = Map::new();
        branch.insert("type".into(), name.into());
        if nullable {
            branch.insert("nullable".into(), true.into());
        }
        let kind = match t {
            TypeName::File => TypeName::String,
            TypeName::Integer => TypeName::Number,
            other => *other,
        };
        if format_goes_to == Some(kind) {
            if let Some(f) = format.clone().or(file_format.map(str::to_owned)) {
                branch.insert("format".into(), f.into());
            }
        } else if let Some(f) = file_format {
            branch.insert("format".into(), f.into());
        }
        let group = match kind {
            TypeName::String => Some(&groups.strings),
            TypeName::Number => Some(&groups.numbers),
            TypeName::Array => Some(&groups.arrays),
            TypeName::Object => Some(&groups.objects),
            _ => None,
        };
        if let Some(group) = group {
            branch.extend(group.clone());
        }
        if kind == TypeName::Array && !branch.contains_key("items") {
            branch.insert("items".into(), json!({}));
        }
        branches.push(Value::Object(branch));
    }
    let format = if format_goes_to.is_some() {
        None
    } else {
        format
    };
    let mut leftovers = Vec::new();
    for (kind, group) in [
        (TypeName::String, groups.strings),
        (TypeName::Number, groups.numbers),
        (TypeName::Array, groups.arrays),
        (TypeName::Object, groups.objects),
    ] {
        let listed = several.iter().any(|t| {
            *t == kind
                || (kind == TypeName::Number && *t == TypeName::Integer)
                || (kind == TypeName::String && *t == TypeName::File)
        });
        if !listed {
            leftovers.push(group);
        }
    }
    Layout {
        format,
        branches: Some(branches),
        leftovers,
        only_null: false,
    }
}

/// The value keywords: `enum` (`[null]` for a schema that is only null, its own list then
/// going into `allOf`), `const` as a one-value `enum` (in `allOf` when there is an `enum`
/// already), and `default` unless it holds a `$ref`. Returns what goes into `allOf`.
fn values(s: &Schema, only_null: bool, out: &mut Map<String, Value>) -> Vec<Value> {
    let mut all_of_extra = Vec::new();
    if only_null {
        out.insert("enum".into(), json!([null]));
        if let Some(values) = &s.enum_values {
            all_of_extra.push(json!({ "enum": values }));
        }
    } else if let Some(values) = &s.enum_values {
        out.insert("enum".into(), json!(values));
    }
    if let Some(value) = &s.const_value {
        if out.contains_key("enum") {
            all_of_extra.push(json!({ "enum": [value] }));
        } else {
            out.insert("enum".into(), json!([value]));
        }
    }
    if let Some(default) = s.default.as_ref().filter(|v| !holds_ref(v)) {
        out.insert("default".into(), default.clone());
    }
    all_of_extra
}

/// The annotations after the compositions: `readOnly`, `writeOnly`, `deprecated`, the
/// examples ([`examples`]) and `$comment` as `x-comment`.
fn annotations(s: &Schema, out: &mut Map<String, Value>) {
    if let Some(v) = s.read_only {
        out.insert("readOnly".into(), v.into());
    }
    if let Some(v) = s.write_only {
        out.insert("writeOnly".into(), v.into());
    }
    if let Some(v) = s.deprecated {
        out.insert("deprecated".into(), v.into());
    }
    if let Some(list) = &s.examples {
        examples(list, out);
    }
    if let Some(comment) = &s.comment {
        out.insert("x-comment".into(), comment.clone().into());
    }
}

/// `examples` as `example` (the first) and, when there are several, all of them in
/// `x-examples`; an example holding a `$ref` key is left out.
fn examples(list: &[Value], out: &mut Map<String, Value>) {
    let examples: Vec<&Value> = list.iter().filter(|v| !holds_ref(v)).collect();
    if let Some(first) = examples.first() {
        out.insert("example".into(), (*first).clone());
    }
    if examples.len() > 1 {
        out.insert("x-examples".into(), json!(examples));
    }
}

/// A union that came down to one schema: merged into `out` when they cannot interfere
/// (`out` only annotates, there is no `allOf` yet (`no_parts`, `all_of_extra` empty), and
/// they share no keyword), else added to `all_of_extra`.
fn merge_hoisted(
    out: &mut Map<String, Value>,
    hoisted: Vec<Value>,
    no_parts: bool,
    all_of_extra: &mut Vec<Value>,
) {
    for one in hoisted {
        match one {
            Value::Object(one)
                if no_parts
                    && all_of_extra.is_empty()
                    && out.keys().all(|k| ANNOTATIONS.contains(&k.as_str()))
                    && one.keys().all(|k| !out.contains_key(k)) =>
            {
                let mut merged = Map::new();
                for key in ["title", "description"] {
                    if let Some(v) = out.remove(key) {
                        merged.insert(key.into(), v);
                    }
                }
                merged.extend(one);
                merged.extend(std::mem::take(out));
                *out = merged;
            }
            other => all_of_extra.push(other),
        }
    }
}

/// The converted schema: a lone `$ref` stays one; with siblings (which 3.0 ignores) it goes
/// into `allOf`, with the other parts `all` holds.
fn finish(has_reference: bool, mut out: Map<String, Value>, mut all: Vec<Value>) -> Value {
    if has_reference && all.len() == 1 && out.is_empty() {
        return all.pop().unwrap_or_default();
    }
    if !all.is_empty() {
        out.insert("allOf".into(), all.into());
    }
    Value::Object(out)
}

/// A bound (`minimum` or `maximum`) and whether it is exclusive, from the draft-07 inclusive
/// and numeric exclusive bounds: the stricter one wins.
fn bound(inclusive: Option<f64>, exclusive: Option<f64>, lower: bool) -> (Option<f64>, bool) {
    match (inclusive, exclusive) {
        (Some(i), Some(e)) => {
            let inclusive_is_stricter = if lower { i > e } else { i < e };
            if inclusive_is_stricter {
                (Some(i), false)
            } else {
                (Some(e), true)
            }
        }
        (Some(i), None) => (Some(i), false),
        (None, Some(e)) => (Some(e), true),
        (None, None) => (None, false),
    }
}

/// The OpenAPI name of a type, and the format it implies (`file` is a binary string).
fn type_name(t: TypeName) -> (&'static str, Option<&'static str>) {
    match t {
        TypeName::String => ("string", None),
        TypeName::Integer => ("integer", None),
        TypeName::Number => ("number", None),
        TypeName::Boolean => ("boolean", None),
        TypeName::Object => ("object", None),
        TypeName::Array => ("array", None),
        // Not reached: null is `nullable`.
        TypeName::Null => ("string", None),
        TypeName::File => ("string", Some("binary")),
    }
}

/// Whether a literal value holds an object with a `$ref` key: OpenAPI tools (Swagger UI
/// among them) take every `$ref` for a reference, even inside an example.
fn holds_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(holds_ref),
        Value::Array(items) => items.iter().any(holds_ref),
        _ => false,
    }
}

/// One schema for values that match any of `values`.
fn union_of(mut values: Vec<Value>) -> Value {
    match values.len() {
        0 => json!({}),
        1 => values.pop().unwrap_or_default(),
        _ => json!({ "anyOf": values }),
    }
}

/// Whether a schema allows only `null` and says nothing else that constrains.
fn is_null_only(s: &Schema) -> bool {
    let only_null = s.ty.as_ref().is_some_and(|t| {
        let names = t.names();
        !names.is_empty() && names.iter().all(|n| *n == TypeName::Null)
    });
    if !only_null {
        return false;
    }
    let rest = Schema {
        meta_schema: None,
        id: None,
        comment: None,
        title: None,
        description: None,
        ty: None,
        default: None,
        examples: None,
        read_only: None,
        write_only: None,
        deprecated: None,
        ..s.clone()
    };
    rest == Schema::default()
}

/// The schema itself (no definition names) and its `definitions`, nested ones after their
/// parent, each with its component name (`parent.NAME`).
fn collect_definitions(
    schema: &Schema,
    name: &str,
    defs: &[String],
    out: &mut Vec<(Vec<String>, String)>,
) {
    out.push((defs.to_vec(), name.to_owned()));
    for (def, sub) in schema.definitions.iter().flatten() {
        let mut path = defs.to_vec();
        path.push(def.clone());
        collect_definitions(sub, &format!("{name}.{}", component_name(def)), &path, out);
    }
}

/// The names of the `components.schemas` the document has for `spec`: one per schema file,
/// one per hoisted definition.
pub fn components(spec: &Spec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for named in &spec.schemas {
        let mut found = Vec::new();
        collect_definitions(&named.schema, &component_name(&named.id), &[], &mut found);
        out.extend(found.into_iter().map(|(_, name)| name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(yaml: &str) -> Schema {
        serde_yaml::from_str(yaml).expect("a schema")
    }

    fn spec_with(schemas: &[(&str, &str)]) -> Spec {
        let api = serde_yaml::from_str(
            "title: T\nversion: '1'\nbase_url: https://x\nauth: {scheme: bearer}\nerror: {schema: error, type_field: type, message_field: message}\n",
        )
        .expect("api");
        Spec {
            api,
            resources: Vec::new(),
            schemas: schemas
                .iter()
                .map(|(id, yaml)| crate::spec::NamedSchema {
                    id: (*id).into(),
                    file: PathBuf::from(format!("schemas/{id}.yaml")),
                    schema: schema(yaml),
                })
                .collect(),
            sources: BTreeMap::new(),
        }
    }

    /// Converts `yaml` as the schema file `s` of a spec that also holds `others`.
    fn convert_in(yaml: &str, others: &[(&str, &str)]) -> Value {
        let mut all = vec![("s", yaml)];
        all.extend_from_slice(others);
        let spec = spec_with(&all);
        let mut exporter = Exporter::new(&spec);
        let named = spec.schema("s").expect("s");
        let cx = Cx {
            file: &named.file,
            root: Some("s"),
        };
        let value = exporter.schema(&named.schema, cx, "");
        assert!(exporter.problems.is_empty(), "{}", exporter.problems);
        value
    }

    fn convert(yaml: &str) -> Value {
        convert_in(yaml, &[])
    }

    #[test]
    fn a_type_with_null_is_nullable() {
        assert_eq!(
            convert("type: [string, 'null']\nmaxLength: 3"),
            json!({ "type": "string", "nullable": true, "maxLength": 3 })
        );
    }

    #[test]
    fn several_types_become_any_of_with_their_own_keywords() {
        assert_eq!(
            convert(
                "type: [string, integer, array, 'null']\nmaxLength: 3\nminimum: 1\ndescription: d"
            ),
            json!({
                "description": "d",
                "anyOf": [
                    { "type": "string", "nullable": true, "maxLength": 3 },
                    { "type": "integer", "nullable": true, "minimum": 1 },
                    { "type": "array", "nullable": true, "items": {} },
                ]
            })
        );
    }

    #[test]
    fn a_null_branch_makes_the_other_nullable() {
        assert_eq!(
            convert("oneOf: [{type: string, pattern: a}, {type: 'null'}]"),
            json!({ "type": "string", "nullable": true, "pattern": "a" })
        );
        assert_eq!(
            convert("oneOf: [{type: 'null'}, {type: string, enum: [a]}, {type: object}]"),
            json!({ "oneOf": [
                { "type": "string", "nullable": true, "enum": ["a", null] },
                { "type": "object" },
            ]})
        );
        // A reference might take null itself: the null branch stays, as a 3.0 null.
        assert_eq!(
            convert_in(
                "oneOf: [{$ref: o.yaml}, {type: 'null'}]",
                &[("o", "type: object")]
            ),
            json!({ "oneOf": [
                { "$ref": "#/components/schemas/o" },
                { "type": "string", "nullable": true, "enum": [null] },
            ]})
        );
        // Only annotations beside the union: merged; a constraint beside it: in `allOf`.
        assert_eq!(
            convert("description: d\noneOf: [{type: string}, {type: 'null'}]"),
            json!({ "description": "d", "type": "string", "nullable": true })
        );
        assert_eq!(
            convert("minLength: 1\noneOf: [{type: string}, {type: 'null'}]"),
            json!({ "minLength": 1, "allOf": [{ "type": "string", "nullable": true }] })
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        assert_eq!(
            convert("type: string\nconst: a"),
            json!({ "type": "string", "enum": ["a"] })
        );
    }

    #[test]
    fn a_ref_with_siblings_goes_into_all_of() {
        let others = [("o", "type: object")];
        assert_eq!(
            convert_in("$ref: o.yaml", &others),
            json!({ "$ref": "#/components/schemas/o" })
        );
        assert_eq!(
            convert_in("$ref: o.yaml\ndescription: d", &others),
            json!({ "description": "d", "allOf": [{ "$ref": "#/components/schemas/o" }] })
        );
    }

    #[test]
    fn definitions_are_hoisted_and_refs_rewritten() {
        let spec = spec_with(&[(
            "a b",
            "type: object\nproperties: {x: {$ref: '#/definitions/d'}}\ndefinitions: {d: {type: string}}",
        )]);
        let mut exporter = Exporter::new(&spec);
        let schemas = exporter.schemas();
        assert!(exporter.problems.is_empty(), "{}", exporter.problems);
        assert_eq!(
            Value::Object(schemas),
            json!({
                "a_b": {
                    "type": "object",
                    "properties": { "x": { "$ref": "#/components/schemas/a_b.d" } },
                },
                "a_b.d": { "type": "string" },
            })
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_booleans() {
        assert_eq!(
            convert("type: number\nexclusiveMinimum: 0\nmaximum: 10\nexclusiveMaximum: 20"),
            json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10 })
        );
    }

    #[test]
    fn pattern_properties_fall_back_to_additional_properties() {
        assert_eq!(
            convert(
                "type: object\npatternProperties: {'^a': {type: string}}\nadditionalProperties: false"
            ),
            json!({
                "type": "object",
                "additionalProperties": { "type": "string" },
                "x-patternProperties": { "^a": { "type": "string" } },
            })
        );
    }

    #[test]
    fn examples_become_example_and_array_types_get_items() {
        assert_eq!(
            convert(
                "type: array\nexamples: [[1], [2]]\n$schema: http://json-schema.org/draft-07/schema#"
            ),
            json!({ "type": "array", "items": {}, "example": [1], "x-examples": [[1], [2]] })
        );
    }

    #[test]
    fn examples_holding_a_ref_are_left_out() {
        assert_eq!(
            convert("type: object\nexamples: [{items: [{$ref: '#/x'}]}, {a: 1}]"),
            json!({ "type": "object", "example": { "a": 1 } })
        );
    }

    #[test]
    fn tuples_and_property_names_are_approximated() {
        assert_eq!(
            convert(
                "type: array\nitems: [{type: string}, {type: integer}]\nadditionalItems: false\npropertyNames: {maxLength: 2}"
            ),
            json!({
                "type": "array",
                "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] },
                "x-tupleItems": [{ "type": "string" }, { "type": "integer" }],
                "maxItems": 2,
                "x-propertyNames": { "maxLength": 2 },
            })
        );
    }

    #[test]
    fn an_unresolved_reference_is_a_problem_not_a_panic() {
        let spec = spec_with(&[("s", "$ref: missing.yaml")]);
        let mut exporter = Exporter::new(&spec);
        let _ = exporter.schemas();
        assert_eq!(exporter.problems.len(), 1);
    }

    #[test]
    fn component_names_are_valid() {
        assert_eq!(component_name("org Post/v1"), "org_Post_v1");
        assert_eq!(component_name(""), "_");
    }
}
