//! The dialect's SSE stream → [`ChatChunk`]s.
//!
//! A pure function of a byte stream, so tests can split a transcript at every byte offset
//! without a socket. The stream ends cleanly only at `data: [DONE]` (or, for vendors whose
//! quirks allow it, after every choice finished); anything else ends with
//! [`ErrorKind::StreamInterrupted`].

use std::sync::Arc;

use futures_util::StreamExt as _;
use llm_router_core::{ChatStream, Error, ErrorKind};
use llm_router_http::{ByteStream, ErrorBody, SseStream, kind_for_event, sse_events};

use crate::dialect::Dialect;
use crate::response::decode_chunk;

struct State {
    events: SseStream,
    dialect: Arc<Dialect>,
    /// choice index → finished
    finished: Vec<(u32, bool)>,
    done: bool,
}

impl State {
    fn all_finished(&self) -> bool {
        !self.finished.is_empty() && self.finished.iter().all(|(_, f)| *f)
    }
}

/// Parses the dialect's chat stream from raw body bytes.
pub fn chat_chunks(dialect: Arc<Dialect>, bytes: ByteStream) -> ChatStream {
    let events = sse_events(&dialect.name, bytes);
    let state = State {
        events,
        dialect,
        finished: Vec::new(),
        done: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        loop {
            let ev = match st.events.next().await {
                Some(Ok(ev)) => ev,
                Some(Err(e)) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
                None => {
                    if st.dialect.quirks.stream_done_optional && st.all_finished() {
                        return None;
                    }
                    st.done = true;
                    let err = Error::new(
                        ErrorKind::StreamInterrupted,
                        "the stream ended without its [DONE] terminator",
                    )
                    .with_provider(st.dialect.name.as_str());
                    return Some((Err(err), st));
                }
            };
            let data = ev.data.trim();
            if data == "[DONE]" {
                return None;
            }
            if ev.event == "error" {
                st.done = true;
                let body = ErrorBody::parse(data.as_bytes());
                let err = Error::new(
                    kind_for_event(&body),
                    body.message.unwrap_or_else(|| data.to_owned()),
                )
                .with_provider(st.dialect.name.as_str());
                return Some((Err(err), st));
            }
            if data.is_empty() {
                continue;
            }
            match decode_chunk(&st.dialect, data.as_bytes()) {
                Ok(chunk) => {
                    for c in &chunk.choices {
                        let fin = c.finish_reason.is_some();
                        match st.finished.iter_mut().find(|(i, _)| *i == c.index) {
                            Some(slot) => slot.1 |= fin,
                            None => st.finished.push((c.index, fin)),
                        }
                    }
                    return Some((Ok(chunk), st));
                }
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            }
        }
    }))
}
