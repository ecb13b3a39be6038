//! Validation against Anthropic's OpenAPI spec (the Messages part, vendored in
//! `tests/fixtures/anthropic-spec/`, see `SOURCES.md`).
//!
//! The spec is a third-party mirror of Anthropic's official spec as of November 2024. The API
//! has grown since; the fields this crate sends that the spec does not know yet are added to a
//! copy of the schemas by [`deviations`], each with its source. Bodies that use none of them
//! are also checked against the unpatched spec ([`Spec::Pristine`]).

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::fixtures;

const SCHEMAS: &str = include_str!("../fixtures/anthropic-spec/schemas.json");
const EXAMPLES: &str = include_str!("../fixtures/anthropic-spec/examples.json");

/// Which schemas to validate against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spec {
    /// The November 2024 spec as vendored.
    Pristine,
    /// With the documented [`deviations`] applied.
    Current,
}

/// A deliberate deviation from the vendored spec: what, why (with the source), and the patch.
pub(crate) struct Deviation {
    pub what: &'static str,
    pub source: &'static str,
    pub patch: fn(&mut Value),
}

fn cache_control() -> Value {
    json!({"anyOf": [{"$ref": "#/components/schemas/CacheControlEphemeral"}, {"type": "null"}]})
}

/// Every deliberate deviation (sources: anthropic-sdk-python `src/anthropic/types/` at commit
/// 009b035305e0724ce108ebd796935f91711fc6e1, and the docs pages named).
pub(crate) fn deviations() -> Vec<Deviation> {
    vec![
        Deviation {
            what: "request `thinking` ({type: enabled, budget_tokens} | {type: disabled} | {type: adaptive}); passed through from `extra`",
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
                    s["InputMessage"]["properties"]["content"]["anyOf"][1]["items"]["oneOf"]
                        .as_array_mut()
                        .expect("InputMessage content blocks");
                blocks.push(json!({"$ref": "#/components/schemas/RequestThinkingBlock"}));
                blocks.push(json!({"$ref": "#/components/schemas/RequestRedactedThinkingBlock"}));
            },
        },
        Deviation {
            what: "`cache_control` on text, image, tool_use and tool_result blocks, system blocks and tools, with the `ttl` field (GA since Dec 2024; the Nov 2024 spec has it only in its PromptCachingBeta* schemas)",
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
                s["RequestImageBlock"]["properties"]["source"]["oneOf"]
                    .as_array_mut()
                    .expect("image sources")
                    .push(json!({"$ref": "#/components/schemas/URLImageSource"}));
            },
        },
        Deviation {
            what: "`tool_choice: {type: none}`",
            source: "tool_choice_none_param.py, tool_choice_param.py",
            patch: |s| {
                s["ToolChoiceNone"] = json!({
                    "type": "object", "additionalProperties": false, "required": ["type"],
                    "properties": {"type": {"const": "none"}}
                });
                s["ToolChoice"]["oneOf"]
                    .as_array_mut()
                    .expect("tool choices")
                    .push(json!({"$ref": "#/components/schemas/ToolChoiceNone"}));
            },
        },
        Deviation {
            what: "`strict` on tools (from `function.strict`)",
            source: "tool_param.py; docs 'Strict tool use'",
            patch: |s| s["Tool"]["properties"]["strict"] = json!({"type": "boolean"}),
        },
        Deviation {
            what: "`output_config` (a json_schema `response_format` → `output_config.format`) and `service_tier`",
            source: "message_create_params.py, output_config_param.py, json_output_format_param.py; docs 'Structured outputs'",
            patch: |s| {
                s["CreateMessageParams"]["properties"]["output_config"] = json!({
                    "type": "object", "properties": {"format": {"type": "object", "required": ["type", "schema"],
                        "properties": {"type": {"const": "json_schema"}, "schema": {"type": "object"}}}}
                });
                s["CreateMessageParams"]["properties"]["service_tier"] =
                    json!({"enum": ["auto", "standard_only"]});
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
                let thinking = [
                    json!({"$ref": "#/components/schemas/ResponseThinkingBlock"}),
                    json!({"$ref": "#/components/schemas/ResponseRedactedThinkingBlock"}),
                ];
                s["ContentBlock"]["oneOf"]
                    .as_array_mut()
                    .expect("content blocks")
                    .extend(thinking.clone());
                s["ContentBlockStartEvent"]["properties"]["content_block"]["oneOf"]
                    .as_array_mut()
                    .expect("start blocks")
                    .extend(thinking);
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
                s["ContentBlockDeltaEvent"]["properties"]["delta"]["oneOf"]
                    .as_array_mut()
                    .expect("deltas")
                    .extend([
                        json!({"type": "object", "required": ["type", "thinking"], "properties": {"type": {"const": "thinking_delta"}, "thinking": {"type": "string"}}}),
                        json!({"type": "object", "required": ["type", "signature"], "properties": {"type": {"const": "signature_delta"}, "signature": {"type": "string"}}}),
                    ]);
            },
        },
    ]
}

fn components(spec: Spec) -> &'static Value {
    static PRISTINE: OnceLock<Value> = OnceLock::new();
    static CURRENT: OnceLock<Value> = OnceLock::new();
    let load = || {
        let mut v: Value = serde_json::from_str(SCHEMAS).expect("schemas.json is JSON");
        v["components"].take()
    };
    match spec {
        Spec::Pristine => PRISTINE.get_or_init(load),
        Spec::Current => CURRENT.get_or_init(|| {
            let mut c = load();
            for d in deviations() {
                (d.patch)(&mut c["schemas"]);
            }
            c
        }),
    }
}

/// Every violation of `instance` against component schema `schema`.
pub(crate) fn validate(spec: Spec, schema: &str, instance: &Value) -> Result<(), Vec<String>> {
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": components(spec),
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

/// Asserts `instance` is valid; prints every violation otherwise.
pub(crate) fn assert_valid(spec: Spec, schema: &str, instance: &Value) {
    if let Err(errors) = validate(spec, schema, instance) {
        panic!(
            "not a valid {schema} ({spec:?} spec):\n  {}\n{instance:#}",
            errors.join("\n  ")
        );
    }
}

/// Asserts a request body is valid against the current spec, and against the pristine one
/// when `uses_newer_fields` is false.
pub(crate) fn assert_valid_request(body: &Value, uses_newer_fields: bool) {
    assert_valid(Spec::Current, "CreateMessageParams", body);
    if !uses_newer_fields {
        assert_valid(Spec::Pristine, "CreateMessageParams", body);
    }
}

/// The `data:` of every SSE event in a transcript, with its event name.
pub(crate) fn sse_data(transcript: &str) -> Vec<(String, Value)> {
    transcript
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter_map(|ev| {
            let mut name = String::new();
            let mut data = String::new();
            for line in ev.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().to_owned();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim());
                }
            }
            (!data.is_empty()).then(|| (name, serde_json::from_str(&data).expect("event JSON")))
        })
        .collect()
}

/// Validates every event of a transcript: `error` against `ErrorResponse`, `ping` by shape
/// (the Nov 2024 spec does not list it), the rest against `MessageStreamEvent`.
pub(crate) fn assert_valid_transcript(transcript: &str) {
    for (name, data) in sse_data(transcript) {
        match name.as_str() {
            "ping" => assert_eq!(data, json!({"type": "ping"})),
            "error" => assert_valid(Spec::Current, "ErrorResponse", &data),
            _ => {
                assert_eq!(data["type"], name, "event name = data.type");
                assert_valid(Spec::Current, "MessageStreamEvent", &data);
            }
        }
    }
}

#[test]
fn the_vendored_spec_compiles_and_its_examples_validate() {
    let examples: Value = serde_json::from_str(EXAMPLES).unwrap();
    for spec in [Spec::Pristine, Spec::Current] {
        assert_valid(
            spec,
            "CreateMessageParams",
            &examples["CreateMessageParams"],
        );
        assert_valid(spec, "Message", &examples["Message"]);
    }
    // The validator does reject what the spec forbids.
    assert!(
        validate(
            Spec::Current,
            "CreateMessageParams",
            &json!({"model": "m", "messages": []})
        )
        .is_err()
    );
    assert!(
        validate(
            Spec::Current,
            "CreateMessageParams",
            &json!({"model": "m", "max_tokens": 1, "messages": [{"role": "system", "content": "x"}]})
        )
        .is_err()
    );
}

#[test]
fn every_deviation_is_needed() {
    // Each patch adds something: the pristine spec rejects a body using it.
    let uses = [
        json!({"model": "m", "max_tokens": 2048, "messages": [{"role": "user", "content": "x"}], "thinking": {"type": "enabled", "budget_tokens": 1024}}),
        json!({"model": "m", "max_tokens": 1, "messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"}]}]}),
        json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}]}),
        json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}]}]}),
        json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}], "tool_choice": {"type": "none"}}),
        json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}], "tools": [{"name": "f", "input_schema": {"type": "object"}, "strict": true}]}),
        json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}], "output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}}),
    ];
    assert_eq!(uses.len() + 1, deviations().len());
    for body in &uses {
        assert!(
            validate(Spec::Pristine, "CreateMessageParams", body).is_err(),
            "{body}"
        );
        assert_valid(Spec::Current, "CreateMessageParams", body);
    }
    let thinking_response = fixtures().json("message_thinking.json");
    assert!(validate(Spec::Pristine, "Message", &thinking_response).is_err());
    assert_valid(Spec::Current, "Message", &thinking_response);
    for d in deviations() {
        assert!(!d.what.is_empty() && !d.source.is_empty());
    }
}

#[test]
fn response_fixtures_follow_the_spec() {
    let f = fixtures();
    for name in [
        "message_text.json",
        "message_tool_use.json",
        "message_thinking.json",
    ] {
        assert_valid(Spec::Current, "Message", &f.json(name));
    }
    for name in [
        "chat_stream.sse",
        "tools_stream.sse",
        "stream_thinking_tools.sse",
        "sdk_refusal_response.txt",
    ] {
        assert_valid_transcript(&f.text(name));
    }
}
