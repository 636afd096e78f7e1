//! Stage 2, check: find what is wrong with a loaded spec before any code is made from it.
//! Every problem is reported (not just the first), each naming its file and key path.

use std::collections::HashMap;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::names::{camel, module, snake};
use crate::spec::{Action, Param, Schema, Spec, TypeName};

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Checks a loaded spec. `Ok(())` when code can be generated from it.
pub fn check(spec: &Spec) -> Result<(), Diagnostics> {
    let mut problems = Diagnostics::new();
    check_api(spec, &mut problems);
    check_resource_names(spec, &mut problems);
    for schema in &spec.schemas {
        let mut report = |at: String, message: String| {
            problems.push(Diagnostic::new(message).in_file(&schema.file).at(at));
        };
        if schema
            .schema
            .title
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        {
            report(
                String::new(),
                "a named schema needs a `title` (it names the Rust type)".into(),
            );
        }
        check_schema(spec, &schema.id, &schema.schema, "", &mut report);
    }
    for resource in &spec.resources {
        let file = &resource.file;
        let mut report = |at: String, message: String| {
            problems.push(Diagnostic::new(message).in_file(file).at(at));
        };
        if !resource.body.path.starts_with('/') {
            report(
                "path".into(),
                format!("path `{}` must start with `/`", resource.body.path),
            );
        }
        for (i, p) in resource.body.path_params.iter().enumerate() {
            check_param(p, &format!("path_params[{i}]"), &mut report);
        }
        check_path_params(
            &resource.body.path,
            &resource.body.path_params,
            "path",
            "path_params",
            &mut report,
        );
        check_action_names(resource, &mut report);
        for (name, action) in &resource.body.actions {
            check_action(spec, resource, name, action, &mut report);
        }
    }
    problems.into_result(())
}

/// Two resources whose names become the same Rust module (and so the same file, client
/// accessor and Cargo feature), or the same handle type, cannot both be generated.
fn check_resource_names(spec: &Spec, problems: &mut Diagnostics) {
    let mut modules: HashMap<String, &str> = HashMap::new();
    let mut types: HashMap<String, &str> = HashMap::new();
    for resource in &spec.resources {
        let name = resource.name.as_str();
        let module = module(name);
        let type_name = camel(name);
        let clash = match (modules.get(&module), types.get(&type_name)) {
            (Some(other), _) => Some(format!(
                "resources `{other}` and `{name}` both become the Rust module `{module}`"
            )),
            (None, Some(other)) => Some(format!(
                "resources `{other}` and `{name}` both become the Rust type `{type_name}`"
            )),
            (None, None) => None,
        };
        match clash {
            Some(message) => problems.push(
                Diagnostic::new(message)
                    .in_file(&resource.file)
                    .help("rename one of the two files: a resource is named by its file name"),
            ),
            None => {
                modules.insert(module, name);
                types.insert(type_name, name);
            }
        }
    }
}

/// Two actions of one resource whose names become the same Rust method, or whose request
/// builders (or the event types of streaming actions) get the same type name, cannot both be
/// generated.
fn check_action_names(resource: &crate::spec::Resource, report: &mut impl FnMut(String, String)) {
    let mut methods: HashMap<String, &str> = HashMap::new();
    // Type names in the resource's module, each with what it is.
    let mut types: HashMap<String, String> = HashMap::new();
    for (name, action) in &resource.body.actions {
        let method = snake(name);
        let builder = format!("{}{}", camel(&resource.name), camel(name));
        let streams = action.responses.values().any(|r| !r.events.is_empty());
        let mut made = vec![(
            builder.clone(),
            format!("the request builder of action `{name}`"),
        )];
        if streams {
            made.push((
                format!("{builder}Event"),
                format!("the event type of action `{name}`"),
            ));
        }
        if let Some(other) = methods.get(&method) {
            report(
                format!("actions.{name}"),
                format!(
                    "actions `{other}` and `{name}` both become the Rust method `{method}`; \
                     rename one"
                ),
            );
            continue;
        }
        if let Some((type_name, other)) = made
            .iter()
            .find_map(|(type_name, _)| types.get(type_name).map(|other| (type_name, other)))
        {
            report(
                format!("actions.{name}"),
                format!(
                    "action `{name}` needs the Rust type `{type_name}`, which is already \
                     {other}; rename one of the actions"
                ),
            );
            continue;
        }
        methods.insert(method, name);
        types.extend(made);
    }
}

fn check_api(spec: &Spec, problems: &mut Diagnostics) {
    let api = &spec.api;
    let mut report = |at: &str, message: String| {
        problems.push(Diagnostic::new(message).in_file("api.yaml").at(at));
    };
    if api.auth.scheme != "bearer" {
        report(
            "auth.scheme",
            format!(
                "unsupported auth scheme `{}`; the supported one is `bearer`",
                api.auth.scheme
            ),
        );
    }
    if !(api.base_url.starts_with("https://") || api.base_url.starts_with("http://")) {
        report(
            "base_url",
            format!(
                "base URL `{}` must start with `https://` or `http://`",
                api.base_url
            ),
        );
    }
    if spec.schema(&api.error.schema).is_none() {
        report(
            "error.schema",
            format!("schema `{}` does not exist in `schemas/`", api.error.schema),
        );
    }
    check_logins(spec, &mut report);
    for (i, p) in api.global_params.iter().enumerate() {
        match p.location.as_deref() {
            Some("query" | "header") => {}
            other => report(
                &format!("global_params[{i}].in"),
                format!("a global parameter must say `in: query` or `in: header`, not {other:?}"),
            ),
        }
        check_param(p, &format!("global_params[{i}]"), &mut |at, message| {
            report(&at, message)
        });
    }
}

/// Each login names an action that exists, needs no token and takes a JSON body with the
/// members its variables fill in, and whose answer has the token member; its variables are
/// names a shell can set.
fn check_logins(spec: &Spec, report: &mut impl FnMut(&str, String)) {
    let mut names = HashMap::new();
    for (i, login) in spec.api.auth.logins.iter().enumerate() {
        let at = |key: &str| format!("auth.logins[{i}].{key}");
        if login.name.trim().is_empty() {
            report(&at("name"), "a login needs a `name`".into());
        } else if let Some(other) = names.insert(login.name.as_str(), i) {
            report(
                &at("name"),
                format!("`{}` also names auth.logins[{other}]", login.name),
            );
        }
        if login.env.is_empty() {
            report(
                &at("env"),
                "a login needs at least one variable in `env` (the ones that select it)".into(),
            );
        }
        let mut variables = HashMap::new();
        for (key, map) in [("env", &login.env), ("optional_env", &login.optional_env)] {
            for (member, variable) in map {
                let valid = variable
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && variable
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    report(
                        &at(&format!("{key}.{member}")),
                        format!(
                            "`{variable}` is not an environment variable name (letters, digits \
                             and `_`, not starting with a digit)"
                        ),
                    );
                }
                let api_env = &spec.api.env;
                if variable == &api_env.token || variable == &api_env.base_url {
                    report(
                        &at(&format!("{key}.{member}")),
                        format!("`{variable}` is also the `env` variable of the token or base URL"),
                    );
                }
                if let Some(other) = variables.insert(variable.as_str(), member.as_str()) {
                    report(
                        &at(&format!("{key}.{member}")),
                        format!("`{variable}` also fills in `{other}`"),
                    );
                }
            }
        }
        let Some((resource, action)) = login.action.split_once('.').and_then(|(r, a)| {
            let resource = spec.resources.iter().find(|res| res.name == r)?;
            Some((resource, resource.body.actions.get(a)?))
        }) else {
            report(
                &at("action"),
                format!(
                    "`{}` is not an action of the spec (write it `resource.action`, e.g. \
                     `auth.login`)",
                    login.action
                ),
            );
            continue;
        };
        if !action.scopes.is_empty() {
            report(
                &at("action"),
                format!(
                    "`{}` accepts only tokens with some scope, so it cannot be what obtains one \
                     (a login action has no `scopes`)",
                    login.action
                ),
            );
        }
        let members = |schema: &str| {
            spec.schema(schema)
                .and_then(|s| s.schema.properties.as_ref())
                .map(|p| p.keys().cloned().collect::<Vec<_>>())
        };
        match action
            .body
            .as_ref()
            .map(|b| (&b.schema, members(&b.schema)))
        {
            None => report(
                &at("action"),
                format!(
                    "`{}` takes no JSON body to send the credentials in (resources/{}.yaml)",
                    login.action, resource.name
                ),
            ),
            Some((schema, None)) => report(
                &at("action"),
                format!(
                    "the body schema `{schema}` of `{}` has no `properties`",
                    login.action
                ),
            ),
            Some((schema, Some(props))) => {
                for (key, map) in [("env", &login.env), ("optional_env", &login.optional_env)] {
                    for member in map.keys().filter(|m| !props.contains(m)) {
                        report(
                            &at(&format!("{key}.{member}")),
                            format!(
                                "`{member}` is not a member of the body schema `{schema}` \
                                 (its members: {})",
                                props.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        let answer = action
            .responses
            .iter()
            .find(|(status, r)| (200..300).contains(*status) && r.schema.is_some())
            .and_then(|(_, r)| r.schema.as_deref());
        match answer {
            None => report(
                &at("action"),
                format!("`{}` documents no 2xx answer with a schema", login.action),
            ),
            Some(schema) => {
                let has = members(schema).is_some_and(|p| p.contains(&login.token_field));
                if !has {
                    report(
                        &at("token_field"),
                        format!(
                            "`{}` is not a member of `{schema}`, the answer of `{}`",
                            login.token_field, login.action
                        ),
                    );
                }
            }
        }
    }
}

fn check_action(
    spec: &Spec,
    resource: &crate::spec::Resource,
    name: &str,
    action: &Action,
    report: &mut impl FnMut(String, String),
) {
    let at = |key: &str| format!("actions.{name}.{key}");
    if !METHODS.contains(&action.method.as_str()) {
        report(
            at("method"),
            format!(
                "`{}` is not an HTTP method; use one of {}",
                action.method,
                METHODS.join(", ")
            ),
        );
    }
    if matches!(action.method.as_str(), "GET" | "HEAD" | "DELETE") && action.body.is_some() {
        report(
            at("body"),
            format!("a {} request cannot have a body", action.method),
        );
    }
    // The path suffix's parameters against the action's own declared ones (the resource's
    // are checked once, in `check_path_params` on the resource).
    if let Some(suffix) = &action.path {
        check_path_params(
            suffix,
            &action.path_params,
            &at("path"),
            &at("path_params"),
            report,
        );
    }
    // Parameters: valid, and distinct once named in Rust.
    let mut rust_names: HashMap<String, (&str, &str)> = HashMap::new();
    let globals = spec
        .api
        .global_params
        .iter()
        .map(|p| ("global parameter", p));
    let own = resource
        .body
        .path_params
        .iter()
        .map(|p| ("path parameter", p))
        .chain(action.path_params.iter().map(|p| ("path parameter", p)))
        .chain(action.query.iter().map(|p| ("query parameter", p)))
        .chain(action.headers.iter().map(|p| ("header parameter", p)))
        .chain(action.multipart.iter().map(|p| ("multipart field", p)));
    // The resource's path parameters are checked once, with the resource.
    for (list, params) in [
        ("path_params", &action.path_params),
        ("query", &action.query),
        ("headers", &action.headers),
    ] {
        for (i, p) in params.iter().enumerate() {
            check_param(p, &at(&format!("{list}[{i}]")), report);
        }
    }
    // The body is an argument too.
    let names = own
        .chain(globals)
        .map(|(kind, p)| (kind, p.name.as_str()))
        .chain(action.body.iter().map(|b| ("body", b.name.as_str())));
    for (kind, wire) in names {
        let rust = snake(wire);
        if let Some((other_kind, other)) = rust_names.insert(rust.clone(), (kind, wire)) {
            let message = if other == wire {
                format!("the {other_kind} `{other}` and the {kind} `{wire}` have the same name")
            } else {
                format!(
                    "the {other_kind} `{other}` and the {kind} `{wire}` both become the Rust \
                     name `{rust}`"
                )
            };
            report(at("query"), message);
        }
    }
    if let Some(body) = &action.body {
        if spec.schema(&body.schema).is_none() {
            report(
                at("body.schema"),
                format!("schema `{}` does not exist in `schemas/`", body.schema),
            );
        }
    }
    if action.responses.is_empty() {
        report(
            at("responses"),
            "an action needs at least one success response".into(),
        );
    }
    for (status, response) in &action.responses {
        if !(200..300).contains(status) {
            report(
                at(&format!("responses.{status}")),
                format!("success status {status} is not a 2xx status"),
            );
        }
        check_response(spec, response, &at(&format!("responses.{status}")), report);
    }
    for (status, response) in &action.errors {
        if !(400..600).contains(status) {
            report(
                at(&format!("errors.{status}")),
                format!("error status {status} is not a 4xx or 5xx status"),
            );
        }
        if !response.events.is_empty() {
            report(
                at(&format!("errors.{status}.events")),
                "an error response cannot be an event stream".into(),
            );
        }
        check_response(spec, response, &at(&format!("errors.{status}")), report);
    }
    if !action.multipart.is_empty() {
        if action.body.is_some() {
            report(
                at("multipart"),
                "an action has either a JSON `body` or `multipart` fields, not both".into(),
            );
        }
        if matches!(action.method.as_str(), "GET" | "HEAD" | "DELETE") {
            report(
                at("multipart"),
                format!("a {} request cannot have a body", action.method),
            );
        }
        for (i, p) in action.multipart.iter().enumerate() {
            check_param(p, &at(&format!("multipart[{i}]")), report);
        }
    }
    let streams = action
        .responses
        .values()
        .filter(|r| !r.events.is_empty())
        .count();
    if streams > 0 && action.responses.len() > 1 {
        report(
            at("responses"),
            "an event-stream action has exactly one success response".into(),
        );
    }
}

/// A response names an existing schema, or is an event stream whose events do.
fn check_response(
    spec: &Spec,
    response: &crate::spec::Response,
    at: &str,
    report: &mut impl FnMut(String, String),
) {
    match (&response.schema, response.events.is_empty()) {
        (Some(schema), true) => {
            if spec.schema(schema).is_none() {
                report(
                    format!("{at}.schema"),
                    format!("schema `{schema}` does not exist in `schemas/`"),
                );
            }
        }
        (None, false) => {
            for (name, event) in &response.events {
                if spec.schema(&event.schema).is_none() {
                    report(
                        format!("{at}.events.{name}.schema"),
                        format!("schema `{}` does not exist in `schemas/`", event.schema),
                    );
                }
            }
        }
        (Some(_), false) => report(
            at.to_owned(),
            "a response has either a `schema` or `events`, not both".into(),
        ),
        // A response without a body (such as 204 No Content).
        (None, true) => {}
    }
}

/// Every `{name}` of `template` is declared in `declared`, and every declared one is used.
fn check_path_params(
    template: &str,
    declared: &[Param],
    template_at: &str,
    declared_at: &str,
    report: &mut impl FnMut(String, String),
) {
    let in_template = placeholders(template);
    for name in &in_template {
        if !declared.iter().any(|p| p.name == *name) {
            let mut message = format!(
                "path parameter `{name}` is in the path `{template}` but not declared in `path_params`"
            );
            if let Some(close) = declared.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
                message.push_str(&format!(
                    " (`{}` is declared: names are case-sensitive)",
                    close.name
                ));
            }
            report(template_at.to_owned(), message);
        }
    }
    for (i, p) in declared.iter().enumerate() {
        if !in_template.contains(&p.name) {
            report(
                format!("{declared_at}[{i}].name"),
                format!(
                    "path parameter `{}` is declared but not in the path `{template}`",
                    p.name
                ),
            );
        }
    }
}

/// The `{name}` placeholders of a path template.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}

fn check_param(p: &Param, at: &str, report: &mut impl FnMut(String, String)) {
    if p.schema.is_some() && (p.ty.is_some() || p.enum_values.is_some()) {
        report(
            at.to_owned(),
            format!(
                "parameter `{}` has both `schema` and `type`/`enum`; use one",
                p.name
            ),
        );
    }
    if let Some(values) = &p.enum_values {
        check_enum_names(values, &format!("{at}.enum"), report);
    }
    let schema = p.value_schema();
    for (key, value) in [("default", &p.default), ("example", &p.example)] {
        if let Some(value) = value {
            if let Some(why) = mismatch(value, &schema) {
                report(
                    format!("{at}.{key}"),
                    format!("{key} {value} of parameter `{}` {why}", p.name),
                );
            }
        }
    }
}

/// Checks references, defaults and examples inside a schema.
fn check_schema(
    spec: &Spec,
    root: &str,
    s: &Schema,
    at: &str,
    report: &mut impl FnMut(String, String),
) {
    let child = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    if s.ty
        .as_ref()
        .is_some_and(|t| t.names().contains(&TypeName::File))
    {
        report(
            child("type"),
            "`type: file` is only for `multipart` parameters, not schemas".into(),
        );
    }
    if let Some(reference) = &s.reference {
        if let Err(message) = crate::resolve::resolve(spec, root, reference) {
            report(child("$ref"), message);
        }
    }
    if let Some(default) = &s.default {
        if let Some(why) = mismatch(default, s) {
            report(child("default"), format!("default {default} {why}"));
        }
    }
    if let Some(values) = &s.enum_values {
        check_enum_names(values, &child("enum"), report);
    }
    let mut walk = |key: String, sub: &Schema| check_schema(spec, root, sub, &key, report);
    for (name, sub) in s.properties.iter().flatten() {
        walk(child(&format!("properties.{name}")), sub);
    }
    for (name, sub) in s.pattern_properties.iter().flatten() {
        walk(child(&format!("patternProperties.{name}")), sub);
    }
    for (name, sub) in s.definitions.iter().flatten() {
        walk(child(&format!("definitions.{name}")), sub);
    }
    if let Some(crate::spec::Items::One(item)) = &s.items {
        walk(child("items"), item);
    }
    if let Some(crate::spec::BoolOrSchema::Schema(sub)) = &s.additional_properties {
        walk(child("additionalProperties"), sub);
    }
    for (key, list) in [
        ("oneOf", &s.one_of),
        ("anyOf", &s.any_of),
        ("allOf", &s.all_of),
    ] {
        for (i, sub) in list.iter().flatten().enumerate() {
            walk(child(&format!("{key}[{i}]")), sub);
        }
    }
}

/// Two string values of an enum that would become the same Rust variant (`a-b` and `a_b`
/// are both `AB`; the rules that tell `last` from `LAST` and `unknown` from the catch-all
/// `Unknown` are in `lower::variant_names`).
fn check_enum_names(values: &[Value], at: &str, report: &mut impl FnMut(String, String)) {
    let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    // Only all-string enums become Rust enums; others are unions of their values' types.
    if strings.len() != values.len() {
        return;
    }
    if let Some((first, second, name)) = crate::lower::variant_clash(&strings) {
        report(
            at.to_owned(),
            format!(
                "the values `{first}` and `{second}` both become the Rust variant `{name}`; \
                 variant names keep only the letters and digits of a value, so one of the two must change"
            ),
        );
    }
}

/// Why `value` does not fit `schema`'s type or enum, if it does not.
fn mismatch(value: &Value, s: &Schema) -> Option<String> {
    if let Some(allowed) = &s.enum_values {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            return Some(format!(
                "is not one of the allowed values {}",
                list.join(", ")
            ));
        }
    }
    let types = s.ty.as_ref()?.names();
    let fits = types.iter().any(|t| match t {
        TypeName::String => value.is_string(),
        TypeName::Integer => value.as_i64().is_some() || value.as_u64().is_some(),
        TypeName::Number => value.is_number(),
        TypeName::Boolean => value.is_boolean(),
        TypeName::Object => value.is_object(),
        TypeName::Array => value.is_array(),
        TypeName::Null => value.is_null(),
        TypeName::File => false,
    });
    (!fits).then(|| {
        let names: Vec<String> = types
            .iter()
            .map(|t| format!("{t:?}").to_lowercase())
            .collect();
        format!("does not match the type `{}`", names.join(" | "))
    })
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_read_in_order_and_scanning_goes_on_after_each() {
        assert_eq!(
            placeholders("/orgs/{orgId}/members/{memberId}"),
            ["orgId", "memberId"]
        );
        assert_eq!(placeholders("/a/{}/b/{x}"), ["", "x"]);
        assert_eq!(placeholders("{a}{b}"), ["a", "b"]);
        // Braces inside a placeholder belong to its name; an unclosed one is not a placeholder.
        assert_eq!(placeholders("/{{}x}/{y"), ["{"]);
        assert!(placeholders("/plain/path").is_empty());
    }
}
