//! A value that fits a JSON Schema, for mock tool-call arguments and structured output.
//!
//! The aim is a plausible, valid instance, not coverage of every keyword: objects get their
//! required properties (all of them when `required` is absent), arrays one item (or
//! `minItems`), scalars a fixed example that respects `minimum` / `maximum` / lengths, and
//! `const`, `default`, `enum` and `examples` win over the type. Local `$ref`s (`#/$defs/…`,
//! `#/definitions/…`, any `#/…` pointer) resolve against the root schema; recursion stops at
//! a fixed depth with `null`. The same schema always yields the same value.

use serde_json::{Map, Number, Value};

/// Deeper than any hand-written schema; stops self-referencing `$ref`s.
const MAX_DEPTH: usize = 24;

/// A value that fits `schema`.
pub(crate) fn fill(schema: &Value) -> Value {
    fill_at(schema, schema, 0)
}

fn fill_at(schema: &Value, root: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let Some(obj) = schema.as_object() else {
        // `true`, `false` or garbage: anything (or nothing) fits.
        return Value::Null;
    };
    if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
        return match resolve(reference, root) {
            Some(target) => fill_at(target, root, depth + 1),
            None => Value::Null,
        };
    }
    if let Some(v) = obj.get("const") {
        return v.clone();
    }
    if let Some(v) = obj.get("default") {
        return v.clone();
    }
    if let Some(v) = first(obj.get("enum")) {
        return v.clone();
    }
    if let Some(v) = first(obj.get("examples")) {
        return v.clone();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = obj.get(key) {
            // The first alternative, skipping a bare `{"type": "null"}` when there is another
            // (`Option<T>` becomes `anyOf: [T, null]`; a value is the more useful example).
            let pick = alts.iter().find(|a| !is_null_schema(a)).or(alts.first());
            return pick.map_or(Value::Null, |a| fill_at(a, root, depth + 1));
        }
    }
    if let Some(Value::Array(parts)) = obj.get("allOf") {
        return fill_all_of(obj, parts, root, depth);
    }
    match schema_type(obj) {
        Some("object") => fill_object(obj, root, depth),
        Some("array") => fill_array(obj, root, depth),
        Some("string") => Value::String(fill_string(obj)),
        Some("integer") => Value::from(fill_integer(obj)),
        Some("number") => Number::from_f64(fill_number(obj)).map_or(Value::Null, Value::Number),
        Some("boolean") => Value::Bool(true),
        _ => Value::Null,
    }
}

fn first(v: Option<&Value>) -> Option<&Value> {
    v.and_then(Value::as_array).and_then(|a| a.first())
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
}

/// `#`, `#/$defs/x`, `#/definitions/x` or any other local JSON pointer.
fn resolve<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// The schema's type: `type` (the first non-null one of a list), else guessed from keywords.
fn schema_type(obj: &Map<String, Value>) -> Option<&str> {
    match obj.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => {
            let names = ts.iter().filter_map(Value::as_str);
            names
                .clone()
                .find(|t| *t != "null")
                .or(names.clone().next())
        }
        _ if obj.contains_key("properties") || obj.contains_key("required") => Some("object"),
        _ if obj.contains_key("items") || obj.contains_key("prefixItems") => Some("array"),
        _ => None,
    }
}

fn fill_object(obj: &Map<String, Value>, root: &Value, depth: usize) -> Value {
    let empty = Map::new();
    let props = obj
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let names: Vec<&str> = match obj.get("required").and_then(Value::as_array) {
        Some(req) => req.iter().filter_map(Value::as_str).collect(),
        None => props.keys().map(String::as_str).collect(),
    };
    let mut out = Map::new();
    for name in names {
        let value = props
            .get(name)
            .map_or(Value::Null, |p| fill_at(p, root, depth + 1));
        out.insert(name.to_owned(), value);
    }
    Value::Object(out)
}

fn fill_array(obj: &Map<String, Value>, root: &Value, depth: usize) -> Value {
    let prefix = obj
        .get("prefixItems")
        .or_else(|| obj.get("items").filter(|i| i.is_array()))
        .and_then(Value::as_array);
    if let Some(prefix) = prefix {
        return Value::Array(prefix.iter().map(|s| fill_at(s, root, depth + 1)).collect());
    }
    let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(1);
    let max = obj
        .get("maxItems")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    let count = min.max(1).min(max).min(64);
    let item = obj
        .get("items")
        .map_or(Value::Null, |s| fill_at(s, root, depth + 1));
    Value::Array((0..count).map(|_| item.clone()).collect())
}

fn fill_string(obj: &Map<String, Value>) -> String {
    let base = match obj.get("format").and_then(Value::as_str) {
        Some("date") => "2024-01-01",
        Some("date-time") => "2024-01-01T00:00:00Z",
        Some("time") => "12:00:00Z",
        Some("email" | "idn-email") => "user@example.com",
        Some("uri" | "url" | "iri") => "https://example.com",
        Some("uri-reference" | "iri-reference") => "/example",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("hostname" | "idn-hostname") => "example.com",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("duration") => "P1D",
        _ => "example",
    };
    let mut s = base.to_owned();
    let len = |key: &str| {
        obj.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    if let Some(min) = len("minLength") {
        while s.chars().count() < min.min(4096) {
            s.push('x');
        }
    }
    if let Some(max) = len("maxLength") {
        s = s.chars().take(max).collect();
    }
    s
}

fn fill_integer(obj: &Map<String, Value>) -> i64 {
    let num = |key: &str| obj.get(key).and_then(Value::as_f64);
    let exclusive_flag = |key: &str| obj.get(key).and_then(Value::as_bool) == Some(true);
    let mut v: i64 = 0;
    if let Some(min) = num("minimum") {
        let lo = if exclusive_flag("exclusiveMinimum") {
            min.floor() + 1.0
        } else {
            min.ceil()
        };
        v = v.max(to_i64(lo));
    }
    if let Some(ex) = num("exclusiveMinimum") {
        v = v.max(to_i64(ex.floor() + 1.0));
    }
    if let Some(max) = num("maximum") {
        let hi = if exclusive_flag("exclusiveMaximum") {
            max.ceil() - 1.0
        } else {
            max.floor()
        };
        v = v.min(to_i64(hi));
    }
    if let Some(ex) = num("exclusiveMaximum") {
        v = v.min(to_i64(ex.ceil() - 1.0));
    }
    v
}

/// Float to integer; `as` saturates at the `i64` range, which is what we want here.
fn to_i64(f: f64) -> i64 {
    f as i64
}

fn fill_number(obj: &Map<String, Value>) -> f64 {
    let num = |key: &str| obj.get(key).and_then(Value::as_f64);
    let exclusive_flag = |key: &str| obj.get(key).and_then(Value::as_bool) == Some(true);
    let mut v = 0.0_f64;
    if let Some(min) = num("minimum") {
        let lo = if exclusive_flag("exclusiveMinimum") {
            min + 1.0
        } else {
            min
        };
        v = v.max(lo);
    }
    if let Some(ex) = num("exclusiveMinimum") {
        v = v.max(ex + 1.0);
    }
    if let Some(max) = num("maximum") {
        let hi = if exclusive_flag("exclusiveMaximum") {
            max - 1.0
        } else {
            max
        };
        v = v.min(hi);
    }
    if let Some(ex) = num("exclusiveMaximum")
        && v >= ex
    {
        v = ex - 1.0;
    }
    v
}

fn fill_all_of(obj: &Map<String, Value>, parts: &[Value], root: &Value, depth: usize) -> Value {
    // The schema's own keywords count as one more part (`{"type": "object", "allOf": […]}`).
    let mut own = obj.clone();
    own.remove("allOf");
    let own = Value::Object(own);
    let mut merged: Option<Value> = None;
    for part in std::iter::once(&own).chain(parts) {
        let v = fill_at(part, root, depth + 1);
        merged = Some(match (merged, v) {
            (Some(Value::Object(mut a)), Value::Object(b)) => {
                a.extend(b);
                Value::Object(a)
            }
            (None | Some(Value::Null), v) => v,
            (Some(a), _) => a,
        });
    }
    merged.unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars() {
        assert_eq!(fill(&json!({"type": "string"})), json!("example"));
        assert_eq!(fill(&json!({"type": "integer"})), json!(0));
        assert_eq!(fill(&json!({"type": "number"})), json!(0.0));
        assert_eq!(fill(&json!({"type": "boolean"})), json!(true));
        assert_eq!(fill(&json!({"type": "null"})), json!(null));
        assert_eq!(fill(&json!({})), json!(null));
        assert_eq!(fill(&json!(true)), json!(null));
        assert_eq!(fill(&json!({"type": "wat"})), json!(null));
    }

    #[test]
    fn const_default_enum_examples() {
        assert_eq!(fill(&json!({"type": "string", "const": "x"})), json!("x"));
        assert_eq!(fill(&json!({"type": "integer", "default": 7})), json!(7));
        assert_eq!(
            fill(&json!({"type": "string", "enum": ["celsius", "fahrenheit"]})),
            json!("celsius")
        );
        assert_eq!(
            fill(&json!({"type": "string", "examples": ["Paris"]})),
            json!("Paris")
        );
    }

    #[test]
    fn string_formats_and_lengths() {
        assert_eq!(
            fill(&json!({"type": "string", "format": "date"})),
            json!("2024-01-01")
        );
        assert_eq!(
            fill(&json!({"type": "string", "format": "date-time"})),
            json!("2024-01-01T00:00:00Z")
        );
        assert_eq!(
            fill(&json!({"type": "string", "format": "email"})),
            json!("user@example.com")
        );
        assert_eq!(
            fill(&json!({"type": "string", "format": "uri"})),
            json!("https://example.com")
        );
        assert_eq!(
            fill(&json!({"type": "string", "minLength": 10})),
            json!("examplexxx")
        );
        assert_eq!(
            fill(&json!({"type": "string", "maxLength": 3})),
            json!("exa")
        );
    }

    #[test]
    fn numeric_bounds() {
        assert_eq!(fill(&json!({"type": "integer", "minimum": 5})), json!(5));
        assert_eq!(fill(&json!({"type": "integer", "minimum": 2.5})), json!(3));
        assert_eq!(
            fill(&json!({"type": "integer", "exclusiveMinimum": 5})),
            json!(6)
        );
        assert_eq!(fill(&json!({"type": "integer", "maximum": -3})), json!(-3));
        assert_eq!(fill(&json!({"type": "integer", "minimum": -3})), json!(0));
        assert_eq!(
            fill(&json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true})),
            json!(2)
        );
        assert_eq!(fill(&json!({"type": "number", "minimum": 1.5})), json!(1.5));
        assert_eq!(
            fill(&json!({"type": "number", "exclusiveMaximum": 0})),
            json!(-1.0)
        );
    }

    #[test]
    fn objects_take_required_or_all_properties() {
        let s = json!({
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            "required": ["b"]
        });
        assert_eq!(fill(&s), json!({"b": 0}));
        let s = json!({
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}
        });
        assert_eq!(fill(&s), json!({"a": "example", "b": 0}));
        assert_eq!(fill(&json!({"type": "object"})), json!({}));
        // No `type`, but `properties`: still an object.
        assert_eq!(
            fill(&json!({"properties": {"x": {"type": "boolean"}}})),
            json!({"x": true})
        );
    }

    #[test]
    fn arrays() {
        assert_eq!(
            fill(&json!({"type": "array", "items": {"type": "integer"}})),
            json!([0])
        );
        assert_eq!(
            fill(&json!({"type": "array", "items": {"type": "string"}, "minItems": 3})),
            json!(["example", "example", "example"])
        );
        assert_eq!(
            fill(&json!({"type": "array", "items": {"type": "string"}, "maxItems": 0})),
            json!([])
        );
        assert_eq!(
            fill(
                &json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]})
            ),
            json!(["example", 0])
        );
        assert_eq!(fill(&json!({"type": "array"})), json!([null]));
    }

    #[test]
    fn type_lists_and_alternatives() {
        assert_eq!(fill(&json!({"type": ["null", "string"]})), json!("example"));
        assert_eq!(
            fill(&json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})),
            json!(0)
        );
        assert_eq!(
            fill(&json!({"oneOf": [{"type": "null"}, {"type": "string"}]})),
            json!("example")
        );
        assert_eq!(
            fill(&json!({"allOf": [
                {"type": "object", "properties": {"a": {"type": "integer"}}},
                {"type": "object", "properties": {"b": {"type": "boolean"}}}
            ]})),
            json!({"a": 0, "b": true})
        );
    }

    #[test]
    fn refs_resolve_against_the_root() {
        let s = json!({
            "type": "object",
            "properties": {
                "home": {"$ref": "#/$defs/Address"},
                "work": {"$ref": "#/definitions/Address"}
            },
            "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
            "definitions": {"Address": {"type": "object", "properties": {"zip": {"type": "integer", "minimum": 1000}}}}
        });
        assert_eq!(
            fill(&s),
            json!({"home": {"city": "example"}, "work": {"zip": 1000}})
        );
        assert_eq!(fill(&json!({"$ref": "#/$defs/missing"})), json!(null));
    }

    #[test]
    fn recursive_refs_terminate() {
        let s = json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {
                "type": "object",
                "properties": {"next": {"$ref": "#/$defs/Node"}},
                "required": ["next"]
            }}
        });
        let v = fill(&s);
        let mut depth = 0;
        let mut cur = &v;
        while let Some(next) = cur.get("next") {
            depth += 1;
            cur = next;
        }
        assert!(depth > 3 && depth <= MAX_DEPTH, "{depth}");
    }
}
