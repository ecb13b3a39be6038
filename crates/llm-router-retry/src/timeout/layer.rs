//! `TimeoutLayer`: the public face of the timeout service.

use std::sync::Arc;
use std::time::Duration;

use llm_router_core::{ChatProvider, EmbeddingProvider, Layer};

use super::service::Timeout;

/// Time limits for each call of the provider it wraps. Every limit is off until set.
///
/// - `per_attempt` bounds `chat` and `embed`, and the time from calling `chat_stream` to the
///   stream's first chunk (time to first token). Exceeding it is
///   [`ErrorKind::Timeout`](llm_router_core::ErrorKind::Timeout), which a
///   [`RetryLayer`](crate::RetryLayer) outside this layer retries.
/// - `stream_idle` bounds the wait for each chunk after the first.
/// - `stream_total` bounds a stream from the call of `chat_stream` to its last chunk (so it
///   also bounds the wait for the first chunk).
///
/// A stream that runs over `stream_idle` or `stream_total` after its first chunk ends with
/// [`ErrorKind::StreamInterrupted`](llm_router_core::ErrorKind::StreamInterrupted), code
/// `"timeout"`, and the inner stream is dropped (which cancels the request).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeoutLayer {
    pub(crate) per_attempt: Option<Duration>,
    pub(crate) stream_idle: Option<Duration>,
    pub(crate) stream_total: Option<Duration>,
}

impl TimeoutLayer {
    /// A layer with no limits (add them with the `with_*` methods).
    pub fn new() -> Self {
        Self::default()
    }

    /// A layer bounding each call (and each stream's first chunk) by `timeout`.
    pub fn per_attempt(timeout: Duration) -> Self {
        Self::new().with_per_attempt(timeout)
    }

    /// Bounds each call of `chat` and `embed`, and the time to a stream's first chunk.
    pub fn with_per_attempt(mut self, timeout: Duration) -> Self {
        self.per_attempt = Some(timeout);
        self
    }

    /// Bounds the wait for each stream chunk after the first.
    pub fn with_stream_idle(mut self, timeout: Duration) -> Self {
        self.stream_idle = Some(timeout);
        self
    }

    /// Bounds a whole stream, from the call of `chat_stream` to its end.
    pub fn with_stream_total(mut self, deadline: Duration) -> Self {
        self.stream_total = Some(deadline);
        self
    }

    /// The per-attempt limit, if set.
    pub fn per_attempt_limit(&self) -> Option<Duration> {
        self.per_attempt
    }

    /// The stream idle limit, if set.
    pub fn stream_idle_limit(&self) -> Option<Duration> {
        self.stream_idle
    }

    /// The stream total limit, if set.
    pub fn stream_total_limit(&self) -> Option<Duration> {
        self.stream_total
    }
}

impl Layer<dyn ChatProvider> for TimeoutLayer {
    fn layer(&self, inner: Arc<dyn ChatProvider>) -> Arc<dyn ChatProvider> {
        Arc::new(Timeout::new(inner, *self))
    }
}

impl Layer<dyn EmbeddingProvider> for TimeoutLayer {
    fn layer(&self, inner: Arc<dyn EmbeddingProvider>) -> Arc<dyn EmbeddingProvider> {
        Arc::new(Timeout::new(inner, *self))
    }
}
