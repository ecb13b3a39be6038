//! Validation against Anthropic's OpenAPI spec (the Messages part, vendored in
//! `tests/fixtures/anthropic-spec/`, see `SOURCES.md`).
//!
//! The spec is a third-party mirror of Anthropic's official spec as of November 2024. The API
//! has grown since; what this crate reads or writes that the spec does not know yet is added
//! to a copy of the schemas by [`deviations`], each with its source (anthropic-sdk-python
//! `src/anthropic/types/` at 009b035305e0724ce108ebd796935f91711fc6e1 and the docs named).

use std::sync::OnceLock;

use serde_json::{Value, json};

const SCHEMAS: &str = include_str!("../fixtures/anthropic-spec/schemas.json");
const EXAMPLES: &str = include_str!("../fixtures/anthropic-spec/examples.json");

/// A deliberate deviation from the vendored spec: what, its source, and the patch.
pub(crate) struct Deviation {
    pub what: &'static str,
    pub source: &'static str,
    pub patch: fn(&mut Value),
}

fn cache_control() -> Value {
    json!({"anyOf": [{"$ref": "#/components/schemas/CacheControlEphemeral"}, {"type": "null"}]})
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut()
        .expect("a list in the schema")
        .push(item);
}

/// Every deviation.
pub(crate) fn deviations() -> Vec<Deviation> {
    vec![
        Deviation {
            what: "request `thinking` ({type: enabled, budget_tokens} | {type: disabled} | {type: adaptive})",
            source: "thinking_config_param.py, thinking_config_enabled_param.py; docs 'Extended thinking'",
            patch: |s| {
                s["CreateMessageParams"]["properties"]["thinking"] = json!({
                    "type": "object", "required": ["type"],
                    "properties": {"type": {"enum": ["enabled", "disabled", "adaptive"]},
                                   "budget_tokens": {"type": "integer", "minimum": 1024}}
                });
            },
        },
        Deviation {
            what: "`thinking` / `redacted_thinking` blocks in assistant messages (sent back with their signature)",
            source: "thinking_block_param.py, redacted_thinking_block_param.py, message_param.py",
            patch: |s| {
                s["RequestThinkingBlock"] = json!({
                    "type": "object", "additionalProperties": false,
                    "required": ["type", "thinking", "signature"],
                    "properties": {"type": {"const": "thinking"}, "thinking": {"type": "string"}, "signature": {"type": "string"}}
                });
                s["RequestRedactedThinkingBlock"] = json!({
                    "type": "object", "additionalProperties": false, "required": ["type", "data"],
                    "properties": {"type": {"const": "redacted_thinking"}, "data": {"type": "string"}}
                });
                let blocks =
                    &mut s["InputMessage"]["properties"]["content"]["anyOf"][1]["items"]["oneOf"];
                push(
                    blocks,
                    json!({"$ref": "#/components/schemas/RequestThinkingBlock"}),
                );
                push(
                    blocks,
                    json!({"$ref": "#/components/schemas/RequestRedactedThinkingBlock"}),
                );
            },
        },
        Deviation {
            what: "`document` blocks in user messages: base64 (PDF), text and URL sources, with `title`, `context`, `citations`, `cache_control`",
            source: "document_block_param.py, base64_pdf_source_param.py, plain_text_source_param.py, url_pdf_source_param.py; docs 'PDF support', 'Citations'",
            patch: |s| {
                s["RequestDocumentBlock"] = json!({
                    "type": "object", "additionalProperties": false, "required": ["type", "source"],
                    "properties": {
                        "type": {"const": "document"},
                        "source": {"oneOf": [
                            {"type": "object", "additionalProperties": false, "required": ["type", "media_type", "data"],
                             "properties": {"type": {"const": "base64"}, "media_type": {"const": "application/pdf"}, "data": {"type": "string"}}},
                            {"type": "object", "additionalProperties": false, "required": ["type", "media_type", "data"],
                             "properties": {"type": {"const": "text"}, "media_type": {"const": "text/plain"}, "data": {"type": "string"}}},
                            {"type": "object", "additionalProperties": false, "required": ["type", "url"],
                             "properties": {"type": {"const": "url"}, "url": {"type": "string"}}}
                        ]},
                        "title": {"type": ["string", "null"]},
                        "context": {"type": ["string", "null"]},
                        "citations": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
                        "cache_control": cache_control()
                    }
                });
                push(
                    &mut s["InputMessage"]["properties"]["content"]["anyOf"][1]["items"]["oneOf"],
                    json!({"$ref": "#/components/schemas/RequestDocumentBlock"}),
                );
            },
        },
        Deviation {
            what: "`cache_control` on text, image, tool_use and tool_result blocks, system blocks and tools, with `ttl` (GA since Dec 2024; the Nov 2024 spec has it only in its PromptCachingBeta* schemas)",
            source: "text_block_param.py, image_block_param.py, tool_use_block_param.py, tool_result_block_param.py, tool_param.py, cache_control_ephemeral_param.py",
            patch: |s| {
                s["CacheControlEphemeral"]["properties"]["ttl"] = json!({"enum": ["5m", "1h"]});
                for block in [
                    "RequestTextBlock",
                    "RequestImageBlock",
                    "RequestToolUseBlock",
                    "RequestToolResultBlock",
                    "Tool",
                ] {
                    s[block]["properties"]["cache_control"] = cache_control();
                }
            },
        },
        Deviation {
            what: "URL image source `{type: url, url}`",
            source: "url_image_source_param.py, image_block_param.py",
            patch: |s| {
                s["URLImageSource"] = json!({
                    "type": "object", "additionalProperties": false, "required": ["type", "url"],
                    "properties": {"type": {"const": "url"}, "url": {"type": "string"}}
                });
                push(
                    &mut s["RequestImageBlock"]["properties"]["source"]["oneOf"],
                    json!({"$ref": "#/components/schemas/URLImageSource"}),
                );
            },
        },
        Deviation {
            what: "responses: `thinking` / `redacted_thinking` blocks, the newer stop reasons, `thinking_delta` and `signature_delta`",
            source: "thinking_block.py, redacted_thinking_block.py, stop_reason.py, thinking_delta.py, signature_delta.py, raw_content_block_delta.py",
            patch: |s| {
                s["ResponseThinkingBlock"] = json!({"type": "object", "required": ["type", "thinking", "signature"],
                    "properties": {"type": {"const": "thinking"}, "thinking": {"type": "string"}, "signature": {"type": "string"}}});
                s["ResponseRedactedThinkingBlock"] = json!({"type": "object", "required": ["type", "data"],
                    "properties": {"type": {"const": "redacted_thinking"}, "data": {"type": "string"}}});
                for path in [
                    &["ContentBlock", "oneOf"][..],
                    &[
                        "ContentBlockStartEvent",
                        "properties",
                        "content_block",
                        "oneOf",
                    ][..],
                ] {
                    let list = path.iter().fold(&mut *s, |v, k| &mut v[*k]);
                    push(
                        list,
                        json!({"$ref": "#/components/schemas/ResponseThinkingBlock"}),
                    );
                    push(
                        list,
                        json!({"$ref": "#/components/schemas/ResponseRedactedThinkingBlock"}),
                    );
                }
                let reasons = json!([
                    "end_turn",
                    "max_tokens",
                    "stop_sequence",
                    "tool_use",
                    "pause_turn",
                    "refusal",
                    "model_context_window_exceeded"
                ]);
                s["Message"]["properties"]["stop_reason"]["anyOf"][0]["enum"] = reasons.clone();
                s["MessageDelta"]["properties"]["stop_reason"]["anyOf"][0]["enum"] = reasons;
                let deltas = &mut s["ContentBlockDeltaEvent"]["properties"]["delta"]["oneOf"];
                push(
                    deltas,
                    json!({"type": "object", "required": ["type", "thinking"], "properties": {"type": {"const": "thinking_delta"}, "thinking": {"type": "string"}}}),
                );
                push(
                    deltas,
                    json!({"type": "object", "required": ["type", "signature"], "properties": {"type": {"const": "signature_delta"}, "signature": {"type": "string"}}}),
                );
            },
        },
        Deviation {
            what: "error types `billing_error` (402), `timeout_error` (504) and `request_too_large` (413)",
            source: "types/shared/error_type.py, billing_error.py, gateway_timeout_error.py; `request_too_large`: docs 'Errors' (https://docs.claude.com/en/api/errors)",
            patch: |s| {
                for kind in ["billing_error", "timeout_error", "request_too_large"] {
                    push(
                        &mut s["ErrorResponse"]["properties"]["error"]["oneOf"],
                        json!({"type": "object", "required": ["type", "message"],
                               "properties": {"type": {"const": kind}, "message": {"type": "string"}}}),
                    );
                }
            },
        },
    ]
}

fn components() -> &'static Value {
    static CURRENT: OnceLock<Value> = OnceLock::new();
    CURRENT.get_or_init(|| {
        let mut v: Value = serde_json::from_str(SCHEMAS).expect("schemas.json is JSON");
        let mut c = v["components"].take();
        for d in deviations() {
            (d.patch)(&mut c["schemas"]);
        }
        c
    })
}

fn pristine() -> &'static Value {
    static PRISTINE: OnceLock<Value> = OnceLock::new();
    PRISTINE.get_or_init(|| {
        let mut v: Value = serde_json::from_str(SCHEMAS).expect("schemas.json is JSON");
        v["components"].take()
    })
}

fn check(components: &Value, schema: &str, instance: &Value) -> Result<(), Vec<String>> {
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": components,
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

/// Every violation of `instance` against component `schema` (with the deviations).
pub(crate) fn validate(schema: &str, instance: &Value) -> Result<(), Vec<String>> {
    check(components(), schema, instance)
}

/// Asserts `instance` is a valid `schema`; prints every violation otherwise.
pub(crate) fn assert_valid(schema: &str, instance: &Value) {
    if let Err(errors) = validate(schema, instance) {
        panic!(
            "not a valid {schema}:\n  {}\n{instance:#}",
            errors.join("\n  ")
        );
    }
}

/// Validates one stream event: `ping` by shape, `error` as `ErrorResponse`, the rest as
/// `MessageStreamEvent`, and the event name must equal the data's `type`.
pub(crate) fn assert_valid_event(event: &str, data: &Value) {
    match event {
        "ping" => assert_eq!(data, &json!({"type": "ping"})),
        "error" => assert_valid("ErrorResponse", data),
        _ => {
            assert_eq!(data["type"], event, "event name = data.type");
            assert_valid("MessageStreamEvent", data);
        }
    }
}

#[test]
fn the_vendored_spec_compiles_and_its_examples_validate() {
    let examples: Value = serde_json::from_str(EXAMPLES).unwrap();
    for components in [pristine(), components()] {
        check(
            components,
            "CreateMessageParams",
            &examples["CreateMessageParams"],
        )
        .unwrap();
        check(components, "Message", &examples["Message"]).unwrap();
    }
    assert!(validate("Message", &json!({"type": "message"})).is_err());
    assert!(
        validate(
            "ErrorResponse",
            &json!({"type": "error", "error": {"type": "nope", "message": "x"}})
        )
        .is_err()
    );
}

#[test]
fn every_deviation_is_needed() {
    let uses = [
        (
            "CreateMessageParams",
            json!({"model": "m", "max_tokens": 2048, "messages": [{"role": "user", "content": "x"}], "thinking": {"type": "enabled", "budget_tokens": 1024}}),
        ),
        (
            "CreateMessageParams",
            json!({"model": "m", "max_tokens": 1, "messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"}]}]}),
        ),
        (
            "CreateMessageParams",
            json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}}]}]}),
        ),
        (
            "CreateMessageParams",
            json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}]}),
        ),
        (
            "CreateMessageParams",
            json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}]}]}),
        ),
        (
            "Message",
            json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [{"type": "thinking", "thinking": "t", "signature": "s"}], "stop_reason": "end_turn", "stop_sequence": null, "usage": {"input_tokens": 1, "output_tokens": 1}}),
        ),
        (
            "ErrorResponse",
            json!({"type": "error", "error": {"type": "billing_error", "message": "x"}}),
        ),
    ];
    assert_eq!(uses.len(), deviations().len());
    for (schema, body) in &uses {
        assert!(check(pristine(), schema, body).is_err(), "{body}");
        assert_valid(schema, body);
    }
    for d in deviations() {
        assert!(!d.what.is_empty() && !d.source.is_empty());
    }
}
