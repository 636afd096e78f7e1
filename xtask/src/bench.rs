//! `cargo xtask bench`: the whole-process benchmarks, each a real command timed from outside:
//!
//! 1. **generation**: the release `restgen` CLI on `spec/`, writing into an empty folder (as on
//!    a fresh checkout) and into an up-to-date one (the usual `cargo xtask codegen`);
//! 2. **regeneration**: `cargo xtask codegen` as a user runs it, in a copy of the checkout under
//!    `target/bench/`: this very binary (built in the profile `cargo xtask` uses) run directly,
//!    so cargo's own start-up is left out and measured apart, with nothing to do, after one
//!    resource edit, after one schema edit, and into an empty folder with no cache; with
//!    `--baseline REV`, the same in release builds taking turns with the no-op run of revision
//!    `REV` (built from a `git archive` under `target/bench/`), as ratios to it;
//! 3. **scaling**: synthetic specs of 10x and 100x the full API (copies of every resource and
//!    schema with renamed ids and paths, made under `target/bench/`, never committed), run in
//!    memory (load, check, lower, emit, format: everything but writing), with wall time and
//!    peak memory per size;
//! 4. **compile cost** of the generated crate alone (its dependencies built first, untimed):
//!    `cargo check` and `cargo build` with all features and with the `orgs` and `devices`
//!    features only;
//! 5. **against a peer**: progenitor's `cargo-progenitor` (installed from crates.io into
//!    `target/bench/tools`) on the exported OpenAPI document, in the same run: generation time,
//!    lines generated and `cargo check` time of the produced crate, as ratios to ours.
//!
//! Every figure is the median of `--runs N` runs (default 3; the 100x spec and the progenitor
//! check run once each unless `--runs` says more). The report is printed and written to
//! `target/bench/report.md`. Options: `--runs N`, `--baseline REV`, `--skip-compile`,
//! `--skip-peer`, `--skip-scaling`.
//!
//! Stage-by-stage figures of the pipeline come from `cargo bench -p restgen --bench pipeline`
//! (in-process, divan), and the request overhead from
//! `cargo bench -p losant --no-default-features --features orgs --bench request`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// What `cargo xtask bench` was asked to do.
struct Settings {
    runs: usize,
    /// A revision to time regeneration against, back to back (`--baseline REV`).
    baseline: Option<String>,
    compile: bool,
    peer: bool,
    scaling: bool,
}

/// Runs the benchmarks; `args` are what follows `bench` on the command line.
pub fn main(args: &[&str], root: &Path) -> ExitCode {
    let mut settings = Settings {
        runs: 3,
        baseline: None,
        compile: true,
        peer: true,
        scaling: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => settings.runs = n,
                _ => return usage("`--runs` takes a positive number"),
            },
            "--baseline" => match args.next() {
                Some(rev) => settings.baseline = Some((*rev).to_owned()),
                None => return usage("`--baseline` takes a git revision"),
            },
            "--skip-compile" => settings.compile = false,
            "--skip-peer" => settings.peer = false,
            "--skip-scaling" => settings.scaling = false,
            other => return usage(&format!("unknown option `{other}`")),
        }
    }
    match run(&settings, root) {
        Ok(report) => {
            println!("{report}");
            let path = root.join("target/bench/report.md");
            match fs::write(&path, &report) {
                Ok(()) => {
                    eprintln!("report written to {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("error: cannot write {}: {err}", path.display());
                    ExitCode::FAILURE
                }
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "error: {problem}\nusage: cargo xtask bench [--runs N] [--baseline REV] [--skip-compile] [--skip-peer] [--skip-scaling]"
    );
    ExitCode::from(2)
}

type Result<T> = std::result::Result<T, String>;

fn run(settings: &Settings, root: &Path) -> Result<String> {
    let work = root.join("target/bench");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let mut report = String::from("# `cargo xtask bench` report\n\n");
    let _ = writeln!(report, "Machine: {}\n", machine());
    let _ = writeln!(
        report,
        "Medians of {} runs unless said otherwise.\n",
        settings.runs
    );

    eprintln!("== building the release generator");
    cargo(
        root,
        &["build", "--release", "--quiet", "-p", "restgen"],
        &[],
    )?;
    let restgen = root.join("target/release/restgen");
    let spec = root.join("spec");

    eprintln!("== generation");
    let out = work.join("out");
    let mut fresh = Vec::new();
    let mut current = Vec::new();
    let mut peak = Vec::new();
    for _ in 0..settings.runs {
        remove_dir(&out)?;
        let stats = restgen_run(&restgen, &spec, Some(&out))?;
        fresh.push(stats.elapsed);
        peak.push(stats.peak_kib);
        current.push(restgen_run(&restgen, &spec, Some(&out))?.elapsed);
    }
    let (files, lines) = count_rust(&out)?;
    let ours_fresh = median(&fresh);
    report.push_str("## Generation (release `restgen` CLI, whole process, full spec)\n\n");
    report.push_str("| case | median | runs | peak memory |\n|---|---|---|---|\n");
    let _ = writeln!(
        report,
        "| into an empty folder (fresh checkout) | {} | {} | {} |",
        secs(ours_fresh),
        list(&fresh),
        mib(median_u64(&peak))
    );
    let _ = writeln!(
        report,
        "| into an up-to-date folder (nothing to write) | {} | {} | |",
        secs(median(&current)),
        list(&current)
    );
    let _ = writeln!(report, "\nOutput: {files} files, {lines} lines.\n");

    eprintln!("== regeneration");
    report.push_str(&regeneration(settings, root, &work)?);

    if settings.scaling {
        eprintln!("== scaling");
        report.push_str(&scaling(settings, &restgen, &spec, &work)?);
    }
    if settings.compile {
        eprintln!("== compile cost of the generated crate");
        report.push_str(&compile_cost(settings, root)?);
    }
    if settings.peer {
        eprintln!("== progenitor");
        report.push_str(&peer(settings, root, &work, ours_fresh, lines)?);
    }
    Ok(report)
}

/// `cargo xtask codegen` in a copy of the checkout: each case's wall time over `settings.runs`
/// runs, of this binary run directly (cargo's start-up measured apart, on the real checkout).
/// With a baseline, also [`against_baseline`].
fn regeneration(settings: &Settings, root: &Path, work: &Path) -> Result<String> {
    let xtask = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let checkout = work.join("regen-checkout");
    copy_checkout(root, &checkout)?;
    let mut cases: [(&str, Vec<Duration>); 6] = [
        ("into an empty folder, no cache", Vec::new()),
        ("nothing to do (`codegen`)", Vec::new()),
        ("nothing to do (`codegen --check`)", Vec::new()),
        (
            "after editing one resource (`resources/webhook.yaml`)",
            Vec::new(),
        ),
        (
            "after editing one schema (`schemas/webhook.yaml`)",
            Vec::new(),
        ),
        (
            "nothing to do, through `cargo xtask codegen` (cargo's start-up included)",
            Vec::new(),
        ),
    ];
    for run in 0..settings.runs {
        empty_outputs(&checkout)?;
        cases[0].1.push(codegen(&xtask, &checkout, &[])?);
        cases[1].1.push(codegen(&xtask, &checkout, &[])?);
        cases[2].1.push(codegen(&xtask, &checkout, &["--check"])?);
        edit(&checkout, "resources/webhook.yaml", "summary: ", run)?;
        cases[3].1.push(codegen(&xtask, &checkout, &[])?);
        edit(&checkout, "schemas/webhook.yaml", "description: ", run)?;
        cases[4].1.push(codegen(&xtask, &checkout, &[])?);
        // Through cargo, on the real checkout (current: nothing to do there either).
        let started = Instant::now();
        cargo(root, &["xtask", "codegen"], &[])?;
        cases[5].1.push(started.elapsed());
    }
    let mut out = String::from(
        "## Regeneration (`cargo xtask codegen` in a copy of the checkout, the binary run directly)\n\n\
         | case | median | runs |\n|---|---|---|\n",
    );
    for (case, times) in &cases {
        let _ = writeln!(
            out,
            "| {case} | {} | {} |",
            secs(median(times)),
            list(times)
        );
    }
    out.push('\n');
    if let Some(baseline) = &settings.baseline {
        out.push_str(&against_baseline(settings, root, work, baseline)?);
    }
    Ok(out)
}

/// The targets of the generator-loop issue, as ratios to the no-op run of its day (1.57 s):
/// nothing to do in 0.3 s, one edit in 0.6 s, an empty folder in 2 s.
const REGENERATION_TARGETS: [(&str, f64); 3] = [
    ("nothing to do", 0.3 / 1.57),
    ("one edit", 0.6 / 1.57),
    ("an empty folder", 2.0 / 1.57),
];

/// Regeneration back to back with a baseline revision, both built in release as the issue that
/// set the targets measured them: the baseline's `cargo xtask codegen` with nothing to do (the
/// figure the targets were set against), taking turns with this tree's cases, each in a
/// checkout of its own. A target in seconds was set on another machine; its ratio to the
/// baseline's figure is what carries over.
fn against_baseline(settings: &Settings, root: &Path, work: &Path, rev: &str) -> Result<String> {
    eprintln!("== building the release xtask of this tree and of `{rev}`");
    cargo(root, &["build", "--release", "--quiet", "-p", "xtask"], &[])?;
    let ours = root.join("target/release/xtask");
    let tree = work.join("regen-baseline");
    let commit = crate::downstream::archive(root, rev, &tree)?;
    let target = work.join("regen-baseline-target");
    let target_dir = target.to_string_lossy().into_owned();
    cargo(
        &tree,
        &["build", "--release", "--quiet", "-p", "xtask"],
        &[("CARGO_TARGET_DIR", &target_dir)],
    )?;
    let theirs = target.join("release/xtask");
    // Its own checkout: a baseline that finds its checkout at build time works on `tree`
    // whatever the folder it is run in.
    codegen(&theirs, &tree, &[])?;
    let checkout = work.join("regen-checkout-release");
    copy_checkout(root, &checkout)?;
    codegen(&ours, &checkout, &[])?;
    let mut baseline = Vec::new();
    let mut cases: [(&str, &str, Vec<Duration>); 4] = [
        ("nothing to do", "nothing to do", Vec::new()),
        ("after editing one resource", "one edit", Vec::new()),
        ("after editing one schema", "one edit", Vec::new()),
        (
            "into an empty folder, no cache",
            "an empty folder",
            Vec::new(),
        ),
    ];
    for run in 0..settings.runs {
        baseline.push(codegen(&theirs, &tree, &[])?);
        cases[0].2.push(codegen(&ours, &checkout, &[])?);
        edit(&checkout, "resources/webhook.yaml", "summary: ", run)?;
        cases[1].2.push(codegen(&ours, &checkout, &[])?);
        edit(&checkout, "schemas/webhook.yaml", "description: ", run)?;
        cases[2].2.push(codegen(&ours, &checkout, &[])?);
        empty_outputs(&checkout)?;
        cases[3].2.push(codegen(&ours, &checkout, &[])?);
    }
    let base = median(&baseline).as_secs_f64();
    let mut out = format!(
        "## Regeneration against `{rev}` ({commit}), release builds, back to back\n\n\
         | case | median | runs | ratio to the baseline's no-op | target ratio | met |\n\
         |---|---|---|---|---|---|\n\
         | baseline `{commit}`: nothing to do | {} | {} | 1.00x | | |\n",
        secs(median(&baseline)),
        list(&baseline)
    );
    for (case, target, times) in &cases {
        let ratio = median(times).as_secs_f64() / base;
        let allowed = REGENERATION_TARGETS
            .iter()
            .find(|(name, _)| name == target)
            .map_or(f64::NAN, |(_, ratio)| *ratio);
        let _ = writeln!(
            out,
            "| {case} | {} | {} | {ratio:.2}x | {allowed:.2}x | {} |",
            secs(median(times)),
            list(times),
            if ratio <= allowed { "yes" } else { "no" }
        );
    }
    out.push('\n');
    Ok(out)
}

/// Makes `checkout` a copy of what `cargo xtask codegen` reads in `root` (the spec and the
/// generated crate's manifest), with no outputs yet.
fn copy_checkout(root: &Path, checkout: &Path) -> Result<()> {
    remove_dir(checkout)?;
    for dir in ["generated/src", "generated/tests"] {
        fs::create_dir_all(checkout.join(dir))
            .map_err(|e| format!("cannot create {dir} in {}: {e}", checkout.display()))?;
    }
    fs::write(checkout.join("Cargo.toml"), "[workspace]\nmembers = []\n")
        .map_err(|e| format!("cannot write the copy's Cargo.toml: {e}"))?;
    copy(
        &root.join("generated/Cargo.toml"),
        &checkout.join("generated/Cargo.toml"),
    )?;
    copy_tree(&root.join("spec"), &checkout.join("spec"))
}

/// Removes the outputs of `codegen` and its cache from `checkout`.
fn empty_outputs(checkout: &Path) -> Result<()> {
    for dir in [
        "generated/src/api",
        "generated/openapi",
        "generated/tests",
        "target",
    ] {
        remove_dir(&checkout.join(dir))?;
    }
    fs::create_dir_all(checkout.join("generated/tests")).map_err(|e| {
        format!(
            "cannot create generated/tests in {}: {e}",
            checkout.display()
        )
    })
}

/// The wall time of `xtask codegen ARGS` run in `checkout`.
fn codegen(xtask: &Path, checkout: &Path, args: &[&str]) -> Result<Duration> {
    let started = Instant::now();
    let output = Command::new(xtask)
        .arg("codegen")
        .args(args)
        .current_dir(checkout)
        .env_remove("CARGO_MANIFEST_DIR")
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", xtask.display()))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "codegen {args:?} failed in {}:\n{}",
            checkout.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(elapsed)
}

/// An edit that changes the generated code of one file (the first `key` of `file` in the
/// spec of `checkout`), different on every run.
fn edit(checkout: &Path, file: &str, key: &str, run: usize) -> Result<()> {
    let path = checkout.join("spec").join(file);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {file}: {e}"))?;
    let edited = text.replacen(key, &format!("{key}Edited ({run}). "), 1);
    if edited == text {
        return Err(format!("{file} has no `{key}` to edit"));
    }
    fs::write(&path, edited).map_err(|e| format!("cannot write {file}: {e}"))
}

/// Copies the folder `from` to `to`, recursively.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for path in read_dir(from)? {
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// What one `restgen --stats` run reported.
struct Stats {
    elapsed: Duration,
    peak_kib: u64,
}

fn restgen_run(restgen: &Path, spec: &Path, out: Option<&Path>) -> Result<Stats> {
    let mut command = Command::new(restgen);
    command.arg(spec);
    if let Some(out) = out {
        command.arg(out);
    }
    command.args([
        "--crate-name",
        "losant",
        "--resource-features",
        "--json-schema-feature",
        "schemars",
        "--stats",
    ]);
    let started = Instant::now();
    let output = command
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", restgen.display()))?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("restgen failed on {}:\n{stderr}", spec.display()));
    }
    let peak_kib = stderr
        .split_whitespace()
        .find_map(|word| word.strip_prefix("peak_rss_kib="))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0);
    Ok(Stats { elapsed, peak_kib })
}

fn scaling(settings: &Settings, restgen: &Path, spec: &Path, work: &Path) -> Result<String> {
    let mut out = String::from(
        "## Scaling (in memory: load, check, lower, emit, format; synthetic copies of the full spec)\n\n\
         | size | resources | median time | time per 1x | peak memory | memory per 1x |\n|---|---|---|---|---|---|\n",
    );
    let mut base: Option<(f64, f64)> = None;
    for factor in [1usize, 10, 100] {
        let dir = if factor == 1 {
            spec.to_path_buf()
        } else {
            let dir = work.join(format!("spec-x{factor}"));
            synthetic_spec(spec, &dir, factor)?;
            dir
        };
        let runs = if factor == 100 { 1 } else { settings.runs };
        let mut times = Vec::new();
        let mut peaks = Vec::new();
        for _ in 0..runs {
            let stats = restgen_run(restgen, &dir, None)?;
            times.push(stats.elapsed);
            peaks.push(stats.peak_kib);
        }
        let time = median(&times).as_secs_f64();
        let peak = median_u64(&peaks) as f64;
        let (base_time, base_peak) = *base.get_or_insert((time, peak));
        let resources = fs::read_dir(dir.join("resources"))
            .map(|d| d.count())
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "| {factor}x | {resources} | {time:.2} s ({} run{}) | {:.2}x | {:.0} MiB | {:.2}x |",
            runs,
            if runs == 1 { "" } else { "s" },
            time / base_time / factor as f64,
            peak / 1024.0,
            peak / base_peak / factor as f64,
        );
        if factor != 1 {
            let _ = fs::remove_dir_all(&dir);
        }
    }
    out.push_str(
        "\n\"per 1x\" is the figure divided by the size factor, relative to 1x: 1.00x is exactly \
         linear, below 1 is better than linear.\n\n",
    );
    Ok(out)
}

/// Writes into `dir` a spec of `factor` copies of `spec`: copy `k` has every schema file and
/// resource renamed with a `_k` suffix (references follow) and every resource path prefixed
/// with `/copyk`, so that the copies are distinct but generate the same amount of code.
fn synthetic_spec(spec: &Path, dir: &Path, factor: usize) -> Result<()> {
    remove_dir(dir)?;
    for sub in ["resources", "schemas"] {
        fs::create_dir_all(dir.join(sub)).map_err(|e| format!("cannot create {sub}: {e}"))?;
    }
    copy(&spec.join("api.yaml"), &dir.join("api.yaml"))?;
    let schema_ref =
        regex::Regex::new(r"(\$ref: *)([A-Za-z0-9_.-]+)\.yaml").map_err(|e| e.to_string())?;
    let schema_id = regex::Regex::new(r"(?m)^(\s*schema: *)([A-Za-z0-9_.-]+)\s*$")
        .map_err(|e| e.to_string())?;
    let path = regex::Regex::new(r"(?m)^path: */").map_err(|e| e.to_string())?;
    for k in 0..factor {
        let suffix = if k == 0 {
            String::new()
        } else {
            format!("_{k}")
        };
        for sub in ["resources", "schemas"] {
            for entry in read_dir(&spec.join(sub))? {
                let Some(stem) = entry.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                let text = fs::read_to_string(&entry)
                    .map_err(|e| format!("cannot read {}: {e}", entry.display()))?;
                let text = if k == 0 {
                    text
                } else {
                    let text = schema_ref.replace_all(&text, format!("${{1}}${{2}}{suffix}.yaml"));
                    let text = schema_id.replace_all(&text, format!("${{1}}${{2}}{suffix}"));
                    path.replace_all(&text, format!("path: /copy{k}/"))
                        .into_owned()
                };
                let target = dir.join(sub).join(format!("{stem}{suffix}.yaml"));
                fs::write(&target, text)
                    .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            }
        }
    }
    Ok(())
}

fn compile_cost(settings: &Settings, root: &Path) -> Result<String> {
    let mut out = String::from(
        "## Compile cost of the generated crate alone (`-p losant --lib`, dependencies already built, CARGO_INCREMENTAL=0)\n\n\
         | command | features | median | runs |\n|---|---|---|---|\n",
    );
    let feature_sets: [(&str, &[&str]); 3] = [
        ("all (default)", &[]),
        ("orgs", &["--no-default-features", "--features", "orgs"]),
        (
            "devices",
            &["--no-default-features", "--features", "devices"],
        ),
    ];
    let lib = root.join("generated/src/lib.rs");
    for command in ["check", "build"] {
        for (label, flags) in feature_sets {
            let mut args = vec![command, "--quiet", "-p", "losant", "--lib"];
            args.extend_from_slice(flags);
            // Dependencies (and a first build of the crate) outside the timing.
            cargo(root, &args, &[("CARGO_INCREMENTAL", "0")])?;
            let mut times = Vec::new();
            for _ in 0..settings.runs {
                touch(&lib)?;
                let started = Instant::now();
                cargo(root, &args, &[("CARGO_INCREMENTAL", "0")])?;
                times.push(started.elapsed());
            }
            let _ = writeln!(
                out,
                "| `cargo {command} -p losant --lib {}` | {label} | {} | {} |",
                flags.join(" "),
                secs(median(&times)),
                list(&times)
            );
        }
    }
    out.push('\n');
    Ok(out)
}

fn peer(
    settings: &Settings,
    root: &Path,
    work: &Path,
    ours_fresh: Duration,
    our_lines: usize,
) -> Result<String> {
    let mut out = String::from("## Against progenitor (same OpenAPI document, same run)\n\n");
    let tools = work.join("tools");
    let progenitor = tools.join("bin/cargo-progenitor");
    if !progenitor.exists() {
        eprintln!("   installing cargo-progenitor from crates.io (once)");
        let tools_dir = tools.display().to_string();
        cargo(
            root,
            &[
                "install",
                "--quiet",
                "--locked",
                "cargo-progenitor",
                "--root",
                &tools_dir,
            ],
            &[],
        )?;
    }
    // `cargo install --list` names the installed version: "cargo-progenitor v0.15.1:".
    let version = crate::cargo_command()
        .args(["install", "--list", "--root"])
        .arg(&tools)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("cargo-progenitor "))
        .map(|v| v.trim_end_matches(':').to_owned())
        .unwrap_or_default();
    // progenitor stops on the full document; it is given the document with what it cannot
    // handle taken out or simplified (see `peer_document`), and the report says what.
    let full = root.join("generated/openapi/openapi.json");
    let text =
        fs::read_to_string(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
    let mut doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", full.display()))?;
    let adapted = peer_document(&mut doc);
    let document = work.join("openapi-for-progenitor.json");
    fs::write(&document, doc.to_string())
        .map_err(|e| format!("cannot write {}: {e}", document.display()))?;
    let _ = writeln!(
        out,
        "progenitor cannot generate from the full document (it panics on enum values that differ \
         only in case, `[asc, desc, ASC, DESC]`, and rejects multipart bodies, JSON-encoded query \
         parameters and operations with several success or error types). It is given the \
         document adapted as follows; our figures are for the full spec.\n\n{adapted}\n"
    );
    let target = work.join("progenitor");
    let mut times = Vec::new();
    let mut failure = None;
    for _ in 0..settings.runs {
        remove_dir(&target)?;
        let started = Instant::now();
        let output = Command::new(&progenitor)
            .arg("progenitor")
            .arg("-i")
            .arg(&document)
            .arg("-o")
            .arg(&target)
            .args(["-n", "losant-progenitor", "-v", "0.1.0"])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", progenitor.display()))?;
        times.push(started.elapsed());
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            failure = Some(format!("{stdout}{stderr}"));
            break;
        }
    }
    let _ = writeln!(out, "Peer: `cargo-progenitor` {version}, from crates.io.\n");
    if let Some(failure) = failure {
        let excerpt: String = failure.lines().take(30).collect::<Vec<_>>().join("\n");
        let _ = writeln!(
            out,
            "progenitor did not generate a client from the document (after {}):\n\n```text\n{excerpt}\n```\n",
            secs(times[0])
        );
        return Ok(out);
    }
    let theirs = median(&times);
    let (_, their_lines) = count_rust(&target)?;
    // The generated crate sits inside our workspace's folder; an empty `[workspace]` table
    // makes it a workspace of its own, as it would be anywhere else.
    let manifest = target.join("Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    fs::write(&manifest, format!("{text}\n[workspace]\n"))
        .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    let _ = writeln!(
        out,
        "| figure | ours | progenitor | ours / progenitor |\n|---|---|---|---|"
    );
    let _ = writeln!(
        out,
        "| generation (whole process) | {} | {} | {:.2} |",
        secs(ours_fresh),
        secs(theirs),
        ours_fresh.as_secs_f64() / theirs.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "| lines generated | {our_lines} | {their_lines} | {:.2} |",
        our_lines as f64 / their_lines.max(1) as f64
    );
    // `cargo check` of each crate alone, dependencies built first.
    let their_manifest = target.join("Cargo.toml").display().to_string();
    let their_lib = target.join("src/lib.rs");
    let their_args = [
        "check",
        "--quiet",
        "--lib",
        "--manifest-path",
        &their_manifest,
    ];
    let their_env = [
        ("CARGO_INCREMENTAL", "0"),
        ("CARGO_TARGET_DIR", "target/bench/progenitor-target"),
    ];
    let checked = cargo(root, &their_args, &their_env);
    if let Err(err) = checked {
        let _ = writeln!(
            out,
            "\nThe crate progenitor produced does not compile:\n\n```text\n{err}\n```\n"
        );
        return Ok(out);
    }
    let ours_args = ["check", "--quiet", "-p", "losant", "--lib"];
    cargo(root, &ours_args, &[("CARGO_INCREMENTAL", "0")])?;
    let (mut ours_check, mut their_check) = (Vec::new(), Vec::new());
    for _ in 0..settings.runs {
        touch(&their_lib)?;
        let started = Instant::now();
        cargo(root, &their_args, &their_env)?;
        their_check.push(started.elapsed());
        touch(&root.join("generated/src/lib.rs"))?;
        let started = Instant::now();
        cargo(root, &ours_args, &[("CARGO_INCREMENTAL", "0")])?;
        ours_check.push(started.elapsed());
    }
    let (ours, theirs) = (median(&ours_check), median(&their_check));
    let _ = writeln!(
        out,
        "| `cargo check` of the crate alone | {} | {} | {:.2} |\n",
        secs(ours),
        secs(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    Ok(out)
}

/// Adapts an OpenAPI document to what progenitor accepts, in place; returns what was done,
/// as a Markdown list. Operations lose nothing else: everything else stays as exported.
fn peer_document(doc: &mut serde_json::Value) -> String {
    use serde_json::Value;
    let mut enums = 0;
    let mut removed = Vec::new();
    let mut params = 0;
    let mut successes = 0;
    let mut errors = 0;
    // Case-insensitively duplicate enum values (`ASC` beside `asc`): keep the first.
    fn dedup_enums(value: &mut Value, count: &mut usize) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(values)) = map.get_mut("enum") {
                    let mut seen = std::collections::HashSet::new();
                    let before = values.len();
                    values.retain(|v| match v.as_str() {
                        Some(s) => seen.insert(s.to_lowercase()),
                        None => true,
                    });
                    *count += before - values.len();
                }
                map.values_mut().for_each(|v| dedup_enums(v, count));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| dedup_enums(v, count)),
            _ => {}
        }
    }
    dedup_enums(doc, &mut enums);
    let simplify = |p: &mut Value, params: &mut usize| {
        if let Some(p) = p.as_object_mut() {
            let encoded = p.remove("content").is_some();
            let deep = p.get("style").and_then(Value::as_str) == Some("deepObject");
            if encoded || deep {
                p.remove("style");
                p.remove("explode");
                p.insert("schema".into(), serde_json::json!({"type": "string"}));
                *params += 1;
            }
        }
    };
    if let Some(Value::Object(shared)) = doc.pointer_mut("/components/parameters") {
        shared.values_mut().for_each(|p| simplify(p, &mut params));
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            item.retain(|_, op| {
                let text = op.to_string();
                let drop = op.get("operationId").is_some()
                    && (op
                        .pointer("/requestBody/content/multipart~1form-data")
                        .is_some()
                        || text.contains("text/event-stream"));
                if drop {
                    removed.push(op["operationId"].as_str().unwrap_or("?").to_owned());
                }
                !drop
            });
            for op in item.values_mut() {
                if let Some(Value::Array(list)) = op.get_mut("parameters") {
                    list.iter_mut().for_each(|p| simplify(p, &mut params));
                }
                let Some(Value::Object(responses)) = op.get_mut("responses") else {
                    continue;
                };
                let mut first_success = None;
                let mut first_error = None;
                let statuses: Vec<String> = responses.keys().cloned().collect();
                for status in statuses {
                    if status.starts_with('2') {
                        if first_success.is_none() {
                            first_success = Some(status);
                        } else {
                            responses.remove(&status);
                            successes += 1;
                        }
                    } else {
                        let content = responses[&status].get("content").cloned();
                        match &first_error {
                            None => first_error = Some(content),
                            Some(first) if *first != content => {
                                if let (Some(response), Some(first)) =
                                    (responses[&status].as_object_mut(), first.clone())
                                {
                                    response.insert("content".into(), first);
                                    errors += 1;
                                }
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    [
        format!("- {enums} enum values that repeat another in a different case removed;"),
        format!(
            "- {} operations with multipart bodies or event streams removed ({});",
            removed.len(),
            removed.join(", ")
        ),
        format!("- {params} JSON-encoded or bracket-form query parameters made plain strings;"),
        format!("- {successes} extra success responses removed (the first 2xx kept);"),
        format!("- {errors} error responses given the operation's first error schema."),
    ]
    .join("\n")
}

fn cargo(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let mut command = crate::cargo_command();
    command.current_dir(root).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(format!(
            "`cargo {}` failed:\n{}",
            args.join(" "),
            tail.join("\n")
        ))
    }
}

/// The number of `.rs` files under `dir` and their total number of lines.
fn count_rust(dir: &Path) -> Result<(usize, usize)> {
    let mut files = 0;
    let mut lines = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for path in read_dir(&dir)? {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                lines += fs::read_to_string(&path)
                    .map(|t| t.lines().count())
                    .unwrap_or(0);
            }
        }
    }
    Ok((files, lines))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    Ok(paths)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

/// Marks `file` changed so that cargo rebuilds its crate (its contents are rewritten as they
/// are, which moves its modification time).
fn touch(file: &Path) -> Result<()> {
    let text = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    fs::write(file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

pub(crate) fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn median_u64(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

pub(crate) fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

pub(crate) fn list(times: &[Duration]) -> String {
    times
        .iter()
        .map(|t| format!("{:.2}", t.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The CPU model and core count, as Linux reports them.
pub(crate) fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|l| l.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map(|kib| format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown memory".into());
    format!("{model}, {cores} cores, {memory}")
}
