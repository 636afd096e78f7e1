//! What the import takes from Losant's Markdown pages (`docs/*.md`): the scopes each action
//! accepts ([`parse_scopes`]) and the titles of schemas from the pages' links to them
//! ([`doc_titles`]), with a title made from the id where no page links a schema
//! ([`id_to_title`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

static SCOPES_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)at least one of the following scopes:\s*(.*?)\.\s*(?:\n|$)").unwrap()
});
static SCHEMA_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]+)\]\(\.\./lib/schemas/(\w+)\.json\)").unwrap());

/// The accepted scopes of each action documented in a resource page (`docs/RESOURCE.md`): for
/// the section whose JavaScript snippet calls `client.RESOURCE.ACTION(`, the list after "at
/// least one of the following scopes:" up to the final period, split on commas and "or"; an
/// empty list when the section has no such sentence (e.g. "No api access token is required").
pub fn parse_scopes(resource: &str, page: &str) -> BTreeMap<String, Vec<String>> {
    let call = Regex::new(&format!(r"client\.{}\.(\w+)\(", regex::escape(resource))).unwrap();
    let mut out = BTreeMap::new();
    for section in page.split("\n## ").skip(1) {
        let Some(action) = call.captures(section) else {
            continue;
        };
        let scopes = SCOPES_SENTENCE
            .captures(section)
            .map(|m| split_scopes(&m[1]))
            .unwrap_or_default();
        out.insert(action[1].to_string(), scopes);
    }
    out
}

/// `a, b, c, or d` (possibly over several lines) -> `[a, b, c, d]`.
pub fn split_scopes(list: &str) -> Vec<String> {
    list.split(',')
        .flat_map(|part| {
            let part = format!(
                " {} ",
                part.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            part.split(" or ")
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Schema titles from the docs' links `[Title](../lib/schemas/ID.json)`: id -> (title, doc
/// file). The first link in sorted file order wins.
pub fn doc_titles(docs: &BTreeMap<String, String>) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for (file, text) in docs {
        for m in SCHEMA_LINK.captures_iter(text) {
            out.entry(m[2].to_string())
                .or_insert_with(|| (m[1].to_string(), file.clone()));
        }
    }
    out
}

/// `applicationApiTokenPost` -> `Application Api Token Post` (words split before capitals,
/// each capitalised like Python's `str.title`).
pub fn id_to_title(id: &str) -> String {
    let mut spaced = String::new();
    for (i, c) in id.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    let mut out = String::new();
    let mut after_letter = false;
    for c in spaced.chars() {
        if after_letter {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        after_letter = c.is_alphabetic();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Orgs Actions\n\nintro\n\n## Get\n\nReturns orgs\n\n```javascript\n\
        console.log(await client.orgs.get(params));\n```\n\n#### Authentication\n\
        The client must be configured with a valid api access token to call this\n\
        action. The token must include at least one of the following scopes:\n\
        all.User, all.User.read, only.User,\nonly.User.read, orgs.*, or orgs.get.\n\n\
        #### Available Parameters\n\n| a | b |\n\n## Post\n\n```javascript\n\
        console.log(await client.orgs.post(params));\n```\n\n#### Authentication\n\
        The token must include at least one of the following scopes:\n\
        orgs.* or orgs.post.\n\n## Login\n\n```javascript\nawait client.orgs.login(params);\n\
        ```\n\n#### Authentication\nNo api access token is required to call this action.\n\n\
        ## Other\n\n```javascript\nawait client.other.get(params);\n```\n";

    #[test]
    fn scopes_are_the_full_documented_list() {
        let scopes = parse_scopes("orgs", PAGE);
        assert_eq!(
            scopes["get"],
            [
                "all.User",
                "all.User.read",
                "only.User",
                "only.User.read",
                "orgs.*",
                "orgs.get"
            ]
        );
        assert_eq!(scopes["post"], ["orgs.*", "orgs.post"]);
        assert_eq!(scopes["login"], Vec::<String>::new());
        assert_eq!(scopes.len(), 3, "another resource's snippet is not ours");
    }

    #[test]
    fn scope_lists_split_on_commas_and_or() {
        assert_eq!(split_scopes("a.b"), ["a.b"]);
        assert_eq!(split_scopes("a.*, or a.get"), ["a.*", "a.get"]);
        assert_eq!(split_scopes("a, b,\n  c or d"), ["a", "b", "c", "d"]);
        // `or` inside a scope name is not a separator.
        assert_eq!(split_scopes("orgs.order, or x"), ["orgs.order", "x"]);
    }

    #[test]
    fn titles_come_from_doc_links_then_id() {
        let mut docs = BTreeMap::new();
        docs.insert(
            "b.md".to_string(),
            "| 200 | [Organizations](../lib/schemas/orgs.json) | x |".to_string(),
        );
        docs.insert(
            "a.md".to_string(),
            "[Orgs A](../lib/schemas/orgs.json) [Error](../lib/schemas/error.json)".to_string(),
        );
        let titles = doc_titles(&docs);
        assert_eq!(titles["orgs"], ("Orgs A".to_string(), "a.md".to_string()));
        assert_eq!(titles["error"].0, "Error");
        assert_eq!(
            id_to_title("applicationApiTokenPost"),
            "Application Api Token Post"
        );
        assert_eq!(id_to_title("oauth2Client"), "Oauth2 Client");
        assert_eq!(id_to_title("x2y"), "X2Y");
        assert_eq!(id_to_title("userPost"), "User Post");
    }
}
