//! Ollama's NDJSON chat stream → [`ChatChunk`]s.
//!
//! A pure function of a byte stream (so tests cut the input at every byte offset). Each line is
//! one `/api/chat` object whose `message` carries the new text, thinking and whole tool calls;
//! the last line has `done: true`, `done_reason` and the token counts. A line `{"error": …}` is
//! an error; a stream that ends before `done: true` ends with
//! [`ErrorKind::StreamInterrupted`](llm_router_core::ErrorKind::StreamInterrupted).

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatStream, ChunkChoice, Delta, FunctionCallDelta, Role, ToolCallDelta, ToolType,
};
use llm_router_http::{ByteStream, decode_error, mentions_error};
use serde_json::{Map, Value, json};

use crate::NAME;
use crate::convert::{finish_reason, parse_created, tool_calls, usage};
use crate::error::{error_line, unterminated};
use crate::ndjson::{LineStream, ndjson_lines};
use crate::wire;

struct State {
    lines: LineStream,
    first: bool,
    tool_calls: usize,
    finished: bool,
    failed: bool,
}

/// Parses Ollama's `/api/chat` stream from raw body bytes.
pub fn chat_chunks(bytes: ByteStream) -> ChatStream {
    let state = State {
        lines: ndjson_lines(NAME, bytes),
        first: true,
        tool_calls: 0,
        finished: false,
        failed: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        if st.finished || st.failed {
            return None;
        }
        loop {
            let line = match st.lines.next().await {
                Some(Ok(l)) => l,
                Some(Err(e)) => {
                    st.failed = true;
                    return Some((Err(e), st));
                }
                None => {
                    st.failed = true;
                    return Some((Err(unterminated()), st));
                }
            };
            let resp = match decode_line(&line) {
                Ok(r) => r,
                Err(e) => {
                    st.failed = true;
                    return Some((Err(e), st));
                }
            };
            if let Some(chunk) = st.chunk(resp) {
                return Some((Ok(chunk), st));
            }
        }
    }))
}

/// One NDJSON line: a line that mentions no "error" decodes straight into its type; the rest
/// goes through a `Value`, where an `{"error": …}` line is the error it reports.
fn decode_line(line: &str) -> Result<wire::ChatResponse, llm_router_core::Error> {
    if !mentions_error(line.as_bytes())
        && let Ok(resp) = serde_json::from_str(line)
    {
        return Ok(resp);
    }
    let v: Value =
        serde_json::from_str(line).map_err(|e| decode_error(NAME, &e, line.as_bytes()))?;
    if let Some(err) = error_line(&v) {
        return Err(err);
    }
    serde_json::from_value(v).map_err(|e| decode_error(NAME, &e, line.as_bytes()))
}

impl State {
    /// The chunk for one line, or `None` when the line adds nothing.
    fn chunk(&mut self, mut resp: wire::ChatResponse) -> Option<ChatChunk> {
        let msg = resp.message.take().unwrap_or_default();
        let mut delta = Delta::default();
        if self.first {
            delta.role = Some(Role::Assistant);
        }
        if !msg.content.is_empty() {
            delta.content = Some(msg.content.clone());
        }
        if let Some(t) = msg.thinking.as_ref().filter(|t| !t.is_empty()) {
            delta.reasoning_content = Some(t.clone());
        }
        for call in tool_calls(&msg.tool_calls, self.tool_calls) {
            delta.tool_calls.push(ToolCallDelta {
                index: u32::try_from(self.tool_calls).unwrap_or(u32::MAX),
                id: Some(call.id),
                kind: Some(ToolType::Function),
                function: Some(FunctionCallDelta {
                    name: Some(call.function.name),
                    arguments: Some(call.function.arguments),
                }),
            });
            self.tool_calls += 1;
        }
        let logprobs = resp
            .extra
            .remove("logprobs")
            .filter(|v| !v.is_null())
            .map(|v| json!({ "content": v }));
        let finish = resp
            .done
            .then(|| finish_reason(resp.done_reason.as_deref(), self.tool_calls > 0));
        let has_news = self.first
            || delta.content.is_some()
            || delta.reasoning_content.is_some()
            || !delta.tool_calls.is_empty()
            || logprobs.is_some()
            || finish.is_some();
        if !has_news {
            return None;
        }
        self.first = false;
        let (usage, extra) = if resp.done {
            self.finished = true;
            (Some(usage(&resp)), std::mem::take(&mut resp.extra))
        } else {
            (None, Map::new())
        };
        Some(ChatChunk {
            created: parse_created(&resp.created_at),
            model: resp.model,
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason: finish,
                logprobs,
                extra: Map::new(),
            }],
            usage,
            extra,
            ..ChatChunk::default()
        })
    }
}
