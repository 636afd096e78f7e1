//! What the import adds to actions beyond Losant's data: which list actions page
//! ([`pagination`]), which `POST`s only read ([`IDEMPOTENT_POSTS`]), and the scopes of the
//! server-sent-event streams that Losant's pages do not document ([`stream_scopes`]). Each
//! is a rule or a list a reviewer can audit here; each mark is also noted at the top of the
//! resource file it lands in.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value as Json};

/// The page parameter, page-size parameter, items field and total field of a paginated list,
/// as `spec/api.yaml` (`pagination:`) names them (a test checks that they agree).
pub const PAGE_PARAM: &str = "page";
/// See [`PAGE_PARAM`].
pub const PER_PAGE_PARAM: &str = "perPage";
/// See [`PAGE_PARAM`].
pub const ITEMS_FIELD: &str = "items";
/// See [`PAGE_PARAM`].
pub const TOTAL_FIELD: &str = "totalCount";

/// Whether an action is a paginated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    /// It takes no page parameters: not a list action.
    NotAList,
    /// A list action whose success response has the items and total fields: `paginated: true`.
    Paginated,
    /// A list action (it takes `page` and `perPage`) whose response cannot be paged through;
    /// the reason, for the note.
    Unmarked(String),
}

/// Whether an action that takes the query parameters `query` and answers `response` (the id of
/// its 200 response's schema) is a paginated list: a list action takes `page` and `perPage`;
/// it is marked when its response is an object with an array field `items` and a number field
/// `totalCount` (what the client's page stream needs, and what the generator checks).
/// `schemas` are all schema files by id (normalized).
pub fn pagination(
    query: &[&str],
    response: Option<&str>,
    schemas: &BTreeMap<String, Json>,
) -> Pagination {
    if !query.contains(&PAGE_PARAM) || !query.contains(&PER_PAGE_PARAM) {
        return Pagination::NotAList;
    }
    let Some(id) = response else {
        return Pagination::Unmarked("it has no 200 response with a schema".into());
    };
    let Some(schema) = schemas.get(id).and_then(|s| resolve(s, id, schemas)) else {
        return Pagination::Unmarked(format!("its response schema {id} is not found"));
    };
    let field = |name: &str| -> Option<&Map<String, Json>> {
        let field = schema.get("properties")?.get(name)?;
        resolve(field, id, schemas)
    };
    let types = |s: &Map<String, Json>| -> Vec<String> {
        match s.get("type") {
            Some(Json::String(t)) => vec![t.clone()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).map(Into::into).collect(),
            _ => Vec::new(),
        }
    };
    let mut missing = Vec::new();
    match field(ITEMS_FIELD) {
        None => missing.push(format!("no field {ITEMS_FIELD}")),
        Some(items) if !types(items).iter().any(|t| t == "array") => {
            missing.push(format!("its field {ITEMS_FIELD} is not an array"));
        }
        Some(_) => {}
    }
    match field(TOTAL_FIELD) {
        None => missing.push(format!("no field {TOTAL_FIELD}")),
        Some(total) if !types(total).iter().any(|t| t == "integer" || t == "number") => {
            missing.push(format!("its field {TOTAL_FIELD} is not a number"));
        }
        Some(_) => {}
    }
    if !missing.is_empty() {
        let mut why = format!("its 200 response {id} has {}", missing.join(" and "));
        // A hint for the reviewer: the list schema of the same name would page.
        let plural = format!("{id}s");
        if schemas.contains_key(&plural)
            && pagination(query, Some(&plural), schemas) == Pagination::Paginated
        {
            let _ = write!(
                why,
                " (the list schema {plural} has both: Losant may have meant it; not changed)"
            );
        }
        return Pagination::Unmarked(why);
    }
    Pagination::Paginated
}

/// `schema`, or the schema its `$ref` names (in `schemas`, relative to the file `id`),
/// followed until it is not a reference.
fn resolve<'a>(
    schema: &'a Json,
    id: &str,
    schemas: &'a BTreeMap<String, Json>,
) -> Option<&'a Map<String, Json>> {
    let mut current = schema.as_object()?;
    let mut file = id.to_string();
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Json::as_str) else {
            return Some(current);
        };
        let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        if !target.is_empty() {
            file = target.trim_end_matches(".yaml").to_string();
        }
        let mut next = schemas.get(&file)?;
        for part in pointer.split('/').filter(|p| !p.is_empty()) {
            next = next.get(part)?;
        }
        current = next.as_object()?;
    }
    None
}

/// The `POST` actions that only read: sending one twice has the effect of sending it once, so
/// the client may retry them like a `GET` (`idempotent: true`). Each with why, from its
/// summary, its parameters and what it answers. Losant's scope lists agree: the three that
/// need a token accept the `.read` scopes (`all.Application.read`, ...), which Losant gives
/// to reads; `dashboard.validateContext` needs no token at all. Every other `POST` of the API
/// creates, changes, deletes, sends or enqueues something; [`NOT_IDEMPOTENT_POSTS`] lists the
/// ones that read like queries or accept `.read` scopes but are not (a test checks that every
/// `POST` accepting a `.read` scope is in one of the two lists).
pub const IDEMPOTENT_POSTS: &[(&str, &str, &str)] = &[
    (
        "data",
        "lastValueQuery",
        "\"Returns the last known data for the given attribute\": a query of stored device \
         data (POST only to carry the query body), answered 200 with the data",
    ),
    (
        "data",
        "timeSeriesQuery",
        "\"Returns the data for the given query\": a query of stored time-series data (POST \
         only to carry the query body), answered 200 with the data",
    ),
    (
        "dataTableRows",
        "query",
        "\"Queries for rows from a data table\": reads rows matching the query body, answered \
         200 with the rows",
    ),
    (
        "dashboard",
        "validateContext",
        "\"Validates a context object against the dashboard's context configuration\": checks \
         the body and answers 200 or 400, storing nothing",
    ),
];

/// `POST` actions that read like queries, or that Losant lets `.read` tokens call, but are not
/// idempotent, with why (kept so that a reviewer sees they were considered; the import notes
/// entries that no longer name a `POST`).
pub const NOT_IDEMPOTENT_POSTS: &[(&str, &str, &str)] = &[
    (
        "applicationDashboard",
        "sendReport",
        "enqueues emailing a dashboard snapshot",
    ),
    (
        "dashboard",
        "sendReport",
        "enqueues emailing a dashboard snapshot",
    ),
    (
        "events",
        "delete",
        "deletes the events matching the query (although Losant lets .read tokens call it)",
    ),
    (
        "application",
        "export",
        "may enqueue a job that emails a download link, or commit to a git repository",
    ),
    (
        "application",
        "clone",
        "creates an application (only its dryRun option just checks)",
    ),
    ("data", "export", "enqueues a job that emails a CSV file"),
    ("dataTableRows", "export", "enqueues an export job"),
    ("device", "export", "enqueues an export job"),
    ("devices", "export", "enqueues an export job"),
    (
        "devices",
        "payloadCounts",
        "named like a read, but enqueues an export of payload counts",
    ),
    ("embeddedDeployments", "export", "enqueues an export job"),
    ("events", "export", "enqueues an export job"),
    ("instance", "generateReport", "enqueues a report job"),
    (
        "notebook",
        "requestInputDataExport",
        "enqueues an export job",
    ),
    (
        "auth",
        "authenticateUser",
        "issues a new token on each call, and failed attempts count towards lock-out",
    ),
    (
        "auth",
        "authenticateDevice",
        "issues a new token on each call",
    ),
    (
        "auth",
        "authenticateUserGithub",
        "exchanges a one-time GitHub code for a new token",
    ),
    (
        "auth",
        "authenticateUserSaml",
        "exchanges a one-time SAML response for a new token",
    ),
];

/// Why the action `resource.action` is an idempotent `POST`, if it is one.
pub fn idempotent(resource: &str, action: &str) -> Option<&'static str> {
    IDEMPOTENT_POSTS
        .iter()
        .find(|(r, a, _)| *r == resource && *a == action)
        .map(|(_, _, why)| *why)
}

/// Entries of both lists, of resources `api_info` has, that do not name one of its `POST`
/// actions (a renamed or removed action), described; `cargo xtask import` prints them as notes.
pub fn stale_post_entries(api_info: &Map<String, Json>) -> Vec<String> {
    let mut out = Vec::new();
    for (resource, action, _) in IDEMPOTENT_POSTS.iter().chain(NOT_IDEMPOTENT_POSTS) {
        let Some(info) = api_info.get(*resource) else {
            continue;
        };
        let method = info
            .get("actions")
            .and_then(|a| a.get(*action))
            .and_then(|a| a.get("method"))
            .and_then(Json::as_str);
        match method {
            Some("POST") => {}
            Some(other) => out.push(format!(
                "xtask/src/import/marks.rs lists {resource}.{action} among POSTs, but it is a \
                 {other}"
            )),
            None => out.push(format!(
                "xtask/src/import/marks.rs lists {resource}.{action}, which apiInfo.json does not \
                 have"
            )),
        }
    }
    out
}

/// The accepted scopes of a server-sent-event stream (`sseStream`) that the resource's page
/// does not document, derived from its siblings, with the reasoning for the note; `None` when
/// no sibling is documented.
///
/// Losant's data gives a stream only its own `resource.action` scope (`auth`), and its pages
/// leave the streams out, so a token scoped `all.Application` would be refused locally
/// although the API serves it. Losant gives each action one scope list built the same way: the
/// owner-wide scopes that may perform it (`all.Application`, `all.Organization`, `all.User`,
/// each possibly `.bounded`; `.read` variants for reads; `all.Device` where a device may act on
/// itself), then `resource.*` and `resource.action`. A stream is a read that goes on, so it
/// takes the list of the read it continues:
///
/// 1. `{thing}Stream` continues `get{Thing}` when the resource has it (`device.stateStream`
///    streams the states `device.getState` reads; `device.commandStream` the commands of
///    `device.getCommand`): that action's list;
/// 2. otherwise the list most of the resource's documented `GET` actions share (the
///    resource's read level: for `application`, 6 of its 12 `GET`s, e.g. `deviceCounts` and
///    `search`; the others start jobs, which needs write scopes, or also take `.cli` scopes).
///
/// In both, the sibling's own `resource.sibling` scope becomes `resource.action`. Losant's own
/// JavaScript client of the same release (losant-rest-js 1.30.0, `lib/api/device.js` and
/// `lib/api/application.js`, whose comments list each action's scopes) gives exactly these
/// lists for the three streams.
pub fn stream_scopes(
    resource: &str,
    action: &str,
    actions: &Map<String, Json>,
    documented: &BTreeMap<String, Vec<String>>,
) -> Option<(Vec<String>, String)> {
    let own = format!("{resource}.{action}");
    let retarget = |sibling: &str, list: &[String]| -> Vec<String> {
        let theirs = format!("{resource}.{sibling}");
        list.iter()
            .map(|s| if *s == theirs { own.clone() } else { s.clone() })
            .collect()
    };
    if let Some(thing) = action.strip_suffix("Stream") {
        let mut chars = thing.chars();
        if let Some(first) = chars.next() {
            let getter = format!("get{}{}", first.to_uppercase(), chars.as_str());
            if let Some(list) = documented.get(&getter).filter(|l| !l.is_empty()) {
                return Some((
                    retarget(&getter, list),
                    format!(
                        "it streams what {resource}.{getter} reads, so it takes that action's \
                         scopes"
                    ),
                ));
            }
        }
    }
    // The read level: the list (with its own scope taken out) most documented GETs share.
    let mut counts: Vec<(Vec<String>, usize, String)> = Vec::new();
    let mut gets = 0;
    for (name, info) in actions {
        if info.get("method").and_then(Json::as_str) != Some("GET") || name == action {
            continue;
        }
        let Some(list) = documented.get(name).filter(|l| !l.is_empty()) else {
            continue;
        };
        gets += 1;
        let theirs = format!("{resource}.{name}");
        let shape: Vec<String> = list.iter().filter(|s| **s != theirs).cloned().collect();
        match counts.iter_mut().find(|(s, _, _)| *s == shape) {
            Some(entry) => entry.1 += 1,
            None => counts.push((shape, 1, name.clone())),
        }
    }
    let (shape, count, example) = counts.into_iter().fold(
        None::<(Vec<String>, usize, String)>,
        |best, next| match best {
            Some(b) if b.1 >= next.1 => Some(b),
            _ => Some(next),
        },
    )?;
    let mut list = shape;
    list.push(own);
    Some((
        list,
        format!(
            "no {resource} action reads what it streams, so it takes the scopes {count} of the \
             resource's {gets} documented GET actions share (its read level, e.g. \
             {resource}.{example})"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas(list: &[(&str, Json)]) -> BTreeMap<String, Json> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn list_actions_page_when_their_response_can() {
        let all = schemas(&[
            (
                "things",
                json!({"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "thing.yaml"}},
                    "totalCount": {"type": "integer"}}}),
            ),
            ("alias", json!({"$ref": "things.yaml"})),
            (
                "thing",
                json!({"type": "object", "properties": {"id": {"type": "string"}}}),
            ),
            (
                "odd",
                json!({"type": "object", "properties": {
                    "items": {"type": "object"}, "count": {"type": "integer"}}}),
            ),
        ]);
        let q = ["sortField", "page", "perPage"];
        assert_eq!(pagination(&q, Some("things"), &all), Pagination::Paginated);
        assert_eq!(pagination(&q, Some("alias"), &all), Pagination::Paginated);
        assert_eq!(
            pagination(&["page"], Some("things"), &all),
            Pagination::NotAList
        );
        assert_eq!(
            pagination(&q, Some("thing"), &all),
            Pagination::Unmarked(
                "its 200 response thing has no field items and no field totalCount (the list \
                 schema things has both: Losant may have meant it; not changed)"
                    .into()
            )
        );
        assert_eq!(
            pagination(&q, Some("odd"), &all),
            Pagination::Unmarked(
                "its 200 response odd has its field items is not an array and no field \
                 totalCount"
                    .into()
            )
        );
        assert_eq!(
            pagination(&q, None, &all),
            Pagination::Unmarked("it has no 200 response with a schema".into())
        );
    }

    #[test]
    fn pagination_names_are_api_yamls() {
        let api: serde_yaml::Value =
            serde_yaml::from_str(include_str!("../../../spec/api.yaml")).unwrap();
        let p = &api["pagination"];
        assert_eq!(p["page_param"].as_str(), Some(PAGE_PARAM));
        assert_eq!(p["per_page_param"].as_str(), Some(PER_PAGE_PARAM));
        assert_eq!(p["items_field"].as_str(), Some(ITEMS_FIELD));
        assert_eq!(p["total_field"].as_str(), Some(TOTAL_FIELD));
    }

    #[test]
    fn idempotent_posts_are_listed_posts() {
        assert!(idempotent("data", "timeSeriesQuery").is_some());
        assert!(idempotent("data", "export").is_none());
        let info = json!({
            "data": {"actions": {"lastValueQuery": {"method": "POST"},
                                 "export": {"method": "GET"}}}
        });
        let stale = stale_post_entries(info.as_object().unwrap());
        assert_eq!(stale.len(), 2, "{stale:?}");
        assert!(stale[0].ends_with("lists data.timeSeriesQuery, which apiInfo.json does not have"));
        assert!(stale[1].ends_with("lists data.export among POSTs, but it is a GET"));
        // Against Losant's data kept in the repository: every entry is one of its POSTs.
        let info: Json =
            serde_json::from_str(include_str!("../../../third_party/losant-api/apiInfo.json"))
                .unwrap();
        assert_eq!(
            stale_post_entries(info.as_object().unwrap()),
            Vec::<String>::new()
        );
        let both: Vec<(&str, &str)> = IDEMPOTENT_POSTS
            .iter()
            .chain(NOT_IDEMPOTENT_POSTS)
            .map(|(r, a, _)| (*r, *a))
            .collect();
        let unique: std::collections::BTreeSet<_> = both.iter().collect();
        assert_eq!(
            unique.len(),
            both.len(),
            "an action in both lists, or twice"
        );
    }

    /// In Losant's data: every `POST` that accepts a `.read` scope (Losant's read-only
    /// tokens) is classified, idempotent or not.
    #[test]
    fn every_post_read_tokens_may_call_is_classified() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../third_party/losant-api");
        let source = super::super::read::Source::load(&dir).unwrap();
        let (mut unclassified, mut read_posts) = (Vec::new(), 0);
        for (resource, info) in &source.api_info {
            let scopes = source
                .docs
                .get(&format!("{resource}.md"))
                .map(|page| super::super::markdown::parse_scopes(resource, page))
                .unwrap_or_default();
            let Some(Json::Object(actions)) = info.get("actions") else {
                continue;
            };
            for (action, a) in actions {
                let read = scopes
                    .get(action)
                    .is_some_and(|l| l.iter().any(|s| s.ends_with(".read")));
                let listed = IDEMPOTENT_POSTS
                    .iter()
                    .chain(NOT_IDEMPOTENT_POSTS)
                    .any(|(r, n, _)| r == resource && n == action);
                if a.get("method").and_then(Json::as_str) == Some("POST") && read {
                    read_posts += 1;
                    if !listed {
                        unclassified.push(format!("{resource}.{action}"));
                    }
                }
            }
        }
        assert_eq!(
            read_posts, 14,
            "POSTs accepting a .read scope in Losant's 1.30.0 data"
        );
        assert_eq!(unclassified, Vec::<String>::new());
    }

    fn list(s: &str) -> Vec<String> {
        s.split(", ").map(str::to_string).collect()
    }

    #[test]
    fn streams_take_the_scopes_of_the_read_they_continue() {
        let actions = json!({
            "get": {"method": "GET"}, "getState": {"method": "GET"},
            "sendState": {"method": "POST"}, "stateStream": {"method": "GET"},
            "logStream": {"method": "GET"}, "export": {"method": "GET"},
            "counts": {"method": "GET"}
        });
        let actions = actions.as_object().unwrap();
        let mut documented = BTreeMap::new();
        let read = "all.Application, all.Application.read, all.Device.read, device.*";
        documented.insert("get".into(), list(&format!("{read}, device.get")));
        documented.insert("getState".into(), list(&format!("{read}, device.getState")));
        documented.insert("counts".into(), list(&format!("{read}, device.counts")));
        documented.insert(
            "export".into(),
            list("all.Application, device.*, device.export"),
        );
        documented.insert("sendState".into(), list("all.Device, device.sendState"));
        let (scopes, why) = stream_scopes("device", "stateStream", actions, &documented).unwrap();
        assert_eq!(scopes, list(&format!("{read}, device.stateStream")));
        assert_eq!(
            why,
            "it streams what device.getState reads, so it takes that action's scopes"
        );
        // No getter: the list most GETs share (3 of 4 here).
        let (scopes, why) = stream_scopes("device", "logStream", actions, &documented).unwrap();
        assert_eq!(scopes, list(&format!("{read}, device.logStream")));
        assert_eq!(
            why,
            "no device action reads what it streams, so it takes the scopes 3 of the resource's \
             4 documented GET actions share (its read level, e.g. device.get)"
        );
        assert!(stream_scopes("device", "logStream", actions, &BTreeMap::new()).is_none());
    }
}
