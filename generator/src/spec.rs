//! The spec's data model: what `spec/` says, as typed Rust values.
//!
//! Every struct denies unknown keys, so a misspelt key is an error rather than a silently
//! ignored setting. Keys that are our own are `snake_case`; keys that are JSON Schema keywords
//! (in schemas and in parameters) keep their JSON Schema spelling (`minLength`, `$ref`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// A whole spec folder: `api.yaml`, `resources/*.yaml` and `schemas/*.yaml`.
#[derive(Debug, Clone)]
pub struct Spec {
    /// API-wide settings from `api.yaml`.
    pub api: Api,
    /// The resources, sorted by name.
    pub resources: Vec<Resource>,
    /// The named schemas, sorted by id.
    pub schemas: Vec<NamedSchema>,
    /// The text of every file, by path relative to the spec folder (to show problems in it).
    pub sources: BTreeMap<PathBuf, String>,
}

impl Spec {
    /// The schema with this id (its file stem), if any.
    pub fn schema(&self, id: &str) -> Option<&NamedSchema> {
        self.schemas.iter().find(|s| s.id == id)
    }
}

/// `api.yaml`: settings that hold for every action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Human name of the API.
    pub title: String,
    /// What the API is.
    #[serde(default)]
    pub description: Option<String>,
    /// The API version the spec describes.
    pub version: String,
    /// Default base URL of the API.
    pub base_url: String,
    /// How requests authenticate.
    pub auth: Auth,
    /// Headers with fixed values sent with every request.
    #[serde(default)]
    pub headers: Vec<FixedHeader>,
    /// Parameters every action accepts (each with `in: query` or `in: header`).
    #[serde(default)]
    pub global_params: Vec<Param>,
    /// The body of error responses.
    pub error: ErrorBody,
    /// How list actions page, for actions marked `paginated: true`.
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// The environment variables a client configured from the environment reads.
    #[serde(default)]
    pub env: EnvVars,
    /// How event-stream actions ask for keep-alives.
    #[serde(default)]
    pub event_streams: Option<EventStreams>,
    /// Names for types that the naming rules would name badly or could not name, each with
    /// the reason.
    #[serde(default)]
    pub type_names: Vec<TypeNameOverride>,
}

/// A type's name, set by hand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeNameOverride {
    /// Where the schema is: `SCHEMA_ID` for a schema file, `SCHEMA_ID#/json/pointer` for a
    /// schema inside one (`devicesPatch#/properties/updateOperations/items`).
    pub at: String,
    /// The Rust type name to give it.
    pub name: String,
    /// Whether every schema of the same shape takes the name too (one type for a shape that
    /// recurs under many property names, such as a query operator's value filter).
    #[serde(default)]
    pub share: bool,
    /// Why the rules' name does not do.
    pub reason: String,
}

/// The environment variables a client configured from the environment reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvVars {
    /// The variable holding the API token (default `API_TOKEN`).
    #[serde(default = "default_token_var")]
    pub token: String,
    /// The variable holding a base URL to use instead of the default (default `API_URL`).
    #[serde(default = "default_url_var")]
    pub base_url: String,
}

impl Default for EnvVars {
    fn default() -> Self {
        EnvVars {
            token: default_token_var(),
            base_url: default_url_var(),
        }
    }
}

fn default_token_var() -> String {
    "API_TOKEN".into()
}

fn default_url_var() -> String {
    "API_URL".into()
}

/// How event-stream actions ask the server for keep-alives, from which the client derives how
/// long a stream may stay silent before it gives up on it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventStreams {
    /// The integer query parameter (in seconds) by which a streaming action asks for
    /// keep-alives; its value, or its default, sets the stream's idle limit.
    pub keep_alive_param: String,
}

/// How requests authenticate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The scheme; `bearer` (an `Authorization: Bearer <token>` header) is the one supported.
    pub scheme: String,
    /// Actions that exchange credentials for a token, in the order a client configured from
    /// the environment tries them.
    #[serde(default)]
    pub logins: Vec<Login>,
}

/// An action that exchanges credentials for a token (`auth.logins` in `api.yaml`). A client
/// configured from the environment logs in with it when the token variable is not set and
/// the login's own variables are: it sends them as the members of the action's JSON body and
/// reads the token from the answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// A short name for this kind of login (`user`), used in docs and messages.
    pub name: String,
    /// The action, as `resource.action` (`auth.login`). It must accept requests
    /// without a token (no `scopes`) and take a JSON body.
    pub action: String,
    /// The member of the action's answer that holds the token.
    pub token_field: String,
    /// Body members read from environment variables, each of which must be set: member name
    /// to variable name.
    pub env: IndexMap<String, String>,
    /// Body members read from environment variables when they are set.
    #[serde(default)]
    pub optional_env: IndexMap<String, String>,
}

/// A header sent with a fixed value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
    /// Why it is sent.
    #[serde(default)]
    pub description: Option<String>,
}

/// Where the type and message of an error response are found.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// Id of the schema of error bodies.
    pub schema: String,
    /// Field holding the error's kind.
    pub type_field: String,
    /// Field holding the human-readable message.
    pub message_field: String,
}

/// The paging convention of list actions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Query parameter naming the page (counted from 0).
    pub page_param: String,
    /// Query parameter naming the page size.
    pub per_page_param: String,
    /// Response field holding the page's items (an array).
    pub items_field: String,
    /// Response field holding the total number of items.
    pub total_field: String,
}

/// A resource: one file `resources/NAME.yaml`.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The resource's name: its file stem (`instanceOrg`).
    pub name: String,
    /// The file it was loaded from, relative to the spec folder.
    pub file: PathBuf,
    /// The file's content.
    pub body: ResourceBody,
}

/// What a resource file holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceBody {
    /// What the resource is.
    #[serde(default)]
    pub description: Option<String>,
    /// Path template, with `{param}` placeholders (`/instances/{instanceId}/orgs/{orgId}`).
    pub path: String,
    /// The path's parameters, in the order they appear in the template.
    #[serde(default)]
    pub path_params: Vec<Param>,
    /// The resource's actions by name, in spec order.
    #[serde(deserialize_with = "unique_keys")]
    pub actions: IndexMap<String, Action>,
}

/// One action of a resource.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// HTTP method, upper case.
    pub method: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
    /// Path suffix appended to the resource's path (`/deviceCounts`).
    #[serde(default)]
    pub path: Option<String>,
    /// Parameters of the path suffix.
    #[serde(default)]
    pub path_params: Vec<Param>,
    /// Token scopes accepted by the action: a token needs at least one.
    pub scopes: Vec<String>,
    /// Whether the action pages (see `Api::pagination`).
    #[serde(default)]
    pub paginated: bool,
    /// Whether sending the request twice has the same effect as sending it once although its
    /// method is not idempotent (a `POST` that only reads, such as a query): the client may
    /// then retry it like a `GET`. Idempotent methods (`GET`, `PUT`, `DELETE`, ...) need not
    /// say so.
    #[serde(default)]
    pub idempotent: bool,
    /// Query parameters.
    #[serde(default)]
    pub query: Vec<Param>,
    /// Header parameters.
    #[serde(default)]
    pub headers: Vec<Param>,
    /// The JSON request body.
    #[serde(default)]
    pub body: Option<Body>,
    /// A `multipart/form-data` body instead of a JSON one: its fields (`type: file` for file
    /// parts; `object` values are sent as JSON text).
    #[serde(default)]
    pub multipart: Vec<Param>,
    /// Success responses by status.
    #[serde(deserialize_with = "unique_keys")]
    pub responses: IndexMap<u16, Response>,
    /// Error responses by status.
    #[serde(default, deserialize_with = "unique_keys")]
    pub errors: IndexMap<u16, Response>,
    /// Whether the action is deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// Whether OAuth tokens are refused by this action (only API tokens and user tokens work).
    #[serde(default)]
    pub deny_oauth_tokens: bool,
    /// Whether tokens of users with unverified email addresses are accepted.
    #[serde(default)]
    pub allow_unverified: bool,
}

/// A request body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Name of the body (used for the Rust argument).
    pub name: String,
    /// Id of the body's schema.
    pub schema: String,
    /// Whether the body is required.
    #[serde(default)]
    pub required: bool,
    /// What the body holds.
    #[serde(default)]
    pub description: Option<String>,
}

/// A response: a JSON body (`schema`), or a stream of server-sent events (`events`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Id of the response body's schema.
    #[serde(default)]
    pub schema: Option<String>,
    /// For a `text/event-stream` response: the events by name, each with its data's schema.
    #[serde(default, deserialize_with = "unique_keys")]
    pub events: IndexMap<String, Event>,
    /// When the response is sent.
    pub description: String,
}

/// One kind of server-sent event.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Id of the schema of the event's data (JSON).
    pub schema: String,
    /// What the event is.
    #[serde(default)]
    pub description: Option<String>,
}

/// A path, query or header parameter. Its value's type is described either by the flat JSON
/// Schema keywords (`type`, `enum`, `pattern`, ...) or by a full `schema`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Wire name.
    pub name: String,
    /// Where it goes (`query` or `header`); only used in `api.yaml`'s `global_params`.
    #[serde(default, rename = "in")]
    pub location: Option<String>,
    /// What it means.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the caller must give it. Path parameters always are.
    #[serde(default)]
    pub required: bool,
    /// Whether it is deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// JSON Schema `type`.
    #[serde(default, rename = "type")]
    pub ty: Option<TypeSet>,
    /// JSON Schema `format`.
    #[serde(default)]
    pub format: Option<String>,
    /// JSON Schema `enum`.
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<Value>>,
    /// The server's default.
    #[serde(default)]
    pub default: Option<Value>,
    /// An example value.
    #[serde(default)]
    pub example: Option<Value>,
    /// JSON Schema `pattern`.
    #[serde(default)]
    pub pattern: Option<String>,
    /// JSON Schema `minLength`.
    #[serde(default, rename = "minLength")]
    pub min_length: Option<u64>,
    /// JSON Schema `maxLength`.
    #[serde(default, rename = "maxLength")]
    pub max_length: Option<u64>,
    /// JSON Schema `minimum`.
    #[serde(default)]
    pub minimum: Option<f64>,
    /// JSON Schema `maximum`.
    #[serde(default)]
    pub maximum: Option<f64>,
    /// JSON Schema `items`, for `type: array`.
    #[serde(default)]
    pub items: Option<Box<Schema>>,
    /// A full schema for the value, instead of the flat keywords.
    #[serde(default)]
    pub schema: Option<Box<Schema>>,
    /// How a structured (object or array) query value is sent: `brackets` (the default:
    /// `tagFilter[0][key]=k&tagFilter[0][value]=v`) or `json` (one JSON-encoded value).
    #[serde(default)]
    pub encoding: Option<QueryEncoding>,
}

/// How a structured query value is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryEncoding {
    /// `name[0][key]=value` pairs.
    Brackets,
    /// `name=<JSON text>`.
    Json,
}

impl Param {
    /// The parameter's value type as one JSON Schema.
    pub fn value_schema(&self) -> Schema {
        if let Some(schema) = &self.schema {
            let mut schema = (**schema).clone();
            if schema.description.is_none() {
                schema.description.clone_from(&self.description);
            }
            return schema;
        }
        Schema {
            ty: self.ty.clone(),
            format: self.format.clone(),
            enum_values: self.enum_values.clone(),
            default: self.default.clone(),
            pattern: self.pattern.clone(),
            min_length: self.min_length,
            max_length: self.max_length,
            minimum: self.minimum,
            maximum: self.maximum,
            items: self.items.clone().map(Items::One),
            description: self.description.clone(),
            ..Schema::default()
        }
    }
}

/// A named schema: one file `schemas/ID.yaml`.
#[derive(Debug, Clone)]
pub struct NamedSchema {
    /// The schema's id: its file stem (`orgPost`), used by `schema:` and `$ref`.
    pub id: String,
    /// The file it was loaded from, relative to the spec folder.
    pub file: PathBuf,
    /// The schema.
    pub schema: Schema,
}

/// JSON Schema `type`: one name or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeSet {
    /// `type: string`
    One(TypeName),
    /// `type: [string, "null"]`
    Many(Vec<TypeName>),
}

impl TypeSet {
    /// The named types, in order.
    pub fn names(&self) -> Vec<TypeName> {
        match self {
            TypeSet::One(t) => vec![*t],
            TypeSet::Many(ts) => ts.clone(),
        }
    }
}

/// A JSON Schema primitive type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TypeName {
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `number`
    Number,
    /// `boolean`
    Boolean,
    /// `object`
    Object,
    /// `array`
    Array,
    /// `null`
    Null,
    /// A file: only for `multipart` parameters (not JSON Schema).
    File,
}

/// `additionalProperties`: `false`/`true` or a schema.
#[derive(Debug, Clone, PartialEq)]
pub enum BoolOrSchema {
    /// `true` or `false`
    Bool(bool),
    /// A schema for the values.
    Schema(Box<Schema>),
}

/// `items`: one schema for all items, or a tuple.
#[derive(Debug, Clone, PartialEq)]
pub enum Items {
    /// Every item has this schema.
    One(Box<Schema>),
    /// Tuple validation.
    Tuple(Vec<Schema>),
}

/// A JSON Schema (draft-07), with the keywords the generator understands.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Schema {
    #[serde(default, rename = "$schema")]
    pub meta_schema: Option<String>,
    #[serde(default, rename = "$id")]
    pub id: Option<String>,
    #[serde(default, rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default, rename = "$comment")]
    pub comment: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub ty: Option<TypeSet>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<Value>>,
    #[serde(default, rename = "const")]
    pub const_value: Option<Value>,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub examples: Option<Vec<Value>>,
    #[serde(default, rename = "readOnly")]
    pub read_only: Option<bool>,
    #[serde(default, rename = "writeOnly")]
    pub write_only: Option<bool>,
    #[serde(default)]
    pub deprecated: Option<bool>,
    // objects
    #[serde(default, deserialize_with = "unique_keys_opt")]
    pub properties: Option<IndexMap<String, Schema>>,
    #[serde(default)]
    pub required: Option<Vec<String>>,
    #[serde(default, rename = "additionalProperties")]
    pub additional_properties: Option<BoolOrSchema>,
    #[serde(default, rename = "patternProperties")]
    pub pattern_properties: Option<IndexMap<String, Schema>>,
    #[serde(default, rename = "propertyNames")]
    pub property_names: Option<Box<Schema>>,
    #[serde(default, rename = "minProperties")]
    pub min_properties: Option<u64>,
    #[serde(default, rename = "maxProperties")]
    pub max_properties: Option<u64>,
    // arrays
    #[serde(default)]
    pub items: Option<Items>,
    #[serde(default, rename = "additionalItems")]
    pub additional_items: Option<BoolOrSchema>,
    #[serde(default, rename = "minItems")]
    pub min_items: Option<u64>,
    #[serde(default, rename = "maxItems")]
    pub max_items: Option<u64>,
    #[serde(default, rename = "uniqueItems")]
    pub unique_items: Option<bool>,
    // strings
    #[serde(default, rename = "minLength")]
    pub min_length: Option<u64>,
    #[serde(default, rename = "maxLength")]
    pub max_length: Option<u64>,
    #[serde(default)]
    pub pattern: Option<String>,
    // numbers
    #[serde(default)]
    pub minimum: Option<f64>,
    #[serde(default)]
    pub maximum: Option<f64>,
    #[serde(default, rename = "exclusiveMinimum")]
    pub exclusive_minimum: Option<f64>,
    #[serde(default, rename = "exclusiveMaximum")]
    pub exclusive_maximum: Option<f64>,
    #[serde(default, rename = "multipleOf")]
    pub multiple_of: Option<f64>,
    // composition
    #[serde(default, rename = "oneOf")]
    pub one_of: Option<Vec<Schema>>,
    #[serde(default, rename = "anyOf")]
    pub any_of: Option<Vec<Schema>>,
    #[serde(default, rename = "allOf")]
    pub all_of: Option<Vec<Schema>>,
    #[serde(default)]
    pub not: Option<Box<Schema>>,
    #[serde(default)]
    pub definitions: Option<IndexMap<String, Schema>>,
}

// `type`, `items` and `additionalProperties` take one of two shapes. They are told apart by
// the shape found (not by trying each, as `#[serde(untagged)]` would), so an error inside
// keeps its own message and position instead of "did not match any variant".

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use std::fmt;

impl<'de> Deserialize<'de> for TypeSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TypeSet;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a type name or a list of type names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TypeSet, E> {
                TypeName::deserialize(de::value::StrDeserializer::<E>::new(v)).map(TypeSet::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<TypeSet, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(TypeSet::Many)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for BoolOrSchema {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BoolOrSchema;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`true`, `false` or a schema")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<BoolOrSchema, E> {
                Ok(BoolOrSchema::Bool(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BoolOrSchema, A::Error> {
                Schema::deserialize(MapAccessDeserializer::new(map))
                    .map(|s| BoolOrSchema::Schema(Box::new(s)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Items;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a schema or a list of schemas")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Items, A::Error> {
                Schema::deserialize(MapAccessDeserializer::new(map))
                    .map(|s| Items::One(Box::new(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Items, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(Items::Tuple)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Deserializes a map, refusing a key given twice (YAML parsers keep the last one silently).
pub(crate) fn unique_keys<'de, D, K, V>(deserializer: D) -> Result<IndexMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Deserialize<'de> + std::hash::Hash + Eq + fmt::Display,
    V: Deserialize<'de>,
{
    struct Unique<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K, V> Visitor<'de> for Unique<K, V>
    where
        K: Deserialize<'de> + std::hash::Hash + Eq + fmt::Display,
        V: Deserialize<'de>,
    {
        type Value = IndexMap<K, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = IndexMap::new();
            while let Some(key) = map.next_key::<K>()? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format!(
                        "duplicate key `{key}`: each key may appear once"
                    )));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

/// [`unique_keys`] for optional maps.
pub(crate) fn unique_keys_opt<'de, D, V>(
    deserializer: D,
) -> Result<Option<IndexMap<String, V>>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    unique_keys(deserializer).map(Some)
}
