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
