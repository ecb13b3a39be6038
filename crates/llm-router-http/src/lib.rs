//! HTTP plumbing shared by every llm-router provider.
//!
//! Pooled clients per tokio runtime (rustls with the `ring` provider, never OpenSSL):
//! [`Transport`], which sends every provider's [`Outgoing`] requests on hyper-util directly
//! (on reqwest when a proxy is configured or the caller brought a client), JSON sending,
//! server-sent-event decoding (`sse-parse`), the mapping of HTTP status and error
//! bodies to [`llm_router_core::ErrorKind`] (classification lives here, once), `Retry-After`
//! parsing, stream idle/total timeouts, the stream rules of [`start_stream`], and the event
//! loop of native stream parsers ([`parse_chunks`]).
//!
//! # Example
//!
//! ```
//! use llm_router_http::classify;
//! use llm_router_core::ErrorKind;
//! use reqwest::header::{HeaderMap, HeaderValue};
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("retry-after", HeaderValue::from_static("2"));
//! let body = br#"{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}"#;
//! let err = classify("openai", 429, &headers, body);
//! assert_eq!(err.kind(), ErrorKind::RateLimited);
//! assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(2)));
//! ```

mod body;
mod chunk_parser;
mod classify;
mod client;
mod connection;
mod retry_after;
mod settings;
mod sse;
mod stream_guard;
mod timeout;
mod transport;

pub use body::{
    ByteStream, byte_stream, decode_error, mentions_error, parse_json, read_body, send,
    send_checked,
};
pub use chunk_parser::{ChunkParser, EventFlow, parse_chunks};
pub use classify::{
    ErrorBody, classify, error_from_body, error_in_body, kind_for, kind_for_event, transport_error,
};
pub use client::{HttpConfig, build_client, ensure_crypto_provider, shared_client};
pub use connection::{AuthScheme, Connection, unix_now};
pub use retry_after::{MAX_RETRY_AFTER, parse_retry_after_value, retry_after, retry_after_at};
pub use settings::ConnectionSettings;
pub use sse::{SseEvent, SseStream, sse_events};
pub use stream_guard::start_stream;
pub use timeout::{StreamTimeouts, with_timeouts};
pub use transport::{DirectClient, Outgoing, Reply, Transport, proxy_configured};

/// Re-exported so providers name the same versions.
pub use http;
/// Re-exported so providers name the same versions.
pub use reqwest;
