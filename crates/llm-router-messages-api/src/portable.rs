//! Removing the Anthropic-only fields [`parse_request`](crate::parse_request) keeps, for
//! providers that would reject them.

use llm_router_core::{ChatRequest, Content, ContentPart};
use serde_json::Value;

/// Top-level fields kept when the rest of Anthropic's extras are dropped: other providers read
/// them too (Gemini, Ollama and many OpenAI-compatible servers take `top_k` from `extra`).
const PORTABLE_EXTRA: &[&str] = &["top_k"];

/// Part and tool fields only Anthropic understands.
const ANTHROPIC_PART_FIELDS: &[&str] = &["cache_control", "citations"];

/// Strips what only Anthropic understands from a request made by
/// [`parse_request`](crate::parse_request), for a provider that is not Anthropic.
///
/// [`parse_request`](crate::parse_request) keeps Anthropic's own fields where
/// `llm-router-anthropic` reads them back (`thinking`, `output_config`, `container`, … in
/// `extra`; `is_error` and `cache_control` on messages, parts and tools), so a request served
/// by Claude loses nothing. OpenAI-dialect providers send `extra` fields as they are, and
/// strict ones (OpenAI itself) reject unknown fields. This removes them:
///
/// - every top-level `extra` field except `top_k` (the thinking budget survives as
///   `reasoning_effort`, structured output as `response_format`);
/// - `cache_control` and `citations` on messages, content parts and tools;
/// - `service_tier: standard_only` (Anthropic's value; `auto` is kept);
/// - `is_error` on tool results, which becomes an `Error: ` prefix of the result's text so the
///   model still learns the call failed.
///
/// ```
/// let mut req = llm_router_messages_api::parse_request(br#"{
///     "model": "gpt-4o", "max_tokens": 100, "top_k": 5,
///     "thinking": {"type": "enabled", "budget_tokens": 2048},
///     "messages": [{"role": "user", "content": [
///         {"type": "tool_result", "tool_use_id": "call_1", "content": "timeout", "is_error": true}
///     ]}]
/// }"#)?;
/// llm_router_messages_api::strip_anthropic_only(&mut req);
/// let body = serde_json::to_value(&req)?;
/// assert!(body.get("thinking").is_none());
/// assert_eq!(body["top_k"], 5);
/// assert_eq!(body["reasoning_effort"], "low");
/// assert_eq!(body["messages"][0], serde_json::json!(
///     {"role": "tool", "tool_call_id": "call_1", "content": "Error: timeout"}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn strip_anthropic_only(req: &mut ChatRequest) {
    req.extra
        .retain(|k, _| PORTABLE_EXTRA.contains(&k.as_str()));
    if req.service_tier.as_deref() == Some("standard_only") {
        req.service_tier = None;
    }
    for m in &mut req.messages {
        let failed = m.extra.remove("is_error") == Some(Value::Bool(true));
        for key in ANTHROPIC_PART_FIELDS {
            m.extra.remove(*key);
        }
        if let Some(Content::Parts(parts)) = &mut m.content {
            for p in parts.iter_mut() {
                match p {
                    ContentPart::Text { extra, .. } | ContentPart::ImageUrl { extra, .. } => {
                        extra.retain(|k, _| !ANTHROPIC_PART_FIELDS.contains(&k.as_str()));
                    }
                    ContentPart::Other(map) => {
                        map.retain(|k, _| !ANTHROPIC_PART_FIELDS.contains(&k.as_str()));
                    }
                    _ => {}
                }
            }
        }
        if failed {
            match &mut m.content {
                Some(Content::Text(t)) => t.insert_str(0, "Error: "),
                Some(Content::Parts(parts)) => parts.insert(0, ContentPart::text("Error: ")),
                None => m.content = Some(Content::Text("Error".into())),
            }
        }
    }
    for t in &mut req.tools {
        t.extra.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn everything_anthropic_only_goes() {
        let body = json!({
            "model": "m", "max_tokens": 10, "container": "c", "context_management": {},
            "service_tier": "standard_only",
            "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}],
            "tools": [{"name": "f", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "is_error": true, "cache_control": {"type": "ephemeral"},
                 "content": [{"type": "text", "text": "boom", "cache_control": {"type": "ephemeral"}}]},
                {"type": "tool_result", "tool_use_id": "t2", "is_error": false, "content": "fine"},
                {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}, "cache_control": {"type": "ephemeral"}},
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}, "cache_control": {"type": "ephemeral"}}
            ]}]
        });
        let mut req = crate::parse_request(body.to_string().as_bytes()).unwrap();
        strip_anthropic_only(&mut req);
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(
            v,
            json!({
                "model": "m", "max_tokens": 10,
                "messages": [
                    {"role": "system", "content": [{"type": "text", "text": "s"}]},
                    {"role": "tool", "tool_call_id": "t1", "content": [{"type": "text", "text": "Error: "}, {"type": "text", "text": "boom"}]},
                    {"role": "tool", "tool_call_id": "t2", "content": "fine"},
                    {"role": "user", "content": [
                        {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                        {"type": "file", "file": {"filename": "document.pdf", "file_data": "data:application/pdf;base64,JVBE"}}
                    ]}
                ],
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
            })
        );
    }
}
