//! Client-side checks of request values against the spec's constraints.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};

use super::nullable::Nullable;

/// A value whose constraints can be checked before it is sent. Generated models implement it.
pub trait Validate {
    /// Records every problem with this value in `v`, at `v`'s current path.
    fn validate_into(&self, v: &mut Validator);

    /// Checks this value on its own, collecting every problem.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        self.validate_into(&mut v);
        v.finish()
    }
}

impl<T: Validate + ?Sized> Validate for &T {
    fn validate_into(&self, v: &mut Validator) {
        (**self).validate_into(v);
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, v: &mut Validator) {
        (**self).validate_into(v);
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, v: &mut Validator) {
        if let Some(value) = self {
            value.validate_into(v);
        }
    }
}

impl<T: Validate> Validate for Nullable<T> {
    fn validate_into(&self, v: &mut Validator) {
        if let Nullable::Value(value) = self {
            value.validate_into(v);
        }
    }
}

impl<T: Validate> Validate for [T] {
    fn validate_into(&self, v: &mut Validator) {
        for (i, item) in self.iter().enumerate() {
            v.index(i, |v| item.validate_into(v));
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, v: &mut Validator) {
        self.as_slice().validate_into(v);
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_into(&self, v: &mut Validator) {
        for (key, value) in self {
            v.field(key, |v| value.validate_into(v));
        }
    }
}

impl<T: Validate, S> Validate for HashMap<String, T, S> {
    fn validate_into(&self, v: &mut Validator) {
        for (key, value) in self {
            v.field(key, |v| value.validate_into(v));
        }
    }
}

macro_rules! always_valid {
    ($($ty:ty),* $(,)?) => {$(
        impl Validate for $ty {
            fn validate_into(&self, _: &mut Validator) {}
        }
    )*};
}

always_valid!(
    str,
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    serde_json::Value,
    DateTime<Utc>,
    DateTime<FixedOffset>,
);

/// Collects validation errors, each with the path of the value it is about, such as
/// `organization.limits.member` or `tags[3].key`.
#[derive(Debug, Default)]
pub struct Validator {
    path: String,
    errors: Vec<ValidationError>,
}

impl Validator {
    /// An empty validator at the root path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` with `.name` appended to the path.
    pub fn field(&mut self, name: &str, f: impl FnOnce(&mut Validator)) {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
        f(self);
        self.path.truncate(len);
    }

    /// Runs `f` with `[i]` appended to the path.
    pub fn index(&mut self, i: usize, f: impl FnOnce(&mut Validator)) {
        use fmt::Write;
        let len = self.path.len();
        let _ = write!(self.path, "[{i}]");
        f(self);
        self.path.truncate(len);
    }

    /// Records `message` as a problem at the current path.
    pub fn error(&mut self, message: impl Into<String>) {
        self.errors.push(ValidationError {
            path: self.path.clone(),
            message: message.into(),
        });
    }

    /// Records that a required value was not set, unless `present`.
    pub fn required(&mut self, present: bool) {
        if !present {
            self.error("is required but was not set");
        }
    }

    /// Checks that `value` has at least `min` characters (Unicode scalar values, as JSON Schema
    /// counts them).
    pub fn min_length(&mut self, value: &str, min: u64) {
        let len = value.chars().count() as u64;
        if len < min {
            self.error(format!(
                "must be at least {min} {} long (it has {len})",
                plural(min, "character", "characters")
            ));
        }
    }

    /// Checks that `value` has at most `max` characters (Unicode scalar values).
    pub fn max_length(&mut self, value: &str, max: u64) {
        let len = value.chars().count() as u64;
        if len > max {
            self.error(format!(
                "must be at most {max} {} long (it has {len})",
                plural(max, "character", "characters")
            ));
        }
    }

    /// Checks that `regex` matches `value` (anywhere, as JSON Schema's `pattern` does).
    pub fn pattern(&mut self, value: &str, regex: &regex::Regex) {
        if !regex.is_match(value) {
            self.error(format!("must match the pattern `{}`", regex.as_str()));
        }
    }

    /// Checks that `value` is at least `min` (greater than `min` when `exclusive`).
    pub fn minimum(&mut self, value: f64, min: f64, exclusive: bool) {
        let ok = match value.partial_cmp(&min) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Equal) => !exclusive,
            Some(Ordering::Less) | None => false,
        };
        if !ok && exclusive {
            self.error(format!("must be greater than {min} (it is {value})"));
        } else if !ok {
            self.error(format!("must be at least {min} (it is {value})"));
        }
    }

    /// Checks that `value` is at most `max` (less than `max` when `exclusive`).
    pub fn maximum(&mut self, value: f64, max: f64, exclusive: bool) {
        let ok = match value.partial_cmp(&max) {
            Some(Ordering::Less) => true,
            Some(Ordering::Equal) => !exclusive,
            Some(Ordering::Greater) | None => false,
        };
        if !ok && exclusive {
            self.error(format!("must be less than {max} (it is {value})"));
        } else if !ok {
            self.error(format!("must be at most {max} (it is {value})"));
        }
    }

    /// Checks that `value` is a multiple of `m` (allowing for floating-point rounding).
    pub fn multiple_of(&mut self, value: f64, m: f64) {
        if m.is_nan() || m <= 0.0 || m.is_infinite() {
            return;
        }
        let quotient = value / m;
        let ok = quotient.is_finite()
            && (quotient - quotient.round()).abs() <= 1e-9 * quotient.abs().max(1.0);
        if !ok {
            self.error(format!("must be a multiple of {m} (it is {value})"));
        }
    }

    /// Checks that a list of `len` items has at least `min`.
    pub fn min_items(&mut self, len: usize, min: u64) {
        if (len as u64) < min {
            self.error(format!(
                "must have at least {min} {} (it has {len})",
                plural(min, "item", "items")
            ));
        }
    }

    /// Checks that a list of `len` items has at most `max`.
    pub fn max_items(&mut self, len: usize, max: u64) {
        if (len as u64) > max {
            self.error(format!(
                "must have at most {max} {} (it has {len})",
                plural(max, "item", "items")
            ));
        }
    }

    /// Checks that no two of `items` are equal.
    pub fn unique_items<T: PartialEq>(&mut self, items: &[T]) {
        for (j, item) in items.iter().enumerate() {
            if let Some(i) = items[..j].iter().position(|earlier| earlier == item) {
                self.error(format!(
                    "must not contain duplicates (items {i} and {j} are equal)"
                ));
                return;
            }
        }
    }

    /// Checks that an object with `len` properties has at least `min`.
    pub fn min_properties(&mut self, len: usize, min: u64) {
        if (len as u64) < min {
            self.error(format!(
                "must have at least {min} {} (it has {len})",
                plural(min, "property", "properties")
            ));
        }
    }

    /// Checks that an object with `len` properties has at most `max`.
    pub fn max_properties(&mut self, len: usize, max: u64) {
        if (len as u64) > max {
            self.error(format!(
                "must have at most {max} {} (it has {len})",
                plural(max, "property", "properties")
            ));
        }
    }

    /// Whether no problem has been recorded so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok` if no problem was recorded, all of them otherwise.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// One problem found by a [`Validator`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Where the problem is, e.g. `tags[3].key`; empty for the value as a whole.
    pub path: String,
    /// What is wrong, e.g. `must be at least 1 character long (it has 0)`.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ValidationError {}

/// Every problem a [`Validator`] found (at least one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(Vec<ValidationError>);

impl ValidationErrors {
    /// The one problem `message` at `path`.
    pub(crate) fn one(path: &str, message: impl Into<String>) -> Self {
        ValidationErrors(vec![ValidationError {
            path: path.to_owned(),
            message: message.into(),
        }])
    }

    /// The problems, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: there is at least one problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order they were found.
    pub fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} {}: ", if n == 1 { "problem" } else { "problems" })?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value that is at most 2 characters long, as a generated model checks its fields.
    struct Short(&'static str);

    impl Validate for Short {
        fn validate_into(&self, v: &mut Validator) {
            v.max_length(self.0, 2);
        }
    }

    fn paths_of(value: &dyn Fn(&mut Validator)) -> Vec<String> {
        let mut v = Validator::new();
        value(&mut v);
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn containers_check_what_they_hold_at_its_path() {
        let bad = "`x`: must be at most 2 characters long (it has 3)";
        let at = |path: &str| format!("`{path}`: must be at most 2 characters long (it has 3)");
        assert_eq!(
            paths_of(&|v| v.field("x", |v| <&Short as Validate>::validate_into(
                &&Short("abc"),
                v
            ))),
            [bad]
        );
        assert_eq!(
            paths_of(&|v| v.field("x", |v| Box::new(Short("abc")).validate_into(v))),
            [bad]
        );
        assert_eq!(
            paths_of(&|v| v.field("x", |v| Some(Short("abc")).validate_into(v))),
            [bad]
        );
        assert!(paths_of(&|v| None::<Short>.validate_into(v)).is_empty());
        assert_eq!(
            paths_of(&|v| v.field("x", |v| Nullable::Value(Short("abc")).validate_into(v))),
            [bad]
        );
        assert!(paths_of(&|v| Nullable::<Short>::Null.validate_into(v)).is_empty());
        let items = vec![Short("ok"), Short("abc")];
        assert_eq!(
            paths_of(&|v| v.field("x", |v| items.validate_into(v))),
            [at("x[1]")]
        );
        assert_eq!(
            paths_of(&|v| v.field("x", |v| items[..].validate_into(v))),
            [at("x[1]")]
        );
        let tree = BTreeMap::from([("k".to_owned(), Short("abc"))]);
        assert_eq!(
            paths_of(&|v| v.field("x", |v| tree.validate_into(v))),
            [at("x.k")]
        );
        let hash: HashMap<String, Short> = HashMap::from([("k".to_owned(), Short("abc"))]);
        assert_eq!(
            paths_of(&|v| v.field("x", |v| hash.validate_into(v))),
            [at("x.k")]
        );
    }

    #[test]
    fn validate_alone_collects_the_problems() {
        let errors = Short("abc").validate().expect_err("too long");
        assert_eq!(errors.iter().count(), 1);
        assert!(Short("ab").validate().is_ok());
    }

    #[test]
    fn the_error_list_counts_lists_and_prints_its_problems() {
        let mut v = Validator::new();
        v.field("a", |v| v.max_length("abc", 2));
        v.field("b", |v| v.min_length("", 1));
        let errors = v.finish().expect_err("two problems");
        assert_eq!(errors.len(), 2);
        assert!(!errors.is_empty());
        assert_eq!(
            errors.to_string(),
            "2 problems: `a`: must be at most 2 characters long (it has 3); \
             `b`: must be at least 1 character long (it has 0)"
        );
        let by_ref: Vec<String> = (&errors).into_iter().map(|e| e.to_string()).collect();
        let owned: Vec<String> = errors.clone().into_iter().map(|e| e.to_string()).collect();
        let listed: Vec<String> = errors.into_vec().iter().map(|e| e.to_string()).collect();
        assert_eq!(by_ref.len(), 2);
        assert_eq!(by_ref, owned);
        assert_eq!(by_ref, listed);
    }

    #[test]
    fn a_multiple_of_nothing_positive_and_finite_is_not_checked() {
        for m in [0.0, -2.0, f64::NAN, f64::INFINITY] {
            assert!(
                paths_of(&|v| v.multiple_of(3.0, m)).is_empty(),
                "multiple of {m}"
            );
        }
        assert_eq!(
            paths_of(&|v| v.multiple_of(3.0, 2.0)),
            ["must be a multiple of 2 (it is 3)"]
        );
    }

    #[test]
    fn paths_and_messages() {
        let mut v = Validator::new();
        v.field("organization", |v| {
            v.field("name", |v| v.min_length("", 1));
            v.field("tags", |v| {
                v.index(3, |v| v.field("key", |v| v.max_length("äää", 2)));
            });
        });
        v.field("n", |v| {
            v.minimum(0.0, 0.0, true);
            v.maximum(5.0, 5.0, false);
            v.multiple_of(0.3, 0.1);
            v.multiple_of(0.35, 0.1);
        });
        v.unique_items(&[1, 2, 1]);
        let errors = v.finish().expect_err("has errors");
        let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "`organization.name`: must be at least 1 character long (it has 0)",
                "`organization.tags[3].key`: must be at most 2 characters long (it has 3)",
                "`n`: must be greater than 0 (it is 0)",
                "`n`: must be a multiple of 0.1 (it is 0.35)",
                "must not contain duplicates (items 0 and 2 are equal)",
            ]
        );
        assert!(
            errors
                .to_string()
                .starts_with("5 problems: `organization.name`: must")
        );
    }

    #[test]
    fn nan_fails_bounds() {
        let mut v = Validator::new();
        v.minimum(f64::NAN, 0.0, false);
        v.maximum(f64::NAN, 0.0, true);
        assert_eq!(v.finish().expect_err("nan").len(), 2);
    }

    /// Whether `check` accepts: no problem recorded.
    fn accepts(check: impl FnOnce(&mut Validator)) -> bool {
        let mut v = Validator::new();
        check(&mut v);
        v.is_ok()
    }

    /// Every validator at its bound, one below and one above: `(below, at, above)` accepted.
    #[test]
    fn every_bound_at_below_and_above() {
        let bound = |check: &dyn Fn(&mut Validator, i64)| {
            (
                accepts(|v| check(v, 2)),
                accepts(|v| check(v, 3)),
                accepts(|v| check(v, 4)),
            )
        };
        let text = |n: i64| "é".repeat(n as usize);
        assert_eq!(
            bound(&|v, n| v.min_length(&text(n), 3)),
            (false, true, true)
        );
        assert_eq!(
            bound(&|v, n| v.max_length(&text(n), 3)),
            (true, true, false)
        );
        assert_eq!(
            bound(&|v, n| v.minimum(n as f64, 3.0, false)),
            (false, true, true)
        );
        assert_eq!(
            bound(&|v, n| v.minimum(n as f64, 3.0, true)),
            (false, false, true)
        );
        assert_eq!(
            bound(&|v, n| v.maximum(n as f64, 3.0, false)),
            (true, true, false)
        );
        assert_eq!(
            bound(&|v, n| v.maximum(n as f64, 3.0, true)),
            (true, false, false)
        );
        assert_eq!(
            bound(&|v, n| v.min_items(n as usize, 3)),
            (false, true, true)
        );
        assert_eq!(
            bound(&|v, n| v.max_items(n as usize, 3)),
            (true, true, false)
        );
        assert_eq!(
            bound(&|v, n| v.min_properties(n as usize, 3)),
            (false, true, true)
        );
        assert_eq!(
            bound(&|v, n| v.max_properties(n as usize, 3)),
            (true, true, false)
        );
        // A multiple of 3: 3 is, 2 and 4 are not; so are 0 and -3, not 3.000001.
        assert_eq!(
            bound(&|v, n| v.multiple_of(n as f64, 3.0)),
            (false, true, false)
        );
        assert!(accepts(|v| v.multiple_of(0.0, 3.0)));
        assert!(accepts(|v| v.multiple_of(-3.0, 3.0)));
        assert!(!accepts(|v| v.multiple_of(3.000001, 3.0)));
        // Fractional bounds are not rounded.
        assert!(!accepts(|v| v.minimum(0.49999, 0.5, false)));
        assert!(accepts(|v| v.maximum(0.5, 0.5, false)));
        // Lengths count characters, not bytes: 3 two-byte characters are 3 long.
        assert!(accepts(|v| v.max_length("ééé", 3)));
        assert!(!accepts(|v| v.min_length("ab", 3)));
    }

    #[test]
    fn pattern_unique_items_and_required() {
        let digits = regex::Regex::new("^[0-9]{2}$").expect("regex");
        assert!(accepts(|v| v.pattern("42", &digits)));
        assert!(!accepts(|v| v.pattern("4", &digits)));
        assert!(!accepts(|v| v.pattern("421", &digits)));
        // Unanchored patterns match anywhere, as in JSON Schema.
        let anywhere = regex::Regex::new("b").expect("regex");
        assert!(accepts(|v| v.pattern("abc", &anywhere)));
        assert!(accepts(|v| v.unique_items::<i32>(&[])));
        assert!(accepts(|v| v.unique_items(&[1, 2, 3])));
        assert!(!accepts(|v| v.unique_items(&[1, 2, 2])));
        assert!(accepts(|v| v.required(true)));
        assert!(!accepts(|v| v.required(false)));
    }
}
