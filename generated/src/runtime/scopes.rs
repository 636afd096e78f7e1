//! Token scopes: whether a token may call an operation; the scopes and expiry a JWT token carries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;

/// True when `accepted` is empty or shares a scope with `token_scopes`. Scopes match exactly:
/// the API lists wildcard scopes such as `orgs.*` among the accepted ones.
pub(crate) fn allows<S: AsRef<str>>(accepted: &[&str], token_scopes: &[S]) -> bool {
    accepted.is_empty()
        || token_scopes
            .iter()
            .any(|scope| accepted.contains(&scope.as_ref()))
}

/// The claims of a JWT's payload, or `None` when `token` is not a JWT. The signature is not
/// checked: what is read only serves to fail early on calls the API would refuse anyway, and
/// to renew a token before it expires.
fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD_INDIFFERENT.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The `scope` claim of a JWT's payload (an array of strings or a space-separated string), or
/// `None` when `token` is not a JWT or has no such claim.
pub(crate) fn jwt_scopes(token: &str) -> Option<Vec<String>> {
    match jwt_claims(token)?.get("scope")? {
        serde_json::Value::String(s) => Some(s.split_whitespace().map(str::to_owned).collect()),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The `exp` claim of a JWT's payload (seconds since the Unix epoch), or `None` when `token`
/// is not a JWT or has no usable such claim.
pub(crate) fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let seconds = jwt_claims(token)?.get("exp")?.as_f64()?;
    (0.0..1e12)
        .contains(&seconds)
        .then(|| UNIX_EPOCH + Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.sig",
            URL_SAFE_NO_PAD_INDIFFERENT.encode(payload)
        )
    }

    #[test]
    fn reads_scope_claims() {
        assert_eq!(
            jwt_scopes(&jwt(r#"{"scope":["all.User","orgs.get"]}"#)),
            Some(vec!["all.User".to_owned(), "orgs.get".to_owned()])
        );
        assert_eq!(
            jwt_scopes(&jwt(r#"{"scope":"a  b"}"#)),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(jwt_scopes(&jwt(r#"{"sub":"x"}"#)), None);
        assert_eq!(jwt_scopes(&jwt(r#"{"scope":[1]}"#)), None);
        assert_eq!(jwt_scopes("not-a-jwt"), None);
        assert_eq!(jwt_scopes("a.!!!.c"), None);
    }

    #[test]
    fn reads_expiry_claims() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp":1700000000}"#)),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":"soon"}"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"exp":-1}"#)), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"x"}"#)), None);
        assert_eq!(jwt_expiry("opaque"), None);
    }

    #[test]
    fn allows_any_accepted_scope() {
        assert!(allows(&["all.User", "orgs.*"], &["orgs.*"]));
        assert!(!allows(&["all.User", "orgs.*"], &["orgs.get"]));
        assert!(allows(&[], &[] as &[&str]));
        assert!(!allows(&["all.User"], &[] as &[&str]));
    }
}
