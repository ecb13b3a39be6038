//! Canonical requests → the vendor's JSON body.
//!
//! The canonical types already are OpenAI's wire format, so a body is the request serialized
//! and then adjusted by the dialect's quirks and hook: no second set of wire structs to keep in
//! step.

use llm_router_core::{
    ChatRequest, EmbeddingRequest, Error, ErrorKind, ImageRequest, ResponseFormat,
};
use serde_json::{Map, Value, json};

use crate::dialect::{Dialect, Endpoint, MaxTokensField};

fn unsupported(dialect: &Dialect, what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("{} does not support {what}", dialect.name),
    )
    .with_provider(dialect.name.as_str())
}

fn as_object(v: Value) -> Result<Map<String, Value>, Error> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(Error::new(
            ErrorKind::InvalidRequest,
            "request did not serialize to an object",
        )),
    }
}

/// The `/chat/completions` body for `req`, streaming or not.
pub fn chat_body(dialect: &Dialect, req: &ChatRequest, stream: bool) -> Result<Value, Error> {
    let q = &dialect.quirks;
    if !q.supports_tools && !req.tools.is_empty() {
        return Err(unsupported(dialect, "tools"));
    }
    if !q.supports_vision
        && req
            .messages
            .iter()
            .any(|m| m.content.as_ref().is_some_and(|c| c.has_images()))
    {
        return Err(unsupported(dialect, "image input"));
    }
    if !q.supports_response_format
        && matches!(req.response_format, Some(ResponseFormat::JsonSchema(_)))
    {
        return Err(unsupported(dialect, "response_format json_schema"));
    }

    let mut body = as_object(serde_json::to_value(req)?)?;
    body.insert("stream".into(), Value::Bool(stream));
    if stream {
        if q.stream_include_usage {
            let opts = body.entry("stream_options").or_insert_with(|| json!({}));
            if let Value::Object(o) = opts {
                o.insert("include_usage".into(), Value::Bool(true));
            }
        }
    } else {
        body.remove("stream_options");
    }

    match q.max_tokens_field {
        MaxTokensField::AsGiven => {}
        MaxTokensField::MaxTokens => rename(&mut body, "max_completion_tokens", "max_tokens"),
        MaxTokensField::MaxCompletionTokens => {
            rename(&mut body, "max_tokens", "max_completion_tokens")
        }
    }

    if !q.send_reasoning
        && let Some(Value::Array(messages)) = body.get_mut("messages")
    {
        for m in messages.iter_mut().filter_map(Value::as_object_mut) {
            m.remove("reasoning_content");
            m.remove("reasoning_details");
        }
    }

    let mut body = Value::Object(body);
    if let Some(h) = &dialect.hooks {
        h.prepare_body(Endpoint::ChatCompletions, &mut body)?;
    }
    Ok(body)
}

/// Moves `from` to `to` unless `to` is already set.
fn rename(body: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(v) = body.remove(from) {
        body.entry(to.to_owned()).or_insert(v);
    }
}

/// The `/embeddings` body for `req`.
pub fn embedding_body(dialect: &Dialect, req: &EmbeddingRequest) -> Result<Value, Error> {
    if !dialect.quirks.supports_embeddings {
        return Err(unsupported(dialect, "embeddings"));
    }
    let mut body = serde_json::to_value(req)?;
    if let Some(h) = &dialect.hooks {
        h.prepare_body(Endpoint::Embeddings, &mut body)?;
    }
    if !dialect.quirks.send_input_type
        && let Value::Object(o) = &mut body
    {
        o.remove("input_type");
    }
    Ok(body)
}

/// The `/images/generations` body for `req`.
pub fn image_body(dialect: &Dialect, req: &ImageRequest) -> Result<Value, Error> {
    if !dialect.quirks.supports_images {
        return Err(unsupported(dialect, "image generation"));
    }
    let mut body = serde_json::to_value(req)?;
    if let Some(h) = &dialect.hooks {
        h.prepare_body(Endpoint::ImageGenerations, &mut body)?;
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Quirks;
    use llm_router_core::{ContentPart, Message, ToolDefinition};

    fn dialect(q: Quirks) -> Dialect {
        Dialect::new("v", "http://x/v1").with_quirks(q)
    }

    #[test]
    fn stream_flags_and_usage() {
        let req = ChatRequest::new("m", vec![Message::user("hi")]);
        let b = chat_body(&dialect(Quirks::default()), &req, true).unwrap();
        assert_eq!(b["stream"], true);
        assert_eq!(b["stream_options"], json!({"include_usage": true}));
        let mut req = req;
        req.stream_options = Some(Default::default());
        let b = chat_body(&dialect(Quirks::default()), &req, false).unwrap();
        assert_eq!(b["stream"], false);
        assert!(b.get("stream_options").is_none());
    }

    #[test]
    fn max_tokens_renaming() {
        let req = ChatRequest::new("m", vec![]).with_max_tokens(7);
        let q = Quirks {
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            ..Quirks::default()
        };
        let b = chat_body(&dialect(q), &req, false).unwrap();
        assert_eq!(b["max_completion_tokens"], 7);
        assert!(b.get("max_tokens").is_none());
    }

    #[test]
    fn unsupported_features_are_refused_before_sending() {
        let q = Quirks {
            supports_tools: false,
            supports_vision: false,
            ..Quirks::default()
        };
        let req = ChatRequest::new("m", vec![]).with_tools([ToolDefinition::function(
            "f",
            "d",
            json!({}),
        )]);
        assert_eq!(
            chat_body(&dialect(q.clone()), &req, false)
                .unwrap_err()
                .kind(),
            ErrorKind::Unsupported
        );
        let req = ChatRequest::new(
            "m",
            vec![Message::user(vec![ContentPart::image_url(
                "https://x/y.png",
            )])],
        );
        assert_eq!(
            chat_body(&dialect(q), &req, false).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
    }

    #[test]
    fn reasoning_is_not_sent_back_by_default() {
        let mut m = Message::assistant("42");
        m.reasoning_content = Some("thinking".into());
        let req = ChatRequest::new("m", vec![m]);
        let b = chat_body(&dialect(Quirks::default()), &req, false).unwrap();
        assert!(b["messages"][0].get("reasoning_content").is_none());
        let q = Quirks {
            send_reasoning: true,
            ..Quirks::default()
        };
        let b = chat_body(&dialect(q), &req, false).unwrap();
        assert_eq!(b["messages"][0]["reasoning_content"], "thinking");
    }
}
