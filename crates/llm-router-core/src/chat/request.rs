//! The chat request: OpenAI's `CreateChatCompletionRequest`, field for field.

use super::message::Message;
use super::tool::{ResponseFormat, ToolChoice, ToolDefinition};
use crate::extensions::Extensions;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A chat completion request.
///
/// Fields mirror OpenAI's wire format, so JSON from any OpenAI client deserializes into it and
/// serializes back unchanged. Fields this version does not model land in [`extra`] and are
/// sent on to the provider (that is also how to pass a provider-specific body field).
/// [`extra_headers`] and [`extensions`] never appear in JSON.
///
/// [`extra`]: ChatRequest::extra
/// [`extra_headers`]: ChatRequest::extra_headers
/// [`extensions`]: ChatRequest::extensions
///
/// ```
/// use llm_router_core::{ChatRequest, Message};
/// let req = ChatRequest::new("gpt-4o-mini", vec![Message::user("Hi")])
///     .with_temperature(0.2)
///     .with_max_tokens(100)
///     .with_extra("top_k", 40);
/// let json = serde_json::to_value(&req).unwrap();
/// assert_eq!(json["top_k"], 40);
/// assert_eq!(json["max_tokens"], 100);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChatRequest {
    /// Model id. At the router: `"provider/model"` or an alias.
    pub model: String,
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// Sampling temperature (0–2 at OpenAI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Number of choices to generate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Whether the caller asked for a stream. Adapters set the wire flag themselves from the
    /// method called (`chat` or `chat_stream`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Stream options (`include_usage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// Up to 4 stop sequences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// Legacy output-token limit (most providers still read this one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Output-token limit including reasoning tokens (OpenAI's current field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    /// Penalty for tokens already present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    /// Penalty proportional to token frequency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// Token id → bias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logit_bias: Option<BTreeMap<String, f64>>,
    /// Return log probabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    /// How many top log probabilities per token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    /// Seed for best-effort determinism.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// Tools the model may call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDefinition>,
    /// How the model may choose tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Whether the model may call several tools in one turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Text, JSON object or JSON Schema output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Reasoning effort for reasoning models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// An end-user id for abuse monitoring (not part of cache keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Key/value tags stored with the completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Store the completion at the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<bool>,
    /// Processing tier (`auto`, `default`, `flex`, `priority`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Every other body field, sent to the provider as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// Extra HTTP headers for this request (never serialized). Each replaces a header of the
    /// same name that the provider's configuration sets (its default or configured headers,
    /// the key's header); the protocol's own `content-type` and `accept` stay the adapter's.
    #[serde(skip)]
    pub extra_headers: BTreeMap<String, String>,
    /// Out-of-band per-request values for layers (never serialized).
    #[serde(skip)]
    pub extensions: Extensions,
}

crate::serde_util::deserialize_keeping_extra!(ChatRequest, extra, {
    model: String = "model" => required,
    messages: Vec<Message> = "messages" => required,
    temperature: Option<f64> = "temperature" => default,
    top_p: Option<f64> = "top_p" => default,
    n: Option<u32> = "n" => default,
    stream: Option<bool> = "stream" => default,
    stream_options: Option<StreamOptions> = "stream_options" => default,
    stop: Option<Stop> = "stop" => default,
    max_tokens: Option<u32> = "max_tokens" => default,
    max_completion_tokens: Option<u32> = "max_completion_tokens" => default,
    presence_penalty: Option<f64> = "presence_penalty" => default,
    frequency_penalty: Option<f64> = "frequency_penalty" => default,
    logit_bias: Option<BTreeMap<String, f64>> = "logit_bias" => default,
    logprobs: Option<bool> = "logprobs" => default,
    top_logprobs: Option<u32> = "top_logprobs" => default,
    seed: Option<i64> = "seed" => default,
    tools: Vec<ToolDefinition> = "tools" => default,
    tool_choice: Option<ToolChoice> = "tool_choice" => default,
    parallel_tool_calls: Option<bool> = "parallel_tool_calls" => default,
    response_format: Option<ResponseFormat> = "response_format" => default,
    reasoning_effort: Option<ReasoningEffort> = "reasoning_effort" => default,
    user: Option<String> = "user" => default,
    metadata: Option<BTreeMap<String, String>> = "metadata" => default,
    store: Option<bool> = "store" => default,
    service_tier: Option<String> = "service_tier" => default,
} skip { extra_headers, extensions });

impl ChatRequest {
    /// A request for `model` with `messages`.
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        Self {
            model: model.into(),
            messages,
            ..Self::default()
        }
    }

    /// Sets the temperature.
    pub fn with_temperature(mut self, t: f64) -> Self {
        self.temperature = Some(t);
        self
    }

    /// Sets `max_tokens`.
    pub fn with_max_tokens(mut self, n: u32) -> Self {
        self.max_tokens = Some(n);
        self
    }

    /// Adds tools.
    pub fn with_tools(mut self, tools: impl IntoIterator<Item = ToolDefinition>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Sets the tool choice.
    pub fn with_tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    /// Sets the response format.
    pub fn with_response_format(mut self, f: ResponseFormat) -> Self {
        self.response_format = Some(f);
        self
    }

    /// Adds a provider-specific body field.
    pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// Adds an HTTP header for this request (see [`ChatRequest::extra_headers`]).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.insert(name.into(), value.into());
        self
    }

    /// The effective output-token limit: `max_completion_tokens`, else `max_tokens`.
    pub fn output_token_limit(&self) -> Option<u32> {
        self.max_completion_tokens.or(self.max_tokens)
    }

    /// Whether the caller asked for usage in the stream (`stream_options.include_usage`).
    pub fn wants_stream_usage(&self) -> bool {
        self.stream_options
            .as_ref()
            .and_then(|o| o.include_usage)
            .unwrap_or(false)
    }
}

/// `stream_options`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StreamOptions {
    /// Send a final chunk with usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_usage: Option<bool>,
    /// Other fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

crate::serde_util::deserialize_keeping_extra!(StreamOptions, extra, {
    include_usage: Option<bool> = "include_usage" => default,
});

/// Stop sequences: a string or a list, kept in the form given.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// `"stop": "\n"`
    One(String),
    /// `"stop": ["\n", "END"]`
    Many(Vec<String>),
}

impl Stop {
    /// The sequences as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Stop::One(s) => vec![s.clone()],
            Stop::Many(v) => v.clone(),
        }
    }
}

impl Serialize for Stop {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Stop::One(x) => s.serialize_str(x),
            Stop::Many(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Stop {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Stop::One(s)),
            v @ Value::Array(_) => serde_json::from_value(v)
                .map(Stop::Many)
                .map_err(de::Error::custom),
            _ => Err(de::Error::custom(
                "stop must be a string or an array of strings",
            )),
        }
    }
}

crate::open_enum! {
    /// Reasoning effort.
    pub enum ReasoningEffort {
        /// No reasoning.
        None = "none",
        /// Minimal reasoning.
        Minimal = "minimal",
        /// Low effort.
        Low = "low",
        /// Medium effort.
        Medium = "medium",
        /// High effort.
        High = "high",
        /// Highest effort.
        XHigh = "xhigh",
    }
}
