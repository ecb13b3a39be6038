//! Server-sent events over a byte stream, decoded by `eventsource-stream`.
//!
//! Handles what providers send: `event:` names, `:` comment lines (keep-alives, OpenRouter's
//! `: OPENROUTER PROCESSING`), `data:` with or without a space, `\r\n` line endings, multi-line
//! data, and UTF-8 characters split across network reads.

use std::pin::Pin;

use eventsource_stream::{EventStreamError, Eventsource as _};
use futures_util::{Stream, StreamExt as _};
use llm_router_core::{Error, ErrorKind};

use crate::body::ByteStream;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` name (`message` when none was given).
    pub event: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// The `id:`, if any.
    pub id: String,
}

/// A stream of events.
pub type SseStream = Pin<Box<dyn Stream<Item = Result<SseEvent, Error>> + Send>>;

/// Decodes `bytes` into events. Transport errors pass through; invalid UTF-8 or framing is a
/// [`ErrorKind::Decode`] error.
pub fn sse_events(provider: &str, bytes: ByteStream) -> SseStream {
    let provider = provider.to_owned();
    Box::pin(bytes.eventsource().map(move |r| {
        match r {
            Ok(ev) => Ok(SseEvent {
                event: ev.event,
                data: ev.data,
                id: ev.id,
            }),
            Err(EventStreamError::Transport(e)) => Err(e),
            Err(EventStreamError::Utf8(e)) => Err(Error::new(
                ErrorKind::Decode,
                format!("stream is not valid UTF-8: {e}"),
            )
            .with_provider(provider.as_str())),
            Err(EventStreamError::Parser(e)) => Err(Error::new(
                ErrorKind::Decode,
                format!("malformed event stream: {e}"),
            )
            .with_provider(provider.as_str())),
        }
    }))
}
