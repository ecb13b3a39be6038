//! Canonical ↔ Ollama, as pure functions.
//!
//! What differs from OpenAI: sampling parameters live in `options` (`max_tokens` is
//! `num_predict`), images are raw base64 on the message, tool-call arguments are JSON objects,
//! tool calls carry no ids (we number them `call_0`, `call_1`, … per response) and a tool result
//! names its tool (`tool_name`, found from the earlier call with the same `tool_call_id`).

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Content, ContentPart, EmbeddingData, EmbeddingInput,
    EmbeddingRequest, EmbeddingResponse, EncodingFormat, Error, ErrorKind, FinishReason, Message,
    ModelInfo, ReasoningEffort, ResponseFormat, Role, ToolCall, ToolChoice, Usage,
};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::wire;

/// Request fields read from `extra` into `options` (the names of `api.Options`/`api.Runner`).
const OPTION_KEYS: &[&str] = &[
    "top_k",
    "min_p",
    "typical_p",
    "repeat_penalty",
    "repeat_last_n",
    "num_keep",
    "num_ctx",
    "num_batch",
    "num_gpu",
    "main_gpu",
    "use_mmap",
    "num_thread",
];

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(NAME)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The `/api/chat` body for `req`.
pub(crate) fn chat_request(req: &ChatRequest, stream: bool) -> Result<wire::ChatRequest, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported("Ollama returns one choice per request (n > 1)"));
    }
    let send_tools = match &req.tool_choice {
        None | Some(ToolChoice::Auto) => true,
        Some(ToolChoice::None) => false,
        Some(other) => {
            return Err(unsupported(format!(
                "Ollama has no tool_choice; only \"auto\" and \"none\" can be honoured, not {}",
                serde_json::to_string(other).unwrap_or_default()
            )));
        }
    };
    let tools = if send_tools {
        req.tools
            .iter()
            .map(|t| wire::Tool {
                kind: "function".to_owned(),
                function: wire::ToolFunction {
                    name: t.function.name.clone(),
                    description: t.function.description.clone(),
                    parameters: t.function.parameters_or_empty(),
                },
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut options = Map::new();
    if let Some(t) = req.temperature {
        options.insert("temperature".into(), json!(t));
    }
    if let Some(p) = req.top_p {
        options.insert("top_p".into(), json!(p));
    }
    if let Some(n) = req.output_token_limit() {
        options.insert("num_predict".into(), json!(n));
    }
    if let Some(stop) = &req.stop {
        options.insert("stop".into(), json!(stop.to_vec()));
    }
    if let Some(s) = req.seed {
        options.insert("seed".into(), json!(s));
    }
    if let Some(p) = req.presence_penalty {
        options.insert("presence_penalty".into(), json!(p));
    }
    if let Some(p) = req.frequency_penalty {
        options.insert("frequency_penalty".into(), json!(p));
    }

    let mut format = match &req.response_format {
        None | Some(ResponseFormat::Text) => None,
        Some(ResponseFormat::JsonObject) => Some(json!("json")),
        Some(ResponseFormat::JsonSchema(f)) => Some(f.schema.clone().unwrap_or_else(|| json!({}))),
        Some(other) => {
            return Err(unsupported(format!(
                "unsupported response_format for Ollama: {}",
                serde_json::to_string(other).unwrap_or_default()
            )));
        }
    };

    let mut think = req.reasoning_effort.as_ref().map(think_for);
    let mut extra = Map::new();
    if let Some(true) = req.logprobs {
        extra.insert("logprobs".into(), json!(true));
    }
    if let Some(n) = req.top_logprobs {
        extra.insert("top_logprobs".into(), json!(n));
    }
    for (k, v) in &req.extra {
        match k.as_str() {
            "options" => {
                let Value::Object(o) = v else {
                    return Err(invalid("`options` must be an object"));
                };
                options.extend(o.clone());
            }
            "think" => think = Some(v.clone()),
            "format" => format = Some(v.clone()),
            key if OPTION_KEYS.contains(&key) => {
                options.insert(k.clone(), v.clone());
            }
            _ => {
                extra.insert(k.clone(), v.clone());
            }
        }
    }

    Ok(wire::ChatRequest {
        model: req.model.clone(),
        messages: messages(&req.messages)?,
        tools,
        stream,
        format,
        options,
        think,
        extra,
    })
}

/// `reasoning_effort` → `think`: `none` turns thinking off, the levels map to Ollama's
/// (`minimal` → `low`, `xhigh` → `max`).
fn think_for(effort: &ReasoningEffort) -> Value {
    match effort {
        ReasoningEffort::None => json!(false),
        ReasoningEffort::Minimal | ReasoningEffort::Low => json!("low"),
        ReasoningEffort::Medium => json!("medium"),
        ReasoningEffort::High => json!("high"),
        ReasoningEffort::XHigh => json!("max"),
        other => json!(other.as_str()),
    }
}

fn messages(msgs: &[Message]) -> Result<Vec<wire::Message>, Error> {
    msgs.iter()
        .enumerate()
        .map(|(i, m)| message(m, &msgs[..i]))
        .collect()
}

fn message(m: &Message, earlier: &[Message]) -> Result<wire::Message, Error> {
    let role = match &m.role {
        Role::System | Role::Developer => "system".to_owned(),
        other => other.as_str().to_owned(),
    };
    let mut out = wire::Message {
        role,
        ..wire::Message::default()
    };
    match &m.content {
        None => {}
        Some(Content::Text(t)) => out.content.clone_from(t),
        Some(Content::Parts(parts)) => {
            let mut texts = Vec::new();
            for p in parts {
                match p {
                    ContentPart::Text { text, .. } => texts.push(text.as_str()),
                    ContentPart::Refusal { refusal } => texts.push(refusal.as_str()),
                    ContentPart::ImageUrl { image_url, .. } => match image_url.as_data_url() {
                        Some((_mime, data)) => out.images.push(data.to_owned()),
                        None => {
                            return Err(invalid(
                                "Ollama needs the image bytes: pass images as data: URLs \
                                 (base64); it does not fetch http(s) URLs",
                            ));
                        }
                    },
                    _ => return Err(unsupported("Ollama accepts only text and image parts")),
                }
            }
            out.content = texts.join("\n");
        }
    }
    for call in &m.tool_calls {
        let arguments = call.function.parse_arguments().map_err(|e| {
            invalid(format!(
                "the arguments of tool call {:?} are not JSON ({e}); Ollama needs an object",
                call.id
            ))
        })?;
        out.tool_calls.push(wire::ToolCall {
            id: (!call.id.is_empty()).then(|| call.id.clone()),
            function: wire::ToolCallFunction {
                index: None,
                name: call.function.name.clone(),
                arguments,
            },
        });
    }
    if m.role == Role::Tool {
        out.tool_name = m
            .tool_call_id
            .as_deref()
            .and_then(|id| tool_name_for(id, earlier))
            .or_else(|| m.name.clone());
        out.tool_call_id.clone_from(&m.tool_call_id);
    }
    Ok(out)
}

/// The name of the function called with `id`, from the nearest earlier assistant message that
/// made that call (ids we synthesize restart at `call_0` in every response).
fn tool_name_for(id: &str, earlier: &[Message]) -> Option<String> {
    earlier
        .iter()
        .rev()
        .flat_map(|m| m.tool_calls.iter())
        .find(|c| c.id == id)
        .map(|c| c.function.name.clone())
}

/// Canonical tool calls from Ollama's, numbering from `first` where Ollama gave no id.
pub(crate) fn tool_calls(calls: &[wire::ToolCall], first: usize) -> Vec<ToolCall> {
    calls
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id =
                c.id.clone()
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(|| format!("call_{}", first + i));
            ToolCall::function(
                id,
                c.function.name.clone(),
                arguments_text(&c.function.arguments),
            )
        })
        .collect()
}

/// Tool-call arguments as JSON text (an object is serialized; a string is kept as sent).
pub(crate) fn arguments_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "{}".to_owned(),
        other => other.to_string(),
    }
}

/// `done_reason` → finish reason; tool calls win (Ollama reports `stop` for them).
pub(crate) fn finish_reason(done_reason: Option<&str>, called_tools: bool) -> FinishReason {
    if called_tools {
        return FinishReason::ToolCalls;
    }
    match done_reason {
        None | Some("") => FinishReason::Stop,
        Some(r) => FinishReason::from(r),
    }
}

/// Usage from the final object's counters (`prompt_eval_count` is absent when the prompt was
/// fully cached).
pub(crate) fn usage(r: &wire::ChatResponse) -> Usage {
    Usage::new(r.prompt_eval_count.unwrap_or(0), r.eval_count.unwrap_or(0))
}

/// A whole (non-streamed) response.
pub(crate) fn chat_response(r: wire::ChatResponse) -> ChatResponse {
    let msg = r.message.clone().unwrap_or_default();
    let calls = tool_calls(&msg.tool_calls, 0);
    let content = if msg.content.is_empty() && !calls.is_empty() {
        None
    } else {
        Some(Content::Text(msg.content.clone()))
    };
    let message = Message {
        role: Role::Assistant,
        content,
        tool_calls: calls,
        reasoning_content: msg.thinking.clone().filter(|t| !t.is_empty()),
        ..Message::default()
    };
    let finish = finish_reason(r.done_reason.as_deref(), !message.tool_calls.is_empty());
    let mut extra = r.extra.clone();
    let logprobs = extra
        .remove("logprobs")
        .filter(|v| !v.is_null())
        .map(|v| json!({ "content": v }));
    ChatResponse {
        created: parse_created(&r.created_at),
        model: r.model.clone(),
        choices: vec![Choice {
            index: 0,
            message,
            finish_reason: Some(finish),
            logprobs,
            extra: Map::new(),
        }],
        usage: Some(usage(&r)),
        extra,
        ..ChatResponse::default()
    }
}

/// Unix seconds of an RFC 3339 timestamp (`2023-08-04T08:52:19.385406455-07:00`); 0 when it
/// cannot be read.
pub(crate) fn parse_created(s: &str) -> u64 {
    fn num(s: &str) -> Option<i64> {
        s.parse().ok()
    }
    let parse = || -> Option<i64> {
        let (date, rest) = s.split_once(['T', 't', ' '])?;
        let mut d = date.splitn(3, '-');
        let (y, mo, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
        let hms = rest.get(..8)?;
        let mut t = hms.splitn(3, ':');
        let (h, mi, sec) = (num(t.next()?)?, num(t.next()?)?, num(t.next()?)?);
        let zone = rest
            .get(8..)?
            .trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        let offset = match zone {
            "" | "Z" | "z" => 0,
            z => {
                let sign = if z.starts_with('-') { -1 } else { 1 };
                let (oh, om) = z.get(1..)?.split_once(':')?;
                sign * (num(oh)? * 3600 + num(om)? * 60)
            }
        };
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = if mo <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (mo + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
    };
    parse().and_then(|t| u64::try_from(t).ok()).unwrap_or(0)
}

/// The `/api/embed` body for `req`.
pub(crate) fn embed_request(req: &EmbeddingRequest) -> Result<wire::EmbedRequest, Error> {
    let input = match &req.input {
        EmbeddingInput::Text(t) => json!(t),
        EmbeddingInput::Texts(v) => json!(v),
        _ => return Err(unsupported("Ollama embeds text only, not token arrays")),
    };
    Ok(wire::EmbedRequest {
        model: req.model.clone(),
        input,
        dimensions: req.dimensions,
        extra: req.extra.clone(),
    })
}

/// The canonical embeddings response; vectors are encoded as base64 when the caller asked.
pub(crate) fn embed_response(
    r: wire::EmbedResponse,
    encoding: Option<&EncodingFormat>,
) -> EmbeddingResponse {
    let data = EmbeddingData::list(r.embeddings, encoding);
    let tokens = r.prompt_eval_count.unwrap_or(0);
    EmbeddingResponse {
        data,
        model: r.model,
        usage: Some(Usage {
            prompt_tokens: tokens,
            total_tokens: tokens,
            ..Usage::default()
        }),
        ..EmbeddingResponse::default()
    }
}

/// A `/api/tags` entry as a model listing (`name` is the id; the rest is kept in `extra`).
pub(crate) fn model_info(mut m: Map<String, Value>) -> ModelInfo {
    let id = match m.remove("name") {
        Some(Value::String(s)) => s,
        _ => m
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    };
    let created = m
        .get("modified_at")
        .and_then(Value::as_str)
        .map_or(0, parse_created);
    let mut info = ModelInfo::new(id, "ollama");
    info.created = created;
    info.extra = m;
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{ToolChoice, ToolDefinition};

    #[test]
    fn timestamps() {
        assert_eq!(parse_created("1970-01-01T00:00:00Z"), 0);
        assert_eq!(parse_created("2023-12-12T14:13:43.416799Z"), 1_702_390_423);
        assert_eq!(
            parse_created("2023-08-04T08:52:19.385406455-07:00"),
            parse_created("2023-08-04T15:52:19Z")
        );
        assert_eq!(parse_created("garbage"), 0);
        assert_eq!(parse_created(""), 0);
    }

    #[test]
    fn tool_results_are_named_from_the_nearest_earlier_call() {
        let msgs = vec![
            Message::assistant_tool_calls(vec![ToolCall::function("call_0", "old", "{}")]),
            Message::tool("call_0", "x"),
            Message::assistant_tool_calls(vec![ToolCall::function("call_0", "new", "{}")]),
            Message::tool("call_0", "y"),
            Message::tool("unknown", "z"),
        ];
        let w = messages(&msgs).unwrap();
        assert_eq!(w[1].tool_name.as_deref(), Some("old"));
        assert_eq!(w[3].tool_name.as_deref(), Some("new"));
        assert_eq!(w[4].tool_name, None);
    }

    #[test]
    fn refused_before_sending() {
        let mut req =
            ChatRequest::new("m", vec![Message::user("x")]).with_tools([ToolDefinition::function(
                "f",
                "d",
                json!({"type": "object"}),
            )]);
        req.tool_choice = Some(ToolChoice::Required);
        assert_eq!(
            chat_request(&req, false).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        req.tool_choice = Some(ToolChoice::None);
        assert!(chat_request(&req, false).unwrap().tools.is_empty());
        let bad = ChatRequest::new(
            "m",
            vec![Message::assistant_tool_calls(vec![ToolCall::function(
                "c", "f", "{oops",
            )])],
        );
        assert_eq!(
            chat_request(&bad, false).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn reasoning_effort_becomes_think() {
        let mut req = ChatRequest::new("m", vec![]);
        req.reasoning_effort = Some(ReasoningEffort::None);
        assert_eq!(chat_request(&req, false).unwrap().think, Some(json!(false)));
        req.reasoning_effort = Some(ReasoningEffort::High);
        assert_eq!(
            chat_request(&req, false).unwrap().think,
            Some(json!("high"))
        );
        req.extra.insert("think".into(), json!(true));
        assert_eq!(chat_request(&req, false).unwrap().think, Some(json!(true)));
    }
}
