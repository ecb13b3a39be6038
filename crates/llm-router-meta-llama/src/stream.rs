//! The Llama API's native stream → canonical [`ChatChunk`]s: a pure function of a byte
//! stream, so tests can split a transcript at every byte offset. See [`chat_chunks`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::StreamExt as _;
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
use crate::error::event_error;
use crate::wire::StreamChunk;

struct State {
    /// The body's last four bytes (to tell a close at an event boundary from a cut).
    tail: Arc<AtomicU32>,
    id: String,
    started: bool,
    /// Tool calls seen so far (the index of the next new one).
    tool_calls: u32,
    /// The id of the open tool call, and whether it has its name.
    call_id: Option<String>,
    call_named: bool,
    completed: bool,
    pending: VecDeque<ChatChunk>,
}

/// Parses the Llama API's native stream from raw body bytes. Spawns nothing.
///
/// Every `data:` line is `{id?, event: {event_type, delta, stop_reason?, metrics?}}`:
///
/// | `event_type` | chunk |
/// |---|---|
/// | `start` | `role: assistant`, plus the delta's text if any |
/// | `progress` | `delta: {type: text, text}` → `content`; `delta: {type: tool_call, id?, function: {name?, arguments?}}` → a tool-call fragment (a fragment with a new `id`, or a `name` when the open call has one, opens a new call; a repeated id or name is not sent again; `type: function` is added, the API sends none) |
/// | `complete` | any last delta, then a chunk with `finish_reason` from `stop_reason` |
/// | `metrics` | a usage chunk (`choices: []`) from `num_prompt_tokens` / `num_completion_tokens` / `num_total_tokens` |
///
/// An SSE event named `error` is an error. The SDK knows no terminator (no `[DONE]`; one is
/// tolerated): a stream is complete when it closes, at an event boundary, after a `complete`
/// event; one that closes before it, or in the middle of an event, ends with
/// [`ErrorKind::StreamInterrupted`].
pub fn chat_chunks(bytes: ByteStream) -> ChatStream {
    let tail = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&tail);
    let bytes: ByteStream = Box::pin(bytes.map(move |item| {
        if let Ok(b) = &item {
            for &byte in b.iter() {
                let t = seen.load(Ordering::Relaxed);
                seen.store((t << 8) | u32::from(byte), Ordering::Relaxed);
            }
        }
        item
    }));
    let state = State {
        tail,
        id: String::new(),
        started: false,
        tool_calls: 0,
        call_id: None,
        call_named: false,
        completed: false,
        pending: VecDeque::new(),
    };
    parse_chunks(sse_events(NAME, bytes), state)
}

impl ChunkParser for State {
    type Event = SseEvent;

    fn on_event(&mut self, ev: &SseEvent) -> Result<EventFlow, Error> {
        self.handle(ev)?;
        Ok(EventFlow::Continue)
    }

    fn queue(&mut self) -> &mut VecDeque<ChatChunk> {
        &mut self.pending
    }

    fn end(&mut self) -> Option<Error> {
        if self.completed && self.at_boundary() {
            return None;
        }
        Some(
            Error::new(
                ErrorKind::StreamInterrupted,
                "the stream ended before its complete event",
            )
            .with_provider(NAME),
        )
    }
}

impl State {
    /// Whether the body ended with a blank line (`\n\n`, `\r\r` or `\r\n\r\n`).
    fn at_boundary(&self) -> bool {
        let t = self.tail.load(Ordering::Relaxed).to_be_bytes();
        t[2..] == *b"\n\n" || t[2..] == *b"\r\r" || t == *b"\r\n\r\n"
    }

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

    fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.emit(Delta {
                role: Some(Role::Assistant),
                ..Delta::default()
            });
        }
    }

    fn delta(&mut self, d: crate::wire::Delta) {
        match d.kind.as_str() {
            "tool_call" => {
                let f = d.function.unwrap_or_default();
                let opens = self.tool_calls == 0
                    || (d.id.is_some() && d.id != self.call_id)
                    || (d.id.is_none() && f.name.is_some() && self.call_named);
                if opens {
                    self.tool_calls += 1;
                    self.call_id.clone_from(&d.id);
                    self.call_named = false;
                }
                let name = if self.call_named { None } else { f.name };
                self.call_named |= name.is_some();
                let index = self.tool_calls.saturating_sub(1);
                self.emit(Delta {
                    tool_calls: vec![ToolCallDelta {
                        index,
                        id: if opens { d.id } else { None },
                        kind: opens.then_some(ToolType::Function),
                        function: Some(FunctionCallDelta {
                            name,
                            arguments: Some(f.arguments.unwrap_or_default()),
                        }),
                    }],
                    ..Delta::default()
                });
            }
            _ => {
                if let Some(t) = d.text.filter(|t| !t.is_empty()) {
                    self.emit(Delta {
                        content: Some(t),
                        ..Delta::default()
                    });
                }
            }
        }
    }

    fn handle(&mut self, ev: &SseEvent) -> Result<(), Error> {
        let data = ev.data.trim();
        if data.is_empty() || data == "[DONE]" {
            return Ok(());
        }
        let v: Value =
            serde_json::from_str(data).map_err(|e| decode_error(NAME, &e, data.as_bytes()))?;
        if ev.event == "error" || (v.get("event").is_none() && v.get("error").is_some()) {
            return Err(event_error(&v));
        }
        let c: StreamChunk =
            serde_json::from_value(v).map_err(|e| decode_error(NAME, &e, data.as_bytes()))?;
        if let Some(id) = c.id.filter(|i| !i.is_empty()) {
            self.id = id;
        }
        let e = c.event;
        self.start();
        if let Some(d) = e.delta {
            self.delta(d);
        }
        if e.event_type == "complete" || e.stop_reason.is_some() {
            if let Some(r) = &e.stop_reason {
                let c = self.chunk(Delta::default(), Some(finish_reason(r)));
                self.pending.push_back(c);
            }
            self.completed = true;
        }
        if let Some(u) = e.metrics.as_deref().and_then(usage) {
            let c = ChatChunk {
                id: self.id.clone(),
                usage: Some(u),
                ..ChatChunk::default()
            };
            self.pending.push_back(c);
        }
        Ok(())
    }
}
