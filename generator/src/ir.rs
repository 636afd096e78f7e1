//! The intermediate representation: the spec resolved into Rust-shaped facts (type names, field
//! names, resolved references, request shapes), so that emitting code is a plain walk.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// Everything the emitter needs.
#[derive(Debug, Clone)]
pub struct Ir {
    /// API-wide settings.
    pub api: ApiIr,
    /// Every named Rust type, in a stable order.
    pub types: Vec<TypeDef>,
    /// The resources, sorted by name.
    pub resources: Vec<ResourceIr>,
    /// Distinct regular expressions used by validations; [`Checks::pattern`] indexes this.
    pub patterns: Vec<String>,
}

impl Ir {
    /// The named type called `name`.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The names of the named types that values of `roots` can contain, directly or not.
    /// (Indexes the types first; to walk from many roots, index once with [`Ir::graph`].)
    pub fn reachable(&self, roots: Vec<Ty>) -> HashSet<String> {
        self.graph().reachable(roots)
    }

    /// The named types indexed by name, for walking from type to type.
    pub fn graph(&self) -> TypeGraph<'_> {
        TypeGraph {
            index: self.types.iter().map(|t| (t.name.as_str(), t)).collect(),
        }
    }
}

/// The named types of an [`Ir`] by name: walks cost what they visit, not the number of types.
pub struct TypeGraph<'a> {
    index: HashMap<&'a str, &'a TypeDef>,
}

impl<'a> TypeGraph<'a> {
    /// The names of the named types that values of `roots` can contain, directly or not.
    pub fn reachable(&self, roots: Vec<Ty>) -> HashSet<String> {
        let mut seen = HashSet::new();
        self.walk(roots, |name, def| {
            if def.is_some() {
                seen.insert(name.to_owned());
            }
        });
        seen
    }

    /// Calls `visit` once for each name that values of `roots` can name, directly or not, with
    /// the type of that name, or `None` for a name that is not one of the IR's types (the
    /// walk stops there).
    pub fn walk(&self, roots: Vec<Ty>, mut visit: impl FnMut(&str, Option<&'a TypeDef>)) {
        let mut seen: HashSet<String> = HashSet::new();
        let mut stack = roots;
        while let Some(ty) = stack.pop() {
            match ty.kind {
                TyKind::Named { name, .. } => {
                    if seen.contains(&name) {
                        continue;
                    }
                    let def = self.index.get(name.as_str()).copied();
                    visit(&name, def);
                    seen.insert(name);
                    if let Some(def) = def {
                        stack.extend(def.uses().cloned());
                    }
                }
                TyKind::Array(inner) | TyKind::Map(inner) => stack.push(*inner),
                _ => {}
            }
        }
    }
}

impl ActionIr {
    /// Every type the action's request, responses, errors and events use.
    pub fn types(&self) -> Vec<Ty> {
        let params = self
            .path_params
            .iter()
            .chain(&self.query)
            .chain(&self.headers)
            .chain(&self.multipart);
        params
            .map(|p| p.ty.clone())
            .chain(self.body.iter().map(|b| b.ty.clone()))
            .chain(
                self.responses
                    .iter()
                    .chain(&self.errors)
                    .map(|r| r.ty.clone()),
            )
            .chain(self.events.iter().map(|e| e.ty.clone()))
            .chain(std::iter::once(self.success.clone()))
            .collect()
    }
}

/// API-wide settings.
#[derive(Debug, Clone)]
pub struct ApiIr {
    /// Human name of the API.
    pub title: String,
    /// What the API is.
    pub description: Option<String>,
    /// The API version.
    pub version: String,
    /// Default base URL.
    pub base_url: String,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Parameters every action accepts.
    pub global_params: Vec<ParamIr>,
    /// Field of error bodies holding the error kind.
    pub error_type_field: String,
    /// Field of error bodies holding the message.
    pub error_message_field: String,
    /// The environment variable holding the API token.
    pub token_env_var: String,
    /// The environment variable holding a base URL to use instead of the default.
    pub base_url_env_var: String,
    /// The actions that exchange credentials for a token, in the order they are tried.
    pub logins: Vec<LoginIr>,
}

/// A login (`auth.logins` in `api.yaml`), resolved to its request builder.
#[derive(Debug, Clone)]
pub struct LoginIr {
    /// Its name (`user`).
    pub name: String,
    /// The action's id (`auth.login`).
    pub action: String,
    /// The module of the action's resource (`auth`).
    pub module: String,
    /// The action's request builder (`AuthLoginRequest`).
    pub builder: String,
    /// Body members and the variables that must be set for them.
    pub env: Vec<(String, String)>,
    /// Body members and the variables read for them when set.
    pub optional_env: Vec<(String, String)>,
    /// The answer's member holding the token.
    pub token_field: String,
}

/// Where a named type is emitted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Home {
    /// `models/<file>.rs`
    Models(String),
    /// The resource module `<module>.rs`.
    Resource(String),
}

/// A named Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// Where it is emitted.
    pub home: Home,
    /// Title and description, for the doc comment.
    pub doc: Vec<String>,
    /// An example value, when the spec gives one.
    pub example: Option<Value>,
    /// The id of the named schema this type is the root of (`orgPost`), if it is one.
    pub schema_id: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// Whether it is (part of) a request, and so needs client-side validation.
    pub in_request: bool,
}

impl TypeDef {
    /// The types its values hold directly: its fields' (and further properties'), its
    /// variants', or the one it is another name for.
    pub fn uses(&self) -> Box<dyn Iterator<Item = &Ty> + '_> {
        match &self.kind {
            TypeKind::Struct { fields, additional } => {
                Box::new(fields.iter().map(|f| &f.ty).chain(additional))
            }
            TypeKind::Union { variants, .. } => Box::new(variants.iter().filter_map(Variant::ty)),
            TypeKind::Alias(ty) => Box::new(std::iter::once(ty)),
            TypeKind::StringEnum { .. } => Box::new(std::iter::empty()),
        }
    }
}

/// The shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with known properties.
    Struct {
        /// Its properties, in spec order.
        fields: Vec<Field>,
        /// Values of further properties (`additionalProperties`/`patternProperties`), kept in a
        /// flattened map.
        additional: Option<Ty>,
    },
    /// A string enumeration; unknown values decode into an `Unknown(String)` variant.
    StringEnum {
        /// `(Rust variant name, wire value)`, in spec order.
        variants: Vec<(String, String)>,
    },
    /// One of several shapes (`oneOf`/`anyOf`, type lists). With `tags`, the branches are
    /// told apart by properties that hold one fixed value in each (a tagged union); otherwise
    /// a value decodes as the variant that keeps the most of it.
    Union {
        /// The variants, in spec order.
        variants: Vec<Variant>,
        /// For a tagged union: the wire names of the properties whose values tell the
        /// variants apart (each variant gives its values in [`Variant::tags`]).
        tags: Option<Vec<String>>,
    },
    /// Another name for a type (a named schema that is not an object, enum or union, or one
    /// whose shape an earlier schema already has).
    Alias(Ty),
}

/// A variant of a union.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// What it holds.
    pub payload: Payload,
    /// For a tagged union: `(wire property, value)` for each tag property.
    pub tags: Vec<(String, String)>,
    /// What the branch is, for the variant's doc comment.
    pub doc: Option<String>,
}

impl Variant {
    /// The type the variant holds, if it holds one.
    pub fn ty(&self) -> Option<&Ty> {
        match &self.payload {
            Payload::Type(ty) | Payload::CatchAll(ty) => Some(ty),
            Payload::Null | Payload::Unit => None,
        }
    }
}

/// What a union variant holds.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A value of this type.
    Type(Ty),
    /// JSON `null` (a `null` branch of the union).
    Null,
    /// Nothing besides its tags (a tagged branch with no other property).
    Unit,
    /// Any value the other variants do not accept, kept as it is (a schema without a `type`
    /// accepts any JSON value besides the objects its properties describe).
    CatchAll(Ty),
}

/// A property of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name on the wire.
    pub wire: String,
    /// Rust name (`snake_case`, maybe a keyword: see `names::ident`).
    pub rust: String,
    /// Its type.
    pub ty: Ty,
    /// Whether the schema requires it.
    pub required: bool,
    /// Its description.
    pub doc: Option<String>,
    /// An example of its value, taken from the enclosing schema's example.
    pub example: Option<Value>,
}

/// A use of a type, with the constraints of that use.
#[derive(Debug, Clone, PartialEq)]
pub struct Ty {
    /// What type.
    pub kind: TyKind,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// Constraints checked before sending.
    pub checks: Checks,
}

impl Ty {
    /// A type without constraints.
    pub fn plain(kind: TyKind) -> Self {
        Ty {
            kind,
            nullable: false,
            checks: Checks::default(),
        }
    }
}

/// The Rust type of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum TyKind {
    /// `String`
    String,
    /// `i64`
    Integer,
    /// `f64`
    Number,
    /// `bool`
    Boolean,
    /// `chrono::DateTime<FixedOffset>` (`format: date-time`), keeping the sender's offset
    DateTime,
    /// `serde_json::Value`: anything
    Any,
    /// A file part of a multipart body (`runtime::FilePart`).
    File,
    /// A named type; `boxed` where it may be recursive.
    Named {
        /// Rust name.
        name: String,
        /// Whether it is held in a `Box`.
        boxed: bool,
    },
    /// `Vec<T>`
    Array(Box<Ty>),
    /// `BTreeMap<String, T>`
    Map(Box<Ty>),
}

/// Constraints on a value, from JSON Schema validation keywords.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct Checks {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// Index into [`Ir::patterns`].
    pub pattern: Option<usize>,
    /// `(bound, exclusive)`
    pub minimum: Option<(f64, bool)>,
    /// `(bound, exclusive)`
    pub maximum: Option<(f64, bool)>,
    pub multiple_of: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// Allowed values of a non-string enumeration (string enumerations are typed).
    pub one_of_values: Option<Vec<Value>>,
}

impl Checks {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }
}

/// A resource and its actions.
#[derive(Debug, Clone)]
pub struct ResourceIr {
    /// Spec name (`instanceOrg`).
    pub name: String,
    /// Rust module and accessor name (`instance_org`).
    pub module: String,
    /// Rust type of the resource handle (`InstanceOrg`).
    pub type_name: String,
    /// What the resource is.
    pub description: Option<String>,
    /// The actions, in spec order.
    pub actions: Vec<ActionIr>,
}

/// One action: one request builder.
#[derive(Debug, Clone)]
pub struct ActionIr {
    /// Spec name (`get`).
    pub name: String,
    /// Operation id (`orgs.get`).
    pub id: String,
    /// Rust method name on the resource handle (`get`).
    pub fn_name: String,
    /// Rust name of the request builder (`OrgsGet`).
    pub builder: String,
    /// HTTP method, upper case.
    pub method: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: Option<String>,
    /// Full path template.
    pub path: String,
    /// Path parameters, in template order.
    pub path_params: Vec<ParamIr>,
    /// Query parameters.
    pub query: Vec<ParamIr>,
    /// Header parameters.
    pub headers: Vec<ParamIr>,
    /// The JSON body.
    pub body: Option<BodyIr>,
    /// The fields of a `multipart/form-data` body.
    pub multipart: Vec<ParamIr>,
    /// For an event-stream action: its events, in spec order.
    pub events: Vec<EventIr>,
    /// Whether OAuth tokens are refused.
    pub deny_oauth_tokens: bool,
    /// Whether tokens of unverified users are accepted.
    pub allow_unverified: bool,
    /// The type a success decodes into (for an action whose success statuses carry different
    /// bodies, the enum named `by_status`'s `name`).
    pub success: Ty,
    /// For an action whose success statuses carry different bodies: the enum that says which
    /// came back.
    pub by_status: Option<StatusEnum>,
    /// Whether sending the request twice has the same effect as once (an idempotent method,
    /// or an action the spec marks `idempotent`).
    pub idempotent: bool,
    /// For an event stream: the query parameter asking for keep-alives (Rust name) and its
    /// default in seconds.
    pub keep_alive: Option<(String, Option<i64>)>,
    /// The id of the named schema of the success response `success` comes from, if any.
    pub success_schema: Option<String>,
    /// Success responses.
    pub responses: Vec<ResponseIr>,
    /// Error responses.
    pub errors: Vec<ResponseIr>,
    /// Accepted token scopes.
    pub scopes: Vec<String>,
    /// How the action pages, if it does.
    pub pagination: Option<PaginationIr>,
    /// Whether the action is deprecated.
    pub deprecated: bool,
}

/// A parameter of an action.
#[derive(Debug, Clone)]
pub struct ParamIr {
    /// Wire name.
    pub wire: String,
    /// Rust name.
    pub rust: String,
    /// Its type.
    pub ty: Ty,
    /// Whether the caller must give it.
    pub required: bool,
    /// What it means.
    pub description: Option<String>,
    /// The server's default.
    pub default: Option<Value>,
    /// An example.
    pub example: Option<Value>,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// `query` or `header` (global parameters only).
    pub location: String,
    /// Whether a structured query value is sent as one JSON text (else in bracket form).
    pub json_encoded: bool,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct BodyIr {
    /// Rust argument name.
    pub rust: String,
    /// Its type.
    pub ty: Ty,
    /// Whether it is required.
    pub required: bool,
    /// What it holds.
    pub description: Option<String>,
    /// The body schema's published example.
    pub example: Option<Value>,
    /// The id of the body's named schema.
    pub schema_id: String,
}

/// One kind of server-sent event of a streaming action.
#[derive(Debug, Clone)]
pub struct EventIr {
    /// Event name on the wire.
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// Type of the event's JSON data.
    pub ty: Ty,
    /// What the event is.
    pub description: Option<String>,
}

/// The answer of an action whose success statuses carry different bodies: one variant per
/// status, and one for a status the spec does not list.
#[derive(Debug, Clone)]
pub struct StatusEnum {
    /// Rust name of the enum (`DevicesDeleteResponse`).
    pub name: String,
    /// `(status, variant name, body type or None for no body, description)`, by status.
    pub variants: Vec<(u16, String, Option<Ty>, String)>,
}

/// A documented response.
#[derive(Debug, Clone)]
pub struct ResponseIr {
    /// HTTP status.
    pub status: u16,
    /// Rust type of the body.
    pub ty: Ty,
    /// The id of the body's named schema, if it has a body.
    pub schema_id: Option<String>,
    /// The first published example of that schema, if it has one.
    pub example: Option<Value>,
    /// When it is sent.
    pub description: String,
}

/// How a list action pages.
#[derive(Debug, Clone)]
pub struct PaginationIr {
    /// Rust name of the page parameter.
    pub page_param: String,
    /// Rust name of the page-size parameter.
    pub per_page_param: String,
    /// Rust field of the response holding the items, and whether it is optional.
    pub items_field: (String, bool),
    /// Rust field of the response holding the total, and whether it is optional.
    pub total_field: (String, bool),
    /// Type of one item.
    pub item: Ty,
}
