//! Gemini's wire types (Generative Language API v1beta), as documented at
//! <https://ai.google.dev/api/generate-content> and <https://ai.google.dev/api/embeddings>.
//!
//! Field names are camelCase as on the wire. Decoding is tolerant: unknown fields are ignored
//! (or kept in `extra` where they must survive), enum-like values (`finishReason`, `role`,
//! `blockReason`) are plain strings so a new value is never a decode error, and `null` reads as
//! absent.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// `null` or a missing field reads as the type's default (empty list).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `Content`: a role and its parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Content {
    /// `user` or `model` (absent in `systemInstruction`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) role: Option<String>,
    /// The parts.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) parts: Vec<Part>,
}

/// `Part`: exactly one of text, inline data, file data, function call or function response
/// (plus the `thought` flag and the opaque `thoughtSignature`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Part {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) inline_data: Option<Blob>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) file_data: Option<FileData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) function_call: Option<FunctionCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) function_response: Option<FunctionResponse>,
    /// The part is the model's thought (summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thought: Option<bool>,
    /// Opaque signature that must be sent back unchanged on the next turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) thought_signature: Option<String>,
    /// Other part kinds (`executableCode`, `codeExecutionResult`, …), kept as sent.
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

impl Part {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }
}

/// `Blob`: base64 bytes and their MIME type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Blob {
    pub(crate) mime_type: String,
    pub(crate) data: String,
}

/// `FileData`: a File API or Cloud Storage URI.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mime_type: Option<String>,
    pub(crate) file_uri: String,
}

/// `FunctionCall`: arguments are a JSON object, and the id is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FunctionCall {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) args: Option<Value>,
}

/// `FunctionResponse`: `response` must be a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FunctionResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) response: Value,
}

/// `Tool` with function declarations.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tool {
    pub(crate) function_declarations: Vec<FunctionDeclaration>,
}

/// `FunctionDeclaration`, parameters as full JSON Schema (`parametersJsonSchema`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionDeclaration {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) parameters_json_schema: Option<Value>,
}

/// `ToolConfig`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ToolConfig {
    pub(crate) function_calling_config: FunctionCallingConfig,
}

/// `FunctionCallingConfig`: mode `AUTO` | `ANY` | `NONE` | `VALIDATED`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FunctionCallingConfig {
    pub(crate) mode: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) allowed_function_names: Vec<String>,
}

/// `ThinkingConfig`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThinkingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) include_thoughts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_budget: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_level: Option<String>,
}

/// `GenerationConfig` (the fields llm-router maps; others come through `extra`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerationConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) top_k: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) candidate_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) stop_sequences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) presence_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) frequency_penalty: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response_mime_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response_json_schema: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) thinking_config: Option<ThinkingConfig>,
}

impl GenerationConfig {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `GenerateContentRequest` (before the `extra` passthrough is merged in).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerateContentRequest {
    pub(crate) contents: Vec<Content>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) system_instruction: Option<Content>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) tools: Vec<Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tool_config: Option<ToolConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) generation_config: Option<GenerationConfig>,
}

/// `GenerateContentResponse` (also each SSE event of `streamGenerateContent?alt=sse`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GenerateContentResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) candidates: Vec<Candidate>,
    #[serde(default)]
    pub(crate) prompt_feedback: Option<PromptFeedback>,
    #[serde(default)]
    pub(crate) usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    pub(crate) model_version: Option<String>,
    #[serde(default)]
    pub(crate) response_id: Option<String>,
}

/// `Candidate`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Candidate {
    #[serde(default)]
    pub(crate) content: Option<Content>,
    /// `STOP`, `MAX_TOKENS`, `SAFETY`, … kept as the raw string.
    #[serde(default)]
    pub(crate) finish_reason: Option<String>,
    #[serde(default)]
    pub(crate) index: Option<u32>,
}

/// `PromptFeedback`: set when the prompt itself was blocked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PromptFeedback {
    #[serde(default)]
    pub(crate) block_reason: Option<String>,
}

/// `UsageMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    #[serde(default)]
    pub(crate) prompt_token_count: Option<u64>,
    #[serde(default)]
    pub(crate) candidates_token_count: Option<u64>,
    #[serde(default)]
    pub(crate) total_token_count: Option<u64>,
    #[serde(default)]
    pub(crate) thoughts_token_count: Option<u64>,
    #[serde(default)]
    pub(crate) cached_content_token_count: Option<u64>,
    #[serde(default)]
    pub(crate) tool_use_prompt_token_count: Option<u64>,
}

/// `EmbedContentRequest` (`model` is set only inside `batchEmbedContents`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmbedContentRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) model: Option<String>,
    pub(crate) content: Content,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) task_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) output_dimensionality: Option<u32>,
}

/// `BatchEmbedContentsRequest`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BatchEmbedContentsRequest {
    pub(crate) requests: Vec<EmbedContentRequest>,
}

/// `ContentEmbedding`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct ContentEmbedding {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) values: Vec<f32>,
}

/// `EmbedContentResponse`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct EmbedContentResponse {
    pub(crate) embedding: ContentEmbedding,
}

/// `BatchEmbedContentsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct BatchEmbedContentsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) embeddings: Vec<ContentEmbedding>,
}

/// `ListModelsResponse` (only what the model list needs).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListModelsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) models: Vec<ModelEntry>,
    #[serde(default)]
    pub(crate) next_page_token: Option<String>,
}

/// One `Model` of the list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ModelEntry {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) display_name: Option<String>,
    #[serde(default)]
    pub(crate) input_token_limit: Option<u64>,
    #[serde(default)]
    pub(crate) output_token_limit: Option<u64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) supported_generation_methods: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_and_nulls_are_tolerated() {
        let r: GenerateContentResponse = serde_json::from_value(json!({
            "candidates": [{"content": {"role": "model", "parts": null}, "finishReason": "NEW_REASON", "somethingNew": 1}],
            "usageMetadata": {"promptTokenCount": 1, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1}]},
            "modelStatus": {"x": 1}
        }))
        .unwrap();
        assert_eq!(r.candidates[0].finish_reason.as_deref(), Some("NEW_REASON"));
        assert!(r.candidates[0].content.as_ref().unwrap().parts.is_empty());
        let p: Part =
            serde_json::from_value(json!({"executableCode": {"language": "PYTHON", "code": "1"}}))
                .unwrap();
        assert!(p.extra.contains_key("executableCode"));
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"executableCode": {"language": "PYTHON", "code": "1"}})
        );
    }
}
