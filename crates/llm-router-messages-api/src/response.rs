//! Canonical [`ChatResponse`] → Anthropic's `Message` object.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use llm_router_core::{
    ChatResponse, Choice, Content, ContentPart, FinishReason, Message, ReasoningDetail,
    ReasoningKind, ToolCall, Usage,
};
use serde_json::{Map, Value, json};

/// Anthropic's stop reason for a canonical finish reason.
///
/// `stop` → `end_turn` (`stop_sequence` when the matched sequence is known), `length` →
/// `max_tokens`, `tool_calls` (and legacy `function_call`) → `tool_use`, `content_filter` →
/// `refusal`; Anthropic's own values that have no OpenAI equivalent (`pause_turn`,
/// `model_context_window_exceeded`, …) pass through; anything else → `end_turn`.
pub fn stop_reason(reason: Option<&FinishReason>, stop_sequence: Option<&str>) -> &'static str {
    match reason {
        Some(FinishReason::Stop) | None if stop_sequence.is_some() => "stop_sequence",
        Some(FinishReason::Length) => "max_tokens",
        Some(FinishReason::ToolCalls | FinishReason::FunctionCall) => "tool_use",
        Some(FinishReason::ContentFilter) => "refusal",
        Some(FinishReason::Other(o)) => match o.as_str() {
            "end_turn" => "end_turn",
            "max_tokens" => "max_tokens",
            "stop_sequence" => "stop_sequence",
            "tool_use" => "tool_use",
            "pause_turn" => "pause_turn",
            "refusal" => "refusal",
            "model_context_window_exceeded" => "model_context_window_exceeded",
            _ => "end_turn",
        },
        _ => "end_turn",
    }
}

/// The stop sequence that ended the answer, when the provider said (`stop_sequence` or
/// `matched_stop` as a string in the choice's `extra`).
pub(crate) fn matched_stop(extra: &Map<String, Value>) -> Option<&str> {
    ["stop_sequence", "matched_stop"]
        .iter()
        .find_map(|k| extra.get(*k).and_then(Value::as_str))
}

/// Anthropic's usage object. Anthropic's `input_tokens` excludes cached tokens, so it is the
/// canonical `prompt_tokens` minus cache reads and writes.
pub(crate) fn usage_json(u: Option<&Usage>) -> Value {
    let u = u.cloned().unwrap_or_default();
    let read = u.cache_read_tokens();
    let write = u.cache_write_tokens();
    json!({
        "input_tokens": u.prompt_tokens.saturating_sub(read).saturating_sub(write),
        "output_tokens": u.completion_tokens,
        "cache_creation_input_tokens": write,
        "cache_read_input_tokens": read,
    })
}

/// A `msg_…` id from the provider's response id: kept when it already is one, otherwise
/// `msg_` + the id without its `chatcmpl-` style prefix; a fresh id when there is none.
pub fn message_id(id: &str) -> String {
    if id.starts_with("msg_") {
        return id.to_owned();
    }
    let core = id
        .rsplit_once('-')
        .map_or(id, |(_, rest)| rest)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>();
    if core.is_empty() {
        fresh_id("msg_")
    } else {
        format!("msg_{core}")
    }
}

/// A process-unique id with `prefix` (time and a counter; not a secret).
pub(crate) fn fresh_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{nanos:x}{n:04x}")
}

/// Tool-call arguments as the `input` object. Arguments that are not a JSON object (a model
/// can emit broken JSON) become `{}`: Anthropic's `input` is always an object, and clients
/// parse it as one.
pub(crate) fn tool_input(call: &ToolCall) -> Value {
    match call.function.parse_arguments() {
        Ok(v @ Value::Object(_)) => v,
        _ => Value::Object(Map::new()),
    }
}

/// Whether a reasoning block can be shown as an Anthropic block: ours or unlabelled ones.
/// Other providers' opaque blocks (Gemini thought signatures) mean nothing to a client of
/// this API and are left out.
pub(crate) fn is_anthropic_detail(d: &ReasoningDetail) -> bool {
    d.format
        .as_deref()
        .is_none_or(|f| f.starts_with("anthropic-claude"))
}

/// Thinking blocks for an assistant message: from `reasoning_details` when it has any text or
/// encrypted block (signatures kept), otherwise one block from `reasoning_content`.
fn thinking_blocks(m: &Message) -> Vec<Value> {
    let mut out = Vec::new();
    for d in &m.reasoning_details {
        match &d.kind {
            ReasoningKind::Text | ReasoningKind::Summary => {
                let text = d.text.as_deref().or(d.summary.as_deref()).unwrap_or("");
                let sig = d.signature.as_deref().filter(|_| is_anthropic_detail(d));
                out.push(
                    json!({"type": "thinking", "thinking": text, "signature": sig.unwrap_or("")}),
                );
            }
            ReasoningKind::Encrypted if is_anthropic_detail(d) => {
                if let Some(data) = &d.data {
                    out.push(json!({"type": "redacted_thinking", "data": data}));
                }
            }
            _ => {}
        }
    }
    let has_text = out.iter().any(|b| b["type"] == "thinking");
    if !has_text && let Some(r) = m.reasoning_content.as_deref().filter(|r| !r.is_empty()) {
        out.insert(
            0,
            json!({"type": "thinking", "thinking": r, "signature": ""}),
        );
    }
    out
}

/// Text blocks: a string is one block; text parts are one block each (refusals too).
fn text_blocks(m: &Message) -> Vec<Value> {
    let mut out = Vec::new();
    let mut push = |t: &str| {
        if !t.is_empty() {
            out.push(json!({"type": "text", "text": t}));
        }
    };
    match &m.content {
        Some(Content::Text(t)) => push(t),
        Some(Content::Parts(parts)) => {
            for p in parts {
                match p {
                    ContentPart::Text { text, .. } => push(text),
                    ContentPart::Refusal { refusal } => push(refusal),
                    _ => {}
                }
            }
        }
        None => {}
    }
    if let Some(r) = &m.refusal {
        push(r);
    }
    out
}

/// The content blocks of a choice: thinking, text, tool_use, in that order.
fn content_blocks(m: &Message) -> Vec<Value> {
    let mut out = thinking_blocks(m);
    out.extend(text_blocks(m));
    for call in &m.tool_calls {
        out.push(json!({
            "type": "tool_use",
            "id": call.id,
            "name": call.function.name,
            "input": tool_input(call),
        }));
    }
    out
}

/// Builds Anthropic's `Message` object from a canonical response (its first choice).
///
/// `model` is what the client asked for, echoed back. See the crate docs for the mapping.
///
/// ```
/// use llm_router_core::{ChatResponse, Choice, FinishReason, Message, Usage};
/// let resp = ChatResponse {
///     id: "chatcmpl-abc123".into(),
///     choices: vec![Choice {
///         message: Message::assistant("Hello!"),
///         finish_reason: Some(FinishReason::Stop),
///         ..Choice::default()
///     }],
///     usage: Some(Usage::new(10, 2)),
///     ..ChatResponse::default()
/// };
/// let body = llm_router_messages_api::response_body(&resp, "claude-sonnet-4-5");
/// assert_eq!(body["id"], "msg_abc123");
/// assert_eq!(body["content"][0]["text"], "Hello!");
/// assert_eq!(body["stop_reason"], "end_turn");
/// assert_eq!(body["usage"]["input_tokens"], 10);
/// ```
pub fn response_body(resp: &ChatResponse, model: &str) -> Value {
    let empty = Choice::default();
    let choice = resp.choices.first().unwrap_or(&empty);
    let m = &choice.message;
    let stop_seq = matched_stop(&choice.extra);
    let reason = match &choice.finish_reason {
        None if !m.tool_calls.is_empty() => "tool_use",
        r => stop_reason(r.as_ref(), stop_seq),
    };
    json!({
        "id": message_id(&resp.id),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content_blocks(m),
        "stop_reason": reason,
        "stop_sequence": if reason == "stop_sequence" { stop_seq } else { None },
        "usage": usage_json(resp.usage.as_ref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(message_id("msg_01X"), "msg_01X");
        assert_eq!(
            message_id("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"),
            "msg_B9MBs8CjcvOU2jLn4n570S5qMJKcT"
        );
        assert_eq!(message_id("gen-1718-abc"), "msg_abc");
        assert!(message_id("").starts_with("msg_"));
        assert_ne!(message_id(""), message_id(""));
    }

    #[test]
    fn stop_reasons() {
        let r = |f: FinishReason| stop_reason(Some(&f), None);
        assert_eq!(r(FinishReason::Stop), "end_turn");
        assert_eq!(r(FinishReason::Length), "max_tokens");
        assert_eq!(r(FinishReason::ToolCalls), "tool_use");
        assert_eq!(r(FinishReason::ContentFilter), "refusal");
        assert_eq!(r(FinishReason::Other("pause_turn".into())), "pause_turn");
        assert_eq!(r(FinishReason::Other("weird".into())), "end_turn");
        assert_eq!(
            stop_reason(Some(&FinishReason::Stop), Some("END")),
            "stop_sequence"
        );
        assert_eq!(stop_reason(None, None), "end_turn");
    }
}
