//! The legacy API's responses → canonical responses, chunks and embeddings.
//!
//! A chat response is `{id, object, created, result, is_truncated, need_clear_history,
//! ban_round?, finish_reason?, function_call?: {name, arguments, thoughts}, usage}`; stream
//! events are the same object with `sentence_id` and `is_end`, `result` holding the new text.
//!
//! Finish reasons (documented values `normal`, `stop`, `length`, `content_filter`; the official
//! SDK's OpenAI adapter also reads `function_call`): `normal` and `stop` → `stop`,
//! `function_call` or a present `function_call` object → `tool_calls`, and
//! `need_clear_history: true` (the input was judged unsafe; Baidu advises clearing the
//! conversation) → `content_filter`. A raw value that differs from the canonical one is kept
//! in the choice's `native_finish_reason`. Intermediate stream events carry a
//! `finish_reason` too (`normal`); only the `is_end` event's counts, as only its `usage`
//! does.

use llm_router_core::{
    ChatChunk, ChatResponse, Choice, ChunkChoice, Delta, EmbeddingData, EmbeddingResponse, Error,
    FinishReason, FunctionCallDelta, Message, Role, ToolCall, ToolCallDelta, ToolType, Usage,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::PROVIDER;

/// Qianfan's finish reason for an answer the model ended on its own.
const FINISH_NORMAL: &str = "normal";

/// A chat response or stream event.
#[derive(Debug, Deserialize)]
pub(crate) struct WireChat {
    #[serde(default)]
    id: String,
    #[serde(default)]
    created: u64,
    #[serde(default)]
    result: String,
    #[serde(default)]
    is_truncated: bool,
    #[serde(default)]
    need_clear_history: bool,
    #[serde(default)]
    ban_round: Option<i64>,
    #[serde(default)]
    finish_reason: Option<String>,
    #[serde(default)]
    function_call: Option<WireFunctionCall>,
    #[serde(default)]
    usage: Option<Usage>,
    /// Streams only: the last event.
    #[serde(default)]
    pub(crate) is_end: bool,
}

#[derive(Debug, Deserialize)]
struct WireFunctionCall {
    #[serde(default)]
    name: String,
    #[serde(default)]
    arguments: String,
    #[serde(default)]
    thoughts: Option<String>,
}

/// Parses a body or event into [`WireChat`] (a decode error quotes its start).
pub(crate) fn parse_chat(v: Value, raw: &[u8]) -> Result<WireChat, Error> {
    serde_json::from_value(v).map_err(|e| llm_router_http::decode_error(PROVIDER, &e, raw))
}

/// The id given to the one tool call of a response (the legacy API has no call ids).
fn call_id(response_id: &str) -> String {
    if response_id.is_empty() {
        "call_0".to_owned()
    } else {
        format!("call_{response_id}")
    }
}

impl WireChat {
    /// The canonical finish reason and the raw value when it differs.
    fn finish(&self) -> (FinishReason, Option<String>) {
        let raw = self.finish_reason.as_deref();
        let reason = if self.need_clear_history {
            FinishReason::ContentFilter
        } else if self.function_call.is_some() {
            FinishReason::ToolCalls
        } else {
            match raw {
                Some(FINISH_NORMAL | "stop") => FinishReason::Stop,
                Some("length") => FinishReason::Length,
                Some("content_filter") => FinishReason::ContentFilter,
                Some("function_call" | "tool_calls") => FinishReason::ToolCalls,
                Some(other) => FinishReason::Other(other.to_owned()),
                None if self.is_truncated => FinishReason::Length,
                None => FinishReason::Stop,
            }
        };
        let native = raw
            .filter(|r| *r != reason.as_str())
            .map(str::to_owned)
            .or_else(|| {
                self.need_clear_history
                    .then(|| "need_clear_history".to_owned())
            });
        (reason, native)
    }

    /// Vendor fields worth keeping on the response.
    fn vendor_extra(&self) -> Map<String, Value> {
        let mut extra = Map::new();
        if self.is_truncated {
            extra.insert("is_truncated".into(), Value::Bool(true));
        }
        if self.need_clear_history {
            extra.insert("need_clear_history".into(), Value::Bool(true));
        }
        if let Some(r) = self.ban_round {
            extra.insert("ban_round".into(), Value::from(r));
        }
        extra
    }

    fn choice_extra(native: Option<String>) -> Map<String, Value> {
        let mut extra = Map::new();
        if let Some(n) = native {
            extra.insert("native_finish_reason".into(), Value::String(n));
        }
        extra
    }

    /// A complete response for `model`.
    pub(crate) fn into_response(self, model: &str) -> ChatResponse {
        let (reason, native) = self.finish();
        let extra = self.vendor_extra();
        let mut message = Message::assistant(self.result.clone());
        if let Some(fc) = &self.function_call {
            if self.result.is_empty() {
                message.content = None;
            }
            message.tool_calls = vec![ToolCall::function(
                call_id(&self.id),
                fc.name.clone(),
                fc.arguments.clone(),
            )];
            message.reasoning_content = fc.thoughts.clone().filter(|t| !t.is_empty());
        }
        ChatResponse {
            id: self.id,
            created: self.created,
            model: model.to_owned(),
            choices: vec![Choice {
                index: 0,
                message,
                finish_reason: Some(reason),
                logprobs: None,
                extra: Self::choice_extra(native),
            }],
            usage: self.usage,
            extra,
            ..ChatResponse::default()
        }
    }

    /// A stream chunk for `model`; `first` adds the assistant role. The finish reason and usage
    /// are set only on the last event (`is_end`) or a safety stop (`need_clear_history`).
    pub(crate) fn into_chunk(self, model: &str, first: bool) -> ChatChunk {
        let last = self.is_end || self.need_clear_history;
        let (reason, native) = self.finish();
        let mut delta = Delta {
            role: first.then_some(Role::Assistant),
            content: (!self.result.is_empty() || first).then(|| self.result.clone()),
            ..Delta::default()
        };
        if let Some(fc) = &self.function_call {
            delta.tool_calls = vec![ToolCallDelta {
                index: 0,
                id: Some(call_id(&self.id)),
                kind: Some(ToolType::Function),
                function: Some(FunctionCallDelta {
                    name: Some(fc.name.clone()),
                    arguments: Some(fc.arguments.clone()),
                }),
            }];
            delta.reasoning_content = fc.thoughts.clone().filter(|t| !t.is_empty());
        }
        let extra = if last {
            self.vendor_extra()
        } else {
            Map::new()
        };
        ChatChunk {
            id: self.id,
            created: self.created,
            model: model.to_owned(),
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason: last.then_some(reason),
                logprobs: None,
                extra: if last {
                    Self::choice_extra(native)
                } else {
                    Map::new()
                },
            }],
            usage: if last { self.usage } else { None },
            extra,
            ..ChatChunk::default()
        }
    }
}

/// An embeddings response: `{id, object: "embedding_list", created, data: [{object,
/// embedding, index}], usage}`.
#[derive(Debug, Deserialize)]
struct WireEmbeddings {
    #[serde(default)]
    id: String,
    data: Vec<EmbeddingData>,
    #[serde(default)]
    usage: Option<Usage>,
}

/// The canonical embeddings response for `model`; vectors sorted by index.
pub(crate) fn embeddings(v: Value, raw: &[u8], model: &str) -> Result<EmbeddingResponse, Error> {
    let w: WireEmbeddings =
        serde_json::from_value(v).map_err(|e| llm_router_http::decode_error(PROVIDER, &e, raw))?;
    let mut data = w.data;
    data.sort_by_key(|d| d.index);
    let mut extra = Map::new();
    if !w.id.is_empty() {
        extra.insert("id".into(), Value::String(w.id));
    }
    Ok(EmbeddingResponse {
        object: "list".to_owned(),
        data,
        model: model.to_owned(),
        usage: w.usage,
        extra,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(v: Value) -> WireChat {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn finish_reasons() {
        let cases = [
            (json!({"finish_reason": "normal"}), "stop", Some("normal")),
            (json!({"finish_reason": "stop"}), "stop", None),
            (json!({"finish_reason": "length"}), "length", None),
            (
                json!({"finish_reason": "content_filter"}),
                "content_filter",
                None,
            ),
            (
                json!({"finish_reason": "function_call"}),
                "tool_calls",
                Some("function_call"),
            ),
            (
                json!({"finish_reason": "normal", "function_call": {"name": "f", "arguments": "{}"}}),
                "tool_calls",
                Some("normal"),
            ),
            (
                json!({"finish_reason": "normal", "need_clear_history": true, "ban_round": -1}),
                "content_filter",
                Some("normal"),
            ),
            (
                json!({"need_clear_history": true}),
                "content_filter",
                Some("need_clear_history"),
            ),
            (json!({"is_truncated": true}), "length", None),
            (json!({}), "stop", None),
            (json!({"finish_reason": "brand_new"}), "brand_new", None),
        ];
        for (v, reason, native) in cases {
            let (r, n) = wire(v.clone()).finish();
            assert_eq!(r.as_str(), reason, "{v}");
            assert_eq!(n.as_deref(), native, "{v}");
        }
    }

    #[test]
    fn intermediate_events_carry_no_finish_or_usage() {
        let ev = json!({"id": "as-1", "created": 1, "sentence_id": 0, "is_end": false, "result": "你好",
                        "finish_reason": "normal", "usage": {"prompt_tokens": 3, "completion_tokens": 0, "total_tokens": 3}});
        let c = wire(ev).into_chunk("m", true);
        assert_eq!(c.choices[0].finish_reason, None);
        assert!(c.usage.is_none());
        assert_eq!(c.choices[0].delta.role, Some(Role::Assistant));
        assert_eq!(c.text(), Some("你好"));
    }
}
