//! Pure conversions between the canonical (OpenAI-shaped) types and the Llama API's native
//! shapes.

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Content, ContentPart, Error, ErrorKind, FinishReason,
    Message, ResponseFormat, Role, ToolCall, ToolChoice, Usage,
};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::wire::{self, Metric};

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(NAME)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The JSON body of `POST /chat/completions` for `req`.
pub(crate) fn request_body(req: &ChatRequest, stream: bool) -> Result<Value, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported(
            "the Llama API returns one message per request (n > 1)",
        ));
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
    if let Some(n) = req.output_token_limit() {
        body.insert("max_completion_tokens".into(), n.into());
    }
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), t.into());
    }
    if let Some(p) = req.top_p {
        body.insert("top_p".into(), p.into());
    }
    match &req.response_format {
        None => {}
        Some(ResponseFormat::Text) => {
            body.insert("response_format".into(), json!({"type": "text"}));
        }
        Some(ResponseFormat::JsonSchema(s)) => {
            body.insert(
                "response_format".into(),
                json!({"type": "json_schema", "json_schema": {
                    "name": s.name, "schema": s.schema.clone().unwrap_or_else(|| json!({}))}}),
            );
        }
        Some(ResponseFormat::JsonObject) => {
            return Err(unsupported(
                "the Llama API has no json_object mode; use a json_schema response_format",
            ));
        }
        Some(other) => {
            if let Ok(v) = serde_json::to_value(other) {
                body.insert("response_format".into(), v);
            }
        }
    }
    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|t| {
                let mut f = json!({"name": t.function.name});
                if let Some(d) = &t.function.description {
                    f["description"] = d.clone().into();
                }
                if let Some(p) = &t.function.parameters {
                    f["parameters"] = p.clone();
                }
                if let Some(s) = t.function.strict {
                    f["strict"] = s.into();
                }
                json!({"type": "function", "function": f})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    match &req.tool_choice {
        None => {}
        Some(ToolChoice::None) => {
            body.insert("tool_choice".into(), "none".into());
        }
        Some(ToolChoice::Auto) => {
            body.insert("tool_choice".into(), "auto".into());
        }
        Some(ToolChoice::Required) => {
            body.insert("tool_choice".into(), "required".into());
        }
        Some(ToolChoice::Function(name)) => {
            body.insert(
                "tool_choice".into(),
                json!({"type": "function", "function": {"name": name}}),
            );
        }
        Some(other) => {
            if let Ok(v) = serde_json::to_value(other) {
                body.insert("tool_choice".into(), v);
            }
        }
    }
    if let Some(u) = &req.user {
        body.insert("user".into(), u.clone().into());
    }
    body.insert("stream".into(), stream.into());
    for (k, v) in &req.extra {
        body.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(body))
}

fn parts(parts: &[ContentPart], i: usize) -> Result<Vec<Value>, Error> {
    parts
        .iter()
        .filter_map(|p| match p {
            ContentPart::Text { text, .. } => Some(Ok(json!({"type": "text", "text": text}))),
            ContentPart::ImageUrl { image_url, .. } => Some(Ok(
                json!({"type": "image_url", "image_url": {"url": image_url.url}}),
            )),
            ContentPart::Refusal { .. } => None,
            _ => Some(Err(invalid(format!(
                "message {i}: this content part has no Llama API equivalent"
            )))),
        })
        .collect()
}

fn message(m: &Message, i: usize) -> Result<Value, Error> {
    Ok(match &m.role {
        Role::System | Role::Developer => json!({"role": "system", "content": m.text()}),
        Role::User => match &m.content {
            Some(Content::Parts(p)) => json!({"role": "user", "content": parts(p, i)?}),
            _ => json!({"role": "user", "content": m.text()}),
        },
        Role::Assistant => {
            let mut v = json!({"role": "assistant"});
            let text = m.text();
            if !text.is_empty() || m.tool_calls.is_empty() {
                v["content"] = text.into();
            }
            if !m.tool_calls.is_empty() {
                // The Llama API's tool calls have no `type` field.
                v["tool_calls"] = m
                    .tool_calls
                    .iter()
                    .map(|c| {
                        json!({"id": c.id, "function": {"name": c.function.name, "arguments": c.function.arguments}})
                    })
                    .collect();
            }
            v
        }
        Role::Tool => {
            let Some(id) = &m.tool_call_id else {
                return Err(invalid(format!(
                    "message {i}: a tool message needs tool_call_id"
                )));
            };
            json!({"role": "tool", "tool_call_id": id, "content": m.text()})
        }
        other => {
            return Err(invalid(format!(
                "message {i}: role {other:?} has no Llama API equivalent"
            )));
        }
    })
}

/// `stop_reason` → canonical (`stop`, `tool_calls`, `length` map 1:1; others kept).
pub(crate) fn finish_reason(r: &str) -> FinishReason {
    match r {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" => FinishReason::ToolCalls,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// `metrics` → usage: `num_prompt_tokens`, `num_completion_tokens` (and
/// `num_total_tokens` when given); `None` without any token metric.
pub(crate) fn usage(metrics: &[Metric]) -> Option<Usage> {
    let get = |name: &str| {
        metrics
            .iter()
            .find(|m| m.metric == name)
            .map(|m| if m.value > 0.0 { m.value as u64 } else { 0 })
    };
    let prompt = get("num_prompt_tokens");
    let completion = get("num_completion_tokens");
    if prompt.is_none() && completion.is_none() {
        return None;
    }
    let mut u = Usage::new(prompt.unwrap_or(0), completion.unwrap_or(0));
    if let Some(t) = get("num_total_tokens") {
        u.total_tokens = t;
    }
    Some(u)
}

/// The text of `content` in any of its forms: a string, `{type: text, text}`, or a list.
pub(crate) fn content_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Value::Array(a) => a.iter().map(content_text).collect(),
        _ => String::new(),
    }
}

/// A tool call from the wire, given the canonical `type: function` it lacks.
pub(crate) fn tool_call(c: wire::ToolCall) -> ToolCall {
    ToolCall::function(
        c.id.unwrap_or_default(),
        c.function.name.unwrap_or_default(),
        c.function.arguments.unwrap_or_default(),
    )
}

/// A whole native response → canonical; `metrics` is kept in `extra.metrics`.
pub(crate) fn response(r: wire::ChatResponse, model: &str) -> ChatResponse {
    let m = r.completion_message;
    let mut msg = Message::assistant(m.content.as_ref().map(content_text).unwrap_or_default());
    msg.tool_calls = m.tool_calls.into_iter().map(tool_call).collect();
    let mut extra = Map::new();
    if !r.metrics.is_empty()
        && let Ok(v) = serde_json::to_value(&r.metrics)
    {
        extra.insert("metrics".into(), v);
    }
    ChatResponse {
        id: r.id.unwrap_or_default(),
        object: "chat.completion".into(),
        created: 0,
        model: model.to_owned(),
        choices: vec![Choice {
            index: 0,
            message: msg,
            finish_reason: m.stop_reason.as_deref().map(finish_reason),
            logprobs: None,
            extra: Map::new(),
        }],
        usage: usage(&r.metrics),
        system_fingerprint: None,
        service_tier: None,
        extra,
    }
}
