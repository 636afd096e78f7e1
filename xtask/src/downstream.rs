//! `cargo xtask bench-downstream`: what a user's first `cargo build` costs. A small program that
//! lists an application's devices and queries their data (`devices` and `data` only) is built
//! from nothing (a fresh target folder, every dependency compiled, sources already
//! downloaded) against the generated crate of this tree and of a baseline revision (`main`
//! unless `--baseline REV` says otherwise), in the same session, the variants taking turns run
//! after run so that a change in the machine's load falls on all of them alike.
//!
//! Variants (all by default; `--only a,b` picks some):
//!
//! | name | crate | features | profile |
//! |---|---|---|---|
//! | `baseline-dd` | baseline | `devices`, `data` (and `rustls` if the baseline declares it) | default |
//! | `dd` | this tree | `devices`, `data`, `rustls` | default |
//! | `dd-debug0` | this tree | `devices`, `data`, `rustls` | `[profile.dev.package.losant] debug = 0` |
//! | `baseline-full` | baseline | default (every resource) | default |
//! | `full` | this tree | default (every resource, `rustls`) | default |
//! | `full-debug0` | this tree | default | `[profile.dev.package.losant] debug = 0` |
//!
//! The baseline is a `git archive` of the revision under `target/bench/downstream/`; nothing
//! else of the repository is touched. Each downstream crate starts from the lockfile of the
//! tree it builds against, so both use the same versions of shared dependencies. Reported per
//! variant: the median wall time and the median CPU time (user + system of every process the
//! build ran, from `/proc/self/stat`; less sensitive than wall time to other work on a shared
//! machine), the number of crates compiled, and whether `aws-lc-sys` was among them. The
//! report is printed and written to `target/bench/downstream.md`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use crate::bench::{list, machine, median, secs};

type Result<T> = std::result::Result<T, String>;

/// The program every variant builds: `devices` and `data` only.
const PROGRAM: &str = r##"//! Lists an application's devices and the last ten minutes of their `voltage`.
use losant::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    let application = std::env::var("LOSANT_APPLICATION_ID").unwrap_or_default();
    let devices = client.devices().get(application.as_str()).per_page(100).await?;
    for device in devices.items.unwrap_or_default() {
        println!("{:?} {:?}", device.id, device.name);
    }
    let query: losant::models::TimeSeriesQuery =
        serde_json::from_str(r#"{"attributes":["voltage"],"duration":600000}"#)
            .expect("a valid query");
    let data = client.data().time_series_query(application, query).await?;
    println!("{data:?}");
    Ok(())
}
"##;

/// The profile setting the README recommends, as the `*-debug0` variants add it.
const DEBUG0: &str = "\n[profile.dev.package.losant]\ndebug = 0\n";

struct Variant {
    name: &'static str,
    baseline: bool,
    /// `None`: the crate's default features.
    features: Option<&'static [&'static str]>,
    profile: &'static str,
}

const VARIANTS: &[Variant] = &[
    Variant {
        name: "baseline-dd",
        baseline: true,
        features: Some(&["devices", "data"]),
        profile: "",
    },
    Variant {
        name: "dd",
        baseline: false,
        features: Some(&["devices", "data"]),
        profile: "",
    },
    Variant {
        name: "dd-debug0",
        baseline: false,
        features: Some(&["devices", "data"]),
        profile: DEBUG0,
    },
    Variant {
        name: "baseline-full",
        baseline: true,
        features: None,
        profile: "",
    },
    Variant {
        name: "full",
        baseline: false,
        features: None,
        profile: "",
    },
    Variant {
        name: "full-debug0",
        baseline: false,
        features: None,
        profile: DEBUG0,
    },
];

/// One cold build's figures.
struct Build {
    wall: Duration,
    cpu: Duration,
    crates: usize,
    aws_lc: bool,
}

/// Runs the benchmark; `args` are what follows `bench-downstream` on the command line.
pub fn main(args: &[&str], root: &Path) -> ExitCode {
    let mut runs = 3;
    let mut baseline = "main".to_owned();
    let mut only: Option<Vec<String>> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--runs" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => runs = n,
                _ => return usage("`--runs` takes a positive number"),
            },
            "--baseline" => match args.next() {
                Some(rev) => baseline = (*rev).to_owned(),
                None => return usage("`--baseline` takes a git revision"),
            },
            "--only" => match args.next() {
                Some(names) => only = Some(names.split(',').map(str::to_owned).collect()),
                None => return usage("`--only` takes variant names, comma-separated"),
            },
            other => return usage(&format!("unknown option `{other}`")),
        }
    }
    let variants: Vec<&Variant> = VARIANTS
        .iter()
        .filter(|v| only.as_ref().is_none_or(|o| o.iter().any(|n| n == v.name)))
        .collect();
    if variants.is_empty() {
        let names: Vec<&str> = VARIANTS.iter().map(|v| v.name).collect();
        return usage(&format!("`--only` names none of {}", names.join(", ")));
    }
    match run(root, runs, &baseline, &variants) {
        Ok(report) => {
            println!("{report}");
            let path = root.join("target/bench/downstream.md");
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
        "error: {problem}\nusage: cargo xtask bench-downstream [--runs N] [--baseline REV] [--only VARIANT,...]"
    );
    ExitCode::from(2)
}

fn run(root: &Path, runs: usize, baseline: &str, variants: &[&Variant]) -> Result<String> {
    let work = root.join("target/bench/downstream");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let baseline_tree = work.join("baseline-src");
    let commit = if variants.iter().any(|v| v.baseline) {
        Some(archive(root, baseline, &baseline_tree)?)
    } else {
        None
    };

    // Each variant's crate, its sources downloaded outside the timing.
    let mut crates = Vec::new();
    for variant in variants {
        let tree = if variant.baseline {
            &baseline_tree
        } else {
            root
        };
        let dir = work.join(variant.name);
        write_crate(&dir, tree, variant)?;
        eprintln!("== {}: fetching its dependencies", variant.name);
        cargo(&dir, &["fetch", "--quiet"])?;
        crates.push(dir);
    }

    let mut results: Vec<Vec<Build>> = variants.iter().map(|_| Vec::new()).collect();
    for run in 1..=runs {
        for ((variant, dir), builds) in variants.iter().zip(&crates).zip(&mut results) {
            let target = dir.join("target");
            remove_dir(&target)?;
            let build = timed_build(dir, &target)?;
            eprintln!(
                "[{run}/{runs}] {}: {} wall, {} CPU, {} crates{}",
                variant.name,
                secs(build.wall),
                secs(build.cpu),
                build.crates,
                if build.aws_lc { ", aws-lc-sys" } else { "" }
            );
            builds.push(build);
            remove_dir(&target)?;
        }
    }

    let mut report = String::from("# `cargo xtask bench-downstream` report\n\n");
    let _ = writeln!(report, "Machine: {}\n", machine());
    let _ = writeln!(report, "Load average at the end: {}\n", load_average());
    if let Some(commit) = commit {
        let _ = writeln!(report, "Baseline: `{baseline}` ({commit})\n");
    }
    let _ = writeln!(
        report,
        "Cold `cargo build` (debug profile) of a program using `devices` and `data`; medians \
         of {runs} runs, the variants taking turns.\n"
    );
    report.push_str(
        "| variant | crate | features | profile | wall | CPU (user + sys) | crates compiled | aws-lc-sys | wall, each run | CPU, each run |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (variant, builds) in variants.iter().zip(&results) {
        let walls: Vec<Duration> = builds.iter().map(|b| b.wall).collect();
        let cpus: Vec<Duration> = builds.iter().map(|b| b.cpu).collect();
        let crates = builds.last().map_or(0, |b| b.crates);
        let aws_lc = builds.iter().any(|b| b.aws_lc);
        let _ = writeln!(
            report,
            "| `{}` | {} | {} | {} | {} | {} | {crates} | {} | {} | {} |",
            variant.name,
            if variant.baseline {
                "baseline"
            } else {
                "this tree"
            },
            features_of(
                variant,
                if variant.baseline {
                    &baseline_tree
                } else {
                    root
                }
            )
            .map_or("default".to_owned(), |f| f.join(", ")),
            if variant.profile.is_empty() {
                "default"
            } else {
                "losant `debug = 0`"
            },
            secs(median(&walls)),
            secs(median(&cpus)),
            if aws_lc { "built" } else { "no" },
            list(&walls),
            list(&cpus),
        );
    }
    Ok(report)
}

/// Extracts `rev` into `into` (replacing what is there); returns the commit's short hash.
pub(crate) fn archive(root: &Path, rev: &str, into: &Path) -> Result<String> {
    let commit = Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--short", &format!("{rev}^{{commit}}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !commit.status.success() {
        return Err(format!("`{rev}` is not a revision of this repository"));
    }
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    remove_dir(into)?;
    fs::create_dir_all(into).map_err(|e| format!("cannot create {}: {e}", into.display()))?;
    let tar = into.with_extension("tar");
    let status = Command::new("git")
        .current_dir(root)
        .args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .arg(&commit)
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !status.success() {
        return Err(format!("`git archive {commit}` failed"));
    }
    let status = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(into)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let _ = fs::remove_file(&tar);
    if !status.success() {
        return Err(format!("cannot extract the archive of {commit}"));
    }
    Ok(commit)
}

/// The features a variant asks of the crate in `tree`: its own, plus `rustls` when the crate
/// declares that feature (a baseline from before the TLS features had TLS always on).
fn features_of(variant: &Variant, tree: &Path) -> Option<Vec<String>> {
    let features = variant.features?;
    let mut features: Vec<String> = features.iter().map(|f| (*f).to_owned()).collect();
    let manifest = fs::read_to_string(tree.join("generated/Cargo.toml")).unwrap_or_default();
    if manifest.lines().any(|l| l.starts_with("rustls = [")) {
        features.push("rustls".into());
    }
    Some(features)
}

/// Writes the downstream crate of `variant` into `dir`, depending on `tree`'s generated crate.
fn write_crate(dir: &Path, tree: &Path, variant: &Variant) -> Result<()> {
    let generated = tree.join("generated");
    let path = generated.display().to_string().replace('\\', "/");
    let dependency = match features_of(variant, tree) {
        None => format!("losant = {{ path = \"{path}\" }}"),
        Some(features) => {
            let quoted: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
            format!(
                "losant = {{ path = \"{path}\", default-features = false, features = [{}] }}",
                quoted.join(", ")
            )
        }
    };
    let manifest = format!(
        "[package]\nname = \"losant-downstream\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # Its own workspace, not the repository's.\n[workspace]\n\n\
         [dependencies]\n{dependency}\nserde_json = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n{}",
        variant.profile
    );
    fs::create_dir_all(dir.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(&dir.join("Cargo.toml"), &manifest)?;
    write(&dir.join("src/main.rs"), PROGRAM)?;
    // Start from the tree's lockfile: the same versions of the dependencies both share.
    let lock = fs::read_to_string(tree.join("Cargo.lock"))
        .map_err(|e| format!("cannot read {}: {e}", tree.join("Cargo.lock").display()))?;
    write(&dir.join("Cargo.lock"), &lock)
}

/// One cold `cargo build --offline` of the crate in `dir` into `target`.
fn timed_build(dir: &Path, target: &Path) -> Result<Build> {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = crate::cargo_command()
        .current_dir(dir)
        .args(["build", "--offline"])
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "`cargo build` in {} failed:\n{}",
            dir.display(),
            tail.join("\n")
        ));
    }
    let compiling = || {
        stderr
            .lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
    };
    Ok(Build {
        wall,
        cpu,
        crates: compiling().count(),
        aws_lc: compiling().any(|l| l.contains("aws-lc-sys")),
    })
}

/// The user and system CPU time of this process's children that have been waited for (and
/// of theirs), from `/proc/self/stat` (clock ticks of 1/100 s, as Linux reports them).
fn children_cpu() -> Duration {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // cutime and cstime are fields 16 and 17 of the whole line: 14 and 15 after the name.
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cargo(dir: &Path, args: &[&str]) -> Result<()> {
    let mut command = crate::cargo_command();
    command.current_dir(dir).args(args);
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo {}` in {} failed:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}
