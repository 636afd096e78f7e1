//! The repairs of Losant's data: what its schemas and parameters get wrong that the spec
//! loader would reject or a typed client would misread. Each repair is counted
//! ([`Normalization`], by [`NormKind`]) and described in an `# import:` comment at the top of
//! the file it lands in; none drops what Losant's data says without saying so.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

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
    /// A parameter without a type but with a string's keywords (`pattern`) typed `string`.
    UntypedStringParam,
    /// A parameter without a type or keywords typed by its example (`true`, `"fileA"`).
    UntypedParamByExample,
    /// The enums of two properties, each holding the values the other has everywhere else,
    /// swapped back.
    SwappedEnums,
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
            NormKind::UntypedStringParam => {
                "untyped parameters with string keywords (pattern) typed string"
            }
            NormKind::UntypedParamByExample => {
                "untyped parameters typed by their example (boolean or string)"
            }
            NormKind::SwappedEnums => {
                "property enums swapped back (each held the values the other has elsewhere)"
            }
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

/// A path for a note: `the root` for the empty path.
pub(super) fn at(path: &str) -> String {
    if path.is_empty() {
        "the root".into()
    } else {
        path.to_string()
    }
}

/// `path.segment`, or `segment` at the root.
pub(super) fn join(path: &str, segment: &str) -> String {
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
            // Losant's mistake: keywords that are not JSON Schema (notes, Joi's `min`/`max`
            // where the type does not say which bound they are). Draft-07 ignores them and the
            // loader refuses them: they are dropped, each noted. What they would lose was
            // saved above (misplaced property schemas moved, `min`/`max` made bounds).
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
                    // Losant's mistake: a list nested in a list of alternatives
                    // (`anyOf: [[a, b], c]`). A list is not a schema; its schemas become
                    // alternatives themselves.
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
                // Losant's mistake: numbers written as strings (`maxItems: "10"`), which
                // draft-07 does not take for a bound.
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

    /// Losant's mistake: a schema written as the `properties` map of the schema holding it
    /// (`properties: {title: Invite, type: object, properties: {...}}`), whose string values
    /// are not property schemas. When every entry is a keyword (one the holder lacks or has
    /// with the same value), the schema is unwrapped: its keywords move up into the holder.
    /// Otherwise the entries that are not schemas are dropped, each noted.
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

    /// Losant's mistake: property schemas written beside `properties` instead of inside it (unknown keywords
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

    /// Losant's mistake: `min`/`max` (not JSON Schema keywords) carry their Joi meaning: the bounds of a
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

    /// Losant's mistake: `$ref: "#/definitions/X"` where this file has no definition `X`.
    /// Losant resolves it against its shared definitions, which are our schema files, so it
    /// becomes `$ref: X.yaml`; a list whose items name the list itself gets its item schema.
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

/// Losant's mistake: a parameter's `enum` omits a value its own `default` or `example` uses
/// (the examples of eight list actions filter or sort by a field the enum omits, e.g.
/// `filterField=key` where the enum is `name, status`). That value is one its server takes:
/// the enum is what is incomplete, so the value joins `allowed` rather than being dropped, and
/// the repair is returned. `key` says whether the default or the example used it, `name` and
/// `path` which parameter; `None` when the enum already has the value.
pub fn enum_value_added(
    allowed: &mut Vec<Json>,
    value: &Json,
    key: &str,
    name: &str,
    path: &str,
) -> Option<Normalization> {
    if allowed.contains(value) {
        return None;
    }
    let before: Vec<String> = allowed.iter().map(Json::to_string).collect();
    allowed.push(value.clone());
    Some(Normalization {
        kind: NormKind::EnumValueAdded,
        text: format!(
            "Losant's {key} of parameter {name} at {} uses {value}, which its enum ({}) omits: \
             added to the enum, {key} kept",
            at(path),
            before.join(", ")
        ),
    })
}

/// The keywords of a parameter that only a string can have, of those a parameter keeps.
const STRING_PARAM_KEYWORDS: &[&str] = &["pattern", "minLength", "maxLength"];

/// Losant's mistake: a parameter with neither `type` nor `schema` but with a string's keywords
/// (the `executionId` of `notebook.cancelExecution` and `resourceJob.cancelExecution` has a
/// 24-hex-digit `pattern` and no type). Untyped, a client takes any JSON value for it, where
/// the keywords say it is a string: it becomes `type: string` (the keywords are kept). Returns
/// the repair, or `None` when the parameter has a type or a schema, or no string keyword.
pub fn untyped_string_param(
    param: &Map<String, Json>,
    name: &str,
    path: &str,
) -> Option<Normalization> {
    if param.contains_key("type") || param.contains_key("schema") {
        return None;
    }
    let keywords: Vec<&str> = STRING_PARAM_KEYWORDS
        .iter()
        .copied()
        .filter(|k| param.contains_key(*k))
        .collect();
    if keywords.is_empty() {
        return None;
    }
    Some(Normalization {
        kind: NormKind::UntypedStringParam,
        text: format!(
            "Losant's parameter {name} at {} has no type but {}, which only a string has: \
             typed string (untyped, a client would take any JSON value for it)",
            at(path),
            keywords.join(", ")
        ),
    })
}

/// Losant's mistake: a parameter with no `type`, no `schema` and no keyword that tells its
/// type, whose docs say its type is "undefined", but whose example does (`filterEmpty` of
/// `edgeDeployments.get`: `true`; `name` and `parentDirectory` of `file.move`: `fileA`,
/// `/new/location/here`). Untyped, a client takes any JSON value for it; it is typed like its
/// example when that is a boolean or a string (a number could be an integer or not, so it is
/// left alone). Returns the type and the repair, or `None` when the parameter has a type, a
/// schema or a string's keywords (see [`untyped_string_param`]), or no such example.
pub fn untyped_param_by_example(
    param: &Map<String, Json>,
    name: &str,
    path: &str,
) -> Option<(&'static str, Normalization)> {
    if param.contains_key("type")
        || param.contains_key("schema")
        || STRING_PARAM_KEYWORDS.iter().any(|k| param.contains_key(*k))
    {
        return None;
    }
    let example = param.get("example")?;
    let ty = match example {
        Json::Bool(_) => "boolean",
        Json::String(_) => "string",
        _ => return None,
    };
    Some((
        ty,
        Normalization {
            kind: NormKind::UntypedParamByExample,
            text: format!(
                "Losant's parameter {name} at {} has no type but the example {example}: typed \
                 {ty} (untyped, a client would take any JSON value for it)",
                at(path)
            ),
        },
    ))
}

/// Losant's mistake: two properties of one object hold each other's `enum`. In
/// `applicationSearchResult`, `flowClass` lists the device classes (`standalone`, `gateway`,
/// `peripheral`, `floating`, `edgeCompute`, `system`, `embedded`) and `deviceClass` the flow
/// classes (`cloud`, `edge`, `embedded`, `experience`, `customNode`), the other way round
/// from `device`, `flow` and every other schema that has them; a client would refuse the
/// right values and send wrong ones, and the models could not share the class enums.
///
/// The rule: a property name's usual enum is the one it has most often across all schemas
/// (strictly more often than any other, and at least twice). Where two properties of one
/// object each have the other's usual enum, and not their own, their enums are swapped back.
/// Returns each repair with the id of its schema file.
pub fn swapped_enums(schemas: &mut BTreeMap<String, Json>) -> Vec<(String, Normalization)> {
    // Property name -> enum (as JSON text) -> (the enum, how many properties have it).
    let mut seen: BTreeMap<String, BTreeMap<String, (Json, usize)>> = BTreeMap::new();
    for schema in schemas.values() {
        for (pointer, _) in schema_places(schema) {
            for (name, values) in property_enums(schema.pointer(&pointer)) {
                let entry = seen
                    .entry(name)
                    .or_default()
                    .entry(values.to_string())
                    .or_insert((values, 0));
                entry.1 += 1;
            }
        }
    }
    let usual: BTreeMap<&str, (&Json, usize)> = seen
        .iter()
        .filter_map(|(name, enums)| {
            let mut counts: Vec<(&Json, usize)> = enums.values().map(|(e, n)| (e, *n)).collect();
            counts.sort_by_key(|c| std::cmp::Reverse(c.1));
            let (top, n) = *counts.first()?;
            let runner_up = counts.get(1).map_or(0, |c| c.1);
            (n >= 2 && n > runner_up).then_some((name.as_str(), (top, n)))
        })
        .collect();
    let mut swaps = Vec::new();
    for (id, schema) in schemas.iter() {
        for (pointer, path) in schema_places(schema) {
            let props = property_enums(schema.pointer(&pointer));
            for (i, (a, a_values)) in props.iter().enumerate() {
                for (b, b_values) in &props[i + 1..] {
                    let (Some((a_usual, a_n)), Some((b_usual, b_n))) =
                        (usual.get(a.as_str()), usual.get(b.as_str()))
                    else {
                        continue;
                    };
                    if a_values == *b_usual && b_values == *a_usual && a_values != *a_usual {
                        swaps.push((
                            id.clone(),
                            pointer.clone(),
                            path.clone(),
                            a.clone(),
                            b.clone(),
                            *a_n,
                            *b_n,
                        ));
                    }
                }
            }
        }
    }
    let mut done = Vec::new();
    for (id, pointer, path, a, b, a_n, b_n) in swaps {
        let Some(Json::Object(props)) = schemas
            .get_mut(&id)
            .and_then(|s| s.pointer_mut(&pointer))
            .and_then(|s| s.get_mut("properties"))
        else {
            continue;
        };
        let take = |props: &mut Map<String, Json>, name: &str| {
            props
                .get_mut(name)
                .and_then(Json::as_object_mut)
                .and_then(|p| p.get_mut("enum"))
                .map(std::mem::take)
        };
        let (Some(a_values), Some(b_values)) = (take(props, &a), take(props, &b)) else {
            continue;
        };
        let list = |v: &Json| {
            v.as_array()
                .into_iter()
                .flatten()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = format!(
            "swapped back the enums of {a} and {b} at {}: Losant gave {a} the values {b} has \
             in {b_n} other places ({}) and {b} those {a} has in {a_n} ({}), so a client \
             would refuse the right values",
            at(&join(&path, "properties")),
            list(&a_values),
            list(&b_values),
        );
        for (name, values) in [(&a, b_values), (&b, a_values)] {
            if let Some(Json::Object(p)) = props.get_mut(name.as_str()) {
                p.insert("enum".into(), values);
            }
        }
        done.push((
            id,
            Normalization {
                kind: NormKind::SwappedEnums,
                text,
            },
        ));
    }
    done
}

/// The properties of the schema at `node` that have an `enum` list, in order, with it.
fn property_enums(node: Option<&Json>) -> Vec<(String, Json)> {
    node.and_then(|n| n.get("properties"))
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, prop)| {
            let values = prop.get("enum").filter(|e| e.is_array())?;
            Some((name.clone(), values.clone()))
        })
        .collect()
}

/// Every schema in the document `node`, itself included: its JSON pointer and its dotted
/// path (as the notes write it).
fn schema_places(node: &Json) -> Vec<(String, String)> {
    fn walk(node: &Json, pointer: &str, path: &str, out: &mut Vec<(String, String)>) {
        let Json::Object(map) = node else {
            return;
        };
        out.push((pointer.to_string(), path.to_string()));
        let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
        for (key, value) in map {
            let (p, d) = (format!("{pointer}/{}", escape(key)), join(path, key));
            match (key.as_str(), value) {
                ("properties" | "patternProperties" | "definitions", Json::Object(subs)) => {
                    for (name, sub) in subs {
                        walk(sub, &format!("{p}/{}", escape(name)), &join(&d, name), out);
                    }
                }
                ("additionalProperties" | "additionalItems" | "propertyNames" | "not", sub) => {
                    walk(sub, &p, &d, out);
                }
                ("items" | "oneOf" | "anyOf" | "allOf", Json::Array(items)) => {
                    for (i, sub) in items.iter().enumerate() {
                        walk(sub, &format!("{p}/{i}"), &format!("{d}[{i}]"), out);
                    }
                }
                ("items", sub) => walk(sub, &p, &d, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(node, "", "", &mut out);
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn untyped_parameters_are_typed_by_a_boolean_or_string_example() {
        let param = |v: Json| match v {
            Json::Object(m) => m,
            _ => unreachable!(),
        };
        let (ty, done) = untyped_param_by_example(
            &param(json!({"name": "filterEmpty", "in": "query", "example": true})),
            "filterEmpty",
            "actions.get.query[2]",
        )
        .unwrap();
        assert_eq!(ty, "boolean");
        assert_eq!(done.kind, NormKind::UntypedParamByExample);
        assert_eq!(
            done.text,
            "Losant's parameter filterEmpty at actions.get.query[2] has no type but the example \
             true: typed boolean (untyped, a client would take any JSON value for it)"
        );
        let (ty, _) = untyped_param_by_example(
            &param(json!({"name": "name", "example": "fileA"})),
            "name",
            "q",
        )
        .unwrap();
        assert_eq!(ty, "string");
        for other in [
            json!({"name": "a", "type": "string", "example": "x"}),
            json!({"name": "a", "schema": {"$ref": "#/definitions/q"}, "example": true}),
            json!({"name": "a", "pattern": "^x$", "example": "x"}),
            json!({"name": "a", "example": 5}),
            json!({"name": "a", "example": {"k": 1}}),
            json!({"name": "a"}),
        ] {
            assert_eq!(untyped_param_by_example(&param(other), "a", "q"), None);
        }
    }

    #[test]
    fn untyped_parameters_with_string_keywords_are_typed_string() {
        let param = |v: Json| match v {
            Json::Object(m) => m,
            _ => unreachable!(),
        };
        let done = untyped_string_param(
            &param(
                json!({"name": "executionId", "in": "query", "pattern": "^x$",
                "maxLength": 3}),
            ),
            "executionId",
            "actions.cancel.query[0]",
        )
        .unwrap();
        assert_eq!(done.kind, NormKind::UntypedStringParam);
        assert_eq!(
            done.text,
            "Losant's parameter executionId at actions.cancel.query[0] has no type but \
             pattern, maxLength, which only a string has: typed string (untyped, a client \
             would take any JSON value for it)"
        );
        for other in [
            json!({"name": "a", "type": "string", "pattern": "^x$"}),
            json!({"name": "a", "schema": {"$ref": "#/definitions/q"}, "pattern": "^x$"}),
            json!({"name": "a", "example": "x"}),
        ] {
            assert_eq!(untyped_string_param(&param(other), "a", "query[0]"), None);
        }
    }

    #[test]
    fn enums_two_properties_hold_crosswise_are_swapped_back() {
        let cats = json!(["cat", "lion"]);
        let dogs = json!(["dog", "wolf"]);
        let prop = |values: &Json| json!({"type": "string", "enum": values});
        let pair = |cat: &Json, dog: &Json| json!({"type": "object", "properties": {"catKind": prop(cat), "dogKind": prop(dog)}});
        let mut schemas = BTreeMap::from([
            ("a".to_string(), pair(&cats, &dogs)),
            ("b".to_string(), pair(&cats, &dogs)),
            (
                "mixed".to_string(),
                json!({"type": "array", "items": pair(&dogs, &cats)}),
            ),
            // Alone, a property with another enum is not a swap.
            (
                "odd".to_string(),
                json!({"properties": {"catKind": prop(&json!(["tiger"]))}}),
            ),
        ]);
        let before = schemas.clone();
        let done = swapped_enums(&mut schemas);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].0, "mixed");
        assert_eq!(done[0].1.kind, NormKind::SwappedEnums);
        assert_eq!(
            done[0].1.text,
            "swapped back the enums of catKind and dogKind at items.properties: Losant gave \
             catKind the values dogKind has in 2 other places (dog, wolf) and dogKind those \
             catKind has in 2 (cat, lion), so a client would refuse the right values"
        );
        assert_eq!(schemas["mixed"]["items"], pair(&cats, &dogs));
        for id in ["a", "b", "odd"] {
            assert_eq!(schemas[id], before[id], "{id} is left alone");
        }
        // Without a usual enum (a tie, or one use only) nothing is swapped.
        let mut tie = BTreeMap::from([
            ("a".to_string(), pair(&cats, &dogs)),
            ("b".to_string(), pair(&dogs, &cats)),
        ]);
        assert!(swapped_enums(&mut tie).is_empty());
    }

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
        let spec = include_str!("../../../generator/src/spec.rs");
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
}
