//! Cohere's v2 response types, as documented (`ChatResponseV2`, `StreamedChatResponseV2`,
//! `EmbedByTypeResponse` in the official OpenAPI spec). Tolerant: unknown fields are ignored,
//! unknown enum values kept as strings.

use serde::Deserialize;
use serde_json::{Map, Value};

/// `POST /v2/chat` response.
#[derive(Debug, Deserialize)]
pub(crate) struct ChatResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub finish_reason: Option<String>,
    #[serde(default)]
    pub message: AssistantMessage,
    #[serde(default)]
    pub usage: Option<WireUsage>,
    #[serde(default)]
    pub logprobs: Option<Value>,
}

/// `AssistantMessageResponse`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AssistantMessage {
    #[serde(default)]
    pub content: Vec<ContentItem>,
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    #[serde(default)]
    pub tool_plan: Option<String>,
    #[serde(default)]
    pub citations: Option<Value>,
}

/// A content item: `{type: text, text}` or `{type: thinking, thinking}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ContentItem {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub thinking: Option<String>,
}

/// `ToolCallV2` (every field optional in stream fragments).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolCall {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Option<Function>,
}

/// `ToolCallV2.function`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Function {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<String>,
}

/// `Usage`: billed units and tokens.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct WireUsage {
    #[serde(default)]
    pub billed_units: Option<Counts>,
    #[serde(default)]
    pub tokens: Option<Counts>,
    #[serde(default)]
    pub cached_tokens: Option<f64>,
}

/// `input_tokens` / `output_tokens` (numbers in the spec).
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct Counts {
    #[serde(default)]
    pub input_tokens: Option<f64>,
    #[serde(default)]
    pub output_tokens: Option<f64>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One SSE event's data (every event type shares these fields).
#[derive(Debug, Deserialize)]
pub(crate) struct StreamEvent {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub index: Option<u32>,
    #[serde(default)]
    pub delta: Option<EventDelta>,
}

/// `delta` of a stream event.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EventDelta {
    #[serde(default)]
    pub message: Option<DeltaMessage>,
    #[serde(default)]
    pub finish_reason: Option<String>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
    #[serde(default)]
    pub error: Option<String>,
}

/// `delta.message` of a stream event.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeltaMessage {
    #[serde(default)]
    pub content: Option<ContentItem>,
    #[serde(default)]
    pub tool_plan: Option<String>,
    #[serde(default)]
    pub tool_calls: Option<ToolCall>,
    #[serde(default)]
    pub citations: Option<Value>,
}

/// `POST /v2/embed` response (`EmbedByTypeResponse`).
#[derive(Debug, Deserialize)]
pub(crate) struct EmbedResponse {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub embeddings: Embeddings,
    #[serde(default)]
    pub meta: Option<Value>,
}

/// `embeddings`: one list per requested type.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Embeddings {
    #[serde(default)]
    pub float: Option<Vec<Vec<f32>>>,
}
