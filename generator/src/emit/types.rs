//! Emit the named types: structs, string enums, unions and aliases, with their serde,
//! schemars and validation code.

use std::collections::HashMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::docs::doc_attrs;
use crate::ir::{Field, Home, Ir, Ty, TyKind, TypeDef, TypeKind};
use crate::names::ident;

/// Knows where every named type lives, to write paths to it.
pub struct TypeIndex<'a> {
    homes: HashMap<&'a str, Home>,
    string_enums: std::collections::HashSet<&'a str>,
    patterns: &'a [String],
    /// Cargo feature that gates the `schemars::JsonSchema` impls, if any.
    json_schema_feature: Option<&'a str>,
}

impl<'a> TypeIndex<'a> {
    /// Indexes the types of `ir`; `json_schema_feature` gates their `JsonSchema` impls.
    pub fn new(ir: &'a Ir, json_schema_feature: Option<&'a str>) -> Self {
        TypeIndex {
            json_schema_feature,
            homes: ir
                .types
                .iter()
                .map(|t| (t.name.as_str(), t.home.clone()))
                // The enums of actions answering different bodies by status live in the
                // resource's module.
                .chain(ir.resources.iter().flat_map(|r| {
                    r.actions.iter().filter_map(|a| {
                        let by_status = a.by_status.as_ref()?;
                        Some((by_status.name.as_str(), Home::Resource(r.module.clone())))
                    })
                }))
                .collect(),
            string_enums: ir
                .types
                .iter()
                .filter(|t| matches!(t.kind, TypeKind::StringEnum { .. }))
                .map(|t| t.name.as_str())
                .collect(),
            patterns: &ir.patterns,
        }
    }

    /// The attribute deriving `schemars::JsonSchema`: plain, or under the feature that gates it.
    fn derive_json_schema(&self) -> TokenStream {
        match self.json_schema_feature {
            Some(feature) => {
                quote!(#[cfg_attr(feature = #feature, derive(schemars::JsonSchema))])
            }
            None => quote!(#[derive(schemars::JsonSchema)]),
        }
    }

    /// `#[cfg(...)]` for a hand-written `JsonSchema` impl: nothing, or the gating feature.
    fn json_schema_cfg(&self) -> Option<TokenStream> {
        self.json_schema_feature
            .map(|feature| quote!(#[cfg(feature = #feature)]))
    }

    /// Whether `name` is a string enumeration (which goes into a query string as its value).
    pub fn is_string_enum(&self, name: &str) -> bool {
        self.string_enums.contains(name)
    }

    /// The crate path of a named type.
    pub fn path(&self, name: &str) -> TokenStream {
        let ty = format_ident!("{}", name);
        match self.homes.get(name) {
            Some(Home::Resource(module)) => {
                let module = ident(module);
                quote!(crate::#module::#ty)
            }
            _ => quote!(crate::models::#ty),
        }
    }

    /// The Rust type of a value, `Option<_>` when it may be null.
    pub fn tokens(&self, ty: &Ty) -> TokenStream {
        let base = self.base(ty);
        if ty.nullable {
            quote!(Option<#base>)
        } else {
            base
        }
    }

    /// The Rust type of a value, ignoring whether it may be null.
    pub fn base(&self, ty: &Ty) -> TokenStream {
        match &ty.kind {
            TyKind::String => quote!(String),
            TyKind::Integer => quote!(i64),
            TyKind::Number => quote!(f64),
            TyKind::Boolean => quote!(bool),
            TyKind::DateTime => quote!(chrono::DateTime<chrono::Utc>),
            TyKind::Any => quote!(serde_json::Value),
            TyKind::File => quote!(crate::runtime::FilePart),
            TyKind::Named { name, boxed } => {
                let path = self.path(name);
                if *boxed { quote!(Box<#path>) } else { path }
            }
            TyKind::Array(item) => {
                let item = self.tokens(item);
                quote!(Vec<#item>)
            }
            TyKind::Map(value) => {
                let value = self.tokens(value);
                quote!(std::collections::BTreeMap<String, #value>)
            }
        }
    }

    /// Validation code for `value` (an expression of type `&T`, or `&Option<T>` when the type
    /// is nullable), or nothing when there is nothing to check. Named types are validated
    /// through their own `Validate` impl.
    pub fn checks(&self, ty: &Ty, value: TokenStream) -> Option<TokenStream> {
        if ty.nullable {
            let inner = Ty {
                nullable: false,
                ..ty.clone()
            };
            let code = self.checks(&inner, quote!(value))?;
            return Some(quote!(if let Some(value) = #value { #code }));
        }
        let c = &ty.checks;
        let mut out = Vec::new();
        let u = |n: u64| Literal::u64_unsuffixed(n);
        let f = |n: f64| Literal::f64_unsuffixed(n);
        match &ty.kind {
            TyKind::String => {
                if let Some(n) = c.min_length {
                    let n = u(n);
                    out.push(quote!(v.min_length(#value, #n);));
                }
                if let Some(n) = c.max_length {
                    let n = u(n);
                    out.push(quote!(v.max_length(#value, #n);));
                }
                if let Some(i) = c.pattern.filter(|i| *i < self.patterns.len()) {
                    let pattern = format_ident!("PATTERN_{}", i);
                    out.push(quote!(v.pattern(#value, &crate::api::patterns::#pattern);));
                }
            }
            TyKind::Integer | TyKind::Number => {
                // Validators take `f64`; integers are converted, numbers already are.
                let number = if ty.kind == TyKind::Integer {
                    quote!(*#value as f64)
                } else {
                    quote!(*#value)
                };
                if let Some((n, exclusive)) = c.minimum {
                    let n = f(n);
                    out.push(quote!(v.minimum(#number, #n, #exclusive);));
                }
                if let Some((n, exclusive)) = c.maximum {
                    let n = f(n);
                    out.push(quote!(v.maximum(#number, #n, #exclusive);));
                }
                if let Some(n) = c.multiple_of {
                    let n = f(n);
                    out.push(quote!(v.multiple_of(#number, #n);));
                }
            }
            TyKind::Array(item) => {
                if let Some(n) = c.min_items {
                    let n = u(n);
                    out.push(quote!(v.min_items(#value.len(), #n);));
                }
                if let Some(n) = c.max_items {
                    let n = u(n);
                    out.push(quote!(v.max_items(#value.len(), #n);));
                }
                if c.unique_items {
                    out.push(quote!(v.unique_items(#value);));
                }
                if let Some(code) = self.checks(item, quote!(item)) {
                    let code = closure_body(code);
                    out.push(quote! {
                        for (i, item) in #value.iter().enumerate() {
                            v.index(i, |v| #code);
                        }
                    });
                }
            }
            TyKind::Map(item) => {
                if let Some(n) = c.min_properties {
                    let n = u(n);
                    out.push(quote!(v.min_properties(#value.len(), #n);));
                }
                if let Some(n) = c.max_properties {
                    let n = u(n);
                    out.push(quote!(v.max_properties(#value.len(), #n);));
                }
                if let Some(code) = self.checks(item, quote!(item)) {
                    let code = closure_body(code);
                    out.push(quote! {
                        for (key, item) in #value.iter() {
                            v.field(key, |v| #code);
                        }
                    });
                }
            }
            TyKind::Named { .. } => {
                out.push(quote!(crate::runtime::Validate::validate_into(#value, v);));
            }
            TyKind::Boolean | TyKind::DateTime | TyKind::Any | TyKind::File => {}
        }
        if let Some(values) = &c.one_of_values {
            let allowed: Vec<String> = values.iter().map(Value::to_string).collect();
            let message = format!("must be one of {}", allowed.join(", "));
            let literals: Option<Vec<TokenStream>> =
                values.iter().map(|v| literal(v, &ty.kind)).collect();
            if let Some(literals) = literals {
                out.push(quote! {
                    if ![#(#literals),*].contains(#value) {
                        v.error(#message);
                    }
                });
            }
        }
        (!out.is_empty()).then(|| quote!(#(#out)*))
    }
}

/// A Rust literal for a JSON value of a primitive type.
fn literal(value: &Value, kind: &TyKind) -> Option<TokenStream> {
    match (kind, value) {
        (TyKind::Boolean, Value::Bool(b)) => Some(quote!(#b)),
        (TyKind::Integer, Value::Number(n)) => n.as_i64().map(|n| {
            let n = Literal::i64_suffixed(n);
            quote!(#n)
        }),
        (TyKind::Number, Value::Number(n)) => n.as_f64().map(|n| {
            let n = Literal::f64_suffixed(n);
            quote!(#n)
        }),
        _ => None,
    }
}

/// Emits one named type with its impls.
pub fn emit_type(index: &TypeIndex<'_>, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct { fields, additional } => {
            emit_struct(index, def, fields, additional.as_ref())
        }
        TypeKind::StringEnum { variants } => emit_string_enum(index, def, variants),
        TypeKind::Union { variants } => emit_union(index, def, variants),
        TypeKind::Alias(ty) => {
            let name = format_ident!("{}", def.name);
            let docs = doc_attrs(&type_doc(def));
            let ty = index.tokens(ty);
            quote!(#docs pub type #name = #ty;)
        }
    }
}

/// The body of a validation closure `|v| ...` running the statements `code`: a single call
/// stays an expression (one line once formatted), several statements become a block.
pub fn closure_body(code: TokenStream) -> TokenStream {
    if let Ok(block) = syn::parse2::<syn::Block>(quote!({ #code })) {
        if let [syn::Stmt::Expr(expr, Some(_))] = block.stmts.as_slice() {
            if matches!(expr, syn::Expr::Call(_) | syn::Expr::MethodCall(_)) {
                return quote!(#expr);
            }
        }
    }
    quote!({ #code })
}

fn type_doc(def: &TypeDef) -> String {
    let mut doc = def.doc.join("\n\n");
    if let Some(example) = &def.example {
        let json = serde_json::to_string_pretty(example).unwrap_or_default();
        doc.push_str(&format!("\n\n# Example\n\n```json\n{json}\n```"));
    }
    if doc.trim().is_empty() {
        def.name.clone()
    } else {
        doc
    }
}

/// Whether a field tells `null` (clear) from absent (leave alone).
fn tri_state(def: &TypeDef, field: &Field) -> bool {
    def.in_patch && !field.required
}

fn field_type(index: &TypeIndex<'_>, def: &TypeDef, field: &Field) -> TokenStream {
    let base = index.base(&field.ty);
    if tri_state(def, field) {
        quote!(Option<crate::runtime::Nullable<#base>>)
    } else if !field.required || field.ty.nullable {
        quote!(Option<#base>)
    } else {
        base
    }
}

fn emit_struct(
    index: &TypeIndex<'_>,
    def: &TypeDef,
    fields: &[Field],
    additional: Option<&Ty>,
) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let docs = doc_attrs(&type_doc(def));
    let has_required = fields.iter().any(|f| f.required);
    let default = (!has_required).then(|| quote!(Default,));
    let field_tokens = fields.iter().map(|field| {
        let id = ident(&field.rust);
        let ty = field_type(index, def, field);
        let mut serde = Vec::new();
        if field.rust != field.wire {
            let wire = &field.wire;
            serde.push(quote!(rename = #wire));
        }
        if tri_state(def, field) {
            serde.push(quote!(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::runtime::nullable::deserialize"
            ));
        } else if !field.required {
            serde.push(quote!(default, skip_serializing_if = "Option::is_none"));
        }
        let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
        let doc = doc_attrs(field.doc.as_deref().unwrap_or(&field.wire));
        quote!(#doc #serde pub #id: #ty,)
    });
    let additional_field = additional.map(|ty| {
        let ty = index.tokens(ty);
        quote! {
            /// Properties beyond the named ones.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<String, #ty>,
        }
    });
    let constructor = has_required.then(|| {
        let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
        let args = required.iter().map(|f| {
            let id = ident(&f.rust);
            let ty = field_type(index, def, f);
            quote!(#id: #ty)
        });
        let inits = fields.iter().map(|f| {
            let id = ident(&f.rust);
            if f.required {
                quote!(#id)
            } else {
                quote!(#id: None)
            }
        });
        let extra = additional.map(|_| quote!(additional_properties: Default::default(),));
        let doc = format!(
            " A `{}` with its required fields set and every optional field unset.",
            def.name
        );
        quote! {
            impl #name {
                #[doc = #doc]
                pub fn new(#(#args),*) -> Self {
                    #name { #(#inits,)* #extra }
                }
            }
        }
    });
    let validate = def.in_request.then(|| {
        let checks = fields.iter().filter_map(|field| {
            let id = ident(&field.rust);
            let wire = &field.wire;
            let inner = Ty { nullable: false, ..field.ty.clone() };
            let code = closure_body(index.checks(&inner, quote!(value))?);
            Some(if tri_state(def, field) {
                quote!(if let Some(crate::runtime::Nullable::Value(value)) = &self.#id { v.field(#wire, |v| #code); })
            } else if !field.required || field.ty.nullable {
                quote!(if let Some(value) = &self.#id { v.field(#wire, |v| #code); })
            } else {
                quote!({ let value = &self.#id; v.field(#wire, |v| #code); })
            })
        });
        let extra = additional.and_then(|ty| {
            let code = closure_body(index.checks(ty, quote!(item))?);
            Some(quote! {
                for (key, item) in &self.additional_properties {
                    v.field(key, |v| #code);
                }
            })
        });
        quote! {
            impl crate::runtime::Validate for #name {
                #[allow(unused_variables)]
                fn validate_into(&self, v: &mut crate::runtime::Validator) {
                    #(#checks)*
                    #extra
                }
            }
        }
    });
    let json_schema = index.derive_json_schema();
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #json_schema
        pub struct #name {
            #(#field_tokens)*
            #additional_field
        }
        #constructor
        #validate
    }
}

fn emit_string_enum(
    index: &TypeIndex<'_>,
    def: &TypeDef,
    variants: &[(String, String)],
) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let name_str = &def.name;
    let docs = doc_attrs(&type_doc(def));
    let idents: Vec<_> = variants
        .iter()
        .map(|(v, _)| format_ident!("{}", v))
        .collect();
    let wires: Vec<&String> = variants.iter().map(|(_, w)| w).collect();
    let variant_docs = wires.iter().map(|w| doc_attrs(&format!("`{w:?}`")));
    let json_schema_cfg = index.json_schema_cfg();
    // What does not depend on the variants (parsing, display, serde, validation, query
    // encoding) comes from one runtime macro instead of being written out for every enum.
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #variant_docs #idents, )*
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl #name {
            /// Every value the spec lists, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #wires, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#idents, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        crate::runtime::string_enum!(#name);

        #json_schema_cfg
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #name_str.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::runtime::string_enum_schema(Self::VALUES)
            }
        }
    }
}

/// The order untagged variants are tried in: the most specific first.
fn variant_rank(kind: &TyKind) -> u8 {
    match kind {
        TyKind::Boolean => 0,
        TyKind::Integer => 1,
        TyKind::Number => 2,
        TyKind::DateTime => 3,
        TyKind::String => 4,
        TyKind::Named { .. } => 5,
        TyKind::Array(_) => 6,
        TyKind::Map(_) => 7,
        TyKind::Any | TyKind::File => 8,
    }
}

fn emit_union(index: &TypeIndex<'_>, def: &TypeDef, variants: &[(String, Ty)]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let docs = doc_attrs(&type_doc(def));
    let mut ordered: Vec<&(String, Ty)> = variants.iter().collect();
    ordered.sort_by_key(|(_, ty)| variant_rank(&ty.kind));
    let variant_tokens = ordered.iter().map(|(v, ty)| {
        let id = format_ident!("{}", v);
        let ty = index.tokens(ty);
        let doc = doc_attrs(&format!(
            "The value as {}.",
            describe(ty.to_string().as_str())
        ));
        quote!(#doc #id(#ty),)
    });
    let validate = def.in_request.then(|| {
        let arms = ordered.iter().map(|(v, ty)| {
            let id = format_ident!("{}", v);
            let code = index.checks(ty, quote!(value)).unwrap_or_default();
            quote!(Self::#id(value) => { #code })
        });
        quote! {
            impl crate::runtime::Validate for #name {
                #[allow(unused_variables)]
                fn validate_into(&self, v: &mut crate::runtime::Validator) {
                    match self { #(#arms)* }
                }
            }
        }
    });
    // Decoding keeps the variant that loses the least of the value (see
    // `runtime::decode_union`): with serde's `untagged`, the first variant that accepts it
    // would win, and objects accept unknown members, so what only a later branch declares
    // would be lost.
    let candidates = ordered.iter().map(|(v, _)| {
        let id = format_ident!("{}", v);
        quote!(|value| serde_json::from_value(value).map(Self::#id),)
    });
    let name_str = &def.name;
    let json_schema = index.derive_json_schema();
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #json_schema
        #[serde(untagged)]
        // Variants hold the data as sent; boxing the large ones would only add indirection.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variant_tokens)*
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                crate::runtime::decode_union(value, #name_str, &[#(#candidates)*])
            }
        }
        #validate
    }
}

/// A short human description of a Rust type's tokens, for docs.
fn describe(tokens: &str) -> String {
    format!(
        "`{}`",
        tokens
            .replace(' ', "")
            .replace("crate::models::", "")
            .replace(',', ", ")
    )
}
