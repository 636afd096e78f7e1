//! A tiny losant-api folder and helpers, for the tests of the import's modules.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::Options;

/// A tiny losant-api folder.
pub(super) fn fixture(dir: &Path) {
    let w = |p: &str, s: &str| {
        let path = dir.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, s).unwrap();
    };
    w(
        "apiInfo.json",
        r##"{
  "orgs": {"path": "/orgs", "actions": {
    "get": {"method": "GET", "summary": "List", "auth": ["orgs.get"],
      "params": [{"name": "page", "in": "query", "type": "string", "default": 0},
                 {"name": "perPage", "in": "query", "type": "string", "default": 100}],
      "responses": {"200": {"description": "Orgs", "schema": {"$ref": "#/definitions/orgs"}},
                    "400": {"description": "Bad", "schema": {"$ref": "#/definitions/error"}}}},
    "post": {"method": "POST", "summary": "Create", "auth": ["orgs.post"],
      "params": [{"name": "org", "in": "body", "required": true,
                  "schema": {"$ref": "#/definitions/org"}}],
      "responses": {"201": {"description": "Made", "schema": {"$ref": "#/definitions/org"}}}}
  }},
  "org": {"path": "/orgs/{orgId}",
    "params": [{"name": "orgId", "in": "path", "type": "string", "required": true}],
    "actions": {"get": {"method": "GET", "summary": "One", "auth": ["org.get"],
      "responses": {"200": {"description": "Org", "schema": {"$ref": "#/definitions/org"}}}}}}
}"##,
    );
    w(
        "globalParams.json",
        r#"[{"name": "_links", "in": "query", "type": "boolean"}]"#,
    );
    w(
        "apiExamples.json",
        r#"{"org": {"id": "1", "name": "Acme"}}"#,
    );
    w(
        "schemas/org.json",
        r##"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                "properties": {"id": {"type": "string"}, "name": {"type": "string", "min": 1}}}"##,
    );
    w(
        "schemas/orgs.json",
        r##"{"type": "object", "properties": {"items": {"type": "array",
                "items": {"$ref": "#/definitions/org"}}, "totalCount": {"type": "integer"}}}"##,
    );
    w(
        "schemas/error.json",
        r#"{"title": "Error", "description": "An error", "type": "object"}"#,
    );
    w(
        "docs/orgs.md",
        "# Orgs\n\n## Get\n\n```javascript\nclient.orgs.get(params);\n```\n\n\
         The token must include at least one of the following scopes:\n\
         all.User, orgs.*, or orgs.get.\n\n| 200 | [Organizations](../lib/schemas/orgs.json) |\n\n\
         ## Post\n\n```javascript\nclient.orgs.post(params);\n```\n\n\
         The token must include at least one of the following scopes:\n\
         all.User, orgs.*, or orgs.post.\n\n| 201 | [Organization](../lib/schemas/org.json) |\n",
    );
    w(
        "docs/org.md",
        "# Org\n\n## Get\n\n```javascript\nclient.org.get(p);\n```\n\n",
    );
}

/// Options importing `from` into `to`, neither checking nor forcing.
pub(super) fn options(from: &Path, to: &Path) -> Options {
    Options {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        check: false,
        force: false,
    }
}

/// The files of `resources/` and `schemas/` under `dir`, by path, with their text.
pub(super) fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for sub in ["resources", "schemas"] {
        for entry in fs::read_dir(dir.join(sub)).into_iter().flatten().flatten() {
            let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
            out.insert(name, fs::read_to_string(entry.path()).unwrap());
        }
    }
    out
}
