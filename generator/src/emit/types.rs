//! Emit the named types: structs, string enums, unions and aliases, with their serde,
//! schemars and validation code.

use std::collections::HashMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::docs::doc_attrs;
use crate::ir::{Field, Home, Ir, Payload, Ty, TyKind, TypeDef, TypeKind, Variant};
use crate::names::ident;

/// Knows where every named type lives, to write paths to it.
pub struct TypeIndex<'a> {
    homes: HashMap<&'a str, Home>,
    string_enums: std::collections::HashSet<&'a str>,
    /// Named types with a value for JSON `null` of their own (see [`TypeIndex::holds_null`]).
    null_holders: std::collections::HashSet<&'a str>,
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
            null_holders: null_holders(ir),
            patterns: &ir.patterns,
        }
    }

    /// Whether the type has a value of its own for JSON `null`: `serde_json::Value`
    /// (`Value::Null`), or a union with a `Null` variant or a variant keeping any value. An
    /// optional field of such a type must not let serde turn `null` into `None`.
    pub fn holds_null(&self, ty: &Ty) -> bool {
        match &ty.kind {
            TyKind::Any => true,
            TyKind::Named { name, .. } => self.null_holders.contains(name.as_str()),
            _ => false,
        }
    }

    /// `#[cfg(...)]` for a hand-written `JsonSchema` impl: nothing, or the gating feature.
    pub(super) fn json_schema_cfg(&self) -> Option<TokenStream> {
        self.json_schema_feature
            .map(|feature| quote!(#[cfg(feature = #feature)]))
    }

    /// The text of pattern `i` of the IR's pattern table.
    pub(super) fn pattern(&self, i: usize) -> Option<&'a str> {
        self.patterns.get(i).map(String::as_str)
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
            TyKind::DateTime => quote!(chrono::DateTime<chrono::FixedOffset>),
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
        TypeKind::Union { variants, tags } => match tags {
            Some(tags) => emit_tagged_union(index, def, variants, tags),
            None => emit_union(index, def, variants),
        },
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

/// The named types that hold `null` themselves (see [`TypeIndex::holds_null`]), following
/// aliases.
fn null_holders(ir: &Ir) -> std::collections::HashSet<&str> {
    let mut holders = std::collections::HashSet::new();
    // Aliases of aliases need as many rounds as the chain is long.
    loop {
        let before = holders.len();
        for def in &ir.types {
            let holds = match &def.kind {
                TypeKind::Union { variants, .. } => variants.iter().any(|v| match &v.payload {
                    Payload::Null => true,
                    Payload::CatchAll(ty) => ty.kind == TyKind::Any,
                    _ => false,
                }),
                TypeKind::Alias(ty) => match &ty.kind {
                    TyKind::Any => true,
                    TyKind::Named { name, .. } => holders.contains(name.as_str()),
                    _ => false,
                },
                _ => false,
            };
            if holds {
                holders.insert(def.name.as_str());
            }
        }
        if holders.len() == before {
            return holders;
        }
    }
}

/// Whether a field tells `null` from absent: it is optional, and its schema allows `null`
/// (a union with a `null` branch says it with its `Null` variant instead).
pub(super) fn tri_state(field: &Field) -> bool {
    !field.required && field.ty.nullable
}

fn field_type(index: &TypeIndex<'_>, field: &Field) -> TokenStream {
    let base = index.base(&field.ty);
    if tri_state(field) {
        quote!(Option<crate::runtime::Nullable<#base>>)
    } else if !field.required || field.ty.nullable {
        quote!(Option<#base>)
    } else {
        base
    }
}

/// A field's doc comment: its description (or the description of the schema it refers to),
/// its wire name when that differs from the Rust one, and an example from its parent's.
fn field_doc(field: &Field) -> String {
    let mut doc = field.doc.clone().unwrap_or_default();
    let mut facts = Vec::new();
    if doc.is_empty()
        || field.rust != crate::names::field(&field.wire)
        || field.wire.contains(|c: char| !c.is_ascii_alphanumeric())
    {
        facts.push(format!("`{}` on the wire", field.wire));
    }
    if let Some(example) = field
        .example
        .as_ref()
        .filter(|e| !e.is_object() && !e.is_array())
    {
        let text = example.to_string();
        if text.len() <= 80 {
            facts.push(format!("e.g. `{text}`"));
        }
    }
    if !facts.is_empty() {
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        let mut facts = facts.join("; ");
        if let Some(first) = facts.get(..1) {
            let upper = first.to_uppercase();
            facts.replace_range(..1, &upper);
        }
        doc.push_str(&facts);
        doc.push('.');
    }
    doc
}

/// The serde attributes of a date-time field: written with milliseconds (see
/// `runtime::datetime`). Reading needs no function of its own (chrono's is the one), except to
/// tell `null` from absent; leaving it to serde's own code spares a wrapper type per field.
fn datetime_with(field: &Field) -> Option<TokenStream> {
    (field.ty.kind == TyKind::DateTime).then(|| {
        if tri_state(field) {
            quote!(with = "crate::runtime::datetime::nullable")
        } else if !field.required || field.ty.nullable {
            quote!(serialize_with = "crate::runtime::datetime::option::serialize")
        } else {
            quote!(serialize_with = "crate::runtime::datetime::serialize")
        }
    })
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
        let ty = field_type(index, field);
        let mut serde = Vec::new();
        if field.rust != field.wire {
            let wire = &field.wire;
            serde.push(quote!(rename = #wire));
        }
        if let Some(with) = datetime_with(field) {
            serde.push(with);
        }
        if tri_state(field) {
            serde.push(quote!(default, skip_serializing_if = "Option::is_none"));
            if field.ty.kind != TyKind::DateTime {
                serde.push(quote!(
                    deserialize_with = "crate::runtime::nullable::deserialize"
                ));
            }
        } else if !field.required {
            serde.push(quote!(default, skip_serializing_if = "Option::is_none"));
            if index.holds_null(&field.ty) && !field.ty.nullable {
                // `null` is a value of the type: `Some(Value::Null)`, not `None`.
                serde.push(quote!(
                    deserialize_with = "crate::runtime::nullable::deserialize_some"
                ));
            }
        }
        let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
        let doc = doc_attrs(&field_doc(field));
        quote!(#doc #serde pub #id: #ty,)
    });
    let additional_field = additional.map(|ty| {
        let ty = index.tokens(ty);
        quote! {
            /// Properties beyond the named ones, as sent.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<String, #ty>,
        }
    });
    let constructor = has_required.then(|| {
        let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
        let args = required.iter().map(|f| {
            let id = ident(&f.rust);
            let ty = field_type(index, f);
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
            Some(if tri_state(field) {
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
    let json_schema = super::json_schema::emit_json_schema(index, def);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#field_tokens)*
            #additional_field
        }
        #json_schema
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

/// The order untagged variants are tried in: the most specific first (a string enumeration
/// before a plain string: its listed values are more specific).
fn variant_rank(index: &TypeIndex<'_>, variant: &Variant) -> u8 {
    match &variant.payload {
        Payload::Null => 0,
        Payload::Unit => 1,
        Payload::CatchAll(_) => 11,
        Payload::Type(ty) => match &ty.kind {
            TyKind::Boolean => 2,
            TyKind::Integer => 3,
            TyKind::Number => 4,
            TyKind::DateTime => 5,
            TyKind::Named { name, .. } if index.is_string_enum(name) => 6,
            TyKind::String => 7,
            TyKind::Named { .. } => 8,
            TyKind::Array(_) => 9,
            TyKind::Map(_) => 10,
            TyKind::Any | TyKind::File => 11,
        },
    }
}

/// The doc comment of a variant: the branch's own description, else what it holds.
fn variant_doc(variant: &Variant, ty: Option<&TokenStream>) -> TokenStream {
    let text = match (&variant.doc, ty) {
        (Some(doc), _) => doc.clone(),
        (None, Some(ty)) => format!("A {}.", describe(ty.to_string().as_str())),
        (None, None) => format!("`{}`.", variant.name),
    };
    doc_attrs(&text)
}

/// `From` impls for the variants of a union that hold a scalar (each scalar type once), so
/// that `Value::from(21.5)` or `.into()` builds it.
fn scalar_froms(name: &proc_macro2::Ident, variants: &[Variant]) -> TokenStream {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for variant in variants {
        let Payload::Type(ty) = &variant.payload else {
            continue;
        };
        if ty.nullable {
            continue;
        }
        let id = format_ident!("{}", variant.name);
        let impls: Vec<TokenStream> = match ty.kind {
            TyKind::String if seen.insert("string") => vec![
                quote!(impl From<String> for #name { fn from(value: String) -> Self { Self::#id(value) } }),
                quote!(impl From<&str> for #name { fn from(value: &str) -> Self { Self::#id(value.to_owned()) } }),
            ],
            TyKind::Integer if seen.insert("integer") => vec![
                quote!(impl From<i64> for #name { fn from(value: i64) -> Self { Self::#id(value) } }),
            ],
            TyKind::Number if seen.insert("number") => vec![
                quote!(impl From<f64> for #name { fn from(value: f64) -> Self { Self::#id(value) } }),
            ],
            TyKind::Boolean if seen.insert("boolean") => vec![
                quote!(impl From<bool> for #name { fn from(value: bool) -> Self { Self::#id(value) } }),
            ],
            TyKind::DateTime if seen.insert("date-time") => vec![
                quote!(impl From<chrono::DateTime<chrono::FixedOffset>> for #name { fn from(value: chrono::DateTime<chrono::FixedOffset>) -> Self { Self::#id(value) } }),
                quote!(impl From<chrono::DateTime<chrono::Utc>> for #name { fn from(value: chrono::DateTime<chrono::Utc>) -> Self { Self::#id(value.fixed_offset()) } }),
            ],
            _ => Vec::new(),
        };
        out.extend(impls);
    }
    quote!(#(#out)*)
}

fn emit_union(index: &TypeIndex<'_>, def: &TypeDef, variants: &[Variant]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let docs = doc_attrs(&type_doc(def));
    let mut ordered: Vec<&Variant> = variants.iter().collect();
    ordered.sort_by_key(|v| variant_rank(index, v));
    let variant_tokens = ordered.iter().map(|v| {
        let id = format_ident!("{}", v.name);
        match &v.payload {
            Payload::Type(ty) | Payload::CatchAll(ty) => {
                let ty_tokens = index.tokens(ty);
                let doc = variant_doc(v, Some(&ty_tokens));
                let with = (ty.kind == TyKind::DateTime && !ty.nullable).then(
                    || quote!(#[serde(serialize_with = "crate::runtime::datetime::serialize")]),
                );
                quote!(#doc #with #id(#ty_tokens),)
            }
            // An untagged unit variant is written as `null`.
            Payload::Null | Payload::Unit => {
                let doc = variant_doc(v, None);
                quote!(#doc #id,)
            }
        }
    });
    let validate = def.in_request.then(|| {
        let arms = ordered.iter().map(|v| {
            let id = format_ident!("{}", v.name);
            match v.ty() {
                Some(ty) => {
                    let code = index.checks(ty, quote!(value)).unwrap_or_default();
                    quote!(Self::#id(value) => { #code })
                }
                None => quote!(Self::#id => {}),
            }
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
    // would be lost. A catch-all variant takes only what no other accepts.
    // A string enumeration beside a plain string takes only the values it lists (not into
    // its `Unknown`): any other string is the plain string's.
    let has_string = ordered
        .iter()
        .any(|v| v.ty().is_some_and(|ty| ty.kind == TyKind::String));
    let candidates = ordered.iter().filter_map(|v| {
        let id = format_ident!("{}", v.name);
        match &v.payload {
            Payload::Type(Ty { kind: TyKind::Named { name, .. }, nullable: false, .. })
                if has_string && index.is_string_enum(name) =>
            {
                let enum_path = index.path(name);
                Some(quote!(|value| crate::runtime::decode_listed(value, #enum_path::VALUES).map(Self::#id),))
            }
            Payload::Type(_) => Some(quote!(|value| serde_json::from_value(value).map(Self::#id),)),
            Payload::Null => Some(quote!(|value| if value.is_null() { Ok(Self::#id) } else { Err(serde::de::Error::custom("not null")) },)),
            Payload::Unit | Payload::CatchAll(_) => None,
        }
    });
    let catch_all = ordered.iter().find_map(|v| match &v.payload {
        Payload::CatchAll(_) => Some(format_ident!("{}", v.name)),
        _ => None,
    });
    let name_str = &def.name;
    let decode = match catch_all {
        Some(other) => quote! {
            let candidates: &[crate::runtime::UnionVariant<Self>] = &[#(#candidates)*];
            Ok(crate::runtime::decode_union::<Self, D::Error>(value.clone(), #name_str, candidates)
                .unwrap_or(Self::#other(value)))
        },
        None => quote!(crate::runtime::decode_union(value, #name_str, &[#(#candidates)*])),
    };
    let froms = scalar_froms(&name, variants);
    let json_schema = super::json_schema::emit_json_schema(index, def);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        // Variants hold the data as sent; boxing the large ones would only add indirection.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variant_tokens)*
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                #decode
            }
        }
        #json_schema
        #froms
        #validate
    }
}

/// A union whose branches are told apart by tag properties: a variant per branch, named by
/// its tag values, holding the branch's other properties; `Other` keeps a value whose tags
/// match no branch.
fn emit_tagged_union(
    index: &TypeIndex<'_>,
    def: &TypeDef,
    variants: &[Variant],
    tags: &[String],
) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let docs = doc_attrs(&format!(
        "{}\n\nTold apart by {}.",
        type_doc(def),
        tags.iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    ));
    let variant_tokens = variants.iter().map(|v| {
        let id = format_ident!("{}", v.name);
        let tag_text: Vec<String> = v
            .tags
            .iter()
            .map(|(k, val)| format!("`{k}: {val}`"))
            .collect();
        let mut text = v.doc.clone().unwrap_or_default();
        if !tag_text.is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&format!("Sent with {}.", tag_text.join(", ")));
        }
        let doc = doc_attrs(if text.is_empty() { &v.name } else { &text });
        match &v.payload {
            Payload::Type(ty) | Payload::CatchAll(ty) => {
                let ty = index.tokens(ty);
                quote!(#doc #id(#ty),)
            }
            Payload::Null | Payload::Unit => quote!(#doc #id,),
        }
    });
    let serialize_arms = variants.iter().map(|v| {
        let id = format_ident!("{}", v.name);
        let keys = v.tags.iter().map(|(k, _)| k);
        let values = v.tags.iter().map(|(_, val)| val);
        match &v.payload {
            Payload::Type(_) => quote!(Self::#id(value) => crate::runtime::serialize_tagged(&[#((#keys, #values)),*], Some(value), serializer),),
            Payload::Unit => quote!(Self::#id => crate::runtime::serialize_tagged::<_, ()>(&[#((#keys, #values)),*], None, serializer),),
            Payload::CatchAll(_) => quote!(Self::#id(value) => serde::Serialize::serialize(value, serializer),),
            Payload::Null => quote!(Self::#id => serializer.serialize_none(),),
        }
    });
    let tag_names = tags.iter();
    let decode_arms = variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
        let id = format_ident!("{}", v.name);
        let values = v.tags.iter().map(|(_, val)| val);
        let make = match &v.payload {
            Payload::Type(_) => quote!(serde_json::from_value(value).map(Self::#id).map_err(serde::de::Error::custom)),
            _ => quote!(Ok(Self::#id)),
        };
        quote!([#(Some(#values)),*] => #make,)
    });
    let other = variants.iter().find_map(|v| match &v.payload {
        Payload::CatchAll(_) => Some(format_ident!("{}", v.name)),
        _ => None,
    });
    let null = variants.iter().find_map(|v| match &v.payload {
        Payload::Null => Some(format_ident!("{}", v.name)),
        _ => None,
    });
    let null_arm = null.map(|id| quote!(if value.is_null() { return Ok(Self::#id); }));
    let fallback = match &other {
        Some(other) => quote!(_ => Ok(Self::#other(value)),),
        None => quote!(_ => Err(serde::de::Error::custom("no variant has these tags")),),
    };
    let validate = def.in_request.then(|| {
        let arms = variants.iter().map(|v| {
            let id = format_ident!("{}", v.name);
            match &v.payload {
                Payload::Type(ty) | Payload::CatchAll(ty) => {
                    let code = index.checks(ty, quote!(value)).unwrap_or_default();
                    quote!(Self::#id(value) => { #code })
                }
                _ => quote!(Self::#id => {}),
            }
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
    let json_schema = super::json_schema::emit_json_schema(index, def);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        // Variants hold the data as sent; boxing the large ones would only add indirection.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variant_tokens)*
        }

        #json_schema

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                #null_arm
                let tag = |key: &str| value.get(key).and_then(serde_json::Value::as_str);
                match [#(tag(#tag_names)),*] {
                    #(#decode_arms)*
                    #fallback
                }
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
