//! The native DashScope stream → [`ChatChunk`]s.
//!
//! Server-sent events (`id:1` / `event:result` / `:HTTP_STATUS/200` / `data:{…}`, no space after
//! the colon, no `[DONE]`). Each event is a whole generation response. By default the API sends
//! **cumulative** output — every event repeats the text, reasoning and tool-call arguments
//! generated so far — unless the request sets `incremental_output: true`. This parser turns
//! either into OpenAI-style deltas: in [`OutputMode::Cumulative`] it sends only what extends the
//! text already sent (a repeat adds nothing; output that rewrites text already sent is a decode
//! error), in [`OutputMode::Incremental`] it passes the pieces on. Usage is in every event
//! (cumulative); it goes out once, with the finish reason. DashScope-only output fields
//! (`search_info`, `tool_info`) go out in the chunk's `extra` when they change (empty repeats
//! are not sent).
//!
//! The stream ends cleanly when it ends after every choice has a finish reason; an
//! `event:error` is an error; anything else ends with `StreamInterrupted`. A pure function of a
//! byte stream, so tests cut the input at every byte.

use futures_util::StreamExt as _;
use llm_router_core::{
    ChatChunk, ChatStream, ChunkChoice, Delta, Error, ErrorKind, FunctionCallDelta, Role,
    ToolCallDelta, ToolType, Usage,
};
use llm_router_http::{ByteStream, ErrorBody, SseStream, decode_error, sse_events};
use serde_json::{Map, Value};

use crate::NAME;
use crate::convert::{body_error, finish_reason, take_choices, usage};
use crate::error::event_error;
use crate::wire;

/// How a native stream reports text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputMode {
    /// Each event carries only the new text (`incremental_output: true`).
    Incremental,
    /// Each event repeats everything generated so far (the API's default).
    Cumulative,
}

/// Text sent so far for one field; turns what an event carries into the delta to send.
#[derive(Debug, Default)]
struct Sent {
    text: String,
}

impl Sent {
    fn delta(&mut self, mode: OutputMode, incoming: String) -> Result<Option<String>, Error> {
        if incoming.is_empty() {
            return Ok(None);
        }
        match mode {
            OutputMode::Incremental => {
                self.text.push_str(&incoming);
                Ok(Some(incoming))
            }
            OutputMode::Cumulative => {
                if let Some(rest) = incoming.strip_prefix(self.text.as_str()) {
                    if rest.is_empty() {
                        return Ok(None);
                    }
                    let rest = rest.to_owned();
                    self.text = incoming;
                    Ok(Some(rest))
                } else if self.text.starts_with(&incoming) {
                    Ok(None) // an older prefix repeated: nothing new
                } else {
                    Err(Error::new(
                        ErrorKind::Decode,
                        "cumulative stream output does not extend the text already sent",
                    )
                    .with_provider(NAME))
                }
            }
        }
    }
}

#[derive(Debug, Default)]
struct ToolState {
    index: u32,
    id: String,
    name: Sent,
    arguments: Sent,
}

#[derive(Debug, Default)]
struct ChoiceState {
    index: u32,
    content: Sent,
    reasoning: Sent,
    tools: Vec<ToolState>,
    finished: bool,
}

struct State {
    events: SseStream,
    mode: OutputMode,
    choices: Vec<ChoiceState>,
    output_extra: Map<String, Value>,
    usage: Option<Usage>,
    first: bool,
    ended: bool,
}

/// Parses a native DashScope text-generation stream from raw body bytes.
pub fn native_chat_chunks(bytes: ByteStream, mode: OutputMode) -> ChatStream {
    let state = State {
        events: sse_events(NAME, bytes),
        mode,
        choices: Vec::new(),
        output_extra: Map::new(),
        usage: None,
        first: true,
        ended: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        if st.ended {
            return None;
        }
        loop {
            let ev = match st.events.next().await {
                Some(Ok(ev)) => ev,
                Some(Err(e)) => {
                    st.ended = true;
                    return Some((Err(e), st));
                }
                None => {
                    st.ended = true;
                    if !st.choices.is_empty() && st.choices.iter().all(|c| c.finished) {
                        return None;
                    }
                    let err = Error::new(
                        ErrorKind::StreamInterrupted,
                        "the stream ended before a finish_reason",
                    )
                    .with_provider(NAME);
                    return Some((Err(err), st));
                }
            };
            let data = ev.data.trim();
            if ev.event == "error" {
                st.ended = true;
                return Some((Err(event_error(&ErrorBody::parse(data.as_bytes()))), st));
            }
            if data.is_empty() {
                continue;
            }
            match st.event(data) {
                Ok(Some(chunk)) => return Some((Ok(chunk), st)),
                Ok(None) => continue,
                Err(e) => {
                    st.ended = true;
                    return Some((Err(e), st));
                }
            }
        }
    }))
}

impl State {
    fn choice(&mut self, index: u32) -> &mut ChoiceState {
        let pos = match self.choices.iter().position(|c| c.index == index) {
            Some(p) => p,
            None => {
                self.choices.push(ChoiceState {
                    index,
                    ..ChoiceState::default()
                });
                self.choices.len() - 1
            }
        };
        &mut self.choices[pos]
    }

    /// The chunk for one event's data, or `None` when it adds nothing.
    fn event(&mut self, data: &str) -> Result<Option<ChatChunk>, Error> {
        let resp: wire::GenerationResponse =
            serde_json::from_str(data).map_err(|e| decode_error(NAME, &e, data.as_bytes()))?;
        if let Some(e) = body_error(&resp) {
            return Err(e);
        }
        if let Some(u) = &resp.usage {
            self.usage = Some(usage(u));
        }
        let mut out = resp.output.unwrap_or_default();
        let mode = self.mode;
        let mut choices = Vec::new();
        let mut finished_now = false;
        for (i, c) in take_choices(&mut out).into_iter().enumerate() {
            let index = c
                .index
                .unwrap_or_else(|| u32::try_from(i).unwrap_or(u32::MAX));
            let first = self.first;
            let st = self.choice(index);
            let msg = c.message.unwrap_or_default();
            let mut delta = Delta {
                content: st.content.delta(mode, msg.text())?,
                reasoning_content: st
                    .reasoning
                    .delta(mode, msg.reasoning_content.unwrap_or_default())?,
                ..Delta::default()
            };
            if first {
                delta.role = Some(Role::Assistant);
            }
            for (j, tc) in msg.tool_calls.into_iter().enumerate() {
                let tindex = tc
                    .index
                    .unwrap_or_else(|| u32::try_from(j).unwrap_or(u32::MAX));
                let pos = match st.tools.iter().position(|t| t.index == tindex) {
                    Some(p) => p,
                    None => {
                        st.tools.push(ToolState {
                            index: tindex,
                            ..ToolState::default()
                        });
                        st.tools.len() - 1
                    }
                };
                let ts = &mut st.tools[pos];
                let f = tc.function.unwrap_or_default();
                let id = tc.id.filter(|id| !id.is_empty() && *id != ts.id);
                if let Some(id) = &id {
                    ts.id.clone_from(id);
                }
                let arguments = f.arguments_text();
                let name = f.name.unwrap_or_default();
                // Incremental fragments may repeat the whole name; send it once.
                let name = if mode == OutputMode::Incremental && name == ts.name.text {
                    None
                } else {
                    ts.name.delta(mode, name)?
                };
                let arguments = ts.arguments.delta(mode, arguments)?;
                if id.is_some() || name.is_some() || arguments.is_some() {
                    delta.tool_calls.push(ToolCallDelta {
                        index: tindex,
                        kind: id.as_ref().map(|_| ToolType::Function),
                        id,
                        function: Some(FunctionCallDelta { name, arguments }),
                    });
                }
            }
            let finish = if st.finished {
                None
            } else {
                finish_reason(c.finish_reason.as_deref())
            };
            if finish.is_some() {
                st.finished = true;
                finished_now = true;
            }
            let logprobs = match mode {
                OutputMode::Incremental => c.logprobs.filter(|l| !l.is_null()),
                OutputMode::Cumulative => None,
            };
            let news = first
                || delta.content.is_some()
                || delta.reasoning_content.is_some()
                || !delta.tool_calls.is_empty()
                || logprobs.is_some()
                || finish.is_some();
            if news {
                choices.push(ChunkChoice {
                    index,
                    delta,
                    finish_reason: finish,
                    logprobs,
                    extra: Map::new(),
                });
            }
        }
        let mut extra = Map::new();
        for (k, v) in out.extra {
            // Later events of a search stream repeat `search_info` with empty lists: the
            // sources came first and stay.
            if is_empty(&v) {
                continue;
            }
            if self.output_extra.get(&k) != Some(&v) {
                self.output_extra.insert(k.clone(), v.clone());
                extra.insert(k, v);
            }
        }
        if choices.is_empty() && extra.is_empty() && !self.first {
            return Ok(None);
        }
        self.first = false;
        Ok(Some(ChatChunk {
            id: resp.request_id,
            choices,
            usage: if finished_now {
                self.usage.clone()
            } else {
                None
            },
            extra,
            ..ChatChunk::default()
        }))
    }
}

/// Null, `""`, `[]`, or an object of such.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_text_becomes_deltas() {
        let mut s = Sent::default();
        let m = OutputMode::Cumulative;
        assert_eq!(s.delta(m, "Hel".into()).unwrap().as_deref(), Some("Hel"));
        assert_eq!(s.delta(m, "Hello".into()).unwrap().as_deref(), Some("lo"));
        assert_eq!(s.delta(m, "Hello".into()).unwrap(), None);
        assert_eq!(s.delta(m, String::new()).unwrap(), None);
        assert_eq!(s.delta(m, "He".into()).unwrap(), None);
        assert_eq!(
            s.delta(m, "Help".into()).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn incremental_text_is_passed_on() {
        let mut s = Sent::default();
        let m = OutputMode::Incremental;
        assert_eq!(s.delta(m, "a".into()).unwrap().as_deref(), Some("a"));
        assert_eq!(s.delta(m, "a".into()).unwrap().as_deref(), Some("a"));
        assert_eq!(s.text, "aa");
    }
}
