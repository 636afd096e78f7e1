//! Stage 3, lower: turn a checked [`Spec`] into the [`Ir`]: resolve references, name every
//! type, share one type between uses that one name fits, and shape each action's request.
//!
//! Lowering walks the spec twice with the same code (the `schema` module): first to record every schema
//! that becomes a type, then, once the `naming` module has named them all, to make the types. Names
//! thus never depend on the order schemas are met in.

mod naming;
mod schema;

use std::collections::{BTreeMap, HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::names::{camel, field, method, module};
use crate::spec::{Action, Param, Resource, Spec};

use naming::{Node, Origin, Plan, ShapeInterner};
use schema::ShapeText;

/// Lowers a spec into the IR. The spec should have passed [`check`](crate::check::check);
/// what lowering still finds wrong (a reference that leads nowhere, two schemas that would
/// get one name) is reported, not panicked on.
pub fn lower(spec: &Spec) -> Result<Ir, Diagnostics> {
    let mut problems = Diagnostics::new();
    let files = naming::file_names(spec, &mut problems);
    let reserved = reserved_names(spec);
    // Pass 1: record every node that becomes a type.
    let mut recorder = Lowerer::new(spec, &files, Mode::Record(Recording::default()));
    recorder.walk();
    let Mode::Record(Recording {
        mut nodes, shapes, ..
    }) = std::mem::replace(&mut recorder.mode, Mode::Record(Recording::default()))
    else {
        unreachable!("the recorder stays in record mode")
    };
    shapes.rank(&mut nodes);
    if !problems.is_empty() {
        return Err(problems.with_sources(&spec.sources));
    }
    let plan = naming::plan(spec, &files, &nodes, &reserved, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    // Pass 2: make the types with their names.
    let mut builder = Lowerer::new(spec, &files, Mode::Build(plan));
    let (global_params, resources) = builder.walk();
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
            logins: logins(spec, &resources),
        },
        types: builder.types,
        resources,
        patterns: builder.patterns,
    };
    ir.types
        .sort_by(|a, b| a.home.cmp(&b.home).then_with(|| a.name.cmp(&b.name)));
    mark_request_types(&mut ir);
    place_shared_types(&mut ir);
    builder.problems.into_result(ir)
}

/// The spec's logins with the module and request builder of their actions (`check` made sure
/// each action exists).
fn logins(spec: &Spec, resources: &[crate::ir::ResourceIr]) -> Vec<crate::ir::LoginIr> {
    let pairs = |map: &indexmap::IndexMap<String, String>| {
        map.iter()
            .map(|(member, variable)| (member.clone(), variable.clone()))
            .collect()
    };
    spec.api
        .auth
        .logins
        .iter()
        .filter_map(|login| {
            let (resource, action) = login.action.split_once('.')?;
            let resource = resources.iter().find(|r| r.name == resource)?;
            let action = resource.actions.iter().find(|a| a.name == action)?;
            Some(crate::ir::LoginIr {
                name: login.name.clone(),
                action: login.action.clone(),
                module: resource.module.clone(),
                builder: action.builder.clone(),
                env: pairs(&login.env),
                optional_env: pairs(&login.optional_env),
                token_field: login.token_field.clone(),
            })
        })
        .collect()
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

/// The name of the request builder of action `action` of the resource typed `resource`.
pub fn builder_name(resource_type: &str, action: &str) -> String {
    format!("{resource_type}{}Request", camel(action))
}

/// Per resource module, the type names its own items take.
fn reserved_names(spec: &Spec) -> FxHashMap<String, FxHashSet<String>> {
    spec.resources
        .iter()
        .map(|r| {
            let type_name = camel(&r.name);
            let mut names: FxHashSet<String> = RESOURCE_MODULE_IMPORTS
                .iter()
                .map(|n| (*n).to_owned())
                .collect();
            names.insert(type_name.clone());
            for (name, action) in &r.body.actions {
                let base = format!("{type_name}{}", camel(name));
                names.insert(builder_name(&type_name, name));
                if action.responses.values().any(|r| !r.events.is_empty()) {
                    names.insert(format!("{base}Event"));
                }
                if answers_by_status(action) {
                    names.insert(format!("{base}Response"));
                }
            }
            (module(&r.name), names)
        })
        .collect()
}

/// Whether lowering records nodes (pass 1) or makes types (pass 2).
enum Mode {
    Record(Recording),
    Build(Plan),
}

/// What pass 1 records: the type nodes, and their shapes interned.
#[derive(Default)]
struct Recording {
    nodes: Vec<Node>,
    shapes: ShapeInterner,
    /// The shapes written for the types in progress, innermost last, each with the node it
    /// began (`None` when its shape was a slice of an outer one): the shape of a node inside
    /// one of them is a slice of its text. Each is dropped when its type ends
    /// ([`Lowerer::end`]), so the schemas it notes by address are alive while it is kept.
    written: Vec<(String, Option<ShapeText>)>,
    /// The shape the last node wrote, kept by [`Lowerer::begin`] if that node begins a type.
    last_written: Option<ShapeText>,
}

impl Recording {
    /// The text of a node's `shape` in file `root`: a slice of a shape written around it, or
    /// written now (and kept in `last_written`).
    fn shape_text(&mut self, shape: NodeShape<'_>, root: &str) -> String {
        self.last_written = None;
        let (kind, schema) = match shape {
            NodeShape::Text(text) => return text,
            NodeShape::Schema(kind, schema) => (kind, schema),
        };
        let mut around = self.written.iter().rev().filter_map(|(_, w)| w.as_ref());
        if let Some(text) = around.find_map(|w| w.of(schema, root)) {
            return format!("{kind}{text}");
        }
        let written = ShapeText::write(schema, root);
        let text = format!("{kind}{}", written.text);
        self.last_written = Some(written);
        text
    }
}

/// What the shape of a node is (pass 1 computes it, pass 2 needs none).
enum NodeShape<'s> {
    /// The shape of a schema (see `schema::ShapeText`), after a word saying which type it
    /// makes (`"union "`; `""` for a struct or an enumeration).
    Schema(&'static str, &'s crate::spec::Schema),
    /// A text of its own.
    Text(String),
}

/// Where the schema being lowered sits.
#[derive(Clone)]
struct Ctx {
    /// The schema file that `#/definitions/...` references resolve in (`""` for none).
    root: String,
    /// This schema's node id (see [`Node::id`]).
    node: String,
    /// The enclosing type's node.
    parent: Option<String>,
    /// What a type made here adds to its parent's name.
    suffix: String,
    /// A name a type made here may take alone.
    candidate: Option<String>,
    /// Who uses types made here.
    origin: Origin,
    /// Key path in the file, for diagnostics.
    at: String,
}

impl Ctx {
    fn at(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.at)
        }
    }

    fn pointer(&self, segment: &str) -> String {
        if self.node.contains('#') || self.node.contains('?') {
            format!("{}/{segment}", self.node)
        } else {
            format!("{}#/{segment}", self.node)
        }
    }

    /// The schema of property `wire` of the object type made here.
    fn property(&self, wire: &str) -> Ctx {
        let name = camel(wire);
        Ctx {
            root: self.root.clone(),
            node: self.pointer(&format!("properties/{}", escape(wire))),
            parent: Some(self.node.clone()),
            suffix: name.clone(),
            candidate: Some(name),
            origin: self.origin.clone(),
            at: self.at(&format!("properties.{wire}")),
        }
    }

    /// The items of the array here (not a type: its items belong to the same parent).
    fn items(&self) -> Ctx {
        Ctx {
            root: self.root.clone(),
            node: self.pointer("items"),
            parent: self.parent.clone(),
            suffix: naming::singular(&self.suffix),
            candidate: self.candidate.as_deref().map(naming::singular),
            origin: self.origin.clone(),
            at: self.at("items"),
        }
    }

    /// The values of the map here; `of_type` when a struct made here holds them.
    fn values(&self, segment: &str, of_type: bool) -> Ctx {
        let (parent, suffix) = if of_type {
            (Some(self.node.clone()), "Value".to_owned())
        } else {
            (self.parent.clone(), format!("{}Value", self.suffix))
        };
        Ctx {
            root: self.root.clone(),
            node: self.pointer(segment),
            parent,
            suffix,
            candidate: None,
            origin: self.origin.clone(),
            at: self.at(segment),
        }
    }

    /// A branch of the union made here, as variant `variant`.
    fn branch(&self, segment: &str, variant: &str) -> Ctx {
        Ctx {
            root: self.root.clone(),
            node: self.pointer(segment),
            parent: Some(self.node.clone()),
            suffix: variant.to_owned(),
            candidate: None,
            origin: self.origin.clone(),
            at: self.at(segment),
        }
    }
}

/// A JSON pointer segment for `key` (`~` and `/` escaped).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

struct Lowerer<'a> {
    spec: &'a Spec,
    files: &'a BTreeMap<String, String>,
    mode: Mode,
    types: Vec<TypeDef>,
    /// Type name -> its index in `types`.
    positions: FxHashMap<String, usize>,
    /// Types whose lowering has begun but not ended: a reference to one is recursive.
    in_progress: FxHashSet<String>,
    /// Named schemas already lowered (by reference key), in pass 2.
    lowered: FxHashSet<String>,
    /// Named schemas and definitions whose type took their name and that also allow `null`
    /// (`oneOf: [null, {object}]`): every use of them is nullable.
    nullable_names: FxHashSet<String>,
    patterns: Vec<String>,
    problems: Diagnostics,
    /// File of the schema or resource being lowered, for diagnostics.
    file: String,
}

impl<'a> Lowerer<'a> {
    fn new(spec: &'a Spec, files: &'a BTreeMap<String, String>, mode: Mode) -> Self {
        Lowerer {
            spec,
            files,
            mode,
            types: Vec::new(),
            positions: FxHashMap::default(),
            in_progress: FxHashSet::default(),
            lowered: FxHashSet::default(),
            nullable_names: FxHashSet::default(),
            patterns: Vec::new(),
            problems: Diagnostics::new(),
            file: String::new(),
        }
    }

    fn recording(&self) -> bool {
        matches!(self.mode, Mode::Record(_))
    }

    /// Lowers every schema file, the global parameters and every resource.
    fn walk(&mut self) -> (Vec<ParamIr>, Vec<ResourceIr>) {
        for schema in &self.spec.schemas {
            self.named_schema(&schema.id);
        }
        let global_params = self
            .spec
            .api
            .global_params
            .iter()
            .map(|p| {
                let ctx = Ctx {
                    root: String::new(),
                    node: format!("?{}", p.name),
                    parent: None,
                    suffix: format!("Global{}", camel(&p.name)),
                    candidate: Some(camel(&p.name)),
                    origin: Origin::Model("globals".into()),
                    at: p.name.clone(),
                };
                self.param(p, ctx, false)
            })
            .collect();
        let resources = self
            .spec
            .resources
            .iter()
            .map(|r| self.resource(r))
            .collect();
        (global_params, resources)
    }

    fn problem(&mut self, at: &str, message: String) {
        self.problems
            .push(Diagnostic::new(message).in_file(&self.file).at(at));
    }

    /// The name and, in pass 2, whether it still has to be made, of the type node `ctx` of
    /// shape `shape` (written and recorded in pass 1 only). `title` overrides the context's
    /// candidate.
    fn node(
        &mut self,
        ctx: &Ctx,
        shape: NodeShape<'_>,
        title: Option<&str>,
        file_root: bool,
        enum_values: Option<Vec<String>>,
    ) -> (String, bool) {
        let file = self.file.clone();
        match &mut self.mode {
            Mode::Record(recording) => {
                let candidate = title.map(camel).or_else(|| ctx.candidate.clone());
                let text = recording.shape_text(shape, &ctx.root);
                let shape = recording.shapes.intern(text);
                recording.nodes.push(Node {
                    id: ctx.node.clone(),
                    parent: ctx.parent.clone(),
                    suffix: ctx.suffix.clone(),
                    candidate,
                    shape,
                    origin: ctx.origin.clone(),
                    file,
                    at: ctx.at.clone(),
                    file_root,
                    enum_values,
                });
                (ctx.node.clone(), true)
            }
            Mode::Build(plan) => {
                let name = plan
                    .names
                    .get(&ctx.node)
                    .cloned()
                    .unwrap_or_else(|| ctx.node.clone());
                let new = !self.positions.contains_key(&name) && !self.in_progress.contains(&name);
                (name, new)
            }
        }
    }

    /// Marks type `name` (just named by [`Self::node`]) in progress: references to it are
    /// recursive until [`Self::end`].
    fn begin(&mut self, name: &str) {
        self.in_progress.insert(name.to_owned());
        if let Mode::Record(recording) = &mut self.mode {
            let written = recording.last_written.take();
            recording.written.push((name.to_owned(), written));
        }
    }

    /// Ends what [`Self::begin`] began.
    fn end(&mut self, name: &str) {
        self.in_progress.remove(name);
        if let Mode::Record(recording) = &mut self.mode {
            let began = recording.written.pop();
            debug_assert!(
                began.is_some_and(|(owner, _)| owner == name),
                "types end in the order they began"
            );
        }
    }

    /// Where type `name` is emitted (pass 2).
    fn home(&self, name: &str, ctx: &Ctx) -> Home {
        match &self.mode {
            Mode::Build(plan) => {
                plan.homes
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| match &ctx.origin {
                        Origin::Model(id) => {
                            Home::Models(module(self.files.get(id).map_or(id, |n| n)))
                        }
                        Origin::Resource(m) => Home::Resource(m.clone()),
                    })
            }
            Mode::Record(_) => Home::Models(String::new()),
        }
    }

    /// Records a type definition (pass 2; pass 1 makes none).
    fn push_type(&mut self, def: TypeDef) {
        if self.recording() || self.positions.contains_key(&def.name) {
            return;
        }
        self.positions.insert(def.name.clone(), self.types.len());
        self.types.push(def);
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

    fn param(&mut self, p: &Param, ctx: Ctx, always_required: bool) -> ParamIr {
        let schema = p.value_schema();
        // A parameter's setter must not shadow a request builder's own methods, nor the
        // setters of the API's fixed headers (`accept_version`).
        let mut rust = field(&p.name);
        let fixed_header = self.spec.api.headers.iter().any(|h| field(&h.name) == rust);
        if BUILDER_METHODS.contains(&rust.as_str()) || fixed_header {
            rust.push_str("_param");
        }
        ParamIr {
            wire: p.name.clone(),
            rust,
            ty: self.schema_as(&schema, &ctx),
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
        let builder = builder_name(resource_type, name);
        let prefix = format!("{resource_type}{}", camel(name));
        let param_ctx = |list: &str, p: &Param| Ctx {
            root: String::new(),
            node: format!("{}.{name}?{}", r.name, p.name),
            parent: None,
            suffix: format!("{prefix}{}", camel(&p.name)),
            candidate: Some(camel(&p.name)),
            origin: Origin::Resource(module.to_owned()),
            at: format!("actions.{name}.{list}.{}", p.name),
        };
        let path_params = r
            .body
            .path_params
            .iter()
            .chain(&a.path_params)
            .map(|p| self.param(p, param_ctx("path_params", p), true))
            .collect();
        let query: Vec<ParamIr> = a
            .query
            .iter()
            .map(|p| self.param(p, param_ctx("query", p), false))
            .collect();
        let headers = a
            .headers
            .iter()
            .map(|p| self.param(p, param_ctx("headers", p), false))
            .collect();
        let body = a.body.as_ref().map(|b| BodyIr {
            rust: field(&b.name),
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
            name: format!("{prefix}Response"),
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
            .map(|p| self.param(p, param_ctx("multipart", p), false))
            .collect();
        let events = self.events(a, &prefix);
        ActionIr {
            name: name.to_owned(),
            id: format!("{}.{name}", r.name),
            fn_name: method(name, module),
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
            Some(name) => self.use_of(name, false),
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
            example: r
                .schema
                .as_ref()
                .and_then(|id| self.spec.schema(id))
                .and_then(|s| first_example(&s.schema)),
            description: r.description.clone(),
        }
    }

    fn events(&mut self, a: &Action, prefix: &str) -> Vec<EventIr> {
        let _ = prefix;
        let mut used = HashSet::from(["Other".to_owned()]);
        a.responses
            .values()
            .flat_map(|r| &r.events)
            .map(|(wire, event)| {
                let base = camel(wire);
                let mut variant = base.clone();
                if !used.insert(variant.clone()) {
                    variant = format!("{base}Event");
                    used.insert(variant.clone());
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
        if self.recording() {
            return None;
        }
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
            TyKind::Named { name, .. } => self.struct_fields(name),
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
            items_field: (items.rust.clone(), !items.required || items.ty.nullable),
            total_field: (total.rust.clone(), !total.required || total.ty.nullable),
            item: (**item).clone(),
        })
    }

    /// A use of the named type `name`: nullable when its schema allows `null`.
    fn use_of(&self, name: String, boxed: bool) -> Ty {
        Ty {
            nullable: self.nullable_names.contains(&name),
            ..Ty::plain(TyKind::Named { name, boxed })
        }
    }

    /// The fields of the struct named `name`, following aliases.
    fn struct_fields(&self, name: &str) -> Option<Vec<Field>> {
        let def = &self.types[*self.positions.get(name)?];
        match &def.kind {
            TypeKind::Struct { fields, .. } => Some(fields.clone()),
            TypeKind::Alias(Ty {
                kind: TyKind::Named { name, .. },
                ..
            }) => self.struct_fields(name),
            _ => None,
        }
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

fn first_example(s: &crate::spec::Schema) -> Option<Value> {
    s.examples.as_ref().and_then(|e| e.first().cloned())
}

/// Variant names for enum values: `UpperCamelCase`, made distinct (`asc` -> `Asc`, `ASC` ->
/// `AscUpper`, `""` -> `Empty`, `unknown` -> `UnknownValue`), never `Unknown` (the catch-all
/// variant). Returns `None` for values that meet in one name, which [`crate::check`] reports.
pub fn variant_names(values: &[&str]) -> Vec<(String, String)> {
    let mut used: HashSet<String> = HashSet::from(["Unknown".to_owned()]);
    values
        .iter()
        .map(|value| {
            let mut name = variant_name(value, &used);
            // Unreachable for a checked spec (`check` rejects values that still meet, see
            // `variant_clash`); kept so that lowering an unchecked spec cannot panic.
            while used.contains(&name) {
                name.push('_');
            }
            used.insert(name.clone());
            (name, (*value).to_owned())
        })
        .collect()
}

/// The variant name of `value` given the names `used` so far: its `UpperCamelCase`, with
/// `Upper` added for an all-capitals value whose name is taken (`LAST` after `last`), and
/// `UnknownValue` for `unknown`, whose name the catch-all `Unknown` has.
fn variant_name(value: &str, used: &HashSet<String>) -> String {
    let base = camel(value);
    let mut name = base.clone();
    if used.contains(&name)
        && value.chars().any(char::is_alphabetic)
        && value == value.to_uppercase()
    {
        name = format!("{base}Upper");
    }
    // Only the catch-all's name yields to a value: any other clash is the spec's to fix.
    if name == "Unknown" {
        name = "UnknownValue".to_owned();
    }
    name
}

/// Two values of a string enum that the rules of [`variant_names`] still give one name:
/// `(first value, second value, name)`. `check` reports it as a spec error.
pub fn variant_clash(values: &[&str]) -> Option<(String, String, String)> {
    let mut used: HashSet<String> = HashSet::from(["Unknown".to_owned()]);
    let mut by_name: HashMap<String, &str> = HashMap::new();
    for value in values {
        let name = variant_name(value, &used);
        if let Some(first) = by_name.get(&name) {
            return Some(((*first).to_owned(), (*value).to_owned(), name));
        }
        used.insert(name.clone());
        by_name.insert(name, value);
    }
    None
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
                TypeKind::Union { variants, .. } => {
                    direct.extend(variants.iter().filter_map(Variant::ty))
                }
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

/// Marks the types reachable from request bodies and parameters: they get client-side
/// validation.
fn mark_request_types(ir: &mut Ir) {
    let mut request_roots = Vec::new();
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
        }
    }
    request_roots.extend(ir.api.global_params.iter().map(|p| p.ty.clone()));
    let in_request = ir.reachable(request_roots);
    for t in &mut ir.types {
        t.in_request = in_request.contains(&t.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resource of the specs the tests below lower, when they need no other.
    const THINGS: &str = "path: /things\nactions:\n  get:\n    method: GET\n    summary: A thing\n    \
         scopes: [things.get]\n    responses:\n      200: { schema: error, description: x }\n";

    /// Lowers a spec of `schemas` (`(id, YAML)`) beside the resource `things` (`resource`, its
    /// YAML), with `api_extra` appended to a minimal `api.yaml`.
    fn lowered(api_extra: &str, resource: &str, schemas: &[(&str, &str)]) -> Ir {
        lower_spec(api_extra, resource, schemas).unwrap_or_else(|p| panic!("it lowers:\n{p}"))
    }

    /// [`lowered`], with what lowering finds wrong.
    fn lower_spec(
        api_extra: &str,
        resource: &str,
        schemas: &[(&str, &str)],
    ) -> Result<Ir, Diagnostics> {
        let dir = tempfile::tempdir().expect("folder");
        std::fs::create_dir_all(dir.path().join("schemas")).expect("folder");
        std::fs::create_dir_all(dir.path().join("resources")).expect("folder");
        std::fs::write(
            dir.path().join("api.yaml"),
            format!(
                "title: T\nversion: 1.0.0\nbase_url: https://api.example.com\n\
                 auth:\n  scheme: bearer\nerror:\n  schema: error\n  type_field: type\n  \
                 message_field: message\n{api_extra}"
            ),
        )
        .expect("api.yaml");
        let error = "title: Error\ntype: object\nproperties:\n  type: { type: string }\n  \
                     message: { type: string }\n";
        std::fs::write(dir.path().join("resources/things.yaml"), resource).expect("resource");
        for (id, yaml) in schemas.iter().chain([&("error", error)]) {
            std::fs::write(dir.path().join(format!("schemas/{id}.yaml")), yaml).expect("schema");
        }
        let spec = crate::load::load_dir(dir.path()).expect("the spec loads");
        lower(&spec)
    }

    /// The type whose doc begins with `doc`.
    fn type_with_doc<'a>(ir: &'a Ir, doc: &str) -> &'a TypeDef {
        ir.types
            .iter()
            .find(|t| t.doc.first().is_some_and(|d| d == doc))
            .unwrap_or_else(|| panic!("no type documented `{doc}` in {:#?}", ir.types))
    }

    /// The field `wire` of the struct documented `doc`.
    fn field_of<'a>(ir: &'a Ir, doc: &str, wire: &str) -> &'a Field {
        let TypeKind::Struct { fields, .. } = &type_with_doc(ir, doc).kind else {
            panic!("`{doc}` is not a struct");
        };
        fields
            .iter()
            .find(|f| f.wire == wire)
            .unwrap_or_else(|| panic!("`{doc}` has no field `{wire}`"))
    }

    /// The names lowering gives the types of a spec of `schemas` (`(id, YAML)`, beside one
    /// resource), with `api_extra` appended to a minimal `api.yaml`: by the first line of
    /// each type's doc.
    fn type_names(api_extra: &str, schemas: &[(&str, &str)]) -> BTreeMap<String, String> {
        lowered(api_extra, THINGS, schemas)
            .types
            .into_iter()
            .filter_map(|t| Some((t.doc.first()?.clone(), t.name)))
            .collect()
    }

    /// Rule 3: string enumerations that share a name merge into the one with every value; a
    /// schema of another kind under the same name does not take it.
    #[test]
    fn only_enumerations_take_a_merged_enumeration_name() {
        let with = |title: &str, property: &str| {
            format!("title: {title}\ntype: object\nproperties:\n  sortDirection:\n    {property}\n")
        };
        let named = type_names(
            "",
            &[
                (
                    "a",
                    &with(
                        "A",
                        "description: the A direction\n    type: string\n    enum: [asc, desc]",
                    ),
                ),
                (
                    "b",
                    &with(
                        "B",
                        "description: the B direction\n    type: string\n    enum: [asc, desc, ASC, DESC]",
                    ),
                ),
                (
                    "c",
                    &with(
                        "C",
                        "description: the C sorting\n    type: object\n    properties:\n      \
                         field: { type: string }",
                    ),
                ),
            ],
        );
        assert!(
            named.values().any(|n| n == "SortDirection"),
            "the enumerations merge: {named:?}"
        );
        assert_eq!(
            named.get("the C sorting").map(String::as_str),
            Some("CSortDirection"),
            "{named:?}"
        );
    }

    /// Rule 5 joins copies of one schema under parents of one family only when the rules named
    /// each after its parent: a copy named by hand neither joins nor makes a family.
    #[test]
    fn a_copy_named_by_hand_makes_no_family() {
        let data = |title: &str| {
            format!(
                "title: {title}\ntype: object\nproperties:\n  data:\n    description: the \
                 {title} data\n    type: object\n    properties:\n      x: {{ type: string }}\n"
            )
        };
        let named = type_names(
            "type_names:\n  - at: \"fooPatch#/properties/data\"\n    name: HandNamed\n    \
             reason: a test\n",
            &[
                ("fooPost", &data("Foo Post")),
                ("fooPatch", &data("Foo Patch")),
            ],
        );
        assert_eq!(
            named.get("the Foo Post data").map(String::as_str),
            Some("FooPostData")
        );
        assert_eq!(
            named.get("the Foo Patch data").map(String::as_str),
            Some("HandNamed")
        );
        // Without the override, both are copies in one family.
        let named = type_names(
            "",
            &[
                ("fooPost", &data("Foo Post")),
                ("fooPatch", &data("Foo Patch")),
            ],
        );
        assert_eq!(
            named.get("the Foo Patch data").map(String::as_str),
            Some("FooData"),
            "{named:?}"
        );
    }

    #[test]
    fn success_variants_are_named_by_reason_phrase() {
        let named: Vec<String> = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 299]
            .into_iter()
            .map(status_variant)
            .collect();
        assert_eq!(
            named,
            [
                "Ok",
                "Created",
                "Accepted",
                "NonAuthoritativeInformation",
                "NoContent",
                "ResetContent",
                "PartialContent",
                "MultiStatus",
                "AlreadyReported",
                "ImUsed",
                "Status299",
            ]
        );
    }

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
                "UnknownValue",
                "V86400000"
            ]
        );
    }

    /// A definition used from another schema file, directly, as the items of an array or as
    /// the values of a map, moves to a file of its own; one used only in its own file stays.
    #[test]
    fn definitions_used_from_another_file_get_a_file_of_their_own() {
        let part = |doc: &str, member: &str| {
            format!(
                "    description: the {doc} part\n    type: object\n    properties:\n      \
                 {member}: {{ type: string }}\n"
            )
        };
        let a = format!(
            "title: A\ntype: object\nproperties:\n  own: {{ $ref: '#/definitions/kept' }}\n\
             definitions:\n  kept:\n{}  direct:\n{}  listed:\n{}  mapped:\n{}",
            part("kept", "k"),
            part("direct", "d"),
            part("listed", "l"),
            part("mapped", "m"),
        );
        let b = "title: B\ntype: object\nproperties:\n  one: { $ref: 'a.yaml#/definitions/direct' }\n  \
                 many:\n    type: array\n    items: { $ref: 'a.yaml#/definitions/listed' }\n  \
                 byKey:\n    type: object\n    additionalProperties: { $ref: 'a.yaml#/definitions/mapped' }\n";
        let ir = lowered("", THINGS, &[("a", &a), ("b", b)]);
        assert_eq!(
            type_with_doc(&ir, "the kept part").home,
            Home::Models("a".into())
        );
        for doc in ["the direct part", "the listed part", "the mapped part"] {
            let t = type_with_doc(&ir, doc);
            assert_eq!(t.home, Home::Models(module(&t.name)), "{doc}");
        }
    }

    /// A parameter whose setter would be one of the request builder's own methods, or the
    /// setter of one of the API's fixed headers, gets the suffix `_param`; others do not.
    #[test]
    fn parameters_named_like_builder_methods_or_fixed_headers_are_suffixed() {
        let resource = "path: /things\nactions:\n  get:\n    method: GET\n    summary: A thing\n    \
             scopes: [things.get]\n    query:\n      - { name: timeout, type: integer }\n      \
             - { name: acceptVersion, type: string }\n      - { name: limit, type: integer }\n    \
             responses:\n      200: { schema: error, description: x }\n";
        let ir = lowered(
            "headers:\n  - name: Accept-Version\n    value: '1'\n",
            resource,
            &[],
        );
        let setters: Vec<&str> = ir.resources[0].actions[0]
            .query
            .iter()
            .map(|p| p.rust.as_str())
            .collect();
        assert_eq!(setters, ["timeout_param", "accept_version_param", "limit"]);
    }

    /// Enumerations of other values than strings keep their base type and check the values;
    /// so does a `const` that is not a string.
    #[test]
    fn enumerations_that_are_not_all_strings_check_their_values() {
        let m = "title: M\ntype: object\nproperties:\n  mixed: { enum: [a, 1] }\n  \
                 fixed: { type: integer, const: 5 }\n  word: { type: string, const: on }\n";
        let ir = lowered("", THINGS, &[("m", m)]);
        let mixed = field_of(&ir, "M", "mixed");
        assert_eq!(mixed.ty.kind, TyKind::Any);
        assert_eq!(
            mixed.ty.checks.one_of_values,
            Some(vec![Value::from("a"), Value::from(1)])
        );
        let fixed = field_of(&ir, "M", "fixed");
        assert_eq!(fixed.ty.kind, TyKind::Integer);
        assert_eq!(fixed.ty.checks.one_of_values, Some(vec![Value::from(5)]));
        // A string `const` is an enumeration of one value.
        assert!(matches!(
            field_of(&ir, "M", "word").ty.kind,
            TyKind::Named { .. }
        ));
    }

    /// Definitions are types: those that make a type of their own (an object, a string
    /// enumeration, an `allOf` over a reference, a union with an object) are that type, the
    /// others (a string with a pattern, a list, an enumeration of numbers, a nullable
    /// reference) are aliases named like one; each is made once however often it is used. A
    /// definition or file whose object also allows `null` is nullable wherever it is used.
    #[test]
    fn definitions_become_their_own_types_or_aliases_made_once() {
        let d = "title: D\ntype: object\nproperties:\n  \
                 code: { $ref: '#/definitions/code' }\n  \
                 codeAgain: { $ref: '#/definitions/code' }\n  \
                 colour: { $ref: '#/definitions/colour' }\n  \
                 thing: { $ref: '#/definitions/thing' }\n  \
                 shape: { $ref: '#/definitions/shape' }\n  \
                 list: { $ref: '#/definitions/list' }\n  \
                 levels: { $ref: '#/definitions/levels' }\n  \
                 maybe: { $ref: '#/definitions/maybe' }\n  \
                 maybeThing: { $ref: '#/definitions/maybeThing' }\n  \
                 either: { $ref: '#/definitions/either' }\n  \
                 file: { $ref: 'nullableThing.yaml' }\n  \
                 mixed: { $ref: '#/definitions/mixed' }\n  \
                 nothing: { $ref: '#/definitions/nothing' }\n\
                 definitions:\n  \
                 either: { description: the either, type: [string, integer] }\n  \
                 mixed: { description: the mixed, enum: [a, 1] }\n  \
                 nothing: { description: the nothing, enum: [null] }\n  \
                 code: { description: the code, type: string, pattern: '^[a-z]+$' }\n  \
                 colour: { description: the colour, type: string, enum: [red, green] }\n  \
                 thing:\n    description: the thing\n    type: object\n    \
                 properties:\n      x: { type: string }\n  \
                 shape:\n    description: the shape\n    allOf:\n      - { $ref: '#/definitions/thing' }\n      \
                 - { properties: { s: { type: integer } } }\n  \
                 list: { description: the list, type: array, items: { type: string } }\n  \
                 levels: { description: the levels, enum: [1, 2] }\n  \
                 maybe:\n    description: the maybe\n    oneOf:\n      - { type: 'null' }\n      \
                 - { $ref: '#/definitions/code' }\n  \
                 maybeThing:\n    description: the maybe thing\n    oneOf:\n      \
                 - { type: 'null' }\n      - { type: object, properties: { y: { type: string } } }\n";
        let nullable_file = "title: Nullable Thing\noneOf:\n  - { type: 'null' }\n  \
                             - { type: object, properties: { z: { type: string } } }\n";
        let ir = lowered("", THINGS, &[("d", d), ("nullableThing", nullable_file)]);
        let kind_of = |doc: &str| {
            let made: Vec<&TypeDef> = ir
                .types
                .iter()
                .filter(|t| t.doc.first().is_some_and(|d| d == doc))
                .collect();
            let [t] = made.as_slice() else {
                panic!("`{doc}` is {} types: {made:#?}", made.len());
            };
            assert!(
                !t.name.is_empty() && t.name.chars().all(|c| c.is_ascii_alphanumeric()),
                "`{doc}` is named `{}`",
                t.name
            );
            &t.kind
        };
        let alias_of = |doc: &str| match kind_of(doc) {
            TypeKind::Alias(ty) => ty.clone(),
            other => panic!("`{doc}` is not an alias: {other:?}"),
        };
        assert_eq!(alias_of("the code").kind, TyKind::String);
        assert!(alias_of("the code").checks.pattern.is_some());
        assert!(matches!(alias_of("the list").kind, TyKind::Array(_)));
        assert_eq!(
            alias_of("the levels").checks.one_of_values,
            Some(vec![Value::from(1), Value::from(2)])
        );
        assert_eq!(alias_of("the mixed").kind, TyKind::Any);
        assert!(alias_of("the nothing").nullable);
        let maybe = alias_of("the maybe");
        assert!(maybe.nullable && matches!(maybe.kind, TyKind::Named { .. }));
        assert!(matches!(kind_of("the either"), TypeKind::Union { .. }));
        assert!(matches!(kind_of("the colour"), TypeKind::StringEnum { .. }));
        assert!(matches!(kind_of("the thing"), TypeKind::Struct { .. }));
        let TypeKind::Struct { fields, .. } = kind_of("the shape") else {
            panic!("`the shape` is not a struct");
        };
        // The part it refers to is merged in, beside its own.
        let wires: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
        assert_eq!(wires, ["x", "s"]);
        // A nullable object is the object's struct, used as an `Option`.
        let maybe_thing = &field_of(&ir, "D", "maybeThing").ty;
        let TyKind::Named { name, .. } = &maybe_thing.kind else {
            panic!("`maybeThing` is {maybe_thing:?}");
        };
        assert!(maybe_thing.nullable);
        // So is a schema file that allows `null` besides its object.
        assert!(field_of(&ir, "D", "file").ty.nullable);
        assert!(
            ir.types
                .iter()
                .any(|t| t.name == *name && matches!(t.kind, TypeKind::Struct { .. }))
        );
        // Both uses of a definition name its one type.
        assert_eq!(
            field_of(&ir, "D", "code").ty.kind,
            field_of(&ir, "D", "codeAgain").ty.kind
        );
    }

    /// An action without a success body answers `None` for its empty body: its success type
    /// is a nullable JSON value.
    #[test]
    fn an_action_without_a_success_body_answers_an_optional_value() {
        let resource = "path: /things\nactions:\n  remove:\n    method: DELETE\n    \
             summary: Remove\n    scopes: [things.remove]\n    responses:\n      \
             204: { description: Gone }\n";
        let ir = lowered("", resource, &[]);
        let success = &ir.resources[0].actions[0].success;
        assert_eq!(success.kind, TyKind::Any);
        assert!(success.nullable);
    }

    /// A paginated action's page may be an alias of the struct with the items and the total.
    #[test]
    fn a_paginated_answer_may_be_an_alias_of_the_page() {
        let resource = "path: /things\nactions:\n  list:\n    method: GET\n    \
             summary: Every thing\n    scopes: [things.list]\n    paginated: true\n    \
             query:\n      - { name: page, type: integer }\n      \
             - { name: perPage, type: integer }\n    responses:\n      \
             200: { schema: pageAlias, description: A page }\n";
        let page = "title: Page\ntype: object\nproperties:\n  items:\n    type: array\n    \
                    items: { type: string }\n  totalCount: { type: integer }\n";
        let ir = lowered(
            "pagination:\n  page_param: page\n  per_page_param: perPage\n  \
             items_field: items\n  total_field: totalCount\n",
            resource,
            &[
                ("page", page),
                ("pageAlias", "title: Page Alias\n$ref: page.yaml\n"),
            ],
        );
        let pagination = ir.resources[0].actions[0]
            .pagination
            .as_ref()
            .expect("the alias is followed to the page's fields");
        assert_eq!(pagination.item.kind, TyKind::String);
    }

    /// A schema without `type` is an object when it has properties or a map of other members,
    /// an array when it has items.
    #[test]
    fn schemas_without_a_type_are_read_from_their_keywords() {
        let t = "title: T\ntype: object\nproperties:\n  \
                 counts: { additionalProperties: { type: integer } }\n  \
                 patterned: { patternProperties: { '^x': { type: string } } }\n  \
                 list: { items: { type: string } }\n";
        let ir = lowered("", THINGS, &[("t", t)]);
        let kind = |wire: &str| field_of(&ir, "T", wire).ty.kind.clone();
        assert_eq!(
            kind("counts"),
            TyKind::Map(Box::new(Ty::plain(TyKind::Integer)))
        );
        assert!(matches!(kind("patterned"), TyKind::Map(_)));
        assert_eq!(
            kind("list"),
            TyKind::Array(Box::new(Ty::plain(TyKind::String)))
        );
    }

    /// The map of an object's other members is a field too, whether they are described by
    /// `additionalProperties` or by `patternProperties`: a property cannot take its name.
    #[test]
    fn a_property_cannot_take_the_name_of_the_pattern_members_map() {
        let p = "title: P\ntype: object\npatternProperties:\n  '^x': { type: string }\n\
                 properties:\n  additionalProperties: { type: string }\n";
        let problems = lower_spec("", THINGS, &[("p", p)])
            .expect_err("the property and the map would be one field")
            .to_string();
        assert!(
            problems.contains("the map of the other members both become the Rust field"),
            "{problems}"
        );
    }

    /// Untitled branches of an untagged union are named by what they hold; only bare unions
    /// (nothing but the branches and documentation) nested in a union are flattened into it,
    /// and only bare lists of scalar types become a branch per type.
    #[test]
    fn untitled_branches_are_named_by_what_they_hold() {
        let u = "title: U\ntype: object\nproperties:\n  \
                 value:\n    description: the value\n    oneOf:\n      \
                 - { type: string }\n      - { items: { type: string } }\n      \
                 - { additionalProperties: { type: integer } }\n  \
                 nested:\n    description: the nested\n    oneOf:\n      \
                 - { title: Inner, oneOf: [{ type: string }, { type: integer }] }\n      \
                 - { type: boolean }\n  \
                 nestedAny:\n    description: the nested any\n    anyOf:\n      \
                 - { description: inner, $comment: c, anyOf: [{ type: string }, { type: integer }] }\n      \
                 - { type: boolean }\n  \
                 lists:\n    description: the lists\n    oneOf:\n      \
                 - { title: Code, type: [string, integer] }\n      \
                 - { type: [boolean, array] }\n      - { type: [number, boolean] }\n  \
                 shared:\n    description: the shared\n    oneOf:\n      \
                 - { type: object, properties: { a: { type: string } } }\n      \
                 - { type: object, properties: { a: { type: integer }, b: { type: string } } }\n";
        let ir = lowered("", THINGS, &[("u", u)]);
        let variants = |doc: &str| -> Vec<String> {
            let TypeKind::Union { variants, .. } = &type_with_doc(&ir, doc).kind else {
                panic!("`{doc}` is not a union");
            };
            variants.iter().map(|v| v.name.clone()).collect()
        };
        assert_eq!(variants("the value"), ["String", "List", "Map"]);
        assert_eq!(variants("the nested"), ["Inner", "Boolean"]);
        assert_eq!(variants("the nested any"), ["String", "Integer", "Boolean"]);
        // Only an untitled list of scalar types, with nothing else, is a branch per type.
        assert_eq!(
            variants("the lists"),
            ["Code", "Value", "Number", "Boolean"]
        );
        // A branch of one property is named by it even when the other branches have it too.
        assert_eq!(variants("the shared"), ["A", "B"]);
    }

    /// A branch named by its JSON type whose payload took a name of its own (here by the
    /// shape of an enumeration named elsewhere) is named after that type; one whose payload
    /// is named after the union and the variant (`Mixed` + `Object`) keeps its name.
    #[test]
    fn branches_of_a_named_type_are_named_after_it() {
        let u = "title: U\ntype: object\nproperties:\n  \
                 direction: { type: string, enum: [asc, desc] }\n  \
                 defaultDirection:\n    description: the default\n    oneOf:\n      \
                 - { type: string, enum: [asc, desc] }\n      \
                 - { type: string, pattern: '.*[{][{].+[}][}].*' }\n  \
                 mixed:\n    description: the mixed\n    oneOf:\n      \
                 - { type: object, properties: { x: { type: string }, y: { type: string }, z: { type: string } } }\n      \
                 - { type: integer }\n";
        let ir = lowered("", THINGS, &[("u", u)]);
        let variants = |doc: &str| -> Vec<(String, String)> {
            let TypeKind::Union { variants, .. } = &type_with_doc(&ir, doc).kind else {
                panic!("`{doc}` is not a union");
            };
            variants
                .iter()
                .map(|v| {
                    let held = match &v.payload {
                        Payload::Type(ty) => format!("{:?}", ty.kind),
                        other => format!("{other:?}"),
                    };
                    (v.name.clone(), held)
                })
                .collect()
        };
        let default = variants("the default");
        assert_eq!(default[0].0, "Direction", "{default:?}");
        assert!(default[0].1.contains("\"Direction\""), "{default:?}");
        // The plain string keeps the name it had beside a `String`.
        assert_eq!(default[1].0, "Value", "{default:?}");
        let mixed = variants("the mixed");
        assert_eq!(mixed[0].0, "Object", "{mixed:?}");
        assert!(mixed[0].1.contains("\"MixedObject\""), "{mixed:?}");
        assert_eq!(mixed[1].0, "Integer", "{mixed:?}");
    }

    /// A union of untitled inline objects whose properties allow only fixed strings (by `enum`
    /// or `const`) is tagged by them; a tag with one value in every branch names no variant;
    /// branches of several values that would share a payload name are named by all their
    /// values; titled branches, branches that refer to a schema, or a property allowing no value,
    /// make an untagged union.
    #[test]
    fn tagged_unions_are_named_by_the_tags_that_vary() {
        let v = "title: V\ntype: object\nproperties:\n  \
                 op:\n    description: the op\n    oneOf:\n      \
                 - { type: object, properties: { kind: { const: set }, version: { const: v1 }, \
                 value: { type: string } } }\n      \
                 - { type: object, properties: { kind: { enum: [add, remove] }, \
                 version: { const: v1 }, amount: { type: integer } } }\n      \
                 - { type: object, properties: { kind: { enum: [start, stop] }, \
                 version: { const: v1 }, at: { type: string } } }\n      \
                 - { type: object, properties: { kind: { enum: [onOff, onAndOff] }, \
                 version: { const: v1 }, level: { type: integer } } }\n  \
                 titled:\n    description: the titled\n    oneOf:\n      \
                 - { title: First, type: object, properties: { kind: { const: a }, x: { type: string } } }\n      \
                 - { title: Second, type: object, properties: { kind: { const: b }, y: { type: string } } }\n  \
                 none:\n    description: the none\n    oneOf:\n      \
                 - { type: object, properties: { kind: { enum: [] }, x: { type: string } } }\n      \
                 - { type: object, properties: { kind: { const: b }, y: { type: string } } }\n  \
                 referred:\n    description: the referred\n    oneOf:\n      \
                 - { $ref: '#/definitions/a', properties: { kind: { const: a } } }\n      \
                 - { type: object, properties: { kind: { const: b }, y: { type: string } } }\n\
                 definitions:\n  \
                 a: { type: object, properties: { kind: { const: a }, x: { type: string } } }\n";
        let ir = lowered("", THINGS, &[("v", v)]);
        let union = |doc: &str| -> (Vec<String>, Vec<String>) {
            let TypeKind::Union { variants, .. } = &type_with_doc(&ir, doc).kind else {
                panic!("`{doc}` is not a union");
            };
            let names = variants.iter().map(|v| v.name.clone()).collect();
            let payloads = variants
                .iter()
                .filter_map(|v| match v.ty().map(|t| &t.kind) {
                    Some(TyKind::Named { name, .. }) => Some(name.clone()),
                    _ => None,
                })
                .collect();
            (names, payloads)
        };
        let (names, payloads) = union("the op");
        assert_eq!(
            names,
            [
                "Set", "Add", "Remove", "Start", "Stop", "OnOff", "OnAndOff", "Other"
            ]
        );
        // `OnOff` and `OnAndOff` share `On`; the others share nothing.
        assert!(
            payloads.iter().any(|p| p.ends_with("AddOrRemove"))
                && payloads.iter().any(|p| p.ends_with("StartOrStop"))
                && payloads.iter().any(|p| p.ends_with("On")),
            "{payloads:?}"
        );
        // A branch that refers to a schema is that schema, whatever its other keywords say.
        assert!(!union("the referred").0.contains(&"Other".to_owned()));
        assert_eq!(union("the titled").0, ["First", "Second"]);
        // An empty enumeration allows no value: it tags nothing, and loses no branch.
        assert_eq!(union("the none").0, ["X", "Y"]);
    }

    /// Lowering an unchecked spec reports a reference that leads nowhere, where it is.
    #[test]
    fn a_reference_that_leads_nowhere_is_reported() {
        let r = "title: R\ntype: object\nproperties:\n  gone: { $ref: 'missing.yaml' }\n";
        let problems = lower_spec("", THINGS, &[("r", r)])
            .expect_err("the reference leads nowhere")
            .to_string();
        assert!(problems.contains("missing"), "{problems}");
    }
}
