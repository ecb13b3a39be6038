//! Canonical types ↔ Gemini's wire format, as pure functions.
//!
//! Requests: `system`/`developer` messages become `systemInstruction`; `assistant` becomes role
//! `model`; `tool` results become `functionResponse` parts of a `user` content (consecutive
//! results merged into one content), named after the earlier call with the same id. Images are
//! `inlineData` (data URLs, or remote URLs the client fetched beforehand through the
//! [`GuardedFetcher`](crate::GuardedFetcher)) or `fileData` (File API and `gs://` URIs).
//!
//! Responses are decoded by one state machine, [`Decoder`], for both `generateContent` and
//! each event of `streamGenerateContent`, so a streamed answer accumulates to exactly what the
//! non-streaming call returns.
//!
//! Thought signatures travel in `reasoning_details` with `format: "google-gemini-v1"`:
//!
//! - a thought part (`thought: true`) is a `reasoning.text` block (its text also goes to
//!   `reasoning_content`), with the part's `thoughtSignature` as `signature`;
//! - a signature on a `functionCall` part is a `reasoning.encrypted` block whose `data` is the
//!   signature and whose `id` is the tool call's id;
//! - a signature on any other part (text) is a `reasoning.encrypted` block without `id`.
//!
//! On the next turn these go back on the same parts: thought blocks as
//! `{text, thought: true, thoughtSignature}`, call signatures on the matching `functionCall`
//! part, the others on the text part. Blocks of other formats (other providers) are not sent.
//! A tool call's `extra["thought_signature"]` (or Gemini's OpenAI-compatible
//! `extra_content.google.thought_signature`) is read too, as a fallback.
//!
//! Tool-call ids: Gemini's own `functionCall.id` is kept and sent back on `functionCall` and
//! `functionResponse`. When Gemini sends none, the id is synthesized as `call_<n>_<name>`,
//! where `n` counts the tool calls already in the conversation (so ids are deterministic and
//! unique within it); synthesized ids are never sent to Gemini.

use std::collections::{HashMap, HashSet};

use llm_router_core::{
    ChatChunk, ChatRequest, ChatResponse, ChunkChoice, Content as CanonContent, ContentPart, Delta,
    EmbeddingData, EmbeddingRequest, EmbeddingResponse, Error, ErrorKind, FinishReason,
    FunctionCallDelta, InputType, Message, ReasoningDetail, ReasoningEffort, ReasoningKind,
    ResponseFormat, Role, StreamAccumulator, ToolCall, ToolCallDelta, ToolChoice, ToolType, Usage,
};
use serde_json::{Map, Value, json};

use crate::PROVIDER;
use crate::wire::{
    BatchEmbedContentsRequest, Blob, Content, EmbedContentRequest, FileData, FunctionCall,
    FunctionCallingConfig, FunctionDeclaration, FunctionResponse, GenerateContentRequest,
    GenerateContentResponse, GenerationConfig, Part, ThinkingConfig, Tool, ToolConfig,
    UsageMetadata,
};

/// The `format` of the reasoning blocks this crate writes and reads back.
pub const SIGNATURE_FORMAT: &str = "google-gemini-v1";

/// The body keys of `ChatRequest::extra` merged into the request (the rest is not sent).
pub(crate) const PASSTHROUGH_KEYS: [&str; 4] = [
    "generationConfig",
    "safetySettings",
    "toolConfig",
    "cachedContent",
];

/// Remote images fetched before conversion, by URL.
pub(crate) type InlinedImages = HashMap<String, Blob>;

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, msg).with_provider(PROVIDER)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, msg).with_provider(PROVIDER)
}

/// The model id for the URL path: a leading `models/` is dropped; ids carrying characters that
/// would change the path are refused.
pub(crate) fn model_id(model: &str) -> Result<&str, Error> {
    let id = model.strip_prefix("models/").unwrap_or(model);
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if ok {
        Ok(id)
    } else {
        Err(invalid(format!("invalid Gemini model id {model:?}")))
    }
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/// Where an image URL's bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ImageSource<'a> {
    /// A `data:` URL, already base64.
    Inline(Blob),
    /// A Gemini File API URI or a `gs://` URI, passed by reference.
    File(FileData),
    /// An `http(s)` URL the client must fetch.
    Remote(&'a str),
}

pub(crate) fn image_source(url: &str) -> Result<ImageSource<'_>, Error> {
    if let Some(rest) = url.strip_prefix("data:") {
        let (meta, data) = rest
            .split_once(',')
            .ok_or_else(|| invalid("malformed data: URL in an image part"))?;
        let mime = meta
            .strip_suffix(";base64")
            .ok_or_else(|| invalid("image data: URLs must be base64 (`data:<mime>;base64,…`)"))?;
        return Ok(ImageSource::Inline(Blob {
            mime_type: mime.to_owned(),
            data: data.to_owned(),
        }));
    }
    if url.starts_with("gs://") || url.starts_with("https://generativelanguage.googleapis.com/") {
        return Ok(ImageSource::File(FileData {
            mime_type: None,
            file_uri: url.to_owned(),
        }));
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(ImageSource::Remote(url));
    }
    Err(invalid(
        "image URLs must be data:, http(s):, gs:// or Gemini File API URIs",
    ))
}

/// The remote image URLs of a request, each once, in order.
pub(crate) fn remote_image_urls(req: &ChatRequest) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for m in &req.messages {
        let Some(CanonContent::Parts(parts)) = &m.content else {
            continue;
        };
        for p in parts {
            if let ContentPart::ImageUrl { image_url, .. } = p
                && let Ok(ImageSource::Remote(u)) = image_source(&image_url.url)
                && seen.insert(u.to_owned())
            {
                out.push(u.to_owned());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// Whether `id` is one this crate synthesized for a call of `name`.
pub(crate) fn is_synthesized(id: &str, name: &str) -> bool {
    id.strip_prefix("call_")
        .and_then(|rest| rest.split_once('_'))
        .is_some_and(|(n, rest)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && rest == name
        })
}

fn gemini_reasoning(m: &Message) -> impl Iterator<Item = &ReasoningDetail> {
    m.reasoning_details
        .iter()
        .filter(|d| d.format.as_deref() == Some(SIGNATURE_FORMAT))
}

fn detail_id(d: &ReasoningDetail) -> Option<&str> {
    d.extra.get("id").and_then(Value::as_str)
}

/// The signature of a tool call: its `reasoning.encrypted` block, else the fallbacks in the
/// call's `extra`.
fn call_signature(m: &Message, call: &ToolCall) -> Option<String> {
    gemini_reasoning(m)
        .find(|d| d.kind == ReasoningKind::Encrypted && detail_id(d) == Some(call.id.as_str()))
        .and_then(|d| d.data.clone())
        .or_else(|| {
            call.extra
                .get("thought_signature")
                .or_else(|| {
                    call.extra
                        .get("extra_content")
                        .and_then(|e| e.get("google"))
                        .and_then(|g| g.get("thought_signature"))
                })
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
}

fn model_content(m: &Message) -> Result<Option<Content>, Error> {
    let mut parts = Vec::new();
    for d in gemini_reasoning(m).filter(|d| d.kind == ReasoningKind::Text) {
        let text = d.text.clone().unwrap_or_default();
        if text.is_empty() && d.signature.is_none() {
            continue;
        }
        parts.push(Part {
            text: Some(text),
            thought: Some(true),
            thought_signature: d.signature.clone(),
            ..Part::default()
        });
    }
    let mut text = match &m.content {
        Some(CanonContent::Text(t)) => t.clone(),
        Some(CanonContent::Parts(ps)) => ps
            .iter()
            .filter_map(|p| match p {
                ContentPart::Text { text, .. } => Some(text.as_str()),
                ContentPart::Refusal { refusal } => Some(refusal.as_str()),
                _ => None,
            })
            .collect(),
        None => String::new(),
    };
    if text.is_empty()
        && let Some(r) = &m.refusal
    {
        text.clone_from(r);
    }
    let text_at = (!text.is_empty()).then(|| {
        parts.push(Part::text(text));
        parts.len() - 1
    });
    let first_call = parts.len();
    for call in &m.tool_calls {
        let args = call.function.parse_arguments().map_err(|e| {
            invalid(format!(
                "the arguments of tool call {:?} are not JSON: {e}",
                call.id
            ))
        })?;
        let args = match args {
            Value::Object(o) => Value::Object(o),
            Value::Null => Value::Object(Map::new()),
            _ => {
                return Err(invalid(format!(
                    "the arguments of tool call {:?} must be a JSON object for Gemini",
                    call.id
                )));
            }
        };
        let name = call.function.name.clone();
        let id = (!call.id.is_empty() && !is_synthesized(&call.id, &name)).then(|| call.id.clone());
        parts.push(Part {
            function_call: Some(FunctionCall {
                id,
                name,
                args: Some(args),
            }),
            thought_signature: call_signature(m, call),
            ..Part::default()
        });
    }
    // A signature that belonged to a text (or other) part goes back on the text part, else on
    // the first call part that has none.
    if let Some(sig) = gemini_reasoning(m)
        .filter(|d| d.kind == ReasoningKind::Encrypted && detail_id(d).is_none())
        .filter_map(|d| d.data.clone())
        .last()
    {
        let target = text_at
            .filter(|i| parts[*i].thought_signature.is_none())
            .or_else(|| (first_call..parts.len()).find(|i| parts[*i].thought_signature.is_none()));
        if let Some(i) = target {
            parts[i].thought_signature = Some(sig);
        }
    }
    Ok((!parts.is_empty()).then(|| Content {
        role: Some("model".to_owned()),
        parts,
    }))
}

fn image_part(url: &str, images: &InlinedImages) -> Result<Part, Error> {
    Ok(match image_source(url)? {
        ImageSource::Inline(blob) => Part {
            inline_data: Some(blob),
            ..Part::default()
        },
        ImageSource::File(file) => Part {
            file_data: Some(file),
            ..Part::default()
        },
        ImageSource::Remote(u) => match images.get(u) {
            Some(blob) => Part {
                inline_data: Some(blob.clone()),
                ..Part::default()
            },
            None => {
                return Err(invalid(format!(
                    "the image {u} was not fetched (remote image fetching is disabled for this client)"
                )));
            }
        },
    })
}

fn user_parts(content: Option<&CanonContent>, images: &InlinedImages) -> Result<Vec<Part>, Error> {
    let parts = match content {
        None => return Ok(Vec::new()),
        Some(CanonContent::Text(t)) => return Ok(vec![Part::text(t.clone())]),
        Some(CanonContent::Parts(p)) => p,
    };
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        out.push(match p {
            ContentPart::Text { text, .. } => Part::text(text.clone()),
            ContentPart::Refusal { refusal } => Part::text(refusal.clone()),
            ContentPart::ImageUrl { image_url, .. } => image_part(&image_url.url, images)?,
            ContentPart::InputAudio { input_audio } => Part {
                inline_data: Some(Blob {
                    mime_type: format!("audio/{}", input_audio.format),
                    data: input_audio.data.clone(),
                }),
                ..Part::default()
            },
            ContentPart::Other(map) => {
                let ty = map.get("type").and_then(Value::as_str).unwrap_or("?");
                let file_data = map
                    .get("file")
                    .and_then(|f| f.get("file_data"))
                    .and_then(Value::as_str);
                match (ty, file_data.map(image_source)) {
                    ("file", Some(Ok(ImageSource::Inline(blob)))) => Part {
                        inline_data: Some(blob),
                        ..Part::default()
                    },
                    _ => {
                        return Err(unsupported(format!(
                            "content parts of type {ty:?} cannot be sent to Gemini (files must be base64 data: URLs)"
                        )));
                    }
                }
            }
            _ => return Err(unsupported("this content part cannot be sent to Gemini")),
        });
    }
    Ok(out)
}

fn function_response(m: &Message, names: &HashMap<&str, &str>) -> Result<Part, Error> {
    let call_id = m.tool_call_id.as_deref();
    let name = call_id
        .and_then(|id| names.get(id).copied())
        .or(m.name.as_deref())
        .ok_or_else(|| {
            invalid(format!(
                "the tool result for tool_call_id {call_id:?} answers no earlier tool call (Gemini needs the function's name)"
            ))
        })?;
    let text = m.text();
    let response = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(o)) => Value::Object(o),
        _ => json!({ "result": text }),
    };
    Ok(Part {
        function_response: Some(FunctionResponse {
            id: call_id
                .filter(|id| !id.is_empty() && !is_synthesized(id, name))
                .map(str::to_owned),
            name: name.to_owned(),
            response,
        }),
        ..Part::default()
    })
}

fn contents(
    messages: &[Message],
    images: &InlinedImages,
) -> Result<(Option<Content>, Vec<Content>), Error> {
    let names: HashMap<&str, &str> = messages
        .iter()
        .flat_map(|m| &m.tool_calls)
        .map(|c| (c.id.as_str(), c.function.name.as_str()))
        .collect();
    let mut system = Vec::new();
    let mut out: Vec<Content> = Vec::new();
    let mut last_was_tool = false;
    for m in messages {
        let is_tool = m.role == Role::Tool;
        match &m.role {
            Role::System | Role::Developer => system.push(Part::text(m.text())),
            Role::Tool => {
                let part = function_response(m, &names)?;
                match out.last_mut() {
                    Some(last) if last_was_tool => last.parts.push(part),
                    _ => out.push(Content {
                        role: Some("user".to_owned()),
                        parts: vec![part],
                    }),
                }
            }
            Role::User => out.push(Content {
                role: Some("user".to_owned()),
                parts: user_parts(m.content.as_ref(), images)?,
            }),
            Role::Assistant => {
                if let Some(c) = model_content(m)? {
                    out.push(c);
                }
            }
            other => {
                return Err(invalid(format!(
                    "messages with role {other:?} cannot be sent to Gemini"
                )));
            }
        }
        last_was_tool = is_tool;
    }
    let system = (!system.is_empty()).then_some(Content {
        role: None,
        parts: system,
    });
    Ok((system, out))
}

/// `reasoning_effort` → `thinkingConfig`: `none` → `thinkingBudget: 0` (thinking off where
/// the model allows it); `minimal`/`low`/`medium`/`high` → `thinkingLevel` of the same name
/// (`xhigh` → `HIGH`) with `includeThoughts: true`, so thought summaries come back as
/// reasoning.
fn thinking(effort: &ReasoningEffort) -> ThinkingConfig {
    let level = match effort {
        ReasoningEffort::None => {
            return ThinkingConfig {
                thinking_budget: Some(0),
                ..ThinkingConfig::default()
            };
        }
        ReasoningEffort::Minimal => "MINIMAL".to_owned(),
        ReasoningEffort::Low => "LOW".to_owned(),
        ReasoningEffort::Medium => "MEDIUM".to_owned(),
        ReasoningEffort::High | ReasoningEffort::XHigh => "HIGH".to_owned(),
        other => other.as_str().to_ascii_uppercase(),
    };
    ThinkingConfig {
        include_thoughts: Some(true),
        thinking_level: Some(level),
        thinking_budget: None,
    }
}

fn generation_config(req: &ChatRequest) -> Result<GenerationConfig, Error> {
    let mut gc = GenerationConfig {
        temperature: req.temperature,
        top_p: req.top_p,
        top_k: req
            .extra
            .get("top_k")
            .or_else(|| req.extra.get("topK"))
            .cloned(),
        candidate_count: req.n,
        max_output_tokens: req.output_token_limit(),
        stop_sequences: req.stop.as_ref().map(|s| s.to_vec()).unwrap_or_default(),
        seed: req.seed,
        presence_penalty: req.presence_penalty,
        frequency_penalty: req.frequency_penalty,
        thinking_config: req.reasoning_effort.as_ref().map(thinking),
        ..GenerationConfig::default()
    };
    match &req.response_format {
        None | Some(ResponseFormat::Text) => {}
        Some(ResponseFormat::JsonObject) => {
            gc.response_mime_type = Some("application/json".to_owned());
        }
        Some(ResponseFormat::JsonSchema(f)) => {
            gc.response_mime_type = Some("application/json".to_owned());
            gc.response_json_schema.clone_from(&f.schema);
        }
        Some(_) => {
            return Err(unsupported(
                "this response_format cannot be expressed for Gemini",
            ));
        }
    }
    Ok(gc)
}

fn tools(req: &ChatRequest) -> Result<Vec<Tool>, Error> {
    if req.tools.is_empty() {
        return Ok(Vec::new());
    }
    let mut decls = Vec::with_capacity(req.tools.len());
    for t in &req.tools {
        if t.kind != ToolType::Function {
            return Err(unsupported(format!(
                "tools of type {:?} cannot be sent to Gemini",
                t.kind.as_str()
            )));
        }
        decls.push(FunctionDeclaration {
            name: t.function.name.clone(),
            description: t.function.description.clone(),
            parameters_json_schema: t.function.parameters.clone(),
        });
    }
    Ok(vec![Tool {
        function_declarations: decls,
    }])
}

fn tool_config(choice: Option<&ToolChoice>) -> Result<Option<ToolConfig>, Error> {
    let (mode, names) = match choice {
        None => return Ok(None),
        Some(ToolChoice::Auto) => ("AUTO", Vec::new()),
        Some(ToolChoice::Required) => ("ANY", Vec::new()),
        Some(ToolChoice::None) => ("NONE", Vec::new()),
        Some(ToolChoice::Function(name)) => ("ANY", vec![name.clone()]),
        Some(_) => {
            return Err(unsupported(
                "this tool_choice cannot be expressed for Gemini",
            ));
        }
    };
    Ok(Some(ToolConfig {
        function_calling_config: FunctionCallingConfig {
            mode: mode.to_owned(),
            allowed_function_names: names,
        },
    }))
}

/// Merges `patch` into `base`: objects key by key, anything else replaced.
fn deep_merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(slot) => deep_merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// The `generateContent` / `streamGenerateContent` body for `req`.
///
/// `extra` keys `generationConfig`, `safetySettings`, `toolConfig` and `cachedContent` are
/// merged in (objects deep-merged over what the canonical fields produced; a
/// `generationConfig.thinkingConfig` there replaces the one derived from `reasoning_effort`,
/// since Gemini refuses `thinkingLevel` and `thinkingBudget` together). `top_k` is read from
/// `extra`. Other `extra` keys are OpenAI-dialect fields Gemini would reject and are not sent.
pub(crate) fn chat_body(req: &ChatRequest, images: &InlinedImages) -> Result<Value, Error> {
    let (system_instruction, contents) = contents(&req.messages, images)?;
    if contents.is_empty() {
        return Err(invalid(
            "Gemini needs at least one user or assistant message",
        ));
    }
    let gc = generation_config(req)?;
    let body = GenerateContentRequest {
        contents,
        system_instruction,
        tools: tools(req)?,
        tool_config: tool_config(req.tool_choice.as_ref())?,
        generation_config: (!gc.is_empty()).then_some(gc),
    };
    let mut body = serde_json::to_value(&body)?;
    let Value::Object(obj) = &mut body else {
        return Err(invalid("request body is not an object"));
    };
    for key in PASSTHROUGH_KEYS {
        let Some(patch) = req.extra.get(key) else {
            continue;
        };
        if key == "generationConfig"
            && patch.get("thinkingConfig").is_some()
            && let Some(Value::Object(gc)) = obj.get_mut(key)
        {
            gc.remove("thinkingConfig");
        }
        match obj.get_mut(key) {
            Some(slot) => deep_merge(slot, patch),
            None => {
                obj.insert(key.to_owned(), patch.clone());
            }
        }
    }
    Ok(body)
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// What decoding needs to know about the request.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseContext {
    /// The requested model (used when the response names none).
    pub(crate) model: String,
    /// Unix seconds stamped on the response and chunks.
    pub(crate) created: u64,
    /// Tool-call id synthesis.
    pub(crate) ids: IdSource,
}

impl ResponseContext {
    pub(crate) fn for_request(req: &ChatRequest, created: u64) -> Self {
        let mut taken = HashSet::new();
        let mut calls = 0;
        for m in &req.messages {
            for c in &m.tool_calls {
                calls += 1;
                taken.insert(c.id.clone());
            }
            if let Some(id) = &m.tool_call_id {
                taken.insert(id.clone());
            }
        }
        Self {
            model: model_id(&req.model).unwrap_or(&req.model).to_owned(),
            created,
            ids: IdSource { next: calls, taken },
        }
    }
}

/// Synthesizes `call_<n>_<name>` ids unique within the conversation.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdSource {
    next: usize,
    taken: HashSet<String>,
}

impl IdSource {
    fn synthesize(&mut self, name: &str) -> String {
        loop {
            let id = format!("call_{}_{name}", self.next);
            self.next += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

#[derive(Debug, Clone)]
struct CandidateState {
    index: u32,
    tool_calls: u32,
    details: u32,
    open_thought: Option<u32>,
    had_tool_calls: bool,
    finished: bool,
}

/// Gemini's `finishReason` → canonical. `STOP` with function calls is `tool_calls` (Gemini
/// says `STOP` for those); unknown values are kept verbatim.
pub(crate) fn finish_reason(raw: &str, had_tool_calls: bool) -> FinishReason {
    match raw {
        "STOP" if had_tool_calls => FinishReason::ToolCalls,
        "STOP" => FinishReason::Stop,
        "MAX_TOKENS" => FinishReason::Length,
        "SAFETY"
        | "RECITATION"
        | "BLOCKLIST"
        | "PROHIBITED_CONTENT"
        | "SPII"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "IMAGE_RECITATION" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// `usageMetadata` → [`Usage`]: input = `promptTokenCount` + `toolUsePromptTokenCount`;
/// output = `candidatesTokenCount` + `thoughtsTokenCount` (thoughts are billed as output, and
/// OpenAI counts reasoning inside `completion_tokens`), with the thoughts also as
/// `reasoning_tokens`; `cachedContentTokenCount` → cached tokens; total as Gemini reports it.
pub(crate) fn usage(u: &UsageMetadata) -> Usage {
    let prompt = u.prompt_token_count.unwrap_or(0) + u.tool_use_prompt_token_count.unwrap_or(0);
    let completion = u.candidates_token_count.unwrap_or(0) + u.thoughts_token_count.unwrap_or(0);
    let mut out = Usage::new(prompt, completion);
    if let Some(total) = u.total_token_count {
        out.total_tokens = total;
    }
    if let Some(n) = u.cached_content_token_count {
        out = out.with_cache_read(n);
    }
    if let Some(n) = u.thoughts_token_count {
        out = out.with_reasoning(n);
    }
    out
}

fn gemini_detail(mut d: ReasoningDetail, index: u32) -> ReasoningDetail {
    d.format = Some(SIGNATURE_FORMAT.to_owned());
    d.index = Some(index);
    d
}

fn apply_part(st: &mut CandidateState, ids: &mut IdSource, part: Part, delta: &mut Delta) {
    let signature = part.thought_signature.filter(|s| !s.is_empty());
    if part.thought == Some(true) {
        let text = part.text.unwrap_or_default();
        if text.is_empty() && signature.is_none() {
            return;
        }
        if !text.is_empty() {
            delta
                .reasoning_content
                .get_or_insert_with(String::new)
                .push_str(&text);
        }
        let index = match st.open_thought {
            Some(i) => i,
            None => {
                st.details += 1;
                st.details - 1
            }
        };
        st.open_thought = signature.is_none().then_some(index);
        delta
            .reasoning_details
            .push(gemini_detail(ReasoningDetail::text(text, signature), index));
        return;
    }
    st.open_thought = None;
    let mut call_id = None;
    if let Some(fc) = part.function_call {
        let id = match fc.id.filter(|id| !id.is_empty()) {
            Some(id) => {
                ids.taken.insert(id.clone());
                id
            }
            None => ids.synthesize(&fc.name),
        };
        let args = match fc.args {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(v) => v,
        };
        delta.tool_calls.push(ToolCallDelta {
            index: st.tool_calls,
            id: Some(id.clone()),
            kind: Some(ToolType::Function),
            function: Some(FunctionCallDelta {
                name: Some(fc.name),
                arguments: Some(args.to_string()),
            }),
        });
        st.tool_calls += 1;
        st.had_tool_calls = true;
        call_id = Some(id);
    } else if let Some(text) = part.text.filter(|t| !t.is_empty()) {
        delta
            .content
            .get_or_insert_with(String::new)
            .push_str(&text);
    }
    if let Some(sig) = signature {
        let mut d = ReasoningDetail::encrypted(sig);
        if let Some(id) = call_id {
            d.extra.insert("id".to_owned(), Value::String(id));
        }
        delta.reasoning_details.push(gemini_detail(d, st.details));
        st.details += 1;
    }
}

fn delta_is_empty(d: &Delta) -> bool {
    d.role.is_none()
        && d.content.is_none()
        && d.tool_calls.is_empty()
        && d.reasoning_content.is_none()
        && d.reasoning_details.is_empty()
}

fn blocked(reason: &str) -> Error {
    Error::new(
        ErrorKind::ContentFiltered,
        format!("Gemini blocked the prompt (promptFeedback.blockReason {reason}) and returned no candidates"),
    )
    .with_provider(PROVIDER)
    .with_code(reason)
}

/// Gemini responses (one, or the events of a stream) → canonical chunks.
#[derive(Debug, Clone)]
pub(crate) struct Decoder {
    ctx: ResponseContext,
    id: String,
    model: Option<String>,
    candidates: Vec<CandidateState>,
    usage: Option<Usage>,
}

impl Decoder {
    pub(crate) fn new(ctx: ResponseContext) -> Self {
        Self {
            ctx,
            id: String::new(),
            model: None,
            candidates: Vec::new(),
            usage: None,
        }
    }

    /// Takes one response (or stream event). Returns the chunk it adds, if it adds anything; a
    /// prompt blocked with no candidates is [`ErrorKind::ContentFiltered`].
    pub(crate) fn push(
        &mut self,
        resp: GenerateContentResponse,
    ) -> Result<Option<ChatChunk>, Error> {
        if self.id.is_empty()
            && let Some(id) = resp.response_id
        {
            self.id = id;
        }
        if self.model.is_none() {
            self.model = resp.model_version;
        }
        if let Some(u) = &resp.usage_metadata {
            self.usage = Some(usage(u));
        }
        if resp.candidates.is_empty() {
            if let Some(reason) = resp.prompt_feedback.and_then(|f| f.block_reason) {
                return Err(blocked(&reason));
            }
            return Ok(None);
        }
        let mut choices = Vec::new();
        for (pos, cand) in resp.candidates.into_iter().enumerate() {
            let index = cand
                .index
                .unwrap_or_else(|| u32::try_from(pos).unwrap_or(u32::MAX));
            let mut delta = Delta::default();
            let slot = match self.candidates.iter().position(|c| c.index == index) {
                Some(p) => p,
                None => {
                    delta.role = Some(Role::Assistant);
                    self.candidates.push(CandidateState {
                        index,
                        tool_calls: 0,
                        details: 0,
                        open_thought: None,
                        had_tool_calls: false,
                        finished: false,
                    });
                    self.candidates.len() - 1
                }
            };
            let st = &mut self.candidates[slot];
            for part in cand.content.map(|c| c.parts).unwrap_or_default() {
                apply_part(st, &mut self.ctx.ids, part, &mut delta);
            }
            let finish = cand
                .finish_reason
                .filter(|r| !r.is_empty())
                .map(|r| finish_reason(&r, st.had_tool_calls));
            st.finished |= finish.is_some();
            if delta_is_empty(&delta) && finish.is_none() {
                continue;
            }
            choices.push(ChunkChoice {
                index,
                delta,
                finish_reason: finish,
                ..ChunkChoice::default()
            });
        }
        if choices.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.chunk(choices)))
    }

    fn chunk(&self, choices: Vec<ChunkChoice>) -> ChatChunk {
        ChatChunk {
            id: self.id.clone(),
            created: self.ctx.created,
            model: self.model.clone().unwrap_or_else(|| self.ctx.model.clone()),
            choices,
            ..ChatChunk::default()
        }
    }

    /// Whether candidates were seen and every one has finished: the only clean end of a
    /// Gemini stream, which has no terminator event.
    pub(crate) fn is_complete(&self) -> bool {
        !self.candidates.is_empty() && self.candidates.iter().all(|c| c.finished)
    }

    /// The final usage chunk (`choices: []`), when usage was reported.
    pub(crate) fn usage_chunk(&self) -> Option<ChatChunk> {
        let usage = self.usage.clone()?;
        Some(ChatChunk {
            usage: Some(usage),
            ..self.chunk(Vec::new())
        })
    }
}

/// A whole `generateContent` response → [`ChatResponse`].
pub(crate) fn chat_response(
    resp: GenerateContentResponse,
    ctx: ResponseContext,
) -> Result<ChatResponse, Error> {
    let mut d = Decoder::new(ctx);
    let chunk = d.push(resp)?;
    let Some(chunk) = chunk else {
        return Err(
            Error::new(ErrorKind::Decode, "Gemini returned no candidates").with_provider(PROVIDER),
        );
    };
    let mut acc = StreamAccumulator::new();
    acc.push(&chunk);
    let mut out = acc.finish();
    out.usage = d.usage;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------

/// `input_type` → `taskType`: query → `RETRIEVAL_QUERY`, document → `RETRIEVAL_DOCUMENT`,
/// classification → `CLASSIFICATION`, clustering → `CLUSTERING`. `extra["taskType"]` (any of
/// Gemini's task types, e.g. `SEMANTIC_SIMILARITY`) wins.
fn task_type(req: &EmbeddingRequest) -> Option<String> {
    if let Some(t) = req
        .extra
        .get("taskType")
        .or_else(|| req.extra.get("task_type"))
        .and_then(Value::as_str)
    {
        return Some(t.to_owned());
    }
    Some(
        match req.input_type.as_ref()? {
            InputType::Query => "RETRIEVAL_QUERY",
            InputType::Document => "RETRIEVAL_DOCUMENT",
            InputType::Classification => "CLASSIFICATION",
            InputType::Clustering => "CLUSTERING",
            other => return Some(other.as_str().to_ascii_uppercase()),
        }
        .to_owned(),
    )
}

/// Which embeddings endpoint a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmbedEndpoint {
    /// `:embedContent` (one text).
    Single,
    /// `:batchEmbedContents` (several).
    Batch,
}

/// The body for `req`: one text → `embedContent`, several → `batchEmbedContents` with
/// `model: "models/<id>"` on each request.
pub(crate) fn embed_body(req: &EmbeddingRequest) -> Result<(EmbedEndpoint, Value), Error> {
    let model = model_id(&req.model)?;
    let texts = req
        .input
        .texts()
        .ok_or_else(|| unsupported("Gemini embeds text only, not token arrays"))?;
    if texts.is_empty() {
        return Err(invalid("nothing to embed"));
    }
    let title = req
        .extra
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let one = |text: &str, model: Option<String>| EmbedContentRequest {
        model,
        content: Content {
            role: None,
            parts: vec![Part::text(text)],
        },
        task_type: task_type(req),
        title: title.clone(),
        output_dimensionality: req.dimensions,
    };
    if let [text] = texts.as_slice() {
        return Ok((
            EmbedEndpoint::Single,
            serde_json::to_value(one(text, None))?,
        ));
    }
    let requests = texts
        .iter()
        .map(|t| one(t, Some(format!("models/{model}"))))
        .collect();
    Ok((
        EmbedEndpoint::Batch,
        serde_json::to_value(BatchEmbedContentsRequest { requests })?,
    ))
}

/// Vectors → the canonical response, base64-encoded when the request asked for it.
pub(crate) fn embedding_response(
    req: &EmbeddingRequest,
    vectors: Vec<Vec<f32>>,
) -> EmbeddingResponse {
    let data = EmbeddingData::list(vectors, req.encoding_format.as_ref());
    EmbeddingResponse {
        object: "list".to_owned(),
        data,
        model: model_id(&req.model).unwrap_or(&req.model).to_owned(),
        usage: None,
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_ids_are_recognized() {
        assert!(is_synthesized("call_0_get_weather", "get_weather"));
        assert!(is_synthesized("call_12_a_b", "a_b"));
        assert!(!is_synthesized("call_abc123", "get_weather"));
        assert!(!is_synthesized("call__get_weather", "get_weather"));
        assert!(!is_synthesized("call_1_other", "get_weather"));
    }

    #[test]
    fn ids_skip_taken_values() {
        let mut ids = IdSource {
            next: 0,
            taken: ["call_0_f".to_owned()].into(),
        };
        assert_eq!(ids.synthesize("f"), "call_1_f");
        assert_eq!(ids.synthesize("f"), "call_2_f");
    }

    #[test]
    fn finish_reasons() {
        assert_eq!(finish_reason("STOP", true), FinishReason::ToolCalls);
        assert_eq!(finish_reason("STOP", false), FinishReason::Stop);
        assert_eq!(finish_reason("MAX_TOKENS", false), FinishReason::Length);
        for r in [
            "SAFETY",
            "RECITATION",
            "BLOCKLIST",
            "PROHIBITED_CONTENT",
            "SPII",
        ] {
            assert_eq!(finish_reason(r, false), FinishReason::ContentFilter, "{r}");
        }
        assert_eq!(
            finish_reason("MALFORMED_FUNCTION_CALL", false),
            FinishReason::Other("MALFORMED_FUNCTION_CALL".into())
        );
    }

    #[test]
    fn model_ids() {
        assert_eq!(
            model_id("models/gemini-2.5-flash").unwrap(),
            "gemini-2.5-flash"
        );
        assert_eq!(model_id("gemini-2.5-flash").unwrap(), "gemini-2.5-flash");
        assert!(model_id("../x").is_err());
        assert!(model_id("a?b").is_err());
        assert!(model_id("").is_err());
    }

    #[test]
    fn image_sources() {
        assert_eq!(
            image_source("data:image/png;base64,AAAA").unwrap(),
            ImageSource::Inline(Blob {
                mime_type: "image/png".into(),
                data: "AAAA".into()
            })
        );
        assert!(matches!(
            image_source("https://generativelanguage.googleapis.com/v1beta/files/abc").unwrap(),
            ImageSource::File(_)
        ));
        assert!(matches!(
            image_source("HTTPS://example.com/a.png").unwrap(),
            ImageSource::Remote(_)
        ));
        assert!(image_source("ftp://x/a.png").is_err());
        assert!(image_source("data:image/png,raw").is_err());
    }
}
