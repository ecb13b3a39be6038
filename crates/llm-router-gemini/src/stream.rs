//! `streamGenerateContent?alt=sse` → [`ChatChunk`]s.
//!
//! Each event is `data: <GenerateContentResponse>` carrying only the new parts; there are no
//! event names and no `[DONE]`. So the stream is clean only when the body ends after every
//! candidate has sent a `finishReason`; any other end is [`ErrorKind::StreamInterrupted`].
//! Gemini repeats `usageMetadata` on every event: the last one seen is emitted once, as a final
//! chunk with `choices: []`, when the stream ends cleanly. Function calls arrive whole and
//! become one tool-call delta each (id, name and complete arguments). An event that is an
//! `{"error": …}` object ends the stream with that error.
//!
//! A pure function of a [`ByteStream`], so tests split transcripts at every byte offset.

use futures_util::StreamExt as _;
use llm_router_core::{ChatChunk, ChatStream, Error, ErrorKind};
use llm_router_http::{ByteStream, SseStream, decode_error, mentions_error, sse_events};
use serde_json::Value;

use crate::PROVIDER;
use crate::convert::{Decoder, ResponseContext};
use crate::wire::GenerateContentResponse;

struct State {
    events: SseStream,
    decoder: Decoder,
    done: bool,
}

/// Parses a Gemini SSE stream (the body of `streamGenerateContent?alt=sse`) into chunks.
///
/// Tool-call ids that Gemini leaves out are synthesized as `call_<n>_<name>` counting from 0;
/// the client counts from the calls already in the conversation instead.
pub fn chat_chunks(bytes: ByteStream) -> ChatStream {
    chat_chunks_with(ResponseContext::default(), bytes)
}

pub(crate) fn chat_chunks_with(ctx: ResponseContext, bytes: ByteStream) -> ChatStream {
    let state = State {
        events: sse_events(PROVIDER, bytes),
        decoder: Decoder::new(ctx),
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
                    st.done = true;
                    if st.decoder.is_complete() {
                        return st.decoder.usage_chunk().map(|c| (Ok(c), st));
                    }
                    let err = Error::new(
                        ErrorKind::StreamInterrupted,
                        "the Gemini stream ended before every candidate sent a finishReason",
                    )
                    .with_provider(PROVIDER);
                    return Some((Err(err), st));
                }
            };
            let data = ev.data.trim();
            if data.is_empty() || data == "[DONE]" {
                continue;
            }
            match decode_event(&mut st.decoder, data) {
                Ok(Some(chunk)) => return Some((Ok(chunk), st)),
                Ok(None) => continue,
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            }
        }
    }))
}

fn decode_event(decoder: &mut Decoder, data: &str) -> Result<Option<ChatChunk>, Error> {
    // Fast path: an event that mentions no "error" holds no error object and decodes straight
    // into its type; anything else (or what fails that way) takes the careful path.
    if !mentions_error(data.as_bytes())
        && let Ok(resp) = serde_json::from_str::<GenerateContentResponse>(data)
    {
        return decoder.push(resp);
    }
    let v: Value =
        serde_json::from_str(data).map_err(|e| decode_error(PROVIDER, &e, data.as_bytes()))?;
    if let Some(err) = crate::error::from_value(&v) {
        return Err(err);
    }
    let resp: GenerateContentResponse =
        serde_json::from_value(v).map_err(|e| decode_error(PROVIDER, &e, data.as_bytes()))?;
    decoder.push(resp)
}
