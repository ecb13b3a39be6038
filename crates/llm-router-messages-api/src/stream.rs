//! Canonical [`ChatChunk`]s → Anthropic's streaming events.

use llm_router_core::{ChatChunk, Delta, Error, FinishReason, ReasoningKind, Usage};
use serde_json::{Value, json};

use crate::error::error_body;
use crate::response::{
    fresh_id, is_anthropic_detail, matched_stop, message_id, stop_reason, usage_json,
};

/// One server-sent event: the `event:` name and the `data:` JSON (compact, one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseFrame {
    /// The event name (`message_start`, `content_block_delta`, `error`, …); equal to the
    /// data's `type`.
    pub event: &'static str,
    /// The event's JSON.
    pub data: String,
}

impl SseFrame {
    fn new(event: &'static str, data: &Value) -> Self {
        Self {
            event,
            data: data.to_string(),
        }
    }

    /// A `ping` event (Anthropic sends them; clients ignore them), for keep-alives.
    pub fn ping() -> Self {
        Self::new("ping", &json!({"type": "ping"}))
    }

    /// The frame as SSE text: `event: …\ndata: …\n\n`.
    pub fn to_sse(&self) -> String {
        format!("event: {}\ndata: {}\n\n", self.event, self.data)
    }
}

/// What the open content block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// A thinking block; `source` is the provider's block index, when it said (a new index
    /// starts a new block).
    Thinking {
        source: Option<u32>,
    },
    Tool,
}

#[derive(Debug)]
struct Open {
    index: u32,
    kind: Kind,
}

/// Turns a stream of canonical chunks into Anthropic's SSE event sequence.
///
/// `message_start` comes with the first chunk (input usage when that chunk carries it, else
/// 0); then per content block, in order, `content_block_start`, its deltas and
/// `content_block_stop`. A block closes when the kind of content changes (thinking, text, a
/// tool call), when a new tool-call index appears and when a finish reason arrives.
/// [`finish`](StreamEncoder::finish) sends `message_delta` (stop reason and the usage seen,
/// which in OpenAI-shaped streams arrives last) and `message_stop`.
///
/// | chunk | events |
/// |---|---|
/// | `delta.content`, `delta.refusal` | `text` block, `text_delta` |
/// | `delta.reasoning_content` (else `reasoning_details` text) | `thinking` block, `thinking_delta` |
/// | a `reasoning_details` signature | `signature_delta` on the thinking block |
/// | a `reasoning.encrypted` detail | a whole `redacted_thinking` block |
/// | first fragment of a tool-call index | `tool_use` block with `id`, `name`, `input: {}` |
/// | argument fragments | `input_json_delta` with the fragment as `partial_json` |
/// | usage | remembered for `message_delta` |
///
/// Only choice 0 is encoded (Anthropic has one answer per message).
#[derive(Debug)]
pub struct StreamEncoder {
    model: String,
    id: Option<String>,
    next_index: u32,
    open: Option<Open>,
    /// Tool calls seen: (tool-call index, id, block index), latest last.
    tools: Vec<(u32, String, u32)>,
    finish_reason: Option<FinishReason>,
    stop_sequence: Option<String>,
    usage: Option<Usage>,
    done: bool,
}

impl StreamEncoder {
    /// An encoder for a stream answering as `model` (what the client asked for).
    pub fn new(model: &str) -> Self {
        Self {
            model: model.to_owned(),
            id: None,
            next_index: 0,
            open: None,
            tools: Vec::new(),
            finish_reason: None,
            stop_sequence: None,
            usage: None,
            done: false,
        }
    }

    /// The events for one chunk (the first call also yields `message_start`). Nothing after
    /// [`finish`](Self::finish) or [`error`](Self::error).
    pub fn push(&mut self, chunk: &ChatChunk) -> Vec<SseFrame> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        if let Some(u) = &chunk.usage {
            self.usage = Some(u.clone());
        }
        self.start(&chunk.id, &mut out);
        for choice in chunk.choices.iter().filter(|c| c.index == 0) {
            self.delta(&choice.delta, &mut out);
            if let Some(reason) = &choice.finish_reason {
                self.finish_reason = Some(reason.clone());
                self.stop_sequence = matched_stop(&choice.extra).map(str::to_owned);
                self.close(&mut out);
            }
        }
        out
    }

    /// The closing events: the open block's `content_block_stop`, `message_delta` (stop
    /// reason — `end_turn` when none was seen, `tool_use` if tools were called — and usage)
    /// and `message_stop`. Idempotent: a second call (or a call after
    /// [`error`](Self::error)) yields nothing.
    pub fn finish(&mut self) -> Vec<SseFrame> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        self.start("", &mut out);
        self.close(&mut out);
        let reason = match &self.finish_reason {
            None if !self.tools.is_empty() => "tool_use",
            r => stop_reason(r.as_ref(), self.stop_sequence.as_deref()),
        };
        let stop_sequence = self
            .stop_sequence
            .as_deref()
            .filter(|_| reason == "stop_sequence");
        let usage = match &self.usage {
            Some(u) => usage_json(Some(u)),
            None => json!({"output_tokens": 0}),
        };
        out.push(SseFrame::new(
            "message_delta",
            &json!({"type": "message_delta",
                    "delta": {"stop_reason": reason, "stop_sequence": stop_sequence},
                    "usage": usage}),
        ));
        out.push(SseFrame::new(
            "message_stop",
            &json!({"type": "message_stop"}),
        ));
        self.done = true;
        out
    }

    /// An `error` event in Anthropic's shape (see [`error_body`](crate::error_body)). The
    /// stream is over after it: later `push` and `finish` calls yield nothing.
    pub fn error(&mut self, err: &Error) -> SseFrame {
        self.done = true;
        SseFrame::new("error", &error_body(err).1)
    }

    fn start(&mut self, chunk_id: &str, out: &mut Vec<SseFrame>) {
        if self.id.is_some() {
            return;
        }
        let id = if chunk_id.is_empty() {
            fresh_id("msg_")
        } else {
            message_id(chunk_id)
        };
        let mut usage = usage_json(self.usage.as_ref());
        usage["output_tokens"] = json!(0);
        out.push(SseFrame::new(
            "message_start",
            &json!({"type": "message_start", "message": {
                "id": id, "type": "message", "role": "assistant", "model": self.model,
                "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage,
            }}),
        ));
        self.id = Some(id);
    }

    fn delta(&mut self, d: &Delta, out: &mut Vec<SseFrame>) {
        let reasoning_text = d.reasoning_content.as_deref().filter(|t| !t.is_empty());
        if let Some(text) = reasoning_text {
            let source = d
                .reasoning_details
                .iter()
                .find(|x| matches!(x.kind, ReasoningKind::Text | ReasoningKind::Summary))
                .and_then(|x| x.index);
            self.thinking_delta(text, source, out);
        }
        for detail in &d.reasoning_details {
            match &detail.kind {
                ReasoningKind::Text | ReasoningKind::Summary => {
                    if reasoning_text.is_none()
                        && let Some(t) = detail
                            .text
                            .as_deref()
                            .or(detail.summary.as_deref())
                            .filter(|t| !t.is_empty())
                    {
                        self.thinking_delta(t, detail.index, out);
                    }
                    if let Some(sig) = detail.signature.as_deref().filter(|s| !s.is_empty())
                        && is_anthropic_detail(detail)
                    {
                        let index = self.ensure(
                            Kind::Thinking {
                                source: detail.index,
                            },
                            out,
                        );
                        out.push(block_delta(
                            index,
                            json!({"type": "signature_delta", "signature": sig}),
                        ));
                    }
                }
                ReasoningKind::Encrypted if is_anthropic_detail(detail) => {
                    if let Some(data) = &detail.data {
                        self.close(out);
                        self.begin(
                            Kind::Thinking { source: None },
                            json!({"type": "redacted_thinking", "data": data}),
                            out,
                        );
                        self.close(out);
                    }
                }
                _ => {}
            }
        }
        for text in [&d.content, &d.refusal].into_iter().flatten() {
            if !text.is_empty() {
                let index = self.ensure(Kind::Text, out);
                out.push(block_delta(
                    index,
                    json!({"type": "text_delta", "text": text}),
                ));
            }
        }
        for tc in &d.tool_calls {
            let function = tc.function.as_ref();
            let args = function
                .and_then(|f| f.arguments.as_deref())
                .filter(|a| !a.is_empty());
            let new_id = tc.id.as_deref().filter(|id| !id.is_empty());
            // A fragment continues the latest call with its index, unless it names another id
            // (some servers give every parallel call index 0).
            let known = self
                .tools
                .iter()
                .rev()
                .find(|(call, _, _)| *call == tc.index)
                .filter(|(_, id, _)| new_id.is_none_or(|n| n == id));
            let index = match known {
                Some(&(_, _, index)) => index,
                None => {
                    self.close(out);
                    let id = new_id.map_or_else(|| fresh_id("toolu_"), str::to_owned);
                    let name = function.and_then(|f| f.name.as_deref()).unwrap_or("");
                    let index = self.begin(
                        Kind::Tool,
                        json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                        out,
                    );
                    self.tools.push((tc.index, id, index));
                    index
                }
            };
            if let Some(args) = args {
                out.push(block_delta(
                    index,
                    json!({"type": "input_json_delta", "partial_json": args}),
                ));
            }
        }
    }

    fn thinking_delta(&mut self, text: &str, source: Option<u32>, out: &mut Vec<SseFrame>) {
        let index = self.ensure(Kind::Thinking { source }, out);
        out.push(block_delta(
            index,
            json!({"type": "thinking_delta", "thinking": text}),
        ));
    }

    /// The index of an open block of `kind`, opening one (and closing another) if needed.
    fn ensure(&mut self, kind: Kind, out: &mut Vec<SseFrame>) -> u32 {
        if let Some(open) = &mut self.open {
            match (&mut open.kind, kind) {
                (Kind::Text, Kind::Text) => return open.index,
                (Kind::Thinking { source: current }, Kind::Thinking { source })
                    if current.is_none() || source.is_none() || *current == source =>
                {
                    *current = current.or(source);
                    return open.index;
                }
                _ => {}
            }
        }
        self.close(out);
        let block = match kind {
            Kind::Text => json!({"type": "text", "text": ""}),
            _ => json!({"type": "thinking", "thinking": "", "signature": ""}),
        };
        self.begin(kind, block, out)
    }

    fn begin(&mut self, kind: Kind, block: Value, out: &mut Vec<SseFrame>) -> u32 {
        let index = self.next_index;
        self.next_index += 1;
        out.push(SseFrame::new(
            "content_block_start",
            &json!({"type": "content_block_start", "index": index, "content_block": block}),
        ));
        self.open = Some(Open { index, kind });
        index
    }

    fn close(&mut self, out: &mut Vec<SseFrame>) {
        if let Some(open) = self.open.take() {
            out.push(SseFrame::new(
                "content_block_stop",
                &json!({"type": "content_block_stop", "index": open.index}),
            ));
        }
    }
}

fn block_delta(index: u32, delta: Value) -> SseFrame {
    SseFrame::new(
        "content_block_delta",
        &json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}
