//! Stage 4, emit: turn the [`Ir`] into Rust token streams, one per output file.

mod api;
mod conformance;
mod construct;
mod docs;
pub mod examples;
mod inputs;
mod json_schema;
mod resources;
mod types;

use std::collections::{BTreeMap, HashMap};

use proc_macro2::TokenStream;
use quote::quote;

use std::collections::BTreeSet;

use crate::ir::{Home, Ir, Ty, TyKind, TypeDef};
use docs::inner_doc_attrs;
use types::{TypeIndex, emit_type};

pub use crate::Options;

/// The name of the feature that enables every resource.
pub const FULL_FEATURE: &str = "full";

/// One emitted file: its path relative to the output folder and its tokens.
pub struct EmittedFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// The file's code.
    pub tokens: TokenStream,
}

/// Emits every file of the output folder: `mod.rs`, `models/mod.rs`, one file per model group,
/// one per resource and, with [`Options::examples_feature`], `examples.rs`.
pub fn emit(ir: &Ir, options: &Options) -> Vec<EmittedFile> {
    let mut files = Vec::new();
    emit_each(ir, options, &mut |file| files.push(file));
    files
}

/// Like [`emit`], handing each file to `sink` as soon as it is emitted, so that a caller that
/// formats files as they come holds one file's tokens at a time rather than all of them.
pub fn emit_each(ir: &Ir, options: &Options, sink: &mut dyn FnMut(EmittedFile)) {
    let index = TypeIndex::new(ir, options.json_schema_feature.as_deref());
    for job in jobs(ir, options) {
        sink(emit_job(ir, &index, options, &job));
    }
}

/// Like [`emit_each`], on `threads` threads at once: each file is handed, as a [`Pending`]
/// file, to `each` on one of them, which may emit it there ([`Pending::emit`]: each thread
/// has its own index of the types) or take its text from elsewhere ([`Pending::inputs`]).
/// What `each` returns comes back for every file, in no particular order. (Token streams
/// cannot cross threads; what `each` makes of them can.)
pub fn emit_in_parallel<R: Send>(
    ir: &Ir,
    options: &Options,
    threads: usize,
    each: &(dyn Fn(Pending<'_, '_>) -> R + Sync),
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let jobs = jobs(ir, options);
    let next = AtomicUsize::new(0);
    let inputs = std::sync::OnceLock::new();
    let work = || {
        let index = TypeIndex::new(ir, options.json_schema_feature.as_deref());
        let mut done = Vec::new();
        while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
            done.push(each(Pending {
                ir,
                index: &index,
                options,
                job,
                inputs: &inputs,
            }));
        }
        done
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.max(1)).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

/// A file of the output folder that [`emit_in_parallel`] is about to emit.
pub struct Pending<'a, 'ir> {
    ir: &'ir Ir,
    index: &'a TypeIndex<'ir>,
    options: &'ir Options,
    job: &'a Job<'ir>,
    /// The digests of every file's inputs, made (once, for every thread) when first asked for.
    inputs: &'a std::sync::OnceLock<inputs::Inputs<'ir>>,
}

impl Pending<'_, '_> {
    /// The file's path, relative to the output folder, with `/` separators.
    pub fn path(&self) -> String {
        job_path(self.job)
    }

    /// A digest of everything the file's code is made from (see the `inputs` module): two
    /// runs that give a file the same digest emit the same code for it. `None` for the files
    /// made from the whole IR (`mod.rs`, `models/mod.rs`, `examples.rs`), which have to be
    /// emitted every time.
    pub fn inputs(&self) -> Option<crate::cache::Hash> {
        let inputs = || {
            self.inputs
                .get_or_init(|| inputs::Inputs::new(self.ir, self.options))
        };
        match self.job {
            Job::Resource(resource) => {
                let globals: Vec<Ty> = self
                    .ir
                    .api
                    .global_params
                    .iter()
                    .map(|p| p.ty.clone())
                    .collect();
                Some(inputs().resource(resource, &globals))
            }
            Job::ModelsFile(file, defs) => Some(inputs().models_file(file, defs)),
            Job::Api | Job::Models(_) | Job::Examples => None,
        }
    }

    /// Emits the file.
    pub fn emit(self) -> EmittedFile {
        emit_job(self.ir, self.index, self.options, self.job)
    }
}

/// One file of the output folder, to emit on its own.
enum Job<'ir> {
    /// `mod.rs`.
    Api,
    /// `models/mod.rs`, declaring each models file.
    Models(Vec<&'ir str>),
    /// A models file and its types.
    ModelsFile(&'ir str, Vec<&'ir TypeDef>),
    /// A resource's file.
    Resource(&'ir crate::ir::ResourceIr),
    /// `examples.rs`, with [`Options::examples_feature`].
    Examples,
}

/// Every file of the output folder, in the order [`emit_each`] emits them: `mod.rs`,
/// `models/mod.rs`, the models files (sorted), one per resource, then (with
/// [`Options::examples_feature`]) `examples.rs`.
fn jobs<'ir>(ir: &'ir Ir, options: &Options) -> Vec<Job<'ir>> {
    // Models, grouped by file.
    let mut groups: BTreeMap<&str, Vec<&TypeDef>> = BTreeMap::new();
    for def in &ir.types {
        if let Home::Models(file) = &def.home {
            groups.entry(file.as_str()).or_default().push(def);
        }
    }
    [Job::Api, Job::Models(groups.keys().copied().collect())]
        .into_iter()
        .chain(
            groups
                .into_iter()
                .map(|(file, defs)| Job::ModelsFile(file, defs)),
        )
        .chain(ir.resources.iter().map(Job::Resource))
        .chain(options.examples_feature.is_some().then_some(Job::Examples))
        .collect()
}

/// The path of `job`'s file, relative to the output folder.
fn job_path(job: &Job<'_>) -> String {
    match job {
        Job::Api => "mod.rs".into(),
        Job::Models(_) => "models/mod.rs".into(),
        Job::ModelsFile(file, _) => format!("models/{file}.rs"),
        Job::Resource(resource) => format!("{}.rs", resource.module),
        Job::Examples => examples::FILE.into(),
    }
}

fn emit_job(ir: &Ir, index: &TypeIndex<'_>, options: &Options, job: &Job<'_>) -> EmittedFile {
    let tokens = match job {
        Job::Api => api::emit_api(ir, index, options),
        Job::Models(files) => {
            let features = options.resource_features.then(|| model_features(ir));
            let declarations = files.iter().map(|m| {
                let module = crate::names::ident(m);
                let cfg = features.as_ref().and_then(|f| f.get(*m)).map(cfg_any);
                quote!(#cfg mod #module; #cfg pub use #module::*;)
            });
            quote! {
                //! The API's data types, one file per named schema of the spec.
                #(#declarations)*
            }
        }
        Job::ModelsFile(file, defs) => {
            let doc = inner_doc_attrs(&format!("The `{file}` model and the types nested in it."));
            let defs = defs.iter().map(|def| emit_type(index, def));
            quote! { #doc #(#defs)* }
        }
        Job::Resource(resource) => resources::emit_resource(ir, index, resource, options),
        Job::Examples => examples::emit_examples(ir),
    };
    EmittedFile {
        path: job_path(job),
        tokens,
    }
}

/// A Cargo feature that the emitted code's `#[cfg]`s name, with the features it turns on: what
/// the generated crate's manifest must declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// The feature's name.
    pub name: String,
    /// The features it enables, sorted.
    pub enables: Vec<String>,
}

/// The resource features the emitted code is compiled under, with
/// [`Options::resource_features`]: [`FULL_FEATURE`] first, enabling every resource's, then one
/// per resource, named like its module and enabling nothing else, sorted. Without that option,
/// none. (The [`Options::json_schema_feature`] is not among them: the crate declares it with
/// the dependency it needs.)
pub fn resource_features(ir: &Ir, options: &Options) -> Vec<Feature> {
    if !options.resource_features {
        return Vec::new();
    }
    let mut modules: Vec<String> = ir.resources.iter().map(|r| r.module.clone()).collect();
    modules.sort();
    modules.dedup();
    let each = modules.iter().map(|module| Feature {
        name: module.clone(),
        enables: Vec::new(),
    });
    std::iter::once(Feature {
        name: FULL_FEATURE.to_owned(),
        enables: modules.clone(),
    })
    .chain(each)
    .collect()
}

/// Emits the generated crate's test files: `conformance.rs` (see the `conformance` module), which reads
/// the spec's examples at run time from `spec_dir`, relative to the crate's manifest folder.
pub fn emit_tests(ir: &Ir, options: &Options, spec_dir: &str) -> Vec<EmittedFile> {
    let features = options.resource_features.then(|| model_features(ir));
    vec![EmittedFile {
        path: conformance::FILE.into(),
        tokens: conformance::emit_conformance(ir, options, spec_dir, features.as_ref()),
    }]
}

/// For each models file, the resource features that need it. A file is compiled whole, so a
/// feature that needs one type of a file needs every type the file's types use, in other files
/// too: the sets are closed under that. The global parameters' types are always needed (`None`).
fn model_features(ir: &Ir) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let defs: HashMap<&str, &TypeDef> = ir.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut types_of_file: HashMap<&str, Vec<&TypeDef>> = HashMap::new();
    for def in &ir.types {
        if let Home::Models(file) = &def.home {
            types_of_file.entry(file.as_str()).or_default().push(def);
        }
    }
    // The models files needed by values of `roots`: one walk over the types, in which reaching
    // a type of a file reaches every type of that file.
    let closed = |roots: Vec<&Ty>| -> BTreeSet<String> {
        let mut files: BTreeSet<String> = BTreeSet::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut stack: Vec<&Ty> = roots;
        let mut reached: Vec<&TypeDef> = Vec::new();
        loop {
            while let Some(ty) = stack.pop() {
                match &ty.kind {
                    TyKind::Named { name, .. } => {
                        if let Some(def) = defs.get(name.as_str()) {
                            if seen.insert(def.name.as_str()) {
                                reached.push(def);
                            }
                        }
                    }
                    TyKind::Array(inner) | TyKind::Map(inner) => stack.push(inner),
                    _ => {}
                }
            }
            let Some(def) = reached.pop() else {
                return files;
            };
            if let Home::Models(file) = &def.home {
                if files.insert(file.clone()) {
                    for other in types_of_file.get(file.as_str()).into_iter().flatten() {
                        if seen.insert(other.name.as_str()) {
                            reached.push(other);
                        }
                    }
                }
            }
            stack.extend(def.uses());
        }
    };
    let always = closed(ir.api.global_params.iter().map(|p| &p.ty).collect());
    let mut by_file: BTreeMap<String, Option<BTreeSet<String>>> = types_of_file
        .keys()
        .map(|file| ((*file).to_owned(), Some(BTreeSet::new())))
        .collect();
    for file in &always {
        by_file.insert(file.clone(), None);
    }
    for resource in &ir.resources {
        let types: Vec<Ty> = resource.actions.iter().flat_map(|a| a.types()).collect();
        for file in closed(types.iter().collect()) {
            if let Some(Some(set)) = by_file.get_mut(&file) {
                set.insert(resource.module.clone());
            }
        }
    }
    by_file
}

/// `#[cfg(...)]` enabling an item when any of `features` is on; `None` (always needed)
/// gives no attribute; an empty set (used by no resource) gives the `full` feature.
fn cfg_any(features: &Option<BTreeSet<String>>) -> Option<TokenStream> {
    let features = features.as_ref()?;
    Some(match features.len() {
        0 => quote!(#[cfg(feature = #FULL_FEATURE)]),
        1 => {
            let only = features.iter().next();
            quote!(#[cfg(feature = #only)])
        }
        _ => {
            let all = features.iter();
            quote!(#[cfg(any(#(feature = #all),*))])
        }
    })
}
