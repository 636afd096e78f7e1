//! The one place where `$ref`s are parsed and resolved, for every stage that follows them
//! (`check`, `lower`, `openapi`): `#/definitions/x` inside the file, `other.yaml` for another
//! schema file, `other.yaml#/definitions/x` for a definition in it.

use crate::spec::{Schema, Spec};

/// A parsed `$ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref<'r> {
    /// The schema file's id (`other` for `other.yaml`), `None` for a reference inside the
    /// file that holds it.
    pub file: Option<&'r str>,
    /// The definitions named by the pointer, outermost first (`["x"]` for
    /// `#/definitions/x`); empty for the whole file.
    pub definitions: Vec<&'r str>,
}

/// Parses a reference. `Err` says why it is not one this spec format understands.
pub fn parse(reference: &str) -> Result<Ref<'_>, String> {
    let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    let file = file
        .strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .unwrap_or(file);
    let mut definitions = Vec::new();
    let mut parts = pointer.split('/').filter(|p| !p.is_empty());
    while let Some(part) = parts.next() {
        if part != "definitions" {
            return Err(format!(
                "reference `{reference}` must point at a schema file or one of its `definitions`"
            ));
        }
        match parts.next() {
            Some(name) => definitions.push(name),
            None => {
                return Err(format!(
                    "reference `{reference}` names no definition after `definitions`"
                ));
            }
        }
    }
    Ok(Ref {
        file: (!file.is_empty()).then_some(file),
        definitions,
    })
}

/// What a reference points at.
#[derive(Debug, Clone)]
pub struct Target<'s> {
    /// The id of the schema file it is in.
    pub root: &'s str,
    /// The definitions followed inside that file (empty for the whole file).
    pub definitions: Vec<&'s str>,
    /// The schema itself.
    pub schema: &'s Schema,
}

impl Target<'_> {
    /// A key that names the target uniquely in the spec: `root` or `root#/definitions/x`.
    pub fn key(&self) -> String {
        let mut key = self.root.to_owned();
        if !self.definitions.is_empty() {
            key.push('#');
            for name in &self.definitions {
                key.push_str("/definitions/");
                key.push_str(name);
            }
        }
        key
    }
}

/// Resolves `reference`, found in the schema file `root`, to its target. `Err` is the one
/// message every stage reports for a reference that leads nowhere.
pub fn resolve<'s>(
    spec: &'s Spec,
    root: &'s str,
    reference: &'s str,
) -> Result<Target<'s>, String> {
    let parsed = parse(reference)?;
    let missing = || format!("reference `{reference}` does not resolve to a schema");
    let file = parsed.file.unwrap_or(root);
    let named = spec
        .schemas
        .iter()
        .find(|s| s.id == file)
        .ok_or_else(missing)?;
    let mut schema = &named.schema;
    for name in &parsed.definitions {
        schema = schema
            .definitions
            .as_ref()
            .and_then(|d| d.get(*name))
            .ok_or_else(missing)?;
    }
    Ok(Target {
        root: &named.id,
        definitions: parsed.definitions,
        schema,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_into_file_and_definitions() {
        assert_eq!(
            parse("#/definitions/x"),
            Ok(Ref {
                file: None,
                definitions: vec!["x"]
            })
        );
        assert_eq!(
            parse("org.yaml"),
            Ok(Ref {
                file: Some("org"),
                definitions: vec![]
            })
        );
        assert_eq!(
            parse("org.yml#/definitions/a/definitions/b"),
            Ok(Ref {
                file: Some("org"),
                definitions: vec!["a", "b"]
            })
        );
        assert!(parse("#/properties/x").is_err());
        assert!(parse("#/definitions").is_err());
    }
}
