//! Properties of the spec and of the generated code, derived from the spec itself rather than
//! from the generated files (which regenerating would change along with any mistake).

use std::collections::BTreeSet;

use losant_tests::root;
use restgen::spec::{Schema, Spec, TypeName};

fn spec() -> Spec {
    restgen::load::load_dir(&root().join("spec")).unwrap_or_else(|problems| panic!("{problems}"))
}

/// Whether `schema` (after following a reference to another schema file) is an object with an
/// array `items` and a numeric `totalCount`.
fn is_page(spec: &Spec, schema: &Schema) -> bool {
    if let Some(reference) = &schema.reference {
        let id = reference.trim_end_matches(".yaml");
        return spec
            .schema(id)
            .is_some_and(|named| is_page(spec, &named.schema));
    }
    let Some(properties) = &schema.properties else {
        return false;
    };
    let has = |name: &str, types: &[TypeName]| {
        properties.get(name).is_some_and(|p| {
            p.ty.as_ref()
                .is_some_and(|t| t.names().iter().any(|n| types.contains(n)))
                || (name == "items" && p.items.is_some())
        })
    };
    has("items", &[TypeName::Array]) && has("totalCount", &[TypeName::Integer, TypeName::Number])
}

/// The list actions, `resource.action`: they take `page` and `perPage` and answer a page.
fn list_actions(spec: &Spec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for resource in &spec.resources {
        for (name, action) in &resource.body.actions {
            let takes = |p: &str| action.query.iter().any(|q| q.name == p);
            let answers_page = action.responses.values().any(|r| {
                r.schema
                    .as_deref()
                    .and_then(|id| spec.schema(id))
                    .is_some_and(|named| is_page(spec, &named.schema))
            });
            if takes("page") && takes("perPage") && answers_page {
                out.insert(format!("{}.{name}", resource.name));
            }
        }
    }
    out
}

#[test]
fn every_list_action_streams_all_its_items() {
    let spec = spec();
    let lists = list_actions(&spec);
    assert!(lists.len() >= 40, "only {} list actions found", lists.len());
    let ir = restgen::lower::lower(&spec).unwrap_or_else(|problems| panic!("{problems}"));
    let mut missing = Vec::new();
    for resource in &ir.resources {
        let source = std::fs::read_to_string(
            root()
                .join("generated/src/api")
                .join(format!("{}.rs", resource.module)),
        )
        .expect("the resource's generated file");
        for action in &resource.actions {
            if !lists.contains(&action.id) {
                continue;
            }
            // Marked in the spec, lowered with a pagination, and given `into_stream` in the
            // builder's own impl block.
            let marked = action.pagination.is_some();
            let impl_start = source.find(&format!("impl {} {{", action.builder));
            let streams = impl_start.is_some_and(|start| {
                let block = &source[start..];
                let end = block[1..].find("\nimpl ").map_or(block.len(), |e| e + 1);
                block[..end].contains("pub fn into_stream(")
            });
            if !(marked && streams) {
                missing.push(format!(
                    "{} (marked: {marked}, into_stream: {streams})",
                    action.id
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "list actions without a stream over all items:\n{}",
        missing.join("\n")
    );
}

/// The structs of the generated crate, by name, parsed from its sources.
fn generated_structs() -> std::collections::HashMap<String, syn::ItemStruct> {
    let mut out = std::collections::HashMap::new();
    let mut stack = vec![root().join("generated/src/api")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("generated/src/api")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a generated file");
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for item in file.items {
                if let syn::Item::Struct(s) = item {
                    out.insert(s.ident.to_string(), s);
                }
            }
        }
    }
    out
}

/// The wire name a field is (de)serialized under: its `#[serde(rename = "...")]`, else its
/// Rust name.
fn wire_name(field: &syn::Field) -> String {
    let mut rename = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename.unwrap_or_else(|| field.ident.as_ref().expect("named field").to_string())
}

/// Whether a field's type is `Option<...>`.
fn is_option(field: &syn::Field) -> bool {
    matches!(&field.ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Whether a property's schema allows `null` itself (a type list with `null`, or `null` among
/// its values).
fn allows_null(schema: &Schema) -> bool {
    schema
        .ty
        .as_ref()
        .is_some_and(|t| t.names().contains(&TypeName::Null))
        || schema
            .enum_values
            .as_ref()
            .is_some_and(|values| values.iter().any(serde_json::Value::is_null))
}

/// The generated models keep the spec's meaning, checked against the spec itself rather than
/// against snapshots that regenerating rewrites: for every named object schema, each property
/// is one field serialized under its exact wire name (renamed once, never twice), an optional
/// property is an `Option`, and a required one that does not allow `null` is not.
#[test]
fn models_keep_the_wire_names_and_the_required_properties_of_the_spec() {
    let spec = spec();
    let ir = restgen::lower::lower(&spec).unwrap_or_else(|problems| panic!("{problems}"));
    let structs = generated_structs();
    let mut checked = 0;
    let mut problems = Vec::new();
    for def in &ir.types {
        let Some(id) = &def.schema_id else { continue };
        let Some(named) = spec.schema(id) else {
            continue;
        };
        let Some(properties) = &named.schema.properties else {
            continue;
        };
        let Some(generated) = structs.get(&def.name) else {
            continue;
        };
        checked += 1;
        let required = named.schema.required.clone().unwrap_or_default();
        for (wire, property) in properties {
            let fields: Vec<&syn::Field> = generated
                .fields
                .iter()
                .filter(|f| wire_name(f) == *wire)
                .collect();
            let [field] = fields.as_slice() else {
                problems.push(format!(
                    "{id}.{wire}: {} fields of {} are sent as `{wire}`",
                    fields.len(),
                    def.name
                ));
                continue;
            };
            let is_required = required.contains(wire);
            if !is_required && !is_option(field) {
                problems.push(format!(
                    "{id}.{wire}: optional, but {}.{} is not an Option",
                    def.name, wire
                ));
            }
            if is_required && !allows_null(property) && is_option(field) {
                problems.push(format!(
                    "{id}.{wire}: required, but {}.{} is an Option",
                    def.name, wire
                ));
            }
        }
    }
    assert!(
        checked >= 200,
        "only {checked} named object schemas were found as structs"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The check above fails on the mistakes it exists for.
#[test]
fn the_model_check_sees_a_wrong_rename_and_a_wrong_option() {
    let item: syn::ItemStruct = syn::parse_quote! {
        struct S {
            #[serde(rename = "parentId", default, skip_serializing_if = "Option::is_none")]
            parent_id: Option<String>,
            name: String,
        }
    };
    let fields: Vec<&syn::Field> = item.fields.iter().collect();
    assert_eq!(wire_name(fields[0]), "parentId");
    assert_eq!(wire_name(fields[1]), "name");
    assert!(is_option(fields[0]));
    assert!(!is_option(fields[1]));
}
