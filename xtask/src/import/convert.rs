//! The conversion of Losant's description into spec files, in memory: each resource of
//! `apiInfo.json` into a resource file ([`convert_resource`]: actions, parameters, responses,
//! scopes) and each schema into a schema file, with its title, description and examples
//! ([`convert`] runs it all). The repairs of Losant's data are in [`super::repairs`]; the
//! marks in [`super::marks`]; the files' marker line and hash in [`super::overwrite`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Map, Value as Json};
use serde_yaml::{Mapping, Value as Yaml};

use super::examples;
use super::markdown::{doc_titles, id_to_title, parse_scopes};
use super::marks::{self, Pagination};
use super::overwrite::render;
use super::read::Source;
use super::repairs::{self, NormKind, Normalization, Normalizer, join};

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
    } else if let Some(t) = infer_type(param)
        .or_else(|| {
            let repair = repairs::untyped_string_param(param, name, path)?;
            norms.push(repair);
            Some("string".to_string())
        })
        .or_else(|| {
            let (ty, repair) = repairs::untyped_param_by_example(param, name, path)?;
            norms.push(repair);
            Some(ty.to_string())
        })
    {
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
            if let Some(allowed) = enum_values.as_mut() {
                norms.extend(repairs::enum_value_added(allowed, &v, key, name, path));
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

/// Converts the whole source, in memory.
pub fn convert(source: &Source) -> Result<Import, String> {
    let ids: BTreeSet<String> = source.schemas.keys().cloned().collect();
    let mut normalized = BTreeMap::new();
    for (id, schema) in &source.schemas {
        let mut schema = schema.clone();
        let done = Normalizer::run(&mut schema, id, &ids);
        normalized.insert(id.clone(), (schema, done));
    }
    let mut schemas: BTreeMap<String, Json> = normalized
        .iter()
        .map(|(id, (schema, _))| (id.clone(), schema.clone()))
        .collect();
    // The repairs that compare schemas with each other.
    for (id, repair) in repairs::swapped_enums(&mut schemas) {
        if let (Some((schema, done)), Some(fixed)) = (normalized.get_mut(&id), schemas.get(&id)) {
            *schema = fixed.clone();
            done.push(repair);
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn untyped_parameters_with_a_pattern_are_strings() {
        let mut norms = Vec::new();
        let q = convert_param(
            &obj(
                json!({"name": "executionId", "in": "query", "pattern": "^[a-f]{24}$",
                "example": "632e18632f59592e773a4153", "required": true}),
            ),
            "actions.cancelExecution.query[0]",
            &mut norms,
        )
        .unwrap();
        assert_eq!(
            yaml_of(&q),
            "name: executionId\ntype: string\nexample: 632e18632f59592e773a4153\n\
             pattern: ^[a-f]{24}$\nrequired: true\n"
        );
        assert_eq!(norms.len(), 1);
        assert_eq!(norms[0].kind, NormKind::UntypedStringParam);
        // Without a string keyword, a string example types it (another repair).
        let q = convert_param(
            &obj(json!({"name": "name", "in": "query", "example": "fileA"})),
            "query[0]",
            &mut norms,
        )
        .unwrap();
        assert_eq!(yaml_of(&q), "name: name\ntype: string\nexample: fileA\n");
        assert_eq!(norms.len(), 2);
        assert_eq!(norms[1].kind, NormKind::UntypedParamByExample);
        // Without either, the parameter stays untyped, as Losant wrote it.
        let q = convert_param(
            &obj(json!({"name": "count", "in": "query", "example": 5})),
            "query[1]",
            &mut norms,
        )
        .unwrap();
        assert_eq!(yaml_of(&q), "name: count\nexample: 5\n");
        assert_eq!(norms.len(), 2);
    }

    #[test]
    fn converts_the_whole_description_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        super::super::test_support::fixture(dir.path());
        let source = Source::load(dir.path()).unwrap();
        let import = convert(&source).unwrap();
        let paths: Vec<String> = import
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "resources/org.yaml",
                "resources/orgs.yaml",
                "schemas/error.yaml",
                "schemas/org.yaml",
                "schemas/orgs.yaml"
            ]
        );
        let orgs = &import.files[1];
        assert!(
            matches!(&orgs.kind, FileKind::Resource { actions, .. } if actions == &["get", "post"])
        );
        let org = &import.files[3];
        assert_eq!(org.kind, FileKind::Schema);
        let kinds: Vec<NormKind> = org.normalizations.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [NormKind::MinMax]);
        for file in &import.files {
            assert_eq!(
                super::super::overwrite::provenance(&file.text),
                super::super::overwrite::Provenance::Imported,
                "{}",
                file.path.display()
            );
        }
        // Converting twice gives the same text.
        let again = convert(&source).unwrap();
        let texts = |i: &Import| i.files.iter().map(|f| f.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&again), texts(&import));
    }

    fn obj(v: Json) -> Map<String, Json> {
        match v {
            Json::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn yaml_of(m: &Mapping) -> String {
        serde_yaml::to_string(m).unwrap()
    }

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
}
