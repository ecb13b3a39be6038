//! `${VAR}` and `${VAR:-default}` in string values, resolved from the environment before the
//! typed parse (so `listen = "${HOST:-0.0.0.0}:8080"` works), except in secret fields
//! (`api_key`, `keys[].key`), which keep their reference and are resolved only when clients
//! are built, so a `Config` never holds a key.

use serde::{Deserialize, Deserializer, de};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::ConfigError;
use crate::source::{FieldPath, Source};

/// Looks up an environment variable.
pub(crate) type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// The process environment.
pub(crate) fn process_env(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

/// Why a string could not be interpolated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum InterpolationError {
    Missing(String),
    Syntax(String),
}

fn valid_var(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces `${VAR}` and `${VAR:-default}`; `$$` is a literal `$`.
pub(crate) fn interpolate(s: &str, env: Env<'_>) -> Result<String, InterpolationError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| InterpolationError::Syntax(format!("unclosed `${{` in {s:?}")))?;
            let inner = &body[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            if !valid_var(name) {
                return Err(InterpolationError::Syntax(format!(
                    "`${{{inner}}}` is not a valid environment variable reference"
                )));
            }
            match (
                env(name).filter(|v| !(default.is_some() && v.is_empty())),
                default,
            ) {
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => return Err(InterpolationError::Missing(name.to_owned())),
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The provider fields that hold secret references.
const SECRET_PROVIDER_FIELDS: &[&str] = &[
    "api_key",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

/// Whether the value at `path` is a secret reference (left for [`SecretRef`]).
fn is_secret(path: &FieldPath) -> bool {
    use crate::source::Seg;
    match path.0.as_slice() {
        [Seg::Key(top), Seg::Key(_), Seg::Key(field)] => {
            top == "providers" && SECRET_PROVIDER_FIELDS.contains(&field.as_str())
        }
        [Seg::Key(top), Seg::Index(_), Seg::Key(field)] => top == "keys" && field == "key",
        _ => false,
    }
}

/// Interpolates every string in the document, collecting errors.
pub(crate) fn interpolate_document(
    root: &mut Spanned<DeTable<'_>>,
    source: &Source,
    env: Env<'_>,
    errors: &mut Vec<ConfigError>,
) {
    walk_table(root.get_mut(), &FieldPath::default(), source, env, errors);
}

fn walk_table(
    table: &mut DeTable<'_>,
    path: &FieldPath,
    source: &Source,
    env: Env<'_>,
    errors: &mut Vec<ConfigError>,
) {
    for (key, value) in table.iter_mut() {
        let p = path.key(key.get_ref());
        walk_value(value, &p, source, env, errors);
    }
}

fn walk_value(
    value: &mut Spanned<DeValue<'_>>,
    path: &FieldPath,
    source: &Source,
    env: Env<'_>,
    errors: &mut Vec<ConfigError>,
) {
    let start = value.span().start;
    match value.get_mut() {
        DeValue::String(s) => {
            if is_secret(path) || !s.contains('$') {
                return;
            }
            match interpolate(s, env) {
                Ok(v) => *s = v.into(),
                Err(InterpolationError::Missing(var)) => errors.push(ConfigError::MissingEnv {
                    location: source.at_offset(start),
                    field: path.to_string(),
                    var,
                }),
                Err(InterpolationError::Syntax(message)) => errors.push(ConfigError::Invalid {
                    location: source.at_offset(start),
                    field: path.to_string(),
                    message,
                }),
            }
        }
        DeValue::Table(t) => walk_table(t, path, source, env, errors),
        DeValue::Array(a) => {
            for (i, item) in a.iter_mut().enumerate() {
                walk_value(item, &path.index(i), source, env, errors);
            }
        }
        _ => {}
    }
}

/// A reference to a secret in the environment, written `"${VAR}"`. Never the secret itself:
/// a literal value is refused when the file is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    var: String,
}

impl SecretRef {
    /// A reference to `var`.
    pub fn env(var: impl Into<String>) -> Self {
        Self { var: var.into() }
    }

    /// The environment variable.
    pub fn var(&self) -> &str {
        &self.var
    }

    /// The secret's value; `None` when the variable is unset or empty.
    pub(crate) fn resolve(&self, env: Env<'_>) -> Option<String> {
        env(&self.var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let var = s
            .trim()
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .filter(|v| valid_var(v));
        match var {
            Some(v) => Ok(Self::env(v)),
            None if s.contains("${") => Err(de::Error::custom(
                "a secret must be exactly one environment variable reference, like \"${OPENAI_API_KEY}\" (no default, nothing around it)",
            )),
            None => Err(de::Error::custom(
                "literal secret in the config file: keep keys out of files; put it in an environment variable and write \"${VAR_NAME}\" here",
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        match var {
            "HOST" => Some("10.0.0.1".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn interpolates() {
        assert_eq!(interpolate("${HOST}:8080", &env).unwrap(), "10.0.0.1:8080");
        assert_eq!(interpolate("${NOPE:-1.2.3.4}", &env).unwrap(), "1.2.3.4");
        assert_eq!(interpolate("${EMPTY:-d}", &env).unwrap(), "d");
        assert_eq!(interpolate("${EMPTY}", &env).unwrap(), "");
        assert_eq!(interpolate("a$$b $x", &env).unwrap(), "a$b $x");
        assert_eq!(
            interpolate("${NOPE}", &env),
            Err(InterpolationError::Missing("NOPE".into()))
        );
        assert!(matches!(
            interpolate("${bad-name}", &env),
            Err(InterpolationError::Syntax(_))
        ));
        assert!(matches!(
            interpolate("${HOST", &env),
            Err(InterpolationError::Syntax(_))
        ));
    }
}
