//! ConverseStream events → canonical [`ChatChunk`]s: a pure function of the body bytes, so
//! tests can split a transcript at every byte offset. See [`chat_chunks`].

use std::collections::VecDeque;

use aws_smithy_types::event_stream::Message;
use llm_router_core::{
    ChatChunk, ChatStream, ChunkChoice, Delta, Error, ErrorKind, FinishReason, FunctionCallDelta,
    ReasoningDetail, Role, ToolCallDelta, ToolType,
};
use llm_router_http::{ByteStream, ChunkParser, EventFlow, decode_error, parse_chunks};
use serde::de::DeserializeOwned;
use serde_json::Map;

use crate::NAME;
use crate::convert::{finish_reason, reasoning_encrypted, reasoning_text, usage};
use crate::error::stream_exception;
use crate::eventstream::{frames, header};
use crate::wire::{BlockDelta, BlockStart, MessageStop, Metadata};

struct State {
    id: String,
    /// `messageStart` seen and its role not yet sent (it rides on the first chunk, so an
    /// exception before any content is still an error before content).
    role_pending: bool,
    /// Converse `contentBlockIndex` → canonical tool-call index.
    tools: Vec<(u32, u32)>,
    pending: VecDeque<ChatChunk>,
    stopped: bool,
}

/// Parses a ConverseStream body (binary event stream). Spawns nothing; `id` becomes every
/// chunk's `id` (the client passes the `x-amzn-RequestId`).
///
/// | event (`:event-type`) | chunk |
/// |---|---|
/// | `messageStart` | nothing yet: `role: assistant` goes on the first chunk |
/// | `contentBlockStart` with `toolUse` | a tool-call fragment with id, `type: function`, name and empty arguments; the call index counts tool blocks |
/// | `contentBlockDelta` `text` | `content` |
/// | `contentBlockDelta` `toolUse.input` | an `arguments` fragment of that block's call |
/// | `contentBlockDelta` `reasoningContent` | `reasoning_content` and a `reasoning_details` fragment (text, signature or redacted data; `index` = the block index) |
/// | `messageStop` | a chunk with `finish_reason` (mapped as [`crate`] describes) |
/// | `metadata` | a usage chunk (`choices: []`); the clean end |
/// | `contentBlockStop`, unknown | nothing |
///
/// A frame with `:message-type: exception` (or `error`) is an error of the kind its type
/// names. A stream that ends before `metadata` ends with [`ErrorKind::StreamInterrupted`].
pub fn chat_chunks(bytes: ByteStream, id: String) -> ChatStream {
    let state = State {
        id,
        role_pending: false,
        tools: Vec::new(),
        pending: VecDeque::new(),
        stopped: false,
    };
    parse_chunks(frames(bytes), state)
}

impl ChunkParser for State {
    type Event = Message;

    fn on_event(&mut self, frame: &Message) -> Result<EventFlow, Error> {
        self.handle(frame)
    }

    fn queue(&mut self) -> &mut VecDeque<ChatChunk> {
        &mut self.pending
    }

    fn end(&mut self) -> Option<Error> {
        let what = if self.stopped {
            "the stream ended before its metadata event"
        } else {
            "the stream ended before messageStop"
        };
        Some(Error::new(ErrorKind::StreamInterrupted, what).with_provider(NAME))
    }
}

fn parse<T: DeserializeOwned>(payload: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(payload).map_err(|e| decode_error(NAME, &e, payload))
}

impl State {
    fn emit(&mut self, mut delta: Delta, finish_reason: Option<FinishReason>) {
        if self.role_pending {
            self.role_pending = false;
            delta.role = Some(Role::Assistant);
        }
        self.pending.push_back(ChatChunk {
            id: self.id.clone(),
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason,
                ..ChunkChoice::default()
            }],
            ..ChatChunk::default()
        });
    }

    fn tool_index(&mut self, block: u32) -> u32 {
        if let Some((_, t)) = self.tools.iter().find(|(b, _)| *b == block) {
            return *t;
        }
        let t = u32::try_from(self.tools.len()).unwrap_or(u32::MAX);
        self.tools.push((block, t));
        t
    }

    fn reasoning(&mut self, text: Option<String>, detail: ReasoningDetail) {
        self.emit(
            Delta {
                reasoning_content: text,
                reasoning_details: vec![detail],
                ..Delta::default()
            },
            None,
        );
    }

    fn handle(&mut self, m: &Message) -> Result<EventFlow, Error> {
        let payload = m.payload().as_ref();
        match header(m, ":message-type").unwrap_or("event") {
            "exception" => {
                let t = header(m, ":exception-type").unwrap_or("exception");
                return Err(stream_exception(t, payload));
            }
            "error" => {
                let code = header(m, ":error-code").unwrap_or("error");
                let msg = header(m, ":error-message").unwrap_or("the stream reported an error");
                let body = serde_json::json!({"message": msg}).to_string();
                return Err(stream_exception(code, body.as_bytes()));
            }
            _ => {}
        }
        match header(m, ":event-type").unwrap_or_default() {
            "messageStart" => self.role_pending = true,
            "contentBlockStart" => {
                let s: BlockStart = parse(payload)?;
                if let Some(t) = s.start.and_then(|s| s.tool_use) {
                    let index = self.tool_index(s.content_block_index);
                    let delta = Delta {
                        tool_calls: vec![ToolCallDelta {
                            index,
                            id: Some(t.tool_use_id),
                            kind: Some(ToolType::Function),
                            function: Some(FunctionCallDelta {
                                name: Some(t.name),
                                arguments: Some(String::new()),
                            }),
                        }],
                        ..Delta::default()
                    };
                    self.emit(delta, None);
                }
            }
            "contentBlockDelta" => {
                let d: BlockDelta = parse(payload)?;
                let block = d.content_block_index;
                if let Some(t) = d.delta.text.filter(|t| !t.is_empty()) {
                    self.emit(
                        Delta {
                            content: Some(t),
                            ..Delta::default()
                        },
                        None,
                    );
                }
                if let Some(t) = d.delta.tool_use.filter(|t| !t.input.is_empty()) {
                    let index = self.tool_index(block);
                    let delta = Delta {
                        tool_calls: vec![ToolCallDelta {
                            index,
                            function: Some(FunctionCallDelta {
                                name: None,
                                arguments: Some(t.input),
                            }),
                            ..ToolCallDelta::default()
                        }],
                        ..Delta::default()
                    };
                    self.emit(delta, None);
                }
                if let Some(r) = d.delta.reasoning_content {
                    if let Some(t) = r.text.filter(|t| !t.is_empty()) {
                        self.reasoning(Some(t.clone()), reasoning_text(block, Some(t), None));
                    }
                    if let Some(s) = r.signature.filter(|s| !s.is_empty()) {
                        self.reasoning(None, reasoning_text(block, None, Some(s)));
                    }
                    if let Some(data) = r.redacted_content.filter(|d| !d.is_empty()) {
                        self.reasoning(None, reasoning_encrypted(block, data));
                    }
                }
            }
            "messageStop" => {
                let s: MessageStop = parse(payload)?;
                self.emit(
                    Delta::default(),
                    s.stop_reason.as_deref().map(finish_reason),
                );
                if let (Some(f), Some(last)) =
                    (s.additional_model_response_fields, self.pending.back_mut())
                {
                    last.extra.insert("additionalModelResponseFields".into(), f);
                }
                self.stopped = true;
            }
            "metadata" => {
                let md: Metadata = parse(payload)?;
                let mut extra = Map::new();
                if let Some(m) = md.metrics {
                    extra.insert("metrics".into(), m);
                }
                self.pending.push_back(ChatChunk {
                    id: self.id.clone(),
                    usage: md.usage.as_ref().map(usage),
                    extra,
                    ..ChatChunk::default()
                });
                return Ok(EventFlow::Stop);
            }
            _ => {}
        }
        Ok(EventFlow::Continue)
    }
}
