//! Emit the root module of the generated code: API constants, the resource accessors on the
//! client, the list of operations, the global parameters and the validation patterns.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use super::types::TypeIndex;
use crate::ir::{Ir, TyKind};
use crate::names::ident;

/// The `mod.rs` of the generated code.
pub fn emit_api(ir: &Ir, index: &TypeIndex<'_>, options: &super::Options) -> TokenStream {
    // With resource features, each resource's module, accessor and operations are compiled
    // only when its feature is on.
    let cfg = |module: &str| {
        options
            .resource_features
            .then(|| quote!(#[cfg(feature = #module)]))
    };
    let api = &ir.api;
    let mut module_doc = format!("{} {}", api.title, api.version);
    if let Some(description) = &api.description {
        module_doc.push_str(&format!(": {description}"));
    }
    let inner_docs = inner_doc_attrs(&module_doc);
    let modules = ir.resources.iter().map(|r| {
        let module = ident(&r.module);
        let doc = doc_attrs(&format!("The `{}` resource.", r.name));
        let cfg = cfg(&r.module);
        quote!(#doc #cfg pub mod #module;)
    });
    let examples = options
        .examples_feature
        .as_deref()
        .map(super::examples::declaration);
    let (title, version, base_url) = (&api.title, &api.version, &api.base_url);
    let header_names = api.headers.iter().map(|(n, _)| n);
    let header_values = api.headers.iter().map(|(_, v)| v);
    let (type_field, message_field) = (&api.error_type_field, &api.error_message_field);
    let accessors = ir.resources.iter().map(|r| {
        let module = ident(&r.module);
        let handle = format_ident!("{}", r.type_name);
        let doc = doc_attrs(&format!(
            "The `{}` resource{}",
            r.name,
            r.description.as_deref().map(|d| format!(": {d}")).unwrap_or_else(|| ".".into())
        ));
        let cfg = cfg(&r.module);
        quote!(#doc #cfg pub fn #module(&self) -> #module::#handle { #module::#handle::new(self.clone()) })
    });
    let operations = ir.resources.iter().flat_map(|r| {
        let module = ident(&r.module);
        let cfg = cfg(&r.module);
        r.actions.iter().map(move |a| {
            let builder = format_ident!("{}", a.builder);
            quote!(#cfg #module::#builder::OPERATION)
        })
    });
    let fields = api.global_params.iter().map(|p| {
        let id = ident(&p.rust);
        let ty = index.tokens(&p.ty);
        quote!(pub(crate) #id: Option<#ty>,)
    });
    let apply = api.global_params.iter().map(|p| {
        let id = ident(&p.rust);
        let wire = &p.wire;
        if p.location == "header" {
            quote!(if let Some(value) = &self.#id { request.header(#wire, value.to_string()); })
        } else if matches!(p.ty.kind, TyKind::Map(_)) {
            quote!(if let Some(value) = &self.#id { request.query(#wire, &serde_json::to_value(value).unwrap_or_default()); })
        } else {
            quote!(if let Some(value) = &self.#id { request.query(#wire, value); })
        }
    });
    let global_setters = api.global_params.iter().map(|p| {
        let id = ident(&p.rust);
        super::resources::setter(index, p, quote!(self.globals_.#id))
    });
    // The API's fixed headers can be set per call: `accept_version("^1.31.0")`.
    let header_setters = api.headers.iter().map(|(name, value)| {
        let id = ident(&crate::names::snake(name));
        let doc = doc_attrs(&format!(
            "Sends `{name}` with this value for this call, instead of `{value}`."
        ));
        quote! {
            #doc
            pub fn #id(mut self, value: &str) -> Self {
                self.call_.set_header(#name, value);
                self
            }
        }
    });
    let common = (!api.global_params.is_empty() || !api.headers.is_empty()).then(|| {
        quote! {
            /// Adds to a request builder (a struct with `globals_: GlobalParams` and `call_`
            /// fields) the setters of the parameters every action accepts and of the API's
            /// fixed headers.
            macro_rules! common_setters {
                ($builder:ident) => {
                    impl $builder {
                        #(#global_setters)*
                        #(#header_setters)*
                    }
                };
            }
            pub(crate) use common_setters;

            /// Parameters every action accepts; set through each request builder.
            #[derive(Debug, Clone, Default)]
            pub(crate) struct GlobalParams {
                #(#fields)*
            }

            impl GlobalParams {
                /// Adds the parameters that are set to a request.
                #[allow(unused_variables)]
                pub(crate) fn apply(&self, request: &mut crate::runtime::Request) {
                    #(#apply)*
                }
            }
        }
    });
    let (token_var, url_var) = (&api.token_env_var, &api.base_url_env_var);
    let client_doc = doc_attrs(&format!(
        "A client for the {title} with the default settings and base URL (`{base_url}`).\n\n\
         An empty token sends no `Authorization` header (for the few actions that need none). \
         This cannot fail: if the token cannot be sent in a header (a line break, say), every \
         call fails with [`Error::Config`](crate::Error::Config); use \
         [`Client::builder`] to learn that at once."
    ));
    let builder_doc = doc_attrs(&format!(
        "A builder to configure a client for the {title} with `token`."
    ));
    // What `from_env` reads: the token, else (when the spec has logins) each login's
    // variables.
    let (from_env_doc, builder_from_env_doc) = if api.logins.is_empty() {
        (
            format!(
                "A client configured from the environment: the token from `{token_var}` \
                 (required, surrounding whitespace ignored) and the base URL from `{url_var}` \
                 (if set and not empty). See [`ClientBuilder::from_env`] to change other \
                 settings too."
            ),
            format!(
                "A builder with the token from `{token_var}` and, if set, the base URL from \
                 `{url_var}`."
            ),
        )
    } else {
        let vars = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(_, v)| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut reads = format!(
            "the token from `{token_var}` (surrounding whitespace ignored) and the base URL \
             from `{url_var}` (if set and not empty).\n\nWhen `{token_var}` is not set, the \
             client logs in instead, with the first of these whose variables are all set, \
             when it first needs a token; it logs in again before the token expires and once \
             after the API refuses it:\n"
        );
        for login in &api.logins {
            reads.push_str(&format!(
                "\n- {} login (`{}`): {}",
                login.name,
                login.action,
                vars(&login.env)
            ));
            if !login.optional_env.is_empty() {
                reads.push_str(&format!(", and {} if set", vars(&login.optional_env)));
            }
        }
        reads.push_str(
            "\n\nA login whose variables are only partly set is an error naming the missing \
             ones.",
        );
        (
            format!(
                "A client configured from the environment: {reads}\n\nSee \
                 [`ClientBuilder::from_env`] to change other settings too."
            ),
            format!("A builder configured from the environment: {reads}"),
        )
    };
    let from_env_doc = doc_attrs(&from_env_doc);
    let builder_from_env_doc = doc_attrs(&builder_from_env_doc);
    let logins = api.logins.iter().map(|login| {
        let module = ident(&login.module);
        let builder = format_ident!("{}", login.builder);
        let cfg = cfg(&login.module);
        let (name, token_field) = (&login.name, &login.token_field);
        let pairs = |pairs: &[(String, String)]| {
            let (members, vars): (Vec<_>, Vec<_>) = pairs.iter().cloned().unzip();
            quote!(&[#((#members, #vars)),*])
        };
        let (env, optional_env) = (pairs(&login.env), pairs(&login.optional_env));
        quote! {
            #cfg
            crate::runtime::LoginInfo {
                name: #name,
                operation: #module::#builder::OPERATION,
                env: #env,
                optional_env: #optional_env,
                token_field: #token_field,
            }
        }
    });
    let statics = ir.patterns.iter().enumerate().map(|(i, pattern)| {
        let name = format_ident!("PATTERN_{}", i);
        let doc = format!("`{pattern}`");
        quote! {
            #[doc = #doc]
            pub(crate) static #name: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(#pattern).expect("the generator compiled this pattern with the same regex crate"));
        }
    });
    // Only a spec with patterns gets the module (its imports would be unused otherwise).
    let patterns = (!ir.patterns.is_empty()).then(|| {
        quote! {
            /// Regular expressions of the spec's `pattern` constraints, compiled once.
            pub(crate) mod patterns {
                #![allow(dead_code)]
                use std::sync::LazyLock;
                use regex::Regex;
                #(#statics)*
            }
        }
    });
    quote! {
        #inner_docs

        pub mod models;
        #(#modules)*
        #examples

        use crate::runtime::{ApiInfo, Client, ClientBuilder, Error, Operation};

        /// What the runtime needs to know of the API.
        pub(crate) static API_INFO: ApiInfo = ApiInfo {
            title: #title,
            version: #version,
            base_url: #base_url,
            headers: &[#((#header_names, #header_values)),*],
            error_type_field: #type_field,
            error_message_field: #message_field,
            token_env_var: #token_var,
            base_url_env_var: #url_var,
            logins: &[#(#logins),*],
        };

        impl Client {
            #client_doc
            pub fn new(token: impl Into<String>) -> Client {
                ClientBuilder::for_api(&API_INFO, token).build_or_unusable()
            }

            #builder_doc
            pub fn builder(token: impl Into<String>) -> ClientBuilder {
                ClientBuilder::for_api(&API_INFO, token)
            }

            #from_env_doc
            pub fn from_env() -> Result<Client, Error> {
                ClientBuilder::from_env()?.build()
            }
        }

        impl ClientBuilder {
            #builder_from_env_doc
            pub fn from_env() -> Result<ClientBuilder, Error> {
                ClientBuilder::from_env_for(&API_INFO)
            }

            /// Like [`from_env`](ClientBuilder::from_env), reading each variable through `var`
            /// instead of the process environment: for tests, or settings kept elsewhere.
            pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
                ClientBuilder::from_vars_for(&API_INFO, var)
            }
        }

        /// Every operation of the API (of the enabled resources), in spec order: id, method,
        /// path and accepted scopes.
        pub static OPERATIONS: &[&Operation] = &[#(#operations),*];

        impl Client {
            #(#accessors)*
        }

        #common

        #patterns
    }
}
