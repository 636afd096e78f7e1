// The support code of the emitted conformance test, kept as plain Rust so that it reads (and
// diffs) like Rust rather than like a `quote!` template. It is not a module of the generator:
// `emit_conformance` parses it with `syn` and appends its items to the test file, after the
// items that name the generated crate. Those define `SCHEMAS_DIR` (the spec's schema folder,
// relative to the crate's manifest folder) and `check_examples`; everything here is generic.
// Only doc comments survive the trip (`syn` drops `//` comments), so explanations go in docs.

/// The named schema `id` (its file in the spec folder), as JSON; each file is read once.
fn schema(id: &str) -> Result<Value, String> {
    static CACHE: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, Value>>,
    > = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(id).cloned()) {
        return Ok(found);
    }
    let read = read_schema(id)?;
    if let Ok(mut c) = cache.lock() {
        c.insert(id.to_owned(), read.clone());
    }
    Ok(read)
}

/// Reads and parses the schema file of `id`.
fn read_schema(id: &str) -> Result<Value, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(SCHEMAS_DIR)
        .join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|err| format!("cannot parse {}: {err}", path.display()))
}

/// The first example of the named schema `id`, read from the spec folder.
fn example(id: &str) -> Result<Value, String> {
    schema(id)?
        .get("examples")
        .and_then(|e| e.get(0))
        .cloned()
        .ok_or_else(|| format!("schema {id} has no example"))
}

/// The example of the named schema `id`, decoded as `T`.
#[allow(dead_code)]
fn example_as<T: DeserializeOwned>(id: &str) -> Result<T, String> {
    serde_json::from_value(example(id)?).map_err(|err| format!("example of {id}: {err}"))
}

/// The schema a `$ref` names (`other.yaml` is the named schema `other`), if `s` is one.
fn referenced(s: &Value) -> Option<Value> {
    let id = s.get("$ref")?.as_str()?.strip_suffix(".yaml")?;
    schema(id).ok()
}

/// The schemas a value may follow, given the schemas of its place: those, with `$ref`s to
/// schema files resolved and the branches of `allOf`, `oneOf` and `anyOf` added.
fn alternatives(schemas: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack = schemas;
    while let Some(s) = stack.pop() {
        if let Some(id) = s.get("$ref").and_then(Value::as_str) {
            if seen.insert(id.to_owned()) {
                stack.extend(referenced(&s));
            }
        }
        for combinator in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(combinator) {
                stack.extend(branches.iter().cloned());
            }
        }
        out.push(s);
    }
    out
}

/// Whether the models keep a member named `key` of an object that follows one of
/// `alternatives`: it is a declared property, or the schema maps arbitrary keys
/// (`patternProperties`, a schema as `additionalProperties`, or an object with no properties
/// at all). No known schema keeps everything.
fn kept(alternatives: &[Value], key: &str) -> bool {
    alternatives.is_empty()
        || alternatives.iter().any(|s| {
            let object_like = match s.get("type") {
                None => true,
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
                Some(_) => false,
            };
            let combinator = ["allOf", "oneOf", "anyOf", "$ref"]
                .iter()
                .any(|k| s.get(k).is_some());
            s.get("properties").and_then(|p| p.get(key)).is_some()
                || s.get("patternProperties").is_some()
                || s.get("additionalProperties").is_some_and(Value::is_object)
                || (object_like && !combinator && s.get("properties").is_none())
        })
}

/// The schemas of member `key` (or, with `None`, of an array's items) in `alternatives`.
fn inner(alternatives: &[Value], key: Option<&str>) -> Vec<Value> {
    alternatives
        .iter()
        .flat_map(|s| match key {
            Some(key) => {
                let mut found: Vec<Value> = s
                    .get("properties")
                    .and_then(|p| p.get(key))
                    .cloned()
                    .into_iter()
                    .collect();
                found.extend(s.get("additionalProperties").filter(|a| a.is_object()).cloned());
                if let Some(Value::Object(patterns)) = s.get("patternProperties") {
                    found.extend(patterns.values().cloned());
                }
                found
            }
            None => s.get("items").cloned().into_iter().collect(),
        })
        .collect()
}

/// Where `actual` first differs from `expected` (a JSON pointer and both values), if it does:
/// numbers compare by value, strings that are both RFC 3339 date-times by instant, and a `null`
/// member equals an absent one. `schemas` are those of this place: a member of `expected` the
/// models do not keep (see [`kept`]) may be missing from `actual`; its pointer goes to
/// `dropped`.
fn equivalent(
    expected: &Value,
    actual: &Value,
    schemas: Vec<Value>,
    at: &str,
    dropped: &mut Vec<String>,
) -> Option<String> {
    let differs = || Some(format!("{at}: expected {expected}, got {actual}"));
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            if a.as_f64() == b.as_f64() {
                None
            } else {
                differs()
            }
        }
        (Value::String(a), Value::String(b)) => {
            if a == b {
                return None;
            }
            match (
                chrono::DateTime::parse_from_rfc3339(a),
                chrono::DateTime::parse_from_rfc3339(b),
            ) {
                (Ok(a), Ok(b)) if a == b => None,
                _ => differs(),
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return differs();
            }
            let items = inner(&alternatives(schemas), None);
            a.iter().zip(b).enumerate().find_map(|(i, (a, b))| {
                equivalent(a, b, items.clone(), &format!("{at}/{i}"), dropped)
            })
        }
        (Value::Object(a), Value::Object(b)) => {
            let null = Value::Null;
            let alternatives = alternatives(schemas);
            a.keys().chain(b.keys()).find_map(|key| {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                let (expected, actual) = (a.get(key).unwrap_or(&null), b.get(key).unwrap_or(&null));
                if actual.is_null() && !expected.is_null() && !kept(&alternatives, key) {
                    dropped.push(pointer);
                    return None;
                }
                equivalent(expected, actual, inner(&alternatives, Some(key)), &pointer, dropped)
            })
        }
        (a, b) => {
            if a == b {
                None
            } else {
                differs()
            }
        }
    }
}

/// What running the examples through the models found.
#[derive(Default)]
struct Findings {
    /// Examples that do not decode or encode.
    failures: Vec<String>,
    /// Examples that re-encode differently where their schema says the models keep it.
    lossy: Vec<String>,
    /// Members of examples their schemas do not declare, which the models drop.
    dropped: Vec<String>,
}

/// Decodes the example of schema `id` as `T`, encodes it back and compares.
#[allow(dead_code)]
fn check<T: DeserializeOwned + Serialize>(id: &str, findings: &mut Findings) {
    let expected = match example(id) {
        Ok(expected) => expected,
        Err(err) => return findings.failures.push(format!("{id}: {err}")),
    };
    let decoded: T = match serde_json::from_value(expected.clone()) {
        Ok(decoded) => decoded,
        Err(err) => return findings.failures.push(format!("{id}: does not decode: {err}")),
    };
    match serde_json::to_value(&decoded) {
        Ok(actual) => {
            let mut dropped = Vec::new();
            let schemas = schema(id).into_iter().collect();
            if let Some(difference) = equivalent(&expected, &actual, schemas, "", &mut dropped) {
                findings
                    .lossy
                    .push(format!("{id}: re-encodes differently at {difference}"));
            }
            findings
                .dropped
                .extend(dropped.into_iter().map(|at| format!("{id}: {at}")));
        }
        Err(err) => findings.failures.push(format!("{id}: does not encode: {err}")),
    }
}

#[test]
fn examples_decode_and_encode() {
    let findings = check_examples();
    assert!(
        findings.failures.is_empty(),
        "{} schema examples do not decode or encode:\n{}",
        findings.failures.len(),
        findings.failures.join("\n")
    );
}

/// Every example re-encodes to itself, and no member of a published example is lost: the spec
/// declares every member its examples use, so the models keep them all.
#[test]
fn examples_round_trip() {
    let findings = check_examples();
    assert!(
        findings.dropped.is_empty(),
        "{} members of published examples are not in their schemas, so the models drop them:\n{}",
        findings.dropped.len(),
        findings.dropped.join("\n")
    );
    assert!(
        findings.lossy.is_empty(),
        "{} schema examples do not round-trip:\n{}",
        findings.lossy.len(),
        findings.lossy.join("\n")
    );
}

/// The seed of the drawn values when `CONFORMANCE_SEED` does not set one: CI draws the same
/// values on every run, and a failure names the seed and case that reproduce it.
const DEFAULT_SEED: u64 = 0x5eed_1a57;

/// Values drawn per named schema when `CONFORMANCE_CASES` does not say.
const DEFAULT_CASES: u64 = 48;

/// How deep drawn values nest before optional members and array items stop being drawn, so
/// that recursive schemas give finite values.
const MAX_DEPTH: usize = 6;

/// Draws JSON values that a schema accepts, from a seeded generator, bounded in depth and
/// size. Rolled by hand rather than with proptest's strategies because the schemas are data
/// read at run time (with `$ref`s between files), and the value, not a shrunk one, is what a
/// failure needs to show; `fastrand` gives the seeded randomness.
struct Draw {
    rng: fastrand::Rng,
}

impl Draw {
    /// A generator for one case.
    fn new(seed: u64) -> Self {
        Draw {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// A value `s` accepts, drawn at nesting `depth`. Members the schema does not declare
    /// are not drawn: the models keep declared members only.
    fn value(&mut self, s: &Value, depth: usize) -> Value {
        if depth > 3 * MAX_DEPTH {
            return Value::Null;
        }
        if let Some(target) = referenced(s) {
            return self.value(&target, depth);
        }
        if let Some(value) = s.get("const") {
            return value.clone();
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            if !values.is_empty() {
                return values[self.rng.usize(..values.len())].clone();
            }
        }
        for combinator in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(combinator) {
                if !branches.is_empty() {
                    let branch = &branches[self.rng.usize(..branches.len())];
                    return self.value(&merged(s, combinator, branch), depth);
                }
            }
        }
        if let Some(Value::Array(branches)) = s.get("allOf") {
            let mut all = s.clone();
            if let Some(all) = all.as_object_mut() {
                all.remove("allOf");
            }
            let all = branches
                .iter()
                .fold(all, |all, branch| merged(&all, "allOf", branch));
            return self.value(&all, depth);
        }
        let types: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).collect(),
            _ if s.get("properties").is_some() || s.get("patternProperties").is_some() => {
                vec!["object"]
            }
            _ if s.get("items").is_some() => vec!["array"],
            _ => vec![],
        };
        if types.is_empty() {
            return self.any(depth);
        }
        match types[self.rng.usize(..types.len())] {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.rng.bool()),
            "integer" => self.integer(s),
            "number" => self.number(s),
            "string" => Value::String(self.string(s)),
            "array" => {
                let (min, max) = bounds(s, "minItems", "maxItems", if depth < MAX_DEPTH { 3 } else { 0 });
                let items = s.get("items").cloned().unwrap_or(Value::Bool(true));
                let len = self.rng.usize(min..=max);
                Value::Array((0..len).map(|_| self.value(&items, depth + 1)).collect())
            }
            _ => self.object(s, depth),
        }
    }

    /// An object: every required member, each optional one by a coin toss (rarer deep down),
    /// and a few members under each pattern or additional-properties schema.
    fn object(&mut self, s: &Value, depth: usize) -> Value {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = serde_json::Map::new();
        if let Some(Value::Object(properties)) = s.get("properties") {
            for (key, property) in properties {
                let odds = if depth < MAX_DEPTH { 2 } else { 8 };
                if required.contains(&key.as_str()) || self.rng.u8(..odds) == 0 {
                    out.insert(key.clone(), self.value(property, depth + 1));
                }
            }
        }
        let mut maps: Vec<&Value> = Vec::new();
        if let Some(Value::Object(patterns)) = s.get("patternProperties") {
            maps.extend(patterns.values());
        }
        maps.extend(s.get("additionalProperties").filter(|a| a.is_object()));
        for map in maps {
            let count = if depth < MAX_DEPTH { self.rng.usize(..=2) } else { 0 };
            for _ in 0..count {
                let key = format!("k{}", self.rng.u32(..1000));
                if !out.contains_key(&key) {
                    out.insert(key, self.value(map, depth + 1));
                }
            }
        }
        Value::Object(out)
    }

    /// Any JSON value, for a schema without a type.
    fn any(&mut self, depth: usize) -> Value {
        let kinds = if depth < MAX_DEPTH { 7 } else { 5 };
        match self.rng.u8(..kinds) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.bool()),
            2 => self.integer(&Value::Null),
            3 => self.number(&Value::Null),
            4 => Value::String(self.string(&Value::Null)),
            5 => Value::Array((0..self.rng.usize(..3)).map(|_| self.any(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.rng.usize(..3))
                    .map(|i| (format!("m{i}"), self.any(depth + 1)))
                    .collect(),
            ),
        }
    }

    /// An integer within the schema's bounds, favouring the edges of `i64` and of the
    /// integers an `f64` holds exactly.
    fn integer(&mut self, s: &Value) -> Value {
        let low = s.get("minimum").and_then(Value::as_f64).map_or(i64::MIN, |m| m.ceil() as i64);
        let high = s.get("maximum").and_then(Value::as_f64).map_or(i64::MAX, |m| m.floor() as i64);
        let candidates = [
            0,
            1,
            -1,
            low,
            high,
            i64::from(self.rng.i32(..)),
            (1 << 53) + 1,
            -(1 << 53) - 1,
            self.rng.i64(..),
        ];
        let pick = candidates[self.rng.usize(..candidates.len())];
        Value::from(pick.clamp(low, high.max(low)))
    }

    /// A number within the schema's bounds: integers, short decimals, the extremes of `f64`
    /// and arbitrary bit patterns, which only exact parsing keeps.
    fn number(&mut self, s: &Value) -> Value {
        let low = s.get("minimum").and_then(Value::as_f64).unwrap_or(f64::MIN);
        let high = s.get("maximum").and_then(Value::as_f64).unwrap_or(f64::MAX);
        let pick = match self.rng.u8(..8) {
            0 => Value::from(self.rng.i32(..)),
            1 => serde_json::json!(0.1),
            2 => serde_json::json!(f64::MAX),
            3 => serde_json::json!(5e-324),
            4 => serde_json::json!(-123.456e-7),
            _ => loop {
                let x = f64::from_bits(self.rng.u64(..));
                if x.is_finite() {
                    break serde_json::json!(x);
                }
            },
        };
        match pick.as_f64() {
            Some(x) if x >= low && x <= high => pick,
            _ => serde_json::json!(if low.is_finite() && low > f64::MIN { low } else { high }),
        }
    }

    /// A string within the schema's length bounds: a date-time with a random offset and
    /// precision where the format says so, otherwise text mixing ASCII, escapes, accents, CJK
    /// and characters beyond the Basic Multilingual Plane.
    fn string(&mut self, s: &Value) -> String {
        if s.get("format").and_then(Value::as_str) == Some("date-time") {
            return self.date_time();
        }
        const POOL: &[char] = &[
            'a', 'Z', '0', '9', ' ', '-', '_', '.', '"', '\\', '/', '\n', '\t', 'é', 'ß', '漢',
            '字', '🚀', '\u{7f}', '\u{2028}',
        ];
        let (min, max) = bounds(s, "minLength", "maxLength", 12);
        (0..self.rng.usize(min..=max))
            .map(|_| POOL[self.rng.usize(..POOL.len())])
            .collect()
    }

    /// An RFC 3339 date-time between 1970 and 2100, in UTC (`Z`) or at an offset, with
    /// seconds, milliseconds, microseconds or nanoseconds.
    fn date_time(&mut self) -> String {
        let seconds = self.rng.i64(0..4_102_444_800);
        let nanos = match self.rng.u8(..4) {
            0 => 0,
            1 => self.rng.u32(..1000) * 1_000_000,
            2 => self.rng.u32(..1_000_000) * 1000,
            _ => self.rng.u32(..1_000_000_000),
        };
        let offset = [0, 3600, -5 * 3600 - 1800, 14 * 3600][self.rng.usize(..4)];
        let offset = chrono::FixedOffset::east_opt(offset).expect("offset in range");
        let time = chrono::DateTime::from_timestamp(seconds, nanos)
            .expect("instant in range")
            .with_timezone(&offset);
        time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, self.rng.bool())
    }
}

/// `outer` with the `combinator` keyword replaced by `branch`'s keywords: a branch of `oneOf`
/// or `allOf` inherits its parent's (a common `type`, shared `properties`), and for `allOf`
/// the `properties` and `required` lists of the two are joined.
fn merged(outer: &Value, combinator: &str, branch: &Value) -> Value {
    let branch = referenced(branch).unwrap_or_else(|| branch.clone());
    let mut out = outer.clone();
    let (Some(out_map), Some(branch)) = (out.as_object_mut(), branch.as_object()) else {
        return branch;
    };
    out_map.remove(combinator);
    for (key, value) in branch {
        match (key.as_str(), out_map.get_mut(key)) {
            ("properties", Some(Value::Object(mine))) => {
                if let Value::Object(theirs) = value {
                    mine.extend(theirs.clone());
                }
            }
            ("required", Some(Value::Array(mine))) => {
                if let Value::Array(theirs) = value {
                    mine.extend(theirs.iter().cloned());
                }
            }
            _ => {
                out_map.insert(key.clone(), value.clone());
            }
        }
    }
    out
}

/// The schema's length or count bounds named `min` and `max`, with at most `spread` more than
/// the minimum drawn.
fn bounds(s: &Value, min: &str, max: &str, spread: usize) -> (usize, usize) {
    let low = s.get(min).and_then(Value::as_u64).unwrap_or(0) as usize;
    let high = s
        .get(max)
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    (low, high.min(low + spread).max(low))
}

/// Where `actual` first differs from `expected`, strictly: the same members (a `null` is not
/// an absent member), numbers equal exactly (an integer may come back as the same `f64`),
/// and date-times equal in instant and offset (the text may gain milliseconds).
fn same(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    let differs = || Some(format!("{at}: sent {expected}, got back {actual}"));
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            let exact = match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(a), Some(b), ..) => a == b,
                (.., Some(a), Some(b)) => a == b,
                _ => a.as_f64() == b.as_f64() && [a, b].iter().all(|n| exact_f64(n)),
            };
            if exact {
                None
            } else {
                differs()
            }
        }
        (Value::String(a), Value::String(b)) if a != b => {
            match (
                chrono::DateTime::parse_from_rfc3339(a),
                chrono::DateTime::parse_from_rfc3339(b),
            ) {
                (Ok(x), Ok(y)) if x == y && x.offset() == y.offset() => None,
                _ => differs(),
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return differs();
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (a, b))| same(a, b, &format!("{at}/{i}")))
        }
        (Value::Object(a), Value::Object(b)) => {
            if let Some(key) = a.keys().find(|k| !b.contains_key(*k)) {
                return Some(format!("{at}/{key}: sent {}, got back nothing", a[key]));
            }
            if let Some(key) = b.keys().find(|k| !a.contains_key(*k)) {
                return Some(format!("{at}/{key}: sent nothing, got back {}", b[key]));
            }
            a.iter().find_map(|(key, a)| same(a, &b[key], &format!("{at}/{key}")))
        }
        (a, b) => {
            if a == b {
                None
            } else {
                differs()
            }
        }
    }
}

/// Whether a JSON number is held exactly by an `f64` (its text parses to a value that prints
/// back the same, or it is an integer an `f64` holds).
fn exact_f64(n: &serde_json::Number) -> bool {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), ..) => i.unsigned_abs() <= 1 << 53,
        (_, Some(u), _) => u <= 1 << 53,
        (.., Some(_)) => true,
        _ => false,
    }
}

/// Decodes `value`'s JSON text as `T` and encodes it back to text, failing where the two
/// differ (see [`same`]). Text, not `Value`, so that number parsing is part of the trip.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<(), String> {
    let decoded: T = serde_json::from_str(&value.to_string())
        .map_err(|err| format!("does not decode: {err}"))?;
    let text = serde_json::to_string(&decoded).map_err(|err| format!("does not encode: {err}"))?;
    let actual: Value = serde_json::from_str(&text).map_err(|err| format!("encodes invalid JSON: {err}"))?;
    match same(value, &actual, "") {
        None => Ok(()),
        Some(difference) => Err(format!("re-encodes differently at {difference}")),
    }
}

/// A named schema's id and the round trip through its Rust type.
type RoundTrip = (&'static str, fn(&Value) -> Result<(), String>);

/// Every named schema accepts the values drawn from it, decoded into its model and encoded back
/// unchanged. `CONFORMANCE_SEED` and `CONFORMANCE_CASES` change the seed and the number of
/// values per schema; a failure prints both, with the value, so that it can be replayed.
#[test]
fn values_drawn_from_each_schema_round_trip() {
    let seed = std::env::var("CONFORMANCE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let cases = std::env::var("CONFORMANCE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let mut failures = Vec::new();
    let mut drawn = 0u64;
    for (id, check) in round_trips() {
        let schema = match schema(id) {
            Ok(schema) => schema,
            Err(err) => {
                failures.push(format!("{id}: {err}"));
                continue;
            }
        };
        let id_hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        for case in 0..cases {
            let value = Draw::new(seed ^ id_hash ^ case).value(&schema, 0);
            drawn += 1;
            if let Err(err) = check(&value) {
                let mut text = value.to_string();
                if text.len() > 2000 {
                    let cut = (0..=2000).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                    text = format!("{} ... ({} bytes in all)", &text[..cut], text.len());
                }
                failures.push(format!(
                    "{id} (CONFORMANCE_SEED={seed}, case {case}): {err}\n  value: {text}"
                ));
                break;
            }
        }
    }
    assert!(drawn > 0, "no schema was checked");
    assert!(
        failures.is_empty(),
        "{} of the named schemas do not round-trip values drawn from them ({drawn} values drawn):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
