//! `cargo xtask import [--from DIR] [--to DIR] [--check] [--force]`: converts Losant's published
//! API description (by default `third_party/losant-api`, the copy kept in the repository:
//! `apiInfo.json`, `globalParams.json`, `schemas/*.json`, `apiExamples.json`, `docs/*.md`) into
//! spec YAML: `resources/NAME.yaml` and
//! `schemas/ID.yaml` under `spec/`, in the format people write by hand (ARCHITECTURE.md, "The
//! spec format"). `api.yaml` is hand-written and never written; the import only checks that
//! `globalParams.json` names the same global parameters (name and location) as its
//! `global_params`, and fails, writing nothing, when they differ.
//!
//! # Hand-edit policy
//!
//! Every file the import writes ([`overwrite`]) starts with a marker line,
//! `# @imported by cargo xtask import from losant-api (SOURCES); sha256:HASH`, where `HASH` is
//! the SHA-256 of the rest of the file. The next line says that hand edits are kept only if the
//! marker is removed. For each file the import produces:
//!
//! - a target file that does not exist is written;
//! - a target file that starts with the marker and still hashes to the recorded hash (an
//!   untouched import) is overwritten when the new content differs, and left alone otherwise;
//! - a target file that starts with the marker but no longer matches its hash (someone edited an
//!   imported file) is not overwritten: it is reported as a conflict, and the import exits
//!   non-zero. `--force` overwrites such files;
//! - a target file without the marker is hand-written (e.g. `spec/resources/orgs.yaml`): it is
//!   never overwritten, not even with `--force`. It is reported as a conflict together with what
//!   the import would add to it (for a resource: the actions it lacks, and for the actions it
//!   has, the scopes and parameters it lacks). That is a note, not a failure: the import
//!   succeeds, and merging what it would add is left to the person who owns the file.
//!
//! Files under `resources/` and `schemas/` that carry the marker but are no longer produced are
//! removed (reported); if such a file was edited (hash mismatch) it is kept and reported as a
//! conflict unless `--force`. Files without the marker are never removed.
//!
//! `--check` writes nothing and exits non-zero when anything would change (files to write or
//! remove, and edited imported files); hand-written files are reported as notes only. Running
//! the import twice changes nothing the second time: the output is deterministic (the JSON's
//! key order is kept, files are visited in sorted order).
//!
//! # Normalizations
//!
//! Losant's data contains a few things the spec loader rejects. The import repairs them
//! ([`repairs`]), counts each repair, and describes it in an `# import: ...` comment block at
//! the top of the file:
//!
//! 1. keywords that are not among the JSON Schema (draft-07) keywords the loader knows (the fields
//!    of `restgen::spec::Schema`) are dropped: draft-07 ignores unknown keywords. Two kinds are
//!    repaired first, since dropping them would lose what they say:
//!    - property schemas misplaced as keywords (an integration's `status` written as
//!      `{lastKeepAlive: {...}, connectInfo: {...}}` without `properties`; `instanceNodes`
//!      inside its sibling `customNodes`) move into the `properties` they belong to;
//!    - Losant's `min`/`max` (Joi's bounds) become `minLength`/`maxLength` on strings,
//!      `minItems`/`maxItems` on arrays and `minimum`/`maximum` on numbers;
//! 2. `anyOf`/`oneOf`/`allOf` lists holding a nested list are flattened;
//! 3. numeric keywords written as strings (`maxItems: "10"`) become numbers;
//! 4. a schema misplaced as a `properties` map (`properties: {title: "...", type: object,
//!    properties: {...}}`, whose string values are not schemas) is unwrapped: its keywords move
//!    up into the schema holding it (any other non-schema property value is dropped);
//! 5. `$ref: "#/definitions/X"` where the file has no definition `X` names Losant's shared
//!    definitions, which are our schema files: it becomes `$ref: X.yaml`;
//! 6. (in resource files) a parameter's `default` or `example` that is not one of its own `enum`
//!    values is added to the enum and kept: Losant's own examples send it (`filterField=key`
//!    where the enum is `name, status`), so a client that refused it would refuse a request the
//!    API serves;
//! 7. a list schema whose items `$ref` the list itself (`instanceAuditLogs`, which would nest
//!    lists forever) gets its item schema (`instanceAuditLog`) instead;
//! 8. in examples, Losant's placeholders `{"$ref": "#/examples/X"}` become its example of `X`
//!    (of the item, where one names the list it sits in); then every member an example shows
//!    that its schema does not declare is declared there, typed from the example (see
//!    [`examples`]): a typed client would drop it otherwise;
//! 9. (in resource files) a parameter with neither `type` nor `schema` but with a string's
//!    keywords (`pattern`, `minLength`, `maxLength`) gets `type: string`: untyped, a client
//!    would take any JSON value for it (`executionId` of the two `cancelExecution` actions);
//! 10. two properties of one object that hold each other's `enum` (each has the enum the
//!     other's name has everywhere else: `flowClass`/`deviceClass` of
//!     `applicationSearchResult`) get them swapped back.
//!
//! # Marks
//!
//! Beyond Losant's data, the import marks actions by rules and lists kept in
//! [`marks`] (each mark on a `POST` or stream, and each list action left unmarked, is noted at
//! the top of its resource file):
//!
//! - every list action (it takes `page` and `perPage`) whose 200 response has an array
//!   `items` and a number `totalCount` is `paginated: true`; the others are listed with why;
//! - the `POST`s that only read (queries) are `idempotent: true`;
//! - the server-sent-event streams, which Losant's pages leave out, get the scopes of the read
//!   they continue instead of only their own `resource.action` scope.
//!
//! # Modules
//!
//! One job each: this module parses the command line and runs the steps in order;
//! [`read`] reads Losant's files; [`markdown`] scrapes scopes and titles from its docs pages;
//! [`convert`] turns resources and schemas into spec YAML; [`repairs`] mends what Losant's data
//! gets wrong (each repair says what); [`examples`] declares members that only the published
//! examples show; [`marks`] adds the `paginated`/`idempotent` marks and stream scopes;
//! [`overwrite`] hashes the files and decides what may be overwritten or removed; [`report`]
//! writes the summary the command prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod convert;
mod examples;
mod markdown;
mod marks;
mod overwrite;
mod read;
mod repairs;
mod report;
#[cfg(test)]
mod test_support;

use convert::convert;
use overwrite::{Outcome, sync};
use read::{GlobalParams, Source, check_global_params};

/// The command's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The losant-api folder.
    pub from: PathBuf,
    /// The spec folder to write into.
    pub to: PathBuf,
    /// Write nothing; fail when anything would change.
    pub check: bool,
    /// Overwrite imported files that were edited by hand.
    pub force: bool,
}

/// Where Losant's published description is read from unless `--from` says otherwise: the copy
/// kept in the repository (relative to the workspace root).
const DEFAULT_SOURCE: &str = "third_party/losant-api";

const USAGE: &str = "usage: cargo xtask import [--from DIR] [--to DIR] [--check] [--force]";

/// Parses the arguments after `import`; `root` is the workspace root (for the defaults).
pub fn parse_args(args: &[&str], root: &Path) -> Result<Options, String> {
    let mut options = Options {
        from: root.join(DEFAULT_SOURCE),
        to: root.join("spec"),
        check: false,
        force: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--check" => options.check = true,
            "--force" => options.force = true,
            "--from" | "--to" => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a folder"))?;
                let dir = PathBuf::from(value);
                if *arg == "--from" {
                    options.from = dir;
                } else {
                    options.to = dir;
                }
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

/// Runs `cargo xtask import ARGS`, printing what it does.
pub fn main(args: &[&str], root: &Path) -> ExitCode {
    let options = match parse_args(args, root) {
        Ok(options) => options,
        Err(err) => {
            eprintln!("error: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let (report, ok) = match run(&options) {
        Ok(outcome) => (outcome.report(&options), outcome.succeeded(&options)),
        Err(err) => (format!("error: {err}\nnothing was written\n"), false),
    };
    let elapsed = start.elapsed();
    if ok {
        print!("{report}");
        println!("done in {:.2} s", elapsed.as_secs_f64());
        ExitCode::SUCCESS
    } else {
        eprint!("{report}");
        eprintln!("failed after {:.2} s", elapsed.as_secs_f64());
        ExitCode::FAILURE
    }
}

/// Converts `options.from` and brings `options.to` in line with it (see the module docs).
pub fn run(options: &Options) -> Result<Outcome, String> {
    let source = Source::load(&options.from)?;
    let mut notes = marks::stale_post_entries(&source.api_info);
    match check_global_params(&source.global_params, &options.to.join("api.yaml"))? {
        GlobalParams::Match => {}
        GlobalParams::NoApiFile => notes.push(format!(
            "{} does not exist: global parameters not checked",
            options.to.join("api.yaml").display()
        )),
    }
    let import = convert(&source)?;
    let mut outcome = sync(&options.to, &import, options.check, options.force)
        .map_err(|e| format!("cannot update {}: {e}", options.to.display()))?;
    outcome.notes.splice(0..0, notes);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::test_support::{fixture, options, tree};
    use super::*;

    #[test]
    fn imports_a_small_description() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        let outcome = run(&opts).unwrap();
        assert!(outcome.succeeded(&opts));
        assert_eq!(outcome.created.len(), 5);
        assert!(outcome.notes[0].contains("global parameters not checked"));
        let files = tree(to.path());
        let orgs = &files["resources/orgs.yaml"];
        assert!(orgs.starts_with(
            "# @imported by cargo xtask import from losant-api (apiInfo.json, docs/orgs.md); \
             sha256:"
        ));
        let body = orgs.split_once("\n# Hand edits").unwrap().1;
        let body = body.split_once('\n').unwrap().1;
        assert_eq!(
            body,
            "path: /orgs\nactions:\n  get:\n    method: GET\n    summary: List\n    scopes:\n    \
             - all.User\n    - orgs.*\n    - orgs.get\n    paginated: true\n    query:\n    \
             - name: page\n      type: integer\n      default: 0\n    - name: perPage\n      \
             type: integer\n      default: 100\n    responses:\n      200:\n        schema: orgs\n        \
             description: Orgs\n    errors:\n      400:\n        schema: error\n        \
             description: Bad\n  post:\n    method: POST\n    summary: Create\n    scopes:\n    \
             - all.User\n    - orgs.*\n    - orgs.post\n    body:\n      name: org\n      \
             schema: org\n      required: true\n    responses:\n      201:\n        schema: org\n        \
             description: Made\n"
        );
        let org = &files["resources/org.yaml"];
        assert!(org.contains("path_params:\n- name: orgId\n  type: string\nactions:"));
        assert!(
            org.contains("scopes: []"),
            "documented without a scopes sentence"
        );
        let schema = &files["schemas/org.yaml"];
        assert!(schema.contains("(schemas/org.json, docs/orgs.md, apiExamples.json); sha256:"));
        assert!(schema.contains(
            "# import: min 1 at properties.name made minLength 1 (Losant's schemas come from \
             Joi, where min bounds a string's length; draft-07 ignores min)\n\
             $schema: http://json-schema.org/draft-07/schema#\ntitle: Organization\ntype: object\n"
        ));
        assert!(schema.ends_with("examples:\n- id: '1'\n  name: Acme\n"));
        let orgs_schema = &files["schemas/orgs.yaml"];
        assert!(orgs_schema.contains("title: Organizations\n"));
        assert!(orgs_schema.contains("$ref: org.yaml\n"));
        let error = &files["schemas/error.yaml"];
        assert!(error.contains("title: Error\ndescription: An error\ntype: object\n"));
        let report = outcome.report(&opts);
        assert!(report.contains("  resources: 2 written (3 actions), 0 unchanged, 0 conflicts"));
        assert!(
            report.contains("    1 min/max made minLength/maxLength/minimum/maximum (in 1 file)")
        );
    }

    #[test]
    fn rerun_changes_nothing_and_output_is_deterministic() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let opts = options(src.path(), to.path());
        run(&opts).unwrap();
        let first = tree(to.path());
        let again = run(&opts).unwrap();
        assert!(again.created.is_empty() && again.updated.is_empty());
        assert!(again.removed.is_empty() && again.conflicts.is_empty());
        assert_eq!(again.unchanged.len(), 5);
        assert_eq!(tree(to.path()), first);
        let check = Options {
            check: true,
            ..opts.clone()
        };
        assert!(run(&check).unwrap().succeeded(&check));
        // A second folder gets byte-identical files.
        let other = tempfile::tempdir().unwrap();
        run(&options(src.path(), other.path())).unwrap();
        assert_eq!(tree(other.path()), first);
    }

    #[test]
    fn global_params_must_match_api_yaml() {
        let (src, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fixture(src.path());
        let api = to.path().join("api.yaml");
        fs::write(&api, "global_params:\n  - name: _links\n    in: query\n").unwrap();
        fs::write(
            &api,
            "global_params:\n  - name: _links\n    in: header\n  - name: x\n    in: query\n",
        )
        .unwrap();
        let opts = options(src.path(), to.path());
        let err = run(&opts).unwrap_err();
        assert!(err.contains("`_links` is in: query in globalParams.json but in: header"));
        assert!(err.contains("`x` (in: query) is in api.yaml but not in globalParams.json"));
        assert!(tree(to.path()).is_empty(), "nothing written");
        fs::write(&api, "global_params:\n  - name: _links\n    in: query\n").unwrap();
        assert!(run(&opts).unwrap().notes.is_empty());
        assert_eq!(tree(to.path()).len(), 5);
    }

    #[test]
    fn arguments() {
        let root = Path::new("/ws");
        let o = parse_args(&[], root).unwrap();
        assert_eq!(o.from, Path::new("/ws/third_party/losant-api"));
        assert_eq!(o.to, Path::new("/ws/spec"));
        let o = parse_args(&["--to", "/t", "--check", "--force", "--from", "f"], root).unwrap();
        assert_eq!(
            (o.to.as_path(), o.from.as_path(), o.check, o.force),
            (Path::new("/t"), Path::new("f"), true, true)
        );
        assert!(parse_args(&["--to"], root).is_err());
        assert!(parse_args(&["--bogus"], root).is_err());
    }
}
