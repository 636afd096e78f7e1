//! Lowering one schema into a [`Ty`], making the named types it needs: structs for objects,
//! enums for string enumerations and unions, aliases for named schemas of other shapes.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use rustc_hash::FxHashMap;

use serde_json::Value;

use super::naming::Origin;
use super::{Ctx, Lowerer, NodeShape, first_example, named, unboxed, variant_names};
use crate::ir::*;
use crate::names::{camel, field};
use crate::resolve;
use crate::spec::{BoolOrSchema, Items, Schema, TypeName, TypeSet};

impl Lowerer<'_> {
    /// The type name of the named schema `id`, lowering it first if needed.
    pub(super) fn named_schema(&mut self, id: &str) -> Option<String> {
        let named_schema = self.spec.schema(id)?;
        let name = self.files.get(id).cloned().unwrap_or_else(|| camel(id));
        if !self.lowered.insert(id.to_owned()) {
            return Some(name);
        }
        let saved_file = std::mem::replace(&mut self.file, named_schema.file.display().to_string());
        let ctx = Ctx {
            root: id.to_owned(),
            node: id.to_owned(),
            parent: None,
            suffix: name.clone(),
            candidate: None,
            origin: Origin::Model(id.to_owned()),
            at: String::new(),
        };
        // The type made at the root marks itself in progress (for references back to it).
        let ty = self.schema_as(&named_schema.schema, &ctx);
        let schema = &named_schema.schema;
        self.take_the_name(&name, ty, &ctx, schema, || first_example(schema));
        if let Some(&at) = self.positions.get(&name) {
            self.types[at].schema_id = Some(id.to_owned());
            if self.types[at].example.is_none() {
                self.types[at].example = first_example(schema);
            }
        }
        self.file = saved_file;
        Some(name)
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

    /// Lowers a schema at `ctx`.
    pub(super) fn schema_as(&mut self, s: &Schema, ctx: &Ctx) -> Ty {
        if let Some(reference) = &s.reference {
            return self.reference(reference, ctx);
        }
        if let Some(values) = s
            .enum_values
            .clone()
            .or_else(|| s.const_value.clone().map(|v| vec![v]))
        {
            return self.enumeration(s, &values, ctx);
        }
        if let Some(branches) = s.one_of.as_ref().or(s.any_of.as_ref()) {
            let key = if s.one_of.is_some() { "oneOf" } else { "anyOf" };
            return self.union(s, branches, key, ctx);
        }
        if let Some(parts) = &s.all_of {
            let merged = self.merge_all_of(s, parts, ctx);
            return self.schema_as(&merged, ctx);
        }
        let open = s.ty.is_none();
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
        match types.as_slice() {
            [] => Ty::plain(TyKind::Any),
            [TypeName::Object] if open && has_properties(s) => self.open_object(s, ctx),
            [one] => {
                let mut ty = self.single(*one, s, ctx);
                ty.nullable |= nullable;
                ty
            }
            many => self.type_list(s, many, nullable, ctx),
        }
    }

    /// Lowers a schema of one JSON type.
    fn single(&mut self, t: TypeName, s: &Schema, ctx: &Ctx) -> Ty {
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
                    Some(Items::One(item)) => self.schema_as(item, &ctx.items()),
                    // Tuples are rare; their items are kept as JSON values.
                    Some(Items::Tuple(_)) | None => Ty::plain(TyKind::Any),
                };
                TyKind::Array(Box::new(unboxed(item)))
            }
            TypeName::Object => return self.object(s, ctx, checks),
        };
        Ty {
            kind,
            nullable: false,
            checks,
        }
    }

    /// An object: a struct when it has properties, a map otherwise. `checks` (property
    /// counts) apply to maps only.
    fn object(&mut self, s: &Schema, ctx: &Ctx, checks: Checks) -> Ty {
        let Some(properties) = s.properties.as_ref().filter(|p| !p.is_empty()) else {
            let value = self
                .additional(s, ctx, false)
                .unwrap_or(Ty::plain(TyKind::Any));
            return Ty {
                kind: TyKind::Map(Box::new(unboxed(value))),
                nullable: false,
                checks,
            };
        };
        let shape = NodeShape::Schema("", s);
        let (name, new) = self.node(ctx, shape, s.title.as_deref(), is_file_root(ctx), None);
        if !new {
            return named(name);
        }
        self.begin(&name);
        let required: HashSet<&str> = s.required.iter().flatten().map(String::as_str).collect();
        let example = first_example(s);
        let mut fields = Vec::new();
        let mut rust_names = HashMap::new();
        // The map keeping the other members of an open object is a field too.
        let keeps_others = s.pattern_properties.is_some()
            || matches!(s.additional_properties, Some(BoolOrSchema::Schema(_)));
        if keeps_others {
            rust_names.insert(
                "additional_properties".to_owned(),
                "the other members' map".to_owned(),
            );
        }
        for (wire, prop) in properties {
            let ty = self.schema_as(prop, &ctx.property(wire));
            if self.recording() {
                // Pass 1 records the nodes under the properties; the fields are made in pass 2.
                continue;
            }
            let rust = field(wire);
            if let Some(other) = rust_names.insert(rust.clone(), wire.clone()) {
                if !self.recording() {
                    self.problem(
                        &ctx.at(&format!("properties.{wire}")),
                        if other == "the other members' map" {
                            format!(
                                "the property `{wire}` and the map of the other members both become the Rust field `{rust}`"
                            )
                        } else {
                            format!(
                                "properties `{other}` and `{wire}` both become the Rust field `{rust}`"
                            )
                        },
                    );
                }
                continue;
            }
            fields.push(Field {
                wire: wire.clone(),
                rust,
                ty,
                required: required.contains(wire.as_str()),
                doc: prop
                    .description
                    .clone()
                    .or_else(|| prop.title.clone())
                    .or_else(|| self.referenced_description(prop, &ctx.root)),
                example: example.as_ref().and_then(|e| e.get(wire)).cloned(),
            });
        }
        let additional = self.additional(s, ctx, true);
        self.end(&name);
        let kind = TypeKind::Struct { fields, additional };
        self.define(name, s, ctx, kind)
    }

    /// The description of the schema `prop` refers to, for a field that has none of its own.
    fn referenced_description(&self, prop: &Schema, root: &str) -> Option<String> {
        let item_reference = match &prop.items {
            Some(Items::One(item)) => item.reference.as_deref(),
            _ => None,
        };
        let reference = prop.reference.as_deref().or(item_reference)?;
        let target = resolve::resolve(self.spec, root, reference).ok()?;
        target.schema.description.clone()
    }

    /// An object schema without a `type`: it accepts any JSON value, so its type is a union
    /// of the struct its properties describe and any other value.
    fn open_object(&mut self, s: &Schema, ctx: &Ctx) -> Ty {
        let shape = NodeShape::Schema("open ", s);
        let (name, new) = self.node(ctx, shape, s.title.as_deref(), is_file_root(ctx), None);
        if !new {
            return named(name);
        }
        self.begin(&name);
        let object = Schema {
            ty: Some(TypeSet::One(TypeName::Object)),
            title: None,
            ..s.clone()
        };
        let checks = self.checks(&object);
        let struct_ty = self.object(&object, &ctx.branch("object", "Object"), checks);
        self.end(&name);
        let variants = vec![
            Variant {
                name: "Object".into(),
                payload: Payload::Type(struct_ty),
                tags: Vec::new(),
                doc: Some("An object, with the properties the schema describes.".into()),
            },
            Variant {
                name: "Other".into(),
                payload: Payload::CatchAll(Ty::plain(TyKind::Any)),
                tags: Vec::new(),
                doc: Some(
                    "Any other JSON value: the schema has no `type`, so it accepts one.".into(),
                ),
            },
        ];
        self.define(
            name,
            s,
            ctx,
            TypeKind::Union {
                variants,
                tags: None,
            },
        )
    }

    /// The value type of `additionalProperties`/`patternProperties`, if the schema has one.
    /// Keys outside a pattern may hold any value unless `additionalProperties: false` says
    /// otherwise, so a typed map needs one pattern and no other keys (else the values are
    /// kept as JSON). `of_struct` when a struct with properties holds the values.
    fn additional(&mut self, s: &Schema, ctx: &Ctx, of_struct: bool) -> Option<Ty> {
        let closed = matches!(s.additional_properties, Some(BoolOrSchema::Bool(false)));
        if let Some(patterns) = &s.pattern_properties {
            let mut values = patterns.iter();
            return Some(match (values.next(), values.next()) {
                (Some((pattern, only)), None) if closed => {
                    let segment = format!("patternProperties/{}", super::escape(pattern));
                    unboxed(self.schema_as(only, &ctx.values(&segment, of_struct)))
                }
                _ => Ty::plain(TyKind::Any),
            });
        }
        match &s.additional_properties {
            Some(BoolOrSchema::Schema(value)) => Some(unboxed(
                self.schema_as(value, &ctx.values("additionalProperties", of_struct)),
            )),
            _ => None,
        }
    }

    /// Records a new named type (pass 2) and returns a use of it.
    fn define(&mut self, name: String, s: &Schema, ctx: &Ctx, kind: TypeKind) -> Ty {
        if self.recording() {
            // Pass 1 makes no types: no need for their documentation and examples.
            return named(name);
        }
        let home = self.home(&name, ctx);
        self.push_type(TypeDef {
            name: name.clone(),
            home,
            doc: docs(s),
            example: first_example(s),
            schema_id: None,
            kind,
            in_request: false,
        });
        named(name)
    }

    fn enumeration(&mut self, s: &Schema, values: &[Value], ctx: &Ctx) -> Ty {
        let nullable = values.iter().any(Value::is_null);
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let non_null = values.iter().filter(|v| !v.is_null()).count();
        if !strings.is_empty() && strings.len() == non_null {
            let shape = NodeShape::Schema("", s);
            let values = strings.iter().map(|v| (*v).to_owned()).collect();
            let (name, new) = self.node(
                ctx,
                shape,
                s.title.as_deref(),
                is_file_root(ctx),
                Some(values),
            );
            let mut ty = if new {
                // A type shared with enumerations of other values has them all.
                let all: Vec<String> = match &self.mode {
                    super::Mode::Build(plan) => plan.enum_values.get(&name).cloned(),
                    super::Mode::Record(_) => None,
                }
                .unwrap_or_else(|| strings.iter().map(|v| (*v).to_owned()).collect());
                let all: Vec<&str> = all.iter().map(String::as_str).collect();
                let variants = variant_names(&all);
                self.define(name, s, ctx, TypeKind::StringEnum { variants })
            } else {
                named(name)
            };
            ty.nullable = nullable;
            return ty;
        }
        // Numbers and booleans: the base type, with the allowed values checked.
        let base = Schema {
            enum_values: None,
            const_value: None,
            ..s.clone()
        };
        let mut ty = self.schema_as(&base, ctx);
        ty.nullable |= nullable;
        ty.checks.one_of_values = Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
        ty
    }

    /// A `type` list of several types: a union with a variant per type (and `Null`).
    fn type_list(&mut self, s: &Schema, types: &[TypeName], nullable: bool, ctx: &Ctx) -> Ty {
        let shape = NodeShape::Schema("types ", s);
        let (name, new) = self.node(ctx, shape, s.title.as_deref(), is_file_root(ctx), None);
        if !new {
            return named(name);
        }
        self.begin(&name);
        let mut variants: Vec<Variant> = types
            .iter()
            .map(|t| {
                let variant = type_variant_name(*t, s);
                let ty = self.single(*t, s, &ctx.branch(&format!("type/{variant}"), &variant));
                Variant {
                    name: variant,
                    payload: Payload::Type(ty),
                    tags: Vec::new(),
                    doc: None,
                }
            })
            .collect();
        if nullable {
            variants.push(null_variant());
        }
        self.end(&name);
        self.define(
            name,
            s,
            ctx,
            TypeKind::Union {
                variants,
                tags: None,
            },
        )
    }

    fn union(&mut self, s: &Schema, branches: &[Schema], key: &str, ctx: &Ctx) -> Ty {
        // Branches that are unions themselves (untitled, nothing else) are their branches.
        let mut flat: Vec<(String, Cow<'_, Schema>)> = Vec::new();
        flatten(branches, key, &mut flat);
        let has_null = flat.iter().any(|(_, b)| is_null_schema(b));
        flat.retain(|(_, b)| !is_null_schema(b));
        if let [(_, only)] = flat.as_slice() {
            let mut ty = self.schema_as(only, ctx);
            ty.nullable |= has_null;
            return ty;
        }
        let shape = NodeShape::Schema("union ", s);
        let (name, new) = self.node(ctx, shape, s.title.as_deref(), is_file_root(ctx), None);
        if !new {
            return named(name);
        }
        self.begin(&name);
        let schemas: Vec<&Schema> = flat.iter().map(|(_, b)| b.as_ref()).collect();
        let tags = tag_properties(&schemas);
        let mut variants = Vec::new();
        match &tags {
            Some(tags) => {
                for ((segment, branch), (branch_variants, part)) in
                    flat.iter().zip(tagged_variants(&schemas, tags))
                {
                    let stripped = strip_properties(branch, tags);
                    let payload = if has_properties(&stripped) {
                        Payload::Type(self.schema_as(&stripped, &ctx.branch(segment, &part)))
                    } else {
                        Payload::Unit
                    };
                    let doc = branch.description.clone().or_else(|| branch.title.clone());
                    for (variant, values) in branch_variants {
                        variants.push(Variant {
                            name: variant,
                            payload: payload.clone(),
                            tags: values,
                            doc: doc.clone(),
                        });
                    }
                }
            }
            None => {
                let names = self.untagged_variant_names(&schemas, &ctx.root);
                for ((segment, branch), variant) in flat.iter().zip(names) {
                    let ty = self.schema_as(branch, &ctx.branch(segment, &variant));
                    variants.push(Variant {
                        name: variant,
                        payload: Payload::Type(ty),
                        tags: Vec::new(),
                        doc: branch.description.clone().or_else(|| branch.title.clone()),
                    });
                }
                name_variants_by_their_types(&name, &mut variants);
            }
        }
        if tags.is_some() {
            variants.push(Variant {
                name: "Other".into(),
                payload: Payload::CatchAll(Ty::plain(TyKind::Any)),
                tags: Vec::new(),
                doc: Some("A value no branch of the spec describes, kept as it was.".into()),
            });
        }
        if has_null {
            variants.push(null_variant());
        }
        self.end(&name);
        self.define(name, s, ctx, TypeKind::Union { variants, tags })
    }

    /// Variant names for the branches of an untagged union: each branch's title, the type a
    /// reference names, its single value, its type, or for an object the properties that set
    /// it apart from the other branches. Once the branches are lowered, a branch named by its
    /// type whose payload took a name of its own is named after it
    /// ([`name_variants_by_their_types`]).
    fn untagged_variant_names(&self, branches: &[&Schema], root: &str) -> Vec<String> {
        let properties = |b: &Schema| -> BTreeSet<String> {
            b.properties
                .iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect()
        };
        let all: Vec<BTreeSet<String>> = branches.iter().map(|b| properties(b)).collect();
        let mut used: HashSet<String> = HashSet::new();
        branches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let others: BTreeSet<&String> = all
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .flat_map(|(_, p)| p)
                    .collect();
                let own: Vec<&String> = all[i].iter().filter(|p| !others.contains(p)).collect();
                let mut candidates = Vec::new();
                if let Some(title) = &b.title {
                    candidates.push(camel(title));
                }
                if let Some(reference) = &b.reference {
                    if let Ok(target) = resolve::resolve(self.spec, root, reference) {
                        candidates.push(match target.definitions.last() {
                            Some(definition) => camel(definition),
                            None => self
                                .files
                                .get(target.root)
                                .cloned()
                                .unwrap_or_else(|| camel(target.root)),
                        });
                    }
                }
                if let Some(value) = single_value(b) {
                    candidates.push(camel(&value));
                }
                match b.ty.as_ref().map(TypeSet::names).as_deref() {
                    Some([t]) if *t != TypeName::Object => {
                        candidates.push(type_variant_name(*t, b))
                    }
                    _ if b.items.is_some() => candidates.push("List".into()),
                    _ => {}
                }
                if has_properties(b) {
                    if all[i].len() == 1 || own.len() == 1 {
                        candidates.push(camel(own.first().map_or_else(
                            || all[i].iter().next().map_or("", |s| s.as_str()),
                            |s| s.as_str(),
                        )));
                    }
                    if !own.is_empty() && own.len() <= 2 {
                        candidates.push(own.iter().map(|p| camel(p)).collect());
                    }
                    candidates.push("Object".into());
                } else if b.pattern_properties.is_some() || b.additional_properties.is_some() {
                    candidates.push("Map".into());
                }
                candidates.push("Value".into());
                let mut chosen = candidates
                    .iter()
                    .find(|c| !c.is_empty() && !used.contains(*c))
                    .cloned()
                    .unwrap_or_else(|| candidates[0].clone());
                // Every candidate is taken: the branch's position tells it apart.
                if used.contains(&chosen) {
                    chosen = format!("{chosen}{}", ordinal(i));
                }
                used.insert(chosen.clone());
                chosen
            })
            .collect()
    }

    fn merge_all_of(&mut self, s: &Schema, parts: &[Schema], ctx: &Ctx) -> Schema {
        let mut merged = Schema {
            all_of: None,
            ..s.clone()
        };
        for part in parts {
            let part = match &part.reference {
                Some(r) => match resolve::resolve(self.spec, &ctx.root, r) {
                    // A part that refers back to a schema being lowered cannot be inlined (it
                    // would never end); its own properties are left out of the merge.
                    Ok(target) if self.refers_to_in_progress(&target) => continue,
                    Ok(target) => target.schema.clone(),
                    Err(_) => continue,
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

    /// Whether `target` is a type whose lowering has begun and not ended (types in progress
    /// go by their node ids while recording, by their names once named).
    fn refers_to_in_progress(&self, target: &resolve::Target<'_>) -> bool {
        let whole_file = target.definitions.is_empty();
        let name = match &self.mode {
            super::Mode::Record(_) if whole_file => Some(target.root.to_owned()),
            super::Mode::Record(_) => Some(target.key()),
            super::Mode::Build(_) if whole_file => self.files.get(target.root).cloned(),
            super::Mode::Build(plan) => plan.names.get(&target.key()).cloned(),
        };
        name.is_some_and(|n| self.in_progress.contains(&n))
    }

    fn reference(&mut self, reference: &str, ctx: &Ctx) -> Ty {
        let target = match resolve::resolve(self.spec, &ctx.root, reference) {
            Ok(target) => target,
            Err(message) => {
                if !self.recording() {
                    self.problem(&ctx.at, message);
                }
                return Ty::plain(TyKind::Any);
            }
        };
        let root = target.root.to_owned();
        let name = if target.definitions.is_empty() {
            self.named_schema(&root)
        } else {
            self.definition(&target)
        };
        match name {
            Some(name) => {
                let boxed = self.in_progress.contains(&name);
                self.use_of(name, boxed)
            }
            None => Ty::plain(TyKind::Any),
        }
    }

    /// The type of a definition (`#/definitions/x`), lowering it first if needed.
    fn definition(&mut self, target: &resolve::Target<'_>) -> Option<String> {
        let key = target.key();
        let root_name = self.named_schema(target.root)?;
        let def_name = camel(target.definitions.last()?);
        let ctx = Ctx {
            root: target.root.to_owned(),
            node: key.clone(),
            parent: None,
            suffix: format!("{root_name}{def_name}"),
            candidate: Some(
                target
                    .schema
                    .title
                    .as_deref()
                    .map_or(def_name.clone(), camel),
            ),
            origin: Origin::Model(target.root.to_owned()),
            at: key
                .split_once('#')
                .map_or("", |(_, p)| p)
                .trim_start_matches('/')
                .replace('/', "."),
        };
        let name = match &self.mode {
            super::Mode::Build(plan) => plan.names.get(&key).cloned(),
            super::Mode::Record(_) => None,
        };
        if !self.lowered.insert(key.clone()) {
            return Some(name.unwrap_or(key));
        }
        // A definition that is not an object, enum or union is an alias, named like one.
        let alias_name = name.clone().unwrap_or_else(|| key.clone());
        if self.recording() && !makes_type(target.schema) {
            self.node(
                &ctx,
                NodeShape::Text(format!("alias {key}")),
                target.schema.title.as_deref(),
                false,
                None,
            );
        }
        let ty = self.schema_as(target.schema, &ctx);
        self.take_the_name(&alias_name, ty, &ctx, target.schema, || None);
        Some(alias_name)
    }

    /// Gives `name`, the name of a schema file or definition, to `ty`, the type lowered from
    /// its `schema`: when lowering made a type of that name (an object, enum or union), every
    /// use of the name is nullable if `ty` is (`oneOf: [null, {object}]`); otherwise the name
    /// becomes an alias of `ty`, with the example `example` gives.
    fn take_the_name(
        &mut self,
        name: &str,
        ty: Ty,
        ctx: &Ctx,
        schema: &Schema,
        example: impl FnOnce() -> Option<Value>,
    ) {
        if matches!(&ty.kind, TyKind::Named { name: made, .. } if made == name) {
            if ty.nullable {
                self.nullable_names.insert(name.to_owned());
            }
            return;
        }
        let home = self.home(name, ctx);
        self.push_type(TypeDef {
            name: name.to_owned(),
            home,
            doc: docs(schema),
            example: example(),
            schema_id: None,
            kind: TypeKind::Alias(ty),
            in_request: false,
        });
    }
}

/// The words an untagged variant is named by when its branch has nothing more telling: its
/// JSON type, or what it is at all.
const TYPE_WORDS: &[&str] = &[
    "String", "DateTime", "Integer", "Number", "Boolean", "Object", "List", "Null", "File", "Map",
    "Value",
];

/// Renames each variant of the untagged union `union` named by its JSON type (`String`) whose
/// payload turned out to be a type with a name of its own (one naming gave it, not the union's
/// name and the variant's: `SortDirection`) after that type, unless another variant has that
/// name: `SortDirection(SortDirection)` reads as what it holds, `String(SortDirection)` does
/// not. Only the variant's name changes: the types inside the branch were named by the old
/// one in both passes.
fn name_variants_by_their_types(union: &str, variants: &mut [Variant]) {
    for i in 0..variants.len() {
        let variant = &variants[i];
        let Payload::Type(Ty {
            kind: TyKind::Named { name: held, .. },
            ..
        }) = &variant.payload
        else {
            continue;
        };
        let own_name = *held != format!("{union}{}", variant.name);
        let taken = variants.iter().any(|v| v.name == *held);
        if TYPE_WORDS.contains(&variant.name.as_str()) && own_name && !taken {
            variants[i].name = held.clone();
        }
    }
}

/// Whether lowering `s` makes a type of its own at its place (rather than naming another one,
/// or being a primitive, an array or a map).
fn makes_type(s: &Schema) -> bool {
    if s.reference.is_some() {
        return false;
    }
    if let Some(values) = s
        .enum_values
        .clone()
        .or_else(|| s.const_value.clone().map(|v| vec![v]))
    {
        let strings = values.iter().filter(|v| v.is_string()).count();
        return strings > 0 && strings == values.iter().filter(|v| !v.is_null()).count();
    }
    if let Some(branches) = s.one_of.as_ref().or(s.any_of.as_ref()) {
        let mut flat = Vec::new();
        flatten(branches, "oneOf", &mut flat);
        let non_null: Vec<&Schema> = flat
            .iter()
            .map(|(_, b)| b.as_ref())
            .filter(|b| !is_null_schema(b))
            .collect();
        return match non_null.as_slice() {
            [only] => makes_type(only),
            _ => true,
        };
    }
    if let Some(parts) = &s.all_of {
        return has_properties(s)
            || parts
                .iter()
                .any(|p| has_properties(p) || p.reference.is_some());
    }
    let types: Vec<TypeName> =
        s.ty.as_ref()
            .map(TypeSet::names)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| *t != TypeName::Null)
            .collect();
    types.len() > 1 || has_properties(s)
}

/// Whether `ctx` is a schema file itself.
fn is_file_root(ctx: &Ctx) -> bool {
    ctx.parent.is_none() && ctx.node == ctx.root && !ctx.root.is_empty()
}

fn has_properties(s: &Schema) -> bool {
    s.properties.as_ref().is_some_and(|p| !p.is_empty())
}

fn null_variant() -> Variant {
    Variant {
        name: "Null".into(),
        payload: Payload::Null,
        tags: Vec::new(),
        doc: Some("JSON `null`.".into()),
    }
}

/// `first`, `second`, ... as a name part, for the last resort of telling branches apart.
fn ordinal(i: usize) -> &'static str {
    [
        "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
    ]
    .get(i)
    .copied()
    .unwrap_or("Later")
}

/// The branches of a union, with branches that are unions of their own (untitled, with
/// nothing else) replaced by their branches, and branches that are lists of types (`type:
/// [string, number]`, nothing else) by a branch per type; each with its pointer segment.
fn flatten<'s>(branches: &'s [Schema], key: &str, out: &mut Vec<(String, Cow<'s, Schema>)>) {
    for (i, branch) in branches.iter().enumerate() {
        let segment = format!("{key}/{i}");
        let nested = branch
            .one_of
            .as_ref()
            .map(|b| ("oneOf", b))
            .or_else(|| branch.any_of.as_ref().map(|b| ("anyOf", b)));
        match nested {
            Some((inner_key, inner)) if is_bare_union(branch) => {
                let mut inner_out = Vec::new();
                flatten(inner, inner_key, &mut inner_out);
                out.extend(
                    inner_out
                        .into_iter()
                        .map(|(s, b)| (format!("{segment}/{s}"), b)),
                );
            }
            _ => match type_list_branches(branch) {
                Some(types) => out.extend(
                    types
                        .into_iter()
                        .map(|(name, b)| (format!("{segment}/type/{name}"), Cow::Owned(b))),
                ),
                None => out.push((segment, Cow::Borrowed(branch))),
            },
        }
    }
}

/// A branch per type of a schema that is a list of scalar types and nothing structured.
fn type_list_branches(s: &Schema) -> Option<Vec<(String, Schema)>> {
    let Some(TypeSet::Many(types)) = &s.ty else {
        return None;
    };
    let scalar = |t: &TypeName| {
        matches!(
            t,
            TypeName::String
                | TypeName::Integer
                | TypeName::Number
                | TypeName::Boolean
                | TypeName::Null
        )
    };
    let plain = s.reference.is_none()
        && s.enum_values.is_none()
        && s.const_value.is_none()
        && s.one_of.is_none()
        && s.any_of.is_none()
        && s.all_of.is_none()
        && s.properties.is_none()
        && s.items.is_none()
        && s.title.is_none();
    (plain && types.iter().all(scalar)).then(|| {
        types
            .iter()
            .map(|t| {
                let name = type_variant_name(*t, s);
                (
                    name,
                    Schema {
                        ty: Some(TypeSet::One(*t)),
                        ..s.clone()
                    },
                )
            })
            .collect()
    })
}

/// A schema that is only a `oneOf`/`anyOf`.
fn is_bare_union(s: &Schema) -> bool {
    let bare = Schema {
        one_of: None,
        any_of: None,
        description: None,
        comment: None,
        ..s.clone()
    };
    bare == Schema::default()
}

fn is_null_schema(s: &Schema) -> bool {
    matches!(&s.ty, Some(TypeSet::One(TypeName::Null)))
        || matches!(&s.enum_values, Some(values) if values.iter().all(Value::is_null))
}

/// The single string value a schema allows (`enum: [x]` or `const: x`), if it allows one.
fn single_value(s: &Schema) -> Option<String> {
    match allowed_strings(s)?.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The strings a schema allows (`enum` of strings, or `const`), if it allows only strings.
fn allowed_strings(s: &Schema) -> Option<Vec<String>> {
    match (&s.const_value, &s.enum_values) {
        (Some(Value::String(v)), _) => Some(vec![v.clone()]),
        (None, Some(values)) if !values.is_empty() => values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The properties that tell the branches of a union apart: every branch is an inline object
/// in which each of them allows only fixed strings, and no combination of their values is
/// allowed by two branches. A branch that allows several values becomes one variant per
/// value (`type: [deviceId, deviceTag]` gives `DeviceId` and `DeviceTag`).
fn tag_properties(branches: &[&Schema]) -> Option<Vec<String>> {
    if branches.len() < 2
        || branches
            .iter()
            .any(|b| b.reference.is_some() || !has_properties(b) || b.title.is_some())
    {
        return None;
    }
    let first = branches[0].properties.as_ref()?;
    let tags: Vec<String> = first
        .keys()
        .filter(|name| {
            branches.iter().all(|b| {
                b.properties
                    .as_ref()
                    .and_then(|p| p.get(*name))
                    .and_then(allowed_strings)
                    .is_some()
            })
        })
        .cloned()
        .collect();
    if tags.is_empty() {
        return None;
    }
    let mut seen = HashSet::new();
    for branch in branches {
        for tuple in branch_tuples(branch, &tags) {
            if !seen.insert(tuple) {
                return None;
            }
        }
    }
    Some(tags)
}

/// Every combination of tag values a branch allows, as `(property, value)` lists.
fn branch_tuples(branch: &Schema, tags: &[String]) -> Vec<Vec<(String, String)>> {
    let mut tuples: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for tag in tags {
        let values = branch
            .properties
            .as_ref()
            .and_then(|p| p.get(tag))
            .and_then(allowed_strings)
            .unwrap_or_default();
        tuples = tuples
            .into_iter()
            .flat_map(|tuple| {
                values.iter().map(move |v| {
                    let mut next = tuple.clone();
                    next.push((tag.clone(), v.clone()));
                    next
                })
            })
            .collect();
    }
    tuples
}

/// The variants of one branch of a tagged union (name and tags) and its payload type's part.
type TaggedBranch = (Vec<(String, Vec<(String, String)>)>, String);

/// The variants of a tagged union, by branch: `(variant name, tags)` for each value
/// combination the branch allows (named by the values of the tags that vary between
/// branches: `operation: set`, `target: name` -> `SetName`), and the name of the branch's
/// payload type part (the variant's name, or for a branch of several variants the part of
/// their values they share, else `Generic`).
fn tagged_variants(branches: &[&Schema], tags: &[String]) -> Vec<TaggedBranch> {
    let all: Vec<Vec<Vec<(String, String)>>> =
        branches.iter().map(|b| branch_tuples(b, tags)).collect();
    let varying: Vec<usize> = (0..tags.len())
        .filter(|i| {
            let values: HashSet<&String> = all.iter().flatten().map(|t| &t[*i].1).collect();
            values.len() > 1
        })
        .collect();
    let name = |tuple: &Vec<(String, String)>| -> String {
        varying.iter().map(|i| camel(&tuple[*i].1)).collect()
    };
    let mut out: Vec<TaggedBranch> = all
        .iter()
        .map(|tuples| {
            let variants: Vec<(String, Vec<(String, String)>)> =
                tuples.iter().map(|t| (name(t), t.clone())).collect();
            let part = match variants.as_slice() {
                [(one, _)] => one.clone(),
                many => shared_part(many.iter().map(|(n, _)| n.as_str())),
            };
            (variants, part)
        })
        .collect();
    // Two branches whose values share the same part: each is named by all its values.
    let mut count: HashMap<String, usize> = HashMap::new();
    for (_, part) in &out {
        *count.entry(part.clone()).or_default() += 1;
    }
    for (variants, part) in &mut out {
        if count[part.as_str()] > 1 {
            *part = variants
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join("Or");
        }
    }
    out
}

/// The longest prefix or suffix (a whole `CamelCase` word or more) that the names share, or
/// `Generic`.
fn shared_part<'n>(names: impl Iterator<Item = &'n str> + Clone) -> String {
    let words = |n: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in n.chars() {
            if c.is_uppercase() || out.is_empty() {
                out.push(String::new());
            }
            if let Some(last) = out.last_mut() {
                last.push(c);
            }
        }
        out
    };
    let split: Vec<Vec<String>> = names.map(words).collect();
    let common = |take: &dyn Fn(&Vec<String>, usize) -> Option<String>| {
        let mut part = Vec::new();
        for i in 0.. {
            let word = take(&split[0], i);
            if word.is_none() || split.iter().any(|w| take(w, i) != word) {
                break;
            }
            part.extend(word);
        }
        part
    };
    let prefix = common(&|w, i| w.get(i).cloned());
    let mut suffix = common(&|w, i| w.len().checked_sub(i + 1).and_then(|j| w.get(j).cloned()));
    suffix.reverse();
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    if prefix.len() + suffix.len() >= shortest {
        // The names are one word apart at most where prefix and suffix would overlap.
        return if prefix.is_empty() {
            "Generic".to_owned()
        } else {
            prefix.concat()
        };
    }
    let both = [prefix, suffix].concat();
    if both.is_empty() {
        "Generic".to_owned()
    } else {
        both.concat()
    }
}

/// `branch` without the properties `tags` (they are the variant's name now).
fn strip_properties(branch: &Schema, tags: &[String]) -> Schema {
    let mut stripped = branch.clone();
    if let Some(props) = &mut stripped.properties {
        props.retain(|k, _| !tags.contains(k));
    }
    if let Some(required) = &mut stripped.required {
        required.retain(|k| !tags.contains(k));
    }
    stripped
}

pub(super) fn docs(s: &Schema) -> Vec<String> {
    s.title.iter().chain(&s.description).cloned().collect()
}

fn type_variant_name(t: TypeName, s: &Schema) -> String {
    match t {
        TypeName::String if s.format.as_deref() == Some("date-time") => "DateTime",
        TypeName::String => "String",
        TypeName::Integer => "Integer",
        TypeName::Number => "Number",
        TypeName::Boolean => "Boolean",
        TypeName::Object => "Object",
        TypeName::Array => "List",
        TypeName::Null => "Null",
        TypeName::File => "File",
    }
    .to_owned()
}

/// The shape of a schema, without the keywords that only document it, and with references
/// made absolute (a `#/definitions/x` means another schema in another file): schemas with
/// equal shapes make equal types. The text is written in one pass, only the keywords present,
/// strings quoted (so it reads back one way only): naming compares the shape of every type
/// node, and a node's shape holds its whole schema tree.
#[cfg(test)]
pub(super) fn shape_key(s: &Schema, root: &str) -> String {
    ShapeText::write(s, root).text
}

/// A schema's shape (see `shape_key`) with the place in it of every schema inside, so that
/// the shape of a node inside is a slice of this text, not written again: nodes nest, and a
/// node's shape holds its whole subtree, so writing each anew costs the depth of the tree over.
pub(super) struct ShapeText {
    /// The schema file it was written in (references are made absolute against it).
    pub root: String,
    pub text: String,
    /// Where each schema inside the written one (itself included) went in `text`, by address.
    /// Valid only while the written schema lives: see `Recording::written`.
    places: FxHashMap<*const Schema, (usize, usize)>,
}

impl ShapeText {
    /// The shape of `s` in file `root`.
    pub(super) fn write(s: &Schema, root: &str) -> Self {
        let mut written = ShapeText {
            root: root.to_owned(),
            text: String::with_capacity(64),
            places: FxHashMap::default(),
        };
        write_shape(&mut written.text, s, root, &mut written.places);
        written
    }

    /// The shape of `s`, if it was written inside this text in file `root`.
    pub(super) fn of(&self, s: &Schema, root: &str) -> Option<&str> {
        let (start, end) = *self
            .places
            .get(&std::ptr::from_ref(s))
            .filter(|_| self.root == root)?;
        Some(&self.text[start..end])
    }
}

/// Writes `s` as `{keyword=value;...}` without its documentation (title, description,
/// examples, ...), recursively, noting in `places` where each schema went. Every field is named
/// so that a keyword added to [`Schema`] must be placed here too.
fn write_shape(
    out: &mut String,
    s: &Schema,
    root: &str,
    places: &mut FxHashMap<*const Schema, (usize, usize)>,
) {
    use std::fmt::Write as _;
    let start = out.len();
    let Schema {
        meta_schema: _,
        id: _,
        comment: _,
        title: _,
        description: _,
        examples: _,
        default: _,
        definitions: _,
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
    } = s;
    // `write!` to a `String` cannot fail.
    let debug = |out: &mut String, name: &str, value: &dyn std::fmt::Debug| {
        let _ = write!(out, "{name}={value:?};");
    };
    type Places = FxHashMap<*const Schema, (usize, usize)>;
    let schemas = |out: &mut String, places: &mut Places, name: &str, list: &[Schema]| {
        let _ = write!(out, "{name}=[");
        for one in list {
            write_shape(out, one, root, places);
            out.push(',');
        }
        out.push_str("];");
    };
    let map = |out: &mut String,
               places: &mut Places,
               name: &str,
               map: &indexmap::IndexMap<String, Schema>| {
        let _ = write!(out, "{name}={{");
        for (key, one) in map {
            let _ = write!(out, "{key:?}:");
            write_shape(out, one, root, places);
            out.push(',');
        }
        out.push_str("};");
    };
    let bool_or_schema =
        |out: &mut String, places: &mut Places, name: &str, value: &BoolOrSchema| match value {
            BoolOrSchema::Bool(b) => {
                let _ = write!(out, "{name}={b};");
            }
            BoolOrSchema::Schema(one) => {
                let _ = write!(out, "{name}=");
                write_shape(out, one, root, places);
                out.push(';');
            }
        };
    out.push('{');
    if let Some(reference) = reference {
        let absolute = match resolve::parse(reference) {
            Ok(parsed) => {
                let mut key = parsed.file.unwrap_or(root).to_owned();
                for d in parsed.definitions {
                    key.push_str("#/definitions/");
                    key.push_str(d);
                }
                key
            }
            Err(_) => reference.clone(),
        };
        debug(out, "$ref", &absolute);
    }
    if let Some(ty) = ty {
        debug(out, "type", ty);
    }
    if let Some(format) = format {
        debug(out, "format", format);
    }
    if let Some(values) = enum_values {
        // JSON values print as JSON, strings quoted.
        out.push_str("enum=[");
        for value in values {
            let _ = write!(out, "{value},");
        }
        out.push_str("];");
    }
    if let Some(value) = const_value {
        let _ = write!(out, "const={value};");
    }
    for (name, flag) in [
        ("readOnly", read_only),
        ("writeOnly", write_only),
        ("deprecated", deprecated),
        ("uniqueItems", unique_items),
    ] {
        if let Some(flag) = flag {
            debug(out, name, flag);
        }
    }
    if let Some(properties) = properties {
        map(out, places, "properties", properties);
    }
    if let Some(required) = required {
        debug(out, "required", required);
    }
    if let Some(additional) = additional_properties {
        bool_or_schema(out, places, "additionalProperties", additional);
    }
    if let Some(patterns) = pattern_properties {
        map(out, places, "patternProperties", patterns);
    }
    if let Some(names) = property_names {
        schemas(out, places, "propertyNames", std::slice::from_ref(names));
    }
    match items {
        Some(Items::One(one)) => schemas(out, places, "items", std::slice::from_ref(one)),
        Some(Items::Tuple(many)) => schemas(out, places, "tupleItems", many),
        None => {}
    }
    if let Some(additional) = additional_items {
        bool_or_schema(out, places, "additionalItems", additional);
    }
    for (name, count) in [
        ("minProperties", min_properties),
        ("maxProperties", max_properties),
        ("minItems", min_items),
        ("maxItems", max_items),
        ("minLength", min_length),
        ("maxLength", max_length),
    ] {
        if let Some(count) = count {
            debug(out, name, count);
        }
    }
    if let Some(pattern) = pattern {
        debug(out, "pattern", pattern);
    }
    for (name, bound) in [
        ("minimum", minimum),
        ("maximum", maximum),
        ("exclusiveMinimum", exclusive_minimum),
        ("exclusiveMaximum", exclusive_maximum),
        ("multipleOf", multiple_of),
    ] {
        if let Some(bound) = bound {
            debug(out, name, bound);
        }
    }
    for (name, list) in [("oneOf", one_of), ("anyOf", any_of), ("allOf", all_of)] {
        if let Some(list) = list {
            schemas(out, places, name, list);
        }
    }
    if let Some(not) = not {
        schemas(out, places, "not", std::slice::from_ref(not));
    }
    out.push('}');
    places.insert(std::ptr::from_ref(s), (start, out.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(yaml: &str) -> Schema {
        serde_yaml::from_str(yaml).expect("a schema")
    }

    #[test]
    fn shapes_ignore_documentation_only() {
        let plain = schema("{type: object, properties: {a: {type: string}}}");
        let documented = schema(
            "{type: object, title: T, description: D, examples: [{a: x}], \
             properties: {a: {type: string, description: the a, default: x}}}",
        );
        assert_eq!(shape_key(&plain, "f"), shape_key(&documented, "f"));
        // Any keyword that is not documentation makes another shape.
        for other in [
            "{type: object, properties: {b: {type: string}}}",
            "{type: object, properties: {a: {type: string, maxLength: 3}}}",
            "{type: object, properties: {a: {type: string}}, required: [a]}",
            "{type: object, properties: {a: {type: string}}, additionalProperties: false}",
            "{type: object, properties: {a: {type: string, enum: [x]}}}",
            "{type: object, properties: {a: {type: [string, 'null']}}}",
        ] {
            assert_ne!(
                shape_key(&plain, "f"),
                shape_key(&schema(other), "f"),
                "{other}"
            );
        }
    }

    #[test]
    fn shapes_quote_what_they_hold() {
        // A key or value that contains the text's own punctuation cannot pass for structure.
        let tricky = schema(r#"{properties: {"a:{}": {type: string}}}"#);
        let plain = schema(r#"{properties: {"a": {}, "": {type: string}}}"#);
        assert_ne!(shape_key(&tricky, "f"), shape_key(&plain, "f"));
        assert_ne!(
            shape_key(&schema("{enum: ['1']}"), "f"),
            shape_key(&schema("{enum: [1]}"), "f")
        );
    }

    #[test]
    fn references_are_made_absolute() {
        let local = schema("{$ref: '#/definitions/x'}");
        let absolute = schema("{$ref: 'f.json#/definitions/x'}");
        assert_eq!(shape_key(&local, "f.json"), shape_key(&absolute, "g.json"));
        assert_ne!(shape_key(&local, "f.json"), shape_key(&local, "g.json"));
    }

    #[test]
    fn a_schema_inside_a_written_shape_reads_as_if_written_alone() {
        let outer = schema(
            "{type: object, properties: {a: {type: object, properties: {b: {enum: [x, y]}}}, \
             c: {oneOf: [{type: string}, {$ref: '#/definitions/d'}]}, \
             e: {type: array, items: {type: object, additionalProperties: {type: integer}}}}}",
        );
        let written = ShapeText::write(&outer, "f");
        assert_eq!(written.of(&outer, "f"), Some(written.text.as_str()));
        let properties = outer.properties.as_ref().expect("properties");
        let a = &properties["a"];
        let b = &a.properties.as_ref().expect("a's properties")["b"];
        let c = &properties["c"].one_of.as_ref().expect("c's branches")[1];
        let Some(Items::One(e_item)) = &properties["e"].items else {
            panic!("e has one item schema")
        };
        let Some(BoolOrSchema::Schema(e_value)) = &e_item.additional_properties else {
            panic!("e's items have a value schema")
        };
        for inside in [a, b, c, e_item, e_value] {
            let alone = ShapeText::write(inside, "f").text;
            assert_eq!(written.of(inside, "f"), Some(alone.as_str()));
        }
        // Only that schema, where it is, in that file: not an equal copy (found by address,
        // a copy may be a temporary), not in another file (references read otherwise).
        assert_eq!(written.of(&a.clone(), "f"), None);
        assert_eq!(written.of(a, "g"), None);
    }
}
