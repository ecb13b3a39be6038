//! Bedrock's response shapes (Converse, ConverseStream events, InvokeModel embeddings), as far
//! as this crate reads them. Unknown fields (the stream's `p` padding, `trace`, …) are ignored.

use serde::Deserialize;
use serde_json::Value;

/// `POST /model/{id}/converse` → this.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConverseResponse {
    #[serde(default)]
    pub(crate) output: Option<Output>,
    #[serde(default)]
    pub(crate) stop_reason: Option<String>,
    #[serde(default)]
    pub(crate) usage: Option<WireUsage>,
    #[serde(default)]
    pub(crate) metrics: Option<Value>,
    #[serde(default)]
    pub(crate) additional_model_response_fields: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Output {
    #[serde(default)]
    pub(crate) message: Option<OutputMessage>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OutputMessage {
    #[serde(default)]
    pub(crate) content: Vec<Block>,
}

/// A content block of a response: a union with exactly one member set.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Block {
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) tool_use: Option<ToolUse>,
    #[serde(default)]
    pub(crate) reasoning_content: Option<Reasoning>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ToolUse {
    pub(crate) tool_use_id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) input: Value,
}

/// `reasoningContent` of a response: `reasoningText {text, signature}` or `redactedContent`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Reasoning {
    #[serde(default)]
    pub(crate) reasoning_text: Option<ReasoningText>,
    #[serde(default)]
    pub(crate) redacted_content: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReasoningText {
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) signature: Option<String>,
}

/// `usage`: `inputTokens` excludes the cached prompt (`cacheReadInputTokens`,
/// `cacheWriteInputTokens`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUsage {
    #[serde(default)]
    pub(crate) input_tokens: u64,
    #[serde(default)]
    pub(crate) output_tokens: u64,
    #[serde(default)]
    pub(crate) cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub(crate) cache_write_input_tokens: Option<u64>,
}

/// `contentBlockStart`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BlockStart {
    #[serde(default)]
    pub(crate) content_block_index: u32,
    #[serde(default)]
    pub(crate) start: Option<StartMember>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartMember {
    #[serde(default)]
    pub(crate) tool_use: Option<ToolUseStart>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ToolUseStart {
    pub(crate) tool_use_id: String,
    pub(crate) name: String,
}

/// `contentBlockDelta`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BlockDelta {
    #[serde(default)]
    pub(crate) content_block_index: u32,
    #[serde(default)]
    pub(crate) delta: DeltaMember,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeltaMember {
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) tool_use: Option<ToolUseDelta>,
    #[serde(default)]
    pub(crate) reasoning_content: Option<ReasoningDelta>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ToolUseDelta {
    #[serde(default)]
    pub(crate) input: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReasoningDelta {
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) signature: Option<String>,
    #[serde(default)]
    pub(crate) redacted_content: Option<String>,
}

/// `messageStop`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageStop {
    #[serde(default)]
    pub(crate) stop_reason: Option<String>,
    #[serde(default)]
    pub(crate) additional_model_response_fields: Option<Value>,
}

/// `metadata` (after `messageStop`).
#[derive(Debug, Deserialize)]
pub(crate) struct Metadata {
    #[serde(default)]
    pub(crate) usage: Option<WireUsage>,
    #[serde(default)]
    pub(crate) metrics: Option<Value>,
}

/// Titan text embeddings: `{embedding, inputTextTokenCount}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TitanEmbedding {
    pub(crate) embedding: Vec<f32>,
    #[serde(default)]
    pub(crate) input_text_token_count: Option<u64>,
}

/// Cohere embed on Bedrock: `embeddings` is a list of vectors (`response_type:
/// embeddings_floats`) or an object by type (`embeddings_by_type`).
#[derive(Debug, Deserialize)]
pub(crate) struct CohereEmbeddings {
    #[serde(default)]
    pub(crate) id: Option<String>,
    pub(crate) embeddings: CohereVectors,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum CohereVectors {
    Floats(Vec<Vec<f32>>),
    ByType { float: Vec<Vec<f32>> },
}
