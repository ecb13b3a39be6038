//! The legacy API's chat stream → [`ChatChunk`]s.
//!
//! The stream is server-sent events with one JSON object per `data:` line and **no `[DONE]`**:
//! the event with `is_end: true` is the clean end (a safety stop, `need_clear_history: true`,
//! ends it too). A stream that ends without either is
//! [`ErrorKind::StreamInterrupted`], as is one cut in the middle of a line.
//!
//! Errors arrive as `{"error_code", "error_msg"}`, either as a `data:` event or, as the official
//! SDK also expects, as a bare JSON line without the `data:` prefix; both end the stream with
//! the code's error. The parser reads whole lines itself (instead of a generic SSE decoder) so
//! those bare lines are seen; lines are only decoded once complete, so a network read that
//! splits a line — or a UTF-8 character — changes nothing.
//!
//! A pure function of a byte stream, so tests split transcripts at every byte offset.

use bytes::BytesMut;
use futures_util::StreamExt as _;
use llm_router_core::{ChatChunk, ChatStream, Error, ErrorKind};
use llm_router_http::ByteStream;
use llm_router_http::reqwest::header::HeaderMap;
use serde_json::Value;

use super::response::parse_chat;
use crate::PROVIDER;
use crate::codes::error_in_body;

struct State {
    bytes: ByteStream,
    buf: BytesMut,
    model: String,
    first: bool,
    done: bool,
    /// The upstream ended: only the buffer is left.
    eof: bool,
}

fn interrupted(message: &str) -> Error {
    Error::new(ErrorKind::StreamInterrupted, message).with_provider(PROVIDER)
}

/// What one line means.
enum Line {
    Skip,
    Chunk(Box<ChatChunk>, bool),
    Fail(Error),
}

impl State {
    /// The next complete line in the buffer (without its `\n` / `\r\n`).
    fn next_line(&mut self) -> Option<Vec<u8>> {
        let at = self.buf.iter().position(|b| *b == b'\n')?;
        let mut line = self.buf.split_to(at + 1).to_vec();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(line)
    }

    fn read_line(&mut self, line: &[u8]) -> Line {
        let Ok(text) = std::str::from_utf8(line) else {
            return Line::Fail(
                Error::new(ErrorKind::Decode, "the stream is not valid UTF-8")
                    .with_provider(PROVIDER),
            );
        };
        let text = text.trim();
        let json = if let Some(data) = text.strip_prefix("data:") {
            data.trim()
        } else if text.starts_with('{') {
            text
        } else {
            // Blank lines, `event:`, `id:`, `retry:`, `:` comments.
            return Line::Skip;
        };
        if json.is_empty() {
            return Line::Skip;
        }
        let v: Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => {
                return Line::Fail(llm_router_http::decode_error(PROVIDER, &e, json.as_bytes()));
            }
        };
        if let Some(err) = error_in_body(&v, None, &HeaderMap::new()) {
            return Line::Fail(err);
        }
        match parse_chat(v, json.as_bytes()) {
            Ok(w) => {
                let last = w.is_end;
                let chunk = w.into_chunk(&self.model, self.first);
                let safety_stop = chunk
                    .choices
                    .first()
                    .is_some_and(|c| c.finish_reason.is_some());
                self.first = false;
                Line::Chunk(Box::new(chunk), last || safety_stop)
            }
            Err(e) => Line::Fail(e),
        }
    }
}

/// Parses the legacy chat stream for `model` from raw body bytes.
pub(crate) fn chat_chunks(bytes: ByteStream, model: String) -> ChatStream {
    let state = State {
        bytes,
        buf: BytesMut::new(),
        model,
        first: true,
        done: false,
        eof: false,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        loop {
            let line = match st.next_line() {
                Some(line) => line,
                None if st.eof => {
                    if st.buf.iter().all(u8::is_ascii_whitespace) {
                        st.done = true;
                        return Some((
                            Err(interrupted("the stream ended without its is_end event")),
                            st,
                        ));
                    }
                    // A last line without its newline: complete JSON is read, anything else
                    // was cut.
                    let rest = std::mem::take(&mut st.buf).to_vec();
                    return match st.read_line(&rest) {
                        Line::Chunk(c, last) => {
                            st.done = last;
                            Some((Ok(*c), st))
                        }
                        Line::Fail(e) if e.kind() != ErrorKind::Decode => {
                            st.done = true;
                            Some((Err(e), st))
                        }
                        _ => {
                            st.done = true;
                            Some((
                                Err(interrupted("the stream was cut in the middle of an event")),
                                st,
                            ))
                        }
                    };
                }
                None => {
                    match st.bytes.next().await {
                        Some(Ok(b)) => st.buf.extend_from_slice(&b),
                        Some(Err(e)) => {
                            st.done = true;
                            return Some((Err(e), st));
                        }
                        None => st.eof = true,
                    }
                    continue;
                }
            };
            match st.read_line(&line) {
                Line::Skip => continue,
                Line::Chunk(c, last) => {
                    if last {
                        st.done = true;
                        st.buf.clear();
                    }
                    return Some((Ok(*c), st));
                }
                Line::Fail(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            }
        }
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use futures_util::stream;
    use llm_router_core::collect_stream;

    fn bytes_of(s: &str) -> ByteStream {
        Box::pin(stream::iter(vec![Ok(bytes::Bytes::copy_from_slice(
            s.as_bytes(),
        ))]))
    }

    #[tokio::test]
    async fn is_end_is_the_clean_end() {
        let s = "data: {\"id\":\"as-1\",\"created\":1,\"sentence_id\":0,\"is_end\":false,\"result\":\"你\"}\n\n\
                 data: {\"id\":\"as-1\",\"created\":1,\"sentence_id\":1,\"is_end\":true,\"result\":\"好\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n";
        let r = collect_stream(chat_chunks(bytes_of(s), "m".into()))
            .await
            .unwrap();
        assert_eq!(r.text(), "你好");
        assert_eq!(r.usage.unwrap().total_tokens, 3);
    }

    #[tokio::test]
    async fn a_stream_without_is_end_is_interrupted() {
        let s = "data: {\"id\":\"as-1\",\"created\":1,\"sentence_id\":0,\"is_end\":false,\"result\":\"你\"}\n\n";
        let e = collect_stream(chat_chunks(bytes_of(s), "m".into()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
        let cut = "data: {\"id\":\"as-1\",\"created\":1,\"sentence_id\":0,\"is_end\":false,\"result\":\"你\"}\n\ndata: {\"id\":\"as";
        let e = collect_stream(chat_chunks(bytes_of(cut), "m".into()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StreamInterrupted);
    }

    #[tokio::test]
    async fn bare_json_errors_are_read() {
        let e = collect_stream(chat_chunks(
            bytes_of("{\"error_code\":336501,\"error_msg\":\"Rate limit reached for RPM\"}"),
            "m".into(),
        ))
        .await
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.code(), Some("336501"));
    }
}
