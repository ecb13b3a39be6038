//! Validation against the official OpenAI OpenAPI schemas, and the spec's documented examples.
//!
//! The schemas and examples were extracted from OpenAI's spec into `fixtures/openai-spec/`
//! (see its README for provenance and the command that regenerates them).

use std::sync::OnceLock;

use serde_json::{Value, json};

const SCHEMAS: &str = include_str!("../fixtures/openai-spec/schemas.json");
const EXAMPLES: &str = include_str!("../fixtures/openai-spec/examples.json");

fn components() -> &'static Value {
    static C: OnceLock<Value> = OnceLock::new();
    C.get_or_init(|| {
        let mut v: Value = serde_json::from_str(SCHEMAS).expect("schemas.json is JSON");
        v["components"].take()
    })
}

/// Validates `instance` against the component schema `schema` (e.g.
/// `CreateChatCompletionRequest`); returns every violation.
pub fn validate(schema: &str, instance: &Value) -> Result<(), Vec<String>> {
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": components(),
    });
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .map_err(|e| vec![format!("schema {schema} does not compile: {e}")])?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Asserts that `instance` is valid for `schema`, printing every violation.
pub fn assert_valid(schema: &str, instance: &Value) {
    if let Err(errors) = validate(schema, instance) {
        panic!(
            "body does not validate against OpenAI's {schema}:\n  {}\nbody: {instance:#}",
            errors.join("\n  ")
        );
    }
}

/// A documented example of the spec.
#[derive(Debug, Clone)]
pub struct SpecExample {
    /// `createChatCompletion`, `createEmbedding`, …
    pub operation: String,
    /// The example's title.
    pub title: String,
    /// The request body, if the example has one.
    pub request: Option<Value>,
    /// `json`, `stream` or `other`.
    pub response_kind: String,
    /// The response (a JSON value, a list of chunks, or raw text).
    pub response: Value,
}

/// The documented examples.
pub fn examples() -> Vec<SpecExample> {
    let v: Value = serde_json::from_str(EXAMPLES).expect("examples.json is JSON");
    v.as_array()
        .into_iter()
        .flatten()
        .map(|e| SpecExample {
            operation: e["operation"].as_str().unwrap_or_default().to_owned(),
            title: e["title"].as_str().unwrap_or_default().to_owned(),
            request: e.get("request").filter(|r| !r.is_null()).cloned(),
            response_kind: e["response_kind"].as_str().unwrap_or_default().to_owned(),
            response: e["response"].clone(),
        })
        .collect()
}

/// JSON equality as OpenAI's API reads it: an object field set to `null` equals an absent one,
/// and numbers compare by value (`1` equals `1.0`).
pub fn json_equivalent(a: &Value, b: &Value) -> bool {
    normalize(a) == normalize(b)
}

/// `a` with null-valued object fields removed and every number as an `f64`.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| v.clone(), Value::Number),
        other => other.clone(),
    }
}
