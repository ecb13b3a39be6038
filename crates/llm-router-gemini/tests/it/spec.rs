//! Validation against the Gemini schemas vendored in `tests/fixtures/gemini-spec/` (extracted
//! from a third-party OpenAPI spec generated from Google's docs; see `SOURCES.md`).

use std::sync::OnceLock;

use serde_json::{Value, json};

const SCHEMAS: &str = include_str!("../fixtures/gemini-spec/schemas.json");

/// Deliberate deviations from the vendored spec: fields the API takes that the spec lacks.
/// Each is added to the schema before validating, with the reason.
pub(crate) const DEVIATIONS: &[(&str, &str, &str)] = &[(
    "EmbedContentRequest",
    "model",
    "batchEmbedContents needs `requests[].model` (\"models/<id>\"): API reference \
     (ai.google.dev/api/embeddings#EmbedContentRequest: \"Required. The model's resource \
     name\") and python-genai `_EmbedContentParametersPrivate_to_mldev` set it; the generated \
     spec omits it",
)];

fn components() -> &'static Value {
    static C: OnceLock<Value> = OnceLock::new();
    C.get_or_init(|| {
        let mut v: Value = serde_json::from_str(SCHEMAS).unwrap();
        let mut c = v["components"].take();
        for (schema, field, _why) in DEVIATIONS {
            c["schemas"][schema]["properties"][field] = json!({"type": "string"});
        }
        c
    })
}

/// Every violation of `instance` against component `schema`.
pub(crate) fn validate(schema: &str, instance: &Value) -> Vec<String> {
    let root =
        json!({"$ref": format!("#/components/schemas/{schema}"), "components": components()});
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Asserts `instance` is valid for `schema`.
pub(crate) fn assert_valid(schema: &str, instance: &Value) {
    let errors = validate(schema, instance);
    assert!(
        errors.is_empty(),
        "body does not validate against Gemini's {schema}:\n  {}\nbody: {instance:#}",
        errors.join("\n  ")
    );
}

#[test]
fn the_vendored_schemas_reject_what_gemini_rejects() {
    assert_valid(
        "GenerateContentRequest",
        &json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}),
    );
    // Unknown top-level fields (an OpenAI field leaking through) are refused.
    assert!(
        !validate(
            "GenerateContentRequest",
            &json!({"contents": [], "max_tokens": 5})
        )
        .is_empty()
    );
    // `contents` is required; a Part's inlineData needs mimeType and data.
    assert!(!validate("GenerateContentRequest", &json!({})).is_empty());
    assert!(
        !validate(
            "GenerateContentRequest",
            &json!({"contents": [{"parts": [{"inlineData": {"data": "AA=="}}]}]})
        )
        .is_empty()
    );
    // The deviation is the only patch: without it the batch body would fail.
    assert_eq!(DEVIATIONS.len(), 1);
}

#[test]
fn every_response_fixture_matches_the_documented_schema() {
    let f = crate::fixtures();
    for name in [
        "chat_text.json",
        "chat_thinking_tools.json",
        "prompt_blocked.json",
    ] {
        assert_valid("GenerateContentResponse", &f.json(name));
    }
    assert_valid("EmbedContentResponse", &f.json("embed_single.json"));
    assert_valid("BatchEmbedContentsResponse", &f.json("embed_batch.json"));
    for name in ["stream_thinking_tools.sse", "stream_text_signature.sse"] {
        for line in f.text(name).lines() {
            if let Some(data) = line.strip_prefix("data: ") {
                assert_valid(
                    "GenerateContentResponse",
                    &serde_json::from_str(data).unwrap(),
                );
            }
        }
    }
}
