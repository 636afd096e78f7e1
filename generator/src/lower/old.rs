//! Stage 3, lower: turn a checked [`Spec`] into the [`Ir`]: resolve references, name every
//! type, share one type between identical shapes, and shape each action's request.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::names::{camel, module, snake};
use crate::spec::{Action, BoolOrSchema, Items, Param, Resource, Schema, Spec, TypeName};

/// Lowers a spec into the IR. The spec should have passed [`check`](crate::check::check);
/// what lowering still finds wrong (an unresolvable reference) is reported, not panicked on.
pub fn lower(spec: &Spec) -> Result<Ir, Diagnostics> {
    let mut lowerer = Lowerer {
        spec,
        types: Vec::new(),
        positions: HashMap::new(),
        by_shape: HashMap::new(),
        names: HashSet::new(),
        reserved: HashSet::new(),
        refs: HashMap::new(),
        in_progress: HashSet::new(),
        patterns: Vec::new(),
        problems: Diagnostics::new(),
        file: String::new(),
    };
    for schema in &spec.schemas {
        lowerer.named_schema(&schema.id);
    }
    let global_params = spec
        .api
        .global_params
        .iter()
        .map(|p| lowerer.param(p, "Global", &Home::Models("globals".into()), false))
        .collect();
    let resources = spec.resources.iter().map(|r| lowerer.resource(r)).collect();
    let api = &spec.api;
    let mut ir = Ir {
        api: ApiIr {
            title: api.title.clone(),
            description: api.description.clone(),
            version: api.version.clone(),
            base_url: api.base_url.clone(),
            headers: api
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect(),
            global_params,
            error_type_field: api.error.type_field.clone(),
            error_message_field: api.error.message_field.clone(),
            token_env_var: api.env.token.clone(),
            base_url_env_var: api.env.base_url.clone(),
        },
        types: lowerer.types,
        resources,
        patterns: lowerer.patterns,
    };
    mark_request_types(&mut ir);
    place_shared_types(&mut ir);
    lowerer.problems.into_result(ir)
}

/// The names a resource module imports from the runtime (see `emit::resources`): none of
/// its own types may take them.
const RESOURCE_MODULE_IMPORTS: &[&str] = &["Client", "Error", "Method", "Operation", "Request"];

/// Methods every request builder has; a parameter with one of these names gets a `_param`
/// suffix on its setter.
const BUILDER_METHODS: &[&str] = &[
    "send",
    "send_with_response",
    "send_raw",
    "into_stream",
    "into_future",
    "max_pages",
    "timeout",
    "deadline",
    "retry",
    "header",
    "idle_timeout",
    "reconnect",
];

/// Where the schema being lowered sits, and what to call a type made for it.
#[derive(Clone)]
struct Ctx {
    /// Id of the named schema whose file holds the schema (for `#/definitions/...`).
    root: String,
    /// Name for a type made here, unless the schema has a title.
    name: String,
    /// Where a type made here is emitted.
    home: Home,
    /// Key path inside the file, for diagnostics.
    at: String,
}

impl Ctx {
    fn child(&self, name_suffix: &str, at: &str) -> Ctx {
        Ctx {
            root: self.root.clone(),
            name: format!("{}{}", self.name, camel(name_suffix)),
            home: self.home.clone(),
            at: if self.at.is_empty() {
                at.to_owned()
            } else {
                format!("{}.{at}", self.at)
            },
        }
    }
}

struct Lowerer<'a> {
    spec: &'a Spec,
    types: Vec<TypeDef>,
    /// Type name -> its index in `types`.
    positions: HashMap<String, usize>,
    /// Shape of an anonymous schema (docs left out) -> the type made for it.
    by_shape: HashMap<String, String>,
    /// Type names in use.
    names: HashSet<String>,
    /// Names a type of the resource being lowered may not take: its module's handle, request
    /// builders, event types and imports.
    reserved: HashSet<String>,
    /// `(schema id, JSON pointer)` -> type name, for references.
    refs: HashMap<(String, String), String>,
    /// Types whose lowering has begun but not ended: a reference to one is recursive.
    in_progress: HashSet<String>,
    patterns: Vec<String>,
    problems: Diagnostics,
    /// File of the schema or resource being lowered, for diagnostics.
    file: String,
}

impl Lowerer<'_> {
    /// Records a type definition.
    fn push_type(&mut self, def: TypeDef) {
        self.positions.insert(def.name.clone(), self.types.len());
        self.types.push(def);
    }

    /// The type name of a named schema, lowering it first if needed.
    fn named_schema(&mut self, id: &str) -> Option<String> {
        let key = (id.to_owned(), String::new());
        if let Some(name) = self.refs.get(&key) {
            return Some(name.clone());
        }
        let named = self.spec.schema(id)?;
        let name = self.unique_name(&camel(named.schema.title.as_deref().unwrap_or(id)));
        self.refs.insert(key, name.clone());
        let saved_file = std::mem::replace(&mut self.file, named.file.display().to_string());
        let ctx = Ctx {
            root: id.to_owned(),
            name: name.clone(),
            home: Home::Models(module(&name)),
            at: String::new(),
        };
        self.in_progress.insert(name.clone());
        let ty = self.schema_as(&named.schema, &ctx, Some(&name));
        self.in_progress.remove(&name);
        if !matches!(&ty.kind, TyKind::Named { name: made, .. } if *made == name) {
            // Not an object, enum or union, or the same shape as an earlier type: an alias.
            self.push_type(TypeDef {
                name: name.clone(),
                home: ctx.home.clone(),
                doc: docs(&named.schema),
                example: first_example(&named.schema),
                schema_id: None,
                kind: TypeKind::Alias(ty),
                in_request: false,
                in_patch: false,
            });
        }
        if let Some(&at) = self.positions.get(&name) {
            self.types[at].schema_id = Some(id.to_owned());
        }
        self.file = saved_file;
        Some(name)
    }

    /// An earlier type of the same shape that a type made in `ctx` may share: models share
    /// among models; a resource's parameter types share only within the resource (so that
    /// resources stay independent and their parameter types are named after them).
    fn shared(&self, s: &Schema, ctx: &Ctx) -> Option<String> {
        let existing = self.by_shape.get(&shape_key(s))?;
        let home = &self.types[*self.positions.get(existing)?].home;
        let shareable = match &ctx.home {
            Home::Models(_) => matches!(home, Home::Models(_)),
            // A parameter's own types: shared within its resource only, and named after it.
            Home::Resource(_) => *home == ctx.home,
        };
        shareable.then(|| existing.clone())
    }

    /// A fresh type name based on `base`.
    fn unique_name(&mut self, base: &str) -> String {
        let mut name = base.to_owned();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    fn problem(&mut self, at: &str, message: String) {
        self.problems
            .push(Diagnostic::new(message).in_file(&self.file).at(at));
    }

    fn pattern(&mut self, pattern: &str) -> Option<usize> {
        // ECMA-262 features the regex crate lacks (look-around, back-references) cannot be
        // checked client-side; the server still checks them.
        if let Some(i) = self.patterns.iter().position(|p| p == pattern) {
            return Some(i);
        }
        regex::Regex::new(pattern).ok()?;
        self.patterns.push(pattern.to_owned());
        Some(self.patterns.len() - 1)
    }

    fn checks(&mut self, s: &Schema) -> Checks {
        Checks {
            min_length: s.min_length,
            max_length: s.max_length,
            pattern: s.pattern.as_deref().and_then(|p| self.pattern(p)),
            minimum: s
                .exclusive_minimum
                .map(|m| (m, true))
                .or(s.minimum.map(|m| (m, false))),
            maximum: s
                .exclusive_maximum
                .map(|m| (m, true))
                .or(s.maximum.map(|m| (m, false))),
            multiple_of: s.multiple_of,
            min_items: s.min_items,
            max_items: s.max_items,
            unique_items: s.unique_items.unwrap_or(false),
            min_properties: s.min_properties,
            max_properties: s.max_properties,
            one_of_values: None,
        }
    }

    /// Lowers a schema. `forced` names the type to make (a named schema); otherwise a type
    /// made here is named from the schema's title or the context, and shared with an
    /// identical earlier shape.
    fn schema_as(&mut self, s: &Schema, ctx: &Ctx, forced: Option<&str>) -> Ty {
        if let Some(reference) = &s.reference {
            return self.reference(reference, ctx);
        }
        if let Some(values) = s
            .enum_values
            .clone()
            .or_else(|| s.const_value.clone().map(|v| vec![v]))
        {
            return self.enumeration(s, &values, ctx, forced);
        }
        if let Some(branches) = s.one_of.as_ref().or(s.any_of.as_ref()) {
            return self.union(s, branches, ctx, forced);
        }
        if let Some(parts) = &s.all_of {
            let merged = self.merge_all_of(s, parts, ctx);
            return self.schema_as(&merged, ctx, forced);
        }
        let mut types = match &s.ty {
            Some(set) => set.names(),
            None if s.properties.is_some()
                || s.additional_properties.is_some()
                || s.pattern_properties.is_some() =>
            {
                vec![TypeName::Object]
            }
            None if s.items.is_some() => vec![TypeName::Array],
            None => Vec::new(),
        };
        let nullable = types.contains(&TypeName::Null);
        types.retain(|t| *t != TypeName::Null);
        types.dedup();
        let mut ty = match types.as_slice() {
            [] => Ty::plain(TyKind::Any),
            [one] => self.single(*one, s, ctx, forced),
            many => {
                let variants = many
                    .iter()
                    .map(|t| {
                        let name = type_variant_name(*t, s);
                        (
                            name.clone(),
                            self.single(*t, s, &ctx.child(&name, &name), None),
                        )
                    })
                    .collect();
                self.make_type(s, ctx, forced, TypeKind::Union { variants })
            }
        };
        ty.nullable |= nullable;
        ty
    }

    /// Lowers a schema of one JSON type.
    fn single(&mut self, t: TypeName, s: &Schema, ctx: &Ctx, forced: Option<&str>) -> Ty {
        let checks = self.checks(s);
        let kind = match t {
            TypeName::String if s.format.as_deref() == Some("date-time") => TyKind::DateTime,
            TypeName::String => TyKind::String,
            TypeName::Integer => TyKind::Integer,
            TypeName::Number => TyKind::Number,
            TypeName::Boolean => TyKind::Boolean,
            TypeName::Null => TyKind::Any,
            TypeName::File => TyKind::File,
            TypeName::Array => {
                let item = match &s.items {
                    Some(Items::One(item)) => {
                        self.schema_as(item, &ctx.child("Item", "items"), None)
                    }
                    // Tuples are rare; their items are kept as JSON values.
                    Some(Items::Tuple(_)) | None => Ty::plain(TyKind::Any),
                };
                TyKind::Array(Box::new(unboxed(item)))
            }
            TypeName::Object => return self.object(s, ctx, forced, checks),
        };
        Ty {
            kind,
            nullable: false,
            checks,
        }
    }

    /// An object: a struct when it has properties, a map otherwise. `checks` (property
    /// counts) apply to maps only.
    fn object(&mut self, s: &Schema, ctx: &Ctx, forced: Option<&str>, checks: Checks) -> Ty {
        let additional = self.additional(s, ctx);
        let Some(properties) = s.properties.as_ref().filter(|p| !p.is_empty()) else {
            let value = additional.unwrap_or(Ty::plain(TyKind::Any));
            return Ty {
                kind: TyKind::Map(Box::new(unboxed(value))),
                nullable: false,
                checks,
            };
        };
        if forced.is_none() {
            if let Some(existing) = self.shared(s, ctx) {
                return named(existing);
            }
        }
        let name = self.type_name(s, ctx, forced);
        let required: HashSet<&str> = s.required.iter().flatten().map(String::as_str).collect();
        let mut fields = Vec::new();
        let mut rust_names = HashMap::new();
        let inner = Ctx {
            name: name.clone(),
            ..ctx.clone()
        };
        for (wire, prop) in properties {
            let ty = self.schema_as(
                prop,
                &inner.child(wire, &format!("properties.{wire}")),
                None,
            );
            let rust = snake(wire);
            if let Some(other) = rust_names.insert(rust.clone(), wire.clone()) {
                self.problem(
                    &format!("{}properties.{wire}", prefix(&ctx.at)),
                    format!(
                        "properties `{other}` and `{wire}` both become the Rust field `{rust}`"
                    ),
                );
                continue;
            }
            fields.push(Field {
                wire: wire.clone(),
                rust,
                ty,
                required: required.contains(wire.as_str()),
                doc: prop.description.clone().or_else(|| prop.title.clone()),
            });
        }
        let kind = TypeKind::Struct { fields, additional };
        self.define(name, s, ctx, kind, forced.is_none())
    }

    /// The value type of `additionalProperties`/`patternProperties`, if the schema has one.
    fn additional(&mut self, s: &Schema, ctx: &Ctx) -> Option<Ty> {
        if let Some(patterns) = &s.pattern_properties {
            let mut values = patterns.values();
            return Some(match (values.next(), values.next()) {
                (Some(only), None) => {
                    unboxed(self.schema_as(only, &ctx.child("Value", "patternProperties"), None))
                }
                _ => Ty::plain(TyKind::Any),
            });
        }
        match &s.additional_properties {
            Some(BoolOrSchema::Schema(value)) => Some(unboxed(self.schema_as(
                value,
                &ctx.child("Value", "additionalProperties"),
                None,
            ))),
            _ => None,
        }
    }

    fn type_name(&mut self, s: &Schema, ctx: &Ctx, forced: Option<&str>) -> String {
        match forced {
            Some(name) => name.to_owned(),
            None => {
                let base = s
                    .title
                    .as_deref()
                    .map(camel)
                    .unwrap_or_else(|| ctx.name.clone());
                if matches!(ctx.home, Home::Resource(_)) {
                    self.unique_name_avoiding_reserved(&base)
                } else {
                    self.unique_name(&base)
                }
            }
        }
    }

    /// A fresh type name based on `base` that is also none of the names of the resource
    /// module being lowered (for the types that live in it).
    fn unique_name_avoiding_reserved(&mut self, base: &str) -> String {
        let mut name = base.to_owned();
        let mut n = 2;
        while self.names.contains(&name) || self.reserved.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Records a new named type and returns a use of it.
    fn define(&mut self, name: String, s: &Schema, ctx: &Ctx, kind: TypeKind, share: bool) -> Ty {
        let shape = shape_key(s);
        if share || !self.by_shape.contains_key(&shape) {
            self.by_shape.insert(shape, name.clone());
        }
        self.push_type(TypeDef {
            name: name.clone(),
            home: ctx.home.clone(),
            doc: docs(s),
            example: first_example(s),
            schema_id: None,
            kind,
            in_request: false,
            in_patch: false,
        });
        named(name)
    }

    /// Makes (or reuses) a named enum or union type.
    fn make_type(&mut self, s: &Schema, ctx: &Ctx, forced: Option<&str>, kind: TypeKind) -> Ty {
        if forced.is_none() {
            if let Some(existing) = self.shared(s, ctx) {
                return named(existing);
            }
        }
        let name = self.type_name(s, ctx, forced);
        self.define(name, s, ctx, kind, forced.is_none())
    }

    fn enumeration(&mut self, s: &Schema, values: &[Value], ctx: &Ctx, forced: Option<&str>) -> Ty {
        let nullable = values.iter().any(Value::is_null);
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let non_null = values.iter().filter(|v| !v.is_null()).count();
        if !strings.is_empty() && strings.len() == non_null {
            let variants = variant_names(&strings);
            let mut ty = self.make_type(s, ctx, forced, TypeKind::StringEnum { variants });
            ty.nullable = nullable;
            return ty;
        }
        // Numbers and booleans: the base type, with the allowed values checked.
        let base = Schema {
            enum_values: None,
            const_value: None,
            ..s.clone()
        };
        let mut ty = self.schema_as(&base, ctx, forced);
        ty.nullable |= nullable;
        ty.checks.one_of_values = Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
        ty
    }

    fn union(&mut self, s: &Schema, branches: &[Schema], ctx: &Ctx, forced: Option<&str>) -> Ty {
        let non_null: Vec<&Schema> = branches.iter().filter(|b| !is_null_schema(b)).collect();
        let nullable = non_null.len() < branches.len();
        if let [only] = non_null.as_slice() {
            let mut ty = self.schema_as(only, ctx, forced);
            ty.nullable |= nullable;
            return ty;
        }
        if forced.is_none() {
            if let Some(existing) = self.shared(s, ctx) {
                let mut ty = named(existing);
                ty.nullable = nullable;
                return ty;
            }
        }
        let name = self.type_name(s, ctx, forced);
        let inner = Ctx {
            name: name.clone(),
            ..ctx.clone()
        };
        let mut variants: Vec<(String, Ty)> = Vec::new();
        for (i, branch) in non_null.iter().enumerate() {
            let base = branch_name(branch);
            let ty = self.schema_as(branch, &inner.child(&base, &format!("oneOf[{i}]")), None);
            let mut variant = match &ty.kind {
                TyKind::Named { name: n, .. } if base == "Object" => n
                    .strip_prefix(&name)
                    .filter(|r| !r.is_empty())
                    .unwrap_or(n)
                    .to_owned(),
                _ => base.clone(),
            };
            let mut n = 2;
            while variants.iter().any(|(v, _)| *v == variant) {
                variant = format!("{base}{n}");
                n += 1;
            }
            variants.push((variant, ty));
        }
        let mut ty = self.define(name, s, ctx, TypeKind::Union { variants }, forced.is_none());
        ty.nullable = nullable;
        ty
    }

    fn merge_all_of(&mut self, s: &Schema, parts: &[Schema], ctx: &Ctx) -> Schema {
        let mut merged = Schema {
            all_of: None,
            ..s.clone()
        };
        for part in parts {
            let part = match &part.reference {
                // A part that refers back to a schema being lowered cannot be inlined (it
                // would never end); its own properties are left out of the merge.
                Some(r) if self.refers_to_in_progress(r, ctx) => continue,
                Some(r) => match self.resolve(r, ctx) {
                    Some(target) => target,
                    None => continue,
                },
                None => part.clone(),
            };
            if merged.ty.is_none() {
                merged.ty = part.ty.clone();
            }
            if let Some(props) = part.properties {
                merged
                    .properties
                    .get_or_insert_with(Default::default)
                    .extend(props);
            }
            if let Some(required) = part.required {
                merged
                    .required
                    .get_or_insert_with(Vec::new)
                    .extend(required);
            }
        }
        merged
    }

    /// Whether `reference` names a type whose lowering has begun and not ended.
    fn refers_to_in_progress(&self, reference: &str, ctx: &Ctx) -> bool {
        let (file, pointer) = split_ref(reference);
        let root = if file.is_empty() {
            ctx.root.clone()
        } else {
            file.to_owned()
        };
        self.refs
            .get(&(root, pointer.to_owned()))
            .is_some_and(|name| self.in_progress.contains(name))
    }

    /// The schema a reference points to.
    fn resolve(&mut self, reference: &str, ctx: &Ctx) -> Option<Schema> {
        let (file, pointer) = split_ref(reference);
        let root = if file.is_empty() {
            ctx.root.clone()
        } else {
            file.to_owned()
        };
        let mut schema = &self.spec.schema(&root)?.schema;
        for part in pointer.split('/').filter(|p| !p.is_empty()) {
            schema = match part {
                "definitions" => continue,
                name => schema.definitions.as_ref()?.get(name)?,
            };
        }
        Some(schema.clone())
    }

    fn reference(&mut self, reference: &str, ctx: &Ctx) -> Ty {
        let (file, pointer) = split_ref(reference);
        let root = if file.is_empty() {
            ctx.root.clone()
        } else {
            file.to_owned()
        };
        let name = if pointer.is_empty() {
            self.named_schema(&root)
        } else {
            self.definition(&root, pointer)
        };
        match name {
            Some(name) => {
                let boxed = self.in_progress.contains(&name);
                Ty::plain(TyKind::Named { name, boxed })
            }
            None => {
                self.problem(
                    &ctx.at,
                    format!("reference `{reference}` does not resolve to a schema"),
                );
                Ty::plain(TyKind::Any)
            }
        }
    }

    /// The type of `#/definitions/NAME` inside the schema `root`.
    fn definition(&mut self, root: &str, pointer: &str) -> Option<String> {
        let key = (root.to_owned(), pointer.to_owned());
        if let Some(name) = self.refs.get(&key) {
            return Some(name.clone());
        }
        let def_name = pointer.rsplit('/').next().unwrap_or(pointer).to_owned();
        let target = self.resolve(
            &format!("{root}#{pointer}"),
            &Ctx {
                root: root.to_owned(),
                name: String::new(),
                home: Home::Models(String::new()),
                at: String::new(),
            },
        )?;
        let root_name = self.named_schema(root)?;
        let name = self.unique_name(&camel(&def_name));
        self.refs.insert(key, name.clone());
        let ctx = Ctx {
            root: root.to_owned(),
            name: name.clone(),
            home: Home::Models(module(&root_name)),
            at: pointer.trim_start_matches('/').replace('/', "."),
        };
        self.in_progress.insert(name.clone());
        let ty = self.schema_as(&target, &ctx, Some(&name));
        self.in_progress.remove(&name);
        if !matches!(&ty.kind, TyKind::Named { name: made, .. } if *made == name) {
            self.push_type(TypeDef {
                name: name.clone(),
                home: ctx.home.clone(),
                doc: docs(&target),
                example: None,
                schema_id: None,
                kind: TypeKind::Alias(ty),
                in_request: false,
                in_patch: false,
            });
        }
        Some(name)
    }

    fn param(&mut self, p: &Param, owner: &str, home: &Home, always_required: bool) -> ParamIr {
        let schema = p.value_schema();
        let ctx = Ctx {
            root: String::new(),
            name: format!("{owner}{}", camel(&p.name)),
            home: home.clone(),
            at: p.name.clone(),
        };
        // A parameter's setter must not shadow a request builder's own methods.
        let mut rust = snake(&p.name);
        // The setters of the API's fixed headers (`accept_version`) are builder methods too.
        let fixed_header = self.spec.api.headers.iter().any(|h| snake(&h.name) == rust);
        if BUILDER_METHODS.contains(&rust.as_str()) || fixed_header {
            rust.push_str("_param");
        }
        ParamIr {
            wire: p.name.clone(),
            rust,
            ty: self.schema_as(&schema, &ctx, None),
            required: p.required || always_required,
            description: p.description.clone(),
            default: p.default.clone(),
            example: p.example.clone(),
            deprecated: p.deprecated,
            location: p.location.clone().unwrap_or_default(),
            json_encoded: p.encoding == Some(crate::spec::QueryEncoding::Json),
        }
    }

    fn resource(&mut self, r: &Resource) -> ResourceIr {
        self.file = r.file.display().to_string();
        let module = module(&r.name);
        let type_name = camel(&r.name);
        self.reserved = RESOURCE_MODULE_IMPORTS
            .iter()
            .map(|name| (*name).to_owned())
            .chain([type_name.clone()])
            .collect();
        for (name, action) in &r.body.actions {
            let builder = format!("{type_name}{}", camel(name));
            if action.responses.values().any(|r| !r.events.is_empty()) {
                self.reserved.insert(format!("{builder}Event"));
            }
            if answers_by_status(action) {
                self.reserved.insert(format!("{builder}Response"));
            }
            self.reserved.insert(builder);
        }
        let actions = r
            .body
            .actions
            .iter()
            .map(|(name, action)| self.action(r, &module, &type_name, name, action))
            .collect();
        ResourceIr {
            name: r.name.clone(),
            module,
            type_name,
            description: r.body.description.clone(),
            actions,
        }
    }

    fn action(
        &mut self,
        r: &Resource,
        module: &str,
        resource_type: &str,
        name: &str,
        a: &Action,
    ) -> ActionIr {
        let builder = format!("{resource_type}{}", camel(name));
        let home = Home::Resource(module.to_owned());
        let path_params = r
            .body
            .path_params
            .iter()
            .chain(&a.path_params)
            .map(|p| self.param(p, &builder, &home, true))
            .collect();
        let query: Vec<ParamIr> = a
            .query
            .iter()
            .map(|p| self.param(p, &builder, &home, false))
            .collect();
        let headers = a
            .headers
            .iter()
            .map(|p| self.param(p, &builder, &home, false))
            .collect();
        let body = a.body.as_ref().map(|b| BodyIr {
            rust: snake(&b.name),
            ty: self.schema_ref(&b.schema),
            required: b.required,
            description: b.description.clone(),
            example: self
                .spec
                .schema(&b.schema)
                .and_then(|s| first_example(&s.schema)),
            schema_id: b.schema.clone(),
        });
        let mut responses: Vec<ResponseIr> = a
            .responses
            .iter()
            .map(|(status, resp)| self.response(*status, resp))
            .collect();
        responses.sort_by_key(|r| r.status);
        let mut errors: Vec<ResponseIr> = a
            .errors
            .iter()
            .map(|(status, resp)| self.response(*status, resp))
            .collect();
        errors.sort_by_key(|r| r.status);
        // One body type for every success status: it (`Option` of it when another success
        // response has none, a 204 beside a 200). Different bodies by status: an enum with a
        // variant per status, so that one schema never decodes another's body.
        let bodiless = a
            .responses
            .values()
            .any(|r| r.schema.is_none() && r.events.is_empty());
        let success_schema = a.responses.values().find_map(|r| r.schema.clone());
        let by_status = answers_by_status(a).then(|| StatusEnum {
            name: format!("{builder}Response"),
            variants: responses
                .iter()
                .map(|r| {
                    let body = r.schema_id.is_some().then(|| r.ty.clone());
                    (
                        r.status,
                        status_variant(r.status),
                        body,
                        r.description.clone(),
                    )
                })
                .collect(),
        });
        let success = match (
            &by_status,
            a.responses.values().position(|r| r.schema.is_some()),
        ) {
            (Some(by_status), _) => named(by_status.name.clone()),
            (None, Some(i)) => {
                let status = *a.responses.keys().nth(i).unwrap_or(&0);
                let ty = responses
                    .iter()
                    .find(|r| r.status == status)
                    .map(|r| r.ty.clone());
                let mut ty = ty.unwrap_or(Ty::plain(TyKind::Any));
                ty.nullable |= bodiless;
                ty
            }
            (None, None) => Ty {
                nullable: true,
                ..Ty::plain(TyKind::Any)
            },
        };
        let idempotent = a.idempotent
            || matches!(
                a.method.to_uppercase().as_str(),
                "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
            );
        let streams = a.responses.values().any(|r| !r.events.is_empty());
        let keep_alive = self
            .spec
            .api
            .event_streams
            .as_ref()
            .filter(|_| streams)
            .and_then(|config| query.iter().find(|p| p.wire == config.keep_alive_param))
            .map(|p| (p.rust.clone(), p.default.as_ref().and_then(Value::as_i64)));
        let pagination = if a.paginated {
            self.pagination(&query, &success, name)
        } else {
            None
        };
        let multipart = a
            .multipart
            .iter()
            .map(|p| self.param(p, &builder, &home, false))
            .collect();
        let events = self.events(a);
        ActionIr {
            name: name.to_owned(),
            id: format!("{}.{name}", r.name),
            fn_name: snake(name),
            builder,
            method: a.method.to_uppercase(),
            summary: a.summary.clone(),
            description: a.description.clone(),
            path: format!("{}{}", r.body.path, a.path.as_deref().unwrap_or("")),
            path_params,
            query,
            headers,
            body,
            multipart,
            events,
            deny_oauth_tokens: a.deny_oauth_tokens,
            allow_unverified: a.allow_unverified,
            success,
            by_status,
            idempotent,
            keep_alive,
            success_schema,
            responses,
            errors,
            scopes: a.scopes.clone(),
            pagination,
            deprecated: a.deprecated,
        }
    }

    fn schema_ref(&mut self, id: &str) -> Ty {
        match self.named_schema(id) {
            Some(name) => named(name),
            None => Ty::plain(TyKind::Any),
        }
    }

    fn response(&mut self, status: u16, r: &crate::spec::Response) -> ResponseIr {
        let ty = match &r.schema {
            Some(schema) => self.schema_ref(schema),
            // No body: decodes from the empty body as `None`.
            None => Ty {
                nullable: true,
                ..Ty::plain(TyKind::Any)
            },
        };
        ResponseIr {
            status,
            ty,
            schema_id: r.schema.clone(),
            description: r.description.clone(),
        }
    }

    fn events(&mut self, a: &Action) -> Vec<EventIr> {
        let mut used = HashSet::from(["Other".to_owned()]);
        a.responses
            .values()
            .flat_map(|r| &r.events)
            .map(|(wire, event)| {
                let base = camel(wire);
                let mut variant = base.clone();
                let mut n = 2;
                while !used.insert(variant.clone()) {
                    variant = format!("{base}{n}");
                    n += 1;
                }
                EventIr {
                    wire: wire.clone(),
                    variant,
                    ty: self.schema_ref(&event.schema),
                    description: event.description.clone(),
                }
            })
            .collect()
    }

    fn pagination(
        &mut self,
        query: &[ParamIr],
        success: &Ty,
        action: &str,
    ) -> Option<PaginationIr> {
        let at = format!("actions.{action}.paginated");
        let Some(config) = self.spec.api.pagination.clone() else {
            self.problem(
                &at,
                "`paginated: true` needs a `pagination` section in api.yaml".into(),
            );
            return None;
        };
        let find = |wire: &str| {
            query
                .iter()
                .find(|p| p.wire == wire)
                .map(|p| p.rust.clone())
        };
        let (Some(page_param), Some(per_page_param)) =
            (find(&config.page_param), find(&config.per_page_param))
        else {
            self.problem(
                &at,
                format!(
                    "a paginated action needs the query parameters `{}` and `{}`",
                    config.page_param, config.per_page_param
                ),
            );
            return None;
        };
        let fields = match &success.kind {
            TyKind::Named { name, .. } => {
                self.positions
                    .get(name)
                    .and_then(|&at| match &self.types[at].kind {
                        TypeKind::Struct { fields, .. } => Some(fields.clone()),
                        _ => None,
                    })
            }
            _ => None,
        };
        let field = |wire: &str| fields.iter().flatten().find(|f| f.wire == wire).cloned();
        let (Some(items), Some(total)) = (field(&config.items_field), field(&config.total_field))
        else {
            self.problem(
                &at,
                format!(
                    "a paginated action's success response needs the fields `{}` and `{}`",
                    config.items_field, config.total_field
                ),
            );
            return None;
        };
        let TyKind::Array(item) = &items.ty.kind else {
            self.problem(
                &at,
                format!(
                    "the field `{}` of a paginated response must be an array",
                    config.items_field
                ),
            );
            return None;
        };
        Some(PaginationIr {
            page_param,
            per_page_param,
            items_field: (items.rust.clone(), !items.required),
            total_field: (total.rust.clone(), !total.required),
            item: (**item).clone(),
        })
    }
}

/// Whether the action's success statuses carry different bodies (two or more distinct
/// schemas), so that its answer must say which status came back.
fn answers_by_status(a: &Action) -> bool {
    let schemas: HashSet<&str> = a
        .responses
        .values()
        .filter_map(|r| r.schema.as_deref())
        .collect();
    schemas.len() > 1
}

/// A variant name for a success status: its reason phrase (`202` -> `Accepted`).
fn status_variant(status: u16) -> String {
    match status {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        _ => return format!("Status{status}"),
    }
    .to_owned()
}

fn named(name: String) -> Ty {
    Ty::plain(TyKind::Named { name, boxed: false })
}

/// Containers already put their items behind a pointer: no box needed inside them.
fn unboxed(mut ty: Ty) -> Ty {
    if let TyKind::Named { boxed, .. } = &mut ty.kind {
        *boxed = false;
    }
    ty
}

fn prefix(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!("{at}.")
    }
}

/// `other.yaml#/definitions/x` -> (`other`, `/definitions/x`); `#/definitions/x` -> (``, ...).
fn split_ref(reference: &str) -> (&str, &str) {
    let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    let file = file
        .strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file);
    (file, pointer)
}

fn is_null_schema(s: &Schema) -> bool {
    matches!(&s.ty, Some(crate::spec::TypeSet::One(TypeName::Null)))
}

fn docs(s: &Schema) -> Vec<String> {
    s.title.iter().chain(&s.description).cloned().collect()
}

fn first_example(s: &Schema) -> Option<Value> {
    s.examples.as_ref().and_then(|e| e.first().cloned())
}

/// The shape of a schema, without the keywords that only document it: identical shapes share
/// one Rust type.
fn shape_key(s: &Schema) -> String {
    /// `s` without its documentation (title, description, examples, ...), recursively. Every
    /// field is named so that a keyword added to [`Schema`] must be placed here too, and no
    /// subtree is cloned only to be replaced.
    fn strip(s: &Schema) -> Schema {
        let map = |m: &indexmap::IndexMap<String, Schema>| {
            m.iter().map(|(k, v)| (k.clone(), strip(v))).collect()
        };
        let list = |v: &Vec<Schema>| v.iter().map(strip).collect();
        let one_or_bool = |a: &BoolOrSchema| match a {
            BoolOrSchema::Schema(one) => BoolOrSchema::Schema(Box::new(strip(one))),
            other => other.clone(),
        };
        let Schema {
            meta_schema: _,
            id: _,
            comment: _,
            title: _,
            description: _,
            examples: _,
            default: _,
            reference,
            ty,
            format,
            enum_values,
            const_value,
            read_only,
            write_only,
            deprecated,
            properties,
            required,
            additional_properties,
            pattern_properties,
            property_names,
            min_properties,
            max_properties,
            items,
            additional_items,
            min_items,
            max_items,
            unique_items,
            min_length,
            max_length,
            pattern,
            minimum,
            maximum,
            exclusive_minimum,
            exclusive_maximum,
            multiple_of,
            one_of,
            any_of,
            all_of,
            not,
            definitions,
        } = s;
        Schema {
            meta_schema: None,
            id: None,
            comment: None,
            title: None,
            description: None,
            examples: None,
            default: None,
            reference: reference.clone(),
            ty: ty.clone(),
            format: format.clone(),
            enum_values: enum_values.clone(),
            const_value: const_value.clone(),
            read_only: *read_only,
            write_only: *write_only,
            deprecated: *deprecated,
            properties: properties.as_ref().map(map),
            required: required.clone(),
            additional_properties: additional_properties.as_ref().map(one_or_bool),
            pattern_properties: pattern_properties.as_ref().map(map),
            property_names: property_names.as_deref().map(|p| Box::new(strip(p))),
            min_properties: *min_properties,
            max_properties: *max_properties,
            items: items.as_ref().map(|i| match i {
                Items::One(one) => Items::One(Box::new(strip(one))),
                Items::Tuple(many) => Items::Tuple(list(many)),
            }),
            additional_items: additional_items.as_ref().map(one_or_bool),
            min_items: *min_items,
            max_items: *max_items,
            unique_items: *unique_items,
            min_length: *min_length,
            max_length: *max_length,
            pattern: pattern.clone(),
            minimum: *minimum,
            maximum: *maximum,
            exclusive_minimum: *exclusive_minimum,
            exclusive_maximum: *exclusive_maximum,
            multiple_of: *multiple_of,
            one_of: one_of.as_ref().map(list),
            any_of: any_of.as_ref().map(list),
            all_of: all_of.as_ref().map(list),
            not: not.as_deref().map(|n| Box::new(strip(n))),
            definitions: definitions.as_ref().map(map),
        }
    }
    format!("{:?}", strip(s))
}

/// Variant names for enum values: `UpperCamelCase`, made distinct (`asc` -> `Asc`, `ASC` ->
/// `AscUpper`, `""` -> `Empty`), never `Unknown` (the catch-all variant).
pub fn variant_names(values: &[&str]) -> Vec<(String, String)> {
    let mut used: HashSet<String> = HashSet::from(["Unknown".to_owned()]);
    values
        .iter()
        .map(|value| {
            let base = camel(value);
            let mut name = base.clone();
            if used.contains(&name)
                && value.chars().any(char::is_alphabetic)
                && *value == value.to_uppercase()
            {
                name = format!("{base}Upper");
            }
            let mut n = 2;
            while used.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            used.insert(name.clone());
            (name, (*value).to_owned())
        })
        .collect()
}

fn type_variant_name(t: TypeName, s: &Schema) -> String {
    match t {
        TypeName::String if s.format.as_deref() == Some("date-time") => "DateTime",
        TypeName::String => "String",
        TypeName::Integer => "Integer",
        TypeName::Number => "Number",
        TypeName::Boolean => "Boolean",
        TypeName::Object => "Object",
        TypeName::Array => "Array",
        TypeName::Null => "Null",
        TypeName::File => "File",
    }
    .to_owned()
}

/// A variant name for a `oneOf` branch, from its title or type.
fn branch_name(s: &Schema) -> String {
    if let Some(title) = &s.title {
        return camel(title);
    }
    if let Some(reference) = &s.reference {
        let (file, pointer) = split_ref(reference);
        return camel(
            pointer
                .rsplit('/')
                .next()
                .filter(|p| !p.is_empty())
                .unwrap_or(file),
        );
    }
    if s.enum_values.is_some() || s.const_value.is_some() {
        let values = s
            .enum_values
            .clone()
            .unwrap_or_else(|| s.const_value.clone().into_iter().collect());
        if let [one] = values.as_slice() {
            return camel(&one.to_string());
        }
    }
    match s.ty.as_ref().map(|t| t.names()) {
        Some(names) if names.len() == 1 => type_variant_name(names[0], s),
        _ if s.properties.is_some() => "Object".to_owned(),
        _ => "Value".to_owned(),
    }
}

/// Gives every model type used outside the file it was first made in (a shape shared by
/// several schemas) a file of its own, so that a file holds one schema's own types and
/// compiling one schema never pulls in another's.
fn place_shared_types(ir: &mut Ir) {
    loop {
        let file_of: HashMap<String, String> = ir
            .types
            .iter()
            .filter_map(|t| match &t.home {
                Home::Models(file) => Some((t.name.clone(), file.clone())),
                Home::Resource(_) => None,
            })
            .collect();
        let mut used_from: HashMap<String, HashSet<String>> = HashMap::new();
        for def in &ir.types {
            let Home::Models(file) = &def.home else {
                continue;
            };
            let mut direct = Vec::new();
            match &def.kind {
                TypeKind::Struct { fields, additional } => {
                    direct.extend(fields.iter().map(|f| &f.ty));
                    direct.extend(additional.iter());
                }
                TypeKind::Union { variants } => direct.extend(variants.iter().map(|(_, t)| t)),
                TypeKind::Alias(t) => direct.push(t),
                TypeKind::StringEnum { .. } => {}
            }
            let mut names = Vec::new();
            for ty in direct {
                named_in(ty, &mut names);
            }
            for name in names {
                used_from.entry(name).or_default().insert(file.clone());
            }
        }
        let mut moved = false;
        for def in &mut ir.types {
            let Home::Models(file) = &def.home else {
                continue;
            };
            let own = module(&def.name);
            let elsewhere = used_from
                .get(&def.name)
                .is_some_and(|files| files.iter().any(|f| f != file));
            if elsewhere && *file != own && file_of.get(&def.name) == Some(file) {
                def.home = Home::Models(own);
                moved = true;
            }
        }
        if !moved {
            return;
        }
    }
}

/// The named types a type mentions directly (not through other named types).
fn named_in(ty: &Ty, out: &mut Vec<String>) {
    match &ty.kind {
        TyKind::Named { name, .. } => out.push(name.clone()),
        TyKind::Array(inner) | TyKind::Map(inner) => named_in(inner, out),
        _ => {}
    }
}

/// Marks the types reachable from request bodies and parameters (they get client-side
/// validation), and those reachable from PATCH bodies (their optional fields tell `null`
/// from absent).
fn mark_request_types(ir: &mut Ir) {
    let mut request_roots = Vec::new();
    let mut patch_roots = Vec::new();
    for action in ir.resources.iter().flat_map(|r| &r.actions) {
        let params = action
            .path_params
            .iter()
            .chain(&action.query)
            .chain(&action.headers)
            .chain(&action.multipart);
        request_roots.extend(params.map(|p| p.ty.clone()));
        if let Some(body) = &action.body {
            request_roots.push(body.ty.clone());
            if action.method == "PATCH" {
                patch_roots.push(body.ty.clone());
            }
        }
    }
    request_roots.extend(ir.api.global_params.iter().map(|p| p.ty.clone()));
    let in_request = ir.reachable(request_roots);
    let in_patch = ir.reachable(patch_roots);
    for t in &mut ir.types {
        t.in_request = in_request.contains(&t.name);
        t.in_patch = in_patch.contains(&t.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_variants_are_distinct_identifiers() {
        let names: Vec<String> =
            variant_names(&["asc", "desc", "ASC", "DESC", "", "unknown", "86400000"])
                .into_iter()
                .map(|(n, _)| n)
                .collect();
        assert_eq!(
            names,
            [
                "Asc",
                "Desc",
                "AscUpper",
                "DescUpper",
                "Empty",
                "Unknown2",
                "V86400000"
            ]
        );
    }

    #[test]
    fn refs_split_into_file_and_pointer() {
        assert_eq!(split_ref("#/definitions/x"), ("", "/definitions/x"));
        assert_eq!(split_ref("org.yaml"), ("org", ""));
        assert_eq!(
            split_ref("org.yaml#/definitions/y"),
            ("org", "/definitions/y")
        );
    }
}
