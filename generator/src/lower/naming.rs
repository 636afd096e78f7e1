//! Naming every type, before any is made, so that no name depends on which schema happens to
//! be lowered first.
//!
//! Lowering runs twice. The first run records every schema node that becomes a Rust type (a
//! [`Node`]: where it is, its shape, the name it could take alone, and what it would add to
//! its parent's name); [`plan`] then names them all at once; the second run makes the types
//! with those names. The rules, in order:
//!
//! 1. A schema file is named by its title. When two files' titles give one name, each is
//!    named by its id instead.
//! 2. `api.yaml`'s `type_names` set a name by hand, where a rule below would not do.
//! 3. A nested schema may take a name alone: its title, else its property or parameter name
//!    (singular for the items of an array: `deviceTags` items are `DeviceTag`). The schemas
//!    that would take one name share one type under it when they have the same shape; when
//!    their shapes differ, a shape that at least two thirds of them have takes the name (a
//!    name that many shapes share, such as `SortField`, means nothing alone),
//!    and string enumerations all take it when one of them has every value of the others
//!    (`sortDirection: [asc, desc]` and `[asc, desc, ASC, DESC]` are one `SortDirection`). A
//!    nested title never takes a schema file's name, and names too generic to stand alone
//!    (`Value`, `Data`, `Options`, ...) or that would shadow the prelude (`Option`,
//!    `String`, ...) are never taken alone.
//! 4. A schema written out again with the shape of a schema file is that file's type; one
//!    with no name of its own to take (a `value`, a union's branch) that has the shape of a
//!    type that took a name alone (rule 3) is that type.
//! 5. Copies of one schema in a family of schemas (`notebook`, `notebookPatch`,
//!    `notebookPost`) share a type named after what their parents' names share
//!    (`NotebookInput`).
//! 6. Otherwise a schema is named after its parent: the parent's name and its own part
//!    (`Device` + `Attribute` = `DeviceAttribute`); a parameter's type after its action
//!    (`DevicesGet` + `SortField`).
//!
//! A name given to two different shapes is a spec error that names both places; no name ever
//! gets a number to make it distinct.

use std::collections::{BTreeMap, BTreeSet};

// Naming hashes every node's id and shape in every pass; a spec on disk needs no defence
// against chosen collisions, so the faster Fx hash (as rustc uses) serves. No result depends
// on a map's order.
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::Home;
use crate::names::{camel, module, upper_camel};
use crate::spec::Spec;

/// A schema node that becomes a Rust type.
#[derive(Debug, Clone)]
pub(super) struct Node {
    /// Where it is: `SCHEMA_ID`, `SCHEMA_ID#/json/pointer`, or `resource.action?param/...`
    /// for a parameter's schema.
    pub id: String,
    /// The enclosing type's node, if any.
    pub parent: Option<String>,
    /// What it adds to its parent's name (for a parameter's own type, its whole name).
    pub suffix: String,
    /// A name it may take alone (rule 3).
    pub candidate: Option<String>,
    /// Its shape: the schema without the keywords that only document it.
    pub shape: Shape,
    /// Who uses it: the models, or one resource's parameters (by module).
    pub origin: Origin,
    /// The file holding it and the key path inside, for diagnostics.
    pub file: String,
    pub at: String,
    /// Whether it is a schema file itself (named by rule 1).
    pub file_root: bool,
    /// For a string enumeration: its values.
    pub enum_values: Option<Vec<String>>,
}

/// A shape (the text `shape_key` writes), by its rank among the distinct shapes of the spec
/// in the order of their text: shapes compare, order and hash as their text does, at the
/// cost of an integer (naming compares them in every pass, and a shape's text holds a whole
/// schema tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Shape(usize);

/// Gives shapes their [`Shape`] while nodes are recorded.
#[derive(Debug, Default)]
pub(super) struct ShapeInterner {
    /// Each distinct text and its number in order of arrival.
    numbers: FxHashMap<String, usize>,
}

impl ShapeInterner {
    /// The provisional shape of `text`: equal texts get equal shapes.
    pub(super) fn intern(&mut self, text: String) -> Shape {
        let next = self.numbers.len();
        Shape(*self.numbers.entry(text).or_insert(next))
    }

    /// Renumbers the shapes of `nodes`, interned by this interner, by rank in text order.
    pub(super) fn rank(self, nodes: &mut [Node]) {
        let mut texts: Vec<(String, usize)> = self.numbers.into_iter().collect();
        texts.sort_unstable();
        let mut rank = vec![0; texts.len()];
        for (position, (_, number)) in texts.iter().enumerate() {
            rank[*number] = position;
        }
        for node in nodes {
            node.shape = Shape(rank[node.shape.0]);
        }
    }
}

/// Who a type serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    /// A schema file: `models/`, in the file of schema `id`.
    Model(String),
    /// A resource's parameters: its module.
    Resource(String),
}

/// The name and home of every type node.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Node id -> type name.
    pub names: FxHashMap<String, String>,
    /// Type name -> where it is emitted.
    pub homes: FxHashMap<String, Home>,
    /// String enumerations shared by schemas whose values differ: name -> every value (the
    /// values of the one that has them all).
    pub enum_values: FxHashMap<String, Vec<String>>,
}

/// Names that a type never takes alone: too generic to mean anything without their parent,
/// or the names of the prelude and of the items every generated module uses.
const NOT_ALONE: &[&str] = &[
    "Value",
    "Values",
    "Item",
    "Items",
    "Data",
    "Object",
    "Type",
    "Options",
    "Option",
    "Query",
    "Config",
    "Configuration",
    "Body",
    "Result",
    "Results",
    "Response",
    "Request",
    "Error",
    "Errors",
    "Info",
    "Meta",
    "Metadata",
    "Properties",
    "Settings",
    "Id",
    "Name",
    "Key",
    "Default",
    "Some",
    "None",
    "Ok",
    "Err",
    "Box",
    "Vec",
    "String",
    "Client",
    "Method",
    "Operation",
    "Self_",
    "SelfValue",
    "Empty",
    "Other",
    "Null",
    "Unknown",
    "Input",
    "Output",
    "Payload",
    "Content",
    "Context",
    "Ctx",
    "Map",
    "List",
    "Array",
    "Fields",
    "Field",
];

/// Whether `name` may be a type's name alone.
pub(super) fn may_stand_alone(name: &str) -> bool {
    !NOT_ALONE.contains(&name) && !name.is_empty()
}

/// The singular of a `CamelCase` plural (`DeviceTags` -> `DeviceTag`, `Entries` -> `Entry`),
/// or the name with `Item` when it is not a plural it can tell.
pub(super) fn singular(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if let Some(stem) = name.strip_suffix("ies").filter(|_| name.len() > 4) {
        return format!("{stem}y");
    }
    for ending in ["sses", "shes", "ches", "xes", "zes"] {
        if lower.ends_with(ending) {
            return name[..name.len() - 2].to_owned();
        }
    }
    let keeps_s = ["ss", "us", "is", "os"].iter().any(|e| lower.ends_with(e));
    match name.strip_suffix('s') {
        Some(stem) if !keeps_s && stem.len() > 1 => stem.to_owned(),
        _ => format!("{name}Item"),
    }
}

/// The names of the schema files (rule 1, then the overrides of rule 2): by id.
pub(super) fn file_names(spec: &Spec, problems: &mut Diagnostics) -> BTreeMap<String, String> {
    let overrides: FxHashMap<&str, &str> = spec
        .api
        .type_names
        .iter()
        .map(|o| (o.at.as_str(), o.name.as_str()))
        .collect();
    let by_title: Vec<(String, String)> = spec
        .schemas
        .iter()
        .map(|s| {
            let title = s.schema.title.as_deref().unwrap_or(&s.id);
            (s.id.clone(), camel(title))
        })
        .collect();
    let mut count: FxHashMap<&str, usize> = FxHashMap::default();
    for (_, name) in &by_title {
        *count.entry(name.as_str()).or_default() += 1;
    }
    let mut names = BTreeMap::new();
    let mut taken: FxHashMap<String, String> = FxHashMap::default();
    for (id, title_name) in &by_title {
        let name = match overrides.get(id.as_str()) {
            Some(name) => (*name).to_owned(),
            None if count[title_name.as_str()] > 1 => camel(id),
            None => title_name.clone(),
        };
        if let Some(other) = taken.insert(name.clone(), id.clone()) {
            problems.push(
                Diagnostic::new(format!(
                    "schemas `{other}` and `{id}` both become the Rust type `{name}`"
                ))
                .in_file(format!("schemas/{id}.yaml"))
                .help(format!(
                    "give one another name in api.yaml: `type_names: [{{at: {id}, name: ..., reason: ...}}]`"
                )),
            );
        }
        names.insert(id.clone(), name);
    }
    names
}

/// Names every node (rules 2 to 5) and places every type. `reserved` holds, per resource
/// module, the names its own items take (request builders, event and answer enums,
/// imports).
pub(super) fn plan(
    spec: &Spec,
    files: &BTreeMap<String, String>,
    nodes: &[Node],
    reserved: &FxHashMap<String, FxHashSet<String>>,
    problems: &mut Diagnostics,
) -> Plan {
    let overrides: FxHashMap<&str, &crate::spec::TypeNameOverride> = spec
        .api
        .type_names
        .iter()
        .map(|o| (o.at.as_str(), o))
        .collect();
    // Shapes named by hand for every schema of that shape (`share: true`).
    let mut shared_overrides: FxHashMap<Shape, &str> = FxHashMap::default();
    for node in nodes {
        if let Some(o) = overrides.get(node.id.as_str()).filter(|o| o.share) {
            shared_overrides.insert(node.shape, &o.name);
        }
    }
    let file_name_set: FxHashSet<&str> = files.values().map(String::as_str).collect();
    // A schema written out again where its file could have been named: the file's type.
    let mut file_shapes: FxHashMap<Shape, Vec<&str>> = FxHashMap::default();
    for node in nodes.iter().filter(|n| n.file_root) {
        if let Some(name) = files.get(&node.id) {
            file_shapes.entry(node.shape).or_default().push(name);
        }
    }
    let file_shape = |node: &Node| -> Option<String> {
        match file_shapes.get(&node.shape)?.as_slice() {
            [one] => Some((*one).to_owned()),
            _ => None,
        }
    };
    // The schema file a type name belongs to (the first in order, should two share one).
    let mut file_named: FxHashMap<&str, &str> = FxHashMap::default();
    for (id, name) in files {
        file_named.entry(name.as_str()).or_insert(id.as_str());
    }
    let mut banned: FxHashSet<String> = FxHashSet::default();
    let mut families: FxHashMap<(String, Shape), String> = FxHashMap::default();
    let mut enum_values: FxHashMap<String, Vec<String>> = FxHashMap::default();
    let mut names: FxHashMap<String, String> = FxHashMap::default();
    let by_id: FxHashMap<&str, &Node> = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    // Each pass names every node from the decisions so far; a decision a pass reveals to be
    // wrong (a shared name another shape also gets) or new (a family of copies) leads to
    // another pass. Every pass bans a name or adds a family, so it ends.
    for _ in 0..=nodes.len() {
        // Nodes named by hand do not compete for names taken alone.
        let competing = nodes.iter().filter(|n| {
            !overrides.contains_key(n.id.as_str()) && !shared_overrides.contains_key(&n.shape)
        });
        let winners = winners(competing, &file_name_set, &banned, &mut enum_values);
        // The shapes that took a name alone, by shape: a schema of one of these shapes that
        // has no name of its own to take (a `value`, an item of a union) is that type.
        let mut concept_of: FxHashMap<Shape, &str> = FxHashMap::default();
        for node in nodes {
            if let Some(candidate) = alone(node, &file_name_set, &banned) {
                if takes(&winners, &enum_values, candidate, node) {
                    concept_of.entry(node.shape).or_insert(candidate);
                }
            }
        }
        names.clear();
        // A copy of a schema file, and everything inside it, is named like the file's own.
        let mut copy_of: FxHashMap<&str, String> = FxHashMap::default();
        for node in nodes {
            let parent_copy = node
                .parent
                .as_deref()
                .and_then(|p| copy_of.get(p).map(|target| (p, target.clone())));
            let copied = match parent_copy {
                Some((parent, target)) => {
                    let rest = &node.id[parent.len()..];
                    let id = if target.contains('#') || target.contains('?') {
                        format!("{target}{rest}")
                    } else {
                        format!("{target}#{rest}")
                    };
                    by_id.get(id.as_str()).map(|n| n.id.clone())
                }
                None if !node.file_root => file_shape(node)
                    .and_then(|name| file_named.get(name.as_str()).map(|id| (*id).to_owned())),
                None => None,
            };
            if let Some(target) = copied {
                if let Some(name) = names.get(&target).cloned() {
                    copy_of.insert(&node.id, target);
                    names.insert(node.id.clone(), name);
                    continue;
                }
                copy_of.insert(&node.id, target);
            }
            let name = if let Some(o) = overrides.get(node.id.as_str()) {
                o.name.clone()
            } else if let Some(name) = shared_overrides.get(&node.shape) {
                (*name).to_owned()
            } else if node.file_root {
                files
                    .get(&node.id)
                    .cloned()
                    .unwrap_or_else(|| camel(&node.id))
            } else if let Some(name) = file_shape(node) {
                name
            } else if let Some(candidate) = alone(node, &file_name_set, &banned)
                .filter(|c| takes(&winners, &enum_values, c, node))
            {
                candidate.to_owned()
            } else if let Some(concept) = concept_of
                .get(&node.shape)
                .filter(|_| !node.candidate.as_deref().is_some_and(may_stand_alone))
            {
                (*concept).to_owned()
            } else if let Some(family) = families.get(&family_key(node)) {
                family.clone()
            } else {
                let parent = node
                    .parent
                    .as_ref()
                    .and_then(|p| names.get(p))
                    .map_or("", String::as_str);
                join(parent, &node.suffix)
            };
            names.insert(node.id.clone(), name);
        }
        let mut by_name: FxHashMap<&str, Vec<&Node>> = FxHashMap::default();
        for node in nodes {
            by_name
                .entry(names[&node.id].as_str())
                .or_default()
                .push(node);
        }
        // A shared name that another shape also ends up with is given up.
        let mut changed = false;
        for (name, users) in &by_name {
            let shapes: BTreeSet<Shape> = users.iter().map(|n| n.shape).collect();
            if shapes.len() > 1
                && !enum_values.contains_key(*name)
                && !banned.contains(*name)
                && shared(users, name)
            {
                banned.insert((*name).to_owned());
                changed = true;
            }
        }
        // Copies of one schema in a family of schemas (`notebook`, `notebookPatch`,
        // `notebookPost`) share a type named after what their parents' names share
        // (`NotebookInput`), when no other shape has that name.
        let mut groups: BTreeMap<(String, Shape), Vec<&Node>> = BTreeMap::new();
        for node in nodes {
            let name = &names[&node.id];
            let qualified = node
                .parent
                .as_ref()
                .and_then(|p| names.get(p))
                .is_some_and(|parent| *name == join(parent, &node.suffix));
            if qualified && !families.contains_key(&family_key(node)) {
                groups.entry(family_key(node)).or_default().push(node);
            }
        }
        let depth = |n: &Node| n.id.matches('/').count();
        let mut ordered: Vec<((String, Shape), Vec<&Node>)> = groups.into_iter().collect();
        ordered.sort_by_cached_key(|(_, members)| members.iter().map(|n| depth(n)).min());
        let mut assigned: FxHashMap<String, Shape> = FxHashMap::default();
        let mut renamed: FxHashSet<&str> = FxHashSet::default();
        for (key, members) in ordered {
            // Deeper copies wait for their parents' families, which may name them already.
            let under_renamed = members.iter().any(|n| {
                let mut up = n.parent.as_deref();
                while let Some(p) = up {
                    if renamed.contains(p) {
                        return true;
                    }
                    up = by_id.get(p).and_then(|n| n.parent.as_deref());
                }
                false
            });
            if under_renamed {
                continue;
            }
            let parents: BTreeSet<&str> = members
                .iter()
                .filter_map(|n| n.parent.as_ref().and_then(|p| names.get(p)))
                .map(String::as_str)
                .collect();
            if parents.len() < 2 {
                continue;
            }
            let prefix = common_prefix(parents.iter().copied());
            if prefix.is_empty() {
                continue;
            }
            let family = join(&prefix, &members[0].suffix);
            let taken = by_name
                .get(family.as_str())
                .is_some_and(|users| users.iter().any(|u| u.shape != members[0].shape))
                || assigned
                    .get(family.as_str())
                    .is_some_and(|shape| *shape != members[0].shape);
            if !taken && !file_name_set.contains(family.as_str()) {
                assigned.insert(family.clone(), members[0].shape);
                renamed.extend(members.iter().map(|n| n.id.as_str()));
                families.insert(key, family);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // What is left: names given to two shapes, or taken from a module's own items.
    let mut by_name: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for node in nodes {
        by_name
            .entry(names[&node.id].as_str())
            .or_default()
            .push(node);
    }
    let mut homes = FxHashMap::default();
    for (name, users) in &by_name {
        let first = users[0];
        let merged_enum = enum_values.contains_key(*name);
        if let Some(other) = users
            .iter()
            .find(|n| n.shape != first.shape && !merged_enum)
        {
            problems.push(
                Diagnostic::new(format!(
                    "two different schemas would both be the Rust type `{name}`: `{}` and `{}`",
                    first.id, other.id
                ))
                .in_file(&other.file)
                .at(&other.at)
                .help(format!(
                    "name one in api.yaml: `type_names: [{{at: \"{}\", name: ..., reason: ...}}]`",
                    other.id
                )),
            );
            continue;
        }
        let home = home_of(name, users, files);
        if let Home::Resource(module) = &home {
            if reserved.get(module).is_some_and(|r| r.contains(*name)) {
                problems.push(
                    Diagnostic::new(format!(
                        "the type of `{}` would be named `{name}`, which the resource's own \
                         code already uses (a request builder, event or answer type)",
                        first.id
                    ))
                    .in_file(&first.file)
                    .at(&first.at)
                    .help(format!(
                        "name it in api.yaml: `type_names: [{{at: \"{}\", name: ..., reason: ...}}]`",
                        first.id
                    )),
                );
                continue;
            }
        }
        homes.insert((*name).to_owned(), home);
    }
    Plan {
        names,
        homes,
        enum_values,
    }
}

/// Per name taken alone, the shape that takes it: the one shape, else the shape most nodes
/// have (none on a tie: `None` in the map), else for string enumerations the one with every
/// value of the others (recorded in `enum_values`, with the map holding `None`).
fn winners<'n>(
    nodes: impl Iterator<Item = &'n Node>,
    files: &FxHashSet<&str>,
    banned: &FxHashSet<String>,
    enum_values: &mut FxHashMap<String, Vec<String>>,
) -> FxHashMap<&'n str, Option<Shape>> {
    /// Per shape: how many nodes have it, and its enumeration's values.
    type Shapes<'n> = BTreeMap<Shape, (usize, Option<&'n Vec<String>>)>;
    let mut shapes_of: FxHashMap<&str, Shapes<'_>> = FxHashMap::default();
    for node in nodes {
        if let Some(candidate) = alone(node, files, banned) {
            let entry = shapes_of
                .entry(candidate)
                .or_default()
                .entry(node.shape)
                .or_insert((0, node.enum_values.as_ref()));
            entry.0 += 1;
        }
    }
    enum_values.clear();
    let mut winner = FxHashMap::default();
    for (candidate, shapes) in shapes_of {
        if shapes.len() == 1 {
            winner.insert(candidate, shapes.keys().next().copied());
            continue;
        }
        let enums: Vec<&Vec<String>> = shapes.values().filter_map(|(_, v)| *v).collect();

        let superset = enums.iter().find(|big| {
            enums
                .iter()
                .all(|small| small.iter().all(|v| big.contains(v)))
        });
        if let (Some(superset), true) = (superset, enums.len() > 1) {
            enum_values.insert(candidate.to_owned(), (*superset).clone());
            winner.insert(candidate, None);
            continue;
        }
        let mut counts: Vec<(usize, Shape)> = shapes.iter().map(|(s, (n, _))| (*n, *s)).collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let total: usize = counts.iter().map(|(n, _)| n).sum();
        // The name goes to a shape only when it is the shape of at least two thirds of the
        // uses: a name many different shapes share (`SortField`, `Status`) means nothing
        // alone.
        if counts[0].0 * 3 >= total * 2 {
            winner.insert(candidate, Some(counts[0].1));
        }
    }
    winner
}

/// Whether `node` takes `candidate` alone.
fn takes(
    winners: &FxHashMap<&str, Option<Shape>>,
    enum_values: &FxHashMap<String, Vec<String>>,
    candidate: &str,
    node: &Node,
) -> bool {
    match winners.get(candidate) {
        Some(Some(shape)) => *shape == node.shape,
        Some(None) => enum_values.contains_key(candidate) && node.enum_values.is_some(),
        None => false,
    }
}

/// Nodes that are copies of one another in a family: same shape, same part.
fn family_key(node: &Node) -> (String, Shape) {
    (node.suffix.clone(), node.shape)
}

/// The longest run of whole `CamelCase` words that every name starts with (a name may go on
/// with a plural `s` after it: `ExperienceEndpoints` shares `ExperienceEndpoint`).
fn common_prefix<'n>(names: impl Iterator<Item = &'n str>) -> String {
    let names: Vec<&str> = names.collect();
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut len = first.len();
    for name in &names[1..] {
        len = first
            .bytes()
            .zip(name.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    // Cut back to a word boundary: the prefix must end where a word ends in every name.
    while len > 0 {
        let ends_word = names.iter().all(|n| {
            let rest = &n[len..];
            rest.is_empty()
                || rest.starts_with(|c: char| c.is_ascii_uppercase())
                || rest == "s"
                || rest.starts_with("s") && rest[1..].starts_with(|c: char| c.is_ascii_uppercase())
        });
        if ends_word && first.is_char_boundary(len) {
            break;
        }
        len -= 1;
    }
    first[..len].to_owned()
}

/// The name `node` may take alone, if any.
fn alone<'n>(
    node: &'n Node,
    files: &FxHashSet<&str>,
    banned: &FxHashSet<String>,
) -> Option<&'n str> {
    let candidate = node.candidate.as_deref()?;
    (may_stand_alone(candidate) && !files.contains(candidate) && !banned.contains(candidate))
        .then_some(candidate)
}

/// Whether the nodes named `name` took it alone (rather than from their parents).
fn shared(users: &[&Node], name: &str) -> bool {
    users.iter().any(|n| n.candidate.as_deref() == Some(name))
}

/// `parent` followed by `suffix`, as one `UpperCamelCase` name.
fn join(parent: &str, suffix: &str) -> String {
    upper_camel(&format!("{parent}{suffix}"))
}

/// Where a type goes: in the file of the one schema that uses it, in the module of the one
/// resource whose parameters use it, or in a file of its own when several do.
fn home_of(name: &str, users: &[&Node], files: &BTreeMap<String, String>) -> Home {
    let origins: BTreeSet<String> = users
        .iter()
        .map(|n| match &n.origin {
            Origin::Model(id) => format!("m {id}"),
            Origin::Resource(module) => format!("r {module}"),
        })
        .collect();
    match (origins.len(), &users[0].origin) {
        (1, Origin::Model(id)) => Home::Models(module(files.get(id).map_or(name, String::as_str))),
        (1, Origin::Resource(module)) => Home::Resource(module.clone()),
        _ => Home::Models(module(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node_of(shape: Shape) -> Node {
        Node {
            id: String::new(),
            parent: None,
            suffix: String::new(),
            candidate: None,
            shape,
            origin: Origin::Resource(String::new()),
            file: String::new(),
            at: String::new(),
            file_root: false,
            enum_values: None,
        }
    }

    #[test]
    fn shapes_rank_in_the_order_of_their_text() {
        let mut interner = ShapeInterner::default();
        let texts = ["{type=b}", "{type=a}", "{type=c}", "{type=a}"];
        let mut nodes: Vec<Node> = texts
            .iter()
            .map(|t| node_of(interner.intern((*t).to_owned())))
            .collect();
        interner.rank(&mut nodes);
        let shapes: Vec<Shape> = nodes.iter().map(|n| n.shape).collect();
        // Equal texts are one shape; the order is that of the texts, not of arrival.
        assert_eq!(shapes, [Shape(1), Shape(0), Shape(2), Shape(0)]);
    }

    #[test]
    fn common_prefixes_end_at_a_word_in_every_name() {
        let prefix = |names: &[&str]| common_prefix(names.iter().copied());
        assert_eq!(prefix(&["NotebookPost", "NotebookPatch"]), "Notebook");
        assert_eq!(
            prefix(&["ExperienceEndpoints", "ExperienceEndpointPatch"]),
            "ExperienceEndpoint"
        );
        // A plural `s` after the shared words, at the end of a name or before its next word.
        assert_eq!(prefix(&["ApiTokens", "ApiTokenPost"]), "ApiToken");
        assert_eq!(prefix(&["DevicesTag", "DeviceTag"]), "Device");
        // Not a plural: `Tokenize` does not end a word.
        assert_eq!(prefix(&["ApiTokenize", "ApiTokenPost"]), "Api");
        assert_eq!(prefix(&["Same", "Same"]), "Same");
        assert_eq!(prefix(&[]), "");
        // No word boundary down to the first character (names given by hand may start in
        // lower case): nothing is shared, and the search stops there.
        assert_eq!(prefix(&["abc", "abd"]), "");
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("DeviceTags"), "DeviceTag");
        assert_eq!(singular("Entries"), "Entry");
        assert_eq!(singular("Addresses"), "Address");
        assert_eq!(singular("Status"), "StatusItem");
        assert_eq!(singular("DeviceClass"), "DeviceClassItem");
        assert_eq!(singular("Data"), "DataItem");
        assert_eq!(singular("Items"), "Item");
        assert_eq!(singular("Boxes"), "Box");
        // The lengths at which a rule starts to apply: "ies" needs a stem of two letters
        // (`Pies` is a plural in "s"), a plural in "s" a stem of two (`Xs` is not one).
        assert_eq!(singular("Pies"), "Pie");
        assert_eq!(singular("Flies"), "Fly");
        assert_eq!(singular("Ids"), "Id");
        assert_eq!(singular("Xs"), "XsItem");
    }
}
