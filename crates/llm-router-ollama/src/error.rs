//! Ollama's errors → [`ErrorKind`].
//!
//! Ollama answers `{"error": "text"}` with an HTTP status (400 bad request, 404 model not
//! found or not pulled, 429, 500, 502 cloud model unreachable), and, once a stream has started,
//! as an NDJSON line `{"error": "text"}` under the 200 already sent. The shared classification
//! reads both shapes; this module only names the provider (the shared `Connection` keeps the key
//! out of the text).

#[cfg(test)]
use llm_router_core::ApiKey;
use llm_router_core::{Error, ErrorKind};
use llm_router_http::error_in_body;
use serde_json::Value;

use crate::NAME;

/// The error carried by a JSON document with an `error` field (a stream line or a 200 body).
pub(crate) fn error_line(v: &Value) -> Option<Error> {
    error_in_body(NAME, v)
}

/// A stream that ended before its `done: true` line.
pub(crate) fn unterminated() -> Error {
    Error::new(
        ErrorKind::StreamInterrupted,
        "the stream ended before its final `done: true` line",
    )
    .with_provider(NAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use llm_router_http::reqwest::header::HeaderMap;
    use serde_json::json;

    fn http_error(status: u16, h: &HeaderMap, body: &[u8], _key: Option<&ApiKey>) -> Error {
        llm_router_http::classify(crate::NAME, status, h, body)
    }

    #[test]
    fn documented_statuses() {
        let h = HeaderMap::new();
        let e = http_error(404, &h, br#"{"error":"model 'llama9' not found"}"#, None);
        assert_eq!(e.kind(), ErrorKind::ModelNotFound);
        assert_eq!(e.message(), "model 'llama9' not found");
        assert_eq!(e.provider(), Some("ollama"));
        let e = http_error(400, &h, br#"{"error":"invalid options"}"#, None);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        let e = http_error(
            500,
            &h,
            br#"{"error":"the model failed to generate a response"}"#,
            None,
        );
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        let e = http_error(502, &h, br#"{"error":"cloud model unreachable"}"#, None);
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }

    #[test]
    fn error_lines() {
        let e = error_line(&json!({"error": "an error was encountered while running the model"}))
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
        assert!(error_line(&json!({"model": "m", "done": false})).is_none());
    }
}
