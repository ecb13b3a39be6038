//! Pure conversions between the canonical (OpenAI-shaped) chat types and Bedrock's Converse
//! shapes.

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Content, ContentPart, Error, ErrorKind, FinishReason,
    ImageUrl, Message, ReasoningDetail, ReasoningKind, ResponseFormat, Role, ToolCall, ToolChoice,
    ToolDefinition, Usage,
};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::wire::{self, WireUsage};

/// `format` of the reasoning blocks this crate returns (and accepts back).
pub(crate) const REASONING_FORMAT: &str = "bedrock-converse";

/// Top-level Converse fields a caller may set through `extra` (sent as given).
pub const PASSTHROUGH_FIELDS: &[&str] = &[
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "guardrailConfig",
    "performanceConfig",
    "promptVariables",
    "requestMetadata",
];

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(NAME)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The JSON body of `POST /model/{id}/converse` (and `/converse-stream`: the same body).
pub(crate) fn request_body(req: &ChatRequest) -> Result<Value, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported("Bedrock returns one reply per request (n > 1)"));
    }
    if req.logprobs == Some(true) {
        return Err(unsupported("Bedrock Converse has no logprobs"));
    }
    match &req.response_format {
        None | Some(ResponseFormat::Text) => {}
        Some(_) => {
            return Err(unsupported(
                "Bedrock Converse has no response_format; use a tool with the schema instead",
            ));
        }
    }
    let mut body = Map::new();
    let (system, messages) = messages(&req.messages)?;
    body.insert("messages".into(), Value::Array(messages));
    if !system.is_empty() {
        body.insert("system".into(), Value::Array(system));
    }
    let mut inference = Map::new();
    if let Some(n) = req.output_token_limit() {
        inference.insert("maxTokens".into(), n.into());
    }
    if let Some(t) = req.temperature {
        inference.insert("temperature".into(), t.into());
    }
    if let Some(p) = req.top_p {
        inference.insert("topP".into(), p.into());
    }
    if let Some(stop) = &req.stop {
        inference.insert("stopSequences".into(), json!(stop.to_vec()));
    }
    if !inference.is_empty() {
        body.insert("inferenceConfig".into(), Value::Object(inference));
    }
    if let Some(tc) = tool_config(req)? {
        body.insert("toolConfig".into(), tc);
    }
    for (k, v) in &req.extra {
        if !PASSTHROUGH_FIELDS.contains(&k.as_str()) {
            return Err(invalid(format!(
                "extra field {k:?} is not a Converse field; put model-native fields in \
                 extra.additionalModelRequestFields (allowed: {})",
                PASSTHROUGH_FIELDS.join(", ")
            )));
        }
        body.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(body))
}

fn tool_spec(t: &ToolDefinition) -> Value {
    let mut spec = json!({
        "name": t.function.name,
        "inputSchema": {"json": t.function.parameters_or_empty()},
    });
    if let Some(d) = &t.function.description {
        spec["description"] = d.clone().into();
    }
    json!({"toolSpec": spec})
}

fn has_tool_blocks(messages: &[Message]) -> bool {
    messages
        .iter()
        .any(|m| m.role == Role::Tool || !m.tool_calls.is_empty())
}

/// `toolConfig`: `auto` → `{auto:{}}`, `required` → `{any:{}}`, a function → `{tool:{name}}`.
/// Converse has no `none`: the tools are left out, unless the conversation already holds tool
/// calls (Bedrock then requires `toolConfig`), where they are sent without a `toolChoice`.
fn tool_config(req: &ChatRequest) -> Result<Option<Value>, Error> {
    if req.tools.is_empty() {
        return Ok(None);
    }
    let choice = match &req.tool_choice {
        None => None,
        Some(ToolChoice::Auto) => Some(json!({"auto": {}})),
        Some(ToolChoice::Required) => Some(json!({"any": {}})),
        Some(ToolChoice::Function(name)) => Some(json!({"tool": {"name": name}})),
        Some(ToolChoice::None) => {
            if !has_tool_blocks(&req.messages) {
                return Ok(None);
            }
            None
        }
        Some(other) => {
            return Err(unsupported(format!(
                "tool_choice {other:?} has no Converse equivalent"
            )));
        }
    };
    let mut tc = json!({"tools": req.tools.iter().map(tool_spec).collect::<Vec<_>>()});
    if let Some(c) = choice {
        tc["toolChoice"] = c;
    }
    Ok(Some(tc))
}

/// `image/png` → `png` (Converse's `format`).
fn image_format(mime: &str) -> Option<&'static str> {
    match mime.to_ascii_lowercase().as_str() {
        "image/png" => Some("png"),
        "image/jpeg" | "image/jpg" => Some("jpeg"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        _ => None,
    }
}

/// An image part → `{image: {format, source: {bytes}}}`. Only `data:` URLs: Converse takes the
/// bytes (base64 in JSON) and this crate does not download remote images.
fn image(u: &ImageUrl, i: usize) -> Result<Value, Error> {
    let Some((mime, data)) = u.as_data_url() else {
        return Err(invalid(format!(
            "message {i}: Bedrock takes images as bytes; send a data:image/...;base64 URL \
             (remote image URLs are not fetched)"
        )));
    };
    let Some(format) = image_format(mime) else {
        return Err(invalid(format!(
            "message {i}: image type {mime:?} is not supported by Bedrock (png, jpeg, gif, webp)"
        )));
    };
    Ok(json!({"image": {"format": format, "source": {"bytes": data}}}))
}

/// Content → blocks: text parts (a part with `cache_control` is followed by a `cachePoint`),
/// images when `images` is true. Empty texts are left out (Converse rejects blank text).
fn blocks(content: Option<&Content>, i: usize, images: bool) -> Result<Vec<Value>, Error> {
    let mut out = Vec::new();
    match content {
        None => {}
        Some(Content::Text(t)) if t.is_empty() => {}
        Some(Content::Text(t)) => out.push(json!({"text": t})),
        Some(Content::Parts(parts)) => {
            for p in parts {
                match p {
                    ContentPart::Text { text, extra } => {
                        if !text.is_empty() {
                            out.push(json!({"text": text}));
                        }
                        if extra.contains_key("cache_control") {
                            out.push(json!({"cachePoint": {"type": "default"}}));
                        }
                    }
                    ContentPart::ImageUrl { image_url, .. } if images => {
                        out.push(image(image_url, i)?);
                    }
                    ContentPart::Refusal { .. } => {}
                    _ => {
                        return Err(invalid(format!(
                            "message {i}: this content part has no Converse equivalent here"
                        )));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A reasoning block this crate returned → `reasoningContent` to send back. Blocks of other
/// providers' formats and unsigned text are left out (Bedrock cannot verify them).
fn reasoning_block(d: &ReasoningDetail) -> Option<Value> {
    if d.format.as_deref().is_some_and(|f| f != REASONING_FORMAT) {
        return None;
    }
    match &d.kind {
        ReasoningKind::Text => {
            let signature = d.signature.as_deref().filter(|s| !s.is_empty())?;
            Some(json!({"reasoningContent": {"reasoningText": {
                "text": d.text.clone().unwrap_or_default(), "signature": signature}}}))
        }
        ReasoningKind::Encrypted => Some(
            json!({"reasoningContent": {"redactedContent": d.data.as_deref().filter(|s| !s.is_empty())?}}),
        ),
        _ => None,
    }
}

fn tool_use(c: &ToolCall, i: usize) -> Result<Value, Error> {
    let input = c.function.parse_arguments().map_err(|e| {
        invalid(format!(
            "message {i}: the arguments of tool call {:?} are not valid JSON: {e}",
            c.id
        ))
    })?;
    Ok(json!({"toolUse": {"toolUseId": c.id, "name": c.function.name, "input": input}}))
}

/// Messages → (`system` blocks, `messages`). System and developer messages become `system`;
/// tool results become `toolResult` blocks of a user message; consecutive messages of the same
/// Bedrock role are merged (Converse requires user/assistant alternation).
pub(crate) fn messages(msgs: &[Message]) -> Result<(Vec<Value>, Vec<Value>), Error> {
    let mut system = Vec::new();
    let mut out: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let (role, content) = match &m.role {
            Role::System | Role::Developer => {
                system.extend(blocks(m.content.as_ref(), i, false)?);
                continue;
            }
            Role::User => ("user", blocks(m.content.as_ref(), i, true)?),
            Role::Assistant => {
                let mut c: Vec<Value> = m
                    .reasoning_details
                    .iter()
                    .filter_map(reasoning_block)
                    .collect();
                c.extend(blocks(m.content.as_ref(), i, false)?);
                for call in &m.tool_calls {
                    c.push(tool_use(call, i)?);
                }
                ("assistant", c)
            }
            Role::Tool => {
                let Some(id) = &m.tool_call_id else {
                    return Err(invalid(format!(
                        "message {i}: a tool message needs tool_call_id"
                    )));
                };
                let mut content = blocks(m.content.as_ref(), i, true)?;
                content.retain(|b| b.get("cachePoint").is_none());
                if content.is_empty() {
                    content.push(json!({"text": ""}));
                }
                (
                    "user",
                    vec![json!({"toolResult": {"toolUseId": id, "content": content}})],
                )
            }
            other => {
                return Err(invalid(format!(
                    "message {i}: role {other:?} has no Converse equivalent"
                )));
            }
        };
        match out.last_mut() {
            Some((r, c)) if *r == role => c.extend(content),
            _ => out.push((role, content)),
        }
    }
    let messages = out
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();
    Ok((system, messages))
}

/// Converse `stopReason` → canonical.
pub(crate) fn finish_reason(r: &str) -> FinishReason {
    match r {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "guardrail_intervened" | "content_filtered" => FinishReason::ContentFilter,
        "malformed_model_output" | "malformed_tool_use" => FinishReason::Other("error".into()),
        other => FinishReason::Other(other.to_owned()),
    }
}

/// Converse usage → canonical: `prompt_tokens` counts the cached prompt too (OpenAI's
/// meaning), with the cache reads and writes in the details.
pub(crate) fn usage(u: &WireUsage) -> Usage {
    let read = u.cache_read_input_tokens;
    let write = u.cache_write_input_tokens;
    let input = u.input_tokens + read.unwrap_or(0) + write.unwrap_or(0);
    let mut out = Usage::new(input, u.output_tokens);
    if let Some(n) = read {
        out = out.with_cache_read(n);
    }
    if let Some(n) = write {
        out = out.with_cache_write(n);
    }
    out
}

/// A reasoning block (or a streamed fragment of one) in the canonical shape.
pub(crate) fn reasoning_text(
    index: u32,
    text: Option<String>,
    signature: Option<String>,
) -> ReasoningDetail {
    let mut d = ReasoningDetail::text(String::new(), signature);
    d.text = text;
    d.format = Some(REASONING_FORMAT.to_owned());
    d.index = Some(index);
    d
}

/// A `redactedContent` block in the canonical shape.
pub(crate) fn reasoning_encrypted(index: u32, data: String) -> ReasoningDetail {
    let mut d = ReasoningDetail::encrypted(data);
    d.format = Some(REASONING_FORMAT.to_owned());
    d.index = Some(index);
    d
}

/// A Converse response → the canonical response (`id` and `created` are set by the client).
pub(crate) fn response(r: wire::ConverseResponse, model: &str) -> ChatResponse {
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut msg = Message::assistant("");
    let blocks = r.output.and_then(|o| o.message).map(|m| m.content);
    for (i, b) in blocks.unwrap_or_default().into_iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        if let Some(t) = b.text {
            text.push_str(&t);
        }
        if let Some(t) = b.tool_use {
            msg.tool_calls.push(ToolCall::function(
                t.tool_use_id,
                t.name,
                t.input.to_string(),
            ));
        }
        if let Some(rc) = b.reasoning_content {
            if let Some(rt) = rc.reasoning_text {
                reasoning.push_str(rt.text.as_deref().unwrap_or_default());
                msg.reasoning_details
                    .push(reasoning_text(index, rt.text, rt.signature));
            }
            if let Some(data) = rc.redacted_content {
                msg.reasoning_details.push(reasoning_encrypted(index, data));
            }
        }
    }
    msg.content = (!text.is_empty() || msg.tool_calls.is_empty()).then_some(Content::Text(text));
    if !reasoning.is_empty() {
        msg.reasoning_content = Some(reasoning);
    }
    let mut extra = Map::new();
    if let Some(f) = r.additional_model_response_fields {
        extra.insert("additionalModelResponseFields".into(), f);
    }
    if let Some(m) = r.metrics {
        extra.insert("metrics".into(), m);
    }
    ChatResponse {
        id: String::new(),
        object: "chat.completion".into(),
        created: 0,
        model: model.to_owned(),
        choices: vec![Choice {
            index: 0,
            message: msg,
            finish_reason: r.stop_reason.as_deref().map(finish_reason),
            logprobs: None,
            extra: Map::new(),
        }],
        usage: r.usage.as_ref().map(usage),
        system_fingerprint: None,
        service_tier: None,
        extra,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use llm_router_core::ToolDefinition;

    #[test]
    fn tool_results_merge_into_one_user_message() {
        let msgs = vec![
            Message::system("sys"),
            Message::user("q"),
            Message::assistant_tool_calls(vec![
                ToolCall::function("t1", "a", "{\"x\":1}"),
                ToolCall::function("t2", "b", ""),
            ]),
            Message::tool("t1", "r1"),
            Message::tool("t2", "r2"),
            Message::user("and?"),
        ];
        let (system, out) = messages(&msgs).unwrap();
        assert_eq!(system, vec![json!({"text": "sys"})]);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[1]["content"],
            json!([{"toolUse": {"toolUseId": "t1", "name": "a", "input": {"x": 1}}},
                   {"toolUse": {"toolUseId": "t2", "name": "b", "input": {}}}])
        );
        assert_eq!(
            out[2],
            json!({"role": "user", "content": [
                {"toolResult": {"toolUseId": "t1", "content": [{"text": "r1"}]}},
                {"toolResult": {"toolUseId": "t2", "content": [{"text": "r2"}]}},
                {"text": "and?"}]})
        );
    }

    #[test]
    fn stop_reasons() {
        let cases = [
            ("end_turn", FinishReason::Stop),
            ("stop_sequence", FinishReason::Stop),
            ("max_tokens", FinishReason::Length),
            ("model_context_window_exceeded", FinishReason::Length),
            ("tool_use", FinishReason::ToolCalls),
            ("guardrail_intervened", FinishReason::ContentFilter),
            ("content_filtered", FinishReason::ContentFilter),
            (
                "malformed_model_output",
                FinishReason::Other("error".into()),
            ),
            ("malformed_tool_use", FinishReason::Other("error".into())),
        ];
        for (r, f) in cases {
            assert_eq!(finish_reason(r), f, "{r}");
        }
    }

    #[test]
    fn usage_counts_cache_in_the_prompt() {
        let u = usage(&WireUsage {
            input_tokens: 4,
            output_tokens: 80,
            cache_read_input_tokens: Some(1078),
            cache_write_input_tokens: Some(10),
        });
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (1092, 80, 1172)
        );
        assert_eq!((u.cache_read_tokens(), u.cache_write_tokens()), (1078, 10));
    }

    #[test]
    fn tool_choice_none_and_unknown_extra() {
        let t = ToolDefinition::function("f", "d", json!({"type": "object"}));
        let req = ChatRequest::new("m", vec![Message::user("hi")])
            .with_tools([t.clone()])
            .with_tool_choice(ToolChoice::None);
        assert!(request_body(&req).unwrap().get("toolConfig").is_none());
        let req = ChatRequest::new("m", vec![Message::user("hi")]).with_extra("top_k", 5);
        assert_eq!(
            request_body(&req).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
        let req = ChatRequest::new("m", vec![Message::user("hi")])
            .with_extra("additionalModelRequestFields", json!({"top_k": 5}));
        assert_eq!(
            request_body(&req).unwrap()["additionalModelRequestFields"],
            json!({"top_k": 5})
        );
    }

    #[test]
    fn remote_images_are_refused() {
        let req = ChatRequest::new(
            "m",
            vec![Message::user(vec![ContentPart::image_url(
                "https://example.com/a.png",
            )])],
        );
        let e = request_body(&req).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.message().contains("data:"), "{e}");
    }
}
