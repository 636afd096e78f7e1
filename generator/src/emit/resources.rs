//! Emit one module per resource: the resource handle, one request builder per action (with
//! its operation metadata, setters, validation, `send`, `IntoFuture` and, for list actions, a
//! stream over all items), and the resource's parameter types.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::Options;
use super::construct::Construct;
use super::docs::{cell, doc_attrs, inner_doc_attrs};
use super::types::{TypeIndex, closure_body, emit_type};
use crate::ir::{ActionIr, Home, Ir, ParamIr, ResourceIr, Ty, TyKind};
use crate::names::ident;

/// A resource module's doc: what it is, a table of its actions (the method that starts each,
/// its HTTP method and path, its summary), how to reach it and the feature it needs.
fn module_doc(resource: &ResourceIr, options: &Options) -> String {
    let count = resource.actions.len();
    let actions = if count == 1 { "action" } else { "actions" };
    let mut doc = format!(
        "The `{}` resource, at `{}`: {count} {actions}.",
        resource.name,
        common_path(resource)
    );
    if let Some(description) = &resource.description {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    doc.push_str("\n\n| Method | Request | Summary |\n| --- | --- | --- |\n");
    for a in &resource.actions {
        let deprecated = if a.deprecated { " (deprecated)" } else { "" };
        // The path from the crate root: rustdoc reads the module's outer and inner docs as one,
        // so a link relative to the module would not resolve in the outer part's scope.
        doc.push_str(&format!(
            "| [`{fn_name}`](crate::{module}::{handle}::{fn_name}) | `{method} {path}` | {summary}{deprecated} |\n",
            fn_name = a.fn_name,
            module = resource.module,
            handle = resource.type_name,
            method = a.method,
            path = cell(&a.path),
            summary = cell(&a.summary),
        ));
    }
    doc.push_str(&format!(
        "\nReached through [`Client::{module}`](crate::Client::{module})",
        module = resource.module
    ));
    if options.resource_features {
        doc.push_str(&format!(
            "; needs the `{}` Cargo feature (on by default, with every resource, through `{}`).",
            resource.module,
            super::FULL_FEATURE
        ));
    } else {
        doc.push('.');
    }
    doc
}

/// The path all of a resource's actions start with, by whole segments.
fn common_path(resource: &ResourceIr) -> String {
    let mut paths = resource
        .actions
        .iter()
        .map(|a| a.path.split('/').collect::<Vec<_>>());
    let Some(mut common) = paths.next() else {
        return "/".into();
    };
    for path in paths {
        let same = common.iter().zip(&path).take_while(|(a, b)| a == b).count();
        common.truncate(same);
    }
    let joined = common.join("/");
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

/// The module of one resource.
pub fn emit_resource(
    ir: &Ir,
    index: &TypeIndex<'_>,
    resource: &ResourceIr,
    options: &Options,
) -> TokenStream {
    let handle = format_ident!("{}", resource.type_name);
    let module_doc = module_doc(resource, options);
    let inner_docs = inner_doc_attrs(&module_doc);
    let handle_doc = doc_attrs(&format!(
        "The `{}` resource: one method per action, each returning a request builder.",
        resource.name
    ));
    let methods = resource
        .actions
        .iter()
        .map(|a| handle_method(ir, index, resource, a, options));
    let builders = resource
        .actions
        .iter()
        .map(|a| builder(ir, index, resource, a));
    let home = Home::Resource(resource.module.clone());
    let param_types = ir
        .types
        .iter()
        .filter(|t| t.home == home)
        .map(|t| emit_type(index, t));
    quote! {
        #inner_docs

        use crate::runtime::{Client, Error, Method, Operation, Request};

        #handle_doc
        #[derive(Debug, Clone)]
        pub struct #handle {
            client: Client,
        }

        impl #handle {
            pub(crate) fn new(client: Client) -> Self {
                #handle { client }
            }

            #(#methods)*
        }

        #(#builders)*

        #(#param_types)*
    }
}

/// Whether a parameter is given positionally (required) or by a setter.
fn positional(p: &ParamIr) -> bool {
    p.required
}

/// The argument type a setter or positional parameter accepts.
fn arg_type(index: &TypeIndex<'_>, ty: &Ty) -> TokenStream {
    match ty.kind {
        TyKind::String if !ty.nullable => quote!(impl Into<String>),
        _ => index.tokens(ty),
    }
}

fn arg_value(ty: &Ty, id: &proc_macro2::Ident) -> TokenStream {
    match ty.kind {
        TyKind::String if !ty.nullable => quote!(#id.into()),
        _ => quote!(#id),
    }
}

fn all_params(a: &ActionIr) -> impl Iterator<Item = &ParamIr> {
    a.path_params
        .iter()
        .chain(&a.query)
        .chain(&a.headers)
        .chain(&a.multipart)
}

fn handle_method(
    ir: &Ir,
    index: &TypeIndex<'_>,
    r: &ResourceIr,
    a: &ActionIr,
    options: &Options,
) -> TokenStream {
    let fn_name = ident(&a.fn_name);
    let builder = format_ident!("{}", a.builder);
    let params: Vec<&ParamIr> = all_params(a).filter(|p| positional(p)).collect();
    let mut args: Vec<TokenStream> = params
        .iter()
        .map(|p| {
            let id = ident(&p.rust);
            let ty = arg_type(index, &p.ty);
            quote!(#id: #ty)
        })
        .collect();
    let mut values: Vec<TokenStream> = params
        .iter()
        .map(|p| arg_value(&p.ty, &ident(&p.rust)))
        .collect();
    if let Some(body) = a.body.as_ref().filter(|b| b.required) {
        let id = ident(&body.rust);
        let ty = index.tokens(&body.ty);
        args.push(quote!(#id: #ty));
        values.push(quote!(#id));
    }
    let docs = doc_attrs(&action_doc(ir, index, r, a, options));
    let deprecated = a.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub fn #fn_name(&self, #(#args),*) -> #builder {
            #builder::new_(self.client.clone(), #(#values),*)
        }
    }
}

/// The rustdoc of an action: method and path, scopes, parameters, responses, an example.
fn action_doc(
    ir: &Ir,
    index: &TypeIndex<'_>,
    r: &ResourceIr,
    a: &ActionIr,
    options: &Options,
) -> String {
    let mut doc = format!("{}\n\n`{} {}`\n", a.summary, a.method, a.path);
    if let Some(description) = &a.description {
        doc.push_str(&format!("\n{description}\n"));
    }
    doc.push_str("\n# Scopes\n\n");
    if a.scopes.is_empty() {
        doc.push_str("Any valid token.\n");
    } else {
        let scopes: Vec<String> = a.scopes.iter().map(|s| format!("`{s}`")).collect();
        doc.push_str(&format!(
            "The token needs at least one of: {}.\n",
            scopes.join(", ")
        ));
    }
    doc.push_str("\n# Parameters\n\n| Name | In | Type | Required | Description | Default | Example |\n|---|---|---|---|---|---|---|\n");
    let rows = a
        .path_params
        .iter()
        .map(|p| ("path", p))
        .chain(a.query.iter().map(|p| ("query", p)))
        .chain(a.headers.iter().map(|p| ("header", p)))
        .chain(a.multipart.iter().map(|p| ("multipart", p)))
        .chain(
            ir.api
                .global_params
                .iter()
                .map(|p| (p.location.as_str(), p)),
        );
    for (place, p) in rows {
        let how = if positional(p) {
            "argument".to_owned()
        } else {
            format!("`.{}()`", ident(&p.rust))
        };
        doc.push_str(&format!(
            "| `{}` ({how}) | {place} | {} | {} | {} | {} | {} |\n",
            p.wire,
            type_name(index, &p.ty),
            if p.required { "yes" } else { "no" },
            cell(p.description.as_deref().unwrap_or("")),
            p.default
                .as_ref()
                .map(|v| format!("`{v}`"))
                .unwrap_or_default(),
            p.example
                .as_ref()
                .map(|v| format!("`{v}`"))
                .unwrap_or_default(),
        ));
    }
    if let Some(body) = &a.body {
        doc.push_str(&format!(
            "| `{}` ({}) | body | {} | {} | {} | | |\n",
            body.rust,
            if body.required {
                "argument".to_owned()
            } else {
                format!("`.{}()`", ident(&body.rust))
            },
            type_name(index, &body.ty),
            if body.required { "yes" } else { "no" },
            cell(body.description.as_deref().unwrap_or("")),
        ));
    }
    doc.push_str("\n# Responses\n\n");
    for resp in &a.responses {
        if resp.schema_id.is_none() && !a.events.is_empty() {
            // The events of a stream, by name: what the answer's items are.
            doc.push_str(&format!(
                "- `{}`: a stream of server-sent events ([`{}Event`]): {}\n",
                resp.status, a.builder, resp.description
            ));
            for event in &a.events {
                doc.push_str(&format!(
                    "  - `{}`: {}{}\n",
                    event.wire,
                    type_name(index, &event.ty),
                    event
                        .description
                        .as_deref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                ));
            }
            continue;
        }
        doc.push_str(&format!(
            "- `{}`: {}: {}\n",
            resp.status,
            type_name(index, &resp.ty),
            resp.description
        ));
    }
    if a.errors.is_empty() {
        doc.push_str(
            "\n# Errors\n\nFails with [`Error::Api`](crate::Error::Api) (status, `type`, `message`) on any \
             error status the server answers (the spec lists none for this action),\n",
        );
    } else {
        doc.push_str("\n# Errors\n\nFails with [`Error::Api`](crate::Error::Api) (status, `type`, `message`) on:\n\n");
    }
    for resp in &a.errors {
        doc.push_str(&format!(
            "- `{}`: {}: {}\n",
            resp.status,
            type_name(index, &resp.ty),
            resp.description
        ));
    }
    doc.push_str(
        "\nand with the other [`Error`](crate::Error) variants on an invalid request (checked \
         before sending), a missing scope, a transport failure, a timeout or an undecodable response.\n",
    );
    doc.push_str(&format!(
        "\n# Example\n\n```no_run\n{}```\n",
        example(ir, index, r, a, options)
    ));
    doc
}

/// A short name of a type for docs, linked when it is a named type.
fn type_name(index: &TypeIndex<'_>, ty: &Ty) -> String {
    let base = match &ty.kind {
        TyKind::String => "string".to_owned(),
        TyKind::Integer => "integer".to_owned(),
        TyKind::Number => "number".to_owned(),
        TyKind::Boolean => "boolean".to_owned(),
        TyKind::DateTime => "date-time".to_owned(),
        TyKind::Any => "JSON".to_owned(),
        TyKind::File => "file".to_owned(),
        TyKind::Named { name, .. } => {
            let path = index.path(name).to_string().replace(' ', "");
            format!("[`{name}`]({path})")
        }
        TyKind::Array(item) => format!("array of {}", type_name(index, item)),
        TyKind::Map(value) => format!("map of {}", type_name(index, value)),
    };
    if ty.nullable {
        format!("{base} or null")
    } else {
        base
    }
}

/// Example code calling the action: a doc test that compiles.
fn example(
    ir: &Ir,
    index: &TypeIndex<'_>,
    r: &ResourceIr,
    a: &ActionIr,
    options: &Options,
) -> String {
    let krate = &options.crate_name;
    let mut code = format!(
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {{\nlet client = {krate}::Client::new(\"my-api-token\");\n"
    );
    let mut args = Vec::new();
    for p in all_params(a).filter(|p| positional(p)) {
        args.push(example_value(index, &p.ty, p.example.as_ref(), krate));
    }
    if let Some(body) = a.body.as_ref().filter(|b| b.required) {
        let ty = index
            .tokens(&body.ty)
            .to_string()
            .replace(' ', "")
            .replace("crate::", &format!("{krate}::"));
        let construct = Construct::new(ir, index, krate);
        let built = body
            .example
            .as_ref()
            .and_then(|example| construct.expr(&body.ty, example))
            .and_then(|expr| statement(&format!("let {} = {expr};", body.rust)));
        match built {
            Some(statement) => {
                // `use` lines first, after the hidden `async fn` line.
                let after_fn = code.find('\n').map_or(0, |i| i + 1);
                code.insert_str(after_fn, &construct.uses());
                code.push_str(&statement);
            }
            None => {
                let json = body
                    .example
                    .as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "{}".into());
                // A raw string rather than `json!`: `json!` types integer literals as `i32`,
                // which large example values (e.g. millisecond timestamps) overflow.
                code.push_str(&format!(
                    "let {}: {ty} = serde_json::from_str({})?;\n",
                    body.rust,
                    raw_string(&json)
                ));
            }
        }
        args.push(body.rust.clone());
    }
    let mut call = format!(
        "client.{}().{}({})",
        r.module,
        ident(&a.fn_name),
        args.join(", ")
    );
    if let Some(p) = a.query.iter().find(|p| !p.required && p.example.is_some()) {
        let value = example_value(index, &p.ty, p.example.as_ref(), krate);
        call.push_str(&format!("\n    .{}({value})", ident(&p.rust)));
    }
    if a.pagination.is_some() {
        code.push_str(&format!(
            "// One page:\nlet page = {call}.await?;\nprintln!(\"{{page:?}}\");\n"
        ));
        code.push_str(&format!(
            "// Every item of every page:\nuse futures_util::TryStreamExt;\nlet all: Vec<_> = client.{}().{}({}).into_stream().try_collect().await?;\nprintln!(\"{{}} items\", all.len());\n",
            r.module,
            ident(&a.fn_name),
            args.join(", ")
        ));
    } else if !a.events.is_empty() {
        code.push_str(&format!(
            "use futures_util::StreamExt;\nlet mut events = {call}.await?;\nwhile let Some(event) = events.next().await {{\n    println!(\"{{:?}}\", event?);\n}}\n"
        ));
    } else {
        code.push_str(&format!(
            "let response = {call}.await?;\nprintln!(\"{{response:?}}\");\n"
        ));
    }
    code.push_str("# Ok(())\n# }\n");
    code
}

/// A `let` statement laid out by prettyplease (the example's code is read by people), or
/// `None` if it does not parse.
fn statement(code: &str) -> Option<String> {
    let file = syn::parse_file(&format!("fn f() {{ {code} }}")).ok()?;
    let laid_out = prettyplease::unparse(&file);
    let body: Vec<&str> = laid_out.lines().collect();
    // `fn f() {`, the statement's lines indented by 4, `}`.
    let inner = body.get(1..body.len().checked_sub(1)?)?;
    Some(
        inner
            .iter()
            .map(|line| format!("{}\n", line.strip_prefix("    ").unwrap_or(line)))
            .collect(),
    )
}

/// `text` as a Rust raw string literal, with enough `#`s that no quote in it ends the literal.
fn raw_string(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// Rust source for an example value of a parameter.
fn example_value(index: &TypeIndex<'_>, ty: &Ty, example: Option<&Value>, krate: &str) -> String {
    match (&ty.kind, example) {
        (TyKind::String, Some(Value::String(s))) => format!("{s:?}"),
        (TyKind::String, Some(other)) => format!("{:?}", other.to_string()),
        (TyKind::String, None) => "\"value\"".into(),
        (TyKind::Integer, Some(v)) if v.as_i64().is_some() => v.to_string(),
        (TyKind::Number, Some(v)) if v.is_number() => format!("{}_f64", v),
        // Without an example, the smallest value the parameter takes (`0` may be below it).
        (TyKind::Integer, None) => ty
            .checks
            .minimum
            .map_or(1, |(min, exclusive)| {
                min.ceil() as i64 + i64::from(exclusive)
            })
            .to_string(),
        (TyKind::Number, None) => format!(
            "{}_f64",
            ty.checks
                .minimum
                .map_or(1.0, |(min, exclusive)| min + f64::from(u8::from(exclusive)))
        ),
        (TyKind::Any, Some(v)) => super::construct::json_expr(v, krate),
        (TyKind::Boolean, Some(Value::Bool(b))) => b.to_string(),
        (TyKind::Named { name, .. }, Some(Value::String(s))) => {
            let path = index
                .path(name)
                .to_string()
                .replace(' ', "")
                .replace("crate::", &format!("{krate}::"));
            format!("{path}::from({s:?})")
        }
        (TyKind::File, _) => {
            format!("{krate}::FilePart::new(\"example.txt\", \"file contents\")")
        }
        _ => "Default::default()".into(),
    }
}

fn builder(ir: &Ir, index: &TypeIndex<'_>, r: &ResourceIr, a: &ActionIr) -> TokenStream {
    let name = format_ident!("{}", a.builder);
    let fn_name = ident(&a.fn_name);
    let handle = &r.type_name;
    let doc = doc_attrs(&format!(
        "Request builder for [`{handle}::{fn_name}`]: `{} {}`.\n\nSet optional parameters with its methods, then `.await` it (or call [`send`](Self::send)).",
        a.method, a.path
    ));
    let params: Vec<&ParamIr> = all_params(a).collect();
    let fields = params.iter().map(|p| {
        let id = ident(&p.rust);
        let ty = index.tokens(&p.ty);
        if positional(p) {
            quote!(#id: #ty,)
        } else {
            quote!(#id: Option<#ty>,)
        }
    });
    let body_field = a.body.as_ref().map(|b| {
        let id = ident(&b.rust);
        let ty = index.tokens(&b.ty);
        if b.required {
            quote!(#id: #ty,)
        } else {
            quote!(#id: Option<#ty>,)
        }
    });
    // Constructor.
    let mut ctor_args: Vec<TokenStream> = params
        .iter()
        .filter(|p| positional(p))
        .map(|p| {
            let id = ident(&p.rust);
            let ty = index.tokens(&p.ty);
            quote!(#id: #ty)
        })
        .collect();
    let mut inits: Vec<TokenStream> = params
        .iter()
        .map(|p| {
            let id = ident(&p.rust);
            if positional(p) {
                quote!(#id)
            } else {
                quote!(#id: None)
            }
        })
        .collect();
    if let Some(b) = &a.body {
        let id = ident(&b.rust);
        if b.required {
            let ty = index.tokens(&b.ty);
            ctor_args.push(quote!(#id: #ty));
            inits.push(quote!(#id));
        } else {
            inits.push(quote!(#id: None));
        }
    }
    // Setters.
    let setters: Vec<TokenStream> = params
        .iter()
        .filter(|p| !positional(p))
        .map(|p| {
            let id = ident(&p.rust);
            setter(index, p, quote!(self.#id))
        })
        .collect();
    let global_setters = (!ir.api.global_params.is_empty() || !ir.api.headers.is_empty())
        .then(|| quote!(crate::api::common_setters!(#name);));
    let body_setter = a.body.as_ref().filter(|b| !b.required).map(|b| {
        let id = ident(&b.rust);
        let ty = index.tokens(&b.ty);
        let doc = doc_attrs(b.description.as_deref().unwrap_or("The request body."));
        quote!(#doc pub fn #id(mut self, value: #ty) -> Self { self.#id = Some(value); self })
    });
    // Operation metadata.
    let operation = operation(a);
    // Building the request.
    let request = build_request(ir, index, a);
    let event_enum = format_ident!("{}Event", a.builder);
    let (output, sending) = if a.events.is_empty() {
        let success = index.tokens(&a.success);
        let decode = match &a.by_status {
            Some(by_status) => {
                let name = format_ident!("{}", by_status.name);
                quote!(#name::decode_)
            }
            None => quote!(|_, body| serde_json::from_slice(body)),
        };
        // Plain `fn`s returning the runtime's futures: one generic `async` body in the runtime
        // instead of three per action keeps the crate cheap to type-check. The request is
        // described (and checked) when `send` is called; nothing is sent before the `.await`.
        let sending = quote! {
            /// Sends the request and decodes the answer.
            pub fn send(self) -> impl std::future::Future<Output = Result<#success, Error>> + Send + 'static {
                let request = self.request_();
                self.client_.send(request, self.call_, #decode)
            }

            /// Sends the request and returns the decoded answer with the response's status
            /// and headers.
            pub fn send_with_response(self) -> impl std::future::Future<Output = Result<crate::runtime::Response<#success>, Error>> + Send + 'static {
                let request = self.request_();
                self.client_.send_with_response(request, self.call_, #decode)
            }

            /// Sends the request and returns a 2xx answer's body undecoded, with its status and
            /// headers: for an answer the spec does not describe. Checks, retries and errors
            /// are as for [`send`](Self::send).
            pub fn send_raw(self) -> impl std::future::Future<Output = Result<crate::runtime::Response<bytes::Bytes>, Error>> + Send + 'static {
                let request = self.request_();
                self.client_.send_raw(request, self.call_)
            }
        };
        (success, sending)
    } else {
        let output = quote!(crate::runtime::EventStream<#event_enum>);
        let sending = quote! {
            /// Sends the request and returns the events as they arrive (see
            /// [`Client::execute_events`](crate::Client::execute_events)).
            pub async fn send(self) -> Result<#output, Error> {
                let events = self.client_.execute_events(self.request_(), &self.call_).await?;
                Ok(crate::runtime::map_events(events, Self::OPERATION.id, #event_enum::decode_))
            }
        };
        (output, sending)
    };
    let event_setters =
        (!a.events.is_empty()).then(|| quote!(crate::runtime::event_option_setters!(#name);));
    let events = (!a.events.is_empty()).then(|| event_enum_tokens(index, a, &event_enum));
    let by_status = a
        .by_status
        .as_ref()
        .map(|by_status| status_enum_tokens(index, a, by_status));
    let stream = a.pagination.as_ref().map(|p| {
        let page = ident(&p.page_param);
        let item = index.tokens(&p.item);
        let items_field = ident(&p.items_field.0);
        let total_field = ident(&p.total_field.0);
        let items = if p.items_field.1 { quote!(page.#items_field.unwrap_or_default()) } else { quote!(page.#items_field) };
        let total = if p.total_field.1 {
            quote!(page.#total_field.and_then(|t| u64::try_from(t).ok()))
        } else {
            quote!(u64::try_from(page.#total_field).ok())
        };
        quote! {
            /// The most pages [`into_stream`](Self::into_stream) fetches before it fails with
            /// [`Error::Pagination`](crate::Error::Pagination) (default 10,000).
            pub fn max_pages(mut self, pages: u64) -> Self {
                self.call_.set_max_pages(pages);
                self
            }

            /// Every item of every page, fetching pages one by one from the page set with
            /// `.page()` (default: the first). It ends once the items reach the total the API
            /// reports (not at a short page: the server may send fewer than asked for), or at
            /// an empty page; a page that repeats the previous one, an empty page before the
            /// total, or more than `max_pages` pages end it with
            /// [`Error::Pagination`](crate::Error::Pagination) rather than a partial answer.
            pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<#item, Error>> + Send + 'static {
                let first = self.#page.and_then(|p| u64::try_from(p).ok()).unwrap_or(0);
                let max_pages = self.call_.max_pages().unwrap_or(crate::runtime::DEFAULT_MAX_PAGES);
                crate::runtime::paginate(Self::OPERATION.id, first, max_pages, move |page| {
                    let mut builder = self.clone();
                    builder.#page = Some(i64::try_from(page).unwrap_or(i64::MAX));
                    async move {
                        let page = builder.send().await?;
                        Ok(crate::runtime::Page { total: #total, items: #items })
                    }
                })
            }
        }
    });
    let globals_field =
        (!ir.api.global_params.is_empty()).then(|| quote!(globals_: crate::api::GlobalParams,));
    let globals_init =
        (!ir.api.global_params.is_empty()).then(|| quote!(globals_: Default::default(),));
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent: `.await` it"]
        pub struct #name {
            client_: Client,
            call_: crate::runtime::CallOptions,
            #(#fields)*
            #body_field
            #globals_field
        }

        impl #name {
            #operation

            fn new_(client_: Client, #(#ctor_args),*) -> Self {
                #name { client_, call_: Default::default(), #(#inits,)* #globals_init }
            }

            #(#setters)*
            #body_setter

            /// The HTTP request this builder describes.
            fn request_(&self) -> Request {
                #request
            }

            #sending

            #stream
        }

        impl std::future::IntoFuture for #name {
            type Output = Result<#output, Error>;
            type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }

        crate::runtime::call_option_setters!(#name);
        #event_setters

        #events

        #by_status

        #global_setters
    }
}

/// The answer of an action whose success statuses carry different bodies: a variant per
/// status, and `Other` for a 2xx status the spec does not list.
fn status_enum_tokens(
    index: &TypeIndex<'_>,
    a: &ActionIr,
    by_status: &crate::ir::StatusEnum,
) -> TokenStream {
    let name = format_ident!("{}", by_status.name);
    let listed: Vec<String> = by_status
        .variants
        .iter()
        .map(|(status, variant, _, _)| format!("`{status}` ([`{variant}`](Self::{variant}))"))
        .collect();
    let doc = doc_attrs(&format!(
        "What `{}` answers: its body depends on the status, so the variant says which came back: {}.",
        a.id,
        listed.join(", ")
    ));
    let variants = by_status
        .variants
        .iter()
        .map(|(status, variant, ty, description)| {
            let id = format_ident!("{}", variant);
            let doc = doc_attrs(&format!("`{status}`: {description}"));
            match ty {
                Some(ty) => {
                    let ty = index.tokens(ty);
                    quote!(#doc #id(#ty),)
                }
                None => quote!(#doc #id,),
            }
        });
    let arms = by_status.variants.iter().map(|(status, variant, ty, _)| {
        let id = format_ident!("{}", variant);
        let status = proc_macro2::Literal::u16_unsuffixed(*status);
        match ty {
            Some(_) => quote!(#status => Self::#id(serde_json::from_slice(body)?),),
            None => quote!(#status => Self::#id,),
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        // Variants hold the data as sent; boxing the large ones would only add indirection.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            /// A 2xx status the spec does not list for this action, with its body as JSON
            /// (`null` when empty).
            Other {
                /// The status.
                status: reqwest::StatusCode,
                /// The body.
                body: serde_json::Value,
            },
        }

        impl #name {
            /// Decodes the answer by its status.
            fn decode_(status: reqwest::StatusCode, body: &[u8]) -> Result<Self, serde_json::Error> {
                Ok(match status.as_u16() {
                    #(#arms)*
                    _ => Self::Other { status, body: serde_json::from_slice(body)? },
                })
            }
        }
    }
}

/// The typed events of a streaming action: one variant per event, and `Other` for events this
/// version does not know.
fn event_enum_tokens(
    index: &TypeIndex<'_>,
    a: &ActionIr,
    name: &proc_macro2::Ident,
) -> TokenStream {
    let doc = doc_attrs(&format!("An event of the `{}` stream.", a.id));
    let variants = a.events.iter().map(|e| {
        let id = format_ident!("{}", e.variant);
        let ty = index.tokens(&e.ty);
        let doc = doc_attrs(&format!(
            "`{}`{}",
            e.wire,
            e.description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ));
        quote!(#doc #id(#ty),)
    });
    let arms = a.events.iter().map(|e| {
        let id = format_ident!("{}", e.variant);
        let wire = &e.wire;
        quote!(#wire => Self::#id(serde_json::from_str(&event.data)?),)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            /// An event this version of the crate does not know (or a keep-alive), as received.
            Other(crate::runtime::ServerSentEvent),
        }

        impl #name {
            /// Decodes one event by its name.
            fn decode_(event: &crate::runtime::ServerSentEvent) -> Result<Self, serde_json::Error> {
                Ok(match event.event.as_str() {
                    #(#arms)*
                    _ => Self::Other(event.clone()),
                })
            }
        }
    }
}

pub(super) fn setter(index: &TypeIndex<'_>, p: &ParamIr, place: TokenStream) -> TokenStream {
    let id = ident(&p.rust);
    let ty = arg_type(index, &p.ty);
    let value = arg_value(&p.ty, &format_ident!("value"));
    let mut doc = p
        .description
        .clone()
        .unwrap_or_else(|| format!("Sets `{}`.", p.wire));
    doc.push_str(&format!("\n\nSent as `{}`", p.wire));
    if let Some(default) = &p.default {
        doc.push_str(&format!("; the server's default is `{default}`"));
    }
    if let Some(example) = &p.example {
        doc.push_str(&format!("; for example `{example}`"));
    }
    doc.push('.');
    let doc = doc_attrs(&doc);
    let deprecated = p.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        pub fn #id(mut self, value: #ty) -> Self {
            #place = Some(#value);
            self
        }
    }
}

fn operation(a: &ActionIr) -> TokenStream {
    let id = &a.id;
    let (resource, action) = a.id.split_once('.').unwrap_or((&a.id, &a.name));
    let method = format_ident!(
        "{}",
        heck::ToUpperCamelCase::to_upper_camel_case(a.method.as_str())
    );
    let path = &a.path;
    let summary = &a.summary;
    let scopes = &a.scopes;
    let idempotent = a.idempotent;
    quote! {
        /// What this request is: its method, path, accepted token scopes and whether it may be
        /// retried after it was sent.
        pub const OPERATION: &'static Operation = &Operation {
            id: #id,
            resource: #resource,
            action: #action,
            method: Method::#method,
            path: #path,
            summary: #summary,
            scopes: &[#(#scopes),*],
            idempotent: #idempotent,
        };
    }
}

/// How a query parameter's value is added to the request: structured values (objects, and
/// arrays of them) JSON-encoded or in bracket form, as the spec says; others as they are.
fn query_add(index: &TypeIndex<'_>, p: &ParamIr, wire: &str) -> TokenStream {
    let structured = |kind: &TyKind| match kind {
        TyKind::Named { name, .. } => !index.is_string_enum(name),
        TyKind::Map(_) | TyKind::Any => true,
        _ => false,
    };
    let is_structured = match &p.ty.kind {
        TyKind::Array(item) => structured(&item.kind),
        other => structured(other),
    };
    if !is_structured {
        quote!(request.query(#wire, value);)
    } else if p.json_encoded {
        quote!(request.query(#wire, &serde_json::to_value(value).unwrap_or_default());)
    } else {
        quote!(request.query_deep(#wire, &serde_json::to_value(value).unwrap_or_default());)
    }
}

fn build_request(ir: &Ir, index: &TypeIndex<'_>, a: &ActionIr) -> TokenStream {
    let mut steps = Vec::new();
    let mut checks = Vec::new();
    for p in &a.path_params {
        let id = ident(&p.rust);
        let wire = &p.wire;
        steps.push(quote!(request.path_param(#wire, &self.#id);));
    }
    for p in &a.query {
        let id = ident(&p.rust);
        let wire = &p.wire;
        let add = query_add(index, p, wire);
        steps.push(if positional(p) {
            quote!({ let value = &self.#id; #add })
        } else {
            quote!(if let Some(value) = &self.#id { #add })
        });
    }
    for p in &a.headers {
        let id = ident(&p.rust);
        let wire = &p.wire;
        steps.push(if positional(p) {
            quote!(request.header(#wire, self.#id.to_string());)
        } else {
            quote!(if let Some(value) = &self.#id { request.header(#wire, value.to_string()); })
        });
    }
    for p in &a.multipart {
        let id = ident(&p.rust);
        let wire = &p.wire;
        // Text as it is; JSON only where the spec says `encoding: json` (or for a structured
        // value, which has no other text form).
        let add = match &p.ty.kind {
            TyKind::File => quote!(request.multipart_file(#wire, value);),
            _ if p.json_encoded => {
                quote!(request.multipart_text(#wire, serde_json::to_string(value).unwrap_or_default());)
            }
            TyKind::String => quote!(request.multipart_text(#wire, value.clone());),
            TyKind::Named { name, .. } if index.is_string_enum(name) => {
                quote!(request.multipart_text(#wire, value.as_str());)
            }
            TyKind::Integer | TyKind::Number | TyKind::Boolean => {
                quote!(request.multipart_text(#wire, value.to_string());)
            }
            _ => {
                quote!(request.multipart_text(#wire, serde_json::to_string(value).unwrap_or_default());)
            }
        };
        steps.push(if positional(p) {
            quote!({ let value = &self.#id; #add })
        } else {
            quote!(if let Some(value) = &self.#id { #add })
        });
    }
    for p in all_params(a) {
        let id = ident(&p.rust);
        let wire = &p.wire;
        if let Some(code) = index.checks(&p.ty, quote!(value)) {
            let code = closure_body(code);
            checks.push(if positional(p) {
                quote!({ let value = &self.#id; v.field(#wire, |v| #code); })
            } else {
                quote!(if let Some(value) = &self.#id { v.field(#wire, |v| #code); })
            });
        }
    }
    if let Some(body) = &a.body {
        let id = ident(&body.rust);
        let wire = &body.rust;
        let code = closure_body(index.checks(&body.ty, quote!(value)).unwrap_or_default());
        if body.required {
            steps.push(quote!(request.json_body(&self.#id);));
            checks.push(quote!({ let value = &self.#id; v.field(#wire, |v| #code); }));
        } else {
            steps.push(quote!(if let Some(body) = &self.#id { request.json_body(body); }));
            checks.push(quote!(if let Some(value) = &self.#id { v.field(#wire, |v| #code); }));
        }
    }
    let globals =
        (!ir.api.global_params.is_empty()).then(|| quote!(self.globals_.apply(&mut request);));
    let validate = (!checks.is_empty()).then(|| quote!(request.validate(|v| { #(#checks)* });));
    let keep_alive = a.keep_alive.as_ref().map(|(param, default)| {
        let id = ident(param);
        let value = match default {
            Some(default) => quote!(Some(self.#id.unwrap_or(#default))),
            None => quote!(self.#id),
        };
        quote! {
            if let Some(seconds) = #value.and_then(|s| u64::try_from(s).ok()) {
                request.event_keep_alive(std::time::Duration::from_secs(seconds));
            }
        }
    });
    if steps.is_empty() && globals.is_none() && keep_alive.is_none() && validate.is_none() {
        // Nothing to add: a `let mut` would be an unused `mut` in the user's build.
        return quote!(Request::new(Self::OPERATION));
    }
    quote! {
        let mut request = Request::new(Self::OPERATION);
        #(#steps)*
        #globals
        #keep_alive
        #validate
        request
    }
}
