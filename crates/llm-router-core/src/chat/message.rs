//! Chat messages: one struct for every role, as OpenAI's wire format has it.
//!
//! A single struct (rather than an enum per role) keeps code that walks a conversation —
//! memory, caching, provider converters — free of five-way matches. Fields a role does not use
//! stay `None`/empty and are not written.

use super::content::Content;
use super::tool::ToolCall;
use serde::Serialize;
use serde_json::{Map, Value};

crate::open_enum! {
    /// Who wrote a message.
    #[derive(Default)]
    pub enum Role {
        /// Instructions from the application.
        System = "system",
        /// Instructions from the developer (OpenAI's name for `system` on reasoning models).
        Developer = "developer",
        /// The end user.
        #[default]
        User = "user",
        /// The model.
        Assistant = "assistant",
        /// A tool's result.
        Tool = "tool",
    }
}

/// One message of a conversation.
///
/// ```
/// use llm_router_core::{Message, Role};
/// let m = Message::user("Hello!");
/// assert_eq!(m.role, Role::User);
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"role":"user","content":"Hello!"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Text or parts. `None` for an assistant message that only calls tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// An optional participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tool calls made by the assistant.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub tool_calls: Vec<ToolCall>,
    /// For `role: tool`, the id of the call this message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// The assistant's refusal text, when it refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Reasoning text shown by reasoning models (DeepSeek's and OpenRouter's field name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Reasoning blocks with their signatures or encrypted data (OpenRouter's
    /// `reasoning_details` shape). Providers that require the reasoning to be sent back on the
    /// next turn (Anthropic thinking, Gemini thought signatures) read it from here.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::serde_util::null_as_default"
    )]
    pub reasoning_details: Vec<ReasoningDetail>,
    /// Fields this version does not model (`audio`, `annotations`, vendor extras), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(Message, extra, {
    role: Role = "role" => required,
    content: Option<Content> = "content" => default,
    name: Option<String> = "name" => default,
    tool_calls: Vec<ToolCall> = "tool_calls" => null,
    tool_call_id: Option<String> = "tool_call_id" => default,
    refusal: Option<String> = "refusal" => default,
    reasoning_content: Option<String> = "reasoning_content" => default,
    reasoning_details: Vec<ReasoningDetail> = "reasoning_details" => null,
});

impl Message {
    /// A message with `role` and text content.
    pub fn new(role: Role, content: impl Into<Content>) -> Self {
        Self {
            role,
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// A system message.
    pub fn system(content: impl Into<Content>) -> Self {
        Self::new(Role::System, content)
    }

    /// A developer message.
    pub fn developer(content: impl Into<Content>) -> Self {
        Self::new(Role::Developer, content)
    }

    /// A user message.
    pub fn user(content: impl Into<Content>) -> Self {
        Self::new(Role::User, content)
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<Content>) -> Self {
        Self::new(Role::Assistant, content)
    }

    /// An assistant message that calls tools.
    pub fn assistant_tool_calls(tool_calls: Vec<ToolCall>) -> Self {
        Self {
            role: Role::Assistant,
            tool_calls,
            ..Self::default()
        }
    }

    /// A tool result answering the call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<Content>) -> Self {
        Self {
            role: Role::Tool,
            content: Some(content.into()),
            tool_call_id: Some(tool_call_id.into()),
            ..Self::default()
        }
    }

    /// The message's text (parts joined), or `""`.
    pub fn text(&self) -> String {
        self.content.as_ref().map(Content::text).unwrap_or_default()
    }
}

crate::open_enum! {
    /// The kind of a reasoning block.
    pub enum ReasoningKind {
        /// Readable reasoning text, possibly with a signature.
        Text = "reasoning.text",
        /// A summary of hidden reasoning.
        Summary = "reasoning.summary",
        /// Reasoning the provider returns only encrypted (Anthropic `redacted_thinking`).
        Encrypted = "reasoning.encrypted",
    }
}

/// One block of model reasoning, kept so it can be sent back on the next turn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasoningDetail {
    /// The block's kind.
    #[serde(rename = "type")]
    pub kind: ReasoningKind,
    /// Reasoning text (`reasoning.text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Summary text (`reasoning.summary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Opaque data (`reasoning.encrypted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The provider's signature over the block; must be returned unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Which provider format the block came from (`anthropic-claude-v1`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Position in the message, for streamed blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(ReasoningDetail, extra, {
    kind: ReasoningKind = "type" => required,
    text: Option<String> = "text" => default,
    summary: Option<String> = "summary" => default,
    data: Option<String> = "data" => default,
    signature: Option<String> = "signature" => default,
    format: Option<String> = "format" => default,
    index: Option<u32> = "index" => default,
});

impl ReasoningDetail {
    /// A readable reasoning block with an optional signature.
    pub fn text(text: impl Into<String>, signature: Option<String>) -> Self {
        Self {
            kind: ReasoningKind::Text,
            text: Some(text.into()),
            summary: None,
            data: None,
            signature,
            format: None,
            index: None,
            extra: Map::new(),
        }
    }

    /// An encrypted reasoning block.
    pub fn encrypted(data: impl Into<String>) -> Self {
        Self {
            kind: ReasoningKind::Encrypted,
            data: Some(data.into()),
            ..Self::text("", None)
        }
        .without_text()
    }

    fn without_text(mut self) -> Self {
        self.text = None;
        self
    }
}
