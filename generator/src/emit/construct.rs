//! Rust source that builds a value of a generated type from a JSON example, for doc examples:
//! `WebhookPost { description: Some("...".into()), ..WebhookPost::new("My Webhook".into()) }`
//! rather than JSON text to parse. Only examples that map onto the types member for member are
//! built this way; for any other (a member the type does not declare, a value of the wrong kind,
//! or one too large to read) the caller falls back to parsing JSON.

use std::collections::HashMap;

use serde_json::Value;

use super::types::{TypeIndex, tri_state};
use crate::ir::{Ir, Payload, Ty, TyKind, TypeDef, TypeKind};
use crate::names::ident;

/// Past this length, source built from an example is harder to read than the JSON it replaces.
const MAX_SOURCE: usize = 1200;

/// How deep built values may nest before the JSON is easier to read.
const MAX_DEPTH: usize = 4;

/// Builds Rust expressions for example values of the IR's types.
pub struct Construct<'a> {
    index: &'a TypeIndex<'a>,
    defs: HashMap<&'a str, &'a TypeDef>,
    /// The crate name that replaces `crate::` in paths, as a user's code names it.
    krate: &'a str,
    /// The full paths of the named types used, for the example's `use` lines.
    used: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl<'a> Construct<'a> {
    /// A builder for the types of `ir`, writing paths from the crate `krate`.
    pub fn new(ir: &'a Ir, index: &'a TypeIndex<'a>, krate: &'a str) -> Self {
        Construct {
            index,
            defs: ir.types.iter().map(|t| (t.name.as_str(), t)).collect(),
            krate,
            used: Default::default(),
        }
    }

    /// `use` lines for the named types the built expressions name by their short names.
    /// One line per module, e.g. `use my_api::models::{Widget, Tag};`.
    pub fn uses(&self) -> String {
        let mut by_module: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        let used = self.used.borrow();
        for path in used.iter() {
            if let Some((module, name)) = path.rsplit_once("::") {
                by_module.entry(module).or_default().push(name);
            }
        }
        by_module
            .iter()
            .map(|(module, names)| match names.as_slice() {
                [one] => format!("use {module}::{one};\n"),
                many => format!("use {module}::{{{}}};\n", many.join(", ")),
            })
            .collect()
    }

    /// An expression of type `ty` equal to `example`, or `None` when the example does not map
    /// onto the type member for member or the source would be too long to read.
    pub fn expr(&self, ty: &Ty, example: &Value) -> Option<String> {
        let source = self.value(ty, example, 0)?;
        (source.len() <= MAX_SOURCE).then_some(source)
    }

    /// The short name of a named type, its full path noted for [`Construct::uses`].
    fn path(&self, name: &str) -> String {
        let full = self
            .index
            .path(name)
            .to_string()
            .replace(' ', "")
            .replace("crate::", &format!("{}::", self.krate));
        self.used.borrow_mut().insert(full);
        name.to_owned()
    }

    /// `ty`'s value for `example`, `None`able: a `null` example of a nullable type is `None`.
    fn value(&self, ty: &Ty, example: &Value, depth: usize) -> Option<String> {
        if ty.nullable {
            if example.is_null() {
                return Some("None".into());
            }
            let inner = Ty {
                nullable: false,
                ..ty.clone()
            };
            return Some(format!("Some({})", self.value(&inner, example, depth)?));
        }
        self.base(ty, example, depth)
    }

    /// The value of `ty` itself (not `Option`) for `example`.
    fn base(&self, ty: &Ty, example: &Value, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match (&ty.kind, example) {
            (TyKind::String, Value::String(s)) => Some(format!("{s:?}.into()")),
            (TyKind::Integer, Value::Number(n)) => n.as_i64().map(|n| n.to_string()),
            (TyKind::Number, Value::Number(n)) => {
                let x = n.as_f64()?;
                x.is_finite().then(|| format!("{x:?}"))
            }
            (TyKind::Boolean, Value::Bool(b)) => Some(b.to_string()),
            // The examples are `no_run`: an example that is no RFC 3339 text would fail at run
            // time only, so no parser is needed here.
            (TyKind::DateTime, Value::String(s)) => Some(format!(
                "{}::chrono::DateTime::parse_from_rfc3339({s:?})?",
                self.krate
            )),
            (TyKind::Any, value) => Some(self.json(value)),
            (TyKind::Array(item), Value::Array(items)) => {
                let items = items
                    .iter()
                    .map(|v| self.value(item, v, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                Some(format!("vec![{}]", items.join(", ")))
            }
            (TyKind::Map(value_ty), Value::Object(members)) => {
                let members = members
                    .iter()
                    .map(|(k, v)| {
                        Some(format!(
                            "({k:?}.into(), {})",
                            self.value(value_ty, v, depth + 1)?
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(format!(
                    "std::collections::BTreeMap::from([{}])",
                    members.join(", ")
                ))
            }
            (TyKind::Named { name, boxed }, value) => {
                let built = self.named(name, value, depth)?;
                Some(if *boxed {
                    format!("Box::new({built})")
                } else {
                    built
                })
            }
            _ => None,
        }
    }

    /// A value of the named type `name` for `example`.
    fn named(&self, name: &str, example: &Value, depth: usize) -> Option<String> {
        let def = self.defs.get(name)?;
        let path = self.path(name);
        match &def.kind {
            TypeKind::Alias(ty) => self.value(ty, example, depth),
            TypeKind::StringEnum { variants } => {
                let wire = example.as_str()?;
                let (variant, _) = variants.iter().find(|(_, w)| w == wire)?;
                Some(format!("{path}::{variant}"))
            }
            TypeKind::Struct { fields, additional } => {
                let members = example.as_object()?;
                // Every member must be a field: extra members (kept in a map) read better as
                // JSON.
                if additional.is_some()
                    || members.keys().any(|k| !fields.iter().any(|f| &f.wire == k))
                {
                    return None;
                }
                let mut required = Vec::new();
                let mut optional = Vec::new();
                for field in fields {
                    let member = members.get(&field.wire);
                    let name = ident(&field.rust).to_string();
                    if field.required {
                        // A required member the example leaves out cannot be made up.
                        required.push(self.value(&field.ty, member?, depth + 1)?);
                    } else if let Some(member) = member {
                        let inner = Ty {
                            nullable: false,
                            ..field.ty.clone()
                        };
                        let value = if tri_state(field) {
                            if member.is_null() {
                                format!("{}::Nullable::Null", self.krate)
                            } else {
                                format!(
                                    "{}::Nullable::Value({})",
                                    self.krate,
                                    self.base(&inner, member, depth + 1)?
                                )
                            }
                        } else if member.is_null() && !self.index.holds_null(&field.ty) {
                            continue;
                        } else {
                            self.base(&inner, member, depth + 1)?
                        };
                        optional.push(format!("{name}: Some({value})"));
                    }
                }
                let has_required = fields.iter().any(|f| f.required);
                let base = if has_required {
                    format!("{path}::new({})", required.join(", "))
                } else {
                    "Default::default()".into()
                };
                Some(match (optional.is_empty(), has_required) {
                    (true, true) => base,
                    (true, false) => format!("{path}::default()"),
                    (false, _) => format!("{path} {{ {}, ..{base} }}", optional.join(", ")),
                })
            }
            TypeKind::Union { variants, tags } => {
                if let Some(tags) = tags {
                    let members = example.as_object()?;
                    let variant = variants.iter().find(|v| {
                        v.tags
                            .iter()
                            .all(|(k, value)| members.get(k).and_then(Value::as_str) == Some(value))
                    })?;
                    let rest: serde_json::Map<String, Value> = members
                        .iter()
                        .filter(|(k, _)| !tags.contains(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    return match &variant.payload {
                        Payload::Unit if rest.is_empty() => {
                            Some(format!("{path}::{}", variant.name))
                        }
                        Payload::Type(ty) => Some(format!(
                            "{path}::{}({})",
                            variant.name,
                            self.value(ty, &Value::Object(rest), depth + 1)?
                        )),
                        _ => None,
                    };
                }
                variants.iter().find_map(|v| match &v.payload {
                    Payload::Null if example.is_null() => Some(format!("{path}::{}", v.name)),
                    Payload::Type(ty) | Payload::CatchAll(ty) => Some(format!(
                        "{path}::{}({})",
                        v.name,
                        self.value(ty, example, depth + 1)?
                    )),
                    _ => None,
                })
            }
        }
    }

    /// A `serde_json::json!` expression for `value`. Integers beyond `i32` get a suffix: `json!`
    /// types a bare integer literal as `i32`, which a millisecond timestamp overflows.
    fn json(&self, value: &Value) -> String {
        json_expr(value, self.krate)
    }
}

/// A `serde_json::json!` expression for `value`, through the re-export of the crate `krate`.
pub fn json_expr(value: &Value, krate: &str) -> String {
    format!("{krate}::serde_json::json!({})", json_tokens(value))
}

/// The tokens of `value` inside `json!`.
fn json_tokens(value: &Value) -> String {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) if i32::try_from(i).is_ok() => i.to_string(),
            (Some(i), _) => format!("{i}_i64"),
            (None, Some(u)) => format!("{u}_u64"),
            _ => n.to_string(),
        },
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(json_tokens).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(members) => format!(
            "{{ {} }}",
            members
                .iter()
                .map(|(k, v)| format!("{k:?}: {}", json_tokens(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::json_tokens;

    #[test]
    fn large_integers_get_a_suffix_in_json() {
        let value = serde_json::json!({"at": 1518556791829_i64, "n": 3, "x": 0.5, "s": "a\"b"});
        assert_eq!(
            json_tokens(&value),
            r#"{ "at": 1518556791829_i64, "n": 3, "x": 0.5, "s": "a\"b" }"#
        );
    }
}
