//! Newline-delimited JSON: a byte stream → one text line per JSON document.
//!
//! A small buffered splitter (no crate fits a `Stream` of `Result<Bytes, Error>` without an
//! `AsyncRead` adapter): bytes are kept until a `\n` arrives, so a UTF-8 character or a line cut
//! by the network is whole again before it is decoded. Blank lines are skipped, `\r\n` is
//! accepted, and a last line without its `\n` is still yielded (the caller's parser decides
//! whether it is complete). A transport error is passed on and ends the stream.

use std::pin::Pin;

use futures_util::{Stream, StreamExt as _};
use llm_router_core::{Error, ErrorKind};
use llm_router_http::ByteStream;

/// A stream of lines.
pub(crate) type LineStream = Pin<Box<dyn Stream<Item = Result<String, Error>> + Send>>;

struct State {
    bytes: ByteStream,
    buf: Vec<u8>,
    /// Bytes of `buf` already searched for `\n`.
    scanned: usize,
    ended: bool,
    provider: String,
}

fn decode(provider: &str, line: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(line).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("stream line is not valid UTF-8: {e}"),
        )
        .with_provider(provider)
    })
}

/// Splits `bytes` into lines.
pub(crate) fn ndjson_lines(provider: &str, bytes: ByteStream) -> LineStream {
    let state = State {
        bytes,
        buf: Vec::new(),
        scanned: 0,
        ended: false,
        provider: provider.to_owned(),
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(pos) = st.buf[st.scanned..].iter().position(|b| *b == b'\n') {
                let end = st.scanned + pos;
                let line: Vec<u8> = st.buf.drain(..=end).collect();
                st.scanned = 0;
                let line = match decode(&st.provider, line) {
                    Ok(l) => l,
                    Err(e) => return Some((Err(e), st)),
                };
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let trimmed = trimmed.to_owned();
                return Some((Ok(trimmed), st));
            }
            st.scanned = st.buf.len();
            if st.ended {
                if st.buf.iter().all(u8::is_ascii_whitespace) {
                    return None;
                }
                let rest = std::mem::take(&mut st.buf);
                st.scanned = 0;
                return Some((decode(&st.provider, rest).map(|l| l.trim().to_owned()), st));
            }
            match st.bytes.next().await {
                Some(Ok(b)) => st.buf.extend_from_slice(&b),
                Some(Err(e)) => {
                    st.ended = true;
                    st.buf.clear();
                    st.scanned = 0;
                    return Some((Err(e), st));
                }
                None => st.ended = true,
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn stream(pieces: &[&[u8]]) -> ByteStream {
        let items: Vec<Result<Bytes, Error>> = pieces
            .iter()
            .map(|p| Ok(Bytes::copy_from_slice(p)))
            .collect();
        Box::pin(futures_util::stream::iter(items))
    }

    async fn lines(pieces: &[&[u8]]) -> Vec<Result<String, Error>> {
        ndjson_lines("t", stream(pieces)).collect().await
    }

    #[tokio::test]
    async fn lines_are_whole_wherever_the_bytes_are_cut() {
        let body = "{\"a\":\"é👋\"}\r\n\n{\"b\":2}\n{\"c\":3}".as_bytes();
        for i in 0..=body.len() {
            let got: Vec<String> = lines(&[&body[..i], &body[i..]])
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert_eq!(
                got,
                ["{\"a\":\"é👋\"}", "{\"b\":2}", "{\"c\":3}"],
                "cut at {i}"
            );
        }
    }

    #[tokio::test]
    async fn a_transport_error_is_passed_on_and_ends_the_stream() {
        let items: Vec<Result<Bytes, Error>> = vec![
            Ok(Bytes::from_static(b"{\"a\":1}\n{\"b\"")),
            Err(Error::new(ErrorKind::Connection, "reset")),
            Ok(Bytes::from_static(b":2}\n")),
        ];
        let got: Vec<_> = ndjson_lines("t", Box::pin(futures_util::stream::iter(items)))
            .collect()
            .await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap(), "{\"a\":1}");
        assert_eq!(got[1].as_ref().unwrap_err().kind(), ErrorKind::Connection);
    }

    #[tokio::test]
    async fn invalid_utf8_is_a_decode_error() {
        let got = lines(&[b"\xff\xfe\n"]).await;
        assert_eq!(got[0].as_ref().unwrap_err().kind(), ErrorKind::Decode);
    }
}
