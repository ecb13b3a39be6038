//! The Llama API's native response types, as in the official `llama-api-python` SDK
//! (`CreateChatCompletionResponse`, `CreateChatCompletionResponseStreamChunk`). Tolerant:
//! unknown fields are ignored, unknown enum values kept as strings, `content` taken in any of
//! its forms.

use serde::Deserialize;
use serde_json::Value;

/// `POST /chat/completions` response.
#[derive(Debug, Deserialize)]
pub(crate) struct ChatResponse {
    #[serde(default)]
    pub id: Option<String>,
    pub completion_message: CompletionMessage,
    #[serde(default)]
    pub metrics: Vec<Metric>,
}

/// `CompletionMessage`.
#[derive(Debug, Deserialize)]
pub(crate) struct CompletionMessage {
    /// A string or `{type: text, text}` (arrays of those tolerated).
    #[serde(default)]
    pub content: Option<Value>,
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
}

/// A tool call: `{id, function: {name, arguments}}`, without a `type` field.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolCall {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Function,
}

/// A tool call's function (both fields optional in stream deltas).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Function {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<String>,
}

/// One entry of `metrics`: `{metric, value, unit?}`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub(crate) struct Metric {
    pub metric: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One stream chunk: `{id?, event}`.
#[derive(Debug, Deserialize)]
pub(crate) struct StreamChunk {
    #[serde(default)]
    pub id: Option<String>,
    pub event: Event,
}

/// `Event`.
#[derive(Debug, Deserialize)]
pub(crate) struct Event {
    #[serde(default)]
    pub event_type: String,
    #[serde(default)]
    pub delta: Option<Delta>,
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub metrics: Option<Vec<Metric>>,
}

/// `EventDelta`: `{type: text, text}` or `{type: tool_call, id?, function: {name?, arguments?}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Delta {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Option<Function>,
}
