//! Rust names for spec names: types in `UpperCamelCase`, fields and functions in `snake_case`,
//! Rust keywords made raw (`r#type`) or suffixed where raw identifiers are not allowed.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Words that cannot be raw identifiers (`r#self` is invalid).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Reserved words of Rust 2024.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keeps only characters that may appear in an identifier, turning the rest into word breaks.
fn words(name: &str) -> String {
    name.chars()
        // ASCII only: every other character (letters such as `é`, or `①`, which is
        // alphanumeric but not an identifier character) becomes a word break.
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect::<String>()
}

/// A `snake_case` name for a field, parameter or function (may be a keyword; see [`ident`]).
/// Names with no letter or digit become `value`; a leading digit gets a `_` prefix.
pub fn snake(name: &str) -> String {
    let snake = words(name).to_snake_case();
    if snake.is_empty() {
        "value".to_owned()
    } else if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{snake}")
    } else {
        snake
    }
}

/// An `UpperCamelCase` name for a type or variant. Names with no letter or digit become
/// `Empty`; a leading digit gets a `V` prefix.
pub fn camel(name: &str) -> String {
    let camel = words(name).to_upper_camel_case();
    if camel.is_empty() {
        "Empty".to_owned()
    } else if camel == "Self" {
        "SelfValue".to_owned()
    } else if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{camel}")
    } else {
        camel
    }
}

/// A module (and file) name for `name`: `snake_case`, never one of the keywords that cannot be
/// raw identifiers (`self` -> `self_`), nor `mod` or `models` (taken by the generated layout).
/// Other keywords stay, written raw (`mod r#match;`
/// reads `match.rs`).
pub fn module(name: &str) -> String {
    let snake = snake(name);
    // `mod` would be a second `mod.rs`; `models` is the models module beside the resources.
    if NOT_RAW.contains(&snake.as_str()) || snake == "mod" || snake == "models" {
        format!("{snake}_")
    } else {
        snake
    }
}

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// An identifier for `name`: raw (`r#type`) when it is a keyword, suffixed with `_` when it is
/// a keyword that cannot be raw (`self_`).
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_handles_camel_case_keywords_and_symbols() {
        assert_eq!(snake("sortField"), "sort_field");
        assert_eq!(snake("_actions"), "actions");
        assert_eq!(snake("type"), "type");
        assert_eq!(snake("a-b.c"), "a_b_c");
        assert_eq!(snake("3d"), "_3d");
        assert_eq!(snake("$$"), "value");
    }

    #[test]
    fn camel_handles_empty_and_digits() {
        assert_eq!(camel("creationDate"), "CreationDate");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("86400000"), "V86400000");
        assert_eq!(camel("Organization Post"), "OrganizationPost");
        assert_eq!(camel("self"), "SelfValue");
    }

    #[test]
    fn ident_makes_keywords_usable() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("name").to_string(), "name");
    }
}
