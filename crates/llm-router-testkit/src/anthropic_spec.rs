//! Validation against Anthropic's Messages API spec (the Messages part of its OpenAPI spec),
//! with the newer API features the vendored spec lacks added as documented [`deviations`].
//!
//! The schemas were extracted into `fixtures/anthropic-spec/` (see its README for provenance
//! and the command that regenerates them). The spec is a third-party mirror of Anthropic's
//! official spec as of November 2024. [`validate`] and [`assert_valid`] check against the spec
//! with every deviation applied ([`Spec::Current`]); [`validate_in`] and [`assert_valid_in`]
//! choose, so a body that uses nothing newer can also be held to the spec as published
//! ([`Spec::Pristine`]).

use std::sync::OnceLock;

use serde_json::{Value, json};

const SCHEMAS: &str = include_str!("../fixtures/anthropic-spec/schemas.json");
const EXAMPLES: &str = include_str!("../fixtures/anthropic-spec/examples.json");

/// Which schemas to validate against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// The November 2024 spec as vendored.
    Pristine,
    /// With the documented [`deviations`] applied.
    Current,
}

/// A deliberate deviation from the vendored spec: what, its source, and the patch.
#[derive(Debug, Clone, Copy)]
pub struct Deviation {
    /// What the API accepts or returns that the vendored spec does not know.
    pub what: &'static str,
    /// Where that is documented (anthropic-sdk-python `src/anthropic/types/` files at commit
    /// 009b035305e0724ce108ebd796935f91711fc6e1, docs pages).
    pub source: &'static str,
    /// The change to `components.schemas`.
    pub patch: fn(&mut Value),
}

/// Defines `CacheControlEphemeral` (the spec's own schema, which only its PromptCachingBeta*
/// schemas reach, plus `ttl`) and returns the nullable reference to it that blocks use.
fn cache_control(s: &mut Value) -> Value {
    s["CacheControlEphemeral"] = json!({
        "type": "object", "additionalProperties": false, "required": ["type"],
        "properties": {"type": {"const": "ephemeral"}, "ttl": {"enum": ["5m", "1h"]}}
    });
    json!({"anyOf": [{"$ref": "#/components/schemas/CacheControlEphemeral"}, {"type": "null"}]})
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut()
        .expect("a list in the schema")
        .push(item);
}

/// Every deviation (sources: anthropic-sdk-python `src/anthropic/types/` at commit
/// 009b035305e0724ce108ebd796935f91711fc6e1, and the docs pages named).
pub fn deviations() -> Vec<Deviation> {
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
                let cache_control = cache_control(s);
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
                        "cache_control": cache_control
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
                let cache_control = cache_control(s);
                for block in [
                    "RequestTextBlock",
                    "RequestImageBlock",
                    "RequestToolUseBlock",
                    "RequestToolResultBlock",
                    "Tool",
                ] {
                    s[block]["properties"]["cache_control"] = cache_control.clone();
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
            what: "`tool_choice: {type: none}`",
            source: "tool_choice_none_param.py, tool_choice_param.py",
            patch: |s| {
                s["ToolChoiceNone"] = json!({
                    "type": "object", "additionalProperties": false, "required": ["type"],
                    "properties": {"type": {"const": "none"}}
                });
                push(
                    &mut s["ToolChoice"]["oneOf"],
                    json!({"$ref": "#/components/schemas/ToolChoiceNone"}),
                );
            },
        },
        Deviation {
            what: "`strict` on tools",
            source: "tool_param.py; docs 'Strict tool use'",
            patch: |s| s["Tool"]["properties"]["strict"] = json!({"type": "boolean"}),
        },
        Deviation {
            what: "`output_config` (structured outputs: `output_config.format` with a JSON schema) and `service_tier`",
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

/// Validates `instance` against the component schema `schema` (e.g. `CreateMessageParams`,
/// `Message`, `MessageStreamEvent`, `ErrorResponse`) with the [`deviations`] applied; returns
/// every violation.
pub fn validate(schema: &str, instance: &Value) -> Result<(), Vec<String>> {
    validate_in(Spec::Current, schema, instance)
}

/// [`validate`] against the chosen [`Spec`].
pub fn validate_in(spec: Spec, schema: &str, instance: &Value) -> Result<(), Vec<String>> {
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

/// Asserts that `instance` is valid for `schema` (with the deviations), printing every
/// violation.
pub fn assert_valid(schema: &str, instance: &Value) {
    assert_valid_in(Spec::Current, schema, instance);
}

/// [`assert_valid`] against the chosen [`Spec`].
pub fn assert_valid_in(spec: Spec, schema: &str, instance: &Value) {
    if let Err(errors) = validate_in(spec, schema, instance) {
        panic!(
            "body does not validate against Anthropic's {schema} ({spec:?} spec):\n  {}\nbody: {instance:#}",
            errors.join("\n  ")
        );
    }
}

/// Asserts that a `POST /v1/messages` body is a valid `CreateMessageParams`, and valid against
/// the pristine spec too when it does not use newer fields.
pub fn assert_valid_request(body: &Value, uses_newer_fields: bool) {
    assert_valid("CreateMessageParams", body);
    if !uses_newer_fields {
        assert_valid_in(Spec::Pristine, "CreateMessageParams", body);
    }
}

/// Validates one stream event: `ping` by shape (the Nov 2024 spec does not list it), `error`
/// as an `ErrorResponse`, the rest as a `MessageStreamEvent` whose `type` equals the event
/// name.
pub fn assert_valid_event(event: &str, data: &Value) {
    match event {
        "ping" => assert_eq!(data, &json!({"type": "ping"}), "a ping event"),
        "error" => assert_valid("ErrorResponse", data),
        _ => {
            assert_eq!(data["type"], event, "event name = data.type");
            assert_valid("MessageStreamEvent", data);
        }
    }
}

/// The event name and parsed `data:` of every SSE event of a transcript (events without data
/// are skipped).
pub fn sse_events(transcript: &str) -> Vec<(String, Value)> {
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
            (!data.is_empty()).then(|| {
                let v = serde_json::from_str(&data)
                    .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data}"));
                (name, v)
            })
        })
        .collect()
}

/// Validates every event of an SSE transcript with [`assert_valid_event`].
pub fn assert_valid_transcript(transcript: &str) {
    for (name, data) in sse_events(transcript) {
        assert_valid_event(&name, &data);
    }
}

/// The spec's documented example of `schema` (`CreateMessageParams` or `Message`).
pub fn example(schema: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(EXAMPLES).expect("examples.json is JSON");
    v.get(schema).filter(|e| !e.is_null()).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_spec_compiles_and_its_examples_validate() {
        for spec in [Spec::Pristine, Spec::Current] {
            for schema in ["CreateMessageParams", "Message"] {
                let e = example(schema).unwrap();
                assert_valid_in(spec, schema, &e);
            }
        }
        assert!(example("ErrorResponse").is_none());
        // `cache_control` is checked, not merely allowed.
        let bad_cache = json!({"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": [
            {"type": "text", "text": "x", "cache_control": {"type": "persistent"}}]}]});
        assert!(validate("CreateMessageParams", &bad_cache).is_err());
        // The validator does reject what the spec forbids.
        for spec in [Spec::Pristine, Spec::Current] {
            let bad = [
                ("CreateMessageParams", json!({"model": "m", "messages": []})),
                (
                    "CreateMessageParams",
                    json!({"model": "m", "max_tokens": 1, "messages": [{"role": "system", "content": "x"}]}),
                ),
                ("Message", json!({"type": "message"})),
                (
                    "ErrorResponse",
                    json!({"type": "error", "error": {"type": "nope", "message": "x"}}),
                ),
            ];
            for (schema, body) in &bad {
                assert!(validate_in(spec, schema, body).is_err(), "{body}");
            }
        }
    }

    #[test]
    fn every_deviation_is_needed() {
        let req = |extra: Value| {
            let mut b = json!({"model": "m", "max_tokens": 2048, "messages": [{"role": "user", "content": "x"}]});
            b.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            ("CreateMessageParams", b)
        };
        let user_block =
            |block: Value| req(json!({"messages": [{"role": "user", "content": [block]}]}));
        // One use per deviation, in the order of `deviations()`.
        let uses = [
            req(json!({"thinking": {"type": "enabled", "budget_tokens": 1024}})),
            req(
                json!({"messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"}]}]}),
            ),
            user_block(
                json!({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}}),
            ),
            user_block(
                json!({"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "1h"}}),
            ),
            user_block(
                json!({"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}),
            ),
            req(json!({"tool_choice": {"type": "none"}})),
            req(
                json!({"tools": [{"name": "f", "input_schema": {"type": "object"}, "strict": true}]}),
            ),
            req(
                json!({"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}}),
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
        let all = deviations();
        assert_eq!(uses.len(), all.len());
        for (i, ((schema, body), d)) in uses.iter().zip(&all).enumerate() {
            assert!(!d.what.is_empty() && !d.source.is_empty());
            assert!(
                validate_in(Spec::Pristine, schema, body).is_err(),
                "deviation {i} ({}) is not needed for {body}",
                d.what
            );
            // This deviation alone makes the body valid.
            let mut c: Value = serde_json::from_str(SCHEMAS).unwrap();
            (d.patch)(&mut c["components"]["schemas"]);
            let root = json!({"$ref": format!("#/components/schemas/{schema}"), "components": c["components"]});
            let v = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .unwrap();
            assert!(
                v.is_valid(body),
                "deviation {i} ({}) does not admit {body}",
                d.what
            );
            assert_valid(schema, body);
        }
    }

    #[test]
    fn transcripts_are_parsed_and_checked_event_by_event() {
        let t = "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\r\n\r\nevent: ping\ndata: {\"type\": \"ping\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        let events = sse_events(t);
        assert_eq!(
            events.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["message_start", "ping", "message_stop"]
        );
        assert_valid_transcript(t);
        let wrong_name = "event: message_stop\ndata: {\"type\":\"ping\"}\n\n";
        assert!(std::panic::catch_unwind(|| assert_valid_transcript(wrong_name)).is_err());
    }
}
