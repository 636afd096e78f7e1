//! An incremental run (one that reuses the formatted text the last run kept, see
//! `restgen::cache`: files whose inputs did not change are not even emitted) gives exactly what
//! a cold run gives, after random edits of the workspace's full spec: descriptions and
//! summaries reworded, properties added, types renamed (which changes every file that names
//! them), resources added.
//!
//! The edits are drawn from a fixed seed, so that every run makes the same ones; set
//! `INCREMENTAL_SEED=N` to draw others (the seed is printed).

use std::fs;
use std::path::{Path, PathBuf};

use restgen::cache::{Cache, Formatted};
use restgen::{Options, Outputs};

const SEED: u64 = 0x1ec_4e5e;

fn options() -> Options {
    Options {
        crate_name: "client".into(),
        source: "spec/".into(),
        regenerate_with: "cargo xtask codegen".into(),
        resource_features: true,
        json_schema_feature: Some("schemars".into()),
        examples_feature: Some("test-util".into()),
    }
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// xorshift64*: enough to pick edits.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    }
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Makes one random edit that keeps the spec valid; says what it did.
fn edit(rng: &mut Rng, spec: &Path, round: usize) -> String {
    let schemas = yaml_files(&spec.join("schemas"));
    let resources = yaml_files(&spec.join("resources"));
    let replace_line = |file: &Path, pattern: &str, with: &dyn Fn(&str) -> String| -> bool {
        let text = fs::read_to_string(file).expect("read");
        let re = regex::Regex::new(pattern).expect("pattern");
        let Some(found) = re.find(&text) else {
            return false;
        };
        let edited = format!(
            "{}{}{}",
            &text[..found.start()],
            with(found.as_str()),
            &text[found.end()..]
        );
        fs::write(file, edited).expect("write");
        true
    };
    for _ in 0..100 {
        let schema = &schemas[rng.below(schemas.len())];
        let resource = &resources[rng.below(resources.len())];
        let name = |p: &Path| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        };
        let done = match rng.below(5) {
            0 => replace_line(schema, r"(?m)^description: .*$", &|line| {
                format!("{line} (edited {round})")
            })
            .then(|| format!("reworded the description of schema {}", name(schema))),
            1 => replace_line(schema, r"(?m)^properties:\n", &|line| {
                format!(
                    "{line}  edited{round}:\n    type: integer\n    description: Added by an edit\n"
                )
            })
            .then(|| format!("added a property to schema {}", name(schema))),
            2 => replace_line(schema, r"(?m)^title: .*$", &|line| {
                format!("{line}Edited{round}")
            })
            .then(|| format!("renamed the type of schema {}", name(schema))),
            3 => replace_line(resource, r"(?m)^    summary: .*$", &|line| {
                format!("{line} (edited {round})")
            })
            .then(|| {
                format!(
                    "reworded an action's summary in resource {}",
                    name(resource)
                )
            }),
            _ => {
                let text = fs::read_to_string(resource).expect("read");
                let copy = text.replacen("\npath: /", &format!("\npath: /edited{round}/"), 1);
                let target = spec.join(format!("resources/edited{round}Copy.yaml"));
                (copy != text && !target.exists()).then(|| {
                    fs::write(&target, copy).expect("write");
                    format!(
                        "added resource edited{round}Copy, a copy of {}",
                        name(resource)
                    )
                })
            }
        };
        if let Some(done) = done {
            return done;
        }
    }
    panic!("no edit found in 100 draws");
}

fn generate(spec: &Path, formatted: Option<&mut Formatted>) -> Outputs {
    let loaded = restgen::load::load_dir(spec).unwrap_or_else(|p| panic!("it loads:\n{p}"));
    restgen::generate_all(&loaded, &options(), "../spec", formatted)
        .unwrap_or_else(|p| panic!("it generates:\n{p}"))
}

/// A copy of the workspace's spec in a temporary folder (`spec/`), generated once with a cache
/// beside it (`cache/`) that keeps every file's text: the folder and the cache.
fn cold_start() -> (tempfile::TempDir, Cache) {
    let work = tempfile::tempdir().expect("folder");
    let spec = work.path().join("spec");
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"),
        &spec,
    );
    let cache = Cache::new(work.path().join("cache"));
    let mut formatted = cache.formatted();
    let first = generate(&spec, Some(&mut formatted));
    cache.save_formatted(&formatted).expect("keep the cache");
    assert_eq!(
        formatted.counts(),
        (first.api.len() + first.tests.len(), 0),
        "a cold run formats every file and reuses none"
    );
    (work, cache)
}

#[test]
fn an_incremental_run_after_random_edits_equals_a_cold_run() {
    let seed = std::env::var("INCREMENTAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    eprintln!("INCREMENTAL_SEED={seed}");
    let mut rng = Rng(seed.max(1));
    let (work, cache) = cold_start();
    let spec = work.path().join("spec");
    for round in 0..4 {
        let what = edit(&mut rng, &spec, round);
        eprintln!("edit {round}: {what}");
        let mut formatted = cache.formatted();
        let incremental = generate(&spec, Some(&mut formatted));
        cache.save_formatted(&formatted).expect("keep the cache");
        let cold = generate(&spec, None);
        assert!(
            incremental == cold,
            "after the edit ({what}), the incremental run differs from a cold one"
        );
        let (kept, reused) = formatted.counts();
        assert_eq!(kept, cold.api.len() + cold.tests.len());
        assert!(
            reused < kept,
            "the edit ({what}) changed some file, formatted again"
        );
        assert!(
            reused * 10 > kept * 9,
            "most files were reused: {reused} of {kept}"
        );
        // Only the files whose inputs the edit changed were emitted again.
        let unemitted = formatted.unemitted();
        eprintln!(
            "  {unemitted} of {} files taken without emitting",
            cold.api.len()
        );
        assert!(
            unemitted * 10 > cold.api.len() * 8,
            "after the edit ({what}), only {unemitted} of {} files were taken without emitting",
            cold.api.len()
        );
    }
}

/// The case the digests of a file's inputs exist for: a type that many files name (one schema
/// holds it, others refer to it) is renamed, and every file that names it is emitted again.
#[test]
fn renaming_a_shared_type_emits_again_every_file_that_names_it() {
    let (work, cache) = cold_start();
    let spec = work.path().join("spec");

    let file = spec.join("schemas/advancedDeviceQuery.yaml");
    let text = fs::read_to_string(&file).expect("read");
    let renamed = text.replacen(
        "\ntitle: Advanced Device Query\n",
        "\ntitle: Advanced Device Filter\n",
        1,
    );
    assert_ne!(
        renamed, text,
        "the schema's title is where this test expects it"
    );
    fs::write(&file, renamed).expect("write");

    let mut formatted = cache.formatted();
    let incremental = generate(&spec, Some(&mut formatted));
    let cold = generate(&spec, None);
    assert!(
        incremental == cold,
        "after the rename, the incremental run differs from a cold one"
    );
    let naming = cold
        .api
        .iter()
        .filter(|f| f.contents.contains("AdvancedDeviceFilter"))
        .count();
    let emitted = cold.api.len() - formatted.unemitted();
    assert!(naming > 10, "{naming} files name the type");
    assert!(
        emitted >= naming,
        "{emitted} files emitted, but {naming} name the renamed type"
    );
}
