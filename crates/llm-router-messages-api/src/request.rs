//! Anthropic Messages request JSON → canonical [`ChatRequest`].
//!
//! The mapping is the reverse of what `llm-router-anthropic` sends, so a request that comes
//! in through this API and goes out to Anthropic arrives unchanged in substance. See the crate
//! docs for the table.

use std::mem;

use llm_router_core::{
    ChatRequest, Content, ContentPart, Error, ErrorKind, JsonSchemaFormat, Message,
    ReasoningDetail, ReasoningEffort, ResponseFormat, Role, Stop, ToolCall, ToolChoice,
    ToolDefinition,
};
use serde_json::{Map, Value, json};

use crate::REASONING_FORMAT;
use crate::json::{
    Obj, as_array, as_obj, as_str, as_u32, get, invalid, join, opt_bool, opt_f64, opt_str, req_str,
    required, without, wrong_type,
};

/// Top-level fields this module reads; every other field goes to [`ChatRequest::extra`].
const KNOWN: &[&str] = &[
    "model",
    "max_tokens",
    "messages",
    "system",
    "tools",
    "tool_choice",
    "temperature",
    "top_p",
    "stop_sequences",
    "stream",
    "metadata",
    "service_tier",
    "output_config",
    "output_format",
];

/// Parses the body of `POST /v1/messages` into a canonical request.
///
/// Every problem (invalid UTF-8, malformed JSON, a missing required field, a wrong type) is an
/// [`ErrorKind::InvalidRequest`] error whose message names the field; a server tool (which
/// only Anthropic can run) is [`ErrorKind::Unsupported`]. Unknown fields are never an error:
/// they are kept in [`ChatRequest::extra`].
pub fn parse_request(body: &[u8]) -> Result<ChatRequest, Error> {
    let text = std::str::from_utf8(body)
        .map_err(|e| invalid(format!("the request body is not valid UTF-8: {e}")))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("the request body is not valid JSON: {e}")))?;
    request_from_value(&value)
}

/// [`parse_request`] for a body already parsed as JSON.
pub fn request_from_value(value: &Value) -> Result<ChatRequest, Error> {
    let o = value
        .as_object()
        .ok_or_else(|| wrong_type("the request body", "a JSON object", value))?;
    let model = req_str(o, "", "model")?;
    if model.is_empty() {
        return Err(invalid("model: must not be empty"));
    }
    let max_tokens = as_u32(required(o, "", "max_tokens")?, "max_tokens")?;
    if max_tokens == 0 {
        return Err(invalid("max_tokens: must be at least 1"));
    }

    let mut messages = Vec::new();
    if let Some(v) = get(o, "system") {
        system(v, &mut messages)?;
    }
    let turns = as_array(required(o, "", "messages")?, "messages")?;
    for (i, turn) in turns.iter().enumerate() {
        let path = format!("messages[{i}]");
        let t = as_obj(turn, &path)?;
        let content = required(t, &path, "content")?;
        let content_path = join(&path, "content");
        match req_str(t, &path, "role")? {
            "user" => user_turn(content, &content_path, &mut messages)?,
            "assistant" => messages.push(assistant_turn(content, &content_path)?),
            other => {
                return Err(invalid(format!(
                    "{path}.role: expected \"user\" or \"assistant\", got {other:?} \
                     (the system prompt goes in the top-level `system` field)"
                )));
            }
        }
    }

    let mut req = ChatRequest::new(model, messages);
    req.max_tokens = Some(max_tokens);
    req.temperature = opt_f64(o, "", "temperature")?;
    req.top_p = opt_f64(o, "", "top_p")?;
    req.stream = opt_bool(o, "", "stream")?;
    req.service_tier = opt_str(o, "", "service_tier")?.map(str::to_owned);
    if let Some(v) = get(o, "stop_sequences") {
        req.stop = Some(Stop::Many(strings(v, "stop_sequences")?));
    }
    if let Some(v) = get(o, "metadata") {
        req.user = opt_str(as_obj(v, "metadata")?, "metadata", "user_id")?.map(str::to_owned);
    }
    if let Some(v) = get(o, "tools") {
        for (i, t) in as_array(v, "tools")?.iter().enumerate() {
            req.tools.push(tool(t, &format!("tools[{i}]"))?);
        }
    }
    if let Some(v) = get(o, "tool_choice") {
        tool_choice(v, &mut req)?;
    }
    if let Some(v) = get(o, "top_k") {
        as_u32(v, "top_k")?;
    }
    if let Some(v) = get(o, "thinking") {
        req.reasoning_effort = thinking(v)?;
    }
    if let Some(v) = get(o, "output_format") {
        req.response_format = Some(output_format(v, "output_format")?);
    }
    if let Some(v) = get(o, "output_config") {
        output_config(v, &mut req)?;
    }
    for (k, v) in o {
        if !KNOWN.contains(&k.as_str()) {
            req.extra.insert(k.clone(), v.clone());
        }
    }
    Ok(req)
}

fn strings(v: &Value, path: &str) -> Result<Vec<String>, Error> {
    as_array(v, path)?
        .iter()
        .enumerate()
        .map(|(i, s)| as_str(s, &format!("{path}[{i}]")).map(str::to_owned))
        .collect()
}

/// `system`: a string, or text blocks (one system message per block, `cache_control` kept on
/// the message and on its text part).
fn system(v: &Value, out: &mut Vec<Message>) -> Result<(), Error> {
    match v {
        Value::String(s) => {
            if !s.is_empty() {
                out.push(Message::system(s.as_str()));
            }
        }
        Value::Array(blocks) => {
            for (i, b) in blocks.iter().enumerate() {
                let path = format!("system[{i}]");
                let o = as_obj(b, &path)?;
                let ty = req_str(o, &path, "type")?;
                if ty != "text" {
                    return Err(invalid(format!(
                        "{path}.type: the system prompt takes text blocks only, got {ty:?}"
                    )));
                }
                let text = req_str(o, &path, "text")?;
                let extra = without(o, &["type", "text"]);
                let mut m = Message::system(text);
                if !extra.is_empty() {
                    if let Some(cc) = extra.get("cache_control") {
                        m.extra.insert("cache_control".into(), cc.clone());
                    }
                    m.content = Some(Content::Parts(vec![ContentPart::Text {
                        text: text.to_owned(),
                        extra,
                    }]));
                }
                out.push(m);
            }
        }
        other => {
            return Err(wrong_type(
                "system",
                "a string or an array of text blocks",
                other,
            ));
        }
    }
    Ok(())
}

/// A user turn. Each `tool_result` block becomes its own `role: tool` message, in order; the
/// other blocks around them become user messages.
fn user_turn(content: &Value, path: &str, out: &mut Vec<Message>) -> Result<(), Error> {
    let blocks = match content {
        Value::String(s) => {
            out.push(Message::user(s.as_str()));
            return Ok(());
        }
        Value::Array(blocks) => blocks,
        other => {
            return Err(wrong_type(
                path,
                "a string or an array of content blocks",
                other,
            ));
        }
    };
    let mut parts = Vec::new();
    let mut pushed_any = false;
    for (j, b) in blocks.iter().enumerate() {
        let p = format!("{path}[{j}]");
        let o = as_obj(b, &p)?;
        if req_str(o, &p, "type")? == "tool_result" {
            if !parts.is_empty() {
                out.push(Message::user(Content::Parts(mem::take(&mut parts))));
            }
            out.push(tool_result(o, &p)?);
            pushed_any = true;
        } else {
            parts.push(user_part(o, &p)?);
        }
    }
    if !parts.is_empty() || !pushed_any {
        out.push(Message::user(Content::Parts(parts)));
    }
    Ok(())
}

/// One non-tool-result block of a user turn (or of a tool result's content).
fn user_part(o: &Obj, path: &str) -> Result<ContentPart, Error> {
    let ty = req_str(o, path, "type")?;
    Ok(match ty {
        "text" => ContentPart::Text {
            text: req_str(o, path, "text")?.to_owned(),
            extra: without(o, &["type", "text"]),
        },
        "image" => image(o, path)?,
        "document" => document(o, path)?,
        _ => ContentPart::Other(o.clone()),
    })
}

/// `image`: a base64 source → a `data:` URL, a URL source → the URL; other sources (`file`)
/// are kept as the raw block.
fn image(o: &Obj, path: &str) -> Result<ContentPart, Error> {
    let src_path = join(path, "source");
    let src = as_obj(required(o, path, "source")?, &src_path)?;
    let part = match req_str(src, &src_path, "type")? {
        "base64" => ContentPart::image_base64(
            req_str(src, &src_path, "media_type")?,
            req_str(src, &src_path, "data")?,
        ),
        "url" => ContentPart::image_url(req_str(src, &src_path, "url")?),
        _ => return Ok(ContentPart::Other(o.clone())),
    };
    Ok(match part {
        ContentPart::ImageUrl { image_url, .. } => ContentPart::ImageUrl {
            image_url,
            extra: without(o, &["type", "source"]),
        },
        other => other,
    })
}

/// `document`: a base64 PDF → an OpenAI `file` part (`file_data` as a `data:` URL, the title
/// as `filename`), a plain-text source → a text part; URL, file and content sources are kept
/// as the raw block (only Anthropic reads them).
fn document(o: &Obj, path: &str) -> Result<ContentPart, Error> {
    let src_path = join(path, "source");
    let src = as_obj(required(o, path, "source")?, &src_path)?;
    let extra = without(o, &["type", "source", "title", "context", "citations"]);
    match req_str(src, &src_path, "type")? {
        "base64" => {
            let media_type = req_str(src, &src_path, "media_type")?;
            let data = req_str(src, &src_path, "data")?;
            let filename = opt_str(o, path, "title")?.unwrap_or("document.pdf");
            let mut part = Map::new();
            part.insert("type".into(), json!("file"));
            part.insert(
                "file".into(),
                json!({"filename": filename, "file_data": format!("data:{media_type};base64,{data}")}),
            );
            part.extend(extra);
            Ok(ContentPart::Other(part))
        }
        "text" => Ok(ContentPart::Text {
            text: req_str(src, &src_path, "data")?.to_owned(),
            extra,
        }),
        _ => Ok(ContentPart::Other(o.clone())),
    }
}

/// `tool_result` → a `role: tool` message. `is_error` and `cache_control` go to the message's
/// `extra` (where `llm-router-anthropic` reads them back); the content keeps its form.
fn tool_result(o: &Obj, path: &str) -> Result<Message, Error> {
    let id = req_str(o, path, "tool_use_id")?;
    let content = match get(o, "content") {
        None => Content::Text(String::new()),
        Some(Value::String(s)) => Content::Text(s.clone()),
        Some(Value::Array(blocks)) => {
            let mut parts = Vec::with_capacity(blocks.len());
            for (k, b) in blocks.iter().enumerate() {
                let p = format!("{path}.content[{k}]");
                parts.push(user_part(as_obj(b, &p)?, &p)?);
            }
            Content::Parts(parts)
        }
        Some(other) => {
            return Err(wrong_type(
                &join(path, "content"),
                "a string or an array of content blocks",
                other,
            ));
        }
    };
    let mut m = Message::tool(id, content);
    if let Some(is_error) = opt_bool(o, path, "is_error")? {
        m.extra.insert("is_error".into(), Value::Bool(is_error));
    }
    if let Some(cc) = get(o, "cache_control") {
        m.extra.insert("cache_control".into(), cc.clone());
    }
    Ok(m)
}

/// An assistant turn: `thinking`/`redacted_thinking` → `reasoning_content` and
/// `reasoning_details` (signatures kept), `text` → content, `tool_use` → tool calls.
fn assistant_turn(content: &Value, path: &str) -> Result<Message, Error> {
    let blocks = match content {
        Value::String(s) => return Ok(Message::assistant(s.as_str())),
        Value::Array(blocks) => blocks,
        other => {
            return Err(wrong_type(
                path,
                "a string or an array of content blocks",
                other,
            ));
        }
    };
    let mut m = Message {
        role: Role::Assistant,
        ..Message::default()
    };
    let mut parts = Vec::new();
    for (j, b) in blocks.iter().enumerate() {
        let p = format!("{path}[{j}]");
        let o = as_obj(b, &p)?;
        match req_str(o, &p, "type")? {
            "text" => parts.push(ContentPart::Text {
                text: req_str(o, &p, "text")?.to_owned(),
                extra: without(o, &["type", "text"]),
            }),
            "tool_use" => {
                let input = match get(o, "input") {
                    None => Value::Object(Map::new()),
                    Some(v @ Value::Object(_)) => v.clone(),
                    Some(other) => {
                        return Err(wrong_type(&join(&p, "input"), "an object", other));
                    }
                };
                m.tool_calls.push(ToolCall::function(
                    req_str(o, &p, "id")?,
                    req_str(o, &p, "name")?,
                    input.to_string(),
                ));
            }
            "thinking" => {
                let text = req_str(o, &p, "thinking")?;
                let signature = opt_str(o, &p, "signature")?.filter(|s| !s.is_empty());
                m.reasoning_content
                    .get_or_insert_with(String::new)
                    .push_str(text);
                m.reasoning_details.push(reasoning(
                    ReasoningDetail::text(text, signature.map(str::to_owned)),
                    j,
                ));
            }
            "redacted_thinking" => {
                let data = req_str(o, &p, "data")?;
                m.reasoning_details
                    .push(reasoning(ReasoningDetail::encrypted(data), j));
            }
            _ => parts.push(ContentPart::Other(o.clone())),
        }
    }
    m.content = match parts.as_slice() {
        [] => None,
        [ContentPart::Text { text, extra }] if extra.is_empty() => {
            Some(Content::Text(text.clone()))
        }
        _ => Some(Content::Parts(parts)),
    };
    Ok(m)
}

fn reasoning(mut d: ReasoningDetail, index: usize) -> ReasoningDetail {
    d.format = Some(REASONING_FORMAT.to_owned());
    d.index = u32::try_from(index).ok();
    d
}

/// A custom tool → a function tool (`input_schema` → `parameters`, `cache_control` and other
/// fields in the tool's `extra`). Server tools (`web_search_…`, `bash_…`, …) are refused.
fn tool(v: &Value, path: &str) -> Result<ToolDefinition, Error> {
    let o = as_obj(v, path)?;
    if let Some(ty) = opt_str(o, path, "type")?
        && ty != "custom"
    {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "{path}: the server tool {ty:?} runs only on Anthropic's servers and is not \
                 available through this API; define a custom tool (name, input_schema) instead"
            ),
        ));
    }
    let name = req_str(o, path, "name")?;
    let schema_path = join(path, "input_schema");
    let schema = required(o, path, "input_schema")?;
    as_obj(schema, &schema_path)?;
    let mut t = ToolDefinition::function(name, "", schema.clone());
    t.function.description = opt_str(o, path, "description")?.map(str::to_owned);
    t.function.strict = opt_bool(o, path, "strict")?;
    t.extra = without(
        o,
        &["type", "name", "description", "input_schema", "strict"],
    );
    Ok(t)
}

/// `tool_choice`: `auto` → `auto`, `any` → `required`, `tool` → that function, `none` →
/// `none`; `disable_parallel_tool_use: true` → `parallel_tool_calls: false`.
fn tool_choice(v: &Value, req: &mut ChatRequest) -> Result<(), Error> {
    let path = "tool_choice";
    let o = as_obj(v, path)?;
    req.tool_choice = Some(match req_str(o, path, "type")? {
        "auto" => ToolChoice::Auto,
        "any" => ToolChoice::Required,
        "none" => ToolChoice::None,
        "tool" => ToolChoice::Function(req_str(o, path, "name")?.to_owned()),
        other => {
            return Err(invalid(format!(
                "tool_choice.type: expected \"auto\", \"any\", \"tool\" or \"none\", got {other:?}"
            )));
        }
    });
    if opt_bool(o, path, "disable_parallel_tool_use")? == Some(true) {
        req.parallel_tool_calls = Some(false);
    }
    Ok(())
}

/// `thinking` is kept in `extra` as sent (Anthropic reads it there); an enabled budget also
/// sets `reasoning_effort` for other providers: below 4096 tokens `low`, below 16384
/// `medium`, otherwise `high`.
fn thinking(v: &Value) -> Result<Option<ReasoningEffort>, Error> {
    let o = as_obj(v, "thinking")?;
    Ok(match req_str(o, "thinking", "type")? {
        "enabled" => {
            let budget = as_u32(
                required(o, "thinking", "budget_tokens")?,
                "thinking.budget_tokens",
            )?;
            Some(match budget {
                0..4096 => ReasoningEffort::Low,
                4096..16384 => ReasoningEffort::Medium,
                _ => ReasoningEffort::High,
            })
        }
        _ => None,
    })
}

/// `{type: json_schema, schema}` → a `json_schema` response format named `output`.
fn output_format(v: &Value, path: &str) -> Result<ResponseFormat, Error> {
    let o = as_obj(v, path)?;
    match req_str(o, path, "type")? {
        "json_schema" => {
            let schema_path = join(path, "schema");
            let schema = required(o, path, "schema")?;
            as_obj(schema, &schema_path)?;
            Ok(ResponseFormat::JsonSchema(JsonSchemaFormat {
                name: "output".into(),
                description: None,
                schema: Some(schema.clone()),
                strict: None,
            }))
        }
        other => Err(invalid(format!(
            "{path}.type: expected \"json_schema\", got {other:?}"
        ))),
    }
}

/// `output_config`: `format` → `response_format`, `effort` (`low`/`medium`/`high`) →
/// `reasoning_effort`. When it holds anything besides `format`, the whole object is also
/// kept in `extra` (for Anthropic, which reads it there).
fn output_config(v: &Value, req: &mut ChatRequest) -> Result<(), Error> {
    let path = "output_config";
    let o = as_obj(v, path)?;
    if let Some(f) = get(o, "format") {
        req.response_format = Some(output_format(f, "output_config.format")?);
    }
    if let Some(effort) = opt_str(o, path, "effort")? {
        req.reasoning_effort = Some(ReasoningEffort::from(effort));
    }
    if o.keys().any(|k| k != "format") {
        req.extra.insert(path.into(), v.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use llm_router_core::ReasoningKind;

    fn parse(v: Value) -> Result<ChatRequest, Error> {
        parse_request(v.to_string().as_bytes())
    }

    #[test]
    fn reasoning_kinds_are_tagged_with_the_anthropic_format() {
        let r = parse(json!({"model": "m", "max_tokens": 5, "messages": [
            {"role": "assistant", "content": [
                {"type": "redacted_thinking", "data": "ENC"},
                {"type": "thinking", "thinking": "t", "signature": ""}
            ]}
        ]}))
        .unwrap();
        let d = &r.messages[0].reasoning_details;
        assert_eq!(d[0].kind, ReasoningKind::Encrypted);
        assert_eq!(d[1].signature, None);
        assert!(
            d.iter()
                .all(|d| d.format.as_deref() == Some(REASONING_FORMAT))
        );
        assert_eq!(r.messages[0].content, None);
    }

    #[test]
    fn thinking_budget_sets_an_effort_and_stays_in_extra() {
        for (budget, effort) in [
            (1024, ReasoningEffort::Low),
            (8000, ReasoningEffort::Medium),
            (32000, ReasoningEffort::High),
        ] {
            let thinking = json!({"type": "enabled", "budget_tokens": budget});
            let r = parse(
                json!({"model": "m", "max_tokens": 64000, "messages": [], "thinking": thinking}),
            )
            .unwrap();
            assert_eq!(r.reasoning_effort, Some(effort));
            assert_eq!(r.extra["thinking"], thinking);
        }
        let r = parse(json!({"model": "m", "max_tokens": 5, "messages": [], "thinking": {"type": "disabled"}}))
            .unwrap();
        assert_eq!(r.reasoning_effort, None);
    }
}
