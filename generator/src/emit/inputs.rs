//! What an output file is made of, as a digest known before the file is emitted: a run that
//! finds the last run's text of a file under the same digest (see [`crate::cache`]) can take
//! that text without emitting the file at all.
//!
//! Emitting a resource's file or a models file reads the IR through few doors, and the digest
//! covers each of them:
//!
//! - the file's own part of the IR: the resource (with the types that live in its module), or
//!   the models file's types;
//! - the types it names, looked up by name ([`TypeIndex`](super::types::TypeIndex), the doc
//!   examples' constructor): the digest covers every type reachable from the file's own types,
//!   a superset of those looked up, and for a name that is not one of the IR's types, the
//!   module it is said to live in;
//! - what every file may read: the API-wide settings, the table of patterns and the options.
//!
//! (What formatting adds, the header, is the caller's to add to its key.)
//!
//! The other files (`mod.rs`, `models/mod.rs`, `examples.rs`, the conformance test) read the
//! whole IR; they get no digest and are always emitted.
//!
//! Each part goes into SHA-256 as its `Debug` text (the IR holds no hash maps, so that text is
//! the same from run to run), closed by a byte that UTF-8 never uses, so that no two sequences
//! of parts give one stream.

use std::collections::HashMap;
use std::fmt::{self, Debug, Write};

use sha2::{Digest, Sha256};

use crate::cache::Hash;
use crate::ir::{Home, Ir, ResourceIr, Ty, TyKind, TypeDef, TypeGraph};

use super::Options;

/// Closes each part fed to a digest: `0xFF` never occurs in UTF-8.
const END: [u8; 1] = [0xFF];

/// A SHA-256 state fed through [`fmt::Write`], so that `Debug` text is hashed as it is written.
struct Feed(Sha256);

impl Write for Feed {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

impl Feed {
    fn new() -> Self {
        Feed(Sha256::new())
    }

    /// Feeds `value`'s `Debug` text as one part.
    fn debug(&mut self, value: &dyn Debug) {
        // The IR's `Debug` impls are derived, and derived impls fail only when the writer
        // does: this one never does.
        let _ = write!(self, "{value:?}");
        self.0.update(END);
    }

    /// Feeds `bytes` as one part.
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
        self.0.update(END);
    }

    fn finish(self) -> Hash {
        self.0.finalize().into()
    }
}

/// Digests of the inputs of the files that have one, made from one IR.
pub struct Inputs<'ir> {
    /// The digest of what every file may read.
    common: Hash,
    /// Each type's digest, by name.
    types: HashMap<&'ir str, Hash>,
    /// For names that are not types of `ir.types` (the enums of actions answering different
    /// bodies by status), the module they live in.
    elsewhere: HashMap<&'ir str, &'ir str>,
    /// Per resource module, the types that live in it.
    homed: HashMap<&'ir str, Vec<&'ir TypeDef>>,
    graph: TypeGraph<'ir>,
}

impl<'ir> Inputs<'ir> {
    /// Digests every type of `ir` and what every file may read.
    pub fn new(ir: &'ir Ir, options: &Options) -> Self {
        let mut common = Feed::new();
        common.bytes(b"restgen file inputs, layout 1");
        common.debug(options);
        common.debug(&ir.api);
        common.debug(&ir.patterns);
        let types = ir
            .types
            .iter()
            .map(|def| {
                let mut feed = Feed::new();
                feed.debug(def);
                (def.name.as_str(), feed.finish())
            })
            .collect();
        let elsewhere = ir
            .resources
            .iter()
            .flat_map(|r| {
                r.actions.iter().filter_map(|a| {
                    let by_status = a.by_status.as_ref()?;
                    Some((by_status.name.as_str(), r.module.as_str()))
                })
            })
            .collect();
        let mut homed: HashMap<&str, Vec<&TypeDef>> = HashMap::new();
        for def in &ir.types {
            if let Home::Resource(module) = &def.home {
                homed.entry(module.as_str()).or_default().push(def);
            }
        }
        Inputs {
            common: common.finish(),
            types,
            elsewhere,
            homed,
            graph: ir.graph(),
        }
    }

    /// The digest of a resource's file: the resource, the types of its module, the global
    /// parameters, and everything they reach.
    pub fn resource(&self, resource: &ResourceIr, global_params: &[Ty]) -> Hash {
        let mut feed = self.start("resource");
        feed.debug(resource);
        let homed = self
            .homed
            .get(resource.module.as_str())
            .map_or(&[][..], Vec::as_slice);
        let mut roots: Vec<Ty> = resource.actions.iter().flat_map(|a| a.types()).collect();
        roots.extend_from_slice(global_params);
        roots.extend(homed.iter().map(|def| named(&def.name)));
        for def in homed {
            feed.bytes(def.name.as_bytes());
        }
        self.reached(&mut feed, roots);
        feed.finish()
    }

    /// The digest of a models file: its name, its types, and everything they reach.
    pub fn models_file(&self, file: &str, defs: &[&TypeDef]) -> Hash {
        let mut feed = self.start("models file");
        feed.bytes(file.as_bytes());
        for def in defs {
            feed.bytes(def.name.as_bytes());
        }
        self.reached(&mut feed, defs.iter().map(|def| named(&def.name)).collect());
        feed.finish()
    }

    fn start(&self, kind: &str) -> Feed {
        let mut feed = Feed::new();
        feed.bytes(&self.common);
        feed.bytes(kind.as_bytes());
        feed
    }

    /// Feeds every name reachable from `roots`, in sorted order, with its type's digest or the
    /// module a name outside the types lives in.
    fn reached(&self, feed: &mut Feed, roots: Vec<Ty>) {
        let mut names: Vec<&str> = Vec::new();
        let mut undeclared: Vec<String> = Vec::new();
        self.graph.walk(roots, |name, _| {
            if let Some((name, _)) = self.types.get_key_value(name) {
                names.push(name);
            } else if let Some((name, _)) = self.elsewhere.get_key_value(name) {
                names.push(name);
            } else {
                // A name nothing declares (the code would not compile): it reads no type.
                undeclared.push(name.to_owned());
            }
        });
        names.sort_unstable();
        undeclared.sort_unstable();
        for name in names {
            feed.bytes(name.as_bytes());
            match (self.types.get(name), self.elsewhere.get(name)) {
                (Some(digest), _) => feed.bytes(digest),
                (None, Some(module)) => feed.bytes(module.as_bytes()),
                (None, None) => {}
            }
        }
        feed.bytes(b"undeclared");
        for name in undeclared {
            feed.bytes(name.as_bytes());
        }
    }
}

fn named(name: &str) -> Ty {
    Ty::plain(TyKind::Named {
        name: name.to_owned(),
        boxed: false,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use crate::cache::Hash;
    use crate::emit::{Options, emit_in_parallel};
    use crate::ir::{Home, Ir, Payload, TypeKind, Variant};

    /// Each file's digest (when it has one) and code.
    fn emitted(ir: &Ir, options: &Options) -> BTreeMap<String, (Option<Hash>, String)> {
        emit_in_parallel(ir, options, 2, &|file| {
            let inputs = file.inputs();
            let path = file.path();
            (path, (inputs, file.emit().tokens.to_string()))
        })
        .into_iter()
        .collect()
    }

    /// Changes type `i` of `ir` in ways that change the code of other files that use it but
    /// not its name: where it lives (which the paths to it show), what is required of a
    /// struct (which a doc example's constructor shows), whether a union holds `null` itself
    /// (which the fields of that type show), and whether it is part of a request (which
    /// validation shows).
    fn mutate(ir: &mut Ir, i: usize) {
        let module = ir.resources[i % ir.resources.len()].module.clone();
        let def = &mut ir.types[i];
        def.home = match &def.home {
            Home::Models(_) => Home::Resource(module),
            Home::Resource(_) => Home::Models("mutated".into()),
        };
        def.in_request = !def.in_request;
        match &mut def.kind {
            TypeKind::Struct { fields, .. } => {
                for field in fields {
                    field.required = !field.required;
                }
            }
            TypeKind::Union { variants, .. } => variants.push(Variant {
                name: "MutatedNull".into(),
                payload: Payload::Null,
                tags: Vec::new(),
                doc: None,
            }),
            TypeKind::StringEnum { variants } => variants.push(("Mutated".into(), "m".into())),
            TypeKind::Alias(ty) => ty.nullable = !ty.nullable,
        }
    }

    /// The property the digests exist for: a file whose code changes gets another digest.
    /// Types of the workspace's spec are changed one at a time (20 of them, spread over the
    /// sorted list, so that structs, unions, enums and aliases in many places are among them;
    /// all of them would take minutes), and every file both runs have is compared.
    #[test]
    fn a_file_whose_code_changes_gets_another_digest() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = crate::load::load_dir(&dir).expect("the workspace spec loads");
        crate::check::check(&spec).expect("it checks");
        let ir = crate::lower::lower(&spec).expect("it lowers");
        let options = crate::tests::options();
        let before = emitted(&ir, &options);
        let step = ir.types.len() / 20;
        let mut other_files_changed = 0;
        for i in (0..ir.types.len()).step_by(step) {
            let mut changed = ir.clone();
            mutate(&mut changed, i);
            let after = emitted(&changed, &options);
            let own = match &ir.types[i].home {
                Home::Models(file) => format!("models/{file}.rs"),
                Home::Resource(module) => format!("{module}.rs"),
            };
            for (path, (digest, code)) in &before {
                let Some((new_digest, new_code)) = after.get(path) else {
                    continue;
                };
                if code == new_code {
                    continue;
                }
                if *path != own {
                    other_files_changed += 1;
                }
                if let Some(digest) = digest {
                    assert_ne!(
                        Some(digest),
                        new_digest.as_ref(),
                        "changing type {} changed the code of {path}, but not its digest",
                        ir.types[i].name
                    );
                }
            }
        }
        eprintln!("{other_files_changed} changes of other files than the type's own");
        assert!(
            other_files_changed > 20,
            "the changes reached only {other_files_changed} other files: the test shows little"
        );
    }
}
