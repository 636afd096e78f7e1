//! Emit `examples.rs`: every action's documented answers with the spec's published example
//! bodies, as data for the runtime's test kit (`runtime::testing`), and the constructor of its
//! mock API that hands them over.
//!
//! The file is compiled only under [`Options::examples_feature`](crate::Options), so the data
//! costs nothing to a build that does not test with it. Each example body is one constant per
//! schema (many actions answer the same schema, every error the same one); the table lists, for
//! each action, its success statuses first (the one its request builder decodes leading, which
//! is what the mock answers by default), then its error statuses.
//!
//! The runtime names no generated item: it receives the table through
//! `MockApi::for_api(&API_INFO, EXAMPLE_RESPONSES)`, called by the `MockApi::new` emitted here.

use std::collections::BTreeMap;

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use crate::ir::{ActionIr, Ir, ResponseIr};

/// The path of the emitted file, relative to the output folder.
pub const FILE: &str = "examples.rs";

/// The module declaration `mod.rs` needs for the file, under `feature`.
pub fn declaration(feature: &str) -> TokenStream {
    quote! {
        /// The spec's published example answers, for the test kit.
        #[cfg(feature = #feature)]
        mod examples;
    }
}

/// The contents of `examples.rs`.
pub fn emit_examples(ir: &Ir) -> TokenStream {
    // One constant per schema whose example some answer uses, named after the schema.
    let mut constants: BTreeMap<&str, (proc_macro2::Ident, String)> = BTreeMap::new();
    let mut taken = std::collections::HashSet::new();
    let answers = ir
        .resources
        .iter()
        .flat_map(|r| &r.actions)
        .flat_map(|a| ordered(a).into_iter().map(move |response| (a, response)));
    for (_, response) in answers.clone() {
        let (Some(id), Some(example)) = (&response.schema_id, &response.example) else {
            continue;
        };
        if constants.contains_key(id.as_str()) {
            continue;
        }
        let base = format!("EXAMPLE_{}", id.to_shouty_snake_case());
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        let json = serde_json::to_string(example).unwrap_or_else(|_| "null".into());
        constants.insert(id, (format_ident!("{}", name), json));
    }
    let constant_items = constants.iter().map(|(id, (name, json))| {
        let doc = doc_attrs(&format!("The published example of `{id}`."));
        let literal = raw_string_literal(json);
        quote!(#doc const #name: &str = #literal;)
    });
    let entries = answers.map(|(action, response)| {
        let operation = &action.id;
        let status = proc_macro2::Literal::u16_unsuffixed(response.status);
        let success = (200..300).contains(&response.status);
        let body = match (&response.schema_id, &response.example) {
            _ if success && !action.events.is_empty() => quote!(ExampleBody::EventStream),
            (None, _) => quote!(ExampleBody::Empty),
            (Some(id), Some(_)) => {
                let name = &constants[id.as_str()].0;
                quote!(ExampleBody::Json(#name))
            }
            (Some(_), None) => quote!(ExampleBody::Unpublished),
        };
        quote!(ExampleResponse { operation: #operation, status: #status, body: #body })
    });
    let module_doc = inner_doc_attrs(&format!(
        "The published example answers of the {} for the test kit ([`MockApi`]): each \
         action's documented statuses with the example of each body's schema.",
        ir.api.title
    ));
    let new_doc = doc_attrs(&format!(
        "A stand-in for the {} that runs in the test's process: an expectation that gives no \
         reply of its own answers with the spec's published example for the action.\n\n\
         See the [module documentation](crate::runtime::testing) for how to use it.",
        ir.api.title
    ));
    quote! {
        #module_doc

        use crate::runtime::testing::{ExampleBody, ExampleResponse, MockApi};

        #(#constant_items)*

        /// Every action's documented answers: its success statuses first (the one it decodes
        /// leading), then its errors.
        static EXAMPLE_RESPONSES: &[ExampleResponse] = &[#(#entries),*];

        impl MockApi {
            #new_doc
            pub fn new() -> MockApi {
                MockApi::for_api(&super::API_INFO, EXAMPLE_RESPONSES)
            }
        }

        impl Default for MockApi {
            /// The same as [`MockApi::new`].
            fn default() -> Self {
                MockApi::new()
            }
        }
    }
}

/// An action's answers in table order: the success the builder decodes (the response of its
/// success schema, else the first), the other successes, then the errors.
fn ordered(a: &ActionIr) -> Vec<&ResponseIr> {
    let lead = a
        .responses
        .iter()
        .position(|r| r.schema_id.is_some() && r.schema_id == a.success_schema)
        .unwrap_or(0);
    let mut out: Vec<&ResponseIr> = a.responses.get(lead).into_iter().collect();
    out.extend(
        a.responses
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != lead)
            .map(|(_, r)| r),
    );
    out.extend(&a.errors);
    out
}

/// `text` as a raw string literal token, with enough `#`s that no quote in it ends it.
fn raw_string_literal(text: &str) -> proc_macro2::Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(text))
}
