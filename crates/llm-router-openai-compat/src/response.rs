//! The vendor's JSON → canonical responses and chunks.

use llm_router_core::{ChatChunk, ChatResponse, Error};
use llm_router_http::{error_in_body, mentions_error};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dialect::{Dialect, Endpoint};

/// Decodes one JSON document of `endpoint` (a whole response or one stream chunk): errors
/// inside the body are detected, the dialect's hooks run, the vendor's reasoning field is
/// moved to `reasoning_content`.
pub fn decode<T: DeserializeOwned>(
    dialect: &Dialect,
    endpoint: Endpoint,
    bytes: &[u8],
) -> Result<T, Error> {
    // Fast path (most chunks of most vendors): nothing to inspect or rewrite, so decode
    // straight into the canonical type. A body that mentions "error" anywhere takes the slow
    // path, which finds an error object wherever it is.
    if dialect.hooks.is_none() && dialect.quirks.reasoning_field.is_none() && !mentions_error(bytes)
    {
        return serde_json::from_slice(bytes)
            .map_err(|e| llm_router_http::decode_error(&dialect.name, &e, bytes));
    }
    let mut v: Value = serde_json::from_slice(bytes)
        .map_err(|e| llm_router_http::decode_error(&dialect.name, &e, bytes))?;
    if let Some(h) = &dialect.hooks
        && let Some(e) = h.event_error(&v)
    {
        return Err(e);
    }
    if let Some(e) = error_in_body(&dialect.name, &v) {
        return Err(e);
    }
    if let Some(h) = &dialect.hooks {
        h.normalize_response(endpoint, &mut v)?;
    }
    if let Some(field) = &dialect.quirks.reasoning_field {
        move_reasoning(&mut v, field);
    }
    serde_json::from_value(v).map_err(|e| llm_router_http::decode_error(&dialect.name, &e, bytes))
}

/// Decodes a chat response.
pub fn decode_chat(dialect: &Dialect, bytes: &[u8]) -> Result<ChatResponse, Error> {
    decode(dialect, Endpoint::ChatCompletions, bytes)
}

/// Decodes a chat stream chunk.
pub fn decode_chunk(dialect: &Dialect, bytes: &[u8]) -> Result<ChatChunk, Error> {
    decode(dialect, Endpoint::ChatCompletions, bytes)
}

/// `choices[].message.<field>` / `choices[].delta.<field>` → `reasoning_content`.
fn move_reasoning(v: &mut Value, field: &str) {
    let Some(choices) = v.get_mut("choices").and_then(Value::as_array_mut) else {
        return;
    };
    for c in choices {
        for key in ["message", "delta"] {
            if let Some(m) = c.get_mut(key).and_then(Value::as_object_mut)
                && let Some(r) = m.remove(field)
                && r.is_string()
                && !m.contains_key("reasoning_content")
            {
                m.insert("reasoning_content".into(), r);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Quirks;
    use llm_router_core::ErrorKind;

    #[test]
    fn vendor_reasoning_field_is_moved() {
        let d = Dialect::new("openrouter", "http://x").with_quirks(Quirks {
            reasoning_field: Some("reasoning".into()),
            ..Quirks::default()
        });
        let c = decode_chunk(
            &d,
            br#"{"choices":[{"index":0,"delta":{"reasoning":"hmm"}}]}"#,
        )
        .unwrap();
        assert_eq!(c.choices[0].delta.reasoning_content.as_deref(), Some("hmm"));
    }

    #[test]
    fn errors_and_garbage() {
        let d = Dialect::new("v", "http://x");
        let e = decode_chat(
            &d,
            br#"{"error":{"message":"overloaded","type":"server_error"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        let e = decode_chat(&d, b"<html>502</html>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.message().contains("<html>"));
    }
}
