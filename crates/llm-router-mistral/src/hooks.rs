//! What Mistral does that the dialect's data cannot say: renamed and rejected request fields,
//! its tool-call id format, and its finish reasons.

use llm_router_core::{Error, ErrorKind};
use llm_router_openai_compat::{DialectHooks, Endpoint, has_finish_reason, rename_finish_reason};
use serde_json::{Map, Value};

use crate::{FINISH_ERROR, FINISH_MODEL_LENGTH, PROVIDER, mistral_tool_call_id};

/// Top-level chat fields of OpenAI's request that Mistral's `ChatCompletionRequest` does not
/// declare (it sets `additionalProperties: false`), dropped before sending.
pub(crate) const DROPPED_CHAT_FIELDS: &[&str] = &[
    "stream_options",
    "user",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "store",
    "service_tier",
];

/// Message fields Mistral's message schemas do not declare (`name` is kept on tool messages).
const DROPPED_MESSAGE_FIELDS: &[&str] = &["refusal", "reasoning_content", "reasoning_details"];

pub(crate) struct MistralHooks;

fn rename(o: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(v) = o.remove(from)
        && !o.contains_key(to)
    {
        o.insert(to.into(), v);
    }
}

fn map_id(v: Option<&mut Value>) {
    if let Some(Value::String(id)) = v {
        *id = mistral_tool_call_id(id);
    }
}

fn prepare_message(m: &mut Map<String, Value>) {
    for f in DROPPED_MESSAGE_FIELDS {
        m.remove(*f);
    }
    // Mistral has no `developer` role; OpenAI treats it as the system prompt.
    if m.get("role").and_then(Value::as_str) == Some("developer") {
        m.insert("role".into(), Value::from("system"));
    }
    let role = m.get("role").and_then(Value::as_str).unwrap_or_default();
    if role != "tool" {
        m.remove("name");
    }
    map_id(m.get_mut("tool_call_id"));
    if let Some(Value::Array(calls)) = m.get_mut("tool_calls") {
        for c in calls.iter_mut().filter_map(Value::as_object_mut) {
            map_id(c.get_mut("id"));
        }
    }
}

impl DialectHooks for MistralHooks {
    /// Chat: `seed` → `random_seed`, `tool_choice: "required"` → `"any"`, OpenAI-only fields
    /// dropped, tool-call ids mapped to Mistral's format. Embeddings: `dimensions` →
    /// `output_dimension`, `user` dropped.
    fn prepare_body(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        let Some(o) = body.as_object_mut() else {
            return Ok(());
        };
        match endpoint {
            Endpoint::ChatCompletions => {
                rename(o, "seed", "random_seed");
                if o.get("tool_choice").and_then(Value::as_str) == Some("required") {
                    o.insert("tool_choice".into(), Value::from("any"));
                }
                for f in DROPPED_CHAT_FIELDS {
                    o.remove(*f);
                }
                if let Some(Value::Array(messages)) = o.get_mut("messages") {
                    messages
                        .iter_mut()
                        .filter_map(Value::as_object_mut)
                        .for_each(prepare_message);
                }
            }
            Endpoint::Embeddings => {
                rename(o, "dimensions", "output_dimension");
                o.remove("user");
            }
            _ => {}
        }
        Ok(())
    }

    /// `finish_reason: "model_length"` (the model's context is full) → `length`, the raw value
    /// kept in the choice's `native_finish_reason`.
    fn normalize_response(&self, endpoint: Endpoint, body: &mut Value) -> Result<(), Error> {
        rename_finish_reason(endpoint, body, FINISH_MODEL_LENGTH, "length");
        Ok(())
    }

    /// `finish_reason: "error"`: generation failed on Mistral's side, so the answer is
    /// incomplete — an error (retryable), not a finish.
    fn event_error(&self, event: &Value) -> Option<Error> {
        has_finish_reason(event, FINISH_ERROR).then(|| {
            Error::new(
                ErrorKind::ProviderUnavailable,
                "Mistral's generation failed (finish_reason error)",
            )
            .with_provider(PROVIDER)
            .with_code(FINISH_ERROR)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_length_becomes_length_and_keeps_the_raw_value() {
        let mut v = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "model_length"},
                                       {"index": 1, "delta": {}, "finish_reason": "stop"}]});
        MistralHooks
            .normalize_response(Endpoint::ChatCompletions, &mut v)
            .unwrap();
        assert_eq!(v["choices"][0]["finish_reason"], "length");
        assert_eq!(v["choices"][0]["native_finish_reason"], "model_length");
        assert_eq!(v["choices"][1]["finish_reason"], "stop");
    }

    #[test]
    fn error_finish_is_a_retryable_error() {
        let e = MistralHooks
            .event_error(&json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "error"}]}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert!(e.is_retryable());
        assert_eq!(e.code(), Some("error"));
        assert!(
            MistralHooks
                .event_error(&json!({"choices": [{"finish_reason": "stop"}]}))
                .is_none()
        );
    }

    #[test]
    fn an_explicit_random_seed_wins_over_seed() {
        let mut v = json!({"seed": 1, "random_seed": 2, "messages": []});
        MistralHooks
            .prepare_body(Endpoint::ChatCompletions, &mut v)
            .unwrap();
        assert_eq!(v, json!({"random_seed": 2, "messages": []}));
    }
}
