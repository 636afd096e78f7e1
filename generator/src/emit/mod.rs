//! Stage 4, emit: turn the [`Ir`] into Rust token streams, one per output file.

mod api;
mod docs;
mod resources;
mod types;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Home, Ir};
use docs::inner_doc_attrs;
use types::{TypeIndex, emit_type};

/// Settings of the emitted code that are not part of the API spec.
#[derive(Debug, Clone)]
pub struct Options {
    /// Name of the crate the code is emitted into, as used in doc examples (`losant`).
    pub crate_name: String,
    /// How to regenerate the files, for their header (`cargo xtask codegen`).
    pub regenerate_with: String,
}

/// One emitted file: its path relative to the output folder and its tokens.
pub struct EmittedFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// The file's code.
    pub tokens: TokenStream,
}

/// Emits every file of the output folder: `mod.rs`, `models/mod.rs`, one file per model group
/// and one per resource.
pub fn emit(ir: &Ir, options: &Options) -> Vec<EmittedFile> {
    let index = TypeIndex::new(ir);
    let mut files = vec![EmittedFile {
        path: "mod.rs".into(),
        tokens: api::emit_api(ir, &index),
    }];
    // Models, grouped by file.
    let mut groups: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    for def in &ir.types {
        if let Home::Models(file) = &def.home {
            groups
                .entry(file.as_str())
                .or_default()
                .push(emit_type(&index, def));
        }
    }
    let modules = groups.keys().map(|m| crate::names::ident(m));
    let modules2 = modules.clone();
    files.push(EmittedFile {
        path: "models/mod.rs".into(),
        tokens: quote! {
            //! The API's data types, one file per named schema of the spec.
            #( mod #modules; pub use #modules2::*; )*
        },
    });
    for (file, defs) in groups {
        let doc = inner_doc_attrs(&format!("The `{file}` model and the types nested in it."));
        files.push(EmittedFile {
            path: format!("models/{file}.rs"),
            tokens: quote! { #doc #(#defs)* },
        });
    }
    for resource in &ir.resources {
        files.push(EmittedFile {
            path: format!("{}.rs", resource.module),
            tokens: resources::emit_resource(ir, &index, resource, options),
        });
    }
    files
}
