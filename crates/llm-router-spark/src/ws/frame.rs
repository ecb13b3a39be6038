//! The JSON frames of the WebSocket API: the one request frame, and response frames → chunks.

use llm_router_core::{
    ChatChunk, ChatRequest, ChunkChoice, Content, ContentPart, Delta, Error, ErrorKind,
    FinishReason, FunctionCallDelta, Role, ToolCallDelta, ToolChoice, ToolType, Usage,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::PROVIDER;
use crate::codes::business_error;

/// Longest `header.uid` Spark accepts.
const MAX_UID_CHARS: usize = 32;

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("Spark's WebSocket API does not support {what}; use the HTTP client (llm_router_spark::http)"),
    )
    .with_provider(PROVIDER)
}

/// The request frame: `header` (app_id, uid), `parameter.chat` (domain, temperature,
/// max_tokens, plus `top_k`, `chat_id` and any other key of [`ChatRequest::extra`]), and
/// `payload.message.text` (the whole history, system included) with `payload.functions`.
pub(crate) fn request_frame(app_id: &str, domain: &str, req: &ChatRequest) -> Result<Value, Error> {
    if req.n.is_some_and(|n| n > 1) {
        return Err(unsupported("several choices (n > 1)"));
    }
    if req.response_format.is_some() {
        return Err(unsupported("response_format"));
    }
    let mut text = Vec::with_capacity(req.messages.len());
    for m in &req.messages {
        let role = match &m.role {
            Role::System | Role::Developer => "system",
            Role::User => "user",
            Role::Assistant if m.tool_calls.is_empty() => "assistant",
            Role::Assistant | Role::Tool => {
                return Err(unsupported("tool calls or tool results in the history"));
            }
            other => {
                return Err(unsupported(&format!(
                    "the message role {:?}",
                    other.as_str()
                )));
            }
        };
        if let Some(Content::Parts(parts)) = &m.content
            && parts.iter().any(|p| !matches!(p, ContentPart::Text { .. }))
        {
            return Err(unsupported("image or other non-text content"));
        }
        text.push(json!({"role": role, "content": m.text()}));
    }

    let mut chat = Map::new();
    chat.insert("domain".into(), domain.into());
    if let Some(t) = req.temperature {
        chat.insert("temperature".into(), t.into());
    }
    if let Some(n) = req.output_token_limit() {
        chat.insert("max_tokens".into(), n.into());
    }
    for (k, v) in &req.extra {
        chat.insert(k.clone(), v.clone());
    }

    let mut header = Map::new();
    header.insert("app_id".into(), app_id.into());
    if let Some(uid) = &req.user {
        if uid.chars().count() > MAX_UID_CHARS {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("Spark's uid (the request's `user`) is at most {MAX_UID_CHARS} characters"),
            )
            .with_provider(PROVIDER));
        }
        header.insert("uid".into(), uid.as_str().into());
    }

    let mut payload = json!({"message": {"text": text}});
    let offer_tools = match &req.tool_choice {
        None | Some(ToolChoice::Auto) => !req.tools.is_empty(),
        Some(ToolChoice::None) => false,
        Some(_) => return Err(unsupported("forcing a tool call (tool_choice)")),
    };
    if offer_tools {
        let functions: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let f = &t.function;
                json!({"name": f.name, "description": f.description.clone().unwrap_or_default(),
                       "parameters": f.parameters_or_empty()})
            })
            .collect();
        payload["functions"] = json!({"text": functions});
    }

    Ok(json!({"header": header, "parameter": {"chat": chat}, "payload": payload}))
}

/// One response frame.
#[derive(Debug, Deserialize)]
pub(crate) struct Frame {
    pub(crate) header: Header,
    #[serde(default)]
    pub(crate) payload: Option<Payload>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    #[serde(default)]
    pub(crate) code: i64,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) sid: String,
    #[serde(default)]
    pub(crate) status: Option<u8>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Payload {
    #[serde(default)]
    pub(crate) choices: Option<Choices>,
    #[serde(default)]
    pub(crate) usage: Option<UsageBlock>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Choices {
    #[serde(default)]
    pub(crate) status: Option<u8>,
    #[serde(default)]
    pub(crate) text: Vec<TextItem>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TextItem {
    #[serde(default)]
    pub(crate) content: String,
    #[serde(default)]
    pub(crate) reasoning_content: Option<String>,
    #[serde(default)]
    pub(crate) index: u32,
    #[serde(default)]
    pub(crate) function_call: Option<FunctionCallItem>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FunctionCallItem {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) arguments: Value,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UsageBlock {
    pub(crate) text: SparkUsage,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SparkUsage {
    #[serde(default)]
    question_tokens: Option<u64>,
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    total_tokens: u64,
}

impl From<SparkUsage> for Usage {
    fn from(u: SparkUsage) -> Self {
        let mut usage = Usage::new(u.prompt_tokens, u.completion_tokens);
        if u.total_tokens > 0 {
            usage.total_tokens = u.total_tokens;
        }
        if let Some(q) = u.question_tokens {
            usage.extra.insert("question_tokens".into(), q.into());
        }
        usage
    }
}

impl Frame {
    /// Parses a text frame.
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text)
            .map_err(|e| llm_router_http::decode_error(PROVIDER, &e, text.as_bytes()))
    }

    /// The frame's error, when `header.code` is not 0.
    pub(crate) fn error(&self) -> Option<Error> {
        (self.header.code != 0).then(|| {
            business_error(
                self.header.code,
                &self.header.message,
                Some(&self.header.sid),
            )
        })
    }

    /// Status 2: the last frame (the server closes the socket after it).
    pub(crate) fn is_last(&self) -> bool {
        self.header.status == Some(2)
            || self
                .payload
                .as_ref()
                .and_then(|p| p.choices.as_ref())
                .is_some_and(|c| c.status == Some(2))
    }
}

/// What the chunk conversion remembers between frames.
#[derive(Debug)]
pub(crate) struct ChunkState {
    pub(crate) model: String,
    pub(crate) created: u64,
    first: bool,
    called_function: bool,
}

impl ChunkState {
    pub(crate) fn new(model: String, created: u64) -> Self {
        Self {
            model,
            created,
            first: true,
            called_function: false,
        }
    }

    /// A successful frame as a chunk: incremental content, a `function_call` as a complete
    /// tool-call delta, and on the last frame the finish reason (`tool_calls` after a
    /// function call, else `stop`) and usage.
    pub(crate) fn chunk(&mut self, frame: Frame) -> ChatChunk {
        let last = frame.is_last();
        let sid = frame.header.sid;
        let payload = frame.payload;
        let items = payload
            .as_ref()
            .and_then(|p| p.choices.as_ref())
            .map(|c| c.text.as_slice())
            .unwrap_or_default();
        let mut choices: Vec<ChunkChoice> = Vec::with_capacity(items.len().max(1));
        for item in items {
            let mut delta = Delta {
                content: Some(item.content.clone()),
                reasoning_content: item.reasoning_content.clone().filter(|r| !r.is_empty()),
                ..Delta::default()
            };
            if let Some(f) = &item.function_call {
                self.called_function = true;
                let arguments = match &f.arguments {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                delta.tool_calls.push(ToolCallDelta {
                    index: 0,
                    id: Some(format!("call_{sid}")),
                    kind: Some(ToolType::Function),
                    function: Some(FunctionCallDelta {
                        name: Some(f.name.clone()),
                        arguments: Some(arguments),
                    }),
                });
            }
            choices.push(ChunkChoice {
                index: item.index,
                delta,
                ..ChunkChoice::default()
            });
        }
        if self.first {
            if choices.is_empty() {
                choices.push(ChunkChoice::default());
            }
            for c in &mut choices {
                c.delta.role = Some(Role::Assistant);
            }
            self.first = false;
        }
        if last {
            if choices.is_empty() {
                choices.push(ChunkChoice::default());
            }
            let reason = if self.called_function {
                FinishReason::ToolCalls
            } else {
                FinishReason::Stop
            };
            for c in &mut choices {
                c.finish_reason = Some(reason.clone());
            }
        }
        let usage = payload.and_then(|p| p.usage).map(|u| Usage::from(u.text));
        ChatChunk {
            id: sid,
            model: self.model.clone(),
            created: self.created,
            choices,
            usage,
            ..ChatChunk::default()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use llm_router_core::{Message, ToolDefinition};

    #[test]
    fn the_request_frame() {
        let mut req = ChatRequest::new(
            "generalv3.5",
            vec![
                Message::system("你现在扮演李白"),
                Message::user("你是谁"),
                Message::assistant("我是李白"),
                Message::user("你会做什么"),
            ],
        )
        .with_temperature(0.5)
        .with_max_tokens(1024)
        .with_extra("top_k", 4);
        req.user = Some("12345".into());
        let v = request_frame("app1", "generalv3.5", &req).unwrap();
        assert_eq!(
            v,
            json!({
                "header": {"app_id": "app1", "uid": "12345"},
                "parameter": {"chat": {"domain": "generalv3.5", "temperature": 0.5, "max_tokens": 1024, "top_k": 4}},
                "payload": {"message": {"text": [
                    {"role": "system", "content": "你现在扮演李白"},
                    {"role": "user", "content": "你是谁"},
                    {"role": "assistant", "content": "我是李白"},
                    {"role": "user", "content": "你会做什么"}
                ]}}
            })
        );
    }

    #[test]
    fn functions_and_refusals() {
        let tool = ToolDefinition::function(
            "weather",
            "天气查询",
            json!({"type": "object", "properties": {"location": {"type": "string"}}}),
        );
        let req = ChatRequest::new("generalv3.5", vec![Message::user("合肥天气")])
            .with_tools([tool.clone()]);
        let v = request_frame("a", "generalv3.5", &req).unwrap();
        assert_eq!(
            v["payload"]["functions"],
            json!({"text": [{"name": "weather", "description": "天气查询", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}]})
        );
        let none = req.clone().with_tool_choice(ToolChoice::None);
        assert!(
            request_frame("a", "d", &none).unwrap()["payload"]
                .get("functions")
                .is_none()
        );
        let forced = req.with_tool_choice(ToolChoice::Required);
        assert_eq!(
            request_frame("a", "d", &forced).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let tool_result = ChatRequest::new("lite", vec![Message::tool("call_1", "{}")]);
        assert_eq!(
            request_frame("a", "d", &tool_result).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let mut long_uid = ChatRequest::new("lite", vec![Message::user("hi")]);
        long_uid.user = Some("x".repeat(33));
        assert_eq!(
            request_frame("a", "d", &long_uid).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
    }

    #[test]
    fn frames_to_chunks() {
        let mut st = ChunkState::new("lite".into(), 7);
        let first = Frame::parse(r#"{"header":{"code":0,"message":"Success","sid":"cht1","status":0},"payload":{"choices":{"status":0,"seq":0,"text":[{"content":"你好","role":"assistant","index":0}]}}}"#).unwrap();
        assert!(first.error().is_none() && !first.is_last());
        let c = st.chunk(first);
        assert_eq!(c.text(), Some("你好"));
        assert_eq!(c.id, "cht1");
        assert_eq!(c.choices[0].delta.role, Some(Role::Assistant));
        let last = Frame::parse(r#"{"header":{"code":0,"message":"Success","sid":"cht1","status":2},"payload":{"choices":{"status":2,"seq":1,"text":[{"content":"","role":"assistant","index":0,"function_call":{"arguments":"{\"location\":\"合肥\"}","name":"weather"}}]},"usage":{"text":{"question_tokens":4,"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}}}"#).unwrap();
        assert!(last.is_last());
        let c = st.chunk(last);
        assert_eq!(c.choices[0].delta.role, None);
        assert_eq!(c.finish_reason(), Some(&FinishReason::ToolCalls));
        let call = &c.choices[0].delta.tool_calls[0];
        assert_eq!(
            call.function.as_ref().unwrap().arguments.as_deref(),
            Some("{\"location\":\"合肥\"}")
        );
        let u = c.usage.unwrap();
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (5, 9, 14)
        );
        assert_eq!(u.extra["question_tokens"], 4);
        let err = Frame::parse(
            r#"{"header":{"code":10013,"message":"input moderation","sid":"cht2","status":2}}"#,
        )
        .unwrap();
        assert_eq!(err.error().unwrap().kind(), ErrorKind::ContentFiltered);
    }
}
