//! Reading a JSON request by hand, so every error names the field (`messages[2].content[0].text`)
//! and the problem, the way Anthropic's own validation errors do.

use llm_router_core::{Error, ErrorKind};
use serde_json::{Map, Value};

pub(crate) type Obj = Map<String, Value>;

/// An `InvalidRequest` error.
pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `path: expected <what>, got <type>`.
pub(crate) fn wrong_type(path: &str, what: &str, got: &Value) -> Error {
    invalid(format!("{path}: expected {what}, got {}", type_name(got)))
}

/// `parent.key` (or `key` at the top level).
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The value of `key`, `None` when absent or `null`.
pub(crate) fn get<'a>(o: &'a Obj, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

/// `key` must be present.
pub(crate) fn required<'a>(o: &'a Obj, path: &str, key: &str) -> Result<&'a Value, Error> {
    get(o, key).ok_or_else(|| invalid(format!("{}: field required", join(path, key))))
}

pub(crate) fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, Error> {
    v.as_object()
        .ok_or_else(|| wrong_type(path, "an object", v))
}

pub(crate) fn as_array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, Error> {
    v.as_array().ok_or_else(|| wrong_type(path, "an array", v))
}

pub(crate) fn as_str<'a>(v: &'a Value, path: &str) -> Result<&'a str, Error> {
    v.as_str().ok_or_else(|| wrong_type(path, "a string", v))
}

pub(crate) fn req_str<'a>(o: &'a Obj, path: &str, key: &str) -> Result<&'a str, Error> {
    as_str(required(o, path, key)?, &join(path, key))
}

pub(crate) fn opt_str<'a>(o: &'a Obj, path: &str, key: &str) -> Result<Option<&'a str>, Error> {
    get(o, key).map(|v| as_str(v, &join(path, key))).transpose()
}

pub(crate) fn opt_bool(o: &Obj, path: &str, key: &str) -> Result<Option<bool>, Error> {
    get(o, key)
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| wrong_type(&join(path, key), "a boolean", v))
        })
        .transpose()
}

pub(crate) fn opt_f64(o: &Obj, path: &str, key: &str) -> Result<Option<f64>, Error> {
    get(o, key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| wrong_type(&join(path, key), "a number", v))
        })
        .transpose()
}

/// A non-negative integer that fits in `u32`.
pub(crate) fn as_u32(v: &Value, path: &str) -> Result<u32, Error> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| match v {
            Value::Number(_) => invalid(format!(
                "{path}: expected a non-negative integer below 2^32, got {v}"
            )),
            _ => wrong_type(path, "an integer", v),
        })
}

/// The object without the listed keys.
pub(crate) fn without(o: &Obj, keys: &[&str]) -> Obj {
    o.iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
