//! Incremental generation: what one run leaves in a cache folder (`target/restgen-cache/` in
//! this workspace) so that the next run does only what its changes need.
//!
//! - A [`Record`] of a run: a [`fingerprint`] of everything its output depends on (the
//!   [`generator_version`], the options, the path and content of every input file) and the
//!   hash of every file it wrote. While the fingerprint is the same and every recorded file
//!   still has its recorded hash (and no other generated file lies beside them), the outputs
//!   are current: the next run need not load the spec at all.
//! - [`Formatted`] text: each file a run formatted, keyed by what formatting depends on (the
//!   file's unformatted text and its header), and found as well by the digest of the file's
//!   inputs (see [`crate::emit::Pending::inputs`]). A run after an edit still loads, checks and
//!   lowers everything (which needs no knowledge of what the edit touched), but emits again
//!   only the files whose inputs changed, and formats again only the files whose code changed.
//!
//! Nothing in the cache is trusted: a record counts only when the files on disk still hash as
//! it says; a formatted text only when it still hashes as stored. Both are kept with the
//! generator's version and ignored whole when it differs, and a cache file that does not read
//! (missing, truncated, garbled) is ignored, whole or from its first bad entry on. A corrupt
//! or stale cache costs time, never correctness.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::GeneratedFile;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The SHA-256 of `bytes`.
pub fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// `hash` in lowercase hexadecimal.
pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The generator's version, as the cache is keyed: the crate's version and the identity of the
/// running program, which holds the generator's code and that of every crate it uses (so a
/// rebuilt generator is another version, though the crate's version stays). On Unix the
/// identity is the program file's device, inode, size, modification time and change time
/// (`ctime`, which the kernel sets at every change of the file and no tool can set back, unlike
/// the modification time); elsewhere, the hash of its content. A program that cannot be
/// identified gets a version of its own, so its runs never use the cache.
pub fn generator_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let identity = program_identity().unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            format!("unidentified {} {now}", std::process::id())
        });
        format!("restgen {} ({identity})", env!("CARGO_PKG_VERSION"))
    })
}

#[cfg(unix)]
fn program_identity() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let program = fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some(format!(
        "dev {} inode {} size {} mtime {}.{:09} ctime {}.{:09}",
        program.dev(),
        program.ino(),
        program.len(),
        program.mtime(),
        program.mtime_nsec(),
        program.ctime(),
        program.ctime_nsec()
    ))
}

#[cfg(not(unix))]
fn program_identity() -> Option<String> {
    let program = fs::read(std::env::current_exe().ok()?).ok()?;
    Some(format!("sha256 {}", hex(&hash(&program))))
}

/// A fingerprint of everything a generation's output depends on: the [`generator_version`],
/// `context` (the options, and anything else the caller's output depends on), and the path and
/// content of every file under `spec_dir` (all of them, not only those the loader reads: an
/// extra file can only make a run do its work again).
pub fn fingerprint(spec_dir: &Path, context: &[&str]) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut feed = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    feed(generator_version().as_bytes());
    feed(&(context.len() as u64).to_le_bytes());
    for part in context {
        feed(part.as_bytes());
    }
    let mut files = Vec::new();
    files_under(spec_dir, "", &mut files)?;
    files.sort();
    for file in files {
        feed(file.as_bytes());
        feed(&fs::read(spec_dir.join(&file))?);
    }
    Ok(hex(&hasher.finalize().into()))
}

/// Whether every file a load read (`sources`, relative to `spec_dir`, as
/// [`crate::spec::Spec::sources`] keeps them) still reads the same on disk. With a
/// [`fingerprint`] taken before the load and the same one taken after, this shows that the
/// fingerprint is of the inputs the run generated from, even if a file was edited meanwhile.
pub fn sources_on_disk(spec_dir: &Path, sources: &BTreeMap<PathBuf, String>) -> bool {
    sources.iter().all(|(file, text)| {
        fs::read(spec_dir.join(file)).is_ok_and(|bytes| bytes == text.as_bytes())
    })
}

/// The files under `dir`, relative to it, `/`-separated.
fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        if entry.path().is_dir() {
            files_under(&entry.path(), &format!("{rel}/"), out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// What one run generated from what: see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The [`fingerprint`] of the run's inputs.
    pub fingerprint: String,
    /// Each output folder (relative to the root the caller works in), with the SHA-256 of
    /// each file written there (relative to the folder, `/`-separated), in hexadecimal.
    pub folders: BTreeMap<String, BTreeMap<String, String>>,
    /// Anything else of the run's that a caller wants back while the record is current.
    pub data: serde_json::Value,
}

impl Record {
    /// A record of a run from inputs with this fingerprint, with no folder yet.
    pub fn new(fingerprint: impl Into<String>, data: serde_json::Value) -> Self {
        Record {
            fingerprint: fingerprint.into(),
            folders: BTreeMap::new(),
            data,
        }
    }

    /// Records that folder `dir` holds `files` (among its generated files).
    pub fn add_folder(&mut self, dir: &str, files: &[GeneratedFile]) {
        let hashes = files
            .iter()
            .map(|file| (file.path.clone(), hex(&hash(file.contents.as_bytes()))))
            .collect();
        self.folders.insert(dir.to_owned(), hashes);
    }

    /// Whether the outputs under `root` are still what this record says a run from inputs
    /// with `fingerprint` wrote: the fingerprint is this record's, every recorded file has its
    /// recorded hash, and no other generated file (see [`crate::write::is_generated`]) lies in
    /// a recorded folder.
    pub fn is_current(&self, root: &Path, fingerprint: &str) -> bool {
        self.fingerprint == fingerprint
            && self.folders.iter().all(|(dir, files)| {
                let folder = root.join(dir);
                let recorded_match = files.iter().all(|(path, recorded)| {
                    fs::read(folder.join(path)).is_ok_and(|bytes| hex(&hash(&bytes)) == *recorded)
                });
                recorded_match && !generated_beside(&folder, "", files).unwrap_or(true)
            })
    }
}

/// Whether a generated file other than `files` lies under `folder` (an unreadable folder counts
/// as one: it cannot be shown current).
fn generated_beside(
    folder: &Path,
    prefix: &str,
    files: &BTreeMap<String, String>,
) -> io::Result<bool> {
    if prefix.is_empty() && !folder.is_dir() {
        return Ok(!files.is_empty());
    }
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type()?.is_dir() {
            if generated_beside(&entry.path(), &format!("{rel}/"), files)? {
                return Ok(true);
            }
        } else if !files.contains_key(&rel) {
            let mut start = Vec::new();
            let marker = crate::format::MARKER.len() as u64;
            fs::File::open(entry.path())?
                .take(marker)
                .read_to_end(&mut start)?;
            if crate::write::is_generated(Path::new(&rel), &start) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The formatted text of files, keyed by what formatting depends on (see [`Formatted::key`]),
/// and also found by what emitting them depends on (see [`Formatted::inputs_key`]): those a
/// cache kept from the last run, and those of this run ([`Formatted::keep`]), which are what
/// [`Cache::save_formatted`] keeps for the next.
#[derive(Debug, Default)]
pub struct Formatted {
    /// From the last run, each text with its hash as stored: checked when used.
    stored: HashMap<Hash, (Hash, String)>,
    /// From the last run, the key of the text of each file by its inputs key.
    stored_inputs: HashMap<Hash, Hash>,
    /// This run's, each with its hash.
    kept: BTreeMap<Hash, (Hash, String)>,
    /// This run's inputs keys, each with the key of its text.
    kept_inputs: BTreeMap<Hash, Hash>,
    /// How many files this run took by their inputs key, without emitting them.
    unemitted: usize,
}

/// First line of a file of formatted texts; the second is the generator's version.
const FORMATTED_LAYOUT: &str = "restgen formatted texts, layout 2";

/// In the stored form, what starts an entry: a text, or an inputs key with its text's key.
const TEXT_ENTRY: u8 = b'T';
const INPUTS_ENTRY: u8 = b'I';

impl Formatted {
    /// The key of a file's formatted text: its header and its unformatted text.
    pub fn key(header: &str, source: &str) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update((header.len() as u64).to_le_bytes());
        hasher.update(header.as_bytes());
        hasher.update(source.as_bytes());
        hasher.finalize().into()
    }

    /// The key under which a file's text is found by what its code is made from: its header
    /// and the digest of its inputs.
    pub fn inputs_key(header: &str, inputs: &Hash) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update(b"inputs\xff");
        hasher.update((header.len() as u64).to_le_bytes());
        hasher.update(header.as_bytes());
        hasher.update(inputs);
        hasher.finalize().into()
    }

    /// The text stored under `key` by the last run, if it is there and still hashes as stored.
    pub fn get(&self, key: &Hash) -> Option<&str> {
        let (recorded, text) = self.stored.get(key)?;
        (hash(text.as_bytes()) == *recorded).then_some(text.as_str())
    }

    /// The key and the text that the last run stored for the file with this inputs key, if
    /// they are there and the text still hashes as stored.
    pub fn get_by_inputs(&self, inputs_key: &Hash) -> Option<(Hash, &str)> {
        let key = self.stored_inputs.get(inputs_key)?;
        Some((*key, self.get(key)?))
    }

    /// Keeps `text` under `key` for the next run.
    pub fn keep(&mut self, key: Hash, text: String) {
        self.kept.insert(key, (hash(text.as_bytes()), text));
    }

    /// Keeps, for the next run, that the file with this inputs key has the text kept under
    /// `key`.
    pub fn keep_inputs(&mut self, inputs_key: Hash, key: Hash) {
        self.kept_inputs.insert(inputs_key, key);
    }

    /// Notes that this run took `files` files by their inputs key, without emitting them.
    pub fn note_unemitted(&mut self, files: usize) {
        self.unemitted += files;
    }

    /// How many files this run took by their inputs key, without emitting them.
    pub fn unemitted(&self) -> usize {
        self.unemitted
    }

    /// How many texts this run keeps, and how many of them the last run had already stored.
    pub fn counts(&self) -> (usize, usize) {
        let reused = self
            .kept
            .iter()
            .filter(|(key, (recorded, _))| {
                self.stored
                    .get(*key)
                    .is_some_and(|(stored, _)| stored == recorded)
            })
            .count();
        (self.kept.len(), reused)
    }

    /// Whether what this run keeps differs from what the last one stored.
    fn changed(&self) -> bool {
        let (kept, reused) = self.counts();
        kept != reused
            || kept != self.stored.len()
            || self.kept_inputs != self.stored_inputs_sorted()
    }

    fn stored_inputs_sorted(&self) -> BTreeMap<Hash, Hash> {
        self.stored_inputs.iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// The stored form: [`FORMATTED_LAYOUT`], the generator's version, then entries: for each
    /// text, [`TEXT_ENTRY`], its key, its hash, its length (8 bytes, little-endian) and its
    /// bytes; for each inputs key, [`INPUTS_ENTRY`], the inputs key and the key of its text.
    fn encode(&self, generator: &str) -> Vec<u8> {
        let size: usize = self
            .kept
            .values()
            .map(|(_, text)| 73 + text.len())
            .sum::<usize>()
            + 65 * self.kept_inputs.len();
        let mut out = Vec::with_capacity(size + 200);
        out.extend_from_slice(format!("{FORMATTED_LAYOUT}\n{generator}\n").as_bytes());
        for (key, (recorded, text)) in &self.kept {
            out.push(TEXT_ENTRY);
            out.extend_from_slice(key);
            out.extend_from_slice(recorded);
            out.extend_from_slice(&(text.len() as u64).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        for (inputs_key, key) in &self.kept_inputs {
            out.push(INPUTS_ENTRY);
            out.extend_from_slice(inputs_key);
            out.extend_from_slice(key);
        }
        out
    }

    /// Reads [`Formatted::encode`]'s form: nothing when it is of another layout or generator,
    /// and the entries up to the first that does not read.
    fn decode(bytes: &[u8], generator: &str) -> Self {
        let mut formatted = Formatted::default();
        let head = format!("{FORMATTED_LAYOUT}\n{generator}\n");
        let Some(mut rest) = bytes.strip_prefix(head.as_bytes()) else {
            return formatted;
        };
        let hash_at = |bytes: &[u8]| Hash::try_from(bytes).ok();
        loop {
            match rest.split_first() {
                Some((&TEXT_ENTRY, tail)) if tail.len() >= 72 => {
                    let (key, tail) = tail.split_at(32);
                    let (recorded, tail) = tail.split_at(32);
                    let (length, tail) = tail.split_at(8);
                    let length = u64::from_le_bytes(length.try_into().unwrap_or_default());
                    let Some(length) = usize::try_from(length).ok().filter(|n| *n <= tail.len())
                    else {
                        break;
                    };
                    let (text, tail) = tail.split_at(length);
                    let Ok(text) = String::from_utf8(text.to_vec()) else {
                        break;
                    };
                    let (Some(key), Some(recorded)) = (hash_at(key), hash_at(recorded)) else {
                        break;
                    };
                    formatted.stored.insert(key, (recorded, text));
                    rest = tail;
                }
                Some((&INPUTS_ENTRY, tail)) if tail.len() >= 64 => {
                    let (inputs_key, tail) = tail.split_at(32);
                    let (key, tail) = tail.split_at(32);
                    let (Some(inputs_key), Some(key)) = (hash_at(inputs_key), hash_at(key)) else {
                        break;
                    };
                    formatted.stored_inputs.insert(inputs_key, key);
                    rest = tail;
                }
                _ => break,
            }
        }
        formatted
    }
}

/// A cache folder: the [`Record`]s of runs, by name, and the [`Formatted`] texts of the last
/// run.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (created when something is first saved).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    fn record_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.record.json"))
    }

    fn formatted_path(&self) -> PathBuf {
        self.dir.join("formatted.bin")
    }

    /// The record of the last run called `name`, if there is one that reads.
    pub fn record(&self, name: &str) -> Option<Record> {
        let text = fs::read(self.record_path(name)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Keeps `record` as the record of the run called `name`.
    pub fn save_record(&self, name: &str, record: &Record) -> io::Result<()> {
        let text = serde_json::to_vec(record).map_err(io::Error::other)?;
        crate::write::write_atomically(&self.record_path(name), &text)
    }

    /// Forgets the record of the run called `name`.
    pub fn forget_record(&self, name: &str) -> io::Result<()> {
        match fs::remove_file(self.record_path(name)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }

    /// The formatted texts the last run kept (none when there are none, or they are of
    /// another generator's or do not read).
    pub fn formatted(&self) -> Formatted {
        fs::read(self.formatted_path())
            .map(|bytes| Formatted::decode(&bytes, generator_version()))
            .unwrap_or_default()
    }

    /// Keeps the texts this run kept in `formatted`, for the next run (only when they differ
    /// from what was stored).
    pub fn save_formatted(&self, formatted: &Formatted) -> io::Result<()> {
        if !formatted.changed() {
            return Ok(());
        }
        let bytes = formatted.encode(generator_version());
        crate::write::write_atomically(&self.formatted_path(), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn the_fingerprint_follows_every_input_and_the_context() {
        let dir = tempfile::tempdir().expect("folder");
        fs::create_dir_all(dir.path().join("resources")).expect("folder");
        fs::write(dir.path().join("api.yaml"), "a: 1\n").expect("write");
        fs::write(dir.path().join("resources/x.yaml"), "b: 2\n").expect("write");
        let first = fingerprint(dir.path(), &["options"]).expect("fingerprint");
        assert_eq!(first, fingerprint(dir.path(), &["options"]).expect("again"));
        assert_ne!(
            first,
            fingerprint(dir.path(), &["other options"]).expect("fp")
        );
        assert_ne!(
            first,
            fingerprint(dir.path(), &["opt", "ions"]).expect("fp")
        );
        fs::write(dir.path().join("resources/x.yaml"), "b: 3\n").expect("write");
        let edited = fingerprint(dir.path(), &["options"]).expect("fingerprint");
        assert_ne!(first, edited);
        fs::rename(
            dir.path().join("resources/x.yaml"),
            dir.path().join("resources/y.yaml"),
        )
        .expect("rename");
        assert_ne!(edited, fingerprint(dir.path(), &["options"]).expect("fp"));
        assert!(fingerprint(&dir.path().join("missing"), &[]).is_err());
    }

    #[test]
    fn a_record_is_current_only_while_every_output_is_as_written() {
        let root = tempfile::tempdir().expect("folder");
        let out = root.path().join("out");
        let files = [
            file("mod.rs", "// @generated\nmod a;\n"),
            file("models/a.rs", "// @generated\n"),
        ];
        crate::write::sync(&out, &files, crate::write::Mode::Write).expect("write");
        fs::write(out.join("notes.rs"), "// hand-written\n").expect("write");
        let mut record = Record::new("fp", serde_json::json!({"x": 1}));
        record.add_folder("out", &files);
        assert!(record.is_current(root.path(), "fp"));
        assert!(!record.is_current(root.path(), "another fingerprint"));
        // An edited output, a missing one, a generated file beside them.
        fs::write(out.join("models/a.rs"), "// @generated\n// edited\n").expect("write");
        assert!(!record.is_current(root.path(), "fp"));
        fs::write(out.join("models/a.rs"), "// @generated\n").expect("write");
        assert!(record.is_current(root.path(), "fp"));
        fs::write(out.join("models/stale.rs"), "// @generated\n").expect("write");
        assert!(!record.is_current(root.path(), "fp"));
        fs::remove_file(out.join("models/stale.rs")).expect("remove");
        fs::remove_file(out.join("mod.rs")).expect("remove");
        assert!(!record.is_current(root.path(), "fp"));
        fs::remove_dir_all(&out).expect("remove");
        assert!(!record.is_current(root.path(), "fp"));
    }

    #[test]
    fn records_are_saved_read_back_and_forgotten() {
        let dir = tempfile::tempdir().expect("folder");
        let cache = Cache::new(dir.path().join("cache"));
        assert_eq!(cache.record("codegen"), None);
        let mut record = Record::new("fp", serde_json::json!(["a"]));
        record.add_folder("out", &[file("a.rs", "x")]);
        cache.save_record("codegen", &record).expect("save");
        assert_eq!(cache.record("codegen"), Some(record));
        // A garbled record is no record.
        fs::write(cache.record_path("codegen"), "{\"fingerprint\": ").expect("write");
        assert_eq!(cache.record("codegen"), None);
        cache.forget_record("codegen").expect("forget");
        cache
            .forget_record("codegen")
            .expect("forgetting twice is fine");
        assert_eq!(cache.record("codegen"), None);
    }

    #[test]
    fn formatted_texts_come_back_only_as_stored_and_for_the_same_generator() {
        let dir = tempfile::tempdir().expect("folder");
        let cache = Cache::new(dir.path());
        let (a, b) = (
            Formatted::key("h", "fn a(){}"),
            Formatted::key("h", "fn b(){}"),
        );
        assert_ne!(
            a,
            Formatted::key("h2", "fn a(){}"),
            "the header is part of the key"
        );
        let mut formatted = cache.formatted();
        assert_eq!(formatted.get(&a), None);
        formatted.keep(a, "fn a() {}\n".into());
        formatted.keep(b, "fn b() {}\n".into());
        cache.save_formatted(&formatted).expect("save");
        let mut next = cache.formatted();
        assert_eq!(next.get(&a), Some("fn a() {}\n"));
        assert_eq!(next.get(&b), Some("fn b() {}\n"));
        next.keep(a, "fn a() {}\n".into());
        assert_eq!(next.counts(), (1, 1));
        assert!(next.changed(), "b is dropped");
        cache.save_formatted(&next).expect("save");
        assert_eq!(
            cache.formatted().get(&b),
            None,
            "only what the last run kept"
        );

        let bytes = fs::read(cache.formatted_path()).expect("read");
        // Another generator's texts are not used.
        assert_eq!(Formatted::decode(&bytes, "another generator").get(&a), None);
        // A text changed in place no longer matches its hash.
        let mut garbled = bytes.clone();
        let at = garbled.len() - 3;
        garbled[at] ^= 0x01;
        assert_eq!(
            Formatted::decode(&garbled, generator_version()).get(&a),
            None
        );
        // Truncated anywhere: what is whole is used, the rest not.
        for cut in 0..bytes.len() {
            let _ = Formatted::decode(&bytes[..cut], generator_version()).get(&a);
        }
        assert_eq!(
            Formatted::decode(&bytes[..bytes.len() - 1], generator_version()).get(&a),
            None
        );
    }

    #[test]
    fn texts_found_by_their_inputs_come_back_only_while_the_text_does() {
        let dir = tempfile::tempdir().expect("folder");
        let cache = Cache::new(dir.path());
        let inputs = [7u8; 32];
        let by_inputs = Formatted::inputs_key("h", &inputs);
        assert_ne!(
            by_inputs,
            Formatted::inputs_key("h2", &inputs),
            "the header is part of the key"
        );
        let key = Formatted::key("h", "fn a(){}");
        let mut formatted = cache.formatted();
        assert_eq!(formatted.get_by_inputs(&by_inputs), None);
        formatted.keep(key, "fn a() {}\n".into());
        formatted.keep_inputs(by_inputs, key);
        cache.save_formatted(&formatted).expect("save");

        let next = cache.formatted();
        assert_eq!(next.get_by_inputs(&by_inputs), Some((key, "fn a() {}\n")));
        assert!(next.changed(), "this run kept nothing yet");
        // A run that keeps the same texts but not the inputs key changes the cache.
        let mut same_texts = cache.formatted();
        same_texts.keep(key, "fn a() {}\n".into());
        assert!(same_texts.changed(), "the inputs key is dropped");
        same_texts.keep_inputs(by_inputs, key);
        assert!(!same_texts.changed(), "all as stored");

        let bytes = fs::read(cache.formatted_path()).expect("read");
        // The text an inputs key leads to, changed in place, is not used.
        let text_at = bytes
            .windows(b"fn a() {}".len())
            .position(|w| w == b"fn a() {}")
            .expect("the text is stored");
        let mut garbled = bytes.clone();
        garbled[text_at] ^= 0x01;
        assert_eq!(
            Formatted::decode(&garbled, generator_version()).get_by_inputs(&by_inputs),
            None
        );
        // An inputs key that leads to a text no longer stored leads nowhere.
        let mut orphan = cache.formatted();
        orphan.keep_inputs(by_inputs, Formatted::key("h", "fn b(){}"));
        cache.save_formatted(&orphan).expect("save");
        assert_eq!(cache.formatted().get_by_inputs(&by_inputs), None);
        // Cut inside the inputs entry: the text before it is still used, the key is not.
        let cut = &bytes[..bytes.len() - 1];
        let decoded = Formatted::decode(cut, generator_version());
        assert_eq!(decoded.get(&key), Some("fn a() {}\n"));
        assert_eq!(decoded.get_by_inputs(&by_inputs), None);
    }

    #[test]
    fn the_generator_version_names_the_program() {
        let version = generator_version();
        assert!(version.starts_with(&format!("restgen {}", env!("CARGO_PKG_VERSION"))));
        assert_eq!(version, generator_version(), "one version per process");
    }
}
