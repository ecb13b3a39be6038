//! Small pieces of [`DialectHooks`](crate::DialectHooks) logic that several vendors share:
//! a vendor finish reason renamed to the canonical one, a finish reason that means the
//! generation failed, and other vendors' reasoning blocks removed from a request.

use serde_json::Value;

use crate::dialect::Endpoint;

/// In a chat response or stream chunk, replaces `finish_reason: "<vendor>"` with
/// `"<canonical>"` in every choice and keeps the raw value in the choice's
/// `native_finish_reason` (unless one is there already). Other endpoints are left alone.
///
/// ```
/// use llm_router_openai_compat::{Endpoint, rename_finish_reason};
/// use serde_json::json;
///
/// let mut chunk = json!({"choices": [{"index": 0, "finish_reason": "normal"}]});
/// rename_finish_reason(Endpoint::ChatCompletions, &mut chunk, "normal", "stop");
/// assert_eq!(chunk["choices"][0]["finish_reason"], "stop");
/// assert_eq!(chunk["choices"][0]["native_finish_reason"], "normal");
/// ```
pub fn rename_finish_reason(endpoint: Endpoint, body: &mut Value, vendor: &str, canonical: &str) {
    if endpoint != Endpoint::ChatCompletions {
        return;
    }
    let Some(choices) = body.get_mut("choices").and_then(Value::as_array_mut) else {
        return;
    };
    for c in choices.iter_mut().filter_map(Value::as_object_mut) {
        if c.get("finish_reason").and_then(Value::as_str) == Some(vendor) {
            c.insert("finish_reason".into(), Value::from(canonical));
            c.entry("native_finish_reason")
                .or_insert_with(|| Value::from(vendor));
        }
    }
}

/// Whether any choice of a response or stream chunk has `finish_reason: "<reason>"` (vendors
/// that report a failed generation as a finish reason).
///
/// ```
/// use llm_router_openai_compat::has_finish_reason;
/// use serde_json::json;
///
/// let chunk = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "error"}]});
/// assert!(has_finish_reason(&chunk, "error"));
/// assert!(!has_finish_reason(&chunk, "stop"));
/// ```
pub fn has_finish_reason(event: &Value, reason: &str) -> bool {
    event
        .get("choices")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c.get("finish_reason").and_then(Value::as_str) == Some(reason))
        })
}

/// Removes `reasoning_details` (other vendors' signed or encrypted reasoning blocks) from every
/// message of a chat request body, for vendors that only take `reasoning_content` back. Other
/// endpoints are left alone.
///
/// ```
/// use llm_router_openai_compat::{Endpoint, strip_reasoning_details};
/// use serde_json::json;
///
/// let mut body = json!({"messages": [{"role": "assistant", "content": "42",
///     "reasoning_content": "because", "reasoning_details": [{"type": "reasoning.text"}]}]});
/// strip_reasoning_details(Endpoint::ChatCompletions, &mut body);
/// assert_eq!(body["messages"][0]["reasoning_content"], "because");
/// assert!(body["messages"][0].get("reasoning_details").is_none());
/// ```
pub fn strip_reasoning_details(endpoint: Endpoint, body: &mut Value) {
    if endpoint == Endpoint::ChatCompletions
        && let Some(Value::Array(messages)) = body.get_mut("messages")
    {
        for m in messages.iter_mut().filter_map(Value::as_object_mut) {
            m.remove("reasoning_details");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_only_the_vendor_reason_on_chat_and_keeps_an_existing_native_reason() {
        let mut v = json!({"choices": [
            {"index": 0, "finish_reason": "sensitive"},
            {"index": 1, "finish_reason": "stop"},
            {"index": 2, "finish_reason": "sensitive", "native_finish_reason": "raw"},
            "not an object"]});
        rename_finish_reason(
            Endpoint::ChatCompletions,
            &mut v,
            "sensitive",
            "content_filter",
        );
        assert_eq!(v["choices"][0]["finish_reason"], "content_filter");
        assert_eq!(v["choices"][0]["native_finish_reason"], "sensitive");
        assert_eq!(v["choices"][1]["finish_reason"], "stop");
        assert!(v["choices"][1].get("native_finish_reason").is_none());
        assert_eq!(v["choices"][2]["native_finish_reason"], "raw");

        let mut e = json!({"choices": [{"finish_reason": "sensitive"}]});
        rename_finish_reason(Endpoint::Embeddings, &mut e, "sensitive", "content_filter");
        assert_eq!(e["choices"][0]["finish_reason"], "sensitive");
        let mut none = json!({"id": "x"});
        rename_finish_reason(Endpoint::ChatCompletions, &mut none, "a", "b");
        assert_eq!(none, json!({"id": "x"}));
    }

    #[test]
    fn finish_reason_is_found_in_any_choice() {
        let v = json!({"choices": [{"finish_reason": null}, {"finish_reason": "network_error"}]});
        assert!(has_finish_reason(&v, "network_error"));
        assert!(!has_finish_reason(&json!({"choices": []}), "network_error"));
        assert!(!has_finish_reason(&json!({"error": {}}), "network_error"));
    }

    #[test]
    fn reasoning_details_are_stripped_from_chat_bodies_only() {
        let body = json!({"messages": [{"role": "assistant", "reasoning_details": []}],
                          "input": "x", "reasoning_details": 1});
        let mut chat = body.clone();
        strip_reasoning_details(Endpoint::ChatCompletions, &mut chat);
        assert!(chat["messages"][0].get("reasoning_details").is_none());
        assert_eq!(chat["reasoning_details"], 1);
        let mut emb = body.clone();
        strip_reasoning_details(Endpoint::Embeddings, &mut emb);
        assert_eq!(emb, body);
    }
}
