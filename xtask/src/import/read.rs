//! Reading Losant's published description from disk: `apiInfo.json`, `globalParams.json`,
//! `schemas/*.json`, `apiExamples.json` and `docs/*.md` ([`Source`]), and checking that
//! `globalParams.json` agrees with the hand-written `api.yaml` ([`check_global_params`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};
use serde_yaml::Value as Yaml;

/// Losant's API description, as read from disk.
pub struct Source {
    /// `apiInfo.json`: resources by name, in order.
    pub api_info: Map<String, Json>,
    /// `globalParams.json`.
    pub global_params: Vec<Json>,
    /// `schemas/*.json` by id, sorted.
    pub schemas: BTreeMap<String, Json>,
    /// `apiExamples.json`.
    pub examples: Map<String, Json>,
    /// `docs/*.md` by file name (`orgs.md`), sorted.
    pub docs: BTreeMap<String, String>,
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn list_dir(dir: &Path, ext: &str) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(stem) = name.strip_suffix(ext) {
            if !stem.is_empty() && !stem.starts_with('.') {
                out.push((stem.to_string(), path.clone()));
            }
        }
    }
    out.sort();
    Ok(out)
}

impl Source {
    /// Reads the folder.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let object = |v: Json, what: &str| match v {
            Json::Object(m) => Ok(m),
            _ => Err(format!("{what}: expected a JSON object")),
        };
        let api_info = object(read_json(&dir.join("apiInfo.json"))?, "apiInfo.json")?;
        let global_params = match read_json(&dir.join("globalParams.json"))? {
            Json::Array(items) => items,
            _ => return Err("globalParams.json: expected a JSON array".into()),
        };
        let examples = object(
            read_json(&dir.join("apiExamples.json"))?,
            "apiExamples.json",
        )?;
        let mut schemas = BTreeMap::new();
        for (id, path) in list_dir(&dir.join("schemas"), ".json")? {
            schemas.insert(id, read_json(&path)?);
        }
        let mut docs = BTreeMap::new();
        for (name, path) in list_dir(&dir.join("docs"), ".md")? {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            docs.insert(format!("{name}.md"), text);
        }
        Ok(Source {
            api_info,
            global_params,
            schemas,
            examples,
            docs,
        })
    }
}

/// Result of comparing `globalParams.json` with `api.yaml`.
#[derive(Debug, PartialEq, Eq)]
pub enum GlobalParams {
    /// Same names and locations.
    Match,
    /// There is no `api.yaml` to compare with.
    NoApiFile,
}

/// Checks that `api.yaml`'s `global_params` have the names and locations of `globalParams.json`.
pub fn check_global_params(losant: &[Json], api_file: &Path) -> Result<GlobalParams, String> {
    let text = match fs::read_to_string(api_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(GlobalParams::NoApiFile),
        Err(e) => return Err(format!("cannot read {}: {e}", api_file.display())),
    };
    let api: Yaml =
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", api_file.display()))?;
    let ours: BTreeMap<String, String> = api
        .get("global_params")
        .and_then(Yaml::as_sequence)
        .into_iter()
        .flatten()
        .map(|p| {
            let field = |k: &str| p.get(k).and_then(Yaml::as_str).unwrap_or("").to_string();
            (field("name"), field("in"))
        })
        .collect();
    let theirs: BTreeMap<String, String> = losant
        .iter()
        .map(|p| {
            let field = |k: &str| p.get(k).and_then(Json::as_str).unwrap_or("").to_string();
            (field("name"), field("in"))
        })
        .collect();
    let mut problems = Vec::new();
    for (name, location) in &theirs {
        match ours.get(name) {
            None => problems.push(format!(
                "`{name}` (in: {location}) is in globalParams.json but not in api.yaml"
            )),
            Some(l) if l != location => problems.push(format!(
                "`{name}` is in: {location} in globalParams.json but in: {l} in api.yaml"
            )),
            Some(_) => {}
        }
    }
    for (name, location) in &ours {
        if !theirs.contains_key(name) {
            problems.push(format!(
                "`{name}` (in: {location}) is in api.yaml but not in globalParams.json"
            ));
        }
    }
    if problems.is_empty() {
        Ok(GlobalParams::Match)
    } else {
        Err(format!(
            "{}'s global_params differ from globalParams.json:\n  {}",
            api_file.display(),
            problems.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fixture;
    use super::*;

    #[test]
    fn loads_every_file_of_the_folder_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        fixture(dir.path());
        // Files that are not `.json`/`.md`, or hidden, are not read.
        fs::write(dir.path().join("schemas/.hidden.json"), "not json").unwrap();
        fs::write(dir.path().join("schemas/notes.txt"), "not json").unwrap();
        let source = Source::load(dir.path()).unwrap();
        let resources: Vec<&String> = source.api_info.keys().collect();
        assert_eq!(resources, ["orgs", "org"], "apiInfo.json's order is kept");
        let ids: Vec<&String> = source.schemas.keys().collect();
        assert_eq!(ids, ["error", "org", "orgs"]);
        let docs: Vec<&String> = source.docs.keys().collect();
        assert_eq!(docs, ["org.md", "orgs.md"]);
        assert_eq!(source.global_params.len(), 1);
        assert_eq!(source.examples["org"]["name"], "Acme");
    }

    #[test]
    fn a_missing_or_misshapen_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fixture(dir.path());
        fs::write(dir.path().join("globalParams.json"), "{}").unwrap();
        let err = Source::load(dir.path()).err().unwrap();
        assert_eq!(err, "globalParams.json: expected a JSON array");
        fs::write(dir.path().join("apiInfo.json"), "[]").unwrap();
        let err = Source::load(dir.path()).err().unwrap();
        assert_eq!(err, "apiInfo.json: expected a JSON object");
        fs::write(dir.path().join("apiInfo.json"), "{").unwrap();
        let err = Source::load(dir.path()).err().unwrap();
        assert!(err.contains("apiInfo.json: EOF while parsing"), "{err}");
        fs::remove_file(dir.path().join("apiInfo.json")).unwrap();
        let err = Source::load(dir.path()).err().unwrap();
        assert!(err.starts_with("cannot read "), "{err}");
    }

    #[test]
    fn global_params_are_compared_by_name_and_location() {
        let dir = tempfile::tempdir().unwrap();
        let api = dir.path().join("api.yaml");
        let losant = [
            serde_json::json!({"name": "_links", "in": "query", "type": "boolean"}),
            serde_json::json!({"name": "_embedded", "in": "query"}),
        ];
        assert_eq!(
            check_global_params(&losant, &api),
            Ok(GlobalParams::NoApiFile)
        );
        fs::write(
            &api,
            "global_params:\n  - name: _embedded\n    in: query\n  - name: _links\n    in: query\n",
        )
        .unwrap();
        assert_eq!(check_global_params(&losant, &api), Ok(GlobalParams::Match));
        fs::write(&api, "global_params:\n  - name: _links\n    in: header\n").unwrap();
        let err = check_global_params(&losant, &api).unwrap_err();
        assert!(
            err.contains("`_embedded` (in: query) is in globalParams.json but not in api.yaml")
        );
        assert!(
            err.contains("`_links` is in: query in globalParams.json but in: header in api.yaml")
        );
        fs::write(&api, "global_params: [").unwrap();
        assert!(check_global_params(&losant, &api).is_err());
    }
}
