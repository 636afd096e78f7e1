//! Rust names for spec names: types in `UpperCamelCase`, fields and functions in `snake_case`.
//! A name that is a Rust keyword gets a `_` suffix (`type_`, `self_`), never a raw identifier,
//! and keeps its wire name through `#[serde(rename)]`; an action whose method would be a
//! keyword or hide a method of a prelude trait is named with its resource (`clone_application`).

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
    thread_local! {
        static MADE: Made = Made::default();
    }
    remembered(&MADE, name, convert_snake)
}

fn convert_snake(name: &str) -> String {
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
    thread_local! {
        static MADE: Made = Made::default();
    }
    remembered(&MADE, name, convert_camel)
}

/// `text` in `UpperCamelCase` as heck writes it (`DeviceAPIKey` -> `DeviceApiKey`), with none
/// of [`camel`]'s rules for names that are not identifiers: for joining names already made.
pub fn upper_camel(text: &str) -> String {
    thread_local! {
        static MADE: Made = Made::default();
    }
    remembered(&MADE, text, |text| text.to_upper_camel_case())
}

/// What one conversion made, by its input.
type Made = std::cell::RefCell<rustc_hash::FxHashMap<String, String>>;

/// `convert(name)`, remembered in `made`. Lowering asks for the same few thousand names many
/// times over (every property at every walk, every naming pass); heck's conversions allocate
/// and format per character, so each thread keeps what it made.
fn remembered(
    made: &'static std::thread::LocalKey<Made>,
    name: &str,
    convert: fn(&str) -> String,
) -> String {
    if let Some(known) = made.with_borrow(|made| made.get(name).cloned()) {
        return known;
    }
    let new = convert(name);
    made.with_borrow_mut(|made| made.insert(name.to_owned(), new.clone()));
    new
}

fn convert_camel(name: &str) -> String {
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

/// A module (and file) name for `name`: `snake_case` with a `_` suffix when it is a keyword
/// (`match_`), or `mod` or `models` (taken by the generated layout).
pub fn module(name: &str) -> String {
    let snake = snake(name);
    // `mod` would be a second `mod.rs`; `models` is the models module beside the resources.
    if snake == "mod" || snake == "models" {
        format!("{snake}_")
    } else {
        safe(snake)
    }
}

/// A field, parameter or argument name for the wire name `name`: `snake_case`, with a `_`
/// suffix when it is a keyword (`type_`).
pub fn field(name: &str) -> String {
    safe(snake(name))
}

/// Methods of the prelude's traits that an action's method on a resource handle (which is
/// `Clone` and `Debug`) would hide or confuse.
const PRELUDE_METHODS: &[&str] = &[
    "clone",
    "clone_from",
    "to_owned",
    "to_string",
    "into",
    "try_into",
    "eq",
    "ne",
    "cmp",
    "partial_cmp",
    "lt",
    "le",
    "gt",
    "ge",
    "max",
    "min",
    "clamp",
    "hash",
    "fmt",
    "as_ref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "into_iter",
    "extend",
    "drop",
    "type_id",
    "new",
];

/// The method name of action `action` of the resource whose module is `resource`:
/// `snake_case`, or `action_resource` when that would be a keyword or a prelude trait's
/// method (`clone` -> `clone_application`).
pub fn method(action: &str, resource: &str) -> String {
    let snake = snake(action);
    if is_keyword(&snake)
        || NOT_RAW.contains(&snake.as_str())
        || PRELUDE_METHODS.contains(&snake.as_str())
    {
        format!("{snake}_{}", resource.trim_end_matches('_'))
    } else {
        snake
    }
}

/// `name`, with a `_` suffix when it is a Rust keyword.
fn safe(name: String) -> String {
    if is_keyword(&name) || NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// An identifier for `name`, with a `_` suffix when it is a keyword (names made by
/// [`field`], [`method`] and [`module`] already have it).
pub fn ident(name: &str) -> Ident {
    if is_keyword(name) || NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
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
        assert_eq!(ident("type").to_string(), "type_");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("gen").to_string(), "gen_");
        assert_eq!(ident("name").to_string(), "name");
    }

    #[test]
    fn fields_methods_and_modules_never_need_raw_identifiers() {
        assert_eq!(field("type"), "type_");
        assert_eq!(field("Self"), "self_");
        assert_eq!(field("sortField"), "sort_field");
        assert_eq!(method("clone", "application"), "clone_application");
        assert_eq!(method("move", "file"), "move_file");
        assert_eq!(method("get", "devices"), "get");
        assert_eq!(module("match"), "match_");
        assert_eq!(module("mod"), "mod_");
    }
}
