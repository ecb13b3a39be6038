//! Pure conversions between the canonical (OpenAI-shaped) types and Anthropic's wire types.
//!
//! What is different from the OpenAI dialect, and how it is bridged:
//!
//! - `system`/`developer` messages are hoisted into the top-level `system` (a string; text
//!   blocks when a message carries `cache_control` in its `extra`), wherever they appear.
//! - `max_tokens` is required: the request's limit, or the client's default.
//! - Tool results are `tool_result` blocks in a *user* turn; consecutive tool results (and a
//!   user message right after them) merge into one user turn, tool results first.
//! - Assistant tool calls become `tool_use` blocks with the arguments parsed into an object;
//!   the reasoning blocks of an assistant message (`reasoning_details`, as returned by this
//!   crate) are sent back as `thinking`/`redacted_thinking` blocks *before* its text.
//! - Every field of `ChatRequest::extra` is merged into the body last (so `thinking`,
//!   `top_k`, `metadata`, `output_config`, … reach the API, and win over computed fields).

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Content, ContentPart, Error, ErrorKind, FinishReason,
    ImageUrl, Message, ReasoningDetail, ReasoningKind, ResponseFormat, Role, ToolCall,
    ToolDefinition, Usage,
};
use serde_json::{Map, Value};

use crate::NAME;
use crate::wire::{
    InputMessage, MediaSource, MessageContent, MessageResponse, MessagesRequest, Metadata,
    OutputConfig, OutputFormat, RequestBlock, ResponseBlock, StopReason, System, Tool, ToolChoice,
    WireUsage,
};

/// The `format` of the reasoning blocks this crate returns and accepts back.
pub(crate) const REASONING_FORMAT: &str = "anthropic-claude-v1";

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(NAME)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The JSON body of `POST /v1/messages` for `req`.
pub(crate) fn request_body(
    req: &ChatRequest,
    default_max_tokens: u32,
    stream: bool,
) -> Result<Value, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported(
            "Anthropic returns one choice per request (n > 1)",
        ));
    }
    let (system, messages) = convert_messages(&req.messages)?;
    let wire = MessagesRequest {
        model: req.model.clone(),
        messages,
        max_tokens: req.output_token_limit().unwrap_or(default_max_tokens),
        system,
        stop_sequences: req.stop.as_ref().map(|s| s.to_vec()).unwrap_or_default(),
        stream: stream.then_some(true),
        temperature: req.temperature,
        top_p: req.top_p,
        tools: req.tools.iter().map(tool).collect(),
        tool_choice: tool_choice(req),
        metadata: req
            .metadata
            .as_ref()
            .and_then(|m| m.get("user_id"))
            .or(req.user.as_ref())
            .map(|u| Metadata { user_id: u.clone() }),
        service_tier: req
            .service_tier
            .clone()
            .filter(|t| t == "auto" || t == "standard_only"),
        output_config: output_config(req.response_format.as_ref())?,
    };
    let mut body = serde_json::to_value(&wire)
        .map_err(|e| invalid(format!("the request cannot be serialized: {e}")))?;
    if let Value::Object(map) = &mut body {
        for (k, v) in &req.extra {
            map.insert(k.clone(), v.clone());
        }
    }
    Ok(body)
}

/// One turn being built; consecutive messages of the same role merge into it.
struct Turn {
    role: &'static str,
    blocks: Vec<RequestBlock>,
    /// The turn is one message whose content was a plain string: send it as a string.
    string_form: bool,
}

fn convert_messages(messages: &[Message]) -> Result<(Option<System>, Vec<InputMessage>), Error> {
    let mut system: Vec<RequestBlock> = Vec::new();
    let mut system_cached = false;
    let mut turns: Vec<Turn> = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let cache_control = m.extra.get("cache_control").cloned();
        let (role, mut blocks, mut string_form) = match &m.role {
            Role::System | Role::Developer => {
                if let Some(Content::Parts(parts)) = &m.content
                    && parts.iter().any(|p| !matches!(p, ContentPart::Text { .. }))
                {
                    return Err(invalid(format!(
                        "message {i}: a system message can only hold text for Anthropic"
                    )));
                }
                let text = m.text();
                if text.is_empty() {
                    continue;
                }
                let mut block = RequestBlock::Text {
                    text,
                    cache_control: None,
                };
                if let Some(cc) = cache_control {
                    block.set_cache_control(cc);
                    system_cached = true;
                }
                system.push(block);
                continue;
            }
            Role::User => match &m.content {
                Some(Content::Text(t)) => (
                    "user",
                    vec![RequestBlock::Text {
                        text: t.clone(),
                        cache_control: None,
                    }],
                    true,
                ),
                Some(Content::Parts(parts)) => ("user", part_blocks(parts, i)?, false),
                None => continue,
            },
            Role::Assistant => ("assistant", assistant_blocks(m, i)?, false),
            Role::Tool => ("user", vec![tool_result(m, i)?], false),
            other => {
                return Err(invalid(format!(
                    "message {i}: role {other:?} has no Anthropic equivalent"
                )));
            }
        };
        if m.role == Role::Assistant {
            string_form = matches!(m.content, Some(Content::Text(_)))
                && blocks.len() == 1
                && matches!(blocks.first(), Some(RequestBlock::Text { .. }));
        }
        if let Some(cc) = cache_control
            && let Some(block) = blocks.iter_mut().rev().find(|b| {
                !matches!(
                    b,
                    RequestBlock::Thinking { .. } | RequestBlock::RedactedThinking { .. }
                )
            })
        {
            block.set_cache_control(cc);
            string_form = false;
        }
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some(last) if last.role == role => {
                last.blocks.append(&mut blocks);
                last.string_form = false;
            }
            _ => turns.push(Turn {
                role,
                blocks,
                string_form,
            }),
        }
    }
    let messages = turns
        .into_iter()
        .map(|mut t| {
            let content = match (t.string_form, t.blocks.as_slice()) {
                (true, [RequestBlock::Text { text, .. }]) => MessageContent::Text(text.clone()),
                _ => {
                    if t.role == "user" {
                        // Tool results must open the user turn (stable: order kept otherwise).
                        t.blocks
                            .sort_by_key(|b| !matches!(b, RequestBlock::ToolResult { .. }));
                    }
                    MessageContent::Blocks(t.blocks)
                }
            };
            InputMessage {
                role: t.role,
                content,
            }
        })
        .collect();
    let system = if system.is_empty() {
        None
    } else if system_cached {
        Some(System::Blocks(system))
    } else {
        let texts: Vec<&str> = system
            .iter()
            .filter_map(|b| match b {
                RequestBlock::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        Some(System::Text(texts.join("\n\n")))
    };
    Ok((system, messages))
}

/// Content parts → blocks. Empty text parts are dropped (Anthropic rejects them).
fn part_blocks(parts: &[ContentPart], i: usize) -> Result<Vec<RequestBlock>, Error> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            ContentPart::Text { text, extra } => {
                if !text.is_empty() {
                    out.push(RequestBlock::Text {
                        text: text.clone(),
                        cache_control: extra.get("cache_control").cloned(),
                    });
                }
            }
            ContentPart::Refusal { refusal: text } => {
                if !text.is_empty() {
                    out.push(RequestBlock::Text {
                        text: text.clone(),
                        cache_control: None,
                    });
                }
            }
            ContentPart::ImageUrl { image_url, extra } => {
                let mut block = image(image_url, i)?;
                if let RequestBlock::Image { cache_control, .. } = &mut block {
                    *cache_control = extra.get("cache_control").cloned();
                }
                out.push(block);
            }
            ContentPart::InputAudio { .. } => {
                return Err(unsupported(format!(
                    "message {i}: Anthropic does not accept audio input"
                )));
            }
            ContentPart::Other(map) if map.get("type").and_then(Value::as_str) == Some("file") => {
                out.push(document(map, i)?);
            }
            ContentPart::Other(map) => out.push(RequestBlock::Raw(map.clone())),
            _ => {
                return Err(unsupported(format!(
                    "message {i}: a content part of this kind has no Anthropic equivalent"
                )));
            }
        }
    }
    Ok(out)
}

/// `data:<mime>;base64,<data>` → a base64 source; `http(s)://` → a URL source.
fn image(u: &ImageUrl, i: usize) -> Result<RequestBlock, Error> {
    let source = if let Some((mime, data)) = u.as_data_url() {
        MediaSource::Base64 {
            media_type: mime.to_owned(),
            data: data.to_owned(),
        }
    } else if u.url.starts_with("https://") || u.url.starts_with("http://") {
        MediaSource::Url { url: u.url.clone() }
    } else {
        return Err(invalid(format!(
            "message {i}: an image must be a data:<type>;base64 URL or an http(s) URL"
        )));
    };
    Ok(RequestBlock::Image {
        source,
        cache_control: None,
    })
}

/// An OpenAI `file` part (`{"type": "file", "file": {"file_data", "filename"}}`) → a
/// `document` block with a base64 PDF source.
///
/// `file_data` is a `data:application/pdf;base64,…` URL (what OpenAI documents, and what
/// `llm-router-messages-api` makes of an Anthropic base64 `document`), or bare base64 when
/// `filename` ends in `.pdf`. `filename` becomes the document's `title`; `title`, `context`,
/// `citations` and `cache_control` given on the part itself are kept (and `title` wins).
/// Anthropic reads PDFs only this way; other file types and OpenAI `file_id`s (which
/// Anthropic cannot resolve) are refused before sending.
fn document(part: &Map<String, Value>, i: usize) -> Result<RequestBlock, Error> {
    let file = part.get("file").and_then(Value::as_object);
    let field = |k: &str| file.and_then(|f| f.get(k)).and_then(Value::as_str);
    let filename = field("filename");
    let Some(file_data) = field("file_data") else {
        return Err(unsupported(format!(
            "message {i}: a file part needs file_data for Anthropic (it cannot read OpenAI file ids)"
        )));
    };
    let data = match file_data.strip_prefix("data:") {
        Some(rest) => match rest.split_once(',') {
            Some((meta, data))
                if meta
                    .strip_suffix(";base64")
                    .is_some_and(|m| m.eq_ignore_ascii_case("application/pdf")) =>
            {
                data
            }
            _ => {
                return Err(unsupported(format!(
                    "message {i}: Anthropic reads files only as base64 PDFs (data:application/pdf;base64,…)"
                )));
            }
        },
        None if filename.is_some_and(|f| f.to_ascii_lowercase().ends_with(".pdf")) => file_data,
        None => {
            return Err(unsupported(format!(
                "message {i}: file_data must be a data:application/pdf;base64 URL (or base64 with a .pdf filename) for Anthropic"
            )));
        }
    };
    let text = |k: &str| part.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(RequestBlock::Document {
        source: MediaSource::Base64 {
            media_type: "application/pdf".to_owned(),
            data: data.to_owned(),
        },
        title: text("title").or_else(|| filename.map(str::to_owned)),
        context: text("context"),
        citations: part.get("citations").cloned(),
        cache_control: part.get("cache_control").cloned(),
    })
}

/// An assistant message: reasoning blocks first, then text, then tool calls.
fn assistant_blocks(m: &Message, i: usize) -> Result<Vec<RequestBlock>, Error> {
    let mut out: Vec<RequestBlock> = m.reasoning_details.iter().filter_map(thinking).collect();
    match &m.content {
        Some(Content::Text(t)) if !t.is_empty() => out.push(RequestBlock::Text {
            text: t.clone(),
            cache_control: None,
        }),
        Some(Content::Parts(parts)) => out.extend(part_blocks(parts, i)?),
        _ => {}
    }
    for call in &m.tool_calls {
        out.push(tool_use(call, i)?);
    }
    Ok(out)
}

/// A reasoning block this crate returned → the block Anthropic wants back. Blocks of other
/// providers' formats and unsigned text cannot be verified by Anthropic and are left out.
fn thinking(d: &ReasoningDetail) -> Option<RequestBlock> {
    if d.format
        .as_deref()
        .is_some_and(|f| !f.starts_with("anthropic-claude"))
    {
        return None;
    }
    match &d.kind {
        ReasoningKind::Text => {
            let signature = d.signature.as_deref().filter(|s| !s.is_empty())?;
            Some(RequestBlock::Thinking {
                thinking: d.text.clone().unwrap_or_default(),
                signature: signature.to_owned(),
            })
        }
        ReasoningKind::Encrypted => Some(RequestBlock::RedactedThinking {
            data: d.data.clone().filter(|s| !s.is_empty())?,
        }),
        _ => None,
    }
}

fn tool_use(call: &ToolCall, i: usize) -> Result<RequestBlock, Error> {
    let input = call.function.parse_arguments().map_err(|e| {
        invalid(format!(
            "message {i}: the arguments of tool call {:?} are not valid JSON: {e}",
            call.id
        ))
    })?;
    if !input.is_object() {
        return Err(invalid(format!(
            "message {i}: the arguments of tool call {:?} must be a JSON object",
            call.id
        )));
    }
    Ok(RequestBlock::ToolUse {
        id: call.id.clone(),
        name: call.function.name.clone(),
        input,
        cache_control: None,
    })
}

/// A `role: tool` message → a `tool_result` block (`is_error` read from the message's
/// `extra`).
fn tool_result(m: &Message, i: usize) -> Result<RequestBlock, Error> {
    let Some(id) = m.tool_call_id.clone() else {
        return Err(invalid(format!(
            "message {i}: a tool message needs a tool_call_id"
        )));
    };
    let content = match &m.content {
        Some(Content::Text(t)) if !t.is_empty() => Some(MessageContent::Text(t.clone())),
        Some(Content::Parts(parts)) => {
            let blocks = part_blocks(parts, i)?;
            (!blocks.is_empty()).then_some(MessageContent::Blocks(blocks))
        }
        _ => None,
    };
    Ok(RequestBlock::ToolResult {
        tool_use_id: id,
        content,
        is_error: m.extra.get("is_error").and_then(Value::as_bool),
        cache_control: None,
    })
}

fn tool(t: &ToolDefinition) -> Tool {
    let mut input_schema = t.function.parameters_or_empty();
    if let Value::Object(o) = &mut input_schema
        && !o.contains_key("type")
    {
        o.insert("type".into(), Value::String("object".into()));
    }
    Tool {
        name: t.function.name.clone(),
        description: t.function.description.clone(),
        input_schema,
        strict: t.function.strict,
        cache_control: t
            .extra
            .get("cache_control")
            .or_else(|| t.function.extra.get("cache_control"))
            .cloned(),
    }
}

fn tool_choice(req: &ChatRequest) -> Option<ToolChoice> {
    use llm_router_core::ToolChoice as C;
    let disable = (req.parallel_tool_calls == Some(false)).then_some(true);
    Some(match &req.tool_choice {
        None if disable.is_some() && !req.tools.is_empty() => ToolChoice::Auto {
            disable_parallel_tool_use: disable,
        },
        None => return None,
        Some(C::Auto) => ToolChoice::Auto {
            disable_parallel_tool_use: disable,
        },
        Some(C::Required) => ToolChoice::Any {
            disable_parallel_tool_use: disable,
        },
        Some(C::Function(name)) => ToolChoice::Tool {
            name: name.clone(),
            disable_parallel_tool_use: disable,
        },
        Some(C::None) => ToolChoice::None {},
        Some(C::Other(v)) => ToolChoice::Raw(v.clone()),
        Some(other) => ToolChoice::Raw(serde_json::to_value(other).ok()?),
    })
}

fn output_config(rf: Option<&ResponseFormat>) -> Result<Option<OutputConfig>, Error> {
    match rf {
        None | Some(ResponseFormat::Text) => Ok(None),
        Some(ResponseFormat::JsonSchema(f)) => match &f.schema {
            Some(schema) => Ok(Some(OutputConfig {
                format: OutputFormat {
                    kind: "json_schema",
                    schema: schema.clone(),
                },
            })),
            None => Err(invalid("a json_schema response_format needs a schema")),
        },
        Some(ResponseFormat::JsonObject) => Err(unsupported(
            "Anthropic has no schema-less JSON mode; use a json_schema response_format",
        )),
        Some(_) => Err(unsupported(
            "this response_format has no Anthropic equivalent",
        )),
    }
}

/// Anthropic's stop reason → the canonical finish reason.
///
/// `model_context_window_exceeded` reads as `length` (the answer was cut by a token limit,
/// the context window rather than `max_tokens`); `pause_turn` has no OpenAI equivalent and
/// stays `pause_turn`.
pub(crate) fn finish_reason(r: &StopReason) -> FinishReason {
    match r {
        StopReason::EndTurn | StopReason::StopSequence => FinishReason::Stop,
        StopReason::MaxTokens | StopReason::ModelContextWindowExceeded => FinishReason::Length,
        StopReason::ToolUse => FinishReason::ToolCalls,
        StopReason::Refusal => FinishReason::ContentFilter,
        other => FinishReason::Other(other.as_str().to_owned()),
    }
}

/// Anthropic's usage → canonical usage.
///
/// Anthropic's `input_tokens` excludes cached tokens; `prompt_tokens` is the total input
/// (`input_tokens + cache_read_input_tokens + cache_creation_input_tokens`), as OpenAI counts
/// it, with the cache counts in `prompt_tokens_details` (`cached_tokens`,
/// `cache_write_tokens`).
pub(crate) fn usage(u: &WireUsage) -> Usage {
    let read = u.cache_read_input_tokens;
    let write = u.cache_creation_input_tokens;
    let input = u.input_tokens.unwrap_or(0) + read.unwrap_or(0) + write.unwrap_or(0);
    let mut out = Usage::new(input, u.output_tokens.unwrap_or(0));
    if let Some(n) = read {
        out = out.with_cache_read(n);
    }
    if let Some(n) = write {
        out = out.with_cache_write(n);
    }
    out
}

impl WireUsage {
    /// `newer`'s counts where it has them (message_delta counts are cumulative).
    pub(crate) fn merged(&self, newer: &WireUsage) -> WireUsage {
        WireUsage {
            input_tokens: newer.input_tokens.or(self.input_tokens),
            output_tokens: newer.output_tokens.or(self.output_tokens),
            cache_creation_input_tokens: newer
                .cache_creation_input_tokens
                .or(self.cache_creation_input_tokens),
            cache_read_input_tokens: newer
                .cache_read_input_tokens
                .or(self.cache_read_input_tokens),
            service_tier: newer
                .service_tier
                .clone()
                .or_else(|| self.service_tier.clone()),
        }
    }
}

/// A reasoning block (or a streamed fragment of one) in the canonical shape.
pub(crate) fn reasoning_text(
    index: u32,
    text: Option<String>,
    signature: Option<String>,
) -> ReasoningDetail {
    ReasoningDetail {
        kind: ReasoningKind::Text,
        text,
        summary: None,
        data: None,
        signature,
        format: Some(REASONING_FORMAT.to_owned()),
        index: Some(index),
        extra: Map::new(),
    }
}

/// A `redacted_thinking` block in the canonical shape.
pub(crate) fn reasoning_encrypted(index: u32, data: String) -> ReasoningDetail {
    ReasoningDetail {
        kind: ReasoningKind::Encrypted,
        data: Some(data),
        ..reasoning_text(index, None, None)
    }
}

fn append(slot: &mut Option<String>, text: &str) {
    slot.get_or_insert_with(String::new).push_str(text);
}

/// The choice `extra` carrying the matched stop sequence, as `stop_sequence` (where
/// `llm-router-messages-api` reads it to answer `stop_reason: stop_sequence`).
pub(crate) fn stop_sequence_extra(seq: Option<String>) -> Map<String, Value> {
    seq.into_iter()
        .map(|s| ("stop_sequence".to_owned(), Value::String(s)))
        .collect()
}

/// A whole `Message` → the canonical response (`created` is left 0; the client stamps it).
pub(crate) fn response(m: MessageResponse) -> ChatResponse {
    let mut text: Option<String> = None;
    let mut reasoning: Option<String> = None;
    let mut details = Vec::new();
    let mut tool_calls = Vec::new();
    for (i, block) in m.content.into_iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        match block {
            ResponseBlock::Text { text: t } => append(&mut text, &t),
            ResponseBlock::ToolUse { id, name, input } => {
                tool_calls.push(ToolCall::function(id, name, input.to_string()));
            }
            ResponseBlock::Thinking {
                thinking,
                signature,
            } => {
                append(&mut reasoning, &thinking);
                details.push(reasoning_text(
                    index,
                    Some(thinking),
                    Some(signature).filter(|s| !s.is_empty()),
                ));
            }
            ResponseBlock::RedactedThinking { data } => {
                details.push(reasoning_encrypted(index, data));
            }
            ResponseBlock::Other(_) => {}
        }
    }
    let service_tier = m.usage.as_ref().and_then(|u| u.service_tier.clone());
    ChatResponse {
        id: m.id,
        model: m.model,
        choices: vec![Choice {
            index: 0,
            message: Message {
                role: Role::Assistant,
                content: text.map(Content::Text),
                tool_calls,
                reasoning_content: reasoning,
                reasoning_details: details,
                ..Message::default()
            },
            finish_reason: m.stop_reason.as_ref().map(finish_reason),
            logprobs: None,
            extra: stop_sequence_extra(m.stop_sequence),
        }],
        usage: m.usage.as_ref().map(usage),
        service_tier,
        ..ChatResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_core::{ToolChoice as C, ToolDefinition};
    use serde_json::json;

    fn body(req: &ChatRequest) -> Value {
        request_body(req, 4096, false).unwrap()
    }

    #[test]
    fn system_messages_are_hoisted_and_joined() {
        let req = ChatRequest::new(
            "m",
            vec![
                Message::system("A"),
                Message::user("hi"),
                Message::developer("B"),
            ],
        );
        let b = body(&req);
        assert_eq!(b["system"], json!("A\n\nB"));
        assert_eq!(b["messages"], json!([{"role": "user", "content": "hi"}]));
        assert_eq!(b["max_tokens"], 4096);
        assert!(b.get("stream").is_none());
    }

    #[test]
    fn cache_control_turns_system_into_blocks_and_marks_the_last_block() {
        let mut sys = Message::system("long prompt");
        sys.extra
            .insert("cache_control".into(), json!({"type": "ephemeral"}));
        let mut user = Message::user("hi");
        user.extra.insert(
            "cache_control".into(),
            json!({"type": "ephemeral", "ttl": "1h"}),
        );
        let b = body(&ChatRequest::new(
            "m",
            vec![sys, Message::system("short"), user],
        ));
        assert_eq!(
            b["system"],
            json!([
                {"type": "text", "text": "long prompt", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "short"}
            ])
        );
        assert_eq!(
            b["messages"][0]["content"],
            json!([{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "ttl": "1h"}}])
        );
    }

    #[test]
    fn invalid_tool_arguments_are_an_invalid_request() {
        let req = ChatRequest::new(
            "m",
            vec![
                Message::user("x"),
                Message::assistant_tool_calls(vec![ToolCall::function("c1", "f", "{not json")]),
            ],
        );
        let e = request_body(&req, 10, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.message().contains("c1"), "{e}");
        let req = ChatRequest::new(
            "m",
            vec![Message::assistant_tool_calls(vec![ToolCall::function(
                "c2", "f", "[1]",
            )])],
        );
        assert_eq!(
            request_body(&req, 10, false).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn tool_choice_forms() {
        let base =
            ChatRequest::new("m", vec![Message::user("x")]).with_tools([ToolDefinition::function(
                "f",
                "d",
                json!({"type": "object"}),
            )]);
        let choice = |c: Option<C>, parallel: Option<bool>| {
            let mut r = base.clone();
            r.tool_choice = c;
            r.parallel_tool_calls = parallel;
            body(&r).get("tool_choice").cloned()
        };
        assert_eq!(choice(Some(C::Auto), None), Some(json!({"type": "auto"})));
        assert_eq!(
            choice(Some(C::Required), Some(false)),
            Some(json!({"type": "any", "disable_parallel_tool_use": true}))
        );
        assert_eq!(
            choice(Some(C::Function("f".into())), None),
            Some(json!({"type": "tool", "name": "f"}))
        );
        assert_eq!(
            choice(Some(C::None), Some(false)),
            Some(json!({"type": "none"}))
        );
        assert_eq!(
            choice(None, Some(false)),
            Some(json!({"type": "auto", "disable_parallel_tool_use": true}))
        );
        assert_eq!(choice(None, Some(true)), None);
    }

    #[test]
    fn unsupported_requests_are_refused_before_sending() {
        let mut r = ChatRequest::new("m", vec![Message::user("x")]);
        r.n = Some(2);
        assert_eq!(
            request_body(&r, 1, false).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let r = ChatRequest::new("m", vec![Message::user("x")])
            .with_response_format(ResponseFormat::JsonObject);
        assert_eq!(
            request_body(&r, 1, false).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let r = ChatRequest::new(
            "m",
            vec![Message::user(vec![ContentPart::image_url("ftp://x/y.png")])],
        );
        assert_eq!(
            request_body(&r, 1, false).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn foreign_and_unsigned_reasoning_is_not_sent_back() {
        let mut m = Message::assistant("answer");
        m.reasoning_details = vec![
            ReasoningDetail {
                format: Some("google-gemini-v1".into()),
                ..ReasoningDetail::text("x", Some("sig".into()))
            },
            ReasoningDetail::text("unsigned", None),
            reasoning_text(0, Some("kept".into()), Some("sig==".into())),
            reasoning_encrypted(1, "ENC".into()),
        ];
        let b = body(&ChatRequest::new("m", vec![Message::user("q"), m]));
        assert_eq!(
            b["messages"][1]["content"],
            json!([
                {"type": "thinking", "thinking": "kept", "signature": "sig=="},
                {"type": "redacted_thinking", "data": "ENC"},
                {"type": "text", "text": "answer"}
            ])
        );
    }

    #[test]
    fn file_parts_become_pdf_documents() {
        let part = |v: Value| match serde_json::from_value::<ContentPart>(v).unwrap() {
            p @ ContentPart::Other(_) => p,
            other => panic!("not an Other part: {other:?}"),
        };
        let req = ChatRequest::new(
            "m",
            vec![Message::user(vec![
                // Bare base64 with a .pdf filename; the part's own title wins over it.
                part(
                    json!({"type": "file", "file": {"filename": "Report.PDF", "file_data": "JVBE"},
                            "title": "Q3", "context": "internal", "citations": {"enabled": true}}),
                ),
                // The media type is matched without regard to case; no filename, no title.
                part(
                    json!({"type": "file", "file": {"file_data": "data:Application/PDF;base64,JVBF"}}),
                ),
            ])],
        );
        assert_eq!(
            body(&req)["messages"][0]["content"],
            json!([
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"},
                 "title": "Q3", "context": "internal", "citations": {"enabled": true}},
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBF"}}
            ])
        );
        // Other raw parts are still sent as they are.
        let raw = json!({"type": "search_result", "source": "s", "title": "t", "content": []});
        let req = ChatRequest::new("m", vec![Message::user(vec![part(raw.clone())])]);
        assert_eq!(body(&req)["messages"][0]["content"], json!([raw]));
    }

    #[test]
    fn stop_reasons_map() {
        let f = |s: &str| finish_reason(&StopReason::from(s));
        assert_eq!(f("end_turn"), FinishReason::Stop);
        assert_eq!(f("stop_sequence"), FinishReason::Stop);
        assert_eq!(f("max_tokens"), FinishReason::Length);
        assert_eq!(f("model_context_window_exceeded"), FinishReason::Length);
        assert_eq!(f("tool_use"), FinishReason::ToolCalls);
        assert_eq!(f("refusal"), FinishReason::ContentFilter);
        assert_eq!(f("pause_turn"), FinishReason::Other("pause_turn".into()));
        assert_eq!(f("new_reason"), FinishReason::Other("new_reason".into()));
    }

    #[test]
    fn usage_counts_cached_input_in_the_prompt_total() {
        let u = usage(&WireUsage {
            input_tokens: Some(10),
            output_tokens: Some(5),
            cache_read_input_tokens: Some(100),
            cache_creation_input_tokens: Some(20),
            service_tier: None,
        });
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (130, 5, 135)
        );
        assert_eq!((u.cache_read_tokens(), u.cache_write_tokens()), (100, 20));
        let u = usage(&WireUsage {
            input_tokens: Some(3),
            output_tokens: Some(4),
            ..WireUsage::default()
        });
        assert_eq!(u, Usage::new(3, 4));
    }
}
