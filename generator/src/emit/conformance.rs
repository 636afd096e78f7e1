//! Emit the conformance test of the generated crate: every named schema's published example
//! must decode into its Rust type and encode back to an equivalent JSON value, and every action
//! must send the request its spec describes (checked against a mock server) and accept the
//! response example. The test reads the examples from the spec folder at run time, so the
//! generated file holds no copy of them.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::{Options, cfg_any};
use crate::ir::{ActionIr, Home, Ir, ParamIr, ResourceIr, TyKind};
use crate::names::ident;

/// The value given to a path parameter that has no example.
const PLACEHOLDER: &str = "575ec8687ae143cd83dc4a97";

/// The path of the emitted file relative to the test folder.
pub const FILE: &str = "conformance.rs";

/// The conformance test file. `spec_dir` is the spec folder relative to the generated crate's
/// manifest folder (`../spec`); `model_features` gates each schema check by the features its
/// models file needs, when resources sit behind features.
pub fn emit_conformance(
    ir: &Ir,
    options: &Options,
    spec_dir: &str,
    model_features: Option<&BTreeMap<String, Option<BTreeSet<String>>>>,
) -> TokenStream {
    let krate = format_ident!("{}", options.crate_name.replace('-', "_"));
    let schemas_dir = format!("{}/schemas", spec_dir.trim_end_matches('/'));
    let checks = ir.types.iter().filter_map(|def| {
        let id = def.schema_id.as_ref()?;
        def.example.as_ref()?;
        let ty = format_ident!("{}", def.name);
        let path = match &def.home {
            Home::Models(file) => {
                let cfg = model_features.and_then(|f| f.get(file)).and_then(cfg_any);
                (cfg, quote!(#krate::models::#ty))
            }
            Home::Resource(module) => {
                let module = ident(module);
                let cfg = options
                    .resource_features
                    .then(|| quote!(#[cfg(feature = #module)]));
                (cfg, quote!(#krate::#module::#ty))
            }
        };
        let (cfg, path) = path;
        Some(quote! { #cfg check::<#path>(#id, &mut findings); })
    });
    let resource_tests = ir
        .resources
        .iter()
        .map(|r| resource_test(ir, options, &krate, r));
    quote! {
        //! Conformance of the generated code with the spec's examples: every named schema's
        //! example decodes and re-encodes to an equivalent value, and every action sends the
        //! request the spec describes (method, path, required query parameters) to a mock server
        //! and accepts the example response.
        // Deprecated actions are called too: they are part of the API until removed.
        #![allow(deprecated)]

        use serde::Serialize;
        use serde::de::DeserializeOwned;
        use serde_json::Value;

        /// The named schema `id` (its file in the spec folder), as JSON; each file is read once.
        fn schema(id: &str) -> Result<Value, String> {
            static CACHE: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, Value>>> =
                std::sync::OnceLock::new();
            let cache = CACHE.get_or_init(Default::default);
            if let Some(found) = cache.lock().ok().and_then(|c| c.get(id).cloned()) {
                return Ok(found);
            }
            let read = read_schema(id)?;
            if let Ok(mut c) = cache.lock() {
                c.insert(id.to_owned(), read.clone());
            }
            Ok(read)
        }

        fn read_schema(id: &str) -> Result<Value, String> {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(#schemas_dir)
                .join(format!("{id}.yaml"));
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            serde_yaml::from_str(&text).map_err(|err| format!("cannot parse {}: {err}", path.display()))
        }

        /// The first example of the named schema `id`, read from the spec folder.
        fn example(id: &str) -> Result<Value, String> {
            schema(id)?
                .get("examples")
                .and_then(|e| e.get(0))
                .cloned()
                .ok_or_else(|| format!("schema {id} has no example"))
        }

        /// The example of the named schema `id`, decoded as `T`.
        fn example_as<T: DeserializeOwned>(id: &str) -> Result<T, String> {
            serde_json::from_value(example(id)?).map_err(|err| format!("example of {id}: {err}"))
        }

        /// The schemas a value may follow, given the schemas of its place: those, with `$ref`s
        /// to schema files resolved and the branches of `allOf`, `oneOf` and `anyOf` added.
        fn alternatives(schemas: Vec<Value>) -> Vec<Value> {
            let mut out = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut stack = schemas;
            while let Some(s) = stack.pop() {
                if let Some(id) = s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_suffix(".yaml")) {
                    if seen.insert(id.to_owned()) {
                        stack.extend(schema(id).ok());
                    }
                }
                for combinator in ["allOf", "oneOf", "anyOf"] {
                    if let Some(Value::Array(branches)) = s.get(combinator) {
                        stack.extend(branches.iter().cloned());
                    }
                }
                out.push(s);
            }
            out
        }

        /// Whether the models keep a member named `key` of an object that follows one of
        /// `alternatives`: it is a declared property, or the schema maps arbitrary keys
        /// (`patternProperties`, a schema as `additionalProperties`, or an object with no
        /// properties at all). No known schema keeps everything.
        fn kept(alternatives: &[Value], key: &str) -> bool {
            alternatives.is_empty()
                || alternatives.iter().any(|s| {
                    let object_like = match s.get("type") {
                        None => true,
                        Some(Value::String(t)) => t == "object",
                        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
                        Some(_) => false,
                    };
                    let combinator = ["allOf", "oneOf", "anyOf", "$ref"].iter().any(|k| s.get(k).is_some());
                    s.get("properties").and_then(|p| p.get(key)).is_some()
                        || s.get("patternProperties").is_some()
                        || s.get("additionalProperties").is_some_and(Value::is_object)
                        || (object_like && !combinator && s.get("properties").is_none())
                })
        }

        /// The schemas of member `key` (or, with `None`, of an array's items) in `alternatives`.
        fn inner(alternatives: &[Value], key: Option<&str>) -> Vec<Value> {
            alternatives
                .iter()
                .flat_map(|s| match key {
                    Some(key) => {
                        let mut found: Vec<Value> = s.get("properties").and_then(|p| p.get(key)).cloned().into_iter().collect();
                        found.extend(s.get("additionalProperties").filter(|a| a.is_object()).cloned());
                        if let Some(Value::Object(patterns)) = s.get("patternProperties") {
                            found.extend(patterns.values().cloned());
                        }
                        found
                    }
                    None => s.get("items").cloned().into_iter().collect(),
                })
                .collect()
        }

        /// Where `actual` first differs from `expected` (a JSON pointer and both values), if it
        /// does: numbers compare by value, strings that are both RFC 3339 date-times by instant,
        /// and a `null` member equals an absent one. `schemas` are those of this place: a member
        /// of `expected` the models do not keep (see [`kept`]) may be missing from `actual`; its
        /// pointer goes to `dropped`.
        fn equivalent(expected: &Value, actual: &Value, schemas: Vec<Value>, at: &str, dropped: &mut Vec<String>) -> Option<String> {
            let differs = || Some(format!("{at}: expected {expected}, got {actual}"));
            match (expected, actual) {
                (Value::Number(a), Value::Number(b)) => {
                    if a.as_f64() == b.as_f64() { None } else { differs() }
                }
                (Value::String(a), Value::String(b)) => {
                    if a == b {
                        return None;
                    }
                    match (
                        chrono::DateTime::parse_from_rfc3339(a),
                        chrono::DateTime::parse_from_rfc3339(b),
                    ) {
                        (Ok(a), Ok(b)) if a == b => None,
                        _ => differs(),
                    }
                }
                (Value::Array(a), Value::Array(b)) => {
                    if a.len() != b.len() {
                        return differs();
                    }
                    let items = inner(&alternatives(schemas), None);
                    a.iter()
                        .zip(b)
                        .enumerate()
                        .find_map(|(i, (a, b))| equivalent(a, b, items.clone(), &format!("{at}/{i}"), dropped))
                }
                (Value::Object(a), Value::Object(b)) => {
                    let null = Value::Null;
                    let alternatives = alternatives(schemas);
                    a.keys().chain(b.keys()).find_map(|key| {
                        let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                        let (expected, actual) = (a.get(key).unwrap_or(&null), b.get(key).unwrap_or(&null));
                        if actual.is_null() && !expected.is_null() && !kept(&alternatives, key) {
                            dropped.push(pointer);
                            return None;
                        }
                        equivalent(expected, actual, inner(&alternatives, Some(key)), &pointer, dropped)
                    })
                }
                (a, b) => {
                    if a == b { None } else { differs() }
                }
            }
        }

        /// What running the examples through the models found.
        #[derive(Default)]
        struct Findings {
            /// Examples that do not decode or encode.
            failures: Vec<String>,
            /// Examples that re-encode differently where their schema says the models keep it.
            lossy: Vec<String>,
            /// Members of examples their schemas do not declare, which the models drop.
            dropped: Vec<String>,
        }

        /// Decodes the example of schema `id` as `T`, encodes it back and compares.
        #[allow(dead_code)]
        fn check<T: DeserializeOwned + Serialize>(id: &str, findings: &mut Findings) {
            let expected = match example(id) {
                Ok(expected) => expected,
                Err(err) => return findings.failures.push(format!("{id}: {err}")),
            };
            let decoded: T = match serde_json::from_value(expected.clone()) {
                Ok(decoded) => decoded,
                Err(err) => return findings.failures.push(format!("{id}: does not decode: {err}")),
            };
            match serde_json::to_value(&decoded) {
                Ok(actual) => {
                    let mut dropped = Vec::new();
                    let schemas = schema(id).into_iter().collect();
                    if let Some(difference) = equivalent(&expected, &actual, schemas, "", &mut dropped) {
                        findings.lossy.push(format!("{id}: re-encodes differently at {difference}"));
                    }
                    findings.dropped.extend(dropped.into_iter().map(|at| format!("{id}: {at}")));
                }
                Err(err) => findings.failures.push(format!("{id}: does not encode: {err}")),
            }
        }

        /// Every example of the spec's schemas, run through `check`.
        fn check_examples() -> Findings {
            #[allow(unused_mut)]
            let mut findings = Findings::default();
            #(#checks)*
            findings
        }

        #[test]
        fn examples_decode_and_encode() {
            let findings = check_examples();
            assert!(
                findings.failures.is_empty(),
                "{} schema examples do not decode or encode:\n{}",
                findings.failures.len(),
                findings.failures.join("\n")
            );
        }

        /// Every example re-encodes to itself, and no member of a published example is lost:
        /// the spec declares every member its examples use (`cargo xtask import` declares the
        /// ones Losant's schemas leave out), so the models keep them all.
        #[test]
        fn examples_round_trip() {
            let findings = check_examples();
            assert!(
                findings.dropped.is_empty(),
                "{} members of published examples are not in their schemas, so the models drop them:\n{}",
                findings.dropped.len(),
                findings.dropped.join("\n")
            );
            assert!(
                findings.lossy.is_empty(),
                "{} schema examples do not round-trip:\n{}",
                findings.lossy.len(),
                findings.lossy.join("\n")
            );
        }

        /// One test per resource: each action's request against a mock server.
        mod every_action {
            #[allow(unused_imports)]
            use super::*;

            /// A client of the mock server that does not retry.
            #[allow(dead_code)]
            fn client(server: &wiremock::MockServer) -> #krate::Client {
                #krate::Client::builder("conformance-token")
                    .base_url(server.uri())
                    .retry(#krate::RetryPolicy::none())
                    .build()
                    .unwrap()
            }

            /// A value of a parameter, from its JSON text.
            #[allow(dead_code)]
            fn arg<T: DeserializeOwned>(json: &str) -> T {
                serde_json::from_str(json)
                    .unwrap_or_else(|err| panic!("the parameter example {json} does not decode: {err}"))
            }

            /// A success answer: the example of `schema` (or `{}` when it has none), no body,
            /// or an empty event stream.
            #[allow(dead_code)]
            fn respond(status: u16, schema: Option<&str>, events: bool) -> wiremock::ResponseTemplate {
                let answer = wiremock::ResponseTemplate::new(status);
                if events {
                    return answer.set_body_raw(Vec::<u8>::new(), "text/event-stream");
                }
                match schema {
                    Some(id) => answer.set_body_json(example(id).unwrap_or_else(|_| serde_json::json!({}))),
                    None => answer,
                }
            }

            #(#resource_tests)*
        }
    }
}

/// The test of one resource.
fn resource_test(
    ir: &Ir,
    options: &Options,
    krate: &proc_macro2::Ident,
    r: &ResourceIr,
) -> TokenStream {
    let name = ident(&r.module);
    let cfg = options.resource_features.then(|| {
        let feature = &r.module;
        quote!(#[cfg(feature = #feature)])
    });
    // Actions whose required body has no example cannot be called.
    let (called, skipped): (Vec<&ActionIr>, Vec<&ActionIr>) = r.actions.iter().partition(|a| {
        a.body
            .as_ref()
            .is_none_or(|b| !b.required || b.example.is_some())
    });
    let actions = called.iter().map(|a| action_check(ir, krate, r, a));
    let setup = (!called.is_empty()).then(|| {
        quote! {
            use wiremock::matchers::{method, path};
            let client = client(&server);
            let mut failures: Vec<String> = Vec::new();
        }
    });
    let no_failures = called
        .is_empty()
        .then(|| quote!(let failures: Vec<String> = Vec::new();));
    let skipped = (!skipped.is_empty()).then(|| {
        let ids = skipped.iter().map(|a| &a.id);
        quote! {
            eprintln!(
                "not called, their body schema has no example: {}",
                [#(#ids),*].join(", ")
            );
        }
    });
    quote! {
        #cfg
        #[tokio::test]
        async fn #name() {
            let server = wiremock::MockServer::start().await;
            #setup
            #no_failures
            #(#actions)*
            #skipped
            for failure in &failures {
                eprintln!("{failure}");
            }
            server.verify().await;
            assert!(
                failures.is_empty(),
                "{} actions failed:\n{}",
                failures.len(),
                failures.join("\n")
            );
        }
    }
}

/// The example (or placeholder) of a parameter as JSON.
fn param_value(p: &ParamIr) -> Value {
    if let Some(example) = &p.example {
        return example.clone();
    }
    match &p.ty.kind {
        TyKind::Integer | TyKind::Number => Value::from(1),
        TyKind::Boolean => Value::Bool(true),
        _ => Value::String(PLACEHOLDER.into()),
    }
}

/// A JSON value as the runtime writes it in a path or query: strings raw, others as JSON text.
fn wire_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Percent-encodes a path segment: everything but RFC 3986's unreserved characters.
fn encode_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The code checking one action: mount its mock, call it, check the result.
fn action_check(ir: &Ir, krate: &proc_macro2::Ident, r: &ResourceIr, a: &ActionIr) -> TokenStream {
    let id = &a.id;
    // The mock.
    let mut path = a.path.clone();
    for p in &a.path_params {
        path = path.replace(
            &format!("{{{}}}", p.wire),
            &encode_segment(&wire_text(&param_value(p))),
        );
    }
    let queries = a.query.iter().filter(|p| p.required).map(|p| {
        let key = &p.wire;
        let value = wire_text(&param_value(p));
        quote!(.and(wiremock::matchers::query_param(#key, #value)))
    });
    let method = &a.method;
    let status = a
        .responses
        .iter()
        .find(|resp| resp.schema_id.is_some() && resp.schema_id == a.success_schema)
        .or(a.responses.first())
        .map_or(200, |resp| resp.status);
    let schema = match &a.success_schema {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    };
    let events = !a.events.is_empty();
    // Whether the success schema has an example; without one, the `{}` answer may not decode.
    let lenient = a.success_schema.as_ref().is_some_and(|s| {
        !ir.types
            .iter()
            .any(|t| t.schema_id.as_ref() == Some(s) && t.example.is_some())
    });
    // The call.
    let mut args: Vec<TokenStream> = a
        .path_params
        .iter()
        .chain(&a.query)
        .chain(&a.headers)
        .chain(&a.multipart)
        .filter(|p| p.required)
        .map(|p| match &p.ty.kind {
            TyKind::File => quote!(#krate::FilePart::new("file.bin", vec![1u8, 2, 3])),
            TyKind::String if !p.ty.nullable => {
                let text = wire_text(&param_value(p));
                quote!(#text)
            }
            _ => {
                let json = param_value(p).to_string();
                quote!(arg(#json))
            }
        })
        .collect();
    let body = a.body.as_ref().filter(|b| b.required);
    if body.is_some() {
        args.push(quote!(body));
    }
    let module = ident(&r.module);
    let fn_name = ident(&a.fn_name);
    let accept = if lenient {
        quote!(Ok(_) | Err(#krate::Error::Decode { .. }) => {})
    } else {
        quote!(Ok(_) => {})
    };
    let call = quote! {
        wiremock::Mock::given(method(#method))
            .and(path(#path))
            #(#queries)*
            .respond_with(respond(#status, #schema, #events))
            .up_to_n_times(1)
            .expect(1)
            .named(#id)
            .mount(&server)
            .await;
        match client.#module().#fn_name(#(#args),*).await {
            #accept
            Err(err) => failures.push(format!("{}: {err}", #id)),
        }
    };
    match body {
        Some(b) => {
            let schema = &b.schema_id;
            quote! {
                match example_as(#schema) {
                    Ok(body) => { #call }
                    Err(err) => failures.push(format!("{}: body: {err}", #id)),
                }
            }
        }
        None => quote!({ #call }),
    }
}
