//! Ollama's native JSON, as documented in `docs/api.md` and declared in `api/types.go`.
//!
//! Tolerant on the way in: unknown fields are kept in `extra` maps, missing ones default (the
//! final line of a stream may carry no `message`; responses send `"images": null`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `POST /api/chat` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct ChatRequest {
    pub(crate) model: String,
    pub(crate) messages: Vec<Message>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) tools: Vec<Tool>,
    pub(crate) stream: bool,
    /// `"json"` or a JSON Schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) format: Option<Value>,
    /// Sampling and runner options (`temperature`, `num_predict`, `top_k`, …).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub(crate) options: Map<String, Value>,
    /// `true`/`false` or a level (`"low"`, `"medium"`, `"high"`, `"max"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) think: Option<Value>,
    /// Other top-level fields passed through (`keep_alive`, `truncate`, `shift`, `logprobs`, …).
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A chat message (`api.Message`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Message {
    #[serde(default)]
    pub(crate) role: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) content: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub(crate) thinking: Option<String>,
    /// Raw base64, no `data:` prefix.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub(crate) images: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub(crate) tool_calls: Vec<ToolCall>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub(crate) tool_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub(crate) tool_call_id: Option<String>,
}

/// A tool call: `{"id"?, "function": {"index"?, "name", "arguments": {…}}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ToolCall {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_as_default"
    )]
    pub(crate) id: Option<String>,
    pub(crate) function: ToolCallFunction,
}

/// The function of a tool call; `arguments` is a JSON object (not a string as at OpenAI).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ToolCallFunction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<u32>,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) arguments: Value,
}

/// A tool offered to the model (OpenAI's shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Tool {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) function: ToolFunction,
}

/// A function tool's declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ToolFunction {
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    pub(crate) parameters: Value,
}

/// A `/api/chat` response object: the whole answer, or one NDJSON line of a stream.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct ChatResponse {
    #[serde(default)]
    pub(crate) model: String,
    #[serde(default)]
    pub(crate) created_at: String,
    #[serde(default)]
    pub(crate) message: Option<Message>,
    #[serde(default)]
    pub(crate) done: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) done_reason: Option<String>,
    #[serde(default)]
    pub(crate) prompt_eval_count: Option<u64>,
    #[serde(default)]
    pub(crate) eval_count: Option<u64>,
    /// `total_duration`, `load_duration`, `prompt_eval_duration`, `eval_duration` (ns),
    /// `logprobs`, `remote_model`, …
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `POST /api/embed` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EmbedRequest {
    pub(crate) model: String,
    /// A string or a list of strings.
    pub(crate) input: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dimensions: Option<u32>,
    /// `truncate`, `keep_alive`, `options`, passed through.
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `/api/embed` response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct EmbedResponse {
    #[serde(default)]
    pub(crate) model: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) embeddings: Vec<Vec<f32>>,
    #[serde(default)]
    pub(crate) prompt_eval_count: Option<u64>,
}

/// `GET /api/tags` response.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct TagsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) models: Vec<Map<String, Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn response_shapes_are_read_tolerantly() {
        let r: ChatResponse = serde_json::from_value(json!({
            "model": "llava", "created_at": "2023-12-13T22:42:50.203334Z",
            "message": {"role": "assistant", "content": "a pig", "images": null},
            "done": true, "eval_count": 83, "future_field": 1
        }))
        .unwrap();
        assert_eq!(r.message.unwrap().content, "a pig");
        assert_eq!(r.extra["future_field"], 1);
        // The last line of a streamed chat may have no message at all.
        let r: ChatResponse =
            serde_json::from_value(json!({"model": "m", "done": true, "done_reason": null}))
                .unwrap();
        assert!(r.message.is_none() && r.done && r.done_reason.is_none());
    }

    #[test]
    fn tool_call_arguments_stay_an_object() {
        let m = Message {
            role: "assistant".into(),
            tool_calls: vec![ToolCall {
                id: None,
                function: ToolCallFunction {
                    index: None,
                    name: "f".into(),
                    arguments: json!({"a": 1}),
                },
            }],
            ..Message::default()
        };
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]})
        );
    }
}
