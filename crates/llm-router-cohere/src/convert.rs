//! Pure conversions between the canonical (OpenAI-shaped) types and Cohere's v2 wire shapes.

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Content, ContentPart, EmbeddingData, EmbeddingInput,
    EmbeddingRequest, EmbeddingResponse, EncodingFormat, Error, ErrorKind, FinishReason, InputType,
    Message, ResponseFormat, Role, ToolCall, ToolChoice, ToolDefinition, Usage,
};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::wire::{self, WireUsage};

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(NAME)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The JSON body of `POST /v2/chat` for `req`.
pub(crate) fn request_body(req: &ChatRequest, stream: bool) -> Result<Value, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported("Cohere returns one reply per request (n > 1)"));
    }
    let mut body = Map::new();
    body.insert("model".into(), req.model.clone().into());
    let messages = req
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| message(m, i))
        .collect::<Result<Vec<_>, _>>()?;
    body.insert("messages".into(), Value::Array(messages));
    let (tools, choice): (Vec<&ToolDefinition>, Option<&str>) = match &req.tool_choice {
        None | Some(ToolChoice::Auto) => (req.tools.iter().collect(), None),
        Some(ToolChoice::Required) => (req.tools.iter().collect(), Some("REQUIRED")),
        Some(ToolChoice::None) => (req.tools.iter().collect(), Some("NONE")),
        // Cohere cannot name a tool: offer only that one and require a call.
        Some(ToolChoice::Function(name)) => (
            req.tools
                .iter()
                .filter(|t| &t.function.name == name)
                .collect(),
            Some("REQUIRED"),
        ),
        Some(other) => {
            return Err(unsupported(format!(
                "tool_choice {other:?} has no Cohere equivalent"
            )));
        }
    };
    if !tools.is_empty() {
        body.insert(
            "tools".into(),
            Value::Array(tools.into_iter().map(tool).collect()),
        );
    }
    if let Some(c) = choice {
        body.insert("tool_choice".into(), c.into());
    }
    if let Some(n) = req.output_token_limit() {
        body.insert("max_tokens".into(), n.into());
    }
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), t.into());
    }
    if let Some(p) = req.top_p {
        body.insert("p".into(), p.into());
    }
    if let Some(s) = req.seed {
        body.insert("seed".into(), s.into());
    }
    if let Some(stop) = &req.stop {
        body.insert("stop_sequences".into(), json!(stop.to_vec()));
    }
    if let Some(f) = req.frequency_penalty {
        body.insert("frequency_penalty".into(), f.into());
    }
    if let Some(p) = req.presence_penalty {
        body.insert("presence_penalty".into(), p.into());
    }
    if req.logprobs == Some(true) {
        body.insert("logprobs".into(), true.into());
    }
    match &req.response_format {
        None => {}
        Some(ResponseFormat::Text) => {
            body.insert("response_format".into(), json!({"type": "text"}));
        }
        Some(ResponseFormat::JsonObject) => {
            body.insert("response_format".into(), json!({"type": "json_object"}));
        }
        Some(ResponseFormat::JsonSchema(s)) => {
            let mut f = json!({"type": "json_object"});
            if let Some(schema) = &s.schema {
                f["json_schema"] = schema.clone();
            }
            body.insert("response_format".into(), f);
        }
        Some(other) => {
            if let Ok(v) = serde_json::to_value(other) {
                body.insert("response_format".into(), v);
            }
        }
    }
    body.insert("stream".into(), stream.into());
    for (k, v) in &req.extra {
        body.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(body))
}

fn tool(t: &ToolDefinition) -> Value {
    let mut f = json!({"name": t.function.name, "parameters": t.function.parameters_or_empty()});
    if let Some(d) = &t.function.description {
        f["description"] = d.clone().into();
    }
    json!({"type": "function", "function": f})
}

fn parts(parts: &[ContentPart], i: usize, images: bool) -> Result<Vec<Value>, Error> {
    parts
        .iter()
        .filter_map(|p| match p {
            ContentPart::Text { text, .. } => Some(Ok(json!({"type": "text", "text": text}))),
            ContentPart::ImageUrl { image_url, .. } if images => {
                let mut v = json!({"type": "image_url", "image_url": {"url": image_url.url}});
                if let Some(d) = &image_url.detail {
                    v["image_url"]["detail"] = json!(d);
                }
                Some(Ok(v))
            }
            ContentPart::Refusal { .. } => None,
            _ => Some(Err(invalid(format!(
                "message {i}: this content part has no Cohere equivalent here"
            )))),
        })
        .collect()
}

fn message(m: &Message, i: usize) -> Result<Value, Error> {
    Ok(match &m.role {
        Role::System | Role::Developer => json!({"role": "system", "content": m.text()}),
        Role::User => match &m.content {
            Some(Content::Text(t)) => json!({"role": "user", "content": t}),
            Some(Content::Parts(p)) => json!({"role": "user", "content": parts(p, i, true)?}),
            None => json!({"role": "user", "content": ""}),
        },
        Role::Assistant => {
            let mut v = json!({"role": "assistant"});
            let text = m.text();
            if !text.is_empty() {
                v["content"] = text.into();
            }
            if !m.tool_calls.is_empty() {
                v["tool_calls"] = m
                    .tool_calls
                    .iter()
                    .map(|c| {
                        json!({"id": c.id, "type": "function",
                               "function": {"name": c.function.name, "arguments": c.function.arguments}})
                    })
                    .collect();
            }
            if let Some(plan) = m.extra.get("tool_plan") {
                v["tool_plan"] = plan.clone();
            }
            if let Some(c) = m.extra.get("citations") {
                v["citations"] = c.clone();
            }
            v
        }
        Role::Tool => {
            let Some(id) = &m.tool_call_id else {
                return Err(invalid(format!(
                    "message {i}: a tool message needs tool_call_id"
                )));
            };
            let content = match &m.content {
                Some(Content::Parts(p)) => Value::Array(parts(p, i, false)?),
                _ => m.text().into(),
            };
            json!({"role": "tool", "tool_call_id": id, "content": content})
        }
        other => {
            return Err(invalid(format!(
                "message {i}: role {other:?} has no Cohere equivalent"
            )));
        }
    })
}

/// Cohere's `finish_reason` → canonical: `COMPLETE`/`STOP_SEQUENCE` → `stop`, `MAX_TOKENS` →
/// `length`, `TOOL_CALL` → `tool_calls`, anything else (`ERROR`, `TIMEOUT`, newer) lower-cased.
pub(crate) fn finish_reason(r: &str) -> FinishReason {
    match r {
        "COMPLETE" | "STOP_SEQUENCE" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "TOOL_CALL" => FinishReason::ToolCalls,
        other => FinishReason::Other(other.to_ascii_lowercase()),
    }
}

fn count(v: Option<f64>) -> u64 {
    // Token counts are whole numbers typed `number` in the spec.
    v.map_or(0, |n| if n > 0.0 { n as u64 } else { 0 })
}

/// `usage.tokens` (falling back to `billed_units`) → canonical usage; `billed_units` is kept in
/// `extra.billed_units`, `cached_tokens` as `prompt_tokens_details.cached_tokens`.
pub(crate) fn usage(u: &WireUsage) -> Usage {
    let counts = u.tokens.as_ref().or(u.billed_units.as_ref());
    let input = count(counts.and_then(|c| c.input_tokens));
    let output = count(counts.and_then(|c| c.output_tokens));
    let mut out = Usage::new(input, output);
    if let Some(c) = u.cached_tokens {
        out = out.with_cache_read(count(Some(c)));
    }
    if let Some(b) = &u.billed_units {
        let mut m = b.other.clone();
        if let Some(n) = b.input_tokens {
            m.insert("input_tokens".into(), json!(count(Some(n))));
        }
        if let Some(n) = b.output_tokens {
            m.insert("output_tokens".into(), json!(count(Some(n))));
        }
        out.extra.insert("billed_units".into(), Value::Object(m));
    }
    out
}

/// A tool call from the wire (Cohere always sends `type: function`; missing parts default).
pub(crate) fn tool_call(c: wire::ToolCall) -> ToolCall {
    let f = c.function.unwrap_or_default();
    ToolCall::function(
        c.id.unwrap_or_default(),
        f.name.unwrap_or_default(),
        f.arguments.unwrap_or_default(),
    )
}

/// A whole `/v2/chat` response → the canonical response. Citations and the tool plan land in
/// the message's `extra` (`citations`, `tool_plan`), thinking in `reasoning_content`.
pub(crate) fn response(r: wire::ChatResponse, model: &str) -> ChatResponse {
    let mut text = String::new();
    let mut thinking = String::new();
    for c in &r.message.content {
        match c.kind.as_str() {
            "thinking" => thinking.push_str(c.thinking.as_deref().unwrap_or_default()),
            _ => text.push_str(c.text.as_deref().unwrap_or_default()),
        }
    }
    let mut msg = Message::assistant(text);
    msg.tool_calls = r.message.tool_calls.into_iter().map(tool_call).collect();
    if !thinking.is_empty() {
        msg.reasoning_content = Some(thinking);
    }
    if let Some(p) = r.message.tool_plan {
        msg.extra.insert("tool_plan".into(), p.into());
    }
    if let Some(c) = r.message.citations {
        msg.extra.insert("citations".into(), c);
    }
    ChatResponse {
        id: r.id,
        object: "chat.completion".into(),
        created: 0,
        model: model.to_owned(),
        choices: vec![Choice {
            index: 0,
            message: msg,
            finish_reason: r.finish_reason.as_deref().map(finish_reason),
            logprobs: r.logprobs,
            extra: Map::new(),
        }],
        usage: r.usage.as_ref().map(usage),
        system_fingerprint: None,
        service_tier: None,
        extra: Map::new(),
    }
}

/// Our [`InputType`] → Cohere's `input_type`; none given means `search_document`.
fn input_type(t: Option<&InputType>) -> String {
    match t {
        None | Some(InputType::Document) => "search_document".into(),
        Some(InputType::Query) => "search_query".into(),
        Some(InputType::Classification) => "classification".into(),
        Some(InputType::Clustering) => "clustering".into(),
        Some(other) => other.as_str().to_owned(),
    }
}

/// The JSON body of `POST /v2/embed` for `req`.
pub(crate) fn embed_body(req: &EmbeddingRequest) -> Result<Value, Error> {
    let texts: Vec<String> = match &req.input {
        EmbeddingInput::Text(t) => vec![t.clone()],
        EmbeddingInput::Texts(t) => t.clone(),
        _ => return Err(unsupported("Cohere embeds text, not token ids")),
    };
    let mut body = json!({
        "model": req.model,
        "texts": texts,
        "input_type": input_type(req.input_type.as_ref()),
        "embedding_types": ["float"],
    });
    if let Some(d) = req.dimensions {
        body["output_dimension"] = d.into();
    }
    if let Value::Object(map) = &mut body {
        for (k, v) in &req.extra {
            map.insert(k.clone(), v.clone());
        }
    }
    Ok(body)
}

/// A `/v2/embed` response → canonical; `base64` requested → the floats encoded here.
pub(crate) fn embed_response(
    r: wire::EmbedResponse,
    model: &str,
    format: Option<&EncodingFormat>,
) -> Result<EmbeddingResponse, Error> {
    let Some(vectors) = r.embeddings.float else {
        return Err(
            Error::new(ErrorKind::Decode, "the response has no float embeddings")
                .with_provider(NAME),
        );
    };
    let data = EmbeddingData::list(vectors, format);
    let billed = r.meta.as_ref().and_then(|m| m.get("billed_units"));
    let input = billed
        .and_then(|b| b.get("input_tokens"))
        .and_then(Value::as_f64);
    let mut extra = Map::new();
    if let Some(id) = r.id {
        extra.insert("id".into(), id.into());
    }
    if let Some(m) = r.meta {
        extra.insert("meta".into(), m);
    }
    Ok(EmbeddingResponse {
        object: "list".into(),
        data,
        model: model.to_owned(),
        usage: input.map(|n| Usage::new(count(Some(n)), 0)),
        extra,
    })
}
