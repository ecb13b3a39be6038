//! Anthropic's Messages API on the wire: the request body, the `Message` response and the
//! stream events, field for field as documented (API reference "Messages", "Streaming
//! Messages"; anthropic-sdk-python `types/`).
//!
//! Tolerant on the way in: unknown fields are ignored, unknown block, delta and event types
//! are kept as `Other` (with their JSON where it can matter), unknown stop reasons as
//! `StopReason::Other`. Strict on the way out: optional fields are left out, never `null`.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body of `POST /v1/messages` (before `extra` fields are merged in).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MessagesRequest {
    pub model: String,
    pub messages: Vec<InputMessage>,
    pub max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<System>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
}

/// The top-level system prompt: a string, or text blocks (needed for `cache_control`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum System {
    Text(String),
    Blocks(Vec<RequestBlock>),
}

/// One input message. Roles are `user` and `assistant` only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InputMessage {
    pub role: &'static str,
    pub content: MessageContent,
}

/// A message's content: a string (shorthand for one text block) or blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum MessageContent {
    Text(String),
    Blocks(Vec<RequestBlock>),
}

/// An input content block.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum RequestBlock {
    Text {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    Image {
        source: MediaSource,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    /// A PDF (from an OpenAI `file` part).
    Document {
        source: MediaSource,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        context: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        citations: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<MessageContent>,
        #[serde(skip_serializing_if = "Option::is_none")]
        is_error: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    Thinking {
        thinking: String,
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
    /// A block given in Anthropic's own shape (a `document`, a server tool result, …), sent
    /// as is.
    #[serde(untagged)]
    Raw(Map<String, Value>),
}

impl RequestBlock {
    /// Sets `cache_control` on blocks that take one; `false` for blocks that do not.
    pub(crate) fn set_cache_control(&mut self, cc: Value) -> bool {
        match self {
            RequestBlock::Text { cache_control, .. }
            | RequestBlock::Image { cache_control, .. }
            | RequestBlock::Document { cache_control, .. }
            | RequestBlock::ToolUse { cache_control, .. }
            | RequestBlock::ToolResult { cache_control, .. } => {
                *cache_control = Some(cc);
                true
            }
            RequestBlock::Raw(map) => {
                map.insert("cache_control".into(), cc);
                true
            }
            RequestBlock::Thinking { .. } | RequestBlock::RedactedThinking { .. } => false,
        }
    }
}

/// Where an image or a document comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum MediaSource {
    Base64 { media_type: String, data: String },
    Url { url: String },
}

/// A client tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Tool {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub input_schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<Value>,
}

/// How the model may use tools.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ToolChoice {
    Auto {
        #[serde(skip_serializing_if = "Option::is_none")]
        disable_parallel_tool_use: Option<bool>,
    },
    Any {
        #[serde(skip_serializing_if = "Option::is_none")]
        disable_parallel_tool_use: Option<bool>,
    },
    Tool {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        disable_parallel_tool_use: Option<bool>,
    },
    None {},
    /// A choice given in Anthropic's own shape, sent as is.
    #[serde(untagged)]
    Raw(Value),
}

/// `metadata`: only `user_id` is defined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Metadata {
    pub user_id: String,
}

/// `output_config` (structured outputs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OutputConfig {
    pub format: OutputFormat,
}

/// `output_config.format`: `{"type": "json_schema", "schema": …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OutputFormat {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema: Value,
}

llm_router_core::open_enum! {
    /// Why the model stopped (`stop_reason`).
    pub(crate) enum StopReason {
        /// Natural end of the turn.
        EndTurn = "end_turn",
        /// `max_tokens` reached.
        MaxTokens = "max_tokens",
        /// A stop sequence was generated.
        StopSequence = "stop_sequence",
        /// The model called tools.
        ToolUse = "tool_use",
        /// A server tool paused a long turn; send the response back to continue.
        PauseTurn = "pause_turn",
        /// The model declined for safety reasons.
        Refusal = "refusal",
        /// The context window filled up.
        ModelContextWindowExceeded = "model_context_window_exceeded",
    }
}

/// The `Message` object (a whole response, or `message_start.message`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct MessageResponse {
    /// `message`, or `error` for an error object (which may come under a 200).
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub content: Vec<ResponseBlock>,
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    /// The stop sequence that was generated (with `stop_reason: stop_sequence`).
    #[serde(default)]
    pub stop_sequence: Option<String>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

/// Token usage. `message_start` carries the input counts, `message_delta` cumulative output
/// counts (and, since 2025, possibly the input and cache counts again).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct WireUsage {
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    #[serde(default)]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub service_tier: Option<String>,
}

/// An output content block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ResponseBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    Thinking {
        thinking: String,
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
    /// Server tool use and results, container uploads, anything newer: kept, not mapped.
    Other(Value),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KnownBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        #[serde(default)]
        id: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        input: Value,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
        #[serde(default)]
        signature: String,
    },
    RedactedThinking {
        #[serde(default)]
        data: String,
    },
}

impl<'de> Deserialize<'de> for ResponseBlock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let known = matches!(
            v.get("type").and_then(Value::as_str),
            Some("text" | "tool_use" | "thinking" | "redacted_thinking")
        );
        if !known {
            return Ok(ResponseBlock::Other(v));
        }
        Ok(
            match serde_json::from_value::<KnownBlock>(v).map_err(de::Error::custom)? {
                KnownBlock::Text { text } => ResponseBlock::Text { text },
                KnownBlock::ToolUse { id, name, input } => {
                    ResponseBlock::ToolUse { id, name, input }
                }
                KnownBlock::Thinking {
                    thinking,
                    signature,
                } => ResponseBlock::Thinking {
                    thinking,
                    signature,
                },
                KnownBlock::RedactedThinking { data } => ResponseBlock::RedactedThinking { data },
            },
        )
    }
}

/// A `content_block_delta`'s delta.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum BlockDelta {
    TextDelta {
        #[serde(default)]
        text: String,
    },
    InputJsonDelta {
        #[serde(default)]
        partial_json: String,
    },
    ThinkingDelta {
        #[serde(default)]
        thinking: String,
    },
    SignatureDelta {
        #[serde(default)]
        signature: String,
    },
    /// `citations_delta` and anything newer.
    #[serde(other)]
    Other,
}

/// `message_delta.delta`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct MessageDeltaBody {
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    /// The stop sequence that was generated (with `stop_reason: stop_sequence`).
    #[serde(default)]
    pub stop_sequence: Option<String>,
}

/// One stream event (the `data:` of an SSE event). `error` events are read separately, as
/// error bodies.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamEvent {
    MessageStart {
        message: MessageResponse,
    },
    ContentBlockStart {
        index: u32,
        content_block: ResponseBlock,
    },
    ContentBlockDelta {
        index: u32,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: u32,
    },
    MessageDelta {
        #[serde(default)]
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: Option<WireUsage>,
    },
    MessageStop,
    Ping,
    /// Event types this version does not know.
    #[serde(other)]
    Other,
}

/// `GET /v1/models` page.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ModelPage {
    #[serde(default)]
    pub data: Vec<Map<String, Value>>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub last_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_serialize_in_the_documented_shape() {
        let blocks = vec![
            RequestBlock::Text {
                text: "hi".into(),
                cache_control: Some(json!({"type": "ephemeral"})),
            },
            RequestBlock::Image {
                source: MediaSource::Url {
                    url: "https://x/y.png".into(),
                },
                cache_control: None,
            },
            RequestBlock::Raw(
                json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "d"}})
                    .as_object()
                    .cloned()
                    .unwrap(),
            ),
        ];
        assert_eq!(
            serde_json::to_value(&blocks).unwrap(),
            json!([
                {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
                {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "d"}}
            ])
        );
        assert_eq!(
            serde_json::to_value(ToolChoice::None {}).unwrap(),
            json!({"type": "none"})
        );
        assert_eq!(
            serde_json::to_value(ToolChoice::Raw(json!({"type": "auto"}))).unwrap(),
            json!({"type": "auto"})
        );
    }

    #[test]
    fn unknown_blocks_events_and_stop_reasons_are_kept_or_skipped() {
        let m: MessageResponse = serde_json::from_value(json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
            "content": [{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}],
            "stop_reason": "brand_new", "stop_sequence": null,
            "usage": {"input_tokens": 1, "output_tokens": 2, "cache_read_input_tokens": null}
        }))
        .unwrap();
        assert!(matches!(m.content[0], ResponseBlock::Other(_)));
        assert_eq!(m.stop_reason, Some(StopReason::Other("brand_new".into())));
        assert_eq!(m.usage.unwrap().cache_read_input_tokens, None);
        let e: StreamEvent = serde_json::from_value(json!({"type": "brand_new_event"})).unwrap();
        assert!(matches!(e, StreamEvent::Other));
        let e: StreamEvent = serde_json::from_value(json!({"type": "content_block_delta", "index": 0, "delta": {"type": "citations_delta", "citation": {}}})).unwrap();
        assert!(matches!(
            e,
            StreamEvent::ContentBlockDelta {
                delta: BlockDelta::Other,
                ..
            }
        ));
    }
}
