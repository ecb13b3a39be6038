//! Canonical ↔ native DashScope, as pure functions.
//!
//! A generation request is the canonical request split in two: the messages go into
//! `input.messages` (OpenAI-shaped, string content), every other body field — canonical ones and
//! the caller's `extra` (`enable_thinking`, `enable_search`, `search_options`, `top_k`, …) —
//! into `parameters`, with `result_format: "message"`.

use llm_router_core::{
    ChatRequest, ChatResponse, Choice, Content, ContentPart, EmbeddingData, EmbeddingRequest,
    EmbeddingResponse, EncodingFormat, Error, ErrorKind, FinishReason, InputType, Message, Role,
    ToolCall, Usage,
};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::stream::OutputMode;
use crate::wire;

/// Canonical fields with no meaning at DashScope, not sent.
const NOT_SENT: &[&str] = &[
    "model",
    "messages",
    "stream",
    "stream_options",
    "user",
    "metadata",
    "store",
    "service_tier",
    "reasoning_effort",
    "logit_bias",
];

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(NAME)
}

/// The generation body for `req`, and the output mode the stream will use: `incremental` is
/// the client's default, overridden by an `incremental_output` the caller put in `extra`.
pub(crate) fn generation_request(
    req: &ChatRequest,
    stream: bool,
    incremental: bool,
) -> Result<(wire::GenerationRequest, OutputMode), Error> {
    let Value::Object(mut params) = serde_json::to_value(req)? else {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "request did not serialize to an object",
        ));
    };
    for k in NOT_SENT {
        params.remove(*k);
    }
    if let Some(v) = params.remove("max_completion_tokens") {
        params.entry("max_tokens").or_insert(v);
    }
    params
        .entry("result_format")
        .or_insert_with(|| json!("message"));
    let mut mode = OutputMode::Incremental;
    if stream {
        let inc = params
            .entry("incremental_output")
            .or_insert_with(|| json!(incremental));
        if inc == &json!(false) {
            mode = OutputMode::Cumulative;
        }
    }
    let messages = req
        .messages
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        wire::GenerationRequest {
            model: req.model.clone(),
            input: wire::GenerationInput { messages },
            parameters: params,
        },
        mode,
    ))
}

/// One message, OpenAI-shaped with string content; reasoning of earlier turns is not sent.
fn message(m: &Message) -> Result<Value, Error> {
    let text = match &m.content {
        None => String::new(),
        Some(Content::Text(t)) => t.clone(),
        Some(Content::Parts(parts)) => {
            let mut texts = Vec::new();
            for p in parts {
                match p {
                    ContentPart::Text { text, .. } => texts.push(text.as_str()),
                    ContentPart::Refusal { refusal } => texts.push(refusal.as_str()),
                    _ => {
                        return Err(unsupported(
                            "the native DashScope client sends text only; use the \
                             compatible-mode client (qwen-vl models take image_url parts there)",
                        ));
                    }
                }
            }
            texts.join("\n")
        }
    };
    let mut v = serde_json::to_value(m)?;
    if let Value::Object(o) = &mut v {
        o.remove("reasoning_content");
        o.remove("reasoning_details");
        o.insert("content".into(), Value::String(text));
        if m.role == Role::Developer {
            o.insert("role".into(), json!("system"));
        }
    }
    Ok(v)
}

/// `finish_reason`, where `"null"` (a running stream) and empty mean none yet.
pub(crate) fn finish_reason(s: Option<&str>) -> Option<FinishReason> {
    match s {
        None | Some("" | "null") => None,
        Some(r) => Some(FinishReason::from(r)),
    }
}

/// Native usage → canonical.
pub(crate) fn usage(u: &wire::NativeUsage) -> Usage {
    let mut usage = Usage::new(u.input_tokens, u.output_tokens);
    if let Some(t) = u.total_tokens {
        usage.total_tokens = t;
    }
    let count = |m: &Option<Map<String, Value>>, k: &str| {
        m.as_ref().and_then(|m| m.get(k)).and_then(Value::as_u64)
    };
    if let Some(n) = count(&u.prompt_tokens_details, "cached_tokens") {
        usage = usage.with_cache_read(n);
    }
    if let Some(n) = count(&u.output_tokens_details, "reasoning_tokens") {
        usage = usage.with_reasoning(n);
    }
    usage.extra = u.extra.clone();
    usage
}

/// Takes the choices out of an output: `choices`, or the `text` form as one choice.
pub(crate) fn take_choices(out: &mut wire::Output) -> Vec<wire::OutputChoice> {
    if !out.choices.is_empty() || out.text.is_none() {
        return std::mem::take(&mut out.choices);
    }
    vec![wire::OutputChoice {
        index: Some(0),
        finish_reason: out.finish_reason.take(),
        message: Some(wire::OutputMessage {
            role: Some("assistant".into()),
            content: json!(out.text.take().unwrap_or_default()),
            ..wire::OutputMessage::default()
        }),
        logprobs: None,
    }]
}

/// An error carried by a 200 body or a stream event: a non-empty `code` and no `output`.
pub(crate) fn body_error(r: &wire::GenerationResponse) -> Option<Error> {
    let code = r.code.as_deref().filter(|c| !c.is_empty())?;
    if r.output.is_some() {
        return None;
    }
    Some(crate::error::event_error(&llm_router_http::ErrorBody {
        message: r.message.clone(),
        code: Some(code.to_owned()),
        ..llm_router_http::ErrorBody::default()
    }))
}

/// A whole (non-streamed) response. DashScope sends no model name or timestamp; the caller's
/// model is used.
pub(crate) fn chat_response(
    r: wire::GenerationResponse,
    model: &str,
    created: u64,
) -> ChatResponse {
    let mut out = r.output.unwrap_or_default();
    let choices = take_choices(&mut out)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let msg = c.message.unwrap_or_default();
            let tool_calls: Vec<ToolCall> = msg
                .tool_calls
                .iter()
                .enumerate()
                .map(|(j, tc)| {
                    let f = tc.function.clone().unwrap_or_default();
                    let id = tc
                        .id
                        .clone()
                        .filter(|id| !id.is_empty())
                        .unwrap_or_else(|| format!("call_{j}"));
                    let arguments = f.arguments_text();
                    ToolCall::function(id, f.name.unwrap_or_default(), arguments)
                })
                .collect();
            let text = msg.text();
            let content = if text.is_empty() && !tool_calls.is_empty() {
                None
            } else {
                Some(Content::Text(text))
            };
            Choice {
                index: c
                    .index
                    .unwrap_or_else(|| u32::try_from(i).unwrap_or(u32::MAX)),
                message: Message {
                    role: Role::Assistant,
                    content,
                    tool_calls,
                    reasoning_content: msg.reasoning_content.filter(|r| !r.is_empty()),
                    ..Message::default()
                },
                finish_reason: finish_reason(c.finish_reason.as_deref()),
                logprobs: c.logprobs.filter(|l| !l.is_null()),
                extra: Map::new(),
            }
        })
        .collect();
    ChatResponse {
        id: r.request_id,
        created,
        model: model.to_owned(),
        choices,
        usage: r.usage.as_ref().map(usage),
        extra: out.extra,
        ..ChatResponse::default()
    }
}

/// The text-embedding body: `input_type` becomes `text_type` (`query`/`document`), the
/// dimensions `dimension`; `extra` (`output_type`, `instruct`, …) goes into `parameters`.
pub(crate) fn embedding_request(req: &EmbeddingRequest) -> Result<wire::EmbeddingRequest, Error> {
    let texts = req
        .input
        .texts()
        .ok_or_else(|| unsupported("DashScope embeds text only, not token arrays"))?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut parameters = Map::new();
    if let Some(d) = req.dimensions {
        parameters.insert("dimension".into(), json!(d));
    }
    match &req.input_type {
        None => {}
        Some(InputType::Query) => {
            parameters.insert("text_type".into(), json!("query"));
        }
        Some(InputType::Document) => {
            parameters.insert("text_type".into(), json!("document"));
        }
        Some(other) => {
            return Err(unsupported(format!(
                "DashScope's text_type is query or document, not {other}"
            )));
        }
    }
    parameters.extend(req.extra.clone());
    Ok(wire::EmbeddingRequest {
        model: req.model.clone(),
        input: wire::EmbeddingInput { texts },
        parameters,
    })
}

/// The canonical embeddings response. Sparse vectors (`output_type: sparse`) have no place in
/// the OpenAI shape; they are kept in `extra.sparse_embeddings` as `[{index, sparse_embedding}]`.
pub(crate) fn embedding_response(
    r: wire::EmbeddingResponse,
    model: &str,
    encoding: Option<&EncodingFormat>,
) -> EmbeddingResponse {
    let mut items = r.output.map(|o| o.embeddings).unwrap_or_default();
    items.sort_by_key(|e| e.text_index);
    let mut sparse = Vec::new();
    let data = items
        .into_iter()
        .map(|e| {
            if !e.extra.is_empty() {
                let mut m = e.extra.clone();
                m.insert("index".into(), json!(e.text_index));
                sparse.push(Value::Object(m));
            }
            EmbeddingData::encoded(e.text_index, e.embedding, encoding)
        })
        .collect();
    let tokens = r
        .usage
        .as_ref()
        .and_then(|u| u.get("total_tokens").or_else(|| u.get("input_tokens")))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut extra = Map::new();
    if !sparse.is_empty() {
        extra.insert("sparse_embeddings".into(), Value::Array(sparse));
    }
    if !r.request_id.is_empty() {
        extra.insert("id".into(), json!(r.request_id));
    }
    EmbeddingResponse {
        data,
        model: model.to_owned(),
        usage: Some(Usage {
            prompt_tokens: tokens,
            total_tokens: tokens,
            ..Usage::default()
        }),
        extra,
        ..EmbeddingResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_hold_everything_but_the_messages() {
        let mut req = ChatRequest::new("qwen-plus", vec![Message::developer("x")])
            .with_extra("enable_search", true);
        req.max_completion_tokens = Some(9);
        req.user = Some("u".into());
        let (body, mode) = generation_request(&req, true, true).unwrap();
        assert_eq!(mode, OutputMode::Incremental);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"model": "qwen-plus", "input": {"messages": [{"role": "system", "content": "x"}]},
                   "parameters": {"max_tokens": 9, "enable_search": true, "result_format": "message", "incremental_output": true}})
        );
        let req = req.with_extra("incremental_output", false);
        assert_eq!(
            generation_request(&req, true, true).unwrap().1,
            OutputMode::Cumulative
        );
        let (_, mode) = generation_request(&ChatRequest::new("m", vec![]), true, false).unwrap();
        assert_eq!(mode, OutputMode::Cumulative);
    }

    #[test]
    fn images_are_refused_with_a_pointer_to_compatible_mode() {
        let req = ChatRequest::new(
            "qwen-vl-plus",
            vec![Message::user(vec![ContentPart::image_url(
                "https://x/y.png",
            )])],
        );
        let e = generation_request(&req, false, true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.message().contains("compatible-mode"));
    }

    #[test]
    fn finish_reason_null_is_none() {
        assert_eq!(finish_reason(Some("null")), None);
        assert_eq!(finish_reason(Some("stop")), Some(FinishReason::Stop));
        assert_eq!(
            finish_reason(Some("tool_calls")),
            Some(FinishReason::ToolCalls)
        );
    }
}
