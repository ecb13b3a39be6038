//! Sending requests and reading bodies, with every failure mapped to an [`Error`].

use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use llm_router_core::{ApiKey, Error, ErrorKind};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::classify::{classify, transport_error};

/// A stream of body bytes.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// Sends `request`; a non-2xx answer is read and classified into an [`Error`] by the shared
/// classification.
pub async fn send(
    provider: &str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, Error> {
    send_checked(provider, request, None, |status, headers, body| {
        classify(provider, status, headers, body)
    })
    .await
}

/// Sends `request`, the one way every provider does it: a transport failure becomes an
/// [`Error`] of its kind, a non-2xx answer is read and handed to `classify` (the provider's
/// own error mapping), and `key` is redacted from whatever error comes out (some vendors echo
/// the key in their 401 text).
pub async fn send_checked(
    provider: &str,
    request: reqwest::RequestBuilder,
    key: Option<&ApiKey>,
    classify: impl FnOnce(u16, &HeaderMap, &[u8]) -> Error,
) -> Result<reqwest::Response, Error> {
    let redact = |e: Error| match key {
        Some(k) => e.redact(k.expose()),
        None => e,
    };
    let resp = request
        .send()
        .await
        .map_err(|e| redact(transport_error(provider, e)))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap_or_default();
    Err(redact(classify(status.as_u16(), &headers, &body)))
}

/// Reads the whole body.
pub async fn read_body(provider: &str, resp: reqwest::Response) -> Result<Bytes, Error> {
    resp.bytes().await.map_err(|e| transport_error(provider, e))
}

/// Parses a JSON body, with the start of the body in the error when it is not the expected
/// JSON.
pub fn parse_json<T: DeserializeOwned>(provider: &str, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| decode_error(provider, &e, body))
}

/// Whether `"error"` (quoted: a key or a whole string value, not the word inside a text)
/// occurs in `body`. A body without it holds no error object, so a decoder can read it
/// straight into its type and leave the careful look for the rest. SIMD search with a
/// searcher built once: this runs on every response and every stream event.
pub fn mentions_error(body: &[u8]) -> bool {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"error\""));
    FINDER.find(body).is_some()
}

/// A decode error quoting the first 200 characters of what could not be read.
pub fn decode_error(provider: &str, e: &serde_json::Error, body: &[u8]) -> Error {
    let snippet: String = String::from_utf8_lossy(body).chars().take(200).collect();
    Error::new(
        ErrorKind::Decode,
        format!("unexpected response body ({e}): {snippet}"),
    )
    .with_provider(provider)
}

/// The body as a byte stream; a broken connection is a [`ErrorKind::Connection`] error (the
/// stream layer above turns it into `StreamInterrupted` once content has been delivered).
pub fn byte_stream(provider: &str, resp: reqwest::Response) -> ByteStream {
    let provider = provider.to_owned();
    Box::pin(
        resp.bytes_stream()
            .map(move |r| r.map_err(|e| transport_error(&provider, e))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_error_finds_what_windows_find() {
        let needle = b"\"error\"";
        for hay in [
            &b""[..],
            b"\"",
            b"\"error",
            b"\"error\"",
            b"x\"error\"",
            b"\"\"error\"",
            b"{\"errors\":1,\"error\":2}",
            b"{\"errors\":1}",
            b"{\"a\":\"err\",\"b\":\"error\"}",
            b"{\"a\":\"error \"}",
            b"ends with \"erro",
            // An escaped quote inside a text is not a key or a whole value.
            b"{\"text\":\"say \\\"error\\\" twice\"}",
        ] {
            let want = hay.windows(needle.len()).any(|w| w == needle);
            assert_eq!(
                mentions_error(hay),
                want,
                "{:?}",
                String::from_utf8_lossy(hay)
            );
        }
        assert!(!mentions_error(br#"{"text":"say \"error\" twice"}"#));
        assert!(mentions_error(br#"{"error":{"code":429}}"#));
    }
}
