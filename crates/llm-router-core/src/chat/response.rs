//! The chat response: OpenAI's `chat.completion` object.

use super::message::Message;
use super::usage::Usage;
use serde::Serialize;
use serde_json::{Map, Value};

crate::open_enum! {
    /// Why the model stopped.
    pub enum FinishReason {
        /// Natural end or a stop sequence.
        Stop = "stop",
        /// The output-token limit was reached.
        Length = "length",
        /// The model called tools.
        ToolCalls = "tool_calls",
        /// The provider's safety system cut the answer.
        ContentFilter = "content_filter",
        /// Legacy `function_call`.
        FunctionCall = "function_call",
    }
}

pub(crate) fn chat_completion() -> String {
    "chat.completion".to_owned()
}

/// A complete chat response.
///
/// ```
/// use llm_router_core::ChatResponse;
/// let r: ChatResponse = serde_json::from_str(r#"{"id":"x","object":"chat.completion","created":1,
///   "model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},
///   "finish_reason":"stop"}]}"#).unwrap();
/// assert_eq!(r.text(), "Hi");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatResponse {
    /// The provider's id for the completion.
    #[serde(default)]
    pub id: String,
    /// Always `chat.completion`.
    #[serde(default = "chat_completion")]
    pub object: String,
    /// Unix seconds.
    #[serde(default)]
    pub created: u64,
    /// The model that answered (as the provider names it).
    #[serde(default)]
    pub model: String,
    /// The answers (one unless `n` > 1).
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    pub choices: Vec<Choice>,
    /// Token usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Backend configuration fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// The tier that served the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Other fields (vendor extras such as `citations`, `provider`), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(ChatResponse, extra, {
    id: String = "id" => default,
    object: String = "object" => or(chat_completion),
    created: u64 = "created" => default,
    model: String = "model" => default,
    choices: Vec<Choice> = "choices" => null,
    usage: Option<Usage> = "usage" => default,
    system_fingerprint: Option<String> = "system_fingerprint" => default,
    service_tier: Option<String> = "service_tier" => default,
});

impl Default for ChatResponse {
    fn default() -> Self {
        Self {
            id: String::new(),
            object: chat_completion(),
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

impl ChatResponse {
    /// The first choice's text, or `""`.
    pub fn text(&self) -> String {
        self.choices
            .first()
            .map(|c| c.message.text())
            .unwrap_or_default()
    }

    /// The first choice's message, if any.
    pub fn message(&self) -> Option<&Message> {
        self.choices.first().map(|c| &c.message)
    }

    /// The first choice's finish reason, if any.
    pub fn finish_reason(&self) -> Option<&FinishReason> {
        self.choices.first().and_then(|c| c.finish_reason.as_ref())
    }
}

/// One answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Choice {
    /// Position among the choices.
    #[serde(default)]
    pub index: u32,
    /// The assistant's message.
    #[serde(default)]
    pub message: Message,
    /// Why it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Log probabilities, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
    /// Other fields (`native_finish_reason`, `content_filter_results`, …), kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(Choice, extra, {
    index: u32 = "index" => default,
    message: Message = "message" => default,
    finish_reason: Option<FinishReason> = "finish_reason" => default,
    logprobs: Option<Value> = "logprobs" => default,
});
