//! Emit the conformance test of the generated crate: every named schema's published example
//! must decode into its Rust type and encode back to an equivalent JSON value, and every action
//! must send the request its spec describes (checked against a mock server) and accept the
//! response example. Beyond the examples, values drawn at random (seeded) from every named
//! schema must decode and re-encode unchanged. The test reads the schemas and examples from the
//! spec folder at run time, so the generated file holds no copy of them.
//!
//! The code specific to the generated crate (the list of types, one test per resource) is
//! emitted here; the generic support code is plain Rust in `support.rs`, appended as is.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::{Options, cfg_any};
use crate::ir::{ActionIr, Home, Ir, ParamIr, ResourceIr, TyKind, TypeDef};
use crate::names::ident;

/// The value given to a string parameter that has no example (the spec's own examples are
/// used wherever it has them).
const PLACEHOLDER: &str = "example";

/// The generic part of the test: reading schemas and examples, comparing values, drawing
/// values from schemas. Plain Rust, parsed and appended to the emitted items.
const SUPPORT: &str = include_str!("support.rs");

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
    // Each named schema's Rust type, with the features it needs.
    let named: Vec<(&TypeDef, Option<TokenStream>, TokenStream)> = ir
        .types
        .iter()
        .filter(|def| def.schema_id.is_some())
        .map(|def| {
            let ty = format_ident!("{}", def.name);
            match &def.home {
                Home::Models(file) => {
                    let cfg = model_features.and_then(|f| f.get(file)).and_then(cfg_any);
                    (def, cfg, quote!(#krate::models::#ty))
                }
                Home::Resource(module) => {
                    let module = ident(module);
                    let cfg = options
                        .resource_features
                        .then(|| quote!(#[cfg(feature = #module)]));
                    (def, cfg, quote!(#krate::#module::#ty))
                }
            }
        })
        .collect();
    let checks = named
        .iter()
        .filter(|(def, ..)| def.example.is_some())
        .map(|(def, cfg, path)| {
            let id = &def.schema_id;
            quote! { #cfg check::<#path>(#id, &mut findings); }
        });
    let round_trips = named.iter().map(|(def, cfg, path)| {
        let id = &def.schema_id;
        quote! { #cfg all.push((#id, round_trip::<#path>)); }
    });
    // The generic support code (see support.rs); it parses, as a unit test checks.
    let support: TokenStream = SUPPORT.parse().unwrap_or_else(|err| {
        let message = format!("internal error: conformance/support.rs does not parse: {err}");
        quote!(compile_error!(#message);)
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

        /// The spec's schema folder, relative to this crate's manifest folder.
        const SCHEMAS_DIR: &str = #schemas_dir;

        /// Every example of the spec's schemas, run through `check`.
        fn check_examples() -> Findings {
            #[allow(unused_mut)]
            let mut findings = Findings::default();
            #(#checks)*
            findings
        }

        /// Every named schema with the round trip through its Rust type.
        #[allow(clippy::vec_init_then_push)]
        fn round_trips() -> Vec<RoundTrip> {
            #[allow(unused_mut)]
            let mut all: Vec<RoundTrip> = Vec::new();
            #(#round_trips)*
            all
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

        #support
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

#[cfg(test)]
mod tests {
    use super::SUPPORT;

    #[test]
    fn the_support_code_is_a_rust_file() {
        syn::parse_file(SUPPORT).expect("conformance/support.rs parses as a Rust file");
    }
}
