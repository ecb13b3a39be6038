//! Anthropic's SSE events → canonical [`ChatChunk`]s: a pure function of a byte stream, so
//! tests can split a transcript at every byte offset. See [`chat_chunks`] for the mapping.

use std::collections::VecDeque;

use llm_router_core::{
    ChatChunk, ChatStream, ChunkChoice, Delta, Error, ErrorKind, FinishReason, FunctionCallDelta,
    ReasoningDetail, Role, ToolCallDelta, ToolType,
};
use llm_router_http::{
    ByteStream, ChunkParser, EventFlow, SseEvent, decode_error, parse_chunks, sse_events,
};
use serde_json::Value;

use crate::NAME;
use crate::convert::{
    finish_reason, reasoning_encrypted, reasoning_text, stop_sequence_extra, usage,
};
use crate::error::event_error;
use crate::wire::{BlockDelta, ResponseBlock, StreamEvent, WireUsage};

/// What a content block (by its Anthropic `index`) is.
enum Block {
    Text,
    Tool {
        /// The tool-call index in the canonical stream.
        call: u32,
        /// `input` from `content_block_start` (normally `{}`).
        start_input: Value,
        got_delta: bool,
    },
    Thinking,
    Other,
}

struct State {
    id: String,
    model: String,
    usage: WireUsage,
    blocks: Vec<(u32, Block)>,
    tool_calls: u32,
    pending: VecDeque<ChatChunk>,
}

/// Parses Anthropic's Messages stream from raw body bytes. Spawns nothing; dropping the stream
/// drops the body.
///
/// The event vocabulary and what each becomes:
///
/// | event | chunk |
/// |---|---|
/// | `message_start` | first chunk: `role: assistant` (id, model and input usage remembered) |
/// | `content_block_start` `text` | its text, if any |
/// | `content_block_start` `tool_use` | a tool-call fragment with `id`, name and empty arguments; the call `index` counts tool blocks only |
/// | `content_block_start` `thinking` / `redacted_thinking` | a `reasoning_details` fragment (`reasoning.text` / `reasoning.encrypted`, `index` = the block's index) |
/// | `content_block_delta` `text_delta` | `content` |
/// | `content_block_delta` `input_json_delta` | tool-call `arguments` fragment |
/// | `content_block_delta` `thinking_delta` | `reasoning_content` + a `reasoning_details` text fragment |
/// | `content_block_delta` `signature_delta` | a `reasoning_details` fragment with the block's `signature` |
/// | `message_delta` | a chunk with `finish_reason` (and the matched `stop_sequence` in the choice's `extra`), then a usage chunk (`choices: []`) |
/// | `message_stop` | the clean end |
/// | `content_block_stop` | nothing (for a `tool_use` whose `input` came whole in its start event and no `input_json_delta` followed: that input as the arguments) |
/// | `ping`, unknown events, `citations_delta` and unknown deltas | nothing |
/// | `error` | an error (`overloaded_error` → `ProviderUnavailable`, `rate_limit_error` → `RateLimited`, …) |
///
/// There is no `[DONE]`: a stream that ends before `message_stop` ends with
/// One event's `data` read through a `Value`: an error event (by its SSE name or its `type`)
/// is the error it describes; a `data` without `type` takes the SSE event's name.
fn careful_event(ev: &SseEvent, data: &str) -> Result<StreamEvent, Error> {
    let mut v: Value =
        serde_json::from_str(data).map_err(|e| decode_error(NAME, &e, data.as_bytes()))?;
    if ev.event == "error" || v.get("type").and_then(Value::as_str) == Some("error") {
        return Err(event_error(&v));
    }
    if let Value::Object(o) = &mut v
        && !o.contains_key("type")
    {
        o.insert("type".into(), Value::String(ev.event.clone()));
    }
    serde_json::from_value(v).map_err(|e| decode_error(NAME, &e, data.as_bytes()))
}

/// [`ErrorKind::StreamInterrupted`].
pub fn chat_chunks(bytes: ByteStream) -> ChatStream {
    let state = State {
        id: String::new(),
        model: String::new(),
        usage: WireUsage::default(),
        blocks: Vec::new(),
        tool_calls: 0,
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
                "the stream ended before message_stop",
            )
            .with_provider(NAME),
        )
    }
}

impl State {
    fn chunk(&self, delta: Delta, finish_reason: Option<FinishReason>) -> ChatChunk {
        ChatChunk {
            id: self.id.clone(),
            model: self.model.clone(),
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

    fn text(&mut self, text: String) {
        if !text.is_empty() {
            self.emit(Delta {
                content: Some(text),
                ..Delta::default()
            });
        }
    }

    fn reasoning(&mut self, text: Option<String>, detail: ReasoningDetail) {
        self.emit(Delta {
            reasoning_content: text.filter(|t| !t.is_empty()),
            reasoning_details: vec![detail],
            ..Delta::default()
        });
    }

    fn arguments(&mut self, call: u32, fragment: String) {
        self.emit(Delta {
            tool_calls: vec![ToolCallDelta {
                index: call,
                function: Some(FunctionCallDelta {
                    name: None,
                    arguments: Some(fragment),
                }),
                ..ToolCallDelta::default()
            }],
            ..Delta::default()
        });
    }

    fn block_mut(&mut self, index: u32) -> Option<&mut Block> {
        self.blocks
            .iter_mut()
            .rev()
            .find(|(i, _)| *i == index)
            .map(|(_, b)| b)
    }

    fn handle(&mut self, ev: &SseEvent) -> Result<EventFlow, Error> {
        let data = ev.data.trim();
        if data.is_empty() {
            return Ok(EventFlow::Continue);
        }
        // Fast path: the documented events decode straight into their type. Errors, unknown
        // types, a `data` without its `type` (some proxies drop it) and bad JSON take the
        // careful path through a `Value`.
        let event = match serde_json::from_str::<StreamEvent>(data) {
            Ok(StreamEvent::Other) | Err(_) => careful_event(ev, data)?,
            Ok(_) if ev.event == "error" => careful_event(ev, data)?,
            Ok(event) => event,
        };
        match event {
            StreamEvent::MessageStart { message } => {
                self.id = message.id;
                self.model = message.model;
                self.usage = message.usage.unwrap_or_default();
                self.emit(Delta {
                    role: Some(Role::Assistant),
                    ..Delta::default()
                });
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => self.block_start(index, content_block),
            StreamEvent::ContentBlockDelta { index, delta } => self.block_delta(index, delta),
            StreamEvent::ContentBlockStop { index } => {
                let deferred = match self.block_mut(index) {
                    Some(Block::Tool {
                        call,
                        start_input,
                        got_delta: false,
                    }) if start_input.as_object().is_some_and(|o| !o.is_empty()) => {
                        Some((*call, start_input.to_string()))
                    }
                    _ => None,
                };
                if let Some((call, args)) = deferred {
                    self.arguments(call, args);
                }
            }
            StreamEvent::MessageDelta { delta, usage: u } => {
                if let Some(u) = u {
                    self.usage = self.usage.merged(&u);
                }
                if let Some(reason) = &delta.stop_reason {
                    let mut c = self.chunk(Delta::default(), Some(finish_reason(reason)));
                    if let Some(choice) = c.choices.first_mut() {
                        choice.extra = stop_sequence_extra(delta.stop_sequence);
                    }
                    self.pending.push_back(c);
                }
                let c = ChatChunk {
                    id: self.id.clone(),
                    model: self.model.clone(),
                    usage: Some(usage(&self.usage)),
                    service_tier: self.usage.service_tier.clone(),
                    ..ChatChunk::default()
                };
                self.pending.push_back(c);
            }
            StreamEvent::MessageStop => return Ok(EventFlow::Stop),
            StreamEvent::Ping | StreamEvent::Other => {}
        }
        Ok(EventFlow::Continue)
    }

    fn block_start(&mut self, index: u32, block: ResponseBlock) {
        match block {
            ResponseBlock::Text { text } => {
                self.blocks.push((index, Block::Text));
                self.text(text);
            }
            ResponseBlock::ToolUse { id, name, input } => {
                let call = self.tool_calls;
                self.tool_calls += 1;
                self.blocks.push((
                    index,
                    Block::Tool {
                        call,
                        start_input: input,
                        got_delta: false,
                    },
                ));
                self.emit(Delta {
                    tool_calls: vec![ToolCallDelta {
                        index: call,
                        id: Some(id),
                        kind: Some(ToolType::Function),
                        function: Some(FunctionCallDelta {
                            name: Some(name),
                            arguments: Some(String::new()),
                        }),
                    }],
                    ..Delta::default()
                });
            }
            ResponseBlock::Thinking {
                thinking,
                signature,
            } => {
                self.blocks.push((index, Block::Thinking));
                let detail = reasoning_text(
                    index,
                    Some(thinking.clone()),
                    Some(signature).filter(|s| !s.is_empty()),
                );
                self.reasoning(Some(thinking), detail);
            }
            ResponseBlock::RedactedThinking { data } => {
                self.blocks.push((index, Block::Other));
                self.reasoning(None, reasoning_encrypted(index, data));
            }
            ResponseBlock::Other(_) => self.blocks.push((index, Block::Other)),
        }
    }

    fn block_delta(&mut self, index: u32, delta: BlockDelta) {
        match delta {
            BlockDelta::TextDelta { text } => self.text(text),
            BlockDelta::InputJsonDelta { partial_json } => {
                let call = match self.block_mut(index) {
                    Some(Block::Tool {
                        call, got_delta, ..
                    }) => {
                        *got_delta = true;
                        *call
                    }
                    // Server tools stream their input too; they are not client tool calls.
                    _ => return,
                };
                if !partial_json.is_empty() {
                    self.arguments(call, partial_json);
                }
            }
            BlockDelta::ThinkingDelta { thinking } => {
                if !thinking.is_empty() {
                    let detail = reasoning_text(index, Some(thinking.clone()), None);
                    self.reasoning(Some(thinking), detail);
                }
            }
            BlockDelta::SignatureDelta { signature } => {
                self.reasoning(None, reasoning_text(index, None, Some(signature)));
            }
            BlockDelta::Other => {}
        }
    }
}
