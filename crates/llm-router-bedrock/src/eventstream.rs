//! `application/vnd.amazon.eventstream` framing: whole frames out of a byte stream whose reads
//! do not line up with frames. Each frame is `[total_len u32][headers_len u32][prelude_crc]
//! [headers][payload][message_crc]` (big-endian); it is buffered until `total_len` bytes are
//! there and then decoded and CRC-checked by `aws-smithy-eventstream`.

use aws_smithy_eventstream::frame::read_message_from;
use aws_smithy_types::event_stream::Message;
use bytes::BytesMut;
use futures_util::{Stream, StreamExt as _};
use llm_router_core::{Error, ErrorKind};
use llm_router_http::ByteStream;

use crate::NAME;

/// The largest frame the format allows (16 MiB).
const MAX_FRAME: usize = 16 * 1024 * 1024;
/// Prelude (12 bytes) plus the message CRC (4 bytes).
const MIN_FRAME: usize = 16;

fn decode_error(msg: String) -> Error {
    Error::new(ErrorKind::Decode, msg).with_provider(NAME)
}

struct State {
    bytes: ByteStream,
    buf: BytesMut,
    failed: bool,
}

impl State {
    /// A whole frame from the buffer, if one is there.
    fn take_frame(&mut self) -> Result<Option<Message>, Error> {
        let Some(len) = self.buf.get(..4) else {
            return Ok(None);
        };
        let total = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if !(MIN_FRAME..=MAX_FRAME).contains(&total) {
            return Err(decode_error(format!(
                "not an event-stream frame (length {total})"
            )));
        }
        if self.buf.len() < total {
            return Ok(None);
        }
        let frame = self.buf.split_to(total).freeze();
        read_message_from(frame)
            .map(Some)
            .map_err(|e| decode_error(format!("bad event-stream frame: {e}")))
    }
}

/// The frames of an event-stream body. A body that ends inside a frame ends with
/// [`ErrorKind::StreamInterrupted`]; a frame that fails its CRC is [`ErrorKind::Decode`].
pub(crate) fn frames(bytes: ByteStream) -> impl Stream<Item = Result<Message, Error>> + Send {
    let state = State {
        bytes,
        buf: BytesMut::new(),
        failed: false,
    };
    futures_util::stream::unfold(state, |mut st| async move {
        if st.failed {
            return None;
        }
        loop {
            match st.take_frame() {
                Ok(Some(m)) => return Some((Ok(m), st)),
                Ok(None) => {}
                Err(e) => {
                    st.failed = true;
                    return Some((Err(e), st));
                }
            }
            match st.bytes.next().await {
                Some(Ok(b)) => st.buf.extend_from_slice(&b),
                Some(Err(e)) => {
                    st.failed = true;
                    return Some((Err(e), st));
                }
                None if st.buf.is_empty() => return None,
                None => {
                    st.failed = true;
                    let e = Error::new(
                        ErrorKind::StreamInterrupted,
                        "the stream ended in the middle of an event-stream frame",
                    )
                    .with_provider(NAME);
                    return Some((Err(e), st));
                }
            }
        }
    })
}

/// The value of a string header (`:event-type`, `:message-type`, …).
pub(crate) fn header<'a>(m: &'a Message, name: &str) -> Option<&'a str> {
    m.headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map(|s| s.as_str())
}
