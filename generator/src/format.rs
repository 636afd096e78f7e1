//! Stage 5, format: token streams to Rust source, laid out by prettyplease, under a header
//! saying the file is generated and how to regenerate it.

use proc_macro2::TokenStream;

use crate::diagnostics::Diagnostic;

/// First words of every generated file; files starting so are the generator's to replace or
/// remove.
pub const MARKER: &str = "// @generated";

/// The header of generated files.
pub fn header(source: &str, regenerate_with: &str) -> String {
    format!(
        "{MARKER} by restgen from `{source}`. Do not edit by hand:\n\
         // change the spec and run `{regenerate_with}` to regenerate.\n\n\
         // Laid out by prettyplease; rustfmt leaves it as generated.\n\
         #![cfg_attr(rustfmt, rustfmt::skip)]\n\n"
    )
}

/// Formats a file's tokens under `header`.
pub fn format_file(path: &str, tokens: TokenStream, header: &str) -> Result<String, Diagnostic> {
    lay_out(path, syn::parse2(tokens), header)
}

/// Formats a file's source text (as the tokens' `to_string()` gives it) under `header`. Unlike
/// tokens, text can be sent to another thread, so files can be formatted in parallel.
pub fn format_source(path: &str, source: &str, header: &str) -> Result<String, Diagnostic> {
    lay_out(path, syn::parse_file(source), header)
}

/// Lays out a parsed file under `header`; a parse failure is the generator's own bug.
fn lay_out(path: &str, file: syn::Result<syn::File>, header: &str) -> Result<String, Diagnostic> {
    let file = file.map_err(|err| {
        Diagnostic::new(format!(
            "internal error: the generator produced invalid Rust for `{path}`: {err}; please report it with the spec"
        ))
    })?;
    Ok(format!(
        "{header}{}",
        space_items(&prettyplease::unparse(&file))
    ))
}

/// Puts a blank line after each block that closes (`}`), after the file's inner docs and
/// after its `use` lines, as hand-written Rust has them; prettyplease leaves none.
fn space_items(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(i + 1).map(|n| n.trim_start()) else {
            continue;
        };
        let this = line.trim_start();
        let closes = this == "}" || this == "};";
        let ends_group = (this.starts_with("//!") && !next.starts_with("//!"))
            || (this.starts_with("use ") && !next.starts_with("use "));
        let next_continues =
            next.is_empty() || next.starts_with(['}', ')', ']']) || next.starts_with("else");
        if (closes || ends_group) && !next_continues {
            out.push('\n');
        }
    }
    out
}
