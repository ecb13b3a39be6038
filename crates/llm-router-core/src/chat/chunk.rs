//! Stream chunks: OpenAI's `chat.completion.chunk`, which every adapter produces, so the
//! gateway writes chunks out without translation.

use super::message::{ReasoningDetail, Role};
use super::response::FinishReason;
use super::tool::ToolType;
use super::usage::Usage;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn chunk_object() -> String {
    "chat.completion.chunk".to_owned()
}

/// One event of a chat stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatChunk {
    /// The completion's id (the same in every chunk).
    #[serde(default)]
    pub id: String,
    /// Always `chat.completion.chunk`.
    #[serde(default = "chunk_object")]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: u64,
    /// The model.
    #[serde(default)]
    pub model: String,
    /// Deltas per choice; empty in the final usage chunk.
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub choices: Vec<ChunkChoice>,
    /// Usage, on the last chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Backend configuration fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// The tier that served the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(ChatChunk, extra, {
    id: String = "id" => default,
    object: String = "object" => or(chunk_object),
    created: u64 = "created" => default,
    model: String = "model" => default,
    choices: Vec<ChunkChoice> = "choices" => null,
    usage: Option<Usage> = "usage" => default,
    system_fingerprint: Option<String> = "system_fingerprint" => default,
    service_tier: Option<String> = "service_tier" => default,
});

impl Default for ChatChunk {
    fn default() -> Self {
        Self {
            id: String::new(),
            object: chunk_object(),
            created: 0,
            model: String::new(),
            choices: Vec::new(),
            usage: None,
            system_fingerprint: None,
            service_tier: None,
            extra: Map::new(),
        }
    }
}

impl ChatChunk {
    /// A chunk carrying `text` for choice 0.
    pub fn text_delta(id: &str, model: &str, text: impl Into<String>) -> Self {
        Self {
            id: id.to_owned(),
            model: model.to_owned(),
            choices: vec![ChunkChoice {
                delta: Delta {
                    content: Some(text.into()),
                    ..Delta::default()
                },
                ..ChunkChoice::default()
            }],
            ..Self::default()
        }
    }

    /// The text of choice 0 in this chunk, if any.
    pub fn text(&self) -> Option<&str> {
        self.choices
            .first()
            .and_then(|c| c.delta.content.as_deref())
    }

    /// The finish reason of choice 0 in this chunk, if any.
    pub fn finish_reason(&self) -> Option<&FinishReason> {
        self.choices.first().and_then(|c| c.finish_reason.as_ref())
    }
}

/// The delta of one choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChunkChoice {
    /// Which choice.
    #[serde(default)]
    pub index: u32,
    /// What is new.
    #[serde(default)]
    pub delta: Delta,
    /// Set on the choice's last chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Log probabilities, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(ChunkChoice, extra, {
    index: u32 = "index" => default,
    delta: Delta = "delta" => default,
    finish_reason: Option<FinishReason> = "finish_reason" => default,
    logprobs: Option<Value> = "logprobs" => default,
});

/// New content of one choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Delta {
    /// Set on the first chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// New text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// New tool-call fragments, keyed by `index`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub tool_calls: Vec<ToolCallDelta>,
    /// New refusal text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// New reasoning text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// New or completed reasoning blocks (signatures arrive here).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub reasoning_details: Vec<ReasoningDetail>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(Delta, extra, {
    role: Option<Role> = "role" => default,
    content: Option<String> = "content" => default,
    tool_calls: Vec<ToolCallDelta> = "tool_calls" => null,
    refusal: Option<String> = "refusal" => default,
    reasoning_content: Option<String> = "reasoning_content" => default,
    reasoning_details: Vec<ReasoningDetail> = "reasoning_details" => null,
});

/// A fragment of a tool call. The first fragment of a call has `id` and the name; later ones
/// append to `arguments`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    /// Which call this fragment belongs to.
    #[serde(default)]
    pub index: u32,
    /// The call's id (first fragment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `function` (first fragment).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ToolType>,
    /// Name and argument text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionCallDelta>,
}

/// The function part of a tool-call fragment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionCallDelta {
    /// The function's name (first fragment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Argument text to append.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}
