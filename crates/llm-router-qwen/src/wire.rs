//! The native DashScope API's JSON (text generation and text embedding), as the Model Studio
//! API reference and `dashscope-sdk-python` describe it.
//!
//! Requests wrap the conversation in `input` and the options in `parameters`; responses put the
//! answer in `output` and the token counts in `usage` (`input_tokens`/`output_tokens`).
//! Tolerant on the way in: unknown fields are kept in `extra`, `finish_reason` is the string
//! `"null"` while a stream runs, message content may be a string or a list of `{text}` parts.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `POST /services/aigc/text-generation/generation` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GenerationRequest {
    pub(crate) model: String,
    pub(crate) input: GenerationInput,
    pub(crate) parameters: Map<String, Value>,
}

/// `input` of a generation request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GenerationInput {
    /// OpenAI-shaped messages with string content.
    pub(crate) messages: Vec<Value>,
}

/// A generation response, or one event of a stream.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct GenerationResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) request_id: String,
    #[serde(default)]
    pub(crate) output: Option<Output>,
    #[serde(default)]
    pub(crate) usage: Option<NativeUsage>,
    /// Set on errors.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) code: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) message: Option<String>,
}

/// `output`: choices (`result_format: message`) or `text` (`result_format: text`), plus
/// DashScope-only fields (`search_info`, `tool_info`) kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct Output {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) choices: Vec<OutputChoice>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) text: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) finish_reason: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// One choice of `output.choices`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct OutputChoice {
    #[serde(default)]
    pub(crate) index: Option<u32>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) finish_reason: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<OutputMessage>,
    #[serde(default)]
    pub(crate) logprobs: Option<Value>,
}

/// The assistant message of a choice.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct OutputMessage {
    #[serde(default)]
    pub(crate) role: Option<String>,
    /// A string, or a list of `{"text": …}` parts (multimodal models).
    #[serde(default)]
    pub(crate) content: Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) reasoning_content: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) tool_calls: Vec<WireToolCall>,
}

impl OutputMessage {
    /// The content as text (parts joined).
    pub(crate) fn text(&self) -> String {
        match &self.content {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect(),
            _ => String::new(),
        }
    }
}

/// A tool call, or (incremental streams) a fragment of one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct WireToolCall {
    #[serde(default)]
    pub(crate) index: Option<u32>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) function: Option<WireFunction>,
}

/// The function of a tool call: `arguments` is JSON text (an object is tolerated).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct WireFunction {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) arguments: Option<Value>,
}

impl WireFunction {
    pub(crate) fn arguments_text(&self) -> String {
        match &self.arguments {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

/// Native token counts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct NativeUsage {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) input_tokens: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) output_tokens: u64,
    #[serde(default)]
    pub(crate) total_tokens: Option<u64>,
    #[serde(default)]
    pub(crate) prompt_tokens_details: Option<Map<String, Value>>,
    #[serde(default)]
    pub(crate) output_tokens_details: Option<Map<String, Value>>,
    /// `plugins` (search, code interpreter counts), …
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `POST /services/embeddings/text-embedding/text-embedding` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EmbeddingRequest {
    pub(crate) model: String,
    pub(crate) input: EmbeddingInput,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub(crate) parameters: Map<String, Value>,
}

/// `input` of an embedding request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EmbeddingInput {
    pub(crate) texts: Vec<String>,
}

/// Text embedding response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct EmbeddingResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) request_id: String,
    #[serde(default)]
    pub(crate) output: Option<EmbeddingOutput>,
    #[serde(default)]
    pub(crate) usage: Option<Map<String, Value>>,
}

/// `output` of an embedding response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct EmbeddingOutput {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) embeddings: Vec<OutputEmbedding>,
}

/// One vector; `sparse_embedding` (with `output_type: "sparse"` or `"dense&sparse"`) is kept.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct OutputEmbedding {
    #[serde(default)]
    pub(crate) text_index: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) embedding: Vec<f32>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}
