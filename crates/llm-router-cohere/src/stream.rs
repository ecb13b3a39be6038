//! Cohere's v2 chat SSE events → canonical [`ChatChunk`]s: a pure function of a byte stream,
//! so tests can split a transcript at every byte offset. See [`chat_chunks`].

use std::collections::VecDeque;

use llm_router_core::{
    ChatChunk, ChatStream, ChunkChoice, Delta, Error, ErrorKind, FinishReason, FunctionCallDelta,
    Role, ToolCallDelta, ToolType,
};
use llm_router_http::{
    ByteStream, ChunkParser, EventFlow, SseEvent, decode_error, parse_chunks, sse_events,
};
use serde_json::Value;

use crate::NAME;
use crate::convert::{finish_reason, usage};
use crate::error::stream_error;
use crate::wire::StreamEvent;

struct State {
    id: String,
    tool_calls: u32,
    tool_plan: String,
    citations: Vec<Value>,
    pending: VecDeque<ChatChunk>,
}

/// Parses Cohere's `/v2/chat` stream from raw body bytes. Spawns nothing.
///
/// | event (`type` in the data) | chunk |
/// |---|---|
/// | `message-start` | `role: assistant` (id remembered) |
/// | `content-start` / `content-delta` | `content` (`text`) or `reasoning_content` (`thinking`) |
/// | `tool-plan-delta` | nothing yet: the plan is collected and sent whole as `extra.tool_plan` |
/// | `tool-call-start` | a tool-call fragment with id, `type: function`, name and arguments so far; the call index is the event's `index` |
/// | `tool-call-delta` | an `arguments` fragment |
/// | `citation-start` | nothing yet: citations are collected and sent as `extra.citations` |
/// | `message-end` | a chunk with the collected extras and `finish_reason`, then a usage chunk (`choices: []`); the clean end |
/// | `content-end`, `tool-call-end`, `citation-end`, `debug`, unknown | nothing |
///
/// A `message-end` with `delta.error` is an error. There is no `[DONE]` (one is tolerated): a
/// stream that ends before `message-end` ends with [`ErrorKind::StreamInterrupted`].
pub fn chat_chunks(bytes: ByteStream) -> ChatStream {
    let state = State {
        id: String::new(),
        tool_calls: 0,
        tool_plan: String::new(),
        citations: Vec::new(),
        pending: VecDeque::new(),
    };
    parse_chunks(sse_events(NAME, bytes), state)
}

impl ChunkParser for State {
    type Event = SseEvent;

    fn on_event(&mut self, ev: &SseEvent) -> Result<EventFlow, Error> {
        self.handle(ev)
    }

    fn queue(&mut self) -> &mut VecDeque<ChatChunk> {
        &mut self.pending
    }

    fn end(&mut self) -> Option<Error> {
        Some(
            Error::new(
                ErrorKind::StreamInterrupted,
                "the stream ended before message-end",
            )
            .with_provider(NAME),
        )
    }
}

impl State {
    fn chunk(&self, delta: Delta, finish_reason: Option<FinishReason>) -> ChatChunk {
        ChatChunk {
            id: self.id.clone(),
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason,
                ..ChunkChoice::default()
            }],
            ..ChatChunk::default()
        }
    }

    fn emit(&mut self, delta: Delta) {
        let c = self.chunk(delta, None);
        self.pending.push_back(c);
    }

    fn content(&mut self, text: Option<String>, thinking: Option<String>) {
        let text = text.filter(|t| !t.is_empty());
        let thinking = thinking.filter(|t| !t.is_empty());
        if text.is_some() || thinking.is_some() {
            self.emit(Delta {
                content: text,
                reasoning_content: thinking,
                ..Delta::default()
            });
        }
    }

    fn handle(&mut self, ev: &SseEvent) -> Result<EventFlow, Error> {
        let data = ev.data.trim();
        if data.is_empty() || data == "[DONE]" {
            return Ok(EventFlow::Continue);
        }
        // Fast path: an event with its `type` decodes straight into its type. One without it
        // (an error, or a proxy that dropped it) and bad JSON take the careful path.
        let e = match serde_json::from_str::<StreamEvent>(data) {
            Ok(e) if !e.kind.is_empty() && ev.event != "error" => e,
            _ => careful_event(ev, data)?,
        };
        let delta = e.delta.unwrap_or_default();
        let message = delta.message.unwrap_or_default();
        match e.kind.as_str() {
            "message-start" => {
                if let Some(id) = e.id {
                    self.id = id;
                }
                self.emit(Delta {
                    role: Some(Role::Assistant),
                    ..Delta::default()
                });
            }
            "content-start" | "content-delta" => {
                if let Some(c) = message.content {
                    self.content(c.text, c.thinking);
                }
            }
            "tool-plan-delta" => {
                if let Some(p) = message.tool_plan {
                    self.tool_plan.push_str(&p);
                }
            }
            "tool-call-start" => {
                let call = message.tool_calls.unwrap_or_default();
                let f = call.function.unwrap_or_default();
                let index = e.index.unwrap_or(self.tool_calls);
                self.tool_calls = self.tool_calls.max(index.saturating_add(1));
                self.emit(Delta {
                    tool_calls: vec![ToolCallDelta {
                        index,
                        id: call.id,
                        kind: Some(ToolType::Function),
                        function: Some(FunctionCallDelta {
                            name: f.name,
                            arguments: Some(f.arguments.unwrap_or_default()),
                        }),
                    }],
                    ..Delta::default()
                });
            }
            "tool-call-delta" => {
                let args = message
                    .tool_calls
                    .and_then(|c| c.function)
                    .and_then(|f| f.arguments)
                    .filter(|a| !a.is_empty());
                if let Some(args) = args {
                    let index = e.index.unwrap_or(self.tool_calls.saturating_sub(1));
                    self.emit(Delta {
                        tool_calls: vec![ToolCallDelta {
                            index,
                            function: Some(FunctionCallDelta {
                                name: None,
                                arguments: Some(args),
                            }),
                            ..ToolCallDelta::default()
                        }],
                        ..Delta::default()
                    });
                }
            }
            "citation-start" => {
                if let Some(c) = message.citations {
                    self.citations.push(c);
                }
            }
            "message-end" => {
                if let Some(err) = delta.error.filter(|e| !e.is_empty()) {
                    return Err(stream_error(&err));
                }
                let mut d = Delta::default();
                if !self.tool_plan.is_empty() {
                    d.extra.insert(
                        "tool_plan".into(),
                        std::mem::take(&mut self.tool_plan).into(),
                    );
                }
                if !self.citations.is_empty() {
                    d.extra.insert(
                        "citations".into(),
                        Value::Array(std::mem::take(&mut self.citations)),
                    );
                }
                let c = self.chunk(d, delta.finish_reason.as_deref().map(finish_reason));
                self.pending.push_back(c);
                if let Some(u) = &delta.usage {
                    let c = ChatChunk {
                        id: self.id.clone(),
                        usage: Some(usage(u)),
                        ..ChatChunk::default()
                    };
                    self.pending.push_back(c);
                }
                return Ok(EventFlow::Stop);
            }
            _ => {}
        }
        Ok(EventFlow::Continue)
    }
}

/// One event's `data` read through a `Value`: without a `type`, an `error` event or one with a
/// `message` is the error it reports, and any other takes the SSE event's name as its type.
fn careful_event(ev: &SseEvent, data: &str) -> Result<StreamEvent, Error> {
    let mut v: Value =
        serde_json::from_str(data).map_err(|e| decode_error(NAME, &e, data.as_bytes()))?;
    if let Value::Object(o) = &mut v
        && !o.contains_key("type")
    {
        if ev.event == "error" || o.contains_key("message") {
            let msg = o
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("the stream reported an error");
            return Err(stream_error(msg));
        }
        o.insert("type".into(), Value::String(ev.event.clone()));
    }
    serde_json::from_value(v).map_err(|e| decode_error(NAME, &e, data.as_bytes()))
}
