//! Members of published examples that their schemas do not declare.
//!
//! A typed client keeps only the members its types declare (unknown ones are ignored, for
//! forward compatibility), so a member that Losant's own example of a response shows but its
//! schema leaves out (`dashboard._currentRole`, `applicationCloneDryRunResult.jobRequired`, the
//! paging fields of some lists) would be dropped from every real response. [`undeclared`] walks
//! every schema's `examples` along its schema the way the generated models decode them, and
//! [`declare`] declares each member found at the place the example shows it, typed from the
//! example's value ([`schema_of`]).
//!
//! How a place is found, as the models decode: a `$ref` is followed (to a schema file, or to a
//! definition); of `oneOf`/`anyOf` the branch the value fits best (type, `enum` and `const`
//! hold, then the most members declared, at every depth), as the generated unions decode; the
//! parts of an `allOf` count together, and a member they lack is declared beside them, in the
//! schema that holds the `allOf`. A member is declared when a `properties` has it, or a
//! pattern of `patternProperties` matches its name, or `additionalProperties` is a schema; an
//! object schema without `properties` is a map that keeps every member.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{Map, Value as Json};

/// A schema inside the spec: the schema file's id and the keys leading to it from the file's
/// root (`["properties", "items", "items"]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Spot {
    /// The schema file's id.
    pub file: String,
    /// Object keys (and array indexes, as text) from the file's root.
    pub path: Vec<String>,
}

impl Spot {
    fn child(&self, keys: &[&str]) -> Spot {
        let mut path = self.path.clone();
        path.extend(keys.iter().map(|k| k.to_string()));
        Spot {
            file: self.file.clone(),
            path,
        }
    }

    /// The path as the repair notes write it: `properties.items.items`, `oneOf[1]`, or `the
    /// root`.
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for part in &self.path {
            if part.parse::<usize>().is_ok() {
                out.push_str(&format!("[{part}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(part);
            }
        }
        if out.is_empty() {
            "the root".into()
        } else {
            out
        }
    }
}

/// A member of an example that its schema does not declare.
#[derive(Debug, Clone, PartialEq)]
pub struct Undeclared {
    /// The id of the schema whose example it is in.
    pub example: String,
    /// Where in the example (a JSON pointer).
    pub at: String,
    /// The object schema that lacks it.
    pub place: Spot,
    /// The member's name.
    pub member: String,
    /// Its value in the example.
    pub value: Json,
}

impl std::fmt::Display for Undeclared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the example of {} has {} ({}), which {}.yaml does not declare at {}",
            self.example,
            self.at,
            self.value,
            self.place.file,
            self.place.dotted()
        )
    }
}

/// How deep references and values are followed (Losant's deepest example is far shallower;
/// recursive schemas stop here).
const MAX_DEPTH: usize = 64;

/// Every member of every schema's `examples` (the schemas by id, as spec files hold them) that
/// the schema does not declare; in id order, then example order.
pub fn undeclared(schemas: &BTreeMap<String, Json>) -> Vec<Undeclared> {
    let mut walker = Walker {
        schemas,
        patterns: BTreeMap::new(),
        found: Vec::new(),
    };
    for (id, schema) in schemas {
        let Some(Json::Array(examples)) = schema.get("examples") else {
            continue;
        };
        let root = Spot {
            file: id.clone(),
            path: Vec::new(),
        };
        for (i, example) in examples.iter().enumerate() {
            // The first example is `/`; later ones are numbered (`/1/...`).
            let at = if i == 0 {
                String::new()
            } else {
                format!("/{i}")
            };
            walker.walk(example, &root, id, &at, 0);
        }
    }
    walker.found
}

/// One declaration [`declare`] made: in which file, where, what, and for which example
/// members (`example at`), for the note.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    /// The object schema that now declares the member.
    pub place: Spot,
    /// The member's name.
    pub member: String,
    /// The schema it got.
    pub schema: Json,
    /// The example members it was found as: `id at`.
    pub seen: Vec<String>,
}

/// Declares every member [`undeclared`] finds, in `schemas` (by id), each at its place with a
/// schema typed from its values (merged when several examples show it, see [`merge`]); repeats
/// until nothing is left or nothing changes. Returns what it declared, in order.
pub fn declare(schemas: &mut BTreeMap<String, Json>) -> Vec<Declared> {
    let mut done: Vec<Declared> = Vec::new();
    for _ in 0..8 {
        let found = undeclared(schemas);
        if found.is_empty() {
            break;
        }
        let mut batch: Vec<Declared> = Vec::new();
        for u in found {
            let seen = format!("{} {}", u.example, u.at);
            let schema = schema_of(&u.value);
            match batch
                .iter_mut()
                .find(|d| d.place == u.place && d.member == u.member)
            {
                Some(d) => {
                    d.schema = merge(&d.schema, &schema);
                    d.seen.push(seen);
                }
                None => batch.push(Declared {
                    place: u.place,
                    member: u.member,
                    schema,
                    seen: vec![seen],
                }),
            }
        }
        let mut changed = false;
        for d in &batch {
            let Some(Json::Object(place)) = schemas
                .get_mut(&d.place.file)
                .and_then(|root| pointer_mut(root, &d.place.path))
            else {
                continue;
            };
            let props = place
                .entry("properties")
                .or_insert_with(|| Json::Object(Map::new()));
            if let Json::Object(props) = props {
                if !props.contains_key(&d.member) {
                    props.insert(d.member.clone(), d.schema.clone());
                    changed = true;
                }
            }
        }
        done.extend(batch);
        if !changed {
            break;
        }
    }
    done
}

/// Replaces the placeholders Losant left in its example `id` (`{"$ref": "#/examples/X"}`,
/// which stand for its example of `X`) by those examples, returning a note for each. A
/// placeholder naming the example it sits in (the `deviceAttributes` list's items say
/// `#/examples/deviceAttributes`) would hold itself; it stands for the list's item, the
/// example of the item schema ([`super::repairs::item_id`]: `deviceAttribute`). A placeholder naming
/// no example is left as it is.
pub fn resolve_placeholders(
    example: &mut Json,
    id: &str,
    examples: &Map<String, Json>,
) -> Vec<String> {
    let mut notes = Vec::new();
    placeholders(example, id, examples, "", 0, &mut notes);
    notes
}

fn placeholders(
    value: &mut Json,
    id: &str,
    examples: &Map<String, Json>,
    at: &str,
    depth: usize,
    notes: &mut Vec<String>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let named = match &*value {
        Json::Object(m) if m.len() == 1 => m
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix("#/examples/"))
            .map(str::to_string),
        _ => None,
    };
    if let Some(named) = named {
        let (target, why) = if named == id {
            match super::repairs::item_id(&named, |x| examples.contains_key(x)) {
                Some(item) => (
                    item.to_string(),
                    format!(
                        "it named this very example, which cannot hold itself; the items of the \
                         {id} list are {item} records"
                    ),
                ),
                None => return,
            }
        } else {
            (
                named.clone(),
                "Losant's examples refer to each other so".to_string(),
            )
        };
        let Some(replacement) = examples.get(&target) else {
            return;
        };
        notes.push(format!(
            "replaced the placeholder {{\"$ref\": \"#/examples/{named}\"}} at {} of the example \
             by Losant's example of {target} ({why})",
            if at.is_empty() { "/" } else { at }
        ));
        *value = replacement.clone();
        placeholders(value, &target, examples, at, depth + 1, notes);
        return;
    }
    match value {
        Json::Object(members) => {
            for (k, v) in members.iter_mut() {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                placeholders(v, id, examples, &here, depth + 1, notes);
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                placeholders(v, id, examples, &format!("{at}/{i}"), depth + 1, notes);
            }
        }
        _ => {}
    }
}

fn pointer_mut<'a>(mut node: &'a mut Json, path: &[String]) -> Option<&'a mut Json> {
    for part in path {
        node = match node {
            Json::Object(map) => map.get_mut(part)?,
            Json::Array(items) => items.get_mut(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The schema a member's value gets: its JSON type (`integer` for whole numbers), objects with
/// their members declared the same way, arrays with items typed from their elements (merged);
/// `null`, and an empty array's items, are left unrestricted.
pub fn schema_of(value: &Json) -> Json {
    let typed = |t: &str| {
        let mut m = Map::new();
        m.insert("type".into(), Json::String(t.into()));
        m
    };
    match value {
        Json::Null => Json::Object(Map::new()),
        Json::Bool(_) => Json::Object(typed("boolean")),
        Json::Number(n) if n.is_i64() || n.is_u64() => Json::Object(typed("integer")),
        Json::Number(_) => Json::Object(typed("number")),
        Json::String(_) => Json::Object(typed("string")),
        Json::Array(items) => {
            let mut m = typed("array");
            if let Some(first) = items.first() {
                let merged = items[1..]
                    .iter()
                    .fold(schema_of(first), |acc, item| merge(&acc, &schema_of(item)));
                m.insert("items".into(), merged);
            }
            Json::Object(m)
        }
        Json::Object(members) => {
            let mut m = typed("object");
            if !members.is_empty() {
                let props: Map<String, Json> = members
                    .iter()
                    .map(|(k, v)| (k.clone(), schema_of(v)))
                    .collect();
                m.insert("properties".into(), Json::Object(props));
            }
            Json::Object(m)
        }
    }
}

/// The narrowest of [`schema_of`]'s schemas that accepts what both accept: `integer` and
/// `number` make `number`; objects unite their properties, arrays merge their items; anything
/// else that differs is left unrestricted (`{}`).
pub fn merge(a: &Json, b: &Json) -> Json {
    if a == b {
        return a.clone();
    }
    let ty = |s: &Json| s.get("type").and_then(Json::as_str).map(str::to_string);
    let mut out = Map::new();
    match (ty(a).as_deref(), ty(b).as_deref()) {
        (Some("integer" | "number"), Some("integer" | "number")) => {
            out.insert("type".into(), Json::String("number".into()));
        }
        (Some("object"), Some("object")) => {
            out.insert("type".into(), Json::String("object".into()));
            let mut props = Map::new();
            for side in [a, b] {
                if let Some(Json::Object(p)) = side.get("properties") {
                    for (k, v) in p {
                        let merged = match props.get(k) {
                            Some(existing) => merge(existing, v),
                            None => v.clone(),
                        };
                        props.insert(k.clone(), merged);
                    }
                }
            }
            if !props.is_empty() {
                out.insert("properties".into(), Json::Object(props));
            }
        }
        (Some("array"), Some("array")) => {
            out.insert("type".into(), Json::String("array".into()));
            let items = match (a.get("items"), b.get("items")) {
                (Some(x), Some(y)) => Some(merge(x, y)),
                (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                (None, None) => None,
            };
            if let Some(items) = items {
                out.insert("items".into(), items);
            }
        }
        _ => {}
    }
    Json::Object(out)
}

struct Walker<'a> {
    schemas: &'a BTreeMap<String, Json>,
    patterns: BTreeMap<String, Option<Regex>>,
    found: Vec<Undeclared>,
}

impl Walker<'_> {
    fn get(&self, spot: &Spot) -> Option<&Map<String, Json>> {
        let mut node = self.schemas.get(&spot.file)?;
        for part in &spot.path {
            node = match node {
                Json::Object(map) => map.get(part)?,
                Json::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        node.as_object()
    }

    /// `spot`, or where its `$ref`s lead.
    fn resolve(&self, spot: &Spot) -> Option<Spot> {
        let mut spot = spot.clone();
        for _ in 0..MAX_DEPTH {
            let schema = self.get(&spot)?;
            let Some(reference) = schema.get("$ref").and_then(Json::as_str) else {
                return Some(spot);
            };
            let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
            let file = if file.is_empty() {
                spot.file.clone()
            } else {
                file.trim_end_matches(".yaml")
                    .trim_end_matches(".yml")
                    .to_string()
            };
            spot = Spot {
                file,
                path: pointer
                    .split('/')
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect(),
            };
        }
        None
    }

    /// The schemas whose members count at `spot` (resolved, no union there): it and, through
    /// `allOf`, its parts.
    fn parts(&self, spot: &Spot, depth: usize) -> Vec<Spot> {
        let mut out = vec![spot.clone()];
        if depth > MAX_DEPTH {
            return out;
        }
        if let Some(Json::Array(all)) = self.get(spot).and_then(|s| s.get("allOf")) {
            for i in 0..all.len() {
                if let Some(part) = self.resolve(&spot.child(&["allOf", &i.to_string()])) {
                    out.extend(self.parts(&part, depth + 1));
                }
            }
        }
        out
    }

    /// The branches of `spot`'s `oneOf`/`anyOf`, resolved, if it has any.
    fn branches(&self, spot: &Spot) -> Vec<Spot> {
        let Some(schema) = self.get(spot) else {
            return Vec::new();
        };
        for key in ["oneOf", "anyOf"] {
            if let Some(Json::Array(list)) = schema.get(key) {
                if !list.is_empty() {
                    return (0..list.len())
                        .filter_map(|i| self.resolve(&spot.child(&[key, &i.to_string()])))
                        .collect();
                }
            }
        }
        Vec::new()
    }

    /// The branch `value` fits best: the first of those that fit (see [`Walker::fit`]) and
    /// declare the most of it.
    fn best(&mut self, value: &Json, branches: Vec<Spot>, depth: usize) -> Option<Spot> {
        let mut best: Option<(Spot, (bool, usize))> = None;
        for branch in branches {
            let score = self.fit(value, &branch, depth + 1);
            if best.as_ref().is_none_or(|(_, b)| score > *b) {
                best = Some((branch, score));
            }
        }
        best.map(|(spot, _)| spot)
    }

    /// Whether `value` fits the schema at `spot` (types, `enum` and `const`, here and in the
    /// members it declares), and how many of its members, at every depth, are declared.
    fn fit(&mut self, value: &Json, spot: &Spot, depth: usize) -> (bool, usize) {
        if depth > MAX_DEPTH {
            return (true, 0);
        }
        let Some(spot) = self.resolve(spot) else {
            return (true, 0);
        };
        let branches = self.branches(&spot);
        if !branches.is_empty() {
            return branches
                .iter()
                .map(|b| self.fit(value, b, depth + 1))
                .max()
                .unwrap_or((true, 0));
        }
        let parts = self.parts(&spot, depth);
        let mut fits = parts
            .iter()
            .filter_map(|p| self.get(p))
            .all(|s| accepts(s, value));
        let mut declared = 0;
        match value {
            Json::Object(members) => {
                for (name, member) in members {
                    if let Some(sub) = self.member_schema(&parts, name) {
                        let (f, n) = self.fit(member, &sub, depth + 1);
                        fits &= f;
                        declared += 1 + n;
                    }
                }
            }
            Json::Array(items) => {
                if let Some(sub) = self.items(&parts) {
                    for item in items {
                        let (f, n) = self.fit(item, &sub, depth + 1);
                        fits &= f;
                        declared += n;
                    }
                }
            }
            _ => {}
        }
        (fits, declared)
    }

    /// The schema member `name` follows among `parts`, if one declares it.
    fn member_schema(&mut self, parts: &[Spot], name: &str) -> Option<Spot> {
        for part in parts {
            if self
                .get(part)
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.get(name))
                .is_some()
            {
                return Some(part.child(&["properties", name]));
            }
        }
        for part in parts {
            let patterns: Vec<String> =
                match self.get(part).and_then(|s| s.get("patternProperties")) {
                    Some(Json::Object(p)) => p.keys().cloned().collect(),
                    _ => Vec::new(),
                };
            for pattern in patterns {
                let re = self
                    .patterns
                    .entry(pattern.clone())
                    .or_insert_with(|| Regex::new(&pattern).ok());
                if re.as_ref().is_some_and(|re| re.is_match(name)) {
                    return Some(part.child(&["patternProperties", &pattern]));
                }
            }
        }
        for part in parts {
            if self
                .get(part)
                .and_then(|s| s.get("additionalProperties"))
                .is_some_and(Json::is_object)
            {
                return Some(part.child(&["additionalProperties"]));
            }
        }
        None
    }

    /// The schema of an array's items among `parts`, if one says.
    fn items(&self, parts: &[Spot]) -> Option<Spot> {
        parts
            .iter()
            .find(|p| {
                self.get(p)
                    .and_then(|s| s.get("items"))
                    .is_some_and(Json::is_object)
            })
            .map(|p| p.child(&["items"]))
    }

    fn walk(&mut self, value: &Json, spot: &Spot, example: &str, at: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(spot) = self.resolve(spot) else {
            return;
        };
        let branches = self.branches(&spot);
        if !branches.is_empty() {
            if let Some(best) = self.best(value, branches, depth) {
                self.walk(value, &best, example, at, depth + 1);
            }
            return;
        }
        let parts = self.parts(&spot, depth);
        match value {
            Json::Array(items) => {
                if let Some(sub) = self.items(&parts) {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item, &sub, example, &format!("{at}/{i}"), depth + 1);
                    }
                }
            }
            Json::Object(members) => {
                let is_struct = parts.iter().any(|p| {
                    self.get(p)
                        .and_then(|s| s.get("properties"))
                        .and_then(Json::as_object)
                        .is_some_and(|m| !m.is_empty())
                });
                for (name, member) in members {
                    let here = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                    match self.member_schema(&parts, name) {
                        Some(sub) => self.walk(member, &sub, example, &here, depth + 1),
                        // An object schema without properties is a map: it keeps them all.
                        None if !is_struct => {}
                        None => self.found.push(Undeclared {
                            example: example.to_string(),
                            at: here,
                            place: spot.clone(),
                            member: name.clone(),
                            value: member.clone(),
                        }),
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether `value` meets `schema`'s own `type`, `enum` and `const` (not its members').
fn accepts(schema: &Map<String, Json>, value: &Json) -> bool {
    if let Some(Json::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(value) {
            return false;
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            return false;
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(list)) => list.iter().filter_map(Json::as_str).collect(),
        _ => return true,
    };
    types.iter().any(|t| match *t {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(list: &[(&str, Json)]) -> BTreeMap<String, Json> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn found(schemas: &BTreeMap<String, Json>) -> Vec<String> {
        undeclared(schemas)
            .iter()
            .map(|u| {
                format!(
                    "{} {} @{} {}",
                    u.example,
                    u.at,
                    u.place.file,
                    u.place.dotted()
                )
            })
            .collect()
    }

    /// The spec in the repository (what `cargo xtask import` wrote, and the hand-written
    /// schemas): every member of every schema example is declared, so the models keep it.
    #[test]
    fn the_spec_declares_every_member_of_its_examples() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/schemas");
        let mut schemas = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".yaml"))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let value: Json =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            schemas.insert(id.to_string(), value);
        }
        assert!(
            schemas.len() > 300,
            "read {} schemas from {}",
            schemas.len(),
            dir.display()
        );
        let examples = schemas
            .values()
            .filter(|s| s.get("examples").is_some())
            .count();
        assert!(examples > 300, "only {examples} schemas have examples");
        let found: Vec<String> = undeclared(&schemas)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            found.is_empty(),
            "{} members of the spec's examples are not declared by their schemas (run `cargo \
             xtask import`, or declare them in hand-written files):\n{}",
            found.len(),
            found.join("\n")
        );
    }

    #[test]
    fn values_are_typed_from_the_example() {
        assert_eq!(schema_of(&json!("x")), json!({"type": "string"}));
        assert_eq!(schema_of(&json!(3)), json!({"type": "integer"}));
        assert_eq!(schema_of(&json!(2.5)), json!({"type": "number"}));
        assert_eq!(schema_of(&json!(false)), json!({"type": "boolean"}));
        assert_eq!(schema_of(&json!(null)), json!({}));
        assert_eq!(schema_of(&json!({})), json!({"type": "object"}));
        assert_eq!(schema_of(&json!([])), json!({"type": "array"}));
        assert_eq!(
            schema_of(&json!({"a": {"b": [1, 2.5]}, "c": [{"x": 1}, {"y": "s"}, {"x": null}]})),
            json!({"type": "object", "properties": {
                "a": {"type": "object", "properties": {
                    "b": {"type": "array", "items": {"type": "number"}}}},
                "c": {"type": "array", "items": {"type": "object", "properties": {
                    "x": {}, "y": {"type": "string"}}}}
            }})
        );
        assert_eq!(
            merge(&json!({"type": "string"}), &json!({"type": "integer"})),
            json!({})
        );
        assert_eq!(
            merge(&json!({"type": "array"}), &schema_of(&json!(["a"]))),
            json!({"type": "array", "items": {"type": "string"}})
        );
    }

    #[test]
    fn members_are_found_along_references_unions_and_all_of() {
        let schemas = spec(&[
            (
                "list",
                json!({"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "one.yaml"}},
                    "count": {"type": "integer"}},
                    "examples": [{"count": 1, "page": 0, "items": [{"id": "a", "_role": "x"}]}]}),
            ),
            (
                "one",
                json!({"type": "object", "properties": {"id": {"type": "string"}},
                    "examples": [{"id": "a", "_role": "x", "meta": {"k": 1}}]}),
            ),
            (
                "union",
                json!({"type": "object", "properties": {"config": {"oneOf": [
                    {"type": "object", "properties": {"kind": {"enum": ["a"]}, "x": {}}},
                    {"type": "object", "properties": {"kind": {"enum": ["b"]}, "y": {}}}
                ]}},
                "examples": [{"config": {"kind": "b", "y": 1, "z": 2}}]}),
            ),
            (
                "mixed",
                json!({"allOf": [{"$ref": "one.yaml"}, {"properties": {"n": {"type": "number"}}}],
                    "definitions": {"tags": {"type": "object",
                        "patternProperties": {"^t": {"type": "string"}},
                        "properties": {"fixed": {"type": "string"}}}},
                    "properties": {"tags": {"$ref": "#/definitions/tags"},
                                   "map": {"type": "object"},
                                   "more": {"type": "object", "properties": {"a": {}},
                                            "additionalProperties": {"type": "string"}}},
                    "examples": [{"id": "a", "n": 1, "extra": true,
                                  "tags": {"t1": "v", "u": "w"},
                                  "map": {"anything": 1},
                                  "more": {"a": 1, "b": "c"}}]}),
            ),
        ]);
        assert_eq!(
            found(&schemas),
            [
                "list /page @list the root",
                "list /items/0/_role @one the root",
                "mixed /extra @mixed the root",
                "mixed /tags/u @mixed definitions.tags",
                "one /_role @one the root",
                "one /meta @one the root",
                "union /config/z @union properties.config.oneOf[1]",
            ]
        );
    }

    #[test]
    fn example_placeholders_become_the_examples_they_name() {
        let examples = json!({
            "deviceAttributes": {"items": [{"$ref": "#/examples/deviceAttributes"}]},
            "deviceAttribute": {"name": "voltage"},
            "other": {"x": {"$ref": "#/examples/deviceAttribute"}, "y": {"$ref": "#/examples/nope"}}
        });
        let examples = examples.as_object().unwrap();
        let mut list = examples["deviceAttributes"].clone();
        let notes = resolve_placeholders(&mut list, "deviceAttributes", examples);
        assert_eq!(list, json!({"items": [{"name": "voltage"}]}));
        assert_eq!(
            notes,
            [
                "replaced the placeholder {\"$ref\": \"#/examples/deviceAttributes\"} at /items/0 of \
              the example by Losant's example of deviceAttribute (it named this very example, \
              which cannot hold itself; the items of the deviceAttributes list are \
              deviceAttribute records)"
            ]
        );
        let mut other = examples["other"].clone();
        let notes = resolve_placeholders(&mut other, "other", examples);
        assert_eq!(
            other,
            json!({"x": {"name": "voltage"}, "y": {"$ref": "#/examples/nope"}})
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn declaring_leaves_nothing_undeclared() {
        let mut schemas = spec(&[
            (
                "list",
                json!({"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "one.yaml"}}},
                    "examples": [{"perPage": 10, "items": [{"id": "a", "n": 1}, {"n": 1.5}]}]}),
            ),
            (
                "one",
                json!({"type": "object", "properties": {"id": {"type": "string"}},
                    "examples": [{"id": "a", "n": 2, "meta": {"k": [true]}, "gone": null}]}),
            ),
        ]);
        let done = declare(&mut schemas);
        assert_eq!(found(&schemas), Vec::<String>::new());
        assert_eq!(
            schemas["one"]["properties"],
            json!({"id": {"type": "string"}, "n": {"type": "number"},
                   "meta": {"type": "object", "properties": {
                       "k": {"type": "array", "items": {"type": "boolean"}}}},
                   "gone": {}})
        );
        assert_eq!(
            schemas["list"]["properties"]["perPage"],
            json!({"type": "integer"})
        );
        let n = done.iter().find(|d| d.member == "n").unwrap();
        assert_eq!(n.place.file, "one");
        assert_eq!(n.seen, ["list /items/0/n", "list /items/1/n", "one /n"]);
        // Once declared, nothing more to do.
        assert!(declare(&mut schemas).is_empty());
    }
}
